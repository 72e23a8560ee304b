/* milk-test-util.c — temporary diaries for the store tests
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "milk-test-util.h"

void
milk_test_dir_init (MilkTestDir *dir)
{
  g_autoptr(GError) error = NULL;

  dir->dir = g_dir_make_tmp ("milk-test-XXXXXX", &error);
  g_assert_no_error (error);
  dir->path = g_build_filename (dir->dir, "diary.sqlite", NULL);
}

void
milk_test_dir_clear (MilkTestDir *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir->dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *file = g_build_filename (dir->dir, name, NULL);
      g_unlink (file);
    }
  g_rmdir (dir->dir);
  g_clear_pointer (&dir->dir, g_free);
  g_clear_pointer (&dir->path, g_free);
}

MilkStore *
milk_test_store_new (MilkTestDir *dir)
{
  g_autoptr(GError) error = NULL;
  MilkStore *store = milk_store_new (dir->path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

MilkDay
milk_test_day (const char *iso)
{
  MilkDay day = milk_day_parse (iso, NULL);

  g_assert_cmpuint (day, !=, MILK_DAY_INVALID);
  return day;
}

char *
milk_test_read_file (const char *path,
                     gsize      *length)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, length, &error);
  g_assert_no_error (error);
  return contents;
}
