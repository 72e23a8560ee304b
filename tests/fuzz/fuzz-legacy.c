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

#include <glib/gstdio.h>
#include <stdlib.h>

#include "milk-legacy-import.h"

static char *work_dir;
static char *legacy_path;

static void
remove_files (const char *dir,
              const char *base)
{
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *name = g_strconcat (base, suffixes[i], NULL);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
}

static void
remove_work_dir (void)
{
  remove_files (work_dir, "legacy.db");
  remove_files (work_dir, "diary.db");
  g_rmdir (work_dir);
}

static MilkStore *
shared_store (void)
{
  static MilkStore *store;

  if (store == NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = NULL;

      work_dir = g_dir_make_tmp ("milk-fuzz-legacy-XXXXXX", &error);
      g_assert_no_error (error);
      atexit (remove_work_dir);
      legacy_path = g_build_filename (work_dir, "legacy.db", NULL);
      path = g_build_filename (work_dir, "diary.db", NULL);
      store = milk_store_new (path, &error);
      g_assert_no_error (error);
    }
  return store;
}

int
milk_fuzz_one_input (const uint8_t *data,
                     size_t         size)
{
  MilkStore *store = shared_store ();
  g_autoptr(MilkLegacyDb) db = NULL;
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(GError) error = NULL;

  remove_files (work_dir, "legacy.db");
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
