/* milk-import-report.h — what an import did, and every row it could not take
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "milk-core.h"

G_BEGIN_DECLS

#define MILK_IMPORT_ERROR (milk_import_error_quark ())

typedef enum
{
  MILK_IMPORT_ERROR_NOT_LEGACY,     /* not a Home Milk Calculator database */
  MILK_IMPORT_ERROR_CHOOSE_USER,    /* several users: the caller must pick one */
  MILK_IMPORT_ERROR_NO_SUCH_USER,
  MILK_IMPORT_ERROR_BAD_HEADER,     /* a CSV file without the columns we need */
  MILK_IMPORT_ERROR_FAILED,
} MilkImportError;

typedef enum
{
  MILK_IMPORT_PROBLEM_BAD_DATE,     /* skipped */
  MILK_IMPORT_PROBLEM_BAD_VALUE,    /* skipped: quantity, price, cost, amount, note */
  MILK_IMPORT_PROBLEM_DUPLICATE,    /* skipped: another row of the same day was kept */
  MILK_IMPORT_PROBLEM_INEXACT,      /* imported, but not to the minor unit */
  MILK_IMPORT_PROBLEM_CURRENCY,     /* the source's currency is unknown; the diary's kept */
} MilkImportProblemKind;

typedef struct
{
  MilkImportProblemKind kind;
  gint64 row;          /* legacy row id, or CSV line number (the header is line 1) */
  MilkDay day;         /* MILK_DAY_INVALID when the day itself was bad */
  char *message;       /* translated, for people */
} MilkImportProblem;

typedef struct
{
  guint rows_read;       /* rows (or CSV records) looked at */
  guint imported;        /* entries the source holds after bad and duplicate rows are set aside */
  guint skipped_days;    /* of those, days recorded as "no delivery" (0 L) */
  guint price_changes;   /* prices in the source: the first one plus every change */
  guint bad_rows;        /* rows skipped as bad input */
  guint duplicates;      /* rows skipped as a second row for a day */
  guint entries_written; /* entries new to the diary or changed by this import */
  guint prices_written;  /* price records new to the diary */
  guint products_written;
  guint payments;        /* payments in the source */
  guint payments_written; /* of those, payments new to the diary */
  char *currency;        /* ISO 4217 code the prices are in */
  gboolean currency_set; /* TRUE when the import set the diary's "currency" setting */
  gboolean by_line;      /* problems name CSV lines rather than legacy row ids */
  GPtrArray *problems;   /* of MilkImportProblem, in source order */
} MilkImportReport;

GQuark            milk_import_error_quark        (void);

MilkImportReport *milk_import_report_new         (void);
void              milk_import_report_free        (MilkImportReport *report);
guint             milk_import_report_get_n_written (const MilkImportReport *report);
char             *milk_import_report_to_string   (const MilkImportReport *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MilkImportReport, milk_import_report_free)

G_END_DECLS
