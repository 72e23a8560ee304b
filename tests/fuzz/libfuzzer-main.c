/* libfuzzer-main.c — the libFuzzer entry point of a fuzz target
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "milk-fuzz.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  milk_fuzz_quiet_logs ();
  return milk_fuzz_one_input (data, size);
}
