#!/usr/bin/env bash
# run-fuzzer.sh TARGET FUZZER SRCDIR CRASHDIR [libFuzzer options...]
#
# Runs one libFuzzer target for $MILK_FUZZ_SECONDS (default 60) seconds on
# a copy of its seed corpus (the repository is never written), after
# replaying every regression input once.  Prints one line with the
# executions done; on a crash, keeps the input in CRASHDIR and fails.
#
# Copyright 2026 The Milk Diary authors
# SPDX-License-Identifier: GPL-3.0-or-later
set -u

target="$1" fuzzer="$2" src="$3" crashes="$4"
shift 4
seconds="${MILK_FUZZ_SECONDS:-60}"
work="$(mktemp -d "${TMPDIR:-/tmp}/milk-fuzz-$target.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
cp "$src/corpus/$target"/* "$work/corpus/"
seeds="$(ls "$work/corpus" | wc -l)"

# Known crashes first: each must now pass.
regressions=()
if [ -d "$src/regressions/$target" ]; then
  for f in "$src/regressions/$target"/*; do
    case "$f" in *.md|*/\*) ;; *) regressions+=("$f") ;; esac
  done
fi
if [ ${#regressions[@]} -gt 0 ]; then
  if ! "$fuzzer" "$@" "${regressions[@]}" >"$work/regressions.log" 2>&1; then
    cat "$work/regressions.log" >&2
    echo "fuzz $target: a regression input crashes again" 
    exit 1
  fi
fi

"$fuzzer" -max_total_time="$seconds" -print_final_stats=1 -timeout=25 \
  -artifact_prefix="$work/artifacts/" "$@" "$work/corpus" >"$work/log" 2>&1
rc=$?

execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)"
rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | tail -n 1)"
after="$(ls "$work/corpus" | wc -l)"
echo "fuzz $target: ${execs:-?} executions in ${seconds} s (${rate:-?}/s), corpus $seeds -> $after inputs, ${#regressions[@]} regressions replayed"

if [ $rc -ne 0 ] || ls "$work/artifacts" | grep -q .; then
  mkdir -p "$crashes/$target"
  cp "$work/artifacts"/* "$crashes/$target/" 2>/dev/null
  grep -v '^#' "$work/log" | tail -n 60 >&2
  for a in "$work/artifacts"/*; do
    [ -f "$a" ] || continue
    echo "--- $(basename "$a") replayed with full stacks:" >&2
    ASAN_OPTIONS="fast_unwind_on_malloc=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" "$fuzzer" "$@" "$a" 2>&1 | grep -v '^INFO' | head -n 60 >&2
  done
  echo "fuzz $target: FAILED (exit $rc); the input is kept in $crashes/$target/ —"
  echo "  fix the bug and add the input to tests/fuzz/regressions/$target/"
  exit 1
fi
exit 0
