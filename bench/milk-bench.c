/* milk-bench.c — how fast the store answers on ten years of two products
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

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

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = g_dir_make_tmp ("milk-bench-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "diary.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkStore) store = milk_store_new (path, &error);
  g_autoptr(MilkRecord) buffalo = NULL;
  g_autoptr(GPtrArray) milk_entries = NULL;
  g_autoptr(GPtrArray) buffalo_entries = NULL;
  Row rows[] = {
    { "insert 7,306 entries (one transaction)", "< 300 ms", 300 },
    { "month totals", "< 1 ms", 1 },
    { "year totals", "< 5 ms", 5 },
    { "all-time totals (10 years x 2 products)", "", 0 },
  };
  gboolean all_ok = TRUE;
  MilkTotals totals;

  g_assert_no_error (error);
  buffalo = milk_store_add_product (store, "Buffalo milk", 500, &error);
  g_assert_no_error (error);
  for (int y = 2016; y <= 2025; y++)
    for (int m = 1; m <= 12; m += 6)
      {
        milk_store_set_price (store, MILK_DEFAULT_PRODUCT_ID, milk_day_from_ymd (y, m, 1), 4000 + (y - 2016) * 200 + m, NULL);
        milk_store_set_price (store, buffalo->id, milk_day_from_ymd (y, m, 1), 6000 + (y - 2016) * 250 + m, NULL);
      }

  /* Insert: both products' ten years, 7,306 entries, in one transaction;
   * five runs, each into a diary emptied of entries first. */
  {
    g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));

    milk_entries = make_year_of_entries (MILK_DEFAULT_PRODUCT_ID, 2016, 10);
    buffalo_entries = make_year_of_entries (buffalo->id, 2016, 10);
    for (guint i = 0; i < buffalo_entries->len; i++)
      g_ptr_array_add (milk_entries, milk_record_copy (buffalo_entries->pdata[i]));

    for (int run = 0; run < 5; run++)
      {
        gint64 start;
        double ms;

        start = g_get_monotonic_time ();
        if (!milk_store_put_many (store, milk_entries, &error))
          g_error ("%s", error->message);
        ms = (g_get_monotonic_time () - start) / 1000.0;
        g_array_append_val (samples, ms);
      }
    finish_row (&rows[0], samples);
  }

  {
    g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));

    for (int i = 0; i < 240; i++)
      {
        gint64 start = g_get_monotonic_time ();
        double ms;

        milk_store_month_totals (store, 2016 + (i / 12) % 10, 1 + i % 12, &totals, NULL, NULL);
        ms = (g_get_monotonic_time () - start) / 1000.0;
        g_array_append_val (samples, ms);
      }
    finish_row (&rows[1], samples);
  }

  {
    g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));

    for (int i = 0; i < 50; i++)
      {
        gint64 start = g_get_monotonic_time ();
        double ms;

        milk_store_year_totals (store, 2016 + i % 10, &totals, NULL, NULL);
        ms = (g_get_monotonic_time () - start) / 1000.0;
        g_array_append_val (samples, ms);
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
      }
    finish_row (&rows[3], samples);
  }

  g_print ("%-42s %6s %10s %10s  %-9s %s\n", "benchmark", "runs", "median ms", "best ms", "bar", "");
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      gboolean ok = rows[i].bar_ms == 0 || rows[i].median_ms < rows[i].bar_ms;

      all_ok &= ok;
      g_print ("%-42s %6u %10.3f %10.3f  %-9s %s\n", rows[i].name, rows[i].runs, rows[i].median_ms,
               rows[i].best_ms, rows[i].bar, rows[i].bar_ms == 0 ? "" : ok ? "ok" : "SLOW");
    }
  g_print ("(10 years x 2 products = %u entries, prices changing twice a year; "
           "all-time amount %" G_GINT64_FORMAT " minor units)\n", milk_entries->len, totals.amount);

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
