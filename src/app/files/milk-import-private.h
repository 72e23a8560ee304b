/* milk-import-private.h — what the importers share, and tests see
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "milk-import-report.h"
#include "milk-store.h"

G_BEGIN_DECLS

/* A decimal number as text gives it: value = digits × 10^exponent, exactly.
 * Leading and trailing zeros of digits are moved out, so n_digits is the
 * count of significant digits. */
#define MILK_DECIMAL_MAX_DIGITS 18

typedef struct
{
  gboolean negative;
  guint n_digits;
  char digits[MILK_DECIMAL_MAX_DIGITS];  /* 0..9, not ASCII */
  int exponent;
} MilkDecimal;

gboolean _milk_decimal_from_text  (const char        *text,
                                   MilkDecimal       *out);
gboolean _milk_decimal_is_zero    (const MilkDecimal *value);
/* round (a / b × 10^scale), half away from zero; b NULL means 1. FALSE if
 * b is zero or the result is larger than max. *exact tells whether no
 * rounding happened. */
gboolean _milk_decimal_ratio      (const MilkDecimal *a,
                                   const MilkDecimal *b,
                                   int                scale,
                                   gint64             max,
                                   gint64            *out,
                                   gboolean          *exact);

/* "56.50" for 5650 with 2 digits, whatever the locale: for files. */
char    *_milk_decimal_format     (gint64             value,
                                   guint              digits);

typedef struct
{
  MilkDay day;
  gint64 qty_ml;
  gboolean knows_split; /* the source says whether the day came twice */
  gboolean has_split;   /* it did: morning_ml + evening_ml = qty_ml */
  gint64 morning_ml;
  gint64 evening_ml;
  gint64 price;        /* per litre; MILK_NO_PRICE when the source gives none */
  char *note;          /* NULL keeps whatever note the diary has */
  gint64 row;          /* for reports */
} MilkImportRow;

void     _milk_import_row_clear   (MilkImportRow     *row);

void     _milk_import_report_add  (MilkImportReport  *report,
                                   MilkImportProblemKind kind,
                                   gint64             row,
                                   MilkDay            day,
                                   const char        *format,
                                   ...) G_GNUC_PRINTF (5, 6);

/* Turns the rows of one product (sorted by day, one per day) into the
 * records that make the diary hold them: entries that differ from what is
 * there, and price records wherever the diary's schedule would price a day
 * differently from the source. Appends to records; counts in report. */
gboolean _milk_import_plan_product (MilkStore         *store,
                                    const char        *product,
                                    GArray            *rows,
                                    MilkPriceSchedule *stated,
                                    GPtrArray         *records,
                                    MilkImportReport  *report,
                                    GError           **error);

G_END_DECLS
