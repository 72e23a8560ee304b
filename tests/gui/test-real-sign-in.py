#!/usr/bin/env python3
# test-real-sign-in.py — signing in to sync, as a person does it: the sync
# button's popover or the preferences, the server's address typed into
# the dialog, Enter. Without a Secret Service the app says the keyring is
# missing and the diary keeps working; with gnome-keyring, a real
# milk-diary-server on a throwaway PostgreSQL database and headless
# Chromium as the desktop's browser, the sign-in completes (a new account
# created on the server's pages) and a record made with a click reaches
# the service.
#
# Copyright 2026 The Milk Diary authors
# SPDX-License-Identifier: GPL-3.0-or-later

import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from milkdays import TODAY, cell, cli, open_day, previous_month_day, recorded
from milkgui import Failure, Skip, Suite, button_named, check, states, stop_process, text_of, wait_for

suite = Suite()

SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.environ["MILK_DIARY_BIN"])))
SERVER_BIN = os.environ.get("MILK_SERVER_BIN") or os.path.join(BUILD_ROOT, "src", "server", "milk-diary-server")
PLAYWRIGHT = os.path.join(SOURCE_ROOT, "tests", "browser", "node_modules", "playwright-core")
CHROMIUM = os.environ.get("MILK_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
NODE = shutil.which("node") or "/usr/bin/node"

# Nothing answers here: the failure comes before the server is asked.
UNREACHABLE = "http://127.0.0.1:9"
KEYRING_MESSAGE = re.compile(r"(?i)keyring is not available")


def diary_with_a_record(s):
    """A diary past its welcome page."""
    cli(s, "--price", "56.50")
    cli(s, "--add", "1", "--date", previous_month_day(3).isoformat())


# A desktop without a Secret Service ------------------------------------

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class BusWithoutSecrets:
    """A session bus with no services to start: what a desktop without
    gnome-keyring (or KeePassXC…) has. The program's own bus would start
    gnome-keyring-daemon for org.freedesktop.secrets on demand, since
    Debian installs its D-Bus service file. The app still reaches the
    accessibility bus, by its address."""

    def __init__(self, s):
        self.dir = tempfile.mkdtemp(prefix="milk-gui-bus-")
        config = os.path.join(self.dir, "bus.conf")
        with open(config, "w") as f:
            f.write(BUS_CONFIG.format(dir=self.dir))
        self.proc = subprocess.Popen(["dbus-daemon", "--config-file", config, "--nofork", "--print-address=1"],
                                     stdout=subprocess.PIPE, text=True)
        self.address = self.proc.stdout.readline().strip()
        check(self.address, "the private D-Bus daemon did not start")
        a11y = subprocess.run(["gdbus", "call", "--session", "--dest", "org.a11y.Bus", "--object-path",
                               "/org/a11y/bus", "--method", "org.a11y.Bus.GetAddress"],
                              capture_output=True, text=True, timeout=20, check=True).stdout
        a11y_address = re.search(r"'([^']+)'", a11y).group(1)
        s.app_env["DBUS_SESSION_BUS_ADDRESS"] = self.address
        s.app_env["AT_SPI_BUS_ADDRESS"] = a11y_address
        names = subprocess.run(["gdbus", "call", "--address", self.address, "--dest", "org.freedesktop.DBus",
                                "--object-path", "/org/freedesktop/DBus", "--method",
                                "org.freedesktop.DBus.ListActivatableNames"],
                               capture_output=True, text=True, timeout=20, check=True).stdout
        check("org.freedesktop.secrets" not in names, "the private bus can start a Secret Service")

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


_buses = []


def stop_buses():
    """After the app that used them has gone: Suite.run ends the app once
    the flow has returned (and shown a failure's screen)."""
    while _buses:
        _buses.pop().stop()


def without_secret_service(fn):
    def flow(s):
        stop_buses()
        _buses.append(BusWithoutSecrets(s))
        fn(s)
    return flow


# What the flows share ------------------------------------------------

def open_sync_popover(app):
    """Clicks the header's sync button; returns its popover. The button
    must not look pressed first: a popover left open behind a dialog is
    hidden, and a click would only close it."""
    button = app.find("push button", "Sync Status")
    wait_for(lambda: "expanded" not in states(button), 15, "the sync popover to be closed")
    app.click(button)
    try:
        wait_for(lambda: "expanded" in states(button), 5, "the sync popover to open")
    except Failure:
        # The header's layout changes as the button's status does (signed
        # in, syncing, signed out); under load the extents the click was
        # aimed by can be a frame old. A person clicks again: so do we,
        # at the button as it is now, and only if it is still closed.
        button = app.find("push button", "Sync Status")
        if "expanded" not in states(button):
            app.click(button)
        wait_for(lambda: "expanded" in states(button), 15, "the sync popover to open (clicked twice)")
    return app.find("filler", "GtkPopover", within=button)


def server_dialog(app):
    dialog = app.wait_window(lambda w: w.getRoleName() == "dialog" and w.name == "Sign In to Sync", 10,
                             "the Sign In to Sync dialog")
    entry = app.find("text", "Server address", within=dialog)
    check("focused" in states(entry), "the server address does not have the focus")
    return dialog, entry


def enter_server(app, address):
    """Types the address over what the dialog suggests, then Enter."""
    dialog, entry = server_dialog(app)
    app.key("ctrl+a", window=dialog)
    app.type(address, window=dialog)
    wait_for(lambda: text_of(entry) == address, 15, f"the entry to hold {address}")
    app.key("Return", window=dialog)
    app.gone("dialog", "Sign In to Sync")


def message(app, pattern, within=None, timeout=10):
    """A toast or a label that says pattern, on screen."""
    return app.find("label", pattern, within=within, timeout=timeout, shallow_first=True)


def record_today_by_keys(s, app):
    cell(app, TODAY, "not recorded")
    app.key("ctrl+t", window=app.window)
    cell(app, TODAY, "1 L")
    check(recorded(s, TODAY) == ["1 L"], f"--month says {recorded(s, TODAY)}")


def open_preferences(app):
    app.key("ctrl+comma", window=app.window)
    return app.wait_window(lambda w: w.name == "Preferences", 10, "the preferences")


def close_preferences(app, prefs):
    app.click(app.find("push button", "Close", within=prefs))
    app.gone("frame", "Preferences")


def sync_row_subtitle(app, prefs, pattern, timeout=10):
    """The Sync Server row says pattern (its subtitle, a label in it)."""
    row = app.find(None, re.compile(r"^Sync Server"), within=prefs)
    return app.find("label", pattern, within=row, timeout=timeout)


# An empty keyring that starts when asked ----------------------------

@suite.flow("the desktop's keyring, started on demand and empty: Sign In… goes on to the browser, no crash")
def empty_keyring(s):
    # The session bus starts gnome-keyring when the app asks (Debian's
    # service file); it holds no sign-in. Milk Diary before issue 12 read
    # an error that was never set here and crashed (SIGSEGV).
    diary_with_a_record(s)
    app = s.start()
    popover = open_sync_popover(app)
    app.click(app.find("push button", button_named("Sign In…"), within=popover))
    enter_server(app, UNREACHABLE)
    message(app, re.compile(r"(?i)browser|keyring"), within=app.window)
    app.assert_running()
    record_today_by_keys(s, app)


# Without a Secret Service --------------------------------------------

@suite.flow("no Secret Service: Sign In… in the sync popover says the keyring is missing; the diary works")
@without_secret_service
def no_keyring_popover(s):
    diary_with_a_record(s)
    app = s.start()
    popover = open_sync_popover(app)
    app.find("label", "On this device only", within=popover)
    app.click(app.find("push button", button_named("Sign In…"), within=popover))
    enter_server(app, UNREACHABLE)
    message(app, KEYRING_MESSAGE, within=app.window)
    app.assert_running()
    # No sign-in half under way: the popover offers Sign In… again.
    popover = open_sync_popover(app)
    app.find("label", "On this device only", within=popover)
    sign_in = app.find("push button", button_named("Sign In…"), within=popover)
    check("sensitive" in states(sign_in), "Sign In… is not available again")
    app.key("Escape", window=app.window)
    wait_for(lambda: "expanded" not in states(app.find("push button", "Sync Status")), 15,
             "the popover to close")
    record_today_by_keys(s, app)


@suite.flow("no Secret Service: Sign In… in Preferences opens the same dialog and says the keyring is missing")
@without_secret_service
def no_keyring_preferences(s):
    diary_with_a_record(s)
    app = s.start()
    prefs = open_preferences(app)
    sync_row_subtitle(app, prefs, re.compile("Not signed in"))
    sign_in = app.find("push button", button_named("Sign In…"), within=prefs)
    check("sensitive" in states(sign_in), "Preferences' Sign In… is insensitive")
    app.click(sign_in)
    enter_server(app, UNREACHABLE)
    message(app, KEYRING_MESSAGE, within=prefs)
    sync_row_subtitle(app, prefs, re.compile(r"keyring is not available"))
    app.assert_running()
    close_preferences(app, prefs)
    record_today_by_keys(s, app)


# With gnome-keyring, the service and a browser -------------------------

BROWSER = r"""
// The desktop's web browser for this flow: headless Chromium, driven by
// playwright-core as a person would use the service's pages — a
// stranger, who creates an account, then allows Milk Diary.
const fs = require('fs');
const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const { chromium } = require(config.playwright);
const url = process.argv[3];
const result = { url: url.replace(/([?&](state|code_challenge)=)[^&]+/g, '$1…') };

(async () => {
  const browser = await chromium.launch({
    executablePath: config.chromium,
    args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage();
  try {
    await page.goto(url);
    await Promise.all([page.waitForURL(/\/signup\?/), page.click('a[href^="/signup"]')]);
    await page.fill('input[name="email"]', config.email);
    await page.fill('input[name="password"]', config.password);
    await page.fill('input[name="confirm"]', config.password);
    await Promise.all([page.waitForURL(/\/oauth\/authorize\?/), page.click('button[type="submit"]')]);
    await Promise.all([page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback/),
                       page.click('button[value="allow"]')]);
    result.heading = await page.textContent('h1');
    result.ok = /^Signed In/.test(result.heading);
  } catch (e) {
    result.error = String(e.message || e).split('\n')[0];
    result.at = page.url();
  }
  if (!result.ok)
    await page.screenshot({ path: config.screenshot, fullPage: true }).catch(() => {});
  await browser.close();
  fs.writeFileSync(config.result, JSON.stringify(result));
})();
"""


def install_browser(s, email, password):
    """Registers the browser script as the desktop's http:// handler in
    the app's own XDG folders, the way GIO finds the real one; returns
    the file it writes its result to."""
    folder = os.path.join(s.home, "browser")
    os.makedirs(folder)
    script = os.path.join(folder, "sign-up.cjs")
    with open(script, "w") as f:
        f.write(BROWSER)
    result = os.path.join(folder, "result.json")
    config = os.path.join(folder, "config.json")
    with open(config, "w") as f:
        json.dump(dict(playwright=PLAYWRIGHT, chromium=CHROMIUM, email=email, password=password,
                       result=result, screenshot=os.path.join(s.shots, "sign-in-browser.png")), f)
    apps = os.path.join(s.app_env["XDG_DATA_HOME"], "applications")
    os.makedirs(apps, exist_ok=True)
    with open(os.path.join(apps, "milk-gui-browser.desktop"), "w") as f:
        f.write("[Desktop Entry]\nType=Application\nName=Milk GUI Test Browser\n"
                f"Exec={NODE} {script} {config} %u\n"
                "MimeType=x-scheme-handler/http;x-scheme-handler/https;\nNoDisplay=true\n")
    os.makedirs(s.app_env["XDG_CONFIG_HOME"], exist_ok=True)
    with open(os.path.join(s.app_env["XDG_CONFIG_HOME"], "mimeapps.list"), "w") as f:
        f.write("[Default Applications]\nx-scheme-handler/http=milk-gui-browser.desktop\n"
                "x-scheme-handler/https=milk-gui-browser.desktop\n")
    return result


class Service:
    """milk-diary-server on a database of its own in the test session's
    PostgreSQL, on a loopback port it picks."""

    def __init__(self, socket_dir):
        self.socket_dir = socket_dir
        self.database = f"milk_gui_sign_in_{os.getpid()}"
        self.psql("postgres", f"DROP DATABASE IF EXISTS {self.database}")
        # As deployed: the owner role migrates, the service logs in as a
        # role that is no superuser and owns nothing (roles are the
        # cluster's: another test may have made them).
        for role in ("milk_owner", "milk_service"):
            self.psql("postgres", f"DO $$ BEGIN CREATE ROLE {role} LOGIN; "
                                  "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$")
        self.psql("postgres", f"CREATE DATABASE {self.database} OWNER milk_owner")
        env = dict(os.environ,
                   DATABASE_URL=f"postgresql://milk_service@/{self.database}?host={socket_dir}",
                   MILK_MIGRATE_DATABASE_URL=f"postgresql://milk_owner@/{self.database}?host={socket_dir}")
        env.pop("MILK_BASE_URL", None)
        self.proc = subprocess.Popen([SERVER_BIN, "serve", "--listen", "127.0.0.1:0"], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.log = []
        self.url = None
        self.ready = threading.Event()
        threading.Thread(target=self._read_log, daemon=True).start()
        self.ready.wait(20)
        check(self.url, "the sync service did not start:\n" + "".join(self.log[-20:]))

    def _read_log(self):
        for line in self.proc.stderr:
            self.log.append(line)
            found = re.search(r"listening on (\S+)", line)
            if found and self.url is None:
                self.url = found.group(1).rstrip("/")
                self.ready.set()
        self.ready.set()

    def psql(self, database, sql):
        out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", self.socket_dir,
                              "-U", "postgres", "-d", database, "-c", sql],
                             capture_output=True, text=True, timeout=30)
        check(out.returncode == 0, f"psql {sql!r}: {out.stderr}")
        return out.stdout

    def entries(self, email):
        """The account's live day records on the service: (key, body)."""
        rows = self.psql(self.database,
                         "SELECT r.key || ' ' || r.body FROM records r JOIN accounts a ON a.id = r.account_id "
                         f"WHERE a.email = '{email}' AND r.type = 'entry' AND NOT r.deleted ORDER BY r.key")
        return rows.splitlines()

    def edit_from_another_device(self, email, day, qty_ml):
        """A version of the day's entry from another device, stamped an
        hour ahead, stored as the service stores a push: the next sequence
        number of the account, so the app pulls it."""
        key = [e.split(" ", 1) for e in self.entries(email) if day.isoformat() in e][0]
        body = json.loads(key[1])
        hlc = f"{int(time.time() * 1000) + 3600 * 1000:013d}-0000-00000000000000ee"
        body["hlc"] = hlc
        body["data"]["qty_ml"] = qty_ml
        text = json.dumps(body).replace("'", "''")
        self.psql(self.database,
                  "WITH a AS (SELECT id FROM accounts WHERE email = '" + email + "'), "
                  "c AS (UPDATE sync_counters SET seq = seq + 1 WHERE account_id = (SELECT id FROM a) "
                  "RETURNING seq) "
                  f"UPDATE records SET hlc = '{hlc}', node = '00000000000000ee', seq = (SELECT seq FROM c), "
                  f"body = '{text}' WHERE account_id = (SELECT id FROM a) AND type = 'entry' "
                  f"AND key = '{key[0]}'")

    def stop(self):
        stop_process(self.proc)
        self.psql("postgres", f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")


@suite.flow("gnome-keyring and the service: sign up in the browser, signed in, a clicked record syncs")
def sign_in_and_sync(s):
    socket_dir = os.environ.get("MILK_TEST_PG_SOCKET_DIR")
    if not socket_dir:
        raise Skip("no PostgreSQL (MILK_TEST_PG_SOCKET_DIR is unset; build-aux/dev test starts one)")
    if not os.access(SERVER_BIN, os.X_OK):
        raise Skip(f"no sync service at {SERVER_BIN} (configure with -Dserver=true)")
    if not (os.access(NODE, os.X_OK) and os.access(CHROMIUM, os.X_OK) and os.path.isdir(PLAYWRIGHT)):
        raise Skip("no node, chromium or playwright-core (build-aux/dev test installs them)")
    s.keyring()
    service = Service(socket_dir)
    try:
        email = f"gui-{os.getpid()}@example.org"
        result = install_browser(s, email, "a gui password")
        diary_with_a_record(s)
        app = s.start()
        popover = open_sync_popover(app)
        app.click(app.find("push button", button_named("Sign In…"), within=popover))
        enter_server(app, service.url)

        def browser_done():
            if os.path.exists(result):
                with open(result) as f:
                    return json.load(f)
            return None
        outcome = wait_for(browser_done, 30, "the browser to finish the sign-in")
        check(outcome.get("ok"), f"the browser's sign-in failed: {outcome}; "
              f"the service's log:\n{''.join(service.log[-10:])}")
        message(app, "Signed in; syncing your diary", within=app.window)

        # What the person sees: the popover says it is synced, the
        # preferences say where it is signed in.
        popover = open_sync_popover(app)
        app.find("label", "Synced", within=popover, timeout=15)
        app.find("push button", button_named("Sign Out…"), within=popover)
        app.key("Escape", window=app.window)
        prefs = open_preferences(app)
        sync_row_subtitle(app, prefs, "Signed in to " + service.url)
        close_preferences(app, prefs)

        # The day recorded before signing in went to the account too.
        day = previous_month_day(3)
        wait_for(lambda: any(day.isoformat() in e for e in service.entries(email)), 15,
                 f"{day} on the service")
        # A record made with a click reaches the service.
        cell(app, TODAY, "not recorded")
        app.click(app.find("push button", button_named("Record Today")))
        cell(app, TODAY, "1 L")
        today = wait_for(lambda: [e for e in service.entries(email) if TODAY.isoformat() in e], 20,
                         "today's record on the service")
        check(re.search(r'"qty_ml"\s*:\s*1000\b', today[0]), f"the service holds {today[0]}")
        popover = open_sync_popover(app)
        app.find("label", "Synced", within=popover, timeout=15)
        app.find("label", re.compile("^Last synced at"), within=popover, timeout=15)
        app.key("Escape", window=app.window)

        # Another device recorded 2 L for today, stamped later, and reached
        # the service first. This device's 3 L, typed now, loses: the day
        # shows 2 L, and the popover says what replaced what (issue 14,
        # problem 9: before, the edit vanished without a word).
        service.edit_from_another_device(email, TODAY, 2000)
        editor = open_day(app, TODAY)
        app.key("ctrl+a", window=editor)
        app.type("3", window=editor)
        app.key("Return", window=editor)
        cell(app, TODAY, "2 L", timeout=30)
        popover = open_sync_popover(app)
        app.find("label", "Changes not kept", within=popover, timeout=15)
        app.find("label", re.compile(r"Your 3 L was replaced by 2 L from another device"), within=popover)
        if os.environ.get("MILK_GUI_SHOTS"):
            app.screenshot("sync-popover-replaced-edit")
    finally:
        if s.current is not None:
            s.current.quit()
        service.stop()



def browser_outcome(result):
    def done():
        if os.path.exists(result):
            with open(result) as f:
                return json.load(f)
        return None
    return wait_for(done, 30, "the browser to finish the sign-in")


def use_browser_as(s, email):
    """The next sign-in in the browser creates and allows this account."""
    folder = os.path.join(s.home, "browser")
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    config["email"] = email
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f)
    if os.path.exists(config["result"]):
        os.unlink(config["result"])


@suite.flow("another account: signed out keeping the diary, signed in to another account, asked; "
            "Start From the Account's Diary keeps the old diary as a file and sends nothing")
def another_account(s):
    socket_dir = os.environ.get("MILK_TEST_PG_SOCKET_DIR")
    if not socket_dir:
        raise Skip("no PostgreSQL (MILK_TEST_PG_SOCKET_DIR is unset; build-aux/dev test starts one)")
    if not os.access(SERVER_BIN, os.X_OK):
        raise Skip(f"no sync service at {SERVER_BIN} (configure with -Dserver=true)")
    if not (os.access(NODE, os.X_OK) and os.access(CHROMIUM, os.X_OK) and os.path.isdir(PLAYWRIGHT)):
        raise Skip("no node, chromium or playwright-core (build-aux/dev test installs them)")
    s.keyring()
    service = Service(socket_dir)
    try:
        first = f"gui-first-{os.getpid()}@example.org"
        second = f"gui-second-{os.getpid()}@example.org"
        result = install_browser(s, first, "a gui password")
        diary_with_a_record(s)
        day = previous_month_day(3)
        app = s.start()
        popover = open_sync_popover(app)
        app.click(app.find("push button", button_named("Sign In…"), within=popover))
        enter_server(app, service.url)
        check(browser_outcome(result).get("ok"), "the first sign-in failed")
        # (Its toast may be gone by the time the browser has closed.)
        wait_for(lambda: any(day.isoformat() in e for e in service.entries(first)), 15, f"{day} on the service")

        # Sign out, keeping the diary (the default).
        popover = open_sync_popover(app)
        app.click(app.find("push button", button_named("Sign Out…"), within=popover))
        dialog = app.wait_window(lambda w: w.getRoleName() == "dialog" and w.name == "Sign Out?", 10,
                                 "the Sign Out? dialog")
        app.click(app.find("push button", button_named("Keep Diary"), within=dialog))
        app.gone("dialog", "Sign Out?")
        popover = open_sync_popover(app)
        app.find("push button", button_named("Sign In…"), within=popover, timeout=20)
        app.key("Escape", window=app.window)
        wait_for(lambda: "expanded" not in states(app.find("push button", "Sync Status")), 15,
                 "the popover to close")

        # Another account: the question, before anything is sent.
        use_browser_as(s, second)
        popover = open_sync_popover(app)
        app.click(app.find("push button", button_named("Sign In…"), within=popover))
        enter_server(app, service.url)
        check(browser_outcome(result).get("ok"), "the second sign-in failed")
        dialog = app.wait_window(lambda w: w.getRoleName() == "dialog" and w.name == "Another Account", 20,
                                 "the Another Account question")
        start_here = app.find("push button", button_named("Start From the Account’s Diary"), within=dialog)
        time.sleep(2)   # painted, for the screenshot
        app.screenshot("another-account")
        check(service.entries(second) == [], f"sent before asking: {service.entries(second)}")
        app.click(start_here)
        message(app, re.compile("^Your diary as it was is saved as "), within=app.window, timeout=20)
        saved = [n for n in os.listdir(s.home) if n.startswith("diary-before-sign-in-")]
        check(len(saved) == 1, f"the saved diary: {os.listdir(s.home)}")
        check(recorded(s, day) == [], f"the old diary's day is still shown: {recorded(s, day)}")
        popover = open_sync_popover(app)
        app.find("label", "Synced", within=popover, timeout=15)
        app.key("Escape", window=app.window)
        check(service.entries(second) == [], f"the old diary went to the other account: {service.entries(second)}")
    finally:
        if s.current is not None:
            s.current.quit()
        service.stop()


FAKETIME_LIBRARIES = ["/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
                      "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
                      "/usr/lib/faketime/libfaketime.so.1"]


@suite.flow("a clock two days slow: signed in, started again with the computer's clock two days behind; "
            "the sync popover says so, and a day recorded then still reaches the service")
def slow_clock(s):
    socket_dir = os.environ.get("MILK_TEST_PG_SOCKET_DIR")
    if not socket_dir:
        raise Skip("no PostgreSQL (MILK_TEST_PG_SOCKET_DIR is unset; build-aux/dev test starts one)")
    if not os.access(SERVER_BIN, os.X_OK):
        raise Skip(f"no sync service at {SERVER_BIN} (configure with -Dserver=true)")
    if not (os.access(NODE, os.X_OK) and os.access(CHROMIUM, os.X_OK) and os.path.isdir(PLAYWRIGHT)):
        raise Skip("no node, chromium or playwright-core (build-aux/dev test installs them)")
    faketime = next((f for f in FAKETIME_LIBRARIES if os.path.exists(f)), None)
    check(faketime, "libfaketime is not installed (Debian: faketime); build-aux/dev test installs it")
    s.keyring()
    service = Service(socket_dir)
    try:
        email = f"gui-clock-{os.getpid()}@example.org"
        result = install_browser(s, email, "a gui password")
        diary_with_a_record(s)
        # Settings on disk, so that the second start knows the server.
        settings = {"GSETTINGS_BACKEND": "keyfile"}
        app = s.start(extra_env=settings)
        popover = open_sync_popover(app)
        app.click(app.find("push button", button_named("Sign In…"), within=popover))
        enter_server(app, service.url)
        check(browser_outcome(result).get("ok"), "the sign-in failed")
        popover = open_sync_popover(app)
        app.find("label", "Synced", within=popover, timeout=15)
        check(not list(app.find_all("label", re.compile("clock is"), within=popover)),
              "a correct clock was said to be off")
        app.key("Escape", window=app.window)
        s.current.quit()

        # The same diary, the computer's clock two days behind (the main
        # loop keeps the real monotonic clock). The app syncs as it starts.
        app = s.start(extra_env=dict(settings, LD_PRELOAD=faketime, FAKETIME="-2d",
                                     FAKETIME_DONT_FAKE_MONOTONIC="1"))
        popover = open_sync_popover(app)
        try:
            app.find("label", "Synced", within=popover, timeout=20)
            app.find("label", re.compile(r"^This computer’s clock is 2 days behind; Milk Diary corrects for it"),
                     within=popover, timeout=15)
        except Failure as e:
            shown = [label.name for label in app.find_all("label", None, within=popover)]
            raise Failure(f"{e}; the popover says {shown}; the app's log:\n{app.log_tail()}")
        if os.environ.get("MILK_GUI_SHOTS"):
            app.screenshot("sync-popover-clock-behind")
        app.key("Escape", window=app.window)

        # "Today" is two days ago on this computer; recorded with a click,
        # it reaches the service with a stamp the service takes.
        day = TODAY - datetime.timedelta(days=2)
        app.click(app.find("push button", button_named("Record Today")))
        # (The cell of the app's today says so.)
        app.find("push button", re.compile(f"^{day.strftime('%A')}, {day.day} {day.strftime('%B')}, today: 1 L$"))
        found = wait_for(lambda: [e for e in service.entries(email) if day.isoformat() in e], 20,
                         f"{day} on the service")
        check(re.search(r'"qty_ml"\s*:\s*1000\b', found[0]), f"the service holds {found[0]}")
    finally:
        if s.current is not None:
            s.current.quit()
        service.stop()


status = suite.run()
stop_buses()
sys.exit(status)
