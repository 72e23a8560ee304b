#!/usr/bin/env python3
# test-real-backup.py — a second diary in a second instance, a large
# import, Undo after removing a payment, and Restore Diary asking before it
# replaces, used with a mouse and a keyboard through the X server.
#
# Copyright 2026 The Milk Diary authors
# SPDX-License-Identifier: GPL-3.0-or-later

import datetime
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from gi.repository import GLib

from milkdays import TODAY, cell, cli, recorded, toast_button
from milkgui import App, Suite, button_named, check, wait_for

suite = Suite()


def bill_value(app, title):
    row = app.find("list item", title)
    labels = [a for a in app.find_all("label", None, within=row) if a.name != title]
    check(labels, f"the bill row {title!r} shows no figure")
    return labels[-1].name


def screenshot(s, name):
    """The screen with the app's dialogs on it, to look at: xwd -root
    leaves a dialog mapped over the window out, import does not."""
    time.sleep(0.5)  # painted
    subprocess.run(["import", "-window", "root", os.path.join(s.shots, name + ".png")], check=False, timeout=30)


def open_preferences(app):
    app.click(app.find("push button", "Main Menu"))
    app.click(app.find("menu item", "Preferences"))
    return app.wait_window(lambda w: w.name == "Preferences", 10, "the Preferences window")


@suite.flow("a second milk-diary on another MILK_DIARY_PATH opens that diary")
def second_instance(s):
    first_day = TODAY.replace(day=1)
    cli(s, "--price", "50", "--date", first_day.isoformat())
    cli(s, "--add", "2", "--date", first_day.isoformat())
    a = s.start()
    check(bill_value(a, "Amount") == "₹100.00", "diary A's bill is not ₹100.00")

    other = os.path.join(s.home, "other.sqlite")
    env = {"MILK_DIARY_PATH": other}
    subprocess.run([s.binary, "--price", "50", "--date", first_day.isoformat()],
                   env=dict(s.app_env, **env), check=True, capture_output=True)
    subprocess.run([s.binary, "--add", "5", "--date", first_day.isoformat()],
                   env=dict(s.app_env, **env), check=True, capture_output=True)
    # Without the fix the second start hands over to the first instance
    # and exits: App() finds no window of its own.
    b = App(s, extra_env=env)
    try:
        wait_for(lambda: bill_value(b, "Amount") == "₹250.00", 10, "diary B's bill, ₹250.00, in the second window")
        check(bill_value(a, "Amount") == "₹100.00", "the first window no longer shows diary A")
        b.screenshot("second-instance")
    finally:
        b.quit()
    # The same diary again joins the instance that has it.
    again = subprocess.run([s.binary], env=s.app_env, capture_output=True, timeout=30)
    check(again.returncode == 0, f"a second start on diary A failed: {again.stderr!r}")
    a.assert_running()


@suite.flow("Preferences: remove a payment, click Undo in the toast, the payment is back")
def payment_undo(s):
    first_day = TODAY.replace(day=1)
    cli(s, "--price", "50", "--date", first_day.isoformat())
    cli(s, "--add", "2", "--date", first_day.isoformat())
    app = s.start()
    prefs = open_preferences(app)
    app.click(app.find("page tab", "Payments", within=prefs))
    app.click(app.find("text", "Day (YYYY-MM-DD)", within=prefs))
    app.key("ctrl+a")
    app.type(TODAY.isoformat())
    app.click(app.find("text", "Amount", within=prefs))
    app.type("40")
    app.key("Return")
    app.find("list item", re.compile("₹40.00"), within=prefs)
    wait_for(lambda: bill_value(app, "Paid") == "₹40.00", 10, "Paid ₹40.00")

    app.click(app.find("push button", "Remove Payment", within=prefs))
    # Clicked as soon as it is found: a toast lives five seconds.
    app.click(toast_button(app, "Undo"))
    app.find("list item", re.compile("₹40.00"), within=prefs)
    wait_for(lambda: bill_value(app, "Paid") == "₹40.00", 10, "Paid ₹40.00 after Undo")
    check("₹40.00" in cli(s, "--month", TODAY.strftime("%Y-%m")), "--month does not count the payment")


@suite.flow("Restore Diary over a diary with records asks first")
def restore_asks(s):
    first_day = TODAY.replace(day=1)
    cli(s, "--price", "50", "--date", first_day.isoformat())
    cli(s, "--add", "2", "--date", first_day.isoformat())
    backup = os.path.join(s.home, "diary.milkbackup")
    cli(s, "--backup", backup)
    cli(s, "--add", "3", "--date", first_day.isoformat())
    app = s.start()
    wait_for(lambda: bill_value(app, "Amount") == "₹150.00", 10, "₹150.00 before the restore")
    app.click(app.find("push button", "Main Menu"))
    app.click(app.find("menu item", "Restore Diary…"))
    chooser = app.wait_window(lambda w: w.name == "Restore Diary", 10, "the file chooser")
    # GTK's chooser takes a path typed from "/" in its location entry.
    app.type(backup, window=chooser)
    app.key("Return", window=chooser)
    dialog = app.wait_window(lambda w: w.getRoleName() == "dialog" and w.name == "Replace the Diary?",
                             10, "the Replace the Diary? question")
    screenshot(s, "restore-asks")
    app.click(app.find("push button", button_named("Cancel"), within=dialog))
    check(bill_value(app, "Amount") == "₹150.00", "Cancel changed the diary")

    app.click(app.find("push button", "Main Menu"))
    app.click(app.find("menu item", "Restore Diary…"))
    chooser = app.wait_window(lambda w: w.name == "Restore Diary", 10, "the file chooser")
    app.type(backup, window=chooser)
    app.key("Return", window=chooser)
    dialog = app.wait_window(lambda w: w.getRoleName() == "dialog" and w.name == "Replace the Diary?",
                             10, "the Replace the Diary? question")
    app.click(app.find("push button", button_named("Replace Diary"), within=dialog))
    wait_for(lambda: bill_value(app, "Amount") == "₹100.00", 10, "the backup's ₹100.00 after the restore")


@suite.flow("Import… a CSV of 85 years: a progress bar moves while the window goes on answering, "
            "then the report, and the calendar shows the days")
def import_large(s):
    first = datetime.date(1940, 1, 1)
    cli(s, "--price", "50", "--date", first.isoformat())
    cli(s, "--add", "1", "--date", first.isoformat())
    path = os.path.join(s.home, "years.csv")
    days = 0
    with open(path, "w") as out:
        out.write("day,product,litres,price,amount,note\n")
        day = first
        while day <= TODAY:
            out.write(f"{day},Milk,1.5,56.50,,\n{day},Curd,0.5,80,,\n{day},Buffalo milk,1,70,,\n")
            day += datetime.timedelta(days=1)
            days += 1
    app = s.start()
    app.click(app.find("push button", "Main Menu"))
    app.click(app.find("menu item", "Import…"))
    chooser = app.wait_window(lambda w: w.name == "Import Milk Records", 10, "the file chooser")
    app.type(path, window=chooser)
    app.key("Return", window=chooser)
    # GTK 4.8 does not tell AT-SPI when a widget in an overlay is shown.
    bar = app.find("progress bar", "Importing years.csv", timeout=15, showing=False)
    # Each value is read from the app through AT-SPI: an app busy with the
    # import in its UI thread would answer only once it had finished.
    seen = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(w.name == "Import Finished" for w in app.windows()):
        try:
            value = bar.queryValue().currentValue
        except GLib.Error:
            break
        if 0 < value < 1:
            seen.add(round(value, 3))
        time.sleep(0.05)
    check(len(seen) >= 2, f"the progress bar showed {sorted(seen)} while the import ran")
    report = app.wait_window(lambda w: w.name == "Import Finished", 30, "the import's report")
    screenshot(s, "import-report")
    text = " ".join(a.name for a in app.find_all("label", None, within=report))
    check(f"{3 * days} entries imported" in text, f"the report says {text!r}")
    app.click(app.find("push button", button_named("Close"), within=report))
    cell(app, TODAY, "Milk 1.5 L, Curd 0.5 L, Buffalo milk 1 L")
    check(recorded(s, first) != [], f"--month does not list {first}")

    # And back out again, as a file of the same days.
    app.click(app.find("push button", "Main Menu"))
    app.click(app.find("menu item", "Export as CSV…"))
    chooser = app.wait_window(lambda w: w.name == "Export Entries", 10, "the file chooser")
    out = os.path.join(s.home, "again.csv")
    app.key("ctrl+a", window=chooser)
    app.type(out, window=chooser)
    app.key("Return", window=chooser)
    app.find("label", "Saved the diary as again.csv", shallow_first=True, timeout=30)
    with open(out) as f:
        lines = f.read().split("\n")
    check(lines[0].strip() == "day,product,litres,price,amount,note", f"the export begins {lines[0]!r}")
    check(f"{first},Milk,1.5,56.50,84.75," in lines, f"the export lacks {first}'s Milk: {lines[:4]}")
    check(f"{TODAY},Curd,0.5,80.00,40.00," in lines, "the export lacks today's Curd")


@suite.flow("Preferences: removing a price that past days used asks first; Ctrl+Z brings it back")
def price_remove_undo(s):
    this_month = TODAY.replace(day=1)
    cli(s, "--price", "50", "--date", this_month.isoformat())
    cli(s, "--price", "60", "--date", TODAY.isoformat())
    cli(s, "--add", "2", "--date", TODAY.isoformat())
    app = s.start()
    wait_for(lambda: bill_value(app, "Amount") == "₹120.00", 10, "₹120.00 at 60 a litre")
    prefs = open_preferences(app)
    app.click(app.find("page tab", "Products", within=prefs))
    app.click(app.find("list item", "Milk", within=prefs))
    app.click(app.find("list item", "Price Schedule", within=prefs))
    # Latest first: the price from today, which today's 2 L used.
    app.click(app.find("push button", "Remove Price Change", within=prefs))
    dialog = app.wait_window(lambda w: w.getRoleName() == "dialog" and w.name == "Change Past Bills?",
                             10, "the Change Past Bills? question")
    screenshot(s, "price-remove-asks")
    app.click(app.find("push button", button_named("Remove Price"), within=dialog))
    wait_for(lambda: bill_value(app, "Amount") == "₹100.00", 10, "₹100.00 at 50 a litre")
    # Ctrl+Z, as in the calendar: the toast's five seconds may be over by now.
    app.key("ctrl+z", window=prefs)
    wait_for(lambda: bill_value(app, "Amount") == "₹120.00", 10, "₹120.00 again after Undo")
    check("₹120.00" in cli(s, "--month", TODAY.strftime("%Y-%m")), "--month does not say ₹120.00 after Undo")


sys.exit(suite.run())
