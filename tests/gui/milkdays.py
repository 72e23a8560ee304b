# milkdays.py — what the real-input flows share: days, the diary as the
# command line sees it, and the calendar's widgets by what they say.
#
# Copyright 2026 The Milk Diary authors
# SPDX-License-Identifier: GPL-3.0-or-later

import datetime
import re
import subprocess

from milkgui import button_named, check, wait_for

TODAY = datetime.date.today()


def previous_month_day(day):
    """The day-th of the month before this one: always in the past."""
    first = TODAY.replace(day=1)
    return (first - datetime.timedelta(days=1)).replace(day=day)


def month_title(date):
    return date.strftime("%B %Y")


def cell_pattern(date, what=None):
    """A day cell's accessible name: "Saturday, 3 October: 1.5 L"."""
    head = re.escape(f"{date.strftime('%A')}, {date.day} {date.strftime('%B')}")
    if date == TODAY:
        head += ", today"
    return re.compile("^" + head + ": " + (re.escape(what) + "$" if what else ""))


def cli(suite, *args):
    out = subprocess.run([suite.binary] + list(args), env=suite.app_env, capture_output=True,
                         text=True, timeout=30)
    check(out.returncode == 0, f"milk-diary {' '.join(args)} failed: {out.stdout}{out.stderr}")
    return out.stdout


def month_report(suite, date):
    return cli(suite, "--month", date.strftime("%Y-%m"))


def recorded(suite, date):
    """The quantities --month lists for a day, e.g. ["1.5 L"], or []."""
    report = month_report(suite, date)
    return re.findall(r"^" + date.isoformat() + r"\s+\S+\s+(.+?)\s{2,}", report, re.M)


def cell(app, date, what=None, timeout=10):
    return app.find("push button", cell_pattern(date, what), timeout=timeout)


def month_label(app):
    return app.find("label", re.compile(r"^\w+ \d{4}$"))


def show_month(app, date):
    """Clicks the arrow buttons until the calendar shows date's month."""
    for _ in range(24):
        shown = datetime.datetime.strptime(month_label(app).name, "%B %Y").date()
        if (shown.year, shown.month) == (date.year, date.month):
            return
        arrow = "Previous Month" if (shown.year, shown.month) > (date.year, date.month) else "Next Month"
        app.click(app.find("push button", arrow))
        wait_for(lambda: month_label(app).name != shown.strftime("%B %Y"), 15, "the month to change")
    raise AssertionError("could not reach " + month_title(date))


def open_day(app, date):
    """Clicks a day; returns the day editor's window."""
    show_month(app, date)
    app.click(cell(app, date))
    title = re.compile(re.escape(f"{date.strftime('%A')}, {date.day} {date.strftime('%B %Y')}"))
    return app.wait_window(lambda w: title.search(w.name or ""), 10, "the day editor")


def toast_button(app, label):
    return app.find("push button", button_named(label), shallow_first=True)
