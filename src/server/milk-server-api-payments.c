/* milk-server-api-payments.c — /api/v1/payments: the payments listed, and
 * one added
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include "milk-ledger.h"
#include "milk-server-api-private.h"
#include "milk-server-db-api.h"
#include "milk-server-diary.h"
#include "milk-server-request.h"
#include "milk-server-routes.h"
#include "milk-server-tokens.h"

/* ---- /api/v1/payments ---- */

static void
list_payments (MilkRequest *request,
               PGconn      *conn,
               gint64       account_id)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkAccountDiary) diary = NULL;
  g_autoptr(MilkLedger) ledger = NULL;

  if ((diary = milk_account_diary_load (conn, account_id, &error)) == NULL)
    {
      milk_respond_db_error (request, error);
      return;
    }
  ledger = milk_account_diary_ledger (diary);
  json_builder_begin_object (builder);
  _milk_api_add_string (builder, "currency", diary->currency);
  json_builder_set_member_name (builder, "payments");
  json_builder_begin_array (builder);
  for (guint i = 0; i < diary->payments->len; i++)
    {
      const MilkRecord *payment = g_ptr_array_index (diary->payments, i);

      _milk_api_add_payment (builder, payment, milk_ledger_payment_bill (ledger, payment->id));
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT, account_id);
  _milk_api_respond_builder (request, SOUP_STATUS_OK, builder);
}

static void
add_payment_request (MilkRequest *request,
                     PGconn      *conn,
                     gint64       account_id)
{
  static const char * const known[] = { "id", "day", "amount", "note", "bill", NULL };
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(MilkRecord) payment = milk_record_new (MILK_RECORD_PAYMENT);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkRecord) stored = NULL;
  const char *id = NULL, *day = NULL, *bill = NULL, *note = "";
  MilkApiMember has_id;
  gint64 amount = 0;
  MilkApiMember has_bill;

  if ((body = _milk_api_read_object (request)) == NULL || !_milk_api_only_known_members (request, body, known))
    return;
  if (_milk_api_string_member (body, "day", &day) != MILK_API_MEMBER_SET || (payment->day = _milk_api_parse_day (day)) == MILK_DAY_INVALID)
    {
      _milk_api_fail (request, "invalid_day", "Give the day of the payment as YYYY-MM-DD");
      return;
    }
  if (_milk_api_int_member (body, "amount", &amount) != MILK_API_MEMBER_SET)
    {
      _milk_api_fail (request, "invalid_amount", "Give the amount as a whole number of minor units");
      return;
    }
  if (_milk_api_string_member (body, "note", &note) == MILK_API_MEMBER_WRONG)
    {
      _milk_api_fail (request, "invalid_note", "A note is text");
      return;
    }
  has_bill = _milk_api_string_member (body, "bill", &bill);
  if (has_bill == MILK_API_MEMBER_WRONG ||
      (has_bill == MILK_API_MEMBER_SET && (payment->bill = milk_day_parse_month (bill)) == MILK_DAY_INVALID))
    {
      _milk_api_fail (request, "invalid_month", "Name the month the payment is for as YYYY-MM, or leave it out");
      return;
    }
  has_id = _milk_api_string_member (body, "id", &id);
  if (has_id == MILK_API_MEMBER_WRONG || (has_id == MILK_API_MEMBER_SET && !milk_uuid_is_valid (id)))
    {
      _milk_api_fail (request, "invalid_key", "A payment's id is a UUID chosen by the client, or left out");
      return;
    }
  payment->id = has_id == MILK_API_MEMBER_SET ? g_ascii_strdown (id, -1) : milk_uuid_new ();
  payment->amount = amount;
  payment->note = g_strdup (note ? note : "");
  payment->hlc = g_strdup ("0000000000000-0000-0000000000000000");
  if (!milk_record_validate (payment, &error))
    {
      _milk_api_respond_invalid (request, error);
      return;
    }

  /* A client that names the payment may send it again (its answer was
   * lost): the same payment is answered as stored, never added twice. */
  if (has_id == MILK_API_MEMBER_SET)
    {
      if (!milk_db_record_get (conn, account_id, MILK_RECORD_PAYMENT, payment->id, &stored, &error))
        {
          milk_respond_db_error (request, error);
          return;
        }
      if (stored && !stored->deleted && stored->day == payment->day && stored->amount == payment->amount &&
          g_strcmp0 (stored->note, payment->note) == 0 &&
          (has_bill != MILK_API_MEMBER_SET || stored->bill == payment->bill))
        {
          _milk_api_add_payment (builder, stored, stored->bill);
          _milk_api_respond_builder (request, SOUP_STATUS_OK, builder);
          return;
        }
      if (stored)
        {
          milk_respond_error (request, SOUP_STATUS_CONFLICT, "conflict",
                              stored->deleted ? "The payment with this id was deleted"
                                              : "Another payment has this id");
          return;
        }
    }

  if (payment->bill == MILK_DAY_INVALID)
    {
      /* For the oldest bill not settled on its day, decided now and
       * stored with it, as the app does (milk_store_record_payment). */
      g_autoptr(MilkAccountDiary) diary = milk_account_diary_load (conn, account_id, &error);
      g_autoptr(MilkLedger) ledger = NULL;

      if (diary == NULL)
        {
          milk_respond_db_error (request, error);
          return;
        }
      ledger = milk_account_diary_ledger (diary);
      payment->bill = milk_day_month_of (milk_ledger_default_bill (ledger, payment->day));
    }
  if (!_milk_api_store_record (request, conn, account_id, payment, NULL))
    return;
  request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT " stored=1", account_id);
  _milk_api_add_payment (builder, payment, payment->bill);
  _milk_api_respond_builder (request, SOUP_STATUS_CREATED, builder);
}

void
milk_route_api_payments (MilkRequest *request,
                         PGconn      *conn)
{
  gboolean write = g_str_equal (request->method, "POST");
  gint64 account_id;

  if ((account_id = milk_api_authenticate (request, conn, write)) == 0)
    return;
  if (write)
    add_payment_request (request, conn, account_id);
  else
    list_payments (request, conn, account_id);
}
