/* milk-csv-export.c — prices and payments written as CSV (RFC 4180, UTF-8),
 * and the files the diary is exported to; the entries' rows in milk-csv-entries.c
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-import"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "milk-csv.h"
#include "milk-csv-private.h"

void
_milk_csv_append_field (GString    *out,
                        const char *field,
                        gboolean    last)
{
  gsize len = strlen (field);
  gboolean quote = strpbrk (field, ",\"\r\n") != NULL ||
                   (len > 0 && (g_ascii_isspace (field[0]) || g_ascii_isspace (field[len - 1])));

  if (quote)
    {
      g_string_append_c (out, '"');
      for (const char *p = field; *p; p++)
        {
          if (*p == '"')
            g_string_append_c (out, '"');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  else
    g_string_append (out, field);
  g_string_append (out, last ? "\r\n" : ",");
}


char *
milk_csv_format_payments (MilkStore  *store,
                          MilkDay     first,
                          MilkDay     last,
                          gsize      *length,
                          GError    **error)
{
  g_autoptr(GPtrArray) payments = NULL;
  const MilkCurrency *currency;
  GString *out;

  g_return_val_if_fail (MILK_IS_STORE (store), NULL);

  payments = milk_store_list_payments (store, first, last, error);
  if (payments == NULL)
    return NULL;
  currency = milk_store_get_currency (store);

  out = g_string_new (MILK_CSV_PAYMENTS_HEADER "\r\n");
  for (guint i = 0; i < payments->len; i++)
    {
      MilkRecord *payment = g_ptr_array_index (payments, i);
      g_autofree char *amount = _milk_decimal_format (payment->amount,
                                                      milk_currency_get_minor_digits (currency));
      char day[11];

      char bill[8] = "";

      milk_day_format_iso (payment->day, day);
      if (payment->bill != MILK_DAY_INVALID)
        milk_day_format_month (payment->bill, bill);
      _milk_csv_append_field (out, day, FALSE);
      _milk_csv_append_field (out, amount, FALSE);
      _milk_csv_append_field (out, payment->note ? payment->note : "", FALSE);
      _milk_csv_append_field (out, bill, TRUE);
    }

  if (length)
    *length = out->len;
  return g_string_free (out, FALSE);
}

/* Every price change of every product, product by product in the
 * diary's order, oldest first. */
char *
milk_csv_format_prices (MilkStore  *store,
                        gsize      *length,
                        GError    **error)
{
  g_autoptr(GPtrArray) products = NULL;
  guint digits;
  GString *out;

  g_return_val_if_fail (MILK_IS_STORE (store), NULL);

  products = milk_store_list_products (store, TRUE, error);
  if (products == NULL)
    return NULL;
  digits = milk_currency_get_minor_digits (milk_store_get_currency (store));

  out = g_string_new (MILK_CSV_PRICES_HEADER "\r\n");
  for (guint i = 0; i < products->len; i++)
    {
      MilkRecord *product = g_ptr_array_index (products, i);
      g_autoptr(MilkPriceSchedule) schedule = milk_store_get_price_schedule (store, product->id, error);

      if (schedule == NULL)
        {
          g_string_free (out, TRUE);
          return NULL;
        }
      for (guint k = 0; k < milk_price_schedule_get_n_changes (schedule); k++)
        {
          g_autofree char *price = NULL;
          MilkDay from;
          gint64 per_l;
          char day[11];

          milk_price_schedule_get_change (schedule, k, &from, &per_l);
          price = _milk_decimal_format (per_l, digits);
          milk_day_format_iso (from, day);
          _milk_csv_append_field (out, day, FALSE);
          _milk_csv_append_field (out, product->name, FALSE);
          _milk_csv_append_field (out, price, TRUE);
        }
    }

  if (length)
    *length = out->len;
  return g_string_free (out, FALSE);
}

static gboolean
export_to (char        *data,
           gsize        length,
           const char  *path,
           GError     **error)
{
  g_autofree char *owned = data;

  if (owned == NULL)
    return FALSE;
  return g_file_set_contents (path, owned, length, error);
}

gboolean
milk_csv_export_entries (MilkStore   *store,
                         const char  *path,
                         GError     **error)
{
  gsize length = 0;
  char *data = milk_csv_format_entries (store,
                                        milk_day_from_ymd (MILK_DAY_MIN_YEAR, 1, 1),
                                        milk_day_from_ymd (MILK_DAY_MAX_YEAR, 12, 31),
                                        &length, error);

  return export_to (data, length, path, error);
}

/* The whole diary: its entries, then after a blank line its prices, then
 * its payments, each section under its own header; what
 * milk_csv_import_entries reads back. */
gboolean
milk_csv_export_diary (MilkStore   *store,
                       const char  *path,
                       GError     **error)
{
  MilkDay first = milk_day_from_ymd (MILK_DAY_MIN_YEAR, 1, 1);
  MilkDay last = milk_day_from_ymd (MILK_DAY_MAX_YEAR, 12, 31);
  g_autofree char *entries = milk_csv_format_entries (store, first, last, NULL, error);
  g_autofree char *prices = entries ? milk_csv_format_prices (store, NULL, error) : NULL;
  g_autofree char *payments = prices ? milk_csv_format_payments (store, first, last, NULL, error) : NULL;
  char *data;

  if (payments == NULL)
    return FALSE;
  data = g_strconcat (entries, "\r\n", prices, "\r\n", payments, NULL);
  return export_to (data, strlen (data), path, error);
}

gboolean
milk_csv_export_payments (MilkStore   *store,
                          const char  *path,
                          GError     **error)
{
  gsize length = 0;
  char *data = milk_csv_format_payments (store,
                                         milk_day_from_ymd (MILK_DAY_MIN_YEAR, 1, 1),
                                         milk_day_from_ymd (MILK_DAY_MAX_YEAR, 12, 31),
                                         &length, error);

  return export_to (data, length, path, error);
}
