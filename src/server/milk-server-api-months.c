/* milk-server-api-months.c — GET /api/v1/months/YYYY-MM: a month's bill
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <string.h>

#include "milk-bill.h"
#include "milk-ledger.h"
#include "milk-server-api-private.h"
#include "milk-server-diary.h"
#include "milk-server-request.h"
#include "milk-server-routes.h"
#include "milk-server-tokens.h"

#define MONTHS_PATH   "/api/v1/months/"

/* ---- GET /api/v1/months/YYYY-MM ---- */

static const char *
state_name (MilkBillState state)
{
  switch (state)
    {
    case MILK_BILL_SETTLED:
      return "settled";
    case MILK_BILL_PARTLY_PAID:
      return "partly_paid";
    case MILK_BILL_DUE:
    default:
      return "due";
    }
}

/* Each day of each product, as the bill lists them. */
static void
add_days (JsonBuilder    *builder,
          const MilkBill *bill)
{
  json_builder_set_member_name (builder, "days");
  json_builder_begin_array (builder);
  for (guint i = 0; i < bill->lines->len; i++)
    {
      const MilkBillLine *line = g_ptr_array_index (bill->lines, i);

      json_builder_begin_object (builder);
      _milk_api_add_day (builder, "day", line->day);
      _milk_api_add_string (builder, "product", line->product);
      _milk_api_add_string (builder, "name", line->name);
      _milk_api_add_int (builder, "qty_ml", line->qty_ml);
      if (line->split)
        {
          _milk_api_add_int (builder, "morning_ml", line->morning_ml);
          _milk_api_add_int (builder, "evening_ml", line->evening_ml);
        }
      _milk_api_add_price (builder, "price_per_l", line->price_per_l);
      _milk_api_add_bool (builder, "price_overridden", line->price_overridden);
      _milk_api_add_int (builder, "amount", line->amount);
      _milk_api_add_string (builder, "note", line->note);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

/* Each product's sums for the month. */
static void
add_products (JsonBuilder    *builder,
              const MilkBill *bill)
{
  json_builder_set_member_name (builder, "products");
  json_builder_begin_array (builder);
  for (guint i = 0; i < bill->products->len; i++)
    {
      const MilkBillProduct *product = g_ptr_array_index (bill->products, i);

      json_builder_begin_object (builder);
      _milk_api_add_string (builder, "product", product->product);
      _milk_api_add_string (builder, "name", product->name);
      _milk_api_add_int (builder, "qty_ml", product->qty_ml);
      _milk_api_add_int (builder, "amount", product->amount);
      _milk_api_add_int (builder, "delivered_days", product->delivered_days);
      _milk_api_add_int (builder, "skipped_days", product->skipped_days);
      _milk_api_add_int (builder, "unpriced_days", product->unpriced_days);
      if (product->split_days > 0)
        {
          _milk_api_add_int (builder, "split_days", product->split_days);
          _milk_api_add_int (builder, "morning_ml", product->morning_ml);
          _milk_api_add_int (builder, "evening_ml", product->evening_ml);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

/* The prices that held in the month, from the day each did. */
static void
add_prices (JsonBuilder    *builder,
            const MilkBill *bill)
{
  json_builder_set_member_name (builder, "prices");
  json_builder_begin_array (builder);
  for (guint i = 0; i < bill->prices->len; i++)
    {
      const MilkBillPrice *price = g_ptr_array_index (bill->prices, i);

      json_builder_begin_object (builder);
      _milk_api_add_string (builder, "product", price->product);
      _milk_api_add_string (builder, "name", price->name);
      _milk_api_add_day (builder, "from", price->from);
      _milk_api_add_int (builder, "price_per_l", price->price_per_l);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_payments (JsonBuilder    *builder,
              const MilkBill *bill)
{
  json_builder_set_member_name (builder, "payments");
  json_builder_begin_array (builder);
  for (guint i = 0; i < bill->payments->len; i++)
    _milk_api_add_payment (builder, g_ptr_array_index (bill->payments, i), bill->month);
  json_builder_end_array (builder);
}

/* The month as a whole, and where the account stands. */
static void
add_totals (JsonBuilder    *builder,
            const MilkBill *bill)
{
  _milk_api_add_int (builder, "qty_ml", bill->qty_ml);
  _milk_api_add_int (builder, "amount", bill->amount);
  _milk_api_add_int (builder, "delivered_days", bill->delivered_days);
  _milk_api_add_int (builder, "skipped_days", bill->skipped_days);
  _milk_api_add_int (builder, "unpriced_days", bill->unpriced_days);
  _milk_api_add_int (builder, "average_ml", bill->average_ml);
  _milk_api_add_int (builder, "brought_forward", bill->brought_forward);
  _milk_api_add_int (builder, "paid", bill->paid);
  _milk_api_add_int (builder, "balance_due", bill->balance_due);
  _milk_api_add_string (builder, "state", state_name (bill->state));
}

void
milk_route_api_month (MilkRequest *request,
                      PGconn      *conn)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkAccountDiary) diary = NULL;
  g_autoptr(MilkLedger) ledger = NULL;
  g_autoptr(MilkBill) bill = NULL;
  const char *text = request->path + strlen (MONTHS_PATH);
  gint64 account_id;
  MilkDay month;

  if (!_milk_api_has_segments (request, MONTHS_PATH, 1) ||
      (account_id = milk_api_authenticate (request, conn, FALSE)) == 0)
    return;
  if ((month = milk_day_parse_month (text)) == MILK_DAY_INVALID)
    {
      milk_respond_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_month",
                          "Name a month as YYYY-MM, between 1900-01 and 9999-12");
      return;
    }
  if ((diary = milk_account_diary_load (conn, account_id, &error)) == NULL)
    {
      milk_respond_db_error (request, error);
      return;
    }
  ledger = milk_account_diary_ledger (diary);
  bill = milk_bill_new (month, diary->products, diary->entries, diary->schedules, ledger);

  json_builder_begin_object (builder);
  _milk_api_add_month (builder, "month", bill->month);
  _milk_api_add_string (builder, "currency", diary->currency);

  add_days (builder, bill);
  add_products (builder, bill);
  add_prices (builder, bill);
  add_payments (builder, bill);
  add_totals (builder, bill);
  json_builder_end_object (builder);

  request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT, account_id);
  _milk_api_respond_builder (request, SOUP_STATUS_OK, builder);
}
