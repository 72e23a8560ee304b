/* milk-fuzz-store.h — one diary per fuzzing process, for the targets that
 * import into one
 *
 * A new SQLite file per input would measure SQLite, not the code under test,
 * so every input of a process goes into the same diary, in a temporary
 * folder removed when the process exits.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "milk-store.h"

/* The diary, made on first use in a folder named after @target. */
MilkStore  *milk_fuzz_shared_store    (const char *target);
/* That folder, for files of the target's own (removed with it). */
const char *milk_fuzz_work_dir        (void);
/* Removes the SQLite file @base in @dir with its -wal, -shm and -journal. */
void        milk_fuzz_remove_database (const char *dir,
                                       const char *base);
