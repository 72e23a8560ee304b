/* milk-csv.h — entries and payments as CSV (RFC 4180, UTF-8), both ways
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "milk-import-report.h"
#include "milk-store.h"

G_BEGIN_DECLS

/* Columns of an entries file, in this order on export; on import they are
 * found by name in the header, only day and litres are required. Numbers
 * are written with a '.' point whatever the locale; prices and amounts in
 * the diary's currency. A file with a day delivered morning and evening
 * has two more, "morning" and "evening" (litres, empty for a day
 * delivered once). */
#define MILK_CSV_ENTRIES_HEADER  "day,product,litres,price,amount,note"
#define MILK_CSV_PAYMENTS_HEADER "day,amount,note,bill"
/* What versions before a payment named its bill wrote; still read. */
#define MILK_CSV_PAYMENTS_HEADER_V1 "day,amount,note"
#define MILK_CSV_PRICES_HEADER   "from,product,price"

char             *milk_csv_format_entries   (MilkStore     *store,
                                             MilkDay        first,
                                             MilkDay        last,
                                             gsize         *length,
                                             GError       **error);
char             *milk_csv_format_payments  (MilkStore     *store,
                                             MilkDay        first,
                                             MilkDay        last,
                                             gsize         *length,
                                             GError       **error);
char             *milk_csv_format_prices    (MilkStore     *store,
                                             gsize         *length,
                                             GError       **error);
/* The whole diary's history to a file: entries, prices and payments. */
gboolean          milk_csv_export_diary     (MilkStore     *store,
                                             const char    *path,
                                             GError       **error);
gboolean          milk_csv_export_entries   (MilkStore     *store,
                                             const char    *path,
                                             GError       **error);
gboolean          milk_csv_export_payments  (MilkStore     *store,
                                             const char    *path,
                                             GError       **error);

/* Every row is checked; good rows are imported, bad rows are reported by
 * line number and nothing of them is imported. A file without the header
 * is an error and imports nothing. A row that is a prices or payments
 * header starts that section (as milk_csv_export_diary writes them). */
MilkImportReport *milk_csv_plan_entries     (MilkStore     *store,
                                             const char    *data,
                                             gsize          length,
                                             GPtrArray    **records,
                                             GError       **error);
MilkImportReport *milk_csv_import_entries_data (MilkStore  *store,
                                             const char    *data,
                                             gsize          length,
                                             GError       **error);
MilkImportReport *milk_csv_import_entries   (MilkStore     *store,
                                             const char    *path,
                                             GError       **error);

G_END_DECLS
