#!/usr/bin/env python3
# test-real-twice.py — milk delivered morning and evening, used with a
# mouse and a keyboard through the X server: a product made twice a day in
# Preferences, a day typed as its two deliveries, what the calendar and
# the bill then say, and Record Today.
#
# Copyright 2026 The Milk Diary authors
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from milkdays import TODAY, cell, cli, open_day, previous_month_day, recorded, show_month, toast_button
from milkgui import Suite, button_named, check, extents, states, text_of, wait_for

suite = Suite()

EVENING_ROW = "Usual in the Evening (empty for once a day)"


def diary_with(s, *days):
    """A diary at ₹50 a litre from the month before this one on."""
    cli(s, "--price", "50", "--date", previous_month_day(1).isoformat())
    for date, litres in days:
        cli(s, "--add", litres, "--date", date.isoformat())


def open_preferences(app):
    app.click(app.find("push button", "Main Menu"))
    app.click(app.find("menu item", "Preferences"))
    return app.wait_window(lambda w: w.name == "Preferences", 10, "the Preferences window")


def window_shot(app, window, name):
    """A dialog's own pixels: the X server's root image leaves the day
    editor out here, though it takes its input."""
    app.focus_window(window)
    path = os.path.join(app.suite.shots, name + ".png")
    xwd = subprocess.run(["xwd", "-id", app._last_xid, "-silent"], capture_output=True, timeout=30)
    subprocess.run(["convert", "xwd:-", path], input=xwd.stdout, check=False, timeout=30)


def cell_text(app, day_cell):
    """What a cell shows, its no-break spaces as spaces."""
    return [(a.name or "").replace("\xa0", " ") for a in app.find_all("label", None, within=day_cell)]


def bill_row_labels(app, title):
    row = app.find("list item", title)
    return [a.name for a in app.find_all("label", None, within=row)]


def make_twice_a_day(app, evening):
    """Types the usual evening litres of Milk in Preferences and applies them."""
    prefs = open_preferences(app)
    app.click(app.find("page tab", "Products", within=prefs))
    app.click(app.find("list item", "Milk", within=prefs))
    row = app.find("text", EVENING_ROW, within=prefs)
    check(text_of(row) == "", f"a product delivered once a day has an evening of {text_of(row)!r}")
    # A quantity that makes no sense is refused in place.
    app.click(row)
    app.type("lots")
    app.key("Return")
    wait_for(lambda: app.find_all("label", re.compile("(?i)not a quantity|litre|number"), within=prefs), 15,
             "the evening field to say what is wrong")
    check(recorded_product_says(app, prefs, "1 L a day · ₹50.00 a litre"), "a bad evening changed the product")
    # The row says the error in its title; the same field is typed into again.
    app.click(row)
    app.key("ctrl+a")
    app.type(evening)
    app.key("Return")
    app.find("label", re.compile(r"^1 L a day \(0\.5 L morning, 0\.5 L evening\) · ₹50\.00 a litre$"),
             within=prefs, timeout=15)
    app.screenshot("twice-preferences")
    app.key("Escape")
    app.gone("frame", "Preferences")


def recorded_product_says(app, prefs, subtitle):
    return bool(app.find_all("label", subtitle, within=prefs))


@suite.flow("twice a day: made so in Preferences, a day typed morning and evening; cell and bill show both")
def typed_morning_and_evening(s):
    once, day = previous_month_day(2), previous_month_day(5)
    diary_with(s, (once, "1"))
    app = s.start()
    make_twice_a_day(app, "0.5")

    # A day recorded once before stays one delivery.
    show_month(app, once)
    cell(app, once, "1 L")

    editor = open_day(app, day)
    morning = app.find("text", "Morning litres of Milk", within=editor)
    evening = app.find("text", "Evening litres of Milk", within=editor)
    check((text_of(morning), text_of(evening)) == ("0.5", "0.5"),
          f"an unrecorded day offers {text_of(morning)!r} + {text_of(evening)!r}, not the usual 0.5 + 0.5")
    app.click(morning)
    app.key("ctrl+a")
    app.type("1")
    app.click(evening)
    app.key("ctrl+a")
    app.type("0.75x")
    app.key("Return", window=editor)
    # Refused with a message, the editor stays open and nothing is stored.
    app.find("label", re.compile("is not a quantity"), within=editor)
    window_shot(app, editor, "twice-editor-error")
    check(recorded(s, day) == [], "a bad evening quantity changed the diary")
    # The field with the error has the focus, its text selected.
    check("focused" in states(evening), "the evening field with the error does not have the focus")
    app.type("0.75", window=editor)
    wait_for(lambda: text_of(evening) == "0.75", 15, "the evening field to say 0.75")
    window_shot(app, editor, "twice-editor")
    app.click(app.find("push button", button_named("Save"), within=editor))

    day_cell = cell(app, day, "1.75 L (morning 1 L, evening 0.75 L)")
    check("1 + 0.75 L" in cell_text(app, day_cell), f"the day's cell shows {cell_text(app, day_cell)}")
    check(recorded(s, day) == ["1 + 0.75 L"], f"--month says {recorded(s, day)}")
    wait_for(lambda: "2.75 L" in bill_row_labels(app, "Milk Delivered"), 15, "2.75 L delivered in the bill")
    labels = bill_row_labels(app, "Milk Delivered")
    check("Morning 1 L · Evening 0.75 L on 1 day" in labels, f"the bill's delivered row says {labels}")
    app.screenshot("twice-calendar")

    # Reopened, the day shows its two deliveries again.
    editor = open_day(app, day)
    check((text_of(app.find("text", "Morning litres of Milk", within=editor)),
           text_of(app.find("text", "Evening litres of Milk", within=editor))) == ("1", "0.75"),
          "the reopened editor does not show 1 and 0.75")
    app.key("Escape", window=editor)
    app.gone("frame", editor.name)

    # A phone-sized window stays narrow: the parts take two lines where
    # one does not fit, inside the cell.
    app.resize(360, 640)
    wait_for(lambda: extents(app.window)[2] <= 366, 10, "the window to be at most 366 px wide")
    day_cell = cell(app, day, "1.75 L (morning 1 L, evening 0.75 L)")
    check("1 + 0.75 L" in cell_text(app, day_cell), f"the narrow cell shows {cell_text(app, day_cell)}")
    x, _, w, _ = extents(day_cell)
    for label in app.find_all("label", None, within=day_cell):
        lx, _, lw, _ = extents(label)
        check(lx >= x - 1 and lx + lw <= x + w + 1, f"{label.name!r} does not fit its cell")
    app.screenshot("twice-calendar-narrow")


@suite.flow("twice a day: Record Today records the usual morning and evening")
def record_today_twice(s):
    diary_with(s, (previous_month_day(2), "1"))
    app = s.start()
    make_twice_a_day(app, "0.5")
    cell(app, TODAY, "not recorded")
    app.click(app.find("push button", button_named("Record Today")))
    app.find("label", "Recorded 1 L for today", shallow_first=True)
    today = cell(app, TODAY, "1 L (morning 0.5 L, evening 0.5 L)")
    check("0.5 + 0.5 L" in cell_text(app, today), f"today's cell shows {cell_text(app, today)}")
    check(recorded(s, TODAY) == ["0.5 + 0.5 L"], f"--month says {recorded(s, TODAY)}")
    app.screenshot("twice-record-today")
    # Undo takes it back whole.
    app.click(toast_button(app, "Undo"))
    cell(app, TODAY, "not recorded")

    # A quick amount fills the field clicked last: here the evening.
    editor = open_day(app, TODAY)
    morning = app.find("text", "Morning litres of Milk", within=editor)
    evening = app.find("text", "Evening litres of Milk", within=editor)
    app.click(evening)
    app.click(app.find("push button", "1.5 L", within=editor))
    wait_for(lambda: text_of(evening) == "1.5", 15, "the evening field to say 1.5")
    check(text_of(morning) == "0.5", f"the morning field says {text_of(morning)!r}")
    app.click(app.find("push button", button_named("Save"), within=editor))
    cell(app, TODAY, "2 L (morning 0.5 L, evening 1.5 L)")
    check(recorded(s, TODAY) == ["0.5 + 1.5 L"], f"--month says {recorded(s, TODAY)}")


sys.exit(suite.run())
