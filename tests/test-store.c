/* test-store.c — the local diary: entries, bills, payments, settings
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "milk-store-private.h"
#include "milk-test-util.h"

#define MILK MILK_DEFAULT_PRODUCT_ID

typedef struct
{
  MilkTestDir dir;
  MilkStore *store;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  milk_test_dir_init (&f->dir);
  f->store = milk_test_store_new (&f->dir);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->store);
  milk_test_dir_clear (&f->dir);
}

static void
set_entry (MilkStore  *store,
           const char *product,
           const char *day,
           gint64      qty_ml,
           gint64      price_override)
{
  g_autoptr(GError) error = NULL;

  milk_store_set_entry (store, product, milk_test_day (day), qty_ml, price_override, NULL, &error);
  g_assert_no_error (error);
}

static void
test_new_diary (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) products = milk_store_list_products (f->store, FALSE, NULL);
  MilkRecord *milk;
  sqlite3_stmt *stmt;

  /* A new install has one product, "Milk", and nothing to sync yet. */
  g_assert_cmpuint (products->len, ==, 1);
  milk = g_ptr_array_index (products, 0);
  g_assert_cmpstr (milk->id, ==, MILK);
  g_assert_cmpstr (milk->name, ==, "Milk");
  g_assert_cmpint (milk->default_qty_ml, ==, 1000);
  g_assert_cmpuint (milk_store_count_pending (f->store), ==, 0);
  g_assert_cmpstr (milk_currency_get_code (milk_store_get_currency (f->store)), ==, "INR");
  g_assert_cmpuint (strlen (milk_store_get_node (f->store)), ==, 16);

  stmt = _milk_store_prepare (f->store, "PRAGMA journal_mode", NULL);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
  sqlite3_reset (stmt);
  stmt = _milk_store_prepare (f->store, "PRAGMA user_version", NULL);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, MILK_STORE_SCHEMA_VERSION);
  sqlite3_reset (stmt);
}

static void
test_entry_crud (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkRecord) got = NULL;
  g_autoptr(MilkRecord) skipped = NULL;
  g_autoptr(MilkRecord) none = NULL;
  g_autoptr(MilkRecord) deleted = NULL;
  MilkDay day = milk_test_day ("2026-11-24");

  g_assert_false (milk_store_has_entries (f->store));
  g_assert_true (milk_store_set_entry (f->store, MILK, day, 1500, MILK_NO_PRICE, "two guests", &error));
  g_assert_true (milk_store_has_entries (f->store));
  g_assert_no_error (error);
  got = milk_store_get_entry (f->store, MILK, day, &error);
  g_assert_no_error (error);
  g_assert_nonnull (got);
  g_assert_cmpint (got->qty_ml, ==, 1500);
  g_assert_cmpint (got->price_override, ==, MILK_NO_PRICE);
  g_assert_cmpstr (got->note, ==, "two guests");
  g_assert_nonnull (got->hlc);

  /* "No delivery" is a record of its own, distinct from nothing recorded. */
  set_entry (f->store, MILK, "2026-11-25", 0, MILK_NO_PRICE);
  skipped = milk_store_get_entry (f->store, MILK, milk_test_day ("2026-11-25"), &error);
  g_assert_nonnull (skipped);
  g_assert_cmpint (skipped->qty_ml, ==, 0);
  none = milk_store_get_entry (f->store, MILK, milk_test_day ("2026-11-26"), &error);
  g_assert_no_error (error);
  g_assert_null (none);

  /* Overwrite, then delete. */
  set_entry (f->store, MILK, "2026-11-24", 2000, 6000);
  g_clear_pointer (&got, milk_record_free);
  got = milk_store_get_entry (f->store, MILK, day, NULL);
  g_assert_cmpint (got->qty_ml, ==, 2000);
  g_assert_cmpint (got->price_override, ==, 6000);

  g_assert_true (milk_store_delete_entry (f->store, MILK, day, &error));
  deleted = milk_store_get_entry (f->store, MILK, day, &error);
  g_assert_no_error (error);
  g_assert_null (deleted);

  /* A "no delivery" day still counts as a recorded day; deleted ones do not. */
  g_assert_true (milk_store_has_entries (f->store));
  g_assert_true (milk_store_delete_entry (f->store, MILK, milk_test_day ("2026-11-25"), &error));
  g_assert_false (milk_store_has_entries (f->store));
}

static void
test_month_entries (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) entries = NULL;

  set_entry (f->store, MILK, "2026-10-31", 1000, MILK_NO_PRICE);
  set_entry (f->store, MILK, "2026-11-30", 500, MILK_NO_PRICE);
  set_entry (f->store, MILK, "2026-11-01", 1500, MILK_NO_PRICE);
  set_entry (f->store, MILK, "2026-12-01", 1000, MILK_NO_PRICE);
  milk_store_delete_entry (f->store, MILK, milk_test_day ("2026-11-30"), NULL);
  set_entry (f->store, MILK, "2026-11-15", 0, MILK_NO_PRICE);

  entries = milk_store_list_entries (f->store, milk_day_month_first (2026, 11),
                                     milk_day_month_last (2026, 11), NULL);
  g_assert_cmpuint (entries->len, ==, 2);
  g_assert_cmpuint (((MilkRecord *) entries->pdata[0])->day, ==, milk_test_day ("2026-11-01"));
  g_assert_cmpuint (((MilkRecord *) entries->pdata[1])->day, ==, milk_test_day ("2026-11-15"));
}

static void
test_invalid_write_rejected (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  MilkRecord *good = milk_record_new (MILK_RECORD_ENTRY);
  MilkRecord *bad = milk_record_new (MILK_RECORD_ENTRY);

  g_assert_false (milk_store_set_entry (f->store, MILK, milk_test_day ("2026-11-24"),
                                        150000, MILK_NO_PRICE, NULL, &error));
  g_assert_error (error, MILK_ERROR, MILK_ERROR_INVALID_QTY);
  g_clear_error (&error);
  g_assert_false (milk_store_set_entry (f->store, "not-a-uuid", milk_test_day ("2026-11-24"),
                                        1000, MILK_NO_PRICE, NULL, &error));
  g_assert_error (error, MILK_ERROR, MILK_ERROR_INVALID_KEY);
  g_clear_error (&error);

  /* A batch is all or nothing: the good record is not kept either. */
  good->id = g_strdup (MILK);
  good->day = milk_test_day ("2026-11-01");
  good->qty_ml = 1000;
  bad->id = g_strdup (MILK);
  bad->day = milk_test_day ("2026-11-02");
  bad->qty_ml = -5;
  g_ptr_array_add (batch, good);
  g_ptr_array_add (batch, bad);
  g_assert_false (milk_store_put_many (f->store, batch, &error));
  g_assert_error (error, MILK_ERROR, MILK_ERROR_INVALID_QTY);
  g_assert_null (milk_store_get_entry (f->store, MILK, milk_test_day ("2026-11-01"), NULL));
  g_assert_cmpuint (milk_store_count_pending (f->store), ==, 0);
}

/* The bill of November 2026 worked out by hand:
 *   Milk, ₹50.00/L from 1 Oct, ₹56.50/L from 16 Nov
 *     01  1.5 L   75.00       10  0.75 L  37.50     16  1 L     56.50
 *     02  1 L     50.00       15  0.5 L at 60.00    20  0.75 L  42.375 → 42.38
 *     03  none                    override 30.00    30  0.333 L 18.8145 → 18.81
 *     = 5.833 L, ₹310.19, 7 days delivered, 1 skipped
 *   Buffalo, ₹70.00/L from 1 Nov: 05 1 L 70.00, 06 0.5 L 35.00 = 1.5 L ₹105.00
 *   Overall 7.333 L, ₹415.19 */
static char *
make_bill_diary (MilkStore *store)
{
  g_autoptr(MilkRecord) buffalo = milk_store_add_product (store, "Buffalo milk", 500, NULL);

  g_assert_nonnull (buffalo);
  g_assert_true (milk_store_set_price (store, MILK, milk_test_day ("2026-10-01"), 5000, NULL));
  g_assert_true (milk_store_set_price (store, MILK, milk_test_day ("2026-11-16"), 5650, NULL));
  g_assert_true (milk_store_set_price (store, buffalo->id, milk_test_day ("2026-11-01"), 7000, NULL));

  set_entry (store, MILK, "2026-10-31", 1000, MILK_NO_PRICE);
  set_entry (store, MILK, "2026-11-01", 1500, MILK_NO_PRICE);
  set_entry (store, MILK, "2026-11-02", 1000, MILK_NO_PRICE);
  set_entry (store, MILK, "2026-11-03", 0, MILK_NO_PRICE);
  set_entry (store, MILK, "2026-11-10", 750, MILK_NO_PRICE);
  set_entry (store, MILK, "2026-11-15", 500, 6000);
  set_entry (store, MILK, "2026-11-16", 1000, MILK_NO_PRICE);
  set_entry (store, MILK, "2026-11-20", 750, MILK_NO_PRICE);
  set_entry (store, MILK, "2026-11-30", 333, MILK_NO_PRICE);
  set_entry (store, MILK, "2026-12-01", 1000, MILK_NO_PRICE);
  set_entry (store, buffalo->id, "2026-11-05", 1000, MILK_NO_PRICE);
  set_entry (store, buffalo->id, "2026-11-06", 500, MILK_NO_PRICE);

  return g_strdup (buffalo->id);
}

static const MilkTotals *
find_line (GPtrArray  *lines,
           const char *product)
{
  for (guint i = 0; i < lines->len; i++)
    if (g_strcmp0 (((MilkTotals *) lines->pdata[i])->product, product) == 0)
      return lines->pdata[i];
  g_assert_not_reached ();
}

static void
test_month_bill (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *buffalo = make_bill_diary (f->store);
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GError) error = NULL;
  const MilkTotals *milk_line, *buffalo_line;
  MilkTotals overall;

  g_assert_true (milk_store_month_totals (f->store, 2026, 11, &overall, &lines, &error));
  g_assert_no_error (error);

  milk_line = find_line (lines, MILK);
  g_assert_cmpint (milk_line->qty_ml, ==, 5833);
  g_assert_cmpint (milk_line->amount, ==, 31019);
  g_assert_cmpuint (milk_line->delivered_days, ==, 7);
  g_assert_cmpuint (milk_line->skipped_days, ==, 1);

  buffalo_line = find_line (lines, buffalo);
  g_assert_cmpint (buffalo_line->qty_ml, ==, 1500);
  g_assert_cmpint (buffalo_line->amount, ==, 10500);
  g_assert_cmpuint (buffalo_line->delivered_days, ==, 2);

  g_assert_cmpint (overall.qty_ml, ==, 7333);
  g_assert_cmpint (overall.amount, ==, 41519);
  g_assert_cmpuint (overall.delivered_days, ==, 9);
  g_assert_cmpuint (overall.skipped_days, ==, 1);
  g_assert_cmpuint (overall.unpriced_days, ==, 0);
  g_assert_cmpint (overall.amount, ==, milk_line->amount + buffalo_line->amount);
}

/* Two products on one day make one delivery day, not two. */
static void
test_days_counted_once (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(MilkRecord) buffalo = milk_store_add_product (f->store, "Buffalo", 500, NULL);
  g_autoptr(GPtrArray) lines = NULL;
  MilkTotals overall;

  set_entry (f->store, MILK, "2026-11-01", 1000, MILK_NO_PRICE);
  set_entry (f->store, buffalo->id, "2026-11-01", 500, MILK_NO_PRICE);
  set_entry (f->store, MILK, "2026-11-02", 0, MILK_NO_PRICE);     /* one skipped, */
  set_entry (f->store, buffalo->id, "2026-11-02", 500, MILK_NO_PRICE); /* one came */
  set_entry (f->store, MILK, "2026-11-03", 0, MILK_NO_PRICE);
  set_entry (f->store, buffalo->id, "2026-11-03", 0, MILK_NO_PRICE);

  g_assert_true (milk_store_month_totals (f->store, 2026, 11, &overall, &lines, NULL));
  g_assert_cmpuint (overall.delivered_days, ==, 2);
  g_assert_cmpuint (overall.skipped_days, ==, 1);
  g_assert_cmpuint (overall.unpriced_days, ==, 2);
  g_assert_cmpint (overall.qty_ml, ==, 2000);
  g_assert_cmpuint (find_line (lines, MILK)->delivered_days, ==, 1);
  g_assert_cmpuint (find_line (lines, MILK)->skipped_days, ==, 2);
  g_assert_cmpuint (find_line (lines, buffalo->id)->delivered_days, ==, 2);
}

static void
test_year_and_all_time (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *buffalo = make_bill_diary (f->store);
  MilkTotals year, all, empty;

  set_entry (f->store, MILK, "2025-06-01", 2000, MILK_NO_PRICE); /* before any price */

  g_assert_true (milk_store_year_totals (f->store, 2026, &year, NULL, NULL));
  g_assert_cmpint (year.amount, ==, 41519 + 5000 + 5650);
  g_assert_cmpint (year.qty_ml, ==, 7333 + 2000);

  g_assert_true (milk_store_all_time_totals (f->store, &all, NULL, NULL));
  g_assert_cmpint (all.amount, ==, year.amount);
  g_assert_cmpint (all.qty_ml, ==, year.qty_ml + 2000);
  g_assert_cmpuint (all.unpriced_days, ==, 1);

  g_assert_true (milk_store_year_totals (f->store, 2024, &empty, NULL, NULL));
  g_assert_cmpint (empty.amount, ==, 0);
  g_assert_false (milk_store_month_totals (f->store, 2026, 13, &empty, NULL, NULL));
}

static void
test_price_change_keeps_past (Fixture       *f,
                              gconstpointer  data)
{
  MilkTotals before, after;

  g_assert_true (milk_store_set_price (f->store, MILK, milk_test_day ("2026-01-01"), 5000, NULL));
  set_entry (f->store, MILK, "2026-10-15", 1000, MILK_NO_PRICE);
  set_entry (f->store, MILK, "2026-11-15", 1000, MILK_NO_PRICE);
  g_assert_true (milk_store_month_totals (f->store, 2026, 10, &before, NULL, NULL));

  /* A price from 1 November changes November, not October. */
  g_assert_true (milk_store_set_price (f->store, MILK, milk_test_day ("2026-11-01"), 6000, NULL));
  g_assert_true (milk_store_month_totals (f->store, 2026, 10, &after, NULL, NULL));
  g_assert_cmpint (after.amount, ==, before.amount);
  g_assert_true (milk_store_month_totals (f->store, 2026, 11, &after, NULL, NULL));
  g_assert_cmpint (after.amount, ==, 6000);

  g_assert_true (milk_store_remove_price (f->store, MILK, milk_test_day ("2026-11-01"), NULL));
  g_assert_true (milk_store_month_totals (f->store, 2026, 11, &after, NULL, NULL));
  g_assert_cmpint (after.amount, ==, 5000);
}

static void
test_payments_balance (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *buffalo = make_bill_diary (f->store);
  g_autofree char *p1 = NULL;
  g_autofree char *p2 = NULL;
  g_autoptr(GPtrArray) november = NULL;
  g_autoptr(GError) error = NULL;
  gint64 balance, paid;

  p1 = milk_store_add_payment (f->store, milk_test_day ("2026-11-10"), 20000, "cash", &error);
  g_assert_no_error (error);
  p2 = milk_store_add_payment (f->store, milk_test_day ("2026-12-01"), 10000, NULL, &error);
  g_assert_nonnull (p2);
  g_assert_null (milk_store_add_payment (f->store, milk_test_day ("2026-12-02"), -5, NULL, &error));
  g_assert_error (error, MILK_ERROR, MILK_ERROR_INVALID_AMOUNT);

  november = milk_store_list_payments (f->store, milk_day_month_first (2026, 11),
                                       milk_day_month_last (2026, 11), NULL);
  g_assert_cmpuint (november->len, ==, 1);
  g_assert_cmpstr (((MilkRecord *) november->pdata[0])->note, ==, "cash");

  /* Owed through November: 31 Oct ₹50.00 + November ₹415.19, less ₹200 paid. */
  g_assert_true (milk_store_balance_due (f->store, milk_test_day ("2026-11-30"), &balance, NULL));
  g_assert_cmpint (balance, ==, 5000 + 41519 - 20000);

  g_assert_true (milk_store_remove_payment (f->store, p1, NULL));
  g_assert_true (milk_store_payments_total (f->store, milk_day_month_first (2026, 11),
                                            milk_day_month_last (2026, 11), &paid, NULL));
  g_assert_cmpint (paid, ==, 0);
}

static void
test_settings (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  g_assert_true (milk_store_set_setting (f->store, "currency", "JPY", &error));
  g_assert_cmpstr (milk_currency_get_code (milk_store_get_currency (f->store)), ==, "JPY");
  g_assert_false (milk_store_set_setting (f->store, "currency", "YEN", &error));
  g_assert_error (error, MILK_ERROR, MILK_ERROR_INVALID_CURRENCY);
  g_assert_cmpstr (milk_currency_get_code (milk_store_get_currency (f->store)), ==, "JPY");

  g_assert_true (milk_store_set_setting (f->store, "household-name", "Sharma family", NULL));
  name = milk_store_dup_setting (f->store, "household-name");
  g_assert_cmpstr (name, ==, "Sharma family");
}

static void
test_reopen_keeps_everything (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *node = g_strdup (milk_store_get_node (f->store));
  g_autoptr(MilkRecord) got = NULL;

  set_entry (f->store, MILK, "2026-11-24", 1250, MILK_NO_PRICE);
  g_clear_object (&f->store);

  f->store = milk_test_store_new (&f->dir);
  g_assert_cmpstr (milk_store_get_node (f->store), ==, node);
  got = milk_store_get_entry (f->store, MILK, milk_test_day ("2026-11-24"), NULL);
  g_assert_nonnull (got);
  g_assert_cmpint (got->qty_ml, ==, 1250);
}

/* A day delivered morning and evening keeps its parts through the diary
 * file, and the month's bill adds them up per product. */
static void
test_morning_evening (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(MilkRecord) day = milk_record_new (MILK_RECORD_ENTRY);
  g_autoptr(MilkRecord) got = NULL;
  g_autoptr(MilkBill) bill = NULL;
  g_autoptr(GError) error = NULL;
  MilkBillProduct *milk;

  day->id = g_strdup (MILK);
  day->day = milk_test_day ("2026-11-24");
  day->note = g_strdup ("");
  milk_entry_set_split (day, 1000, 500);
  g_assert_true (milk_store_put (f->store, day, &error));
  g_assert_no_error (error);
  set_entry (f->store, MILK, "2026-11-25", 1000, MILK_NO_PRICE);
  g_clear_object (&f->store);

  f->store = milk_test_store_new (&f->dir);
  got = milk_store_get_entry (f->store, MILK, milk_test_day ("2026-11-24"), NULL);
  g_assert_nonnull (got);
  g_assert_true (milk_entry_is_split (got));
  g_assert_cmpint (got->morning_ml, ==, 1000);
  g_assert_cmpint (got->evening_ml, ==, 500);
  g_assert_cmpint (got->qty_ml, ==, 1500);
  g_assert_null (got->extra);

  bill = milk_store_build_bill (f->store, 2026, 11, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bill->qty_ml, ==, 2500);
  milk = g_ptr_array_index (bill->products, 0);
  g_assert_cmpuint (milk->split_days, ==, 1);
  g_assert_cmpint (milk->morning_ml, ==, 1000);
  g_assert_cmpint (milk->evening_ml, ==, 500);

  /* Set again as one quantity, the day is one delivery. */
  set_entry (f->store, MILK, "2026-11-24", 2000, MILK_NO_PRICE);
  g_clear_pointer (&got, milk_record_free);
  got = milk_store_get_entry (f->store, MILK, milk_test_day ("2026-11-24"), NULL);
  g_assert_false (got->has_split);
  g_assert_cmpint (got->qty_ml, ==, 2000);
}

static gint64
fixed_clock (gpointer data)
{
  return *(gint64 *) data;
}

/* The wall clock steps back a day between runs; stamps must still grow,
 * or a later edit would lose to an earlier one. */
static void
test_clock_never_goes_back (Fixture       *f,
                            gconstpointer  data)
{
  gint64 now = G_GINT64_CONSTANT (1795000000000);
  g_autoptr(MilkRecord) first = NULL;
  g_autoptr(MilkRecord) second = NULL;

  g_clear_object (&f->store);
  f->store = _milk_store_new_with_clock (f->dir.path, fixed_clock, &now, NULL);
  set_entry (f->store, MILK, "2026-11-24", 1000, MILK_NO_PRICE);
  first = milk_store_get_entry (f->store, MILK, milk_test_day ("2026-11-24"), NULL);
  g_clear_object (&f->store);

  now -= 24 * 3600 * 1000;
  f->store = _milk_store_new_with_clock (f->dir.path, fixed_clock, &now, NULL);
  set_entry (f->store, MILK, "2026-11-24", 2000, MILK_NO_PRICE);
  second = milk_store_get_entry (f->store, MILK, milk_test_day ("2026-11-24"), NULL);

  g_assert_cmpstr (first->hlc, <, second->hlc);
}

static void
test_corrupt_file_untouched (void)
{
  MilkTestDir dir;
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkStore) store = NULL;
  g_autofree char *after = NULL;
  char garbage[4096];
  gsize length;

  milk_test_dir_init (&dir);
  for (guint i = 0; i < sizeof garbage; i++)
    garbage[i] = (char) (i * 7 + 3);
  g_assert_true (g_file_set_contents (dir.path, garbage, sizeof garbage, NULL));

  store = milk_store_new (dir.path, &error);
  g_assert_null (store);
  g_assert_error (error, MILK_STORE_ERROR, MILK_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, dir.path));

  after = milk_test_read_file (dir.path, &length);
  g_assert_cmpmem (after, length, garbage, sizeof garbage);
  milk_test_dir_clear (&dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ("/store/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("new-diary", test_new_diary);
  ADD ("entry-crud", test_entry_crud);
  ADD ("month-entries", test_month_entries);
  ADD ("invalid-write-rejected", test_invalid_write_rejected);
  ADD ("totals/month-bill", test_month_bill);
  ADD ("totals/year-and-all-time", test_year_and_all_time);
  ADD ("totals/days-counted-once", test_days_counted_once);
  ADD ("totals/price-change-keeps-past", test_price_change_keeps_past);
  ADD ("payments-balance", test_payments_balance);
  ADD ("settings", test_settings);
  ADD ("reopen-keeps-everything", test_reopen_keeps_everything);
  ADD ("morning-evening", test_morning_evening);
  ADD ("clock-never-goes-back", test_clock_never_goes_back);
#undef ADD
  g_test_add_func ("/store/corrupt-file-untouched", test_corrupt_file_untouched);

  return g_test_run ();
}
