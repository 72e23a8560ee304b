/* fuzz-legacy.c — opening a Home Milk Calculator database that may be
 * anything: truncated, corrupt, or a crafted SQLite file
 *
 * The input is written to a file of its own and opened as the legacy
 * importer opens a file someone chose; its users are listed and the
 * first one is imported into a diary reused by every input.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "milk-fuzz.h"

#include "milk-fuzz-store.h"
#include "milk-legacy-import.h"

int
milk_fuzz_one_input (const uint8_t *data,
                     size_t         size)
{
  MilkStore *store = milk_fuzz_shared_store ("legacy");
  g_autofree char *legacy_path = g_build_filename (milk_fuzz_work_dir (), "legacy.db", NULL);
  g_autoptr(MilkLegacyDb) db = NULL;
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(GError) error = NULL;

  milk_fuzz_remove_database (milk_fuzz_work_dir (), "legacy.db");
  if (!g_file_set_contents (legacy_path, (const char *) data, size, &error))
    g_error ("%s", error->message);

  db = milk_legacy_db_open (legacy_path, &error);
  g_assert ((db == NULL) != (error == NULL));
  if (db == NULL)
    return 0;

  users = milk_legacy_db_list_users (db, &error);
  g_assert ((users == NULL) != (error == NULL));
  g_clear_error (&error);

  if (users && users->len > 0)
    {
      MilkLegacyUser *user = g_ptr_array_index (users, 0);
      gint64 user_id = milk_legacy_db_get_shape (db) == MILK_LEGACY_SHAPE_SINGLE ? MILK_LEGACY_ONLY_USER : user->id;
      g_autoptr(MilkImportReport) report = NULL;

      report = milk_legacy_db_import (db, store, user_id, &error);
      g_assert ((report == NULL) != (error == NULL));
      if (report)
        g_free (milk_import_report_to_string (report));
    }
  return 0;
}
