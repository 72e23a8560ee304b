#!/bin/sh
# check-translations.sh — every language in LINGUAS compiles cleanly and is
# complete against the strings in the sources now: no untranslated and no
# fuzzy message (TAP output).
#
# Copyright 2026 The Milk Diary authors
# SPDX-License-Identifier: GPL-3.0-or-later
podir="$1"
srcdir="$podir/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The same extraction as meson's glib preset.
xgettext --directory="$srcdir" --files-from="$podir/POTFILES.in" --output="$tmp/fresh.pot" \
  --from-code=UTF-8 --add-comments --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
  --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
  --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
  --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format 2>"$tmp/xgettext.log" || {
  echo "1..1"; echo "not ok 1 - xgettext failed: $(cat "$tmp/xgettext.log")"; exit 1; }

langs=$(grep -v '^#' "$podir/LINGUAS")
echo "1..$(echo "$langs" | wc -w)"
n=0
status=0
for lang in $langs; do
  n=$((n + 1))
  msgmerge --quiet --no-fuzzy-matching "$podir/$lang.po" "$tmp/fresh.pot" -o "$tmp/$lang.po"
  stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$tmp/$lang.po" 2>&1)
  if [ $? -ne 0 ] || echo "$stats" | grep -Eq 'untranslated|fuzzy'; then
    echo "not ok $n - $lang: $stats"
    status=1
  else
    echo "ok $n - $lang: $stats"
  fi
done
exit $status
