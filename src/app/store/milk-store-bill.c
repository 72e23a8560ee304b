/* milk-store-bill.c — gathers what a month's bill is computed from
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "milk-store-private.h"

/* The SQL is here; the arithmetic is MilkBill's and MilkLedger's. */

static GPtrArray *
all_payments (MilkStore  *self,
              GError    **error)
{
  return milk_store_list_payments (self,
                                   milk_day_from_ymd (MILK_DAY_MIN_YEAR, 1, 1),
                                   milk_day_from_ymd (MILK_DAY_MAX_YEAR, 12, 31),
                                   error);
}

/* Every month's amount, entry by entry as a bill sums it, and every
 * payment. */
static MilkLedger *
build_ledger (MilkStore   *self,
              GHashTable  *schedules,
              GError     **error)
{
  g_autoptr(MilkLedger) ledger = milk_ledger_new ();
  g_autoptr(GPtrArray) payments = NULL;
  g_autoptr(MilkRecord) entry = milk_record_new (MILK_RECORD_ENTRY);
  sqlite3_stmt *stmt;
  int rc;

  stmt = _milk_store_prepare (self, MILK_STORE_LEDGER_QUERY, error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *product = (const char *) sqlite3_column_text (stmt, 0);
      gint64 price;

      entry->day = milk_day_parse ((const char *) sqlite3_column_text (stmt, 1), NULL);
      if (product == NULL || entry->day == MILK_DAY_INVALID)
        continue;
      entry->qty_ml = sqlite3_column_int64 (stmt, 2);
      entry->price_override = sqlite3_column_type (stmt, 3) == SQLITE_NULL
                              ? MILK_NO_PRICE : sqlite3_column_int64 (stmt, 3);
      price = milk_entry_price (entry, g_hash_table_lookup (schedules, product));
      if (price >= 0)
        milk_ledger_add_amount (ledger, entry->day, milk_amount_for_quantity (entry->qty_ml, price));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _milk_store_set_error (self, error);
      return NULL;
    }

  if ((payments = all_payments (self, error)) == NULL)
    return NULL;
  for (guint i = 0; i < payments->len; i++)
    milk_ledger_add_payment (ledger, g_ptr_array_index (payments, i));
  return g_steal_pointer (&ledger);
}

MilkLedger *
milk_store_build_ledger (MilkStore  *self,
                         GError    **error)
{
  g_autoptr(GHashTable) schedules = NULL;

  g_return_val_if_fail (MILK_IS_STORE (self), NULL);

  if ((schedules = _milk_store_load_schedules (self, error)) == NULL)
    return NULL;
  return build_ledger (self, schedules, error);
}

static MilkBill *
build_bill (MilkStore   *self,
            MilkDay      month,
            GPtrArray   *products,
            GHashTable  *schedules,
            MilkLedger  *ledger,
            GError     **error)
{
  int year, number;
  g_autoptr(GPtrArray) entries = NULL;

  milk_day_get_ymd (month, &year, &number, NULL);
  entries = milk_store_list_entries (self, month, milk_day_month_last (year, number), error);
  if (entries == NULL)
    return NULL;
  return milk_bill_new (month, products, entries, schedules, ledger);
}

static gboolean
check_month (int      year,
             int      month,
             GError **error)
{
  if (milk_day_month_first (year, month) == MILK_DAY_INVALID)
    {
      g_set_error (error, MILK_STORE_ERROR, MILK_STORE_ERROR_INVALID, _("There is no month %d-%02d"), year, month);
      return FALSE;
    }
  return TRUE;
}

/* Where the diary stands: changes made through this connection (with
 * their triggers') and the commits of others; FALSE when it cannot tell. */
static gboolean
read_stand (MilkStore *self,
            gint64    *changes,
            gint64    *data_version)
{
  sqlite3_stmt *stmt = _milk_store_prepare (self, "PRAGMA data_version", NULL);
  gboolean read;

  if (stmt == NULL)
    return FALSE;
  read = sqlite3_step (stmt) == SQLITE_ROW;
  *data_version = read ? sqlite3_column_int64 (stmt, 0) : -1;
  sqlite3_reset (stmt);
  *changes = sqlite3_total_changes64 (self->db);
  return read;
}

/* milk_store_prepare_bill()'s bill, if it is @year/@month's and the diary
 * has not changed since; it is given once. */
static MilkBill *
take_prepared (MilkStore *self,
               int        year,
               int        month)
{
  g_autoptr(MilkBill) bill = g_steal_pointer (&self->prepared.bill);
  gint64 changes, data_version;

  if (bill == NULL || self->prepared.year != year || self->prepared.month != month ||
      !read_stand (self, &changes, &data_version) ||
      changes != self->prepared.changes || data_version != self->prepared.data_version)
    return NULL;
  return g_steal_pointer (&bill);
}

MilkBill *
milk_store_build_bill (MilkStore  *self,
                       int         year,
                       int         month,
                       GError    **error)
{
  g_autoptr(GHashTable) schedules = NULL;
  g_autoptr(GPtrArray) products = NULL;
  g_autoptr(MilkLedger) ledger = NULL;
  MilkBill *prepared;

  g_return_val_if_fail (MILK_IS_STORE (self), NULL);

  if ((prepared = take_prepared (self, year, month)) != NULL)
    return prepared;
  if (!check_month (year, month, error) ||
      (schedules = _milk_store_load_schedules (self, error)) == NULL ||
      (products = milk_store_list_products (self, TRUE, error)) == NULL ||
      (ledger = build_ledger (self, schedules, error)) == NULL)
    return NULL;
  return build_bill (self, milk_day_month_first (year, month), products, schedules, ledger, error);
}

/**
 * milk_store_prepare_bill:
 * @year: the bill's year
 * @month: its month, 1 to 12
 *
 * Builds @year/@month's bill now, for the next milk_store_build_bill() of
 * that month to take, if the diary has not changed in between. The
 * application opens the diary and prepares the month's bill on a thread
 * while GTK starts (milk-diary-opener.c): summing ten years of history
 * is then done on the other core, not before the window's first frame.
 *
 * Returns: whether the bill was built
 */
gboolean
milk_store_prepare_bill (MilkStore  *self,
                         int         year,
                         int         month,
                         GError    **error)
{
  g_autoptr(MilkBill) bill = NULL;
  gboolean stands;

  g_return_val_if_fail (MILK_IS_STORE (self), FALSE);

  g_clear_pointer (&self->prepared.bill, milk_bill_free);
  /* Read before building: a commit by another program while the bill is
   * built then counts as a change, and the bill is built again. */
  stands = read_stand (self, &self->prepared.changes, &self->prepared.data_version);
  if ((bill = milk_store_build_bill (self, year, month, error)) == NULL)
    return FALSE;
  if (!stands)
    return TRUE;
  self->prepared.bill = g_steal_pointer (&bill);
  self->prepared.year = year;
  self->prepared.month = month;
  return TRUE;
}

/* The twelve bills of a year, January first, from one pass over the
 * history. */
GPtrArray *
milk_store_build_year_bills (MilkStore  *self,
                             int         year,
                             GError    **error)
{
  g_autoptr(GHashTable) schedules = NULL;
  g_autoptr(GPtrArray) products = NULL;
  g_autoptr(MilkLedger) ledger = NULL;
  g_autoptr(GPtrArray) bills = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_bill_free);

  g_return_val_if_fail (MILK_IS_STORE (self), NULL);

  if (!check_month (year, 1, error) ||
      (schedules = _milk_store_load_schedules (self, error)) == NULL ||
      (products = milk_store_list_products (self, TRUE, error)) == NULL ||
      (ledger = build_ledger (self, schedules, error)) == NULL)
    return NULL;
  for (int month = 1; month <= 12; month++)
    {
      MilkBill *bill = build_bill (self, milk_day_month_first (year, month), products, schedules, ledger, error);

      if (bill == NULL)
        return NULL;
      g_ptr_array_add (bills, bill);
    }
  return g_steal_pointer (&bills);
}

/* A payment for @bill (any day of its month), or, for MILK_DAY_INVALID,
 * for the oldest bill not settled on @day: decided now and stored with
 * the payment, so that later edits to older months do not move it. */
char *
milk_store_record_payment (MilkStore   *self,
                           MilkDay      day,
                           gint64       amount,
                           const char  *note,
                           MilkDay      bill,
                           MilkDay     *bill_out,
                           GError     **error)
{
  g_autoptr(MilkRecord) record = milk_record_new (MILK_RECORD_PAYMENT);

  g_return_val_if_fail (MILK_IS_STORE (self), NULL);

  if (bill == MILK_DAY_INVALID && milk_day_is_valid (day))
    {
      g_autoptr(MilkLedger) ledger = milk_store_build_ledger (self, error);

      if (ledger == NULL)
        return NULL;
      bill = milk_ledger_default_bill (ledger, day);
    }
  record->id = milk_uuid_new ();
  record->day = day;
  record->amount = amount;
  record->bill = milk_day_month_of (bill);
  record->note = g_strdup (note ? note : "");
  if (!milk_store_put (self, record, error))
    return NULL;
  if (bill_out)
    *bill_out = record->bill;
  return g_strdup (record->id);
}
