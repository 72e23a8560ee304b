#!/usr/bin/env python3
# test-real-languages.py — Milk Diary in German and in Hindi, through the
# X server: the first start, Record Today, a 360 px wide window with the
# view switcher at the bottom and nothing cut off, and the keyboard
# shortcuts window's key caps.
#
# What the app should say is read from the same catalogues it uses (the
# built po/*.mo), and dates are written with the language's locale, so the
# tests follow the translations rather than copy them.
#
# Copyright 2026 The Milk Diary authors
# SPDX-License-Identifier: GPL-3.0-or-later

import contextlib
import datetime
import gettext
import locale
import os
import re
import sys

from gi.repository import GLib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from milkdays import TODAY, cli, previous_month_day
from milkgui import Suite, button_named, check, extents, states, text_of, wait_for

suite = Suite()


class Language:
    """A language as the app speaks it: its catalogue and its dates."""

    def __init__(self, lang):
        self.lang = lang  # "de_DE", "hi_IN", or None for English
        if lang:
            self.catalog = gettext.translation("milk-diary", os.environ["MILK_LOCALEDIR"],
                                               languages=[lang.split("_")[0]])
        else:
            self.catalog = gettext.NullTranslations()

    def _(self, text):
        translated = self.catalog.gettext(text)
        check(self.lang is None or translated != text or text in ("%s (%s)", "%OB %Y", "%s L", "Euro"),
              f"{self.lang} has no translation for {text!r}")
        return translated

    def C_(self, context, text):
        return self.catalog.pgettext(context, text)

    @contextlib.contextmanager
    def _time_locale(self):
        old = locale.setlocale(locale.LC_TIME)
        locale.setlocale(locale.LC_TIME, f"{self.lang}.UTF-8" if self.lang else "C.UTF-8")
        try:
            yield
        finally:
            locale.setlocale(locale.LC_TIME, old)

    def strftime(self, date, fmt):
        with self._time_locale():
            return date.strftime(fmt)

    def month_title(self, date):
        return self.strftime(date, self._("%OB %Y"))

    def quantity(self, litres):
        """"1,5 L" in German: the locale's decimal point, the unit's translation."""
        text = str(litres)
        if self.lang:
            old = locale.setlocale(locale.LC_NUMERIC)
            locale.setlocale(locale.LC_NUMERIC, f"{self.lang}.UTF-8")
            try:
                text = text.replace(".", locale.localeconv()["decimal_point"])
            finally:
                locale.setlocale(locale.LC_NUMERIC, old)
        return self._("%s L") % text

    def cell_pattern(self, date, what=None):
        head = self.strftime(date, self._("%A, %-e %B"))
        if date == TODAY:
            head = self._("%s, today") % head
        return re.compile("^" + re.escape(head) + ": " + (re.escape(what) + "$" if what else ""))


ENGLISH, GERMAN, HINDI = Language(None), Language("de_DE"), Language("hi_IN")

# A mnemonic written the way a translation without the Latin letter shows
# it: "रिकॉर्ड (R)", "(_R)".
LATIN_MNEMONIC = re.compile(r"\(_?[A-Za-z]\)")


def shown(app, role=None, within=None):
    return app.find_all(role, None, within)


def showing_widgets(app, within=None):
    return list(app.find_all(None, None, within))


def visible_text(acc):
    """A label's text as well as its name: they differ when a label's
    accessible name is set apart from what it shows. Nothing for a widget
    gone since it was found (a toast that timed out)."""
    try:
        texts = [acc.name or ""]
        role = acc.getRoleName()
    except GLib.Error:
        return []
    if role == "label":
        try:
            texts.append(text_of(acc))
        except Exception:
            pass
    return texts


def sentence_like(text):
    """Words enough to be sure English text is not a key cap or a name."""
    return len(re.findall(r"[A-Za-z]{3,}", text)) >= 2


def check_translated(app, L, where, within=None, english=()):
    """No English sentence left among the shown labels and buttons: none
    the catalogue translates (so it was shown without asking it), and
    none of `english` (what the English run showed in the same place,
    for a string missing from the catalogue)."""
    if L is ENGLISH:
        return
    msgids, msgstrs = set(), set()
    for key, value in L.catalog._catalog.items():
        key = key[0] if isinstance(key, tuple) else key
        msgid = key.split("\x04")[-1]
        msgstrs.add(value.replace("_", ""))
        if value != msgid and sentence_like(msgid):
            msgids.add(msgid.replace("_", ""))
    # What the language itself writes in English ("Page Down" in Hindi) is fine.
    msgids -= msgstrs
    english = {e for e in english if sentence_like(e)} - msgstrs
    for acc in shown(app, None, within):
        try:
            if acc.getRoleName() not in ("label", "push button", "page tab", "menu item"):
                continue
        except GLib.Error:
            continue
        for text in visible_text(acc):
            check(text not in msgids and text not in english,
                  f"{where}: [{acc.getRoleName()}] {text!r} is English in {L.lang}")


def check_names(app, where, within=None):
    """No bracketed Latin mnemonic and no double space in anything shown."""
    count = 0
    for acc in showing_widgets(app, within):
        for text in visible_text(acc):
            count += 1
            check(not LATIN_MNEMONIC.search(text),
                  f"{where}: [{acc.getRoleName()}] {text!r} has a bracketed Latin mnemonic")
            check("  " not in text, f"{where}: [{acc.getRoleName()}] {text!r} has a double space")
    check(count > 5, f"{where}: only {count} names to look at")


def first_start(s, language, currency_code, currency_name, price, billed):
    """The welcome page in a language, a currency picked from the list by
    the start of its name (GTK 4.8's drop-down searches by prefix), a price typed as the language writes it, Start, then Record
    Today; the bill on the command line charges `billed`."""
    L = language
    app = s.start(lang=L.lang)
    app.find("label", L._("Welcome to Milk Diary"))
    app.find("label", L._("Keep your own record of the milk delivered each day, and check the "
                          "monthly bill at a glance."))
    check_translated(app, L, "the welcome page")
    if L is HINDI:
        check_names(app, "the welcome page")
    dropdown = app.find("push button", re.compile(
        r"^(GtkToggleButton|" + re.escape(L._("Currency")) + ".*)$"))
    app.click(dropdown)
    search = app.find("entry", None, timeout=15)
    app.click(search)
    name = L._(currency_name)
    typed = name.split()[0]
    app.type(typed)
    wait_for(lambda: text_of(search) == typed, 15, f"the search to hold {typed!r}")
    choice = L._("%s (%s)") % (name, currency_code)
    # In the pop-up's list, not the drop-down's own label.
    app.click(app.find("label", choice, within=app.find("filler", "GtkPopover"), timeout=15))
    wait_for(lambda: app.find("label", choice) and not list(app.find_all("entry", None)), 15,
             f"{choice} to be chosen")
    entry = app.find("text", re.compile(re.escape(L._("Price per Litre"))))
    app.click(entry)
    app.type(price)
    wait_for(lambda: text_of(entry) == price, 15, f"the price field to hold {price!r}")
    app.screenshot(f"welcome-{L.lang}")
    app.click(app.find("push button", button_named(L._("_Start").replace("_", ""))))
    errors = [a.name for a in app.find_all("label", re.compile(re.escape(L._("Enter a price such as 56.50"))
                                                               + "|" + re.escape(L._("Enter the price you pay for a litre, such as 56.50"))))]
    check(not errors, f"the welcome page refuses {price!r}: {errors}")
    app.find("label", L.month_title(TODAY))
    check_translated(app, L, "the calendar")
    if L is HINDI:
        check_names(app, "the calendar")
    app.click(app.find("push button", button_named(L._("Record Today"))))
    app.find("push button", L.cell_pattern(TODAY, L.quantity(1)))
    report = app.cli("--month", TODAY.strftime("%Y-%m"))
    line = re.search(r"^" + TODAY.isoformat() + r"\s.*$", report, re.M)
    check(line and L.quantity(1) in line.group(0) and billed in line.group(0),
          f"--month does not bill {L.quantity(1)} for {billed} today:\n{report}")
    # Back to a month whose name is not the English one (November is
    # November in German too), by the translated arrow button.
    shown_month = TODAY
    while L.strftime(shown_month, "%OB") == ENGLISH.strftime(shown_month, "%OB"):
        previous = shown_month.replace(day=1) - datetime.timedelta(days=1)
        app.click(app.find("push button", L._("Previous Month")))
        app.find("label", L.month_title(previous))
        shown_month = previous
    app.click(app.find("push button", button_named(L._("_Today").replace("_", ""))))
    app.find("label", L.month_title(TODAY))
    return app


@suite.flow("German first start: welcome page, Swiss francs at 1,25, Record Today")
def german_first_start(s):
    first_start(s, GERMAN, "CHF", "Swiss Franc", "1,25", "1,25")


@suite.flow("Hindi first start: no bracketed Latin mnemonics, no double spaces")
def hindi_first_start(s):
    app = first_start(s, HINDI, "INR", "Indian Rupee", "56.50", "₹56.50")
    # The main menu (where mnemonics live) and the day editor's buttons.
    app.click(app.find("push button", HINDI._("Main Menu")))
    menu_item = app.find("menu item", re.compile(re.escape(HINDI._("_Preferences").replace("_", ""))),
                         timeout=15)
    check_names(app, "the main menu")
    app.key("Escape")
    app.gone("menu item", menu_item.name)
    app.click(app.find("push button", HINDI.cell_pattern(TODAY)))
    editor = app.wait_window(lambda w: w.getRoleName() != "frame" or w.name != app.window.name, 10,
                             "the day editor")
    app.find("push button", button_named(HINDI._("_Save").replace("_", "")), within=editor)
    check_names(app, "the day editor", within=editor)


def narrow(s, L, slug):
    # A month of deliveries, so that the bill's amounts are four digits wide.
    cli(s, "--price", "56.50", "--date", previous_month_day(1).isoformat())
    for day in range(1, 29):
        litres = "0" if day % 7 == 0 else ("2.25" if day % 3 else "1.5")
        cli(s, "--add", litres, "--date", previous_month_day(day).isoformat())
    cli(s, "--add", "1.5")
    app = s.start(lang=L.lang)
    app.find("push button", L.cell_pattern(TODAY, L.quantity(1.5)))
    app.resize(360, 640)
    window = app.window
    width = wait_for(lambda: extents(window)[2] <= 366 and extents(window)[2], 10,
                     "the window to be at most 366 px wide")
    height = extents(window)[3]

    def tab_lists():
        return [(extents(t)[1], t) for t in shown(app, "page tab list", window)]

    def switcher_at_bottom():
        lists = tab_lists()
        return (lists and all(y >= height / 2 for y, _ in lists)) and lists
    lists = wait_for(switcher_at_bottom, 10, "the view switcher at the bottom and none in the header")
    bottom = lists[0][1]

    def check_nothing_clipped(where):
        for label in shown(app, "label", window):
            if extents(label) is None:  # gone since it was found
                continue
            x, y, w, h = extents(label)
            check(0 <= x and x + w <= width,
                  f"{where}: the label {label.name!r} is at x {x}..{x + w}, outside 0..{width}")
        for button in shown(app, "push button", window):
            if extents(button) is None:  # gone since it was found
                continue
            x, y, w, h = extents(button)
            check(0 <= x and x + w <= width,
                  f"{where}: the button {button.name!r} is at x {x}..{x + w}, outside 0..{width}")
    # The calendar's month and today's cell are still there, and whole.
    app.find("label", L.month_title(TODAY), within=window)
    check_nothing_clipped("the calendar")
    check_translated(app, L, "the narrow calendar", window)
    app.screenshot(f"narrow-{slug}-calendar")
    totals = app.find("page tab", re.compile("^" + re.escape(L._("Totals"))), within=bottom)
    app.click(totals)
    # The chart had no allocation until its page was first shown.
    chart = app.find("image", re.compile(str(TODAY.year)), within=window)
    wait_for(lambda: "selected" in states(totals), 15, "the Totals tab to be selected")
    check(chart.name and str(TODAY.year) in chart.name, f"the chart is named {chart.name!r}")
    check(chart.description, "the chart has no description")
    check_nothing_clipped("the totals")
    check_translated(app, L, "the totals", window)
    x, y, w, h = extents(chart)
    check(0 <= x and x + w <= width, f"the chart is at x {x}..{x + w}, outside 0..{width}")
    app.screenshot(f"narrow-{slug}-totals")


@suite.flow("360 px wide in English: switcher at the bottom, nothing cut off, Totals")
def narrow_english(s):
    narrow(s, ENGLISH, "en")


@suite.flow("360 px wide in German: switcher at the bottom, nothing cut off, Totals")
def narrow_german(s):
    narrow(s, GERMAN, "de")


@suite.flow("360 px wide in Hindi: switcher at the bottom, nothing cut off, Totals")
def narrow_hindi(s):
    narrow(s, HINDI, "hi")


@suite.flow("keyboard shortcuts window: Page Up and Page Down key caps, in three languages")
def shortcuts(s):
    cli(s, "--price", "56.50")
    cli(s, "--add", "1")
    english = set()
    for L in (ENGLISH, GERMAN, HINDI):
        app = s.start(lang=L.lang)
        app.find("push button", L.cell_pattern(TODAY, L.quantity(1)))
        app.key("ctrl+question")
        window = app.wait_window(lambda w: w.name != app.window.name, 10, "the shortcuts window")
        up, down = L.C_("keyboard key", "Page Up"), L.C_("keyboard key", "Page Down")
        if L is GERMAN:
            check((up, down) == ("Bild auf", "Bild ab"), f"German key caps are {up!r}, {down!r}")
        app.find("label", up, within=window)
        app.find("label", down, within=window)
        raw = [a.name for a in app.find_all("label", re.compile("Page_|_Up|_Down"), window)]
        app.screenshot(f"shortcuts-{L.lang or 'en'}")
        if L is ENGLISH:
            english = {a.name for a in shown(app, "label", window)}
        check_translated(app, L, "the shortcuts window", window, english)
        check(not raw, f"{L.lang or 'English'}: raw key names in the shortcuts window: {raw}")
        app.quit()
        s.current = None


sys.exit(suite.run())
