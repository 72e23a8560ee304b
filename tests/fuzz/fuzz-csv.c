/* fuzz-csv.c — importing an entries CSV file into a diary
 *
 * Into one diary per process, reused by every input (milk-fuzz-store.h).
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "milk-fuzz.h"

#include "milk-csv.h"
#include "milk-fuzz-store.h"

int
milk_fuzz_one_input (const uint8_t *data,
                     size_t         size)
{
  MilkStore *store = milk_fuzz_shared_store ("csv");
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
