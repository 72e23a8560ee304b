/* fuzz-backup.c — reading a backup file, and restoring what passes
 *
 * Into one diary per process, reused by every input (milk-fuzz-store.h).
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "milk-fuzz.h"

#include "milk-backup.h"
#include "milk-fuzz-store.h"

int
milk_fuzz_one_input (const uint8_t *data,
                     size_t         size)
{
  MilkStore *store = milk_fuzz_shared_store ("backup");
  g_autoptr(MilkBackup) backup = NULL;
  g_autoptr(GError) error = NULL;

  backup = milk_backup_parse ((const char *) data, size, &error);
  g_assert ((backup == NULL) != (error == NULL));
  if (backup == NULL)
    {
      g_assert_true (error->domain == MILK_BACKUP_ERROR);
      return 0;
    }
  /* What was read and checked in full restores, whole. */
  g_free (milk_backup_describe (backup));
  if (!milk_backup_restore (store, backup, TRUE, &error))
    g_error ("A checked backup did not restore: %s", error->message);
  return 0;
}
