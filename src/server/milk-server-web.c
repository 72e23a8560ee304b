/* milk-server-web.c — the diary on the web: a month's calendar and its
 * bill, read-only, for the signed-in account
 *
 * Plain HTML and CSS, no script, so a phone's browser shows it as well as
 * a desktop's; the figures are the app's (MilkBill over the account's
 * records, as GET /api/v1/months computes them).
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include "milk-core.h"
#include "milk-server-db-accounts.h"
#include "milk-server-diary.h"
#include "milk-server-request.h"
#include "milk-server-routes.h"
#include "milk-server-session.h"

static char *
escape (const char *text)
{
  return g_markup_escape_text (text ? text : "", -1);
}

static char *
month_label (MilkDay month)
{
  static const char * const names[] = { "January", "February", "March", "April", "May", "June", "July",
                                        "August", "September", "October", "November", "December" };
  int y, m, d;

  milk_day_get_ymd (month, &y, &m, &d);
  return g_strdup_printf ("%s %d", names[m - 1], y);
}

static char *
month_param (MilkDay month)
{
  char text[8];

  milk_day_format_month (month, text);
  return g_strdup (text);
}

/* What one day's cell says: its lines' quantities, named when the month
 * has several products. */
static void
append_day (GString        *html,
            const MilkBill *bill,
            MilkDay         day,
            gboolean        several,
            gboolean        today)
{
  g_autoptr(GString) lines = g_string_new (NULL);
  gboolean recorded = FALSE, delivered = FALSE;
  int y, m, d;

  milk_day_get_ymd (day, &y, &m, &d);
  for (guint i = 0; i < bill->lines->len; i++)
    {
      const MilkBillLine *line = g_ptr_array_index (bill->lines, i);
      g_autofree char *qty = NULL;
      g_autofree char *name = NULL;

      if (line->day != day)
        continue;
      recorded = TRUE;
      if (line->qty_ml == 0)
        continue;
      delivered = TRUE;
      qty = line->split ? milk_quantity_format_split (line->morning_ml, line->evening_ml)
                        : milk_quantity_format (line->qty_ml);
      /* "1 + 0.5 L" may break after the "+", never before the unit. */
      if (g_strrstr (qty, " "))
        {
          g_autofree char *whole = g_steal_pointer (&qty);
          char *space = g_strrstr (whole, " ");

          *space = '\0';
          qty = g_strconcat (whole, "\u00a0", space + 1, NULL);
        }
      name = escape (line->name);
      if (several)
        g_string_append_printf (lines, "<span class=\"q\"><span class=\"p\">%s</span> %s</span>", name, qty);
      else
        g_string_append_printf (lines, "<span class=\"q\">%s</span>", qty);
    }
  if (recorded && !delivered)
    g_string_append (lines, "<span class=\"q none\">none</span>");
  g_string_append_printf (html, "<li class=\"day%s%s\"><span class=\"n\">%d</span>%s</li>\n",
                          delivered ? " delivered" : "", today ? " today" : "", d, lines->str);
}

static char *
calendar_html (const MilkBill *bill)
{
  static const char * const weekdays[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  GString *html = g_string_new ("<ol class=\"calendar\">\n");
  MilkDay next = milk_day_next_month (bill->month);
  MilkDay today = milk_day_today ();
  gboolean several = bill->products->len > 1;

  for (guint i = 0; i < G_N_ELEMENTS (weekdays); i++)
    g_string_append_printf (html, "<li class=\"weekday\" aria-hidden=\"true\">%s</li>\n", weekdays[i]);
  for (int i = 1; i < milk_day_weekday (bill->month); i++)
    g_string_append (html, "<li class=\"blank\" aria-hidden=\"true\"></li>\n");
  for (MilkDay day = bill->month; day < next; day++)
    append_day (html, bill, day, several, day == today);
  g_string_append (html, "</ol>\n");
  return g_string_free (html, FALSE);
}

static void
append_row (GString    *html,
            const char *label,
            const char *value,
            const char *class)
{
  g_autofree char *l = escape (label);
  g_autofree char *v = escape (value);

  g_string_append_printf (html, "<tr%s%s%s><th scope=\"row\">%s</th><td>%s</td></tr>\n",
                          class ? " class=\"" : "", class ? class : "", class ? "\"" : "", l, v);
}

/* The bill panel's rows, in the app's words. */
static char *
bill_html (const MilkBill     *bill,
           const MilkCurrency *currency)
{
  GString *html = g_string_new ("<table class=\"bill\">\n");
  g_autofree char *litres = milk_quantity_format (bill->qty_ml);
  g_autofree char *days = g_strdup_printf (bill->delivered_days == 1 ? "%u day" : "%u days", bill->delivered_days);
  g_autofree char *amount = milk_money_format (bill->amount, currency);
  g_autofree char *forward = milk_money_format (bill->brought_forward, currency);
  g_autofree char *paid = milk_money_format (bill->paid, currency);
  g_autofree char *due = milk_money_format (bill->balance_due, currency);

  append_row (html, "Milk delivered", litres, NULL);
  if (bill->products->len > 1)
    for (guint i = 0; i < bill->products->len; i++)
      {
        const MilkBillProduct *product = g_ptr_array_index (bill->products, i);
        g_autofree char *qty = milk_quantity_format (product->qty_ml);
        g_autofree char *money = milk_money_format (product->amount, currency);
        g_autofree char *value = g_strdup_printf ("%s · %s", qty, money);

        append_row (html, product->name, value, "product");
      }
  append_row (html, "Delivery days", days, NULL);
  append_row (html, "Amount", amount, "amount");
  if (bill->brought_forward != 0)
    append_row (html, bill->brought_forward > 0 ? "Brought forward" : "Credit brought forward", forward, NULL);
  append_row (html, "Paid", paid, NULL);
  append_row (html, bill->balance_due >= 0 ? "Balance due" : "Credit", due, "due");
  g_string_append (html, "</table>\n");
  return g_string_free (html, FALSE);
}

/* GET /diary?month=YYYY-MM (this month without one). */
void
milk_route_diary (MilkRequest *request,
                  PGconn      *conn)
{
  g_autoptr(MilkWebSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkAccountDiary) diary = NULL;
  g_autoptr(MilkLedger) ledger = NULL;
  g_autoptr(MilkBill) bill = NULL;
  const char *asked = g_hash_table_lookup (request->query, "month");
  const MilkCurrency *currency;
  MilkDay month, before, after;
  g_autofree char *title = NULL, *prev = NULL, *next = NULL, *prev_label = NULL, *next_label = NULL;
  g_autofree char *calendar = NULL, *table = NULL;

  if ((session = milk_page_session (request, conn, &error)) == NULL)
    {
      milk_respond_db_error (request, error);
      return;
    }
  if (session->account_id == 0)
    {
      milk_respond_redirect (request, "/signin?return_to=%2Fdiary");
      return;
    }
  month = asked ? milk_day_parse_month (asked) : milk_day_month_of (milk_day_today ());
  if (month == MILK_DAY_INVALID)
    {
      milk_respond_page (request, SOUP_STATUS_BAD_REQUEST, "message", "title", "No such month",
                         "message", "Name a month as YYYY-MM.", "link", "/diary", "link_label", "This month", NULL);
      return;
    }
  if ((diary = milk_account_diary_load (conn, session->account_id, &error)) == NULL)
    {
      milk_respond_db_error (request, error);
      return;
    }
  ledger = milk_account_diary_ledger (diary);
  bill = milk_bill_new (month, diary->products, diary->entries, diary->schedules, ledger);
  currency = milk_currency_lookup (diary->currency);
  if (currency == NULL)
    currency = milk_currency_lookup ("INR");   /* the app's own default */

  before = milk_day_month_of (month - 1);
  after = milk_day_next_month (month);
  if (!milk_day_is_valid (before))
    before = month;
  if (!milk_day_is_valid (after))
    after = month;
  title = month_label (month);
  prev = month_param (before);
  next = month_param (after);
  prev_label = month_label (before);
  next_label = month_label (after);
  calendar = calendar_html (bill);
  table = bill_html (bill, currency);
  milk_respond_page (request, SOUP_STATUS_OK, "diary", "title", title, "email", session->email,
                     "prev", prev, "next", next, "prev_label", prev_label, "next_label", next_label,
                     "calendar", calendar, "bill", table, NULL);
}
