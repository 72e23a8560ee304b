#!/usr/bin/env python3
# check-manifest.py — what can be checked of the Flatpak manifests here
#
# Flathub builds io.github.milkdiary.MilkDiary.json: a git source pinned to
# a commit of this history, the sandbox holes the app needs and nothing
# more. The .Local.json twin builds the working tree with the same
# settings. Neither flatpak-builder nor the runtime is on this machine, so
# this checks the manifests against the project instead: the id, command
# and metainfo agree with what meson builds, and every permission is one
# the code uses.
#
# Usage: check-manifest.py SOURCE_ROOT
#
# Copyright 2026 The Milk Diary authors
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import os
import re
import subprocess
import sys

APP_ID = "io.github.milkdiary.MilkDiary"

# Every hole in the sandbox, and why the app needs it. File choosers, the
# browser for sign-in, the keyring, notifications, the reminder's start at
# login and the network monitor all go through portals and need none.
ALLOWED = {
    "--share=ipc": "X11's shared memory, with fallback-x11",
    "--socket=fallback-x11": "a window where there is no Wayland",
    "--socket=wayland": "the window",
    "--device=dri": "GTK's GPU renderer",
    "--share=network": "syncing with the account's service",
}
# What the GNOME runtime's libraries need beside the app's own.
# The libraries the app links, all of them in org.gnome.Platform.
RUNTIME_DEPS = {"glib-2.0", "gio-2.0", "gobject-2.0", "gio-unix-2.0", "gtk4", "libadwaita-1", "json-glib-1.0",
                "libsoup-3.0", "libsecret-1", "sqlite3", "cairo", "cairo-pdf", "pangocairo", "threads"}

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def source_ok(source, root):
    if source.get("type") != "git":
        failures.append(f"a {source.get('type')} source: Flathub builds from a pinned git source")
        return
    check(source.get("url", "").startswith("https://"), "the git source is not fetched over https")
    commit = source.get("commit", "")
    check(re.fullmatch(r"[0-9a-f]{40}", commit) is not None, f"the source is not pinned to a commit: {commit!r}")
    check("branch" not in source, "a branch moves; pin a commit (and a tag if there is one)")
    if os.path.isdir(os.path.join(root, ".git")) and commit:
        known = subprocess.run(["git", "-C", root, "merge-base", "--is-ancestor", commit, "HEAD"],
                               capture_output=True)
        check(known.returncode == 0, f"commit {commit} is not in this history")


def manifest_ok(path, root, flathub):
    with open(path, encoding="utf-8") as f:
        m = json.load(f)
    name = os.path.basename(path)
    check(m.get("id", m.get("app-id")) == APP_ID, f"{name}: the id is not {APP_ID}")
    check(m.get("runtime") == "org.gnome.Platform" and m.get("sdk") == "org.gnome.Sdk",
          f"{name}: not the GNOME runtime and SDK")
    check(re.fullmatch(r"\d+", str(m.get("runtime-version", ""))) is not None,
          f"{name}: the runtime is not a stable GNOME release")
    check(m.get("command") == "milk-diary", f"{name}: the command is not milk-diary")
    args = m.get("finish-args", [])
    for arg in args:
        check(arg in ALLOWED, f"{name}: {arg} is a hole the app does not need")
    for arg in ALLOWED:
        check(arg in args, f"{name}: without {arg}, no {ALLOWED[arg]}")
    modules = m.get("modules", [])
    check(len(modules) == 1 and isinstance(modules[0], dict), f"{name}: one module, the app (the runtime has the rest)")
    app = modules[0] if modules else {}
    check(app.get("buildsystem") == "meson", f"{name}: the app is not built with meson")
    check("-Dserver=false" in app.get("config-opts", []), f"{name}: the service would be built into the Flatpak")
    sources = app.get("sources", [])
    if flathub:
        check(len(sources) == 1, f"{name}: one source")
        for source in sources:
            source_ok(source, root)
    return m


def project_ok(root):
    with open(os.path.join(root, "meson.build"), encoding="utf-8") as f:
        top = f.read()
    version = re.search(r"version:\s*'([^']+)'", top).group(1)
    with open(os.path.join(root, "data", APP_ID + ".metainfo.xml.in"), encoding="utf-8") as f:
        metainfo = f.read()
    check(f'<release version="{version}"' in metainfo, f"the metainfo has no release {version}, meson's version")
    check(f"<launchable type=\"desktop-id\">{APP_ID}.desktop</launchable>" in metainfo,
          "the metainfo does not launch the desktop file")
    with open(os.path.join(root, "src", "app", "meson.build"), encoding="utf-8") as f:
        app_build = f.read()
    check("'milk-diary'" in app_build, "meson builds no milk-diary executable")
    builds = top + app_build
    for sub in ("src/core", "src/app"):
        for dirpath, _, files in os.walk(os.path.join(root, sub)):
            if "meson.build" in files:
                with open(os.path.join(dirpath, "meson.build"), encoding="utf-8") as f:
                    builds += f.read()
    used = set(re.findall(r"dependency\('([^']+)'", builds))
    extra = used - RUNTIME_DEPS
    check(not extra, f"the app uses {sorted(extra)}, which the manifest does not build")


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    here = os.path.join(root, "flatpak")
    flathub = manifest_ok(os.path.join(here, APP_ID + ".json"), root, True)
    local = manifest_ok(os.path.join(here, APP_ID + ".Local.json"), root, False)
    for key in ("runtime-version", "finish-args", "command"):
        check(flathub.get(key) == local.get(key), f"the two manifests differ in {key}")
    project_ok(root)
    for failure in failures:
        print(f"not ok: {failure}")
    print("the manifests hold" if not failures else f"{len(failures)} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
