/* test-store-patterns.c — usual quantities by weekday, leave, fill the month
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

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

/* 1 L on weekdays, 2 L on Sundays. */
static void
set_pattern (MilkStore *store)
{
  g_autoptr(MilkRecord) milk = milk_store_get (store, MILK_RECORD_PRODUCT, MILK, NULL);

  milk->has_weekday_qty = TRUE;
  for (int i = 0; i < 6; i++)
    milk->weekday_qty_ml[i] = 1000;
  milk->weekday_qty_ml[6] = 2000;
  g_assert_true (milk_store_put (store, milk, NULL));
}

static void
test_pattern_round_trip (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(MilkRecord) milk = NULL;
  g_autoptr(MilkSyncMessage) message = milk_sync_message_new ();
  g_autoptr(MilkSyncMessage) decoded = NULL;
  g_autofree char *json = NULL;
  gsize len;

  set_pattern (f->store);
  milk = milk_store_get (f->store, MILK_RECORD_PRODUCT, MILK, NULL);
  g_assert_true (milk->has_weekday_qty);
  g_assert_cmpint (milk->weekday_qty_ml[6], ==, 2000);
  g_assert_cmpint (milk_product_usual_qty (milk, milk_test_day ("2026-11-22")), ==, 2000); /* Sunday */
  g_assert_cmpint (milk_product_usual_qty (milk, milk_test_day ("2026-11-23")), ==, 1000); /* Monday */

  /* It travels with the product record through the sync protocol. */
  message->node = g_strdup ("00000000000000aa");
  g_ptr_array_add (message->changes, milk_record_copy (milk));
  json = milk_sync_request_encode (message, &len);
  g_assert_nonnull (strstr (json, "\"weekday_qty_ml\":[1000,1000,1000,1000,1000,1000,2000]"));
  decoded = milk_sync_request_decode (json, len, NULL);
  g_assert_cmpuint (decoded->changes->len, ==, 1);
  g_assert_true (milk_record_equal (decoded->changes->pdata[0], milk));
  g_assert_true (((MilkRecord *) decoded->changes->pdata[0])->has_weekday_qty);
}

static void
test_bad_pattern_refused (Fixture       *f,
                          gconstpointer  data)
{
  const char *doc = "{\"cursor\":null,\"node\":\"00000000000000aa\",\"changes\":[{\"type\":\"product\","
                    "\"key\":\"" MILK "\",\"hlc\":\"1795000000000-0000-00000000000000aa\",\"deleted\":false,"
                    "\"data\":{\"name\":\"Milk\",\"unit\":\"L\",\"default_qty_ml\":1000,\"position\":0,"
                    "\"archived\":false,\"weekday_qty_ml\":[1000,1000,1000]}}]}";
  g_autoptr(MilkSyncMessage) decoded = milk_sync_request_decode (doc, strlen (doc), NULL);

  g_assert_cmpuint (decoded->changes->len, ==, 0);
  g_assert_cmpuint (decoded->rejected->len, ==, 1);
  g_assert_cmpstr (((MilkRejection *) decoded->rejected->pdata[0])->code, ==, "invalid_qty");
}

/* September 2026 (the 1st is a Tuesday; Sundays 6, 13, 20, 27), at ₹56.50,
 * with two days recorded by hand: the 6th "no delivery", 1.5 L on the 10th.
 * Filled: 25 weekdays × 1 L + 3 Sundays × 2 L, plus the 10th:
 *   25 × 56.50 + 3 × 113.00 + 84.75 = ₹1,836.25, 32.5 L, 29 days, 1 skipped. */
static void
test_fill_month_keeps_recorded_days (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(GPtrArray) plan = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(MilkRecord) sixth = NULL;
  g_autoptr(MilkRecord) tenth = NULL;
  MilkTotals bill;

  set_pattern (f->store);
  g_assert_true (milk_store_set_price (f->store, MILK, milk_test_day ("2026-09-01"), 5650, NULL));
  g_assert_true (milk_store_set_entry (f->store, MILK, milk_test_day ("2026-09-06"), 0, MILK_NO_PRICE, NULL, NULL));
  g_assert_true (milk_store_set_entry (f->store, MILK, milk_test_day ("2026-09-10"), 1500, MILK_NO_PRICE, NULL, NULL));

  plan = milk_store_plan_usual_days (f->store, milk_day_month_first (2026, 9), milk_day_month_last (2026, 9), NULL);
  g_assert_cmpuint (plan->len, ==, 28);
  before = milk_store_snapshot_entries (f->store, plan, NULL);
  g_assert_true (milk_store_put_many (f->store, plan, NULL));

  g_assert_true (milk_store_month_totals (f->store, 2026, 9, &bill, NULL, NULL));
  g_assert_cmpint (bill.amount, ==, 183625);
  g_assert_cmpint (bill.qty_ml, ==, 32500);
  g_assert_cmpuint (bill.delivered_days, ==, 29);
  g_assert_cmpuint (bill.skipped_days, ==, 1);
  sixth = milk_store_get_entry (f->store, MILK, milk_test_day ("2026-09-06"), NULL);
  tenth = milk_store_get_entry (f->store, MILK, milk_test_day ("2026-09-10"), NULL);
  g_assert_cmpint (sixth->qty_ml, ==, 0);
  g_assert_cmpint (tenth->qty_ml, ==, 1500);

  /* One Undo takes the whole fill back. */
  g_assert_true (milk_store_put_many (f->store, before, NULL));
  g_assert_true (milk_store_month_totals (f->store, 2026, 9, &bill, NULL, NULL));
  g_assert_cmpint (bill.qty_ml, ==, 1500);
  g_assert_cmpuint (bill.delivered_days, ==, 1);
}

static void
test_leave (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) recorded = NULL;
  g_autoptr(GPtrArray) plan = NULL;
  g_autoptr(GPtrArray) before = NULL;
  MilkTotals bill;

  g_assert_true (milk_store_set_entry (f->store, MILK, milk_test_day ("2026-08-12"), 1000, MILK_NO_PRICE, NULL, NULL));
  plan = milk_store_plan_leave (f->store, milk_test_day ("2026-08-10"), milk_test_day ("2026-08-16"), &recorded, NULL);
  g_assert_cmpuint (plan->len, ==, 7);
  g_assert_cmpuint (recorded->len, ==, 1);     /* listed for confirmation */
  g_assert_cmpuint (((MilkRecord *) recorded->pdata[0])->day, ==, milk_test_day ("2026-08-12"));

  before = milk_store_snapshot_entries (f->store, plan, NULL);
  g_assert_true (milk_store_put_many (f->store, plan, NULL));
  g_assert_true (milk_store_month_totals (f->store, 2026, 8, &bill, NULL, NULL));
  g_assert_cmpuint (bill.skipped_days, ==, 7);
  g_assert_cmpuint (bill.delivered_days, ==, 0);

  g_assert_true (milk_store_put_many (f->store, before, NULL));
  g_assert_true (milk_store_month_totals (f->store, 2026, 8, &bill, NULL, NULL));
  g_assert_cmpuint (bill.skipped_days, ==, 0);
  g_assert_cmpuint (bill.delivered_days, ==, 1);
}

/* Twice a day, 0.5 L of the day's usual in the evening: filling the days
 * records the usual split (on a 0.25 L weekday the evening takes it all),
 * and a product delivered once a day stays one delivery. */
static void
test_fill_twice_a_day (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(MilkRecord) milk = NULL;
  g_autoptr(MilkRecord) cow = NULL;
  g_autoptr(GPtrArray) plan = NULL;
  g_autoptr(MilkBill) bill = NULL;
  MilkBillProduct *totals;

  set_pattern (f->store);
  milk = milk_store_get (f->store, MILK_RECORD_PRODUCT, MILK, NULL);
  milk->weekday_qty_ml[0] = 250; /* Mondays */
  milk->twice_daily = TRUE;
  milk->evening_qty_ml = 500;
  g_assert_true (milk_store_put (f->store, milk, NULL));
  cow = milk_store_add_product (f->store, "Cow", 1000, NULL);
  g_assert_nonnull (cow);

  /* Sunday 22 to Tuesday 24 November 2026 */
  plan = milk_store_plan_usual_days (f->store, milk_test_day ("2026-11-22"), milk_test_day ("2026-11-24"), NULL);
  g_assert_cmpuint (plan->len, ==, 6);
  g_assert_true (milk_store_put_many (f->store, plan, NULL));

  {
    static const struct { const char *day; gint64 morning, evening; } want[] = {
      { "2026-11-22", 1500, 500 },
      { "2026-11-23", 0, 250 },
      { "2026-11-24", 500, 500 },
    };

    for (guint i = 0; i < G_N_ELEMENTS (want); i++)
      {
        g_autoptr(MilkRecord) day = milk_store_get_entry (f->store, MILK, milk_test_day (want[i].day), NULL);
        g_autoptr(MilkRecord) once = milk_store_get_entry (f->store, cow->id, milk_test_day (want[i].day), NULL);

        g_assert_true (milk_entry_is_split (day));
        g_assert_cmpint (day->morning_ml, ==, want[i].morning);
        g_assert_cmpint (day->evening_ml, ==, want[i].evening);
        g_assert_cmpint (day->qty_ml, ==, want[i].morning + want[i].evening);
        g_assert_false (once->has_split);
        g_assert_cmpint (once->qty_ml, ==, 1000);
      }
  }

  bill = milk_store_build_bill (f->store, 2026, 11, NULL);
  g_assert_nonnull (bill);
  g_assert_cmpint (bill->qty_ml, ==, 2000 + 250 + 1000 + 3 * 1000);
  totals = g_ptr_array_index (bill->products, 0);
  g_assert_cmpstr (totals->product, ==, MILK);
  g_assert_cmpuint (totals->split_days, ==, 3);
  g_assert_cmpint (totals->morning_ml, ==, 2000);
  g_assert_cmpint (totals->evening_ml, ==, 1250);
  totals = g_ptr_array_index (bill->products, 1);
  g_assert_cmpuint (totals->split_days, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ("/store/patterns/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("round-trip", test_pattern_round_trip);
  ADD ("bad-pattern-refused", test_bad_pattern_refused);
  ADD ("fill-month-keeps-recorded-days", test_fill_month_keeps_recorded_days);
  ADD ("leave", test_leave);
  ADD ("fill-twice-a-day", test_fill_twice_a_day);
#undef ADD

  return g_test_run ();
}
