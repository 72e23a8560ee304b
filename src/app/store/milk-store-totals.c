/* milk-store-totals.c — bills over any span of days
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-store"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "milk-store-private.h"

void
milk_totals_clear (MilkTotals *totals)
{
  g_clear_pointer (&totals->product, g_free);
  memset (totals, 0, sizeof *totals);
}

void
milk_totals_free (MilkTotals *totals)
{
  if (totals == NULL)
    return;
  g_free (totals->product);
  g_free (totals);
}

/* Every product's prices: product id → MilkPriceSchedule. */
GHashTable *
_milk_store_load_schedules (MilkStore  *self,
                            GError    **error)
{
  g_autoptr(GHashTable) schedules = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                           (GDestroyNotify) milk_price_schedule_free);
  sqlite3_stmt *stmt = _milk_store_prepare (self,
      "SELECT product, day, price_per_l FROM prices WHERE NOT deleted", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *product = (const char *) sqlite3_column_text (stmt, 0);
      MilkDay day = milk_day_parse ((const char *) sqlite3_column_text (stmt, 1), NULL);
      MilkPriceSchedule *schedule;

      if (product == NULL || day == MILK_DAY_INVALID)
        continue;
      schedule = g_hash_table_lookup (schedules, product);
      if (schedule == NULL)
        {
          schedule = milk_price_schedule_new ();
          g_hash_table_insert (schedules, g_strdup (product), schedule);
        }
      milk_price_schedule_set (schedule, day, sqlite3_column_int64 (stmt, 2));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _milk_store_set_error (self, error);
      return NULL;
    }
  return g_steal_pointer (&schedules);
}

static MilkTotals *
totals_for (GPtrArray  *per_product,
            GHashTable *index,
            const char *product)
{
  MilkTotals *totals = g_hash_table_lookup (index, product);

  if (totals == NULL)
    {
      totals = g_new0 (MilkTotals, 1);
      totals->product = g_strdup (product);
      g_ptr_array_add (per_product, totals);
      g_hash_table_insert (index, totals->product, totals);
    }
  return totals;
}

/* The overall line counts days, not product-days: a day with cow's and
 * buffalo milk is one delivery day. */
typedef struct
{
  char day[11];
  gboolean any_delivered;
  gboolean any_unpriced;
} DayState;

static void
flush_day (MilkTotals *overall,
           DayState   *state)
{
  if (state->day[0] == '\0')
    return;
  if (state->any_delivered)
    overall->delivered_days++;
  else
    overall->skipped_days++;
  if (state->any_unpriced)
    overall->unpriced_days++;
  memset (state, 0, sizeof *state);
}

static void
count_entry (MilkTotals *totals,
             gint64      qty_ml,
             gint64      price)
{
  totals->qty_ml += qty_ml;
  if (qty_ml == 0)
    totals->skipped_days++;
  else
    {
      totals->delivered_days++;
      if (price < 0)
        totals->unpriced_days++;
      else
        milk_amount_add (&totals->amount, milk_amount_for_quantity (qty_ml, price));
    }
}

/* Each entry's amount is its quantity at the price in force that day (or
 * its own override), rounded once; a bill is the sum of those amounts, so
 * its lines always add up to its total. */
gboolean
milk_store_totals (MilkStore   *self,
                   MilkDay      first,
                   MilkDay      last,
                   MilkTotals  *overall,
                   GPtrArray  **per_product,
                   GError     **error)
{
  g_autoptr(GHashTable) schedules = NULL;
  g_autoptr(GPtrArray) products = NULL;
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_totals_free);
  g_autoptr(GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  sqlite3_stmt *stmt;
  DayState state = { { 0 } };
  char a[11], b[11];
  int rc;

  g_return_val_if_fail (MILK_IS_STORE (self), FALSE);
  g_return_val_if_fail (overall != NULL, FALSE);

  memset (overall, 0, sizeof *overall);
  if ((schedules = _milk_store_load_schedules (self, error)) == NULL ||
      (products = milk_store_list_products (self, TRUE, error)) == NULL)
    return FALSE;

  for (guint i = 0; i < products->len; i++)
    totals_for (lines, index, ((MilkRecord *) g_ptr_array_index (products, i))->id);

  milk_day_format_iso (first, a);
  milk_day_format_iso (last, b);
  stmt = _milk_store_prepare (self,
      "SELECT product, day, qty_ml, price_override FROM entries "
      "WHERE day BETWEEN ? AND ? AND NOT deleted ORDER BY day", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, a, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, b, -1, SQLITE_TRANSIENT);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *product = (const char *) sqlite3_column_text (stmt, 0);
      const char *day_text = (const char *) sqlite3_column_text (stmt, 1);
      gint64 qty_ml = sqlite3_column_int64 (stmt, 2);
      gint64 price;

      if (product == NULL || day_text == NULL)
        continue;
      if (strcmp (day_text, state.day) != 0)
        {
          flush_day (overall, &state);
          g_strlcpy (state.day, day_text, sizeof state.day);
        }
      if (sqlite3_column_type (stmt, 3) != SQLITE_NULL)
        price = sqlite3_column_int64 (stmt, 3);
      else
        {
          MilkPriceSchedule *schedule = g_hash_table_lookup (schedules, product);
          MilkDay day = milk_day_parse ((const char *) sqlite3_column_text (stmt, 1), NULL);

          price = schedule && day ? milk_price_schedule_lookup (schedule, day) : -1;
        }

      overall->qty_ml += qty_ml;
      if (qty_ml > 0)
        {
          state.any_delivered = TRUE;
          if (price < 0)
            state.any_unpriced = TRUE;
          else
            milk_amount_add (&overall->amount, milk_amount_for_quantity (qty_ml, price));
        }
      count_entry (totals_for (lines, index, product), qty_ml, price);
    }
  flush_day (overall, &state);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _milk_store_set_error (self, error);
      return FALSE;
    }

  if (per_product)
    *per_product = g_steal_pointer (&lines);
  return TRUE;
}

gboolean
milk_store_month_totals (MilkStore   *self,
                         int          year,
                         int          month,
                         MilkTotals  *overall,
                         GPtrArray  **per_product,
                         GError     **error)
{
  MilkDay first = milk_day_month_first (year, month);

  if (first == MILK_DAY_INVALID)
    {
      g_set_error (error, MILK_STORE_ERROR, MILK_STORE_ERROR_INVALID, _("There is no month %d-%02d"), year, month);
      return FALSE;
    }
  return milk_store_totals (self, first, milk_day_month_last (year, month), overall, per_product, error);
}

gboolean
milk_store_year_totals (MilkStore   *self,
                        int          year,
                        MilkTotals  *overall,
                        GPtrArray  **per_product,
                        GError     **error)
{
  MilkDay first = milk_day_from_ymd (year, 1, 1);

  if (first == MILK_DAY_INVALID)
    {
      g_set_error (error, MILK_STORE_ERROR, MILK_STORE_ERROR_INVALID, _("There is no year %d"), year);
      return FALSE;
    }
  return milk_store_totals (self, first, milk_day_from_ymd (year, 12, 31), overall, per_product, error);
}

gboolean
milk_store_all_time_totals (MilkStore   *self,
                            MilkTotals  *overall,
                            GPtrArray  **per_product,
                            GError     **error)
{
  return milk_store_totals (self,
                            milk_day_from_ymd (MILK_DAY_MIN_YEAR, 1, 1),
                            milk_day_from_ymd (MILK_DAY_MAX_YEAR, 12, 31),
                            overall, per_product, error);
}

gboolean
milk_store_payments_total (MilkStore  *self,
                           MilkDay     first,
                           MilkDay     last,
                           gint64     *amount,
                           GError    **error)
{
  sqlite3_stmt *stmt = _milk_store_prepare (self,
      "SELECT amount FROM payments WHERE day BETWEEN ? AND ? AND NOT deleted", error);
  char a[11], b[11];
  int rc;

  if (stmt == NULL)
    return FALSE;
  milk_day_format_iso (first, a);
  milk_day_format_iso (last, b);
  sqlite3_bind_text (stmt, 1, a, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, b, -1, SQLITE_TRANSIENT);

  *amount = 0;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    milk_amount_add (amount, sqlite3_column_int64 (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _milk_store_set_error (self, error);
      return FALSE;
    }
  return TRUE;
}

/* Everything owed up to and including a day, less everything paid by then:
 * a month's balance carries what earlier months left unpaid. */
gboolean
milk_store_balance_due (MilkStore  *self,
                        MilkDay     through,
                        gint64     *balance,
                        GError    **error)
{
  MilkDay first = milk_day_from_ymd (MILK_DAY_MIN_YEAR, 1, 1);
  MilkTotals owed;
  gint64 paid;

  if (!milk_store_totals (self, first, through, &owed, NULL, error) ||
      !milk_store_payments_total (self, first, through, &paid, error))
    return FALSE;
  *balance = owed.amount - paid;
  return TRUE;
}
