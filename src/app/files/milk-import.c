/* milk-import.c — one call for "import this file", whatever it is
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-import"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "milk-import.h"

static gboolean
is_sqlite (const char *path)
{
  static const char magic[16] = "SQLite format 3";  /* with its NUL */
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, NULL);
  char head[16];
  gsize n = 0;

  if (in == NULL ||
      !g_input_stream_read_all (G_INPUT_STREAM (in), head, sizeof head, &n, NULL, NULL))
    return FALSE;
  return n == sizeof head && memcmp (head, magic, sizeof head) == 0;
}

MilkImportReport *
milk_import_file (MilkStore   *store,
                  const char  *path,
                  const char  *user_email,
                  GError     **error)
{
  g_autoptr(MilkLegacyDb) db = NULL;
  g_autoptr(GPtrArray) users = NULL;
  gint64 user_id = MILK_LEGACY_ONLY_USER;

  g_return_val_if_fail (MILK_IS_STORE (store), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  if (!is_sqlite (path))
    return milk_csv_import_entries (store, path, error);

  db = milk_legacy_db_open (path, error);
  if (db == NULL)
    return NULL;

  if (user_email != NULL && milk_legacy_db_get_shape (db) != MILK_LEGACY_SHAPE_SINGLE)
    {
      users = milk_legacy_db_list_users (db, error);
      if (users == NULL)
        return NULL;
      user_id = G_MININT64;
      for (guint i = 0; i < users->len; i++)
        {
          MilkLegacyUser *user = g_ptr_array_index (users, i);

          if (user->email && g_ascii_strcasecmp (user->email, user_email) == 0)
            user_id = user->id;
        }
      if (user_id == G_MININT64)
        {
          g_set_error (error, MILK_IMPORT_ERROR, MILK_IMPORT_ERROR_NO_SUCH_USER,
                       _("The database has no user “%s”"), user_email);
          return NULL;
        }
    }
  return milk_legacy_db_import (db, store, user_id, error);
}
