/* milk-bench.c — how fast the store answers on ten years of two products
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "milk-store.h"

typedef struct
{
  const char *name;
  const char *bar;
  double bar_ms;
  guint runs;
  double best_ms;
  double median_ms;
} Row;

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
finish_row (Row    *row,
            GArray *samples)
{
  g_array_sort (samples, compare_double);
  row->runs = samples->len;
  row->best_ms = g_array_index (samples, double, 0);
  row->median_ms = g_array_index (samples, double, samples->len / 2);
}

/* One product's daily entries over some years, a skipped day a week. */
static GPtrArray *
make_year_of_entries (const char *product,
                      int         first_year,
                      int         years)
{
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  MilkDay first = milk_day_from_ymd (first_year, 1, 1);
  MilkDay last = milk_day_from_ymd (first_year + years - 1, 12, 31);

  for (MilkDay day = first; day <= last; day++)
    {
      MilkRecord *entry = milk_record_new (MILK_RECORD_ENTRY);

      entry->id = g_strdup (product);
      entry->day = day;
      entry->qty_ml = (day % 7 == 0) ? 0 : 500 + (day % 4) * 250;
      g_ptr_array_add (records, entry);
    }
  return records;
}

/* The prices the diary is given: each product's changes on 1 January and
 * 1 July, from 2016 on. */
static gint64
price_on (gboolean buffalo,
          int      year,
          int      month)
{
  int from = month < 7 ? 1 : 7;

  return buffalo ? 6000 + (year - 2016) * 250 + from : 4000 + (year - 2016) * 200 + from;
}

/* A fresh diary at @path (whatever was there removed): the two products
 * and their prices, no entries. */
static MilkStore *
fresh_diary (const char  *path,
             char       **buffalo_id)
{
  const char *suffixes[] = { "", "-wal", "-shm" };
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkStore) store = NULL;
  g_autoptr(MilkRecord) buffalo = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      g_unlink (file);
    }
  store = milk_store_new (path, &error);
  g_assert_no_error (error);
  buffalo = milk_store_add_product (store, "Buffalo milk", 500, &error);
  g_assert_no_error (error);
  for (int y = 2016; y <= 2025; y++)
    for (int m = 1; m <= 12; m += 6)
      {
        milk_store_set_price (store, MILK_DEFAULT_PRODUCT_ID, milk_day_from_ymd (y, m, 1), price_on (FALSE, y, m), NULL);
        milk_store_set_price (store, buffalo->id, milk_day_from_ymd (y, m, 1), price_on (TRUE, y, m), NULL);
      }
  *buffalo_id = g_strdup (buffalo->id);
  return g_steal_pointer (&store);
}

/* What a span's totals must be, worked out from the entries and prices
 * given, without the store: both products have the same quantity on a
 * day, so a day is delivered or skipped for both. */
static void
expected_totals (MilkDay     first,
                 MilkDay     last,
                 MilkTotals *totals)
{
  memset (totals, 0, sizeof *totals);
  for (MilkDay day = first; day <= last; day++)
    {
      gint64 qty_ml = (day % 7 == 0) ? 0 : 500 + (day % 4) * 250;
      int year, month, dom;

      milk_day_get_ymd (day, &year, &month, &dom);
      totals->qty_ml += 2 * qty_ml;
      if (qty_ml == 0)
        {
          totals->skipped_days++;
          continue;
        }
      totals->delivered_days++;
      totals->amount += milk_amount_for_quantity (qty_ml, price_on (FALSE, year, month));
      totals->amount += milk_amount_for_quantity (qty_ml, price_on (TRUE, year, month));
    }
}

/* Loudly: a fast wrong answer is no result. */
static gboolean
check_totals (const char       *span,
              const MilkTotals *got,
              MilkDay           first,
              MilkDay           last)
{
  MilkTotals want;

  expected_totals (first, last, &want);
  if (got->qty_ml == want.qty_ml && got->amount == want.amount && got->delivered_days == want.delivered_days &&
      got->skipped_days == want.skipped_days && got->unpriced_days == 0)
    return TRUE;
  g_printerr ("WRONG %s totals: %" G_GINT64_FORMAT " ml, amount %" G_GINT64_FORMAT ", %u delivered, %u skipped, "
              "%u unpriced; expected %" G_GINT64_FORMAT " ml, amount %" G_GINT64_FORMAT ", %u delivered, "
              "%u skipped, 0 unpriced\n", span, got->qty_ml, got->amount, got->delivered_days, got->skipped_days,
              got->unpriced_days, want.qty_ml, want.amount, want.delivered_days, want.skipped_days);
  return FALSE;
}

/* The all-time figures for 2016–2025, worked out apart from this program
 * (a few lines of Python over the same days and prices); a change to the
 * data above must change them too. */
#define ALL_TIME_QTY_ML  G_GINT64_CONSTANT (5478500)
#define ALL_TIME_AMOUNT  G_GINT64_CONSTANT (32962774)

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = g_dir_make_tmp ("milk-bench-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "diary.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkStore) store = NULL;
  guint n_entries = 0;
  Row rows[] = {
    { "insert 7,306 entries (one transaction)", "< 300 ms", 300 },
    { "month totals", "< 1 ms", 1 },
    { "year totals", "< 5 ms", 5 },
    { "all-time totals (10 years x 2 products)", "< 50 ms", 50 },
  };
  gboolean right[G_N_ELEMENTS (rows)] = { TRUE, TRUE, TRUE, TRUE };
  gboolean all_ok = TRUE;
  MilkTotals totals = { 0 };

  /* Insert: both products' ten years, 7,306 entries, in one transaction;
   * five runs, each into a fresh diary that has its products and prices
   * but no entries, so every run inserts and none replaces. */
  {
    g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));

    for (int run = 0; run < 5; run++)
      {
        g_autofree char *buffalo_id = NULL;
        g_autoptr(GPtrArray) entries = NULL;
        g_autoptr(GPtrArray) buffalo_entries = NULL;
        g_autoptr(GPtrArray) stored = NULL;
        gint64 start;
        double ms;

        g_clear_object (&store);
        store = fresh_diary (path, &buffalo_id);
        if (milk_store_has_entries (store))
          g_error ("the diary for run %d is not empty", run);
        entries = make_year_of_entries (MILK_DEFAULT_PRODUCT_ID, 2016, 10);
        buffalo_entries = make_year_of_entries (buffalo_id, 2016, 10);
        for (guint i = 0; i < buffalo_entries->len; i++)
          g_ptr_array_add (entries, milk_record_copy (buffalo_entries->pdata[i]));

        start = g_get_monotonic_time ();
        if (!milk_store_put_many (store, entries, &error))
          g_error ("%s", error->message);
        ms = (g_get_monotonic_time () - start) / 1000.0;
        g_array_append_val (samples, ms);

        stored = milk_store_list_entries (store, milk_day_from_ymd (2016, 1, 1), milk_day_from_ymd (2025, 12, 31),
                                          &error);
        g_assert_no_error (error);
        if (stored->len != entries->len)
          {
            g_printerr ("WRONG insert: %u entries in the diary after inserting %u\n", stored->len, entries->len);
            right[0] = FALSE;
          }
        n_entries = entries->len;
      }
    finish_row (&rows[0], samples);
  }

  {
    g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));

    for (int i = 0; i < 240; i++)
      {
        int year = 2016 + (i / 12) % 10, month = 1 + i % 12;
        g_autofree char *span = g_strdup_printf ("%04d-%02d", year, month);
        gint64 start = g_get_monotonic_time ();
        double ms;

        milk_store_month_totals (store, year, month, &totals, NULL, NULL);
        ms = (g_get_monotonic_time () - start) / 1000.0;
        g_array_append_val (samples, ms);
        right[1] &= check_totals (span, &totals, milk_day_month_first (year, month),
                                  milk_day_month_last (year, month));
      }
    finish_row (&rows[1], samples);
  }

  {
    g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));

    for (int i = 0; i < 50; i++)
      {
        int year = 2016 + i % 10;
        g_autofree char *span = g_strdup_printf ("%04d", year);
        gint64 start = g_get_monotonic_time ();
        double ms;

        milk_store_year_totals (store, year, &totals, NULL, NULL);
        ms = (g_get_monotonic_time () - start) / 1000.0;
        g_array_append_val (samples, ms);
        right[2] &= check_totals (span, &totals, milk_day_from_ymd (year, 1, 1), milk_day_from_ymd (year, 12, 31));
      }
    finish_row (&rows[2], samples);
  }

  {
    g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));

    for (int i = 0; i < 10; i++)
      {
        gint64 start = g_get_monotonic_time ();
        double ms;

        milk_store_all_time_totals (store, &totals, NULL, NULL);
        ms = (g_get_monotonic_time () - start) / 1000.0;
        g_array_append_val (samples, ms);
        right[3] &= check_totals ("all-time", &totals, milk_day_from_ymd (2016, 1, 1),
                                  milk_day_from_ymd (2025, 12, 31));
        if (totals.qty_ml != ALL_TIME_QTY_ML || totals.amount != ALL_TIME_AMOUNT)
          {
            g_printerr ("WRONG all-time totals: %" G_GINT64_FORMAT " ml, amount %" G_GINT64_FORMAT "; known: %"
                        G_GINT64_FORMAT " ml, amount %" G_GINT64_FORMAT "\n", totals.qty_ml, totals.amount,
                        ALL_TIME_QTY_ML, ALL_TIME_AMOUNT);
            right[3] = FALSE;
          }
      }
    finish_row (&rows[3], samples);
  }

  g_print ("%-42s %6s %10s %10s  %-9s %s\n", "benchmark", "runs", "median ms", "best ms", "goal", "");
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      gboolean ok = rows[i].median_ms < rows[i].bar_ms;

      all_ok &= ok && right[i];
      g_print ("%-42s %6u %10.3f %10.3f  %-9s %s%s\n", rows[i].name, rows[i].runs, rows[i].median_ms,
               rows[i].best_ms, rows[i].bar, ok ? "ok" : "OVER", right[i] ? "" : "  WRONG RESULTS");
    }
  g_print ("(10 years x 2 products = %u entries, prices changing twice a year; each insert run on a fresh "
           "diary; every total checked: all-time %" G_GINT64_FORMAT " ml, %" G_GINT64_FORMAT " minor units)\n",
           n_entries, totals.qty_ml, totals.amount);

  g_clear_object (&store);
  {
    const char *suffixes[] = { "", "-wal", "-shm" };
    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
        g_unlink (file);
      }
    g_rmdir (dir);
  }
  return all_ok ? 0 : 1;
}
