/* milk-fuzz-store.c — one diary per fuzzing process
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "milk-fuzz-store.h"

#include <glib/gstdio.h>
#include <stdlib.h>

static char *work_dir;

void
milk_fuzz_remove_database (const char *dir,
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
  g_autoptr(GDir) dir = g_dir_open (work_dir, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (work_dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (work_dir);
}

MilkStore *
milk_fuzz_shared_store (const char *target)
{
  static MilkStore *store;

  if (store == NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *template = g_strdup_printf ("milk-fuzz-%s-XXXXXX", target);
      g_autofree char *path = NULL;

      work_dir = g_dir_make_tmp (template, &error);
      g_assert_no_error (error);
      atexit (remove_work_dir);
      path = g_build_filename (work_dir, "diary.db", NULL);
      store = milk_store_new (path, &error);
      g_assert_no_error (error);
    }
  return store;
}

const char *
milk_fuzz_work_dir (void)
{
  return work_dir;
}
