/* fuzz-csv.c — importing an entries CSV file into a diary
 *
 * One diary per process, in a temporary folder, reused by every input (a
 * new SQLite file per run would measure SQLite, not the parser).
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "milk-fuzz.h"

#include <glib/gstdio.h>
#include <stdlib.h>

#include "milk-csv.h"

static char *store_dir;

static void
remove_store_dir (void)
{
  const char *names[] = { "fuzz.db", "fuzz.db-wal", "fuzz.db-shm", "fuzz.db-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (store_dir, names[i], NULL);
      g_unlink (path);
    }
  g_rmdir (store_dir);
}

static MilkStore *
shared_store (void)
{
  static MilkStore *store;

  if (store == NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = NULL;

      store_dir = g_dir_make_tmp ("milk-fuzz-csv-XXXXXX", &error);
      g_assert_no_error (error);
      atexit (remove_store_dir);
      path = g_build_filename (store_dir, "fuzz.db", NULL);
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
  g_autoptr(MilkImportReport) planned = NULL;
  g_autoptr(MilkImportReport) report = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) plan_error = NULL;
  g_autoptr(GError) error = NULL;

  planned = milk_csv_plan_entries (store, (const char *) data, size, &records, &plan_error);
  g_assert ((planned == NULL) != (plan_error == NULL));
  if (planned)
    g_free (milk_import_report_to_string (planned));

  report = milk_csv_import_entries_data (store, (const char *) data, size, &error);
  g_assert ((report == NULL) != (error == NULL));
  if (report)
    {
      g_assert_cmpuint (report->imported + report->bad_rows + report->duplicates, <=, report->rows_read);
      g_free (milk_import_report_to_string (report));
    }
  return 0;
}
