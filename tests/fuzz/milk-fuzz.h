/* milk-fuzz.h — one entry point per fuzz target
 *
 * Each fuzz-<target>.c defines milk_fuzz_one_input.  Linked with
 * libfuzzer-main.c (clang, -fsanitize=fuzzer) it is a libFuzzer target;
 * linked with test-fuzz-corpus.c (any compiler) it is a g_test that runs
 * every file of tests/fuzz/corpus/<target>/ and regressions/<target>/.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

int  milk_fuzz_one_input (const uint8_t *data,
                          size_t         size);

/* Messages are noise at millions of runs a minute, but a critical or an
 * error is a bug: abort, so that the fuzzer and the corpus test see it. */
void milk_fuzz_quiet_logs (void);
