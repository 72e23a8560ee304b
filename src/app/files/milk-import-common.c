/* milk-import-common.c — exact decimals, reports and the import plan
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-import"

#include "config.h"

#include <inttypes.h>

#include <stdarg.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "milk-import-private.h"

G_DEFINE_QUARK (milk-import-error-quark, milk_import_error)

/* Decimals */

/* Reads what SQLite prints for a REAL ("0.5", "25.0", "1.0e-05") and what a
 * person types in a file ("56.50"): sign, digits, one point, exponent.
 * Nothing else, and never through a double. */
gboolean
_milk_decimal_from_text (const char  *text,
                         MilkDecimal *out)
{
  char all[64];
  guint n = 0, n_seen = 0;
  int exponent = 0;
  gboolean seen_point = FALSE;
  const char *p = text;

  memset (out, 0, sizeof *out);
  if (text == NULL)
    return FALSE;

  while (g_ascii_isspace (*p))
    p++;
  if (*p == '+' || *p == '-')
    out->negative = *p++ == '-';

  for (; *p; p++)
    {
      if (g_ascii_isdigit (*p))
        {
          n_seen++;
          if (n == 0 && *p == '0')
            {
              /* a leading zero: significant only for where the point is */
              if (seen_point)
                exponent--;
              continue;
            }
          if (n >= sizeof all)
            return FALSE;
          all[n++] = *p - '0';
          if (seen_point)
            exponent--;
        }
      else if (*p == '.' && !seen_point)
        seen_point = TRUE;
      else
        break;
    }
  if (n_seen == 0)
    return FALSE;

  if (*p == 'e' || *p == 'E')
    {
      gboolean negative = FALSE;
      int e = 0;
      guint e_digits = 0;

      p++;
      if (*p == '+' || *p == '-')
        negative = *p++ == '-';
      for (; g_ascii_isdigit (*p); p++)
        {
          if (++e_digits > 4)
            return FALSE;
          e = e * 10 + (*p - '0');
        }
      if (e_digits == 0)
        return FALSE;
      exponent += negative ? -e : e;
    }

  while (g_ascii_isspace (*p))
    p++;
  if (*p != '\0')
    return FALSE;

  while (n > 0 && all[n - 1] == 0)
    {
      n--;
      exponent++;
    }
  if (n > MILK_DECIMAL_MAX_DIGITS)
    return FALSE;
  if (n == 0)
    {
      out->negative = FALSE;
      return TRUE;
    }
  memcpy (out->digits, all, n);
  out->n_digits = n;
  out->exponent = exponent;
  return TRUE;
}

gboolean
_milk_decimal_is_zero (const MilkDecimal *value)
{
  return value->n_digits == 0;
}

/* Long division of the digits of a, shifted by k places, by the integer
 * significand of b: the remainder stays below 10^18, so it never leaves
 * 64 bits, and no step rounds before the last. */
gboolean
_milk_decimal_ratio (const MilkDecimal *a,
                     const MilkDecimal *b,
                     int                scale,
                     gint64             max,
                     gint64            *out,
                     gboolean          *exact)
{
  guint64 divisor = 1;
  guint64 q = 0, r = 0;
  int n = (int) a->n_digits;
  int k = scale;
  int len;
  gboolean tail_zero = TRUE, up;
  int first_tail = 0;

  if (b != NULL)
    {
      if (_milk_decimal_is_zero (b))
        return FALSE;
      divisor = 0;
      for (guint i = 0; i < b->n_digits; i++)
        divisor = divisor * 10 + (guint64) b->digits[i];
      k -= b->exponent;
    }

  if (_milk_decimal_is_zero (a))
    {
      *out = 0;
      if (exact)
        *exact = TRUE;
      return TRUE;
    }

  k += a->exponent;
  if (k > 40)
    return FALSE;   /* far beyond any bound we take */
  len = n + k;      /* digits that make the integer part of a × 10^k */

  for (int i = 0; i < len; i++)
    {
      guint64 d = i < n ? (guint64) a->digits[i] : 0;
      guint64 qd;

      r = r * 10 + d;
      qd = r / divisor;
      r %= divisor;
      if (q > ((guint64) max - qd) / 10)
        return FALSE;
      q = q * 10 + qd;
    }

  if (k < 0)
    {
      for (int i = MAX (len, 0); i < n; i++)
        if (a->digits[i] != 0)
          tail_zero = FALSE;
      first_tail = len >= 0 ? a->digits[len] : 0;
    }

  if (2 * r >= divisor)
    up = TRUE;
  else if (2 * r + 1 == divisor)
    up = first_tail >= 5;
  else
    up = FALSE;

  if (up)
    {
      if (q + 1 > (guint64) max)
        return FALSE;
      q++;
    }
  if (exact)
    *exact = r == 0 && tail_zero;
  *out = a->negative != (b != NULL && b->negative) ? -(gint64) q : (gint64) q;
  return TRUE;
}

char *
_milk_decimal_format (gint64 value,
                      guint  digits)
{
  guint64 magnitude = value < 0 ? (guint64) -(value + 1) + 1 : (guint64) value;
  guint64 unit = 1;

  for (guint i = 0; i < digits; i++)
    unit *= 10;
  if (digits == 0)
    return g_strdup_printf ("%s%" G_GUINT64_FORMAT, value < 0 ? "-" : "", magnitude);
  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%0*" G_GUINT64_FORMAT, value < 0 ? "-" : "",
                          magnitude / unit, (int) digits, magnitude % unit);
}

/* Reports */

static void
problem_free (MilkImportProblem *problem)
{
  g_free (problem->message);
  g_free (problem);
}

MilkImportReport *
milk_import_report_new (void)
{
  MilkImportReport *report = g_new0 (MilkImportReport, 1);

  report->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) problem_free);
  return report;
}

void
milk_import_report_free (MilkImportReport *report)
{
  if (report == NULL)
    return;
  g_ptr_array_unref (report->problems);
  g_free (report->currency);
  g_free (report);
}

guint
milk_import_report_get_n_written (const MilkImportReport *report)
{
  return report->entries_written + report->prices_written + report->products_written +
         report->payments_written + (report->currency_set ? 1 : 0);
}

void
_milk_import_report_add (MilkImportReport     *report,
                         MilkImportProblemKind kind,
                         gint64                row,
                         MilkDay               day,
                         const char           *format,
                         ...)
{
  MilkImportProblem *problem = g_new0 (MilkImportProblem, 1);
  va_list args;

  problem->kind = kind;
  problem->row = row;
  problem->day = day;
  va_start (args, format);
  problem->message = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (report->problems, problem);

  if (kind == MILK_IMPORT_PROBLEM_DUPLICATE)
    report->duplicates++;
  else if (kind == MILK_IMPORT_PROBLEM_BAD_DATE || kind == MILK_IMPORT_PROBLEM_BAD_VALUE)
    report->bad_rows++;
}

/* A summary for a terminal or a dialog's details. */
char *
milk_import_report_to_string (const MilkImportReport *report)
{
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, ngettext ("%u entry imported", "%u entries imported", report->imported),
                          report->imported);
  g_string_append (text, " (");
  g_string_append_printf (text, ngettext ("%u skipped day", "%u skipped days", report->skipped_days),
                          report->skipped_days);
  g_string_append (text, "), ");
  g_string_append_printf (text, ngettext ("%u price", "%u prices", report->price_changes),
                          report->price_changes);
  g_string_append (text, ", ");
  if (report->payments > 0)
    {
      g_string_append_printf (text, ngettext ("%u payment", "%u payments", report->payments),
                              report->payments);
      g_string_append (text, ", ");
    }
  g_string_append_printf (text,
                          ngettext ("%u record changed in the diary",
                                    "%u records changed in the diary",
                                    milk_import_report_get_n_written (report)),
                          milk_import_report_get_n_written (report));
  if (report->currency)
    g_string_append_printf (text, _("; currency %s"), report->currency);
  g_string_append_c (text, '\n');

  for (guint i = 0; i < report->problems->len; i++)
    {
      const MilkImportProblem *problem = g_ptr_array_index (report->problems, i);

      if (report->by_line)
        /* TRANSLATORS: "line 12: “abc” is not a quantity …" */
        g_string_append_printf (text, _("line %" PRId64 ": %s\n"), problem->row, problem->message);
      else
        /* TRANSLATORS: "row 12: the date “31-02-2025” is not a day …" */
        g_string_append_printf (text, _("row %" PRId64 ": %s\n"), problem->row, problem->message);
    }
  return g_string_free (text, FALSE);
}

/* Plans */

void
_milk_import_row_clear (MilkImportRow *row)
{
  g_clear_pointer (&row->note, g_free);
}

static MilkRecord *
price_record (const char *product,
              MilkDay     day,
              gint64      price)
{
  MilkRecord *record = milk_record_new (MILK_RECORD_PRICE);

  record->id = g_strdup (product);
  record->day = day;
  record->price_per_l = price;
  return record;
}

/* Whether the diary's day already has the deliveries the row gives; a
 * source that does not tell them leaves the day's as they are. */
static gboolean
same_split (const MilkRecord    *have,
            const MilkImportRow *row)
{
  if (!row->knows_split)
    return TRUE;
  if (row->has_split != milk_entry_is_split (have))
    return FALSE;
  return !row->has_split ||
         (have->morning_ml == row->morning_ml && have->evening_ml == row->evening_ml);
}

/* Only what differs is written, so importing the same source twice writes
 * nothing the second time and wakes no sync. A price goes in where the
 * schedule (the diary's, plus what this import adds) would price a day
 * otherwise; the first one from the source's first day, as the old app's
 * "recalculate all records" meant. */
/* With @stated, the source states its price changes itself (a CSV file
 * with a prices section, already planned into @stated): a row priced
 * otherwise than the schedule was an override of that day's price, and
 * stays one; no price is derived from the rows. */
gboolean
_milk_import_plan_product (MilkStore         *store,
                           const char        *product,
                           GArray            *rows,
                           MilkPriceSchedule *stated,
                           GPtrArray         *records,
                           MilkImportReport  *report,
                           GError           **error)
{
  g_autoptr(MilkPriceSchedule) schedule = NULL;
  g_autoptr(GPtrArray) existing = NULL;
  g_autoptr(GHashTable) by_day = g_hash_table_new (NULL, NULL);
  MilkDay first_day;
  gboolean priced_yet = FALSE;
  gint64 previous_price = MILK_NO_PRICE;

  if (rows->len == 0)
    return TRUE;

  schedule = milk_store_get_price_schedule (store, product, error);
  if (schedule == NULL)
    return FALSE;
  first_day = g_array_index (rows, MilkImportRow, 0).day;
  existing = milk_store_list_entries (store, first_day,
                                      g_array_index (rows, MilkImportRow, rows->len - 1).day,
                                      error);
  if (existing == NULL)
    return FALSE;
  for (guint i = 0; i < existing->len; i++)
    {
      MilkRecord *entry = g_ptr_array_index (existing, i);

      if (g_strcmp0 (entry->id, product) == 0)
        g_hash_table_insert (by_day, GUINT_TO_POINTER (entry->day), entry);
    }

  for (guint i = 0; i < rows->len; i++)
    {
      const MilkImportRow *row = &g_array_index (rows, MilkImportRow, i);
      MilkRecord *have = g_hash_table_lookup (by_day, GUINT_TO_POINTER (row->day));
      MilkRecord *entry;

      report->imported++;
      if (row->qty_ml == 0)
        report->skipped_days++;

      gint64 override = MILK_NO_PRICE;

      if (stated != NULL)
        override = row->price != MILK_NO_PRICE && row->price != milk_price_schedule_lookup (stated, row->day)
                   ? row->price : MILK_NO_PRICE;
      else if (row->price != MILK_NO_PRICE)
        {
          if (row->price != previous_price)
            report->price_changes++;
          previous_price = row->price;

          if (!priced_yet && milk_price_schedule_lookup (schedule, first_day) != row->price &&
              milk_price_schedule_lookup (schedule, row->day) != row->price)
            {
              milk_price_schedule_set (schedule, first_day, row->price);
              g_ptr_array_add (records, price_record (product, first_day, row->price));
              report->prices_written++;
            }
          priced_yet = TRUE;
          if (milk_price_schedule_lookup (schedule, row->day) != row->price)
            {
              milk_price_schedule_set (schedule, row->day, row->price);
              g_ptr_array_add (records, price_record (product, row->day, row->price));
              report->prices_written++;
            }
        }

      if (have != NULL && have->qty_ml == row->qty_ml && same_split (have, row) &&
          have->price_override == override &&
          (row->note == NULL || g_strcmp0 (have->note, row->note) == 0))
        continue;

      entry = have ? milk_record_copy (have) : milk_record_new (MILK_RECORD_ENTRY);
      g_clear_pointer (&entry->hlc, g_free);
      if (have == NULL)
        {
          entry->id = g_strdup (product);
          entry->day = row->day;
          entry->note = g_strdup ("");
        }
      entry->qty_ml = row->qty_ml;
      if (row->has_split)
        milk_entry_set_split (entry, row->morning_ml, row->evening_ml);
      else if (entry->has_split && (row->knows_split || !milk_entry_is_split (entry)))
        {
          /* One delivery, or parts the new quantity leaves behind. */
          entry->has_split = FALSE;
          entry->morning_ml = entry->evening_ml = 0;
        }
      entry->price_override = override;
      if (row->note != NULL)
        {
          g_free (entry->note);
          entry->note = g_strdup (row->note);
        }
      g_ptr_array_add (records, entry);
      report->entries_written++;
    }
  return TRUE;
}
