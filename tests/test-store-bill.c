/* test-store-bill.c — a month's bill gathered from the diary, and
 * payments that name the bill they pay, stored and synced
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "milk-store-private.h"
#include "milk-test-util.h"

#define MILK MILK_DEFAULT_PRODUCT_ID

typedef struct
{
  MilkTestDir dir, dir_b;
  MilkStore *store, *b;
  char *buffalo;
} Fixture;

static void
entry (MilkStore  *store,
       const char *product,
       const char *day,
       gint64      qty_ml,
       gint64      price)
{
  g_autoptr(GError) error = NULL;

  milk_store_set_entry (store, product, milk_test_day (day), qty_ml, price, NULL, &error);
  g_assert_no_error (error);
}

/* Milk at ₹56.50 from 1 August, ₹58.00 from 16 September; buffalo milk at
 * ₹70.00. August: 2 L = ₹113.00. September:
 *   01 milk 1.5 L = 84.75, buffalo 0.5 L = 35.00
 *   16 milk 1 L = 58.00
 *   17 milk 1 L at its own ₹60.00 = 60.00
 * 4 L, 3 delivery days, ₹237.75. */
static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(MilkRecord) buffalo = NULL;

  milk_test_dir_init (&f->dir);
  milk_test_dir_init (&f->dir_b);
  f->store = milk_test_store_new (&f->dir);
  f->b = milk_test_store_new (&f->dir_b);
  buffalo = milk_store_add_product (f->store, "Buffalo", 500, NULL);
  f->buffalo = g_strdup (buffalo->id);
  g_assert_true (milk_store_set_price (f->store, MILK, milk_test_day ("2026-08-01"), 5650, NULL));
  g_assert_true (milk_store_set_price (f->store, MILK, milk_test_day ("2026-09-16"), 5800, NULL));
  g_assert_true (milk_store_set_price (f->store, f->buffalo, milk_test_day ("2026-08-01"), 7000, NULL));
  entry (f->store, MILK, "2026-08-10", 2000, MILK_NO_PRICE);
  entry (f->store, MILK, "2026-09-01", 1500, MILK_NO_PRICE);
  entry (f->store, f->buffalo, "2026-09-01", 500, MILK_NO_PRICE);
  entry (f->store, MILK, "2026-09-16", 1000, MILK_NO_PRICE);
  entry (f->store, MILK, "2026-09-17", 1000, 6000);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->store);
  g_clear_object (&f->b);
  g_free (f->buffalo);
  milk_test_dir_clear (&f->dir);
  milk_test_dir_clear (&f->dir_b);
}

static void
test_build_bill (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkBill) bill = milk_store_build_bill (f->store, 2026, 9, &error);
  g_autoptr(MilkBill) none = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (bill->lines->len, ==, 4);
  g_assert_cmpint (bill->qty_ml, ==, 4000);
  g_assert_cmpint (bill->amount, ==, 23775);
  g_assert_cmpuint (bill->delivered_days, ==, 3);
  g_assert_cmpint (bill->average_ml, ==, 1330);
  g_assert_cmpuint (bill->products->len, ==, 2);
  g_assert_cmpint (bill->brought_forward, ==, 11300);
  g_assert_cmpint (bill->balance_due, ==, 35075);
  g_assert_cmpint (bill->state, ==, MILK_BILL_DUE);

  none = milk_store_build_bill (f->store, 2026, 13, &error);
  g_assert_null (none);
  g_assert_error (error, MILK_STORE_ERROR, MILK_STORE_ERROR_INVALID);
}

/* The rule's choice is made when the payment is recorded, and kept. */
static void
test_record_payment (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autoptr(MilkRecord) stored = NULL;
  g_autoptr(MilkBill) august = NULL;
  g_autoptr(MilkBill) september = NULL;
  MilkDay bill = MILK_DAY_INVALID;

  /* On 5 October August is open: it takes the first payment. */
  first = milk_store_record_payment (f->store, milk_test_day ("2026-10-05"), 11300, "cash",
                                     MILK_DAY_INVALID, &bill, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bill, ==, milk_test_day ("2026-08-01"));
  stored = milk_store_get (f->store, MILK_RECORD_PAYMENT, first, &error);
  g_assert_cmpuint (stored->bill, ==, milk_test_day ("2026-08-01"));

  /* Named: September, any day of it. */
  second = milk_store_record_payment (f->store, milk_test_day ("2026-10-06"), 23775, NULL,
                                      milk_test_day ("2026-09-30"), &bill, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bill, ==, milk_test_day ("2026-09-01"));

  august = milk_store_build_bill (f->store, 2026, 8, &error);
  september = milk_store_build_bill (f->store, 2026, 9, &error);
  g_assert_cmpint (august->paid, ==, 11300);
  g_assert_cmpint (august->state, ==, MILK_BILL_SETTLED);
  g_assert_cmpint (september->brought_forward, ==, 0);
  g_assert_cmpint (september->paid, ==, 23775);
  g_assert_cmpint (september->balance_due, ==, 0);
  g_assert_cmpint (september->state, ==, MILK_BILL_SETTLED);
  g_assert_cmpuint (september->payments->len, ==, 1);

  /* A payment that is not one stores nothing. */
  g_assert_null (milk_store_record_payment (f->store, milk_test_day ("2026-10-07"), 0, NULL,
                                            MILK_DAY_INVALID, NULL, &error));
  g_assert_error (error, MILK_ERROR, MILK_ERROR_INVALID_AMOUNT);
}

/* The bill travels with the payment to another device, and a field a
 * newer version adds beside it comes back unchanged. */
static void
test_bill_syncs (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GPtrArray) back = NULL;
  g_autoptr(MilkBill) on_b = NULL;
  g_autofree char *id = NULL;
  const char *json = "{\"type\":\"payment\",\"key\":\"aaaaaaaa-0000-4000-8000-000000000009\","
                     "\"hlc\":\"1764000000000-0000-0000000000000009\",\"deleted\":false,"
                     "\"data\":{\"day\":\"2026-10-09\",\"amount\":100,\"note\":\"\",\"bill\":\"2026-08\","
                     "\"method\":\"upi\"}}";
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  g_autoptr(GPtrArray) incoming = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  g_autoptr(MilkRecord) kept = NULL;
  g_autoptr(JsonNode) out = NULL;
  g_autofree char *text = NULL;

  id = milk_store_record_payment (f->store, milk_test_day ("2026-10-05"), 23775, NULL,
                                  milk_test_day ("2026-09-01"), NULL, &error);
  g_assert_no_error (error);
  pending = milk_store_list_pending (f->store, 1000, &error);
  g_assert_true (milk_store_apply_remote (f->b, pending, &error));
  g_assert_no_error (error);
  back = milk_store_list_payments (f->b, milk_test_day ("2026-01-01"), milk_test_day ("2026-12-31"), &error);
  g_assert_cmpuint (back->len, ==, 1);
  g_assert_cmpuint (((MilkRecord *) g_ptr_array_index (back, 0))->bill, ==, milk_test_day ("2026-09-01"));
  on_b = milk_store_build_bill (f->b, 2026, 9, &error);
  g_assert_cmpint (on_b->paid, ==, 23775);

  g_ptr_array_add (incoming, milk_record_from_json (node, &error));
  g_assert_no_error (error);
  g_assert_true (milk_store_apply_remote (f->b, incoming, &error));
  kept = milk_store_get (f->b, MILK_RECORD_PAYMENT, "aaaaaaaa-0000-4000-8000-000000000009", &error);
  g_assert_cmpuint (kept->bill, ==, milk_test_day ("2026-08-01"));
  out = milk_record_to_json (kept);
  text = json_to_string (out, FALSE);
  g_assert_nonnull (strstr (text, "\"bill\":\"2026-08\""));
  g_assert_nonnull (strstr (text, "\"method\":\"upi\""));
}

/* A diary written by a version before bills keeps a synced bill among the
 * members it did not know; this version reads it as the bill. */
static void
test_bill_from_older_file (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkRecord) payment = NULL;

  g_assert_true (_milk_store_exec (f->store,
      "INSERT INTO payments (key, day, amount, note, hlc, deleted, pending, extra) VALUES "
      "('aaaaaaaa-0000-4000-8000-000000000007', '2026-10-02', 500, '', "
      "'1764000000000-0000-0000000000000007', 0, 0, '{\"data\":{\"bill\":\"2026-09\",\"method\":\"upi\"}}')",
      &error));
  payment = milk_store_get (f->store, MILK_RECORD_PAYMENT, "aaaaaaaa-0000-4000-8000-000000000007", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (payment->bill, ==, milk_test_day ("2026-09-01"));
  g_assert_nonnull (payment->extra);
}

static gint64
september_amount (MilkStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkBill) bill = milk_store_build_bill (store, 2026, 9, &error);

  g_assert_no_error (error);
  return bill->amount;
}

/* A bill prepared ahead (on the thread that opens the diary) is given
 * only while the diary is as it was: a change made here since, or by
 * another program, is on the bill. */
static void
test_prepared_bill (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkStore) other = NULL;
  g_autoptr(MilkBill) august = NULL;

  g_assert_true (milk_store_prepare_bill (f->store, 2026, 9, &error));
  g_assert_no_error (error);
  g_assert_cmpint (september_amount (f->store), ==, 23775);

  /* A day recorded here, after the bill was prepared */
  g_assert_true (milk_store_prepare_bill (f->store, 2026, 9, NULL));
  entry (f->store, MILK, "2026-09-20", 1000, MILK_NO_PRICE);
  g_assert_cmpint (september_amount (f->store), ==, 23775 + 5800);

  /* By another program (`milk-diary --add` in a terminal) */
  g_assert_true (milk_store_prepare_bill (f->store, 2026, 9, NULL));
  other = milk_test_store_new (&f->dir);
  entry (other, MILK, "2026-09-21", 500, MILK_NO_PRICE);
  g_assert_cmpint (september_amount (f->store), ==, 23775 + 5800 + 2900);

  /* Another month is built, not given September's */
  g_assert_true (milk_store_prepare_bill (f->store, 2026, 9, NULL));
  august = milk_store_build_bill (f->store, 2026, 8, &error);
  g_assert_no_error (error);
  g_assert_cmpint (august->amount, ==, 11300);

  /* Not a month: the same error as building it */
  g_assert_false (milk_store_prepare_bill (f->store, 2026, 13, &error));
  g_assert_error (error, MILK_STORE_ERROR, MILK_STORE_ERROR_INVALID);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ("/store/bill/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("build", test_build_bill);
  ADD ("record-payment", test_record_payment);
  ADD ("syncs", test_bill_syncs);
  ADD ("from-older-file", test_bill_from_older_file);
  ADD ("prepared", test_prepared_bill);
#undef ADD

  return g_test_run ();
}
