/* test-diary-opener.c — the diary opened on a thread while GTK starts
 * gives the window what opening it on the main thread would
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "milk-diary-opener.h"
#include "milk-test-util.h"

/* The month's bill, prepared on the thread, is this month's as the
 * store builds it; the store is usable, and what is written shows. */
static void
test_opens (void)
{
  MilkTestDir dir;
  g_autoptr(MilkStore) store = NULL;
  g_autoptr(MilkBill) bill = NULL;
  g_autoptr(GError) error = NULL;
  MilkDay today = milk_day_today ();
  int year, month;

  milk_test_dir_init (&dir);
  {
    g_autoptr(MilkStore) first = milk_test_store_new (&dir);

    g_assert_true (milk_store_set_price (first, MILK_DEFAULT_PRODUCT_ID, today - 40, 6000, NULL));
    milk_store_set_entry (first, MILK_DEFAULT_PRODUCT_ID, today, 1500, MILK_NO_PRICE, NULL, &error);
    g_assert_no_error (error);
  }

  store = milk_diary_opener_finish (milk_diary_opener_start (dir.path), &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  milk_day_get_ymd (today, &year, &month, NULL);
  bill = milk_store_build_bill (store, year, month, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bill->qty_ml, ==, 1500);
  g_assert_cmpint (bill->amount, ==, 9000);

  milk_store_set_entry (store, MILK_DEFAULT_PRODUCT_ID, today, 2000, MILK_NO_PRICE, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&bill, milk_bill_free);
  bill = milk_store_build_bill (store, year, month, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bill->amount, ==, 12000);

  g_clear_object (&store);
  milk_test_dir_clear (&dir);
}

/* A file that is not a diary: the error milk_store_new() gives, for the
 * window to say, and the file left as it was. */
static void
test_not_a_diary (void)
{
  MilkTestDir dir;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) direct_error = NULL;
  g_autoptr(MilkStore) direct = NULL;
  g_autoptr(MilkStore) store = NULL;
  g_autofree char *contents = NULL;
  const char *garbage = "these are not the bytes of an SQLite database, but they are long enough to look";

  milk_test_dir_init (&dir);
  g_assert_true (g_file_set_contents (dir.path, garbage, -1, NULL));

  store = milk_diary_opener_finish (milk_diary_opener_start (dir.path), &error);
  g_assert_null (store);
  direct = milk_store_new (dir.path, &direct_error);
  g_assert_null (direct);
  g_assert_nonnull (error);
  g_assert_error (error, direct_error->domain, direct_error->code);
  g_assert_cmpstr (error->message, ==, direct_error->message);
  g_assert_true (g_file_get_contents (dir.path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, garbage);

  milk_test_dir_clear (&dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/diary-opener/opens", test_opens);
  g_test_add_func ("/diary-opener/not-a-diary", test_not_a_diary);

  return g_test_run ();
}
