#!/usr/bin/env python3
# test-real-views.py — Totals, Preferences and what a screen reader is
# told, used with a mouse and a keyboard through the X server.
#
# Copyright 2026 The Milk Diary authors
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from milkdays import TODAY, cell, cli, month_label, month_report, month_title, previous_month_day, show_month
from milkgui import Suite, button_named, check, states, text_of, wait_for, xdo

suite = Suite()

# Widgets a person can act on, by their AT-SPI role.
INTERACTIVE = {"push button", "toggle button", "check box", "radio button", "text", "entry",
               "combo box", "page tab", "menu item", "spin button", "slider", "link", "list item"}
# What GTK 4.8 answers for a widget that has no accessible name: its type.
UNNAMED = re.compile(r"^(Gtk|Adw|Milk)[A-Za-z]+$")


def diary_with(s, price, *days):
    """A diary priced from the earliest of its days on."""
    since = min([d for d, _ in days] + [TODAY]).replace(day=1)
    cli(s, "--price", price, "--date", since.isoformat())
    for date, litres in days:
        cli(s, "--add", litres, "--date", date.isoformat())


def bill_value(app, title):
    """The figure at the end of a bill row, e.g. "Amount" → "₹550.00"."""
    row = app.find("list item", title)
    labels = [a for a in app.find_all("label", None, within=row) if a.name != title]
    check(labels, f"the bill row {title!r} shows no figure")
    return labels[-1].name


def open_preferences(app):
    app.click(app.find("push button", "Main Menu"))
    app.click(app.find("menu item", "Preferences"))
    return app.wait_window(lambda w: w.name == "Preferences", 10, "the Preferences window")


@suite.flow("a damaged diary file: the app says it could not be opened and why, Close ends it, the file is untouched")
def damaged_diary(s):
    path = os.path.join(s.home, "diary.sqlite")
    damaged = b"this is not a diary\n" * 200
    with open(path, "wb") as f:
        f.write(damaged)
    app = s.start(first_window="dialog")
    dialog = app.wait_window(lambda w: w.getRoleName() == "dialog" and w.name == "The Diary Could Not Be Opened",
                             15, "the message that the diary could not be opened")
    app.find("label", re.compile(r"is damaged or is not a Milk Diary database"), within=dialog)
    app.click(app.find("push button", button_named("Close"), within=dialog), ends_app=True)
    wait_for(lambda: not app.running(), 10, "the app to end after Close")
    check(app.proc.returncode == 0, f"the app ended with status {app.proc.returncode}")
    with open(path, "rb") as f:
        check(f.read() == damaged, "the damaged file was changed")


@suite.flow("Totals: click a month's row, that month opens in the calendar")
def totals_month(s):
    two_back = (previous_month_day(1) - __import__("datetime").timedelta(days=1)).replace(day=5)
    diary_with(s, "50", (two_back, "2"), (previous_month_day(3), "1"))
    app = s.start()
    app.click(app.find("page tab", "Totals"))
    name = two_back.strftime("%B")
    row = app.find("list item", re.compile("^" + re.escape(name)), timeout=10)
    check("2 L" in row.name and "₹100.00" in row.name, f"the row says {row.name!r}")
    chart = app.find("image", re.compile("^Amount per month"))
    check(chart.name and not UNNAMED.match(chart.name), f"the chart has no text alternative: {chart.name!r}")
    check(name in (chart.description or "") or name[:3] in (chart.description or ""),
          f"the chart's description does not mention {name}: {chart.description!r}")
    app.click(row)
    wait_for(lambda: month_label(app).name == month_title(two_back), 10, f"{month_title(two_back)} in the calendar")
    tab = app.find("page tab", "Calendar")
    check("selected" in states(tab), "the Calendar tab is not the one shown")
    cell(app, two_back, "2 L")


@suite.flow("Preferences: a price change picked in the date picker changes the bill")
def price_change(s):
    diary_with(s, "50", *[(previous_month_day(d), "1") for d in range(1, 11)])
    app = s.start()
    show_month(app, previous_month_day(1))
    check(bill_value(app, "Amount") == "₹500.00", f"the bill is {bill_value(app, 'Amount')}")
    prefs = open_preferences(app)
    app.click(app.find("page tab", "Products", within=prefs))
    app.click(app.find("list item", "Milk", within=prefs))
    app.click(app.find("list item", "Price Schedule", within=prefs))
    app.click(app.find("push button", "Choose a Day", within=prefs))
    # The date picker opens on today's month; go back one and pick the 6th.
    app.click(app.find("push button", re.compile("Previous|GtkImage|^<$|go-previous"), within=prefs))
    wait_for(lambda: app.find_all("label", previous_month_day(1).strftime("%B"), within=prefs), 15,
             "the date picker to show the month before")
    app.click(app.find("label", "6", within=prefs))
    day_row = app.find("text", "From Day (YYYY-MM-DD)", within=prefs)
    wait_for(lambda: text_of(day_row) == previous_month_day(6).isoformat(), 15,
             f"the day field to say {previous_month_day(6).isoformat()}")
    app.click(app.find("text", "Price per Litre", within=prefs))
    app.type("60")
    app.click(app.find("push button", button_named("Add Price Change"), within=prefs))
    app.find("list item", re.compile("From .*" + str(previous_month_day(6).day)), within=prefs)
    # Days 1-5 at 50, days 6-10 at 60.
    wait_for(lambda: bill_value(app, "Amount") == "₹550.00", 10, "the bill to become ₹550.00")
    check("₹550.00" in month_report(s, previous_month_day(1)), "--month does not say ₹550.00")


@suite.flow("Preferences: a payment and a second product change the bill")
def payment_and_product(s):
    diary_with(s, "50", *[(TODAY.replace(day=1) if TODAY.day > 1 else TODAY, "2")])
    app = s.start()
    balance = bill_value(app, "Balance Due")
    prefs = open_preferences(app)
    app.click(app.find("page tab", "Payments", within=prefs))
    app.click(app.find("text", "Day (YYYY-MM-DD)", within=prefs))
    app.key("ctrl+a")
    app.type(TODAY.isoformat())
    app.click(app.find("text", "Amount", within=prefs))
    app.type("40")
    app.click(app.find("push button", button_named("Add Payment"), within=prefs))
    app.find("list item", re.compile("₹40.00"), within=prefs)
    wait_for(lambda: bill_value(app, "Paid") == "₹40.00", 10, "Paid ₹40.00 in the bill")
    check(bill_value(app, "Balance Due") != balance, "the balance did not change")
    app.click(app.find("page tab", "Products", within=prefs))
    app.click(app.find("text", re.compile("^Name, such as"), within=prefs))
    app.type("Buffalo Milk")
    app.key("Return")
    app.find("list item", "Buffalo Milk", within=prefs)
    app.key("Escape")
    app.gone("frame", "Preferences")
    app.click(app.find("push button", button_named("Record Today")))
    # With two products the bill splits by product.
    app.find("list item", "Buffalo Milk")
    check("Buffalo Milk" in month_report(s, TODAY), "--month does not list Buffalo Milk")


@suite.flow("a delivery added in a terminal while the window is open shows at once, bill included")
def live_from_the_command_line(s):
    diary_with(s, "50", (previous_month_day(2), "1"))
    app = s.start()
    cell(app, TODAY, "not recorded")
    before = bill_value(app, "Amount")
    # Another process, its own connection to the diary file: the window
    # is not told, it has to notice.
    out = app.cli("--add", "2", "--date", TODAY.isoformat())
    check("2 L" in out, f"--add said {out!r}")
    cell(app, TODAY, "2 L")
    wait_for(lambda: bill_value(app, "Amount") != before, 10, f"the bill to change from {before}")
    # And a second change, after the first was noticed.
    app.cli("--add", "1.5", "--date", TODAY.isoformat())
    cell(app, TODAY, "1.5 L")


@suite.flow("Save Bill as PDF… from the menu writes the month's bill with its total, through a file chooser")
def save_bill_pdf(s):
    diary_with(s, "50", (previous_month_day(2), "2"), (previous_month_day(3), "1.5"))
    app = s.start()
    show_month(app, previous_month_day(2))
    app.click(app.find("push button", "Main Menu"))
    app.click(app.find("menu item", "Save Bill as PDF…"))
    chooser = app.wait_window(lambda w: w.name == "Save Bill as PDF", 10, "the file chooser")
    name = app.find("text", None, within=chooser)
    expected = "milk-bill-" + previous_month_day(2).strftime("%Y-%m") + ".pdf"
    check(text_of(name) == expected, f"the chooser offers {text_of(name)!r}")
    path = os.path.join(s.home, "bill.pdf")
    app.key("ctrl+a", window=chooser)
    app.type(path, window=chooser)
    app.key("Return", window=chooser)
    app.find("label", "Saved the bill as bill.pdf", shallow_first=True)
    text = __import__("subprocess").run(["pdftotext", "-layout", path, "-"], capture_output=True,
                                        text=True, timeout=30).stdout
    check("₹175.00" in text and "3.5 L" in text, f"the PDF does not bill 3.5 L for ₹175.00:\n{text}")
    check(month_title(previous_month_day(2)) in text, f"the PDF is not {month_title(previous_month_day(2))}'s bill")


@suite.flow("the milkman's bill typed under the bill: the difference explained, kept with the month")
def milkman_asks(s):
    # 2 L, 2 L and 1.5 L at ₹50.00: ₹275.00; the milkman asks for one more 2 L day.
    diary_with(s, "50", (previous_month_day(2), "2"), (previous_month_day(3), "2"), (previous_month_day(4), "1.5"))
    app = s.start()
    show_month(app, previous_month_day(2))
    check(bill_value(app, "Amount") == "₹275.00", f"the bill is {bill_value(app, 'Amount')}")
    # Below the bill: the wheel scrolls down to it, as a person would.
    for _ in range(10):
        app.click(app.find("list item", "Milk Delivered"), button=5)
    field = app.find("text", re.compile("^The Milkman Asks"))
    app.click(field)
    app.type("375")
    app.key("Return")
    said = "₹100.00 more than the diary: 1 more day of 2 L of Milk at ₹50.00"
    app.find("label", said)
    app.screenshot("milkman-asks")
    report = month_report(s, previous_month_day(2))
    check("The milkman asks ₹375.00: " + said in report, f"--month does not say it:\n{report}")
    # Another month, and back: kept.
    app.click(app.find("push button", "Next Month"))
    app.click(app.find("push button", "Previous Month"))
    app.find("label", said)


@suite.flow("every widget a person can act on has an accessible name; days say their state")
def accessible_names(s):
    day = previous_month_day(3)
    skipped = previous_month_day(4)
    diary_with(s, "50", (day, "1.5"), (skipped, "0"))
    app = s.start()
    show_month(app, day)

    def audit(where):
        bad = [f"{a.getRoleName()} {a.name!r}" for a in app.find_all()
               if a.getRoleName() in INTERACTIVE and (not a.name or UNNAMED.match(a.name))
               and "sensitive" in states(a)]
        check(not bad, f"{where}: widgets without an accessible name: {bad}")

    audit("the calendar")
    cell(app, day, "1.5 L")
    cell(app, skipped, "no delivery")
    cell(app, previous_month_day(5), "not recorded")
    hidden = [a.name for a in app.find_all("push button", re.compile(r"^\w+, \d+ \w+: "))
              if not day.strftime("%B") in a.name]
    check(not hidden, f"days of other months are announced though not shown: {hidden[:3]}")
    app.click(app.find("page tab", "Totals"))
    app.find("image", re.compile("^Amount per month"))
    audit("the totals")
    app.click(cell_after_tab(app, day))
    editor = app.wait_window(lambda w: str(day.day) in (w.name or "") and w.name != "Milk Diary", 10,
                             "the day editor")
    audit("the day editor")
    app.key("Escape", window=editor)
    prefs = open_preferences(app)
    for tab in ("General", "Products", "Payments"):
        app.click(app.find("page tab", tab, within=prefs))
        audit(f"Preferences, {tab}")


@suite.flow("the sync button tells where the diary is kept: in a tooltip when the pointer rests on it, and to a screen reader")
def sync_button_tooltip(s):
    diary_with(s, "50", (previous_month_day(3), "1"))
    app = s.start()
    button = app.find("push button", "Sync Status")
    said = "On this device only: Sign in to keep your devices in step"
    check(button.description == said, f"the sync button is described as {button.description!r}, not {said!r}")
    before = {w[0] for w in app.x_windows()}
    x, y = app.screen_point(button)
    _, bottom = app.screen_point(button, 0.5, 1.0)
    xdo("mousemove", "--sync", x - 1, y - 1)
    time.sleep(0.05)
    xdo("mousemove", "--sync", x, y)
    # A tooltip is an X window of its own, under the pointer; xwd, which
    # the screenshots use, does not show it (its visual is not the root's).
    wait_for(lambda: [w for w in app.x_windows() if w[0] not in before and y < w[2] <= bottom + 60],
             10, "a tooltip window just below the sync button")


def cell_after_tab(app, day):
    app.click(app.find("page tab", "Calendar"))
    return cell(app, day)


sys.exit(suite.run())
