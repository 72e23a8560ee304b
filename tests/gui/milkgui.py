# milkgui.py — real-input GUI tests: the built milk-diary as its own
# process in a real window under Xvfb, widgets found through the
# accessibility tree (AT-SPI), input sent as real X events through XTest
# (xdotool).
#
# Each test program runs in a D-Bus session and an X server of its own, so
# two can run at once, and so that the app is the only "Milk Diary" on its
# bus. Output is TAP: one line per flow.
#
# Copyright 2026 The Milk Diary authors
# SPDX-License-Identifier: GPL-3.0-or-later

import itertools
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

SESSION_MARK = "MILK_GUI_SESSION"


def _own_session():
    """Re-runs this program inside a D-Bus session of its own."""
    if os.environ.get(SESSION_MARK) == "1":
        return
    # The accessibility bus puts its socket in XDG_RUNTIME_DIR (or the
    # home's cache): a folder of this session's own, so that two sessions
    # never share or remove each other's.
    runtime = tempfile.mkdtemp(prefix="milk-gui-session-")
    env = dict(os.environ, **{SESSION_MARK: "1"}, XDG_RUNTIME_DIR=runtime, HOME=runtime)
    env.pop("DISPLAY", None)
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    env.pop("GNOME_KEYRING_CONTROL", None)
    # GTK 4 ignores NO_AT_BRIDGE, but keep the app's a11y on for certain.
    env.pop("NO_AT_BRIDGE", None)
    env.pop("GTK_A11Y", None)
    # TAP goes to the test runner on a descriptor of its own; what the
    # session's services print goes to stderr, not into the TAP stream.
    tap = os.dup(1)
    os.set_inheritable(tap, True)
    env["MILK_GUI_TAP_FD"] = str(tap)
    os.dup2(2, 1)
    os.execvpe("dbus-run-session", ["dbus-run-session", "--", sys.executable] + sys.argv, env)


class Failure(AssertionError):
    pass


class Skip(Exception):
    """Raised by a flow that cannot run here (a service is missing)."""


def check(condition, message):
    if not condition:
        raise Failure(message)


def wait_for(predicate, timeout=10.0, what="a condition"):
    """Polls until predicate() gives something true; returns it."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except Failure:
            raise
        except Exception as e:  # the tree changes under us; ask again
            last_error = e
        if time.monotonic() > deadline:
            extra = f" (last error: {last_error})" if last_error else ""
            raise Failure(f"timed out after {timeout:.0f} s waiting for {what}{extra}")
        time.sleep(0.05)


class Display:
    """Xvfb on a display number it picks itself."""

    def __init__(self, home, width=1280, height=1024):
        r, w = os.pipe()
        self.log = open(os.path.join(home, "xvfb.log"), "w")
        self.proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(w), "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
            pass_fds=(w,), stdout=self.log, stderr=subprocess.STDOUT)
        os.close(w)
        number = b""
        with os.fdopen(r, "rb") as f:
            while not number.endswith(b"\n"):
                chunk = f.read(1)
                if not chunk:
                    raise RuntimeError("Xvfb did not start")
                number += chunk
        self.name = ":" + number.decode().strip()
        os.environ["DISPLAY"] = self.name

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        self.log.close()


def xdo(*args):
    """One xdotool command: XTest input and X window queries."""
    out = subprocess.run(["xdotool"] + [str(a) for a in args], check=True,
                         capture_output=True, text=True, timeout=20)
    return out.stdout


def _keysym(char):
    """The X keysym of a character: Latin-1 is its own code, the rest
    Unicode keysyms (0x1000000 + code point)."""
    code = ord(char)
    return code if 0x20 <= code <= 0xff else 0x1000000 + code


def map_characters(text):
    """Puts every character of `text` that the X keyboard map lacks on a
    spare keycode of its own, and leaves it there.

    Without this xdotool types such a character by remapping a spare key,
    pressing it and mapping it back at once. GTK reads the map when it
    handles the notice of a change, so an app that is slow to handle its
    events reads the map already put back and the character is lost (seen
    in CI: Hindi typed into a search field under load). A map that stays
    put is what a person with a Hindi layout has."""
    import ctypes
    wanted = {_keysym(c) for c in text if ord(c) > 0x7e}
    if not wanted:
        return
    x11 = ctypes.CDLL("libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XGetKeyboardMapping.restype = ctypes.POINTER(ctypes.c_ulong)
    x11.XGetKeyboardMapping.argtypes = [ctypes.c_void_p, ctypes.c_ubyte, ctypes.c_int,
                                        ctypes.POINTER(ctypes.c_int)]
    x11.XChangeKeyboardMapping.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int,
                                           ctypes.POINTER(ctypes.c_ulong), ctypes.c_int]
    x11.XDisplayKeycodes.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int),
                                     ctypes.POINTER(ctypes.c_int)]
    x11.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
    x11.XFree.argtypes = [ctypes.c_void_p]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    display = x11.XOpenDisplay(None)
    if not display:
        raise Failure("cannot open the X display to map keys")
    try:
        low, high = ctypes.c_int(), ctypes.c_int()
        x11.XDisplayKeycodes(display, ctypes.byref(low), ctypes.byref(high))
        count = high.value - low.value + 1
        per = ctypes.c_int()
        syms = x11.XGetKeyboardMapping(display, low.value, count, ctypes.byref(per))
        spare = []
        for i in range(count):
            row = [syms[i * per.value + j] for j in range(per.value)]
            wanted -= set(row)
            if not any(row):
                spare.append(low.value + i)
        x11.XFree(syms)
        if len(wanted) > len(spare):
            raise Failure(f"{len(wanted)} characters to map and {len(spare)} spare keys")
        for keycode, sym in zip(reversed(spare), sorted(wanted)):
            pair = (ctypes.c_ulong * 2)(sym, sym)
            x11.XChangeKeyboardMapping(display, keycode, 2, pair, 1)
        x11.XSync(display, 0)
    finally:
        x11.XCloseDisplay(display)


class App:
    """The built milk-diary, started as a person starts it."""

    def __init__(self, suite, lang=None, extra_env=None, args=(), first_window="frame"):
        import pyatspi  # after the session and the display exist
        self.pyatspi = pyatspi
        self.suite = suite
        env = dict(suite.app_env)
        if lang:
            env.update(LANG=f"{lang}.UTF-8", LC_ALL=f"{lang}.UTF-8", LANGUAGE=lang.split("_")[0])
        if extra_env:
            env.update(extra_env)
        self.env = env
        self.log_path = os.path.join(suite.home, "app.log")
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen([suite.binary] + list(args), env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        self.root = wait_for(self._find_app, 20, "the app on the accessibility bus")
        self.window = self.wait_window(lambda w: w.getRoleName() == first_window)

    # The process ------------------------------------------------------

    def running(self):
        return self.proc.poll() is None

    def assert_running(self):
        if not self.running():
            raise Failure(f"the app exited with status {self.proc.returncode}; its log:\n"
                          + self.log_tail())

    def log_tail(self, lines=20):
        self.log.flush()
        with open(self.log_path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])

    def quit(self):
        stop_process(self.proc)
        self.log.close()

    def cli(self, *args):
        """milk-diary on the command line, on the same diary and in the
        app's language."""
        out = subprocess.run([self.suite.binary] + list(args), env=self.env, capture_output=True,
                             text=True, timeout=30)
        return out.stdout + out.stderr

    # The accessibility tree -------------------------------------------

    def _find_app(self):
        self.assert_running()
        desktop = self.pyatspi.Registry.getDesktop(0)
        for app in desktop:
            if app is not None and app.get_process_id() == self.proc.pid:
                # Names and states change under the tests: ask each time.
                from gi.repository import Atspi
                app.set_cache_mask(Atspi.Cache.NONE)
                return app
        return None

    def windows(self):
        self.assert_running()
        self.root.clear_cache()
        return [w for w in self.root if w is not None and extents(w) is not None and extents(w)[2] > 0]

    def wait_window(self, match, timeout=10, what="a window"):
        return wait_for(lambda: next((w for w in self.windows() if match(w)), None), timeout, what)

    def find(self, role=None, name=None, within=None, timeout=10, showing=True, index=0,
             shallow_first=False):
        """The index-th widget on screen with this role and name (a string
        for the exact name, a compiled pattern to search it). Each look
        stops at the match it wants. shallow_first looks level by level
        (then index counts in that order): a toast, near the top of the
        tree, is found before the calendar's deep cells are walked, in
        time to click it on a loaded machine before it times out."""
        def look():
            self.assert_running()  # a crash is said as one, not as a time-out
            if shallow_first:
                roots = [within] if within is not None else self.windows()
                found = _walk_levels(roots, role, name, showing)
            else:
                found = self.find_all(role, name, within, showing)
            return next(itertools.islice(found, index, None), None)
        what = f"{role or 'a widget'} named {name!r}" if name is not None else (role or "a widget")
        return wait_for(look, timeout, what)

    def find_all(self, role=None, name=None, within=None, showing=True):
        roots = [within] if within is not None else self.windows()
        for root in roots:
            yield from _walk(root, role, name, showing)

    def gone(self, role, name, within=None, timeout=10):
        wait_for(lambda: not list(self.find_all(role, name, within)), timeout,
                 f"{role} {name!r} to go away")

    def dump(self, out):
        """What is on screen, as AT-SPI tells it, for a failure's report."""
        def visit(acc, depth):
            e = extents(acc)
            if e is not None and (e[2] <= 0 or e[3] <= 0):
                return
            out.write(f"{'  ' * depth}[{acc.getRoleName()}] {acc.name!r} {e} {sorted(states(acc))}\n")
            for child in acc:
                if child is not None:
                    visit(child, depth + 1)
        for w in self.windows():
            visit(w, 0)

    # Input ------------------------------------------------------------

    def screen_point(self, acc, dx=0.5, dy=0.5):
        """Where on the screen a widget is: GTK 4.8 gives extents relative
        to the window's content, so add the X window's origin and the
        client-side decoration's margin."""
        x, y, w, h = extents(acc)
        check(w > 0 and h > 0, f"{acc.name!r} is not on screen")
        popover = self.popover_origin(acc)
        if popover is not None:
            return int(popover[0] + x + w * dx), int(popover[1] + y + h * dy)
        top = toplevel(acc)
        wx, wy, ox, oy = self.window_origin(top)
        return int(wx + ox + x + w * dx), int(wy + oy + y + h * dy)

    def x_windows(self):
        found = []
        for wid in xdo("search", "--onlyvisible", "--pid", self.proc.pid).split():
            geo = dict(line.split("=", 1) for line in xdo("getwindowgeometry", "--shell", wid).split())
            found.append((wid, int(geo["X"]), int(geo["Y"]), int(geo["WIDTH"]), int(geo["HEIGHT"])))
        return found

    def popover_origin(self, acc):
        """A popover (a menu, a drop-down's list, a date picker) is an X
        window of its own, exactly its size, where GTK 4.8's extents do not
        say: the offset that maps its widgets' extents to the screen."""
        windows = None
        node = acc
        while node is not None and node.parent is not None and node.parent.getRoleName() != "application":
            if node.getRoleName() in ("menu", "dialog", "panel", "window", "filler", "popup menu"):
                e = extents(node)
                if e is not None and e[2] > 0:
                    if windows is None:
                        windows = self.x_windows()
                    for wid, X, Y, W, H in windows:
                        if (W, H) == (e[2], e[3]) and xdo("getwindowname", wid).strip() != toplevel(acc).name:
                            return X - e[0], Y - e[1]
            node = node.parent
        return None

    def window_origin(self, top):
        _, _, fw, fh = extents(top)
        candidates = []
        for wid in xdo("search", "--onlyvisible", "--pid", self.proc.pid).split():
            geo = dict(line.split("=", 1) for line in xdo("getwindowgeometry", "--shell", wid).split())
            W, H = int(geo["WIDTH"]), int(geo["HEIGHT"])
            mx, my = W - fw, H - fh
            if 0 <= mx <= 200 and 0 <= my <= 200 and mx % 2 == 0 and my % 2 == 0:
                name = xdo("getwindowname", wid).strip()
                candidates.append((name == top.name, int(geo["X"]), int(geo["Y"]), mx // 2, my // 2, wid))
        check(candidates, f"no X window for {top.name!r}")
        candidates.sort(key=lambda c: not c[0])
        _, x, y, ox, oy, wid = candidates[0]
        self._last_xid = wid
        return x, y, ox, oy

    def focus_window(self, acc):
        top = toplevel(acc)
        self.window_origin(top)
        xdo("windowfocus", "--sync", self._last_xid)

    def click(self, acc, button=1, modifiers=(), dx=0.5, dy=0.5, ends_app=False):
        settled(acc)
        x, y = self.screen_point(acc, dx, dy)
        # Arrive as a hand does, with motion over the target first.
        xdo("mousemove", "--sync", x - 1, y - 1)
        time.sleep(0.05)
        xdo("mousemove", "--sync", x, y)
        time.sleep(0.05)
        for m in modifiers:
            xdo("keydown", m)
        xdo("click", button)
        for m in reversed(modifiers):
            xdo("keyup", m)
        time.sleep(0.1)
        if not ends_app:
            self.assert_running()

    def give_focus(self, window=None):
        """What a window manager does: the keyboard goes to the newest of
        the app's windows (a dialog over the main window), or to the main
        window again once the dialog has closed. The X server runs without
        one, since a reparenting window manager moves GTK 4's popovers away
        from where GTK draws them."""
        self.focus_window(window or self.windows()[-1])

    def key(self, *combos, window=None):
        """Key presses, e.g. key("ctrl+t"), to the app's front window (or
        to `window`)."""
        self.give_focus(window)
        for combo in combos:
            xdo("key", "--clearmodifiers", combo)
            time.sleep(0.05)
        time.sleep(0.1)
        self.assert_running()

    def type(self, text, window=None):
        map_characters(text)
        self.give_focus(window)
        xdo("type", "--delay", "30", text)
        time.sleep(0.1)
        self.assert_running()

    def resize(self, width, height):
        top = self.window
        self.window_origin(top)
        _, _, fw, fh = extents(top)
        geo = dict(line.split("=", 1) for line in xdo("getwindowgeometry", "--shell", self._last_xid).split())
        xdo("windowsize", "--sync", self._last_xid, width + int(geo["WIDTH"]) - fw,
            height + int(geo["HEIGHT"]) - fh)
        time.sleep(0.3)

    def crop(self, acc, margin=8):
        """The pixels of a widget as the X server shows them, with a margin:
        GTK 4.8 gives a button the extents of its content, inside its
        padding and border."""
        x, y, w, h = extents(acc)
        sx, sy = self.screen_point(acc, 0, 0)
        sx, sy, w, h = sx - margin, sy - margin, w + 2 * margin, h + 2 * margin
        # xwd reads the screen without grabbing the pointer or the
        # keyboard, which would take the focus from the app.
        xwd = subprocess.run(["xwd", "-root", "-silent"], capture_output=True, timeout=30, check=True)
        out = subprocess.run(["convert", "xwd:-", "-crop", f"{w}x{h}+{sx}+{sy}", "-depth", "8", "rgb:-"],
                             input=xwd.stdout, capture_output=True, timeout=30, check=True)
        return out.stdout

    def screenshot(self, name):
        path = os.path.join(self.suite.shots, name + ".png")
        xwd = subprocess.run(["xwd", "-root", "-silent"], capture_output=True, timeout=30)
        subprocess.run(["convert", "xwd:-", path], input=xwd.stdout, check=False, timeout=30)
        return path


def stop_process(proc):
    """Asks a process to end, and makes it if it does not."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def extents(acc):
    try:
        e = acc.queryComponent().getExtents(1)  # window coordinates
    except Exception:
        return None
    return (e.x, e.y, e.width, e.height)


def settled(acc, timeout=2.0):
    """Wait until a widget stops moving: a toast slides in and a popover
    grows, and a hand aims at where a thing is, not where it was."""
    last = extents(acc)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.08)
        now = extents(acc)
        if now == last:
            return
        last = now


def text_of(acc):
    """What an entry holds, through AT-SPI's Text interface."""
    text = acc.queryText()
    return text.getText(0, text.characterCount)


def toplevel(acc):
    node = acc
    while node.parent is not None and node.parent.getRoleName() != "application":
        node = node.parent
    return node


def states(acc):
    import pyatspi
    return {pyatspi.stateToString(s) for s in acc.getState().getStates()}


def _matches(acc, role, name):
    if role is not None and acc.getRoleName() != role:
        return False
    if name is None:
        return True
    if isinstance(name, str):
        return acc.name == name
    return name.search(acc.name or "") is not None


def _visit(acc, role, name, showing):
    """(whether acc matches, the children shown under it), or None for a
    hidden subtree (zero size) or a widget gone since its parent listed it."""
    try:
        acc.clear_cache()
        e = extents(acc)
        if showing and e is not None and (e[2] <= 0 or e[3] <= 0):
            return None
        matches = e is not None and _matches(acc, role, name)
        children = [c for c in acc if c is not None]
    except Exception:
        return None
    return matches, _shown_children(acc, e, children, showing)


def _walk(acc, role, name, showing):
    """Depth first; a hidden subtree (zero size) is skipped whole, and so
    is what an AdwSqueezer has squeezed out: GTK 4.8 keeps such a child's
    last allocation, so it still has extents. The squeezer shows its first
    child that fits in it (the last one if none does)."""
    seen = _visit(acc, role, name, showing)
    if seen is None:
        return
    if seen[0]:
        yield acc
    for child in seen[1]:
        yield from _walk(child, role, name, showing)


def _shown_children(acc, e, children, showing):
    if showing and acc.name == "AdwSqueezer" and e is not None:
        try:
            sized = [(c, extents(c)) for c in children]
        except Exception:
            return []
        sized = [(c, ce) for c, ce in sized if ce and ce[2] > 0 and ce[3] > 0]
        fitting = [c for c, ce in sized if ce[2] <= e[2] + 1]
        return fitting[:1] or [c for c, _ in sized[-1:]]
    return children


def _walk_levels(roots, role, name, showing):
    """As _walk, breadth first: every widget of one depth before the next."""
    level = list(roots)
    while level:
        below = []
        for acc in level:
            seen = _visit(acc, role, name, showing)
            if seen is None:
                continue
            if seen[0]:
                yield acc
            below.extend(seen[1])
        level = below


def button_named(label):
    """GTK 4.8 names a button with a mnemonic "_Save Save"; a pattern that
    matches either form, and only this label."""
    mnemonic = "".join("_?" + re.escape(c) for c in label)
    return re.compile(f"^(?:{mnemonic} )?{re.escape(label)}$")


class Suite:
    """A TAP test program of flows; each flow gets a fresh diary and home."""

    def __init__(self):
        _own_session()
        self.flows = []
        self.build = os.environ["G_TEST_BUILDDIR"]
        self.binary = os.environ["MILK_DIARY_BIN"]
        self.shots = os.environ.get("MILK_GUI_SHOTS") or os.path.join(self.build, "real-input-shots")
        os.makedirs(self.shots, exist_ok=True)
        self.tap = os.fdopen(int(os.environ["MILK_GUI_TAP_FD"]), "w", buffering=1)

    def flow(self, name):
        def register(fn):
            self.flows.append((name, fn))
            return fn
        return register

    def _fresh_home(self):
        self.home = tempfile.mkdtemp(prefix="milk-gui-")
        run = os.path.join(self.home, "run")
        os.makedirs(run, mode=0o700)
        self.app_env = dict(
            os.environ,
            HOME=self.home, XDG_DATA_HOME=os.path.join(self.home, "data"),
            XDG_CONFIG_HOME=os.path.join(self.home, "config"),
            XDG_CACHE_HOME=os.path.join(self.home, "cache"), XDG_RUNTIME_DIR=run,
            MILK_DIARY_PATH=os.path.join(self.home, "diary.sqlite"),
            GSETTINGS_BACKEND="memory", GSK_RENDERER="cairo", GDK_BACKEND="x11",
            G_DEBUG="fatal-criticals", LANG="C.UTF-8", LC_ALL="C.UTF-8")
        self.app_env.pop(SESSION_MARK, None)

    def keyring(self):
        """An unlocked gnome-keyring on this session's bus, in place of one
        an earlier flow had started on demand (locked, with no login
        keyring)."""
        out = subprocess.run(["gnome-keyring-daemon", "--replace", "--unlock", "--components=secrets"],
                             input="milk", capture_output=True, text=True, timeout=30).stdout
        for line in out.splitlines():
            k, _, v = line.partition("=")
            if k:
                os.environ[k] = v
                self.app_env[k] = v

    def run(self):
        display_home = tempfile.mkdtemp(prefix="milk-xvfb-")
        self.display = Display(display_home)
        only = os.environ.get("MILK_GUI_ONLY")
        flows = [(n, f) for n, f in self.flows if not only or only in n]
        print(f"1..{len(flows)}", file=self.tap)
        failed = 0
        for i, (name, fn) in enumerate(flows, 1):
            self._fresh_home()
            self.current = None
            try:
                fn(self)
                print(f"ok {i} {name}", file=self.tap)
            except Skip as e:
                print(f"ok {i} {name} # SKIP {e}", file=self.tap)
            except Exception as e:
                failed += 1
                print(f"not ok {i} {name}", file=self.tap)
                detail = "".join(traceback.format_exception(e)) if not isinstance(e, Failure) else str(e)
                # Also on stderr, which a failing test's summary shows
                # (the TAP stream is only in the full log).
                print(f"FAILED: {name}", file=sys.stderr)
                for line in detail.rstrip().splitlines():
                    print(f"# {line}", file=self.tap)
                    print(f"  {line}", file=sys.stderr)
                if self.current is not None:
                    path = self.current.screenshot(re.sub(r"\W+", "-", name))
                    print(f"# screenshot: {path}", file=self.tap)
                    try:
                        tree = path[:-4] + ".tree.txt"
                        with open(tree, "w") as f:
                            self.current.dump(f)
                        print(f"# accessibility tree: {tree}", file=self.tap)
                    except Exception:
                        pass
            finally:
                if self.current is not None:
                    self.current.quit()
                shutil.rmtree(self.home, ignore_errors=True)
        self.display.stop()
        shutil.rmtree(display_home, ignore_errors=True)
        # The session's own folder (see _own_session); its bus ends with us.
        runtime = os.environ.get("XDG_RUNTIME_DIR", "")
        if os.path.basename(runtime).startswith("milk-gui-session-"):
            shutil.rmtree(runtime, ignore_errors=True)
        return 1 if failed else 0

    def start(self, **kwargs):
        self.current = App(self, **kwargs)
        return self.current
