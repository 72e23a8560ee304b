/* milk-csv-private.h — what the CSV file's sections share
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "milk-import-private.h"

G_BEGIN_DECLS

/* Entries' columns: the first six always written, morning and evening
 * only when a day in the file was delivered twice. */
#define MILK_CSV_SPLIT_COLUMNS ",morning,evening"

typedef enum
{
  MILK_CSV_COL_DAY,
  MILK_CSV_COL_PRODUCT,
  MILK_CSV_COL_LITRES,
  MILK_CSV_COL_PRICE,
  MILK_CSV_COL_AMOUNT,
  MILK_CSV_COL_NOTE,
  MILK_CSV_COL_MORNING,
  MILK_CSV_COL_EVENING,
  MILK_CSV_N_COLUMNS
} MilkCsvColumn;

typedef struct
{
  GPtrArray *fields;   /* of char * */
  guint line;          /* where the record starts */
  const char *error;   /* a syntax problem: the record is bad */
} MilkCsvRecord;

typedef struct
{
  MilkImportReport *report;
  GPtrArray *records;          /* new products go here first */
  GHashTable *prices;          /* "product/day" → PriceRow, from a prices section */
  GPtrArray *payments;         /* of MilkRecord, from a payments section */
  gboolean stated_prices;      /* the file has a prices section */
  guint section_columns;       /* fields in the current section's header */
  GHashTable *product_ids;     /* name or id → product id */
  GHashTable *rows;            /* product id → GArray of MilkImportRow */
  GHashTable *seen;            /* "product/day" → line of the row kept */
  guint digits;
  gint64 next_position;
} MilkCsvImport;

void        _milk_csv_append_field    (GString             *out,
                                       const char          *field,
                                       gboolean             last);
const char *_milk_csv_resolve_product (MilkCsvImport       *import,
                                       const char          *name,
                                       guint                line,
                                       MilkDay              day);

/* The entries section (milk-csv-entries.c). */
gboolean    _milk_csv_entry_columns   (const MilkCsvRecord *header,
                                       int                  columns[MILK_CSV_N_COLUMNS]);
void        _milk_csv_import_entry    (MilkCsvImport       *import,
                                       const MilkCsvRecord *record,
                                       const int            columns[MILK_CSV_N_COLUMNS],
                                       guint                n_header);

G_END_DECLS
