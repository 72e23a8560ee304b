/* test-bill.c — MilkBill and MilkLedger against bills worked out by hand
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "milk-core.h"

#define COW "11111111-1111-4111-8111-111111111111"
#define BUFFALO "22222222-2222-4222-8222-222222222222"

static MilkDay
day (const char *iso)
{
  MilkDay d = milk_day_parse (iso, NULL);

  g_assert_cmpuint (d, !=, MILK_DAY_INVALID);
  return d;
}

static MilkRecord *
product (const char *id,
         const char *name,
         int         position)
{
  MilkRecord *p = milk_record_new (MILK_RECORD_PRODUCT);

  p->id = g_strdup (id);
  p->name = g_strdup (name);
  p->unit = g_strdup ("L");
  p->position = position;
  return p;
}

static MilkRecord *
entry (const char *id,
       const char *iso,
       gint64      qty_ml,
       gint64      price_override)
{
  MilkRecord *e = milk_record_new (MILK_RECORD_ENTRY);

  e->id = g_strdup (id);
  e->day = day (iso);
  e->qty_ml = qty_ml;
  e->price_override = price_override;
  e->note = g_strdup ("");
  return e;
}

static MilkRecord *
payment (const char *id,
         const char *iso,
         gint64      amount,
         const char *bill)
{
  MilkRecord *p = milk_record_new (MILK_RECORD_PAYMENT);

  p->id = g_strdup (id);
  p->day = day (iso);
  p->amount = amount;
  p->bill = bill ? milk_day_parse_month (bill) : MILK_DAY_INVALID;
  p->note = g_strdup ("");
  return p;
}

#define P1 "aaaaaaaa-0000-4000-8000-000000000001"
#define P2 "aaaaaaaa-0000-4000-8000-000000000002"
#define P3 "aaaaaaaa-0000-4000-8000-000000000003"

typedef struct
{
  GPtrArray *products;
  GPtrArray *entries;
  GHashTable *schedules;
} Diary;

/* Cow's milk at ₹56.00 from 1 August, ₹58.00 from 16 September; buffalo
 * milk at ₹70.00 from 1 September. September by hand:
 *   01 cow 1.5 L × 56 = 84.00   buffalo 0.5 L × 70 = 35.00
 *   15 cow 1.5 L × 56 = 84.00
 *   16 cow 1 L × 58   = 58.00
 *   17 cow no delivery
 *   18 buffalo 0.333 L × 70 = 23.31
 *   20 cow 1.25 L at its own ₹60.00 = 75.00
 * cow 5.25 L ₹301.00 on 4 days, buffalo 0.833 L ₹58.31 on 2 days;
 * 6.083 L, ₹359.31, 5 delivery days, 1 without; 6.083 / 5 = 1.2166 → 1.22 L. */
static void
diary_init (Diary *d)
{
  MilkPriceSchedule *cow = milk_price_schedule_new ();
  MilkPriceSchedule *buffalo = milk_price_schedule_new ();

  d->products = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  g_ptr_array_add (d->products, product (COW, "Cow", 0));
  g_ptr_array_add (d->products, product (BUFFALO, "Buffalo", 1));

  milk_price_schedule_set (cow, day ("2026-08-01"), 5600);
  milk_price_schedule_set (cow, day ("2026-09-16"), 5800);
  milk_price_schedule_set (buffalo, day ("2026-09-01"), 7000);
  d->schedules = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) milk_price_schedule_free);
  g_hash_table_insert (d->schedules, g_strdup (COW), cow);
  g_hash_table_insert (d->schedules, g_strdup (BUFFALO), buffalo);

  d->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  g_ptr_array_add (d->entries, entry (BUFFALO, "2026-09-18", 333, MILK_NO_PRICE));
  g_ptr_array_add (d->entries, entry (COW, "2026-09-20", 1250, 6000));
  g_ptr_array_add (d->entries, entry (BUFFALO, "2026-09-01", 500, MILK_NO_PRICE));
  g_ptr_array_add (d->entries, entry (COW, "2026-09-01", 1500, MILK_NO_PRICE));
  g_ptr_array_add (d->entries, entry (COW, "2026-09-15", 1500, MILK_NO_PRICE));
  g_ptr_array_add (d->entries, entry (COW, "2026-09-16", 1000, MILK_NO_PRICE));
  g_ptr_array_add (d->entries, entry (COW, "2026-09-17", 0, MILK_NO_PRICE));
  g_ptr_array_add (d->entries, entry (COW, "2026-10-01", 1000, MILK_NO_PRICE));
}

static void
diary_clear (Diary *d)
{
  g_ptr_array_unref (d->products);
  g_ptr_array_unref (d->entries);
  g_hash_table_unref (d->schedules);
}

/* August ₹100.00, September ₹359.31, October ₹58.00. */
static MilkLedger *
three_months (void)
{
  MilkLedger *ledger = milk_ledger_new ();

  milk_ledger_add_amount (ledger, day ("2026-08-31"), 10000);
  milk_ledger_add_amount (ledger, day ("2026-09-01"), 35931);
  milk_ledger_add_amount (ledger, day ("2026-10-01"), 5800);
  return ledger;
}

static void
test_lines_and_totals (void)
{
  Diary d;
  g_autoptr(MilkLedger) ledger = three_months ();
  g_autoptr(MilkBill) bill = NULL;
  MilkBillLine *line;
  MilkBillProduct *cow, *buffalo;
  MilkBillPrice *price;

  diary_init (&d);
  bill = milk_bill_new (day ("2026-09-10"), d.products, d.entries, d.schedules, ledger);

  g_assert_cmpuint (bill->month, ==, day ("2026-09-01"));
  g_assert_cmpuint (bill->lines->len, ==, 7);
  /* By day, then in the products' order. */
  line = g_ptr_array_index (bill->lines, 0);
  g_assert_cmpuint (line->day, ==, day ("2026-09-01"));
  g_assert_cmpstr (line->name, ==, "Cow");
  g_assert_cmpint (line->amount, ==, 8400);
  line = g_ptr_array_index (bill->lines, 1);
  g_assert_cmpstr (line->name, ==, "Buffalo");
  g_assert_cmpint (line->price_per_l, ==, 7000);
  g_assert_cmpint (line->amount, ==, 3500);
  line = g_ptr_array_index (bill->lines, 3);
  g_assert_cmpint (line->price_per_l, ==, 5800);
  g_assert_cmpint (line->amount, ==, 5800);
  line = g_ptr_array_index (bill->lines, 4);
  g_assert_cmpint (line->qty_ml, ==, 0);
  g_assert_cmpint (line->amount, ==, 0);
  line = g_ptr_array_index (bill->lines, 5);
  g_assert_cmpint (line->amount, ==, 2331);
  line = g_ptr_array_index (bill->lines, 6);
  g_assert_true (line->price_overridden);
  g_assert_cmpint (line->amount, ==, 7500);

  g_assert_cmpint (bill->qty_ml, ==, 6083);
  g_assert_cmpint (bill->amount, ==, 35931);
  g_assert_cmpuint (bill->delivered_days, ==, 5);
  g_assert_cmpuint (bill->skipped_days, ==, 1);
  g_assert_cmpuint (bill->unpriced_days, ==, 0);
  g_assert_cmpint (bill->average_ml, ==, 1220);

  g_assert_cmpuint (bill->products->len, ==, 2);
  cow = g_ptr_array_index (bill->products, 0);
  buffalo = g_ptr_array_index (bill->products, 1);
  g_assert_cmpstr (cow->name, ==, "Cow");
  g_assert_cmpint (cow->qty_ml, ==, 5250);
  g_assert_cmpint (cow->amount, ==, 30100);
  g_assert_cmpuint (cow->delivered_days, ==, 4);
  g_assert_cmpuint (cow->skipped_days, ==, 1);
  g_assert_cmpint (buffalo->qty_ml, ==, 833);
  g_assert_cmpint (buffalo->amount, ==, 5831);
  g_assert_cmpuint (buffalo->delivered_days, ==, 2);

  /* The cow's price in force on 1 September began on 1 August. */
  g_assert_cmpuint (bill->prices->len, ==, 3);
  price = g_ptr_array_index (bill->prices, 0);
  g_assert_cmpuint (price->from, ==, day ("2026-08-01"));
  g_assert_cmpint (price->price_per_l, ==, 5600);
  price = g_ptr_array_index (bill->prices, 1);
  g_assert_cmpuint (price->from, ==, day ("2026-09-16"));
  price = g_ptr_array_index (bill->prices, 2);
  g_assert_cmpstr (price->name, ==, "Buffalo");
  g_assert_cmpuint (price->from, ==, day ("2026-09-01"));

  /* Nothing paid: August's ₹100.00 comes forward. */
  g_assert_cmpint (bill->brought_forward, ==, 10000);
  g_assert_cmpint (bill->paid, ==, 0);
  g_assert_cmpint (bill->balance_due, ==, 45931);
  g_assert_cmpint (bill->state, ==, MILK_BILL_DUE);
  diary_clear (&d);
}

static void
test_average (void)
{
  g_assert_cmpint (milk_average_qty (0, 0), ==, 0);
  g_assert_cmpint (milk_average_qty (11020, 7), ==, 1570);  /* 1.5743 */
  g_assert_cmpint (milk_average_qty (3150, 2), ==, 1580);   /* 1.575 rounds up */
  g_assert_cmpint (milk_average_qty (3000, 2), ==, 1500);
}

/* Paying September's bill on 5 October settles September, whatever the
 * month the money changed hands in. */
static void
test_payment_for_a_bill (void)
{
  g_autoptr(MilkLedger) ledger = three_months ();
  g_autoptr(MilkRecord) p1 = payment (P1, "2026-09-10", 10000, NULL);
  g_autoptr(MilkRecord) p2 = payment (P2, "2026-10-05", 35931, "2026-09");
  MilkLedgerMonth m;

  milk_ledger_add_payment (ledger, p2);
  milk_ledger_add_payment (ledger, p1);

  milk_ledger_get_month (ledger, day ("2026-08-01"), &m);
  g_assert_cmpint (m.paid, ==, 10000);
  g_assert_cmpint (m.balance_due, ==, 0);
  g_assert_cmpint (m.state, ==, MILK_BILL_SETTLED);

  milk_ledger_get_month (ledger, day ("2026-09-01"), &m);
  g_assert_cmpint (m.brought_forward, ==, 0);
  g_assert_cmpint (m.amount, ==, 35931);
  g_assert_cmpint (m.paid, ==, 35931);
  g_assert_cmpint (m.balance_due, ==, 0);
  g_assert_cmpint (m.state, ==, MILK_BILL_SETTLED);

  milk_ledger_get_month (ledger, day ("2026-10-01"), &m);
  g_assert_cmpint (m.brought_forward, ==, 0);
  g_assert_cmpint (m.paid, ==, 0);
  g_assert_cmpint (m.balance_due, ==, 5800);
  g_assert_cmpint (m.state, ==, MILK_BILL_DUE);

  g_assert_cmpuint (milk_ledger_payment_bill (ledger, P2), ==, day ("2026-09-01"));
}

/* Without a bill named, a payment pays the oldest bill not settled on its
 * day: ₹60.00 on 10 September goes to August, the next ₹40.00 on 6 October
 * too (August still owed ₹40.00 then), the ₹359.31 on 7 October to
 * September. */
static void
test_default_rule (void)
{
  g_autoptr(MilkLedger) ledger = three_months ();
  g_autoptr(MilkRecord) p1 = payment (P1, "2026-09-10", 6000, NULL);
  g_autoptr(MilkRecord) p2 = payment (P2, "2026-10-06", 4000, NULL);
  g_autoptr(MilkRecord) p3 = payment (P3, "2026-10-07", 35931, NULL);
  MilkLedgerMonth m;

  milk_ledger_add_payment (ledger, p3);
  milk_ledger_add_payment (ledger, p1);
  milk_ledger_add_payment (ledger, p2);

  g_assert_cmpuint (milk_ledger_payment_bill (ledger, P1), ==, day ("2026-08-01"));
  g_assert_cmpuint (milk_ledger_payment_bill (ledger, P2), ==, day ("2026-08-01"));
  g_assert_cmpuint (milk_ledger_payment_bill (ledger, P3), ==, day ("2026-09-01"));

  /* For a new payment: on 12 September August was still ₹40.00 short;
   * after 7 October only October is open. */
  g_assert_cmpuint (milk_ledger_default_bill (ledger, day ("2026-09-12")), ==, day ("2026-08-01"));
  g_assert_cmpuint (milk_ledger_default_bill (ledger, day ("2026-10-08")), ==, day ("2026-10-01"));
  /* Nothing open before the payment's month: its own month. */
  g_assert_cmpuint (milk_ledger_default_bill (ledger, day ("2027-01-02")), ==, day ("2026-10-01"));
  {
    g_autoptr(GArray) open = milk_ledger_list_unsettled (ledger, day ("2026-09-12"));

    g_assert_cmpuint (open->len, ==, 2);
    g_assert_cmpuint (g_array_index (open, MilkDay, 0), ==, day ("2026-08-01"));
    g_assert_cmpuint (g_array_index (open, MilkDay, 1), ==, day ("2026-09-01"));
  }

  milk_ledger_get_month (ledger, day ("2026-09-01"), &m);
  g_assert_cmpint (m.brought_forward, ==, 0);
  g_assert_cmpint (m.balance_due, ==, 0);
  g_assert_cmpint (m.state, ==, MILK_BILL_SETTLED);
}

/* Same-day payments without a bill are taken by id: the outcome never
 * depends on the order they arrived in. */
static void
test_deterministic (void)
{
  g_autoptr(MilkRecord) a = payment (P1, "2026-09-05", 6000, NULL);
  g_autoptr(MilkRecord) b = payment (P2, "2026-09-05", 6000, NULL);

  for (int order = 0; order < 2; order++)
    {
      g_autoptr(MilkLedger) ledger = three_months ();

      milk_ledger_add_payment (ledger, order ? b : a);
      milk_ledger_add_payment (ledger, order ? a : b);
      /* P1 fills August first (₹60.00 of ₹100.00), so P2 also goes to
       * August, which it overpays by ₹20.00. */
      g_assert_cmpuint (milk_ledger_payment_bill (ledger, P1), ==, day ("2026-08-01"));
      g_assert_cmpuint (milk_ledger_payment_bill (ledger, P2), ==, day ("2026-08-01"));
    }
}

/* Part of a bill paid; more than a bill paid carries a credit forward. */
static void
test_partly_paid_and_credit (void)
{
  g_autoptr(MilkLedger) ledger = three_months ();
  g_autoptr(MilkRecord) p1 = payment (P1, "2026-09-02", 12000, "2026-08");
  g_autoptr(MilkRecord) p2 = payment (P2, "2026-10-02", 30000, "2026-09");
  MilkLedgerMonth m;

  milk_ledger_add_payment (ledger, p1);
  milk_ledger_add_payment (ledger, p2);

  milk_ledger_get_month (ledger, day ("2026-08-01"), &m);
  g_assert_cmpint (m.balance_due, ==, -2000);
  g_assert_cmpint (m.state, ==, MILK_BILL_SETTLED);

  milk_ledger_get_month (ledger, day ("2026-09-01"), &m);
  g_assert_cmpint (m.brought_forward, ==, -2000);
  g_assert_cmpint (m.paid, ==, 30000);
  g_assert_cmpint (m.balance_due, ==, 3931);
  g_assert_cmpint (m.state, ==, MILK_BILL_PARTLY_PAID);

  /* A month before any bill owes nothing. */
  milk_ledger_get_month (ledger, day ("2020-01-01"), &m);
  g_assert_cmpint (m.balance_due, ==, 0);
  g_assert_cmpint (m.state, ==, MILK_BILL_SETTLED);
}

/* The bill a payment pays travels with it, and a version before bills
 * keeps it as a member it does not know. */
static void
test_record_bill (void)
{
  const char *json = "{\"type\":\"payment\",\"key\":\"" P1 "\",\"hlc\":\"1764000000000-0000-0000000000000001\","
                     "\"deleted\":false,\"data\":{\"day\":\"2026-10-05\",\"amount\":35931,\"note\":\"\","
                     "\"bill\":\"2026-09\"}}";
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  g_autoptr(MilkRecord) record = milk_record_from_json (node, NULL);
  g_autoptr(JsonNode) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkRecord) stored = milk_record_new (MILK_RECORD_PAYMENT);
  g_autofree char *text = NULL;
  g_autofree char *out = NULL;

  g_assert_nonnull (record);
  g_assert_cmpuint (record->bill, ==, day ("2026-09-01"));
  g_assert_null (record->extra);
  back = milk_record_to_json (record);
  out = json_to_string (back, FALSE);
  g_assert_nonnull (strstr (out, "\"bill\":\"2026-09\""));

  /* Stored beside the columns, and read back. */
  text = milk_record_dup_stored_text (record);
  g_assert_cmpstr (text, ==, "{\"data\":{\"bill\":\"2026-09\"}}");
  g_assert_true (milk_record_set_stored_text (stored, text));
  g_assert_cmpuint (stored->bill, ==, day ("2026-09-01"));
  g_assert_null (stored->extra);

  /* A month that is not one is refused with a reason. */
  {
    g_autofree char *bad = g_strdup (json);
    g_autoptr(JsonNode) bad_node = NULL;
    g_autoptr(MilkRecord) refused = NULL;

    memcpy (strstr (bad, "2026-09\""), "2026-13", 7);
    bad_node = json_from_string (bad, NULL);
    refused = milk_record_from_json (bad_node, &error);
    g_assert_null (refused);
    g_assert_error (error, MILK_ERROR, MILK_ERROR_INVALID_DAY);
  }
}

/* September is ₹359.31 (see diary_init); the milkman's bills by hand:
 * one more usual cow day (1.5 L × ₹56.00 = ₹84.00), two fewer, buffalo
 * at ₹72.00 (0.5 L → 36.00, 0.333 L → 23.98: ₹1.67 more), and ₹0.10
 * that no one cause gives (₹70.12 for buffalo would, but is no price). */
static void
test_milkman_asks (void)
{
  static const struct { gint64 asked; const char *said; } cases[] = {
    { 35931, "The milkman’s bill agrees with the diary" },
    { 44331, "₹84.00 more than the diary: 1 more day of 1.5 L of Cow at ₹56.00" },
    { 19131, "₹168.00 less than the diary: 2 fewer days of 1.5 L of Cow at ₹56.00" },
    { 36098, "₹1.67 more than the diary: a price of ₹72.00 a litre for Buffalo instead of ₹70.00" },
    { 35941, "₹0.10 more than the diary" },
  };
  const MilkCurrency *inr = milk_currency_lookup ("INR");
  g_autoptr(MilkLedger) ledger = three_months ();
  g_autoptr(MilkBill) bill = NULL;
  g_autofree char *name = milk_bill_check_setting_name (day ("2026-09-17"));
  Diary d;

  diary_init (&d);
  bill = milk_bill_new (day ("2026-09-01"), d.products, d.entries, d.schedules, ledger);
  g_assert_cmpint (bill->amount, ==, 35931);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *said = milk_bill_explain (bill, cases[i].asked, inr);

      g_assert_cmpstr (said, ==, cases[i].said);
    }
  g_assert_cmpstr (name, ==, "milkman-bill-2026-09");
  diary_clear (&d);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bill/lines-and-totals", test_lines_and_totals);
  g_test_add_func ("/bill/average", test_average);
  g_test_add_func ("/bill/milkman-asks", test_milkman_asks);
  g_test_add_func ("/ledger/payment-for-a-bill", test_payment_for_a_bill);
  g_test_add_func ("/ledger/default-rule", test_default_rule);
  g_test_add_func ("/ledger/deterministic", test_deterministic);
  g_test_add_func ("/ledger/partly-paid-and-credit", test_partly_paid_and_credit);
  g_test_add_func ("/ledger/record-bill", test_record_bill);

  return g_test_run ();
}
