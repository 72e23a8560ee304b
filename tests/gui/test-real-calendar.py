#!/usr/bin/env python3
# test-real-calendar.py — the calendar used with a mouse and a keyboard,
# through the X server: first start, Record Today, the day editor, ranges
# and leave, delete and Undo, month navigation.
#
# Copyright 2026 The Milk Diary authors
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from milkdays import (TODAY, cell, cli, month_label, month_report, month_title, open_day,
                      previous_month_day, recorded, show_month, toast_button)
from milkgui import Suite, button_named, check, states, text_of, wait_for

suite = Suite()


def diary_with(s, *days):
    """A diary that has a currency and some records, so no welcome page."""
    cli(s, "--price", "56.50")
    for date, litres in days:
        cli(s, "--add", litres, "--date", date.isoformat())


def add_buffalo_milk(s, date):
    """A second product, "Buffalo Milk", brought by a CSV import with 0.5 L on date."""
    csv = os.path.join(s.home, "buffalo.csv")
    with open(csv, "w") as f:
        f.write("day,product,litres\n" + date.isoformat() + ",Buffalo Milk,0.5\n")
    cli(s, "--import", csv)


def coloured_pixels(rgb_bytes, rgb, tolerance=24):
    """How many pixels of an RGB crop are close to a colour."""
    return sum(1 for i in range(0, len(rgb_bytes) - 2, 3)
               if all(abs(rgb_bytes[i + c] - rgb[c]) <= tolerance for c in range(3)))


@suite.flow("first start: welcome page, currency and price, then the calendar")
def first_start(s):
    app = s.start()
    app.find("label", "Welcome to Milk Diary")
    # Pick the euro from the currency list with the mouse.
    app.find("combo box", re.compile("^Currency"))  # GTK 4.8 says it twice
    app.click(app.find("push button", re.compile(r"^(GtkToggleButton|Currency.*)$")))
    search = app.find("entry", None, timeout=15)
    app.click(search)
    app.type("euro")
    wait_for(lambda: text_of(search) == "euro", 15, "the search to hold 'euro'")
    # In the pop-up's list, not the drop-down's own label.
    app.click(app.find("label", "Euro (EUR)", within=app.find("filler", "GtkPopover"), timeout=15))
    # A person waits for the pop-up to close before the next click: a click
    # while it is open only closes it (seen in CI under load).
    wait_for(lambda: app.find("label", "Euro (EUR)") and not list(app.find_all("entry", None)), 15,
             "the euro to be chosen and the list to close")
    price = app.find("text", re.compile("Price per Litre"))
    app.click(price)
    app.type("1.25")
    wait_for(lambda: text_of(price) == "1.25", 15, "the price field to hold 1.25")
    app.click(app.find("push button", button_named("Start")))
    label = month_label(app)
    check(label.name == month_title(TODAY), f"the calendar shows {label.name!r}")
    app.click(app.find("push button", button_named("Record Today")))
    cell(app, TODAY, "1 L")
    report = month_report(s, TODAY)
    check("€1.25" in report, f"the bill does not charge €1.25 for a litre:\n{report}")


@suite.flow("first start: the usual 1,5 L typed, the price left for later; Record Today twice does not overwrite")
def first_start_usual_quantity(s):
    app = s.start()
    app.find("label", "Welcome to Milk Diary")
    qty = app.find("text", re.compile("^Usual Quantity"))
    check(text_of(qty) == "1", f"the usual quantity starts at {text_of(qty)!r}")
    app.click(qty)
    app.key("ctrl+a")
    app.type("1.5")
    wait_for(lambda: text_of(qty) == "1.5", 15, "the quantity field to hold 1.5")
    app.click(app.find("push button", button_named("Start")))
    month_label(app)
    app.click(app.find("push button", button_named("Record Today")))
    cell(app, TODAY, "1.5 L")
    check(recorded(s, TODAY) == ["1.5 L"], f"--month says {recorded(s, TODAY)}")
    # The same day again: said, not overwritten, and the toast offers the editor.
    app.key("ctrl+t")
    app.find("label", "Today is already recorded: 1.5 L", shallow_first=True)
    app.click(toast_button(app, "Change…"))
    editor = app.wait_window(lambda w: re.search(r"\b" + str(TODAY.day) + r"\b", w.name or "")
                             and w.name != app.window.name, 10, "the day editor")
    app.find("text", "Litres of Milk", within=editor)
    check(recorded(s, TODAY) == ["1.5 L"], f"--month says {recorded(s, TODAY)}")


@suite.flow("two products: Record Today names each in its toast")
def record_today_two_products(s):
    diary_with(s, (previous_month_day(2), "2"))
    add_buffalo_milk(s, previous_month_day(3))
    app = s.start()
    app.click(app.find("push button", button_named("Record Today")))
    app.find("label", re.compile(r"^Recorded 1 L of Milk and [\d.]+ L of Buffalo Milk$"), shallow_first=True)
    app.click(toast_button(app, "Undo"))
    cell(app, TODAY, "not recorded")


@suite.flow("two products: cells name them, a legend; a note typed in the editor is said with the day")
def cells_with_products_and_notes(s):
    day = previous_month_day(5)
    diary_with(s, (day, "2"))
    add_buffalo_milk(s, day)
    app = s.start()
    show_month(app, day)
    both = cell(app, day, "Milk 2 L, Buffalo Milk 0.5 L")
    legend = app.find("label", re.compile(r"^\s*Milk\s+Buffalo Milk$"))
    check(legend is not None, "no legend")
    # Each quantity and each name after a dot of its product's colour:
    # GNOME's blue 3 and green 4, drawn, not a glyph the font may lack.
    for name, rgb in (("blue", (0x35, 0x84, 0xe4)), ("green", (0x2e, 0xc2, 0x7e))):
        check(coloured_pixels(app.crop(both), rgb) >= 12, f"the day shows no {name} dot")
        check(coloured_pixels(app.crop(legend), rgb) >= 12, f"the legend shows no {name} dot")
    editor = open_day(app, day)
    app.click(app.find("text", "Note", within=editor))
    app.type("two guests")
    app.click(app.find("push button", button_named("Save"), within=editor))
    cell(app, day, "Milk 2 L, Buffalo Milk 0.5 L; Note: two guests")
    app.screenshot("cells-two-products-note")


@suite.flow("Record Today by its button, then Undo in the toast")
def record_today_button(s):
    diary_with(s, (previous_month_day(2), "2"))
    app = s.start()
    cell(app, TODAY, "not recorded")
    app.click(app.find("push button", button_named("Record Today")))
    cell(app, TODAY, "1 L")
    # Clicked at once: a toast lives five seconds, and a --month check
    # before the click could outlast it on a loaded machine (seen in CI).
    app.click(toast_button(app, "Undo"))
    cell(app, TODAY, "not recorded")
    check(recorded(s, TODAY) == [], "Undo left a record for today")
    # Recorded again, it is in the diary.
    app.click(app.find("push button", button_named("Record Today")))
    cell(app, TODAY, "1 L")
    check(recorded(s, TODAY) == ["1 L"], f"--month says {recorded(s, TODAY)}")


@suite.flow("Record Today by Ctrl+T, then Undo by Ctrl+Z")
def record_today_keys(s):
    diary_with(s, (previous_month_day(2), "2"))
    app = s.start()
    cell(app, TODAY, "not recorded")
    app.key("ctrl+t")
    cell(app, TODAY, "1 L")
    check(recorded(s, TODAY) == ["1 L"], f"--month says {recorded(s, TODAY)}")
    app.key("ctrl+z")
    cell(app, TODAY, "not recorded")
    check(recorded(s, TODAY) == [], "Undo left a record for today")


@suite.flow("Ctrl+T pressed again and again: each toast replaces the last, nothing crashes or changes")
def record_today_burst(s):
    diary_with(s, (previous_month_day(2), "2"))
    app = s.start()
    app.key("ctrl+t")
    cell(app, TODAY, "1 L")
    app.key(*["ctrl+t"] * 25)
    app.find("label", "Today is already recorded: 1 L", shallow_first=True)
    app.key(*["ctrl+t", "Escape"] * 10)
    time.sleep(1)
    app.assert_running()
    check(recorded(s, TODAY) == ["1 L"], f"--month says {recorded(s, TODAY)}")


@suite.flow("click a past day, step the quantity up, save by click; reopen shows it")
def editor_stepper(s):
    day = previous_month_day(4)
    diary_with(s, (day, "1.5"))
    app = s.start()
    editor = open_day(app, day)
    qty = app.find("text", "Litres of Milk", within=editor)
    shown = text_of(qty)
    check(shown == "1.5", f"the editor shows {shown!r}, not 1.5")
    app.click(app.find("push button", "More", within=editor))
    app.click(app.find("push button", "More", within=editor))
    wait_for(lambda: text_of(qty) == "2", 15, "the stepper to reach 2")
    app.click(app.find("push button", button_named("Save"), within=editor))
    cell(app, day, "2 L")
    check(recorded(s, day) == ["2 L"], f"--month says {recorded(s, day)}")
    editor = open_day(app, day)
    qty = app.find("text", "Litres of Milk", within=editor)
    check(text_of(qty) == "2", "the reopened editor does not show 2 L")


@suite.flow("type a quantity in the day editor and save with Enter")
def editor_typing(s):
    day = previous_month_day(12)
    diary_with(s, (previous_month_day(1), "1"))
    app = s.start()
    editor = open_day(app, day)
    qty = app.find("text", "Litres of Milk", within=editor)
    check("focused" in states(qty), "the day editor does not open with the focus in the quantity")
    app.key("ctrl+a", window=editor)
    app.type("2.75", window=editor)
    app.key("Return", window=editor)
    cell(app, day, "2.75 L")
    check(recorded(s, day) == ["2.75 L"], f"--month says {recorded(s, day)}")
    # A quantity that makes no sense is refused with a message; nothing lost.
    editor = open_day(app, day)
    app.key("ctrl+a", window=editor)
    app.type("lots", window=editor)
    app.key("Return", window=editor)
    app.find("label", re.compile("(?i)quantity|litre|number"), within=editor)
    check(recorded(s, day) == ["2.75 L"], "a bad quantity changed the diary")


@suite.flow("Shift+click a range, mark it as leave, then Undo")
def shift_click_leave(s):
    first, last = previous_month_day(10), previous_month_day(13)
    diary_with(s, (previous_month_day(1), "1"))
    app = s.start()
    editor = open_day(app, first)
    app.click(app.find("push button", button_named("Cancel"), within=editor))
    app.click(cell(app, last), modifiers=("shift",))
    app.assert_running()
    for d in range(10, 14):
        check("selected" in states(cell(app, previous_month_day(d))), f"day {d} is not selected")
    # The toast that offers Mark Leave… passes; the main menu stays.
    app.click(app.find("push button", "Main Menu"))
    app.click(app.find("menu item", "Mark Leave…"))
    dialog = app.wait_window(lambda w: w.getRoleName() == "dialog" and w.name == "Mark Leave", 10,
                             "the Mark Leave dialog")
    app.click(app.find("push button", button_named("Mark Leave"), within=dialog))
    cell(app, first, "no delivery")
    toast_button(app, "Undo")
    for d in range(11, 14):
        cell(app, previous_month_day(d), "no delivery")
    check(recorded(s, first) == ["—"] or "no delivery" in month_report(s, first).lower(),
          "--month does not show the leave")
    # Undone by the keyboard: the toast (and its button, clicked in the
    # Record Today flow) lives five seconds, less than the checks above
    # can take on a loaded machine (seen in CI).
    app.key("ctrl+z", window=app.window)
    for d in range(10, 14):
        cell(app, previous_month_day(d), "not recorded")


@suite.flow("delete a day's record in the editor, then Undo")
def delete_undo(s):
    day = previous_month_day(15)
    diary_with(s, (day, "1.5"))
    app = s.start()
    editor = open_day(app, day)
    app.click(app.find("push button", button_named("Delete This Day’s Record"), within=editor))
    cell(app, day, "not recorded")
    app.click(toast_button(app, "Undo"))  # at once: the toast passes
    cell(app, day, "1.5 L")
    check(recorded(s, day) == ["1.5 L"], "Undo did not bring the record back")
    # Deleted again, it is gone from the diary.
    editor = open_day(app, day)
    app.click(app.find("push button", button_named("Delete This Day’s Record"), within=editor))
    cell(app, day, "not recorded")
    check(recorded(s, day) == [], "the record is still in the diary")


@suite.flow("month navigation by the arrow buttons and Today")
def navigation(s):
    diary_with(s, (previous_month_day(1), "1"))
    app = s.start()
    check(month_label(app).name == month_title(TODAY), "does not open on this month")
    app.click(app.find("push button", "Previous Month"))
    app.click(app.find("push button", "Previous Month"))
    two_back = previous_month_day(1).replace(day=1)
    two_back = (two_back.replace(day=1) - __import__("datetime").timedelta(days=1))
    wait_for(lambda: month_label(app).name == month_title(two_back), 15, month_title(two_back))
    app.click(app.find("push button", "Next Month"))
    wait_for(lambda: month_label(app).name == month_title(previous_month_day(1)), 15, "one month back")
    app.click(app.find("push button", button_named("Today")))
    wait_for(lambda: month_label(app).name == month_title(TODAY), 15, "this month")
    app.key("Page_Up")
    wait_for(lambda: month_label(app).name == month_title(previous_month_day(1)), 15, "Page Up")


@suite.flow("keyboard: a visible focus ring on the day, Shift+arrows select a range for leave")
def keyboard_range(s):
    diary_with(s, (previous_month_day(1), "1"))
    app = s.start()
    show_month(app, previous_month_day(1))
    first = previous_month_day(8)
    app.click(cell(app, first))  # opens the editor; Escape closes it
    editor = app.wait_window(lambda w: w.name and str(first.day) in w.name, 10, "the day editor")
    app.key("Escape", window=editor)
    app.gone("frame", editor.name)
    target = cell(app, first)
    app.give_focus()
    wait_for(lambda: "focused" in states(target), 15, "the clicked day to have the focus again")
    nxt = cell(app, previous_month_day(9))
    unfocused = app.crop(nxt)
    app.key("Right")
    wait_for(lambda: "focused" in states(nxt), 15, "Right to move the focus to the next day")
    wait_for(lambda: app.crop(nxt) != unfocused, 3, "a focus ring on the focused day")
    app.key("Left")
    wait_for(lambda: "focused" in states(target), 15, "Left to move the focus back")
    app.key("shift+Right", "shift+Right", "shift+Down")
    for d in (8, 9, 10, 17):  # two days on, then a week down
        check("selected" in states(cell(app, previous_month_day(d))), f"day {d} is not in the range")
    check("selected" not in states(cell(app, previous_month_day(18))), "day 18 is in the range")
    app.key("ctrl+l")
    dialog = app.wait_window(lambda w: w.getRoleName() == "dialog" and w.name == "Mark Leave", 10,
                             "the Mark Leave dialog")
    first_field = app.find("text", "First day of leave", within=dialog)
    last_field = app.find("text", "Last day of leave", within=dialog)
    check(text_of(first_field) == previous_month_day(8).isoformat(), f"leave starts {text_of(first_field)}")
    check(text_of(last_field) == previous_month_day(17).isoformat(), f"leave ends {text_of(last_field)}")
    app.key("Return", window=dialog)
    for d in (8, 9, 10, 17):
        cell(app, previous_month_day(d), "no delivery")
    cell(app, previous_month_day(18), "not recorded")


sys.exit(suite.run())
