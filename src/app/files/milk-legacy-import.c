/* milk-legacy-import.c — bring a Home Milk Calculator database over
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-import"

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "milk-import-private.h"
#include "milk-legacy-import.h"

/* The old app's file is read here and only here: it is not the diary's
 * cache, so its SQL does not belong in the store. Opened read-only. */
struct _MilkLegacyDb
{
  sqlite3 *db;
  MilkLegacyShape shape;
  gboolean has_username;
};

void
milk_legacy_user_free (MilkLegacyUser *user)
{
  if (user == NULL)
    return;
  g_free (user->email);
  g_free (user->username);
  g_free (user->currency);
  g_free (user);
}

static void
set_sqlite_error (sqlite3  *db,
                  GError  **error)
{
  int code = sqlite3_errcode (db);

  g_set_error (error, MILK_IMPORT_ERROR,
               code == SQLITE_NOTADB ? MILK_IMPORT_ERROR_NOT_LEGACY : MILK_IMPORT_ERROR_FAILED,
               _("Could not read the Home Milk Calculator database: %s"), sqlite3_errmsg (db));
}

/* Column names of a table, lower-cased; empty when there is no such table. */
static GHashTable *
table_columns (sqlite3     *db,
               const char  *table,
               GError     **error)
{
  g_autoptr(GHashTable) columns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *sql = g_strdup_printf ("PRAGMA table_info(\"%s\")", table);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (db, error);
      return NULL;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 1);

      if (name)
        g_hash_table_add (columns, g_ascii_strdown (name, -1));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (db, error);
      return NULL;
    }
  return g_steal_pointer (&columns);
}

static gboolean
has_all (GHashTable          *columns,
         const char * const  *names)
{
  for (guint i = 0; names[i]; i++)
    if (!g_hash_table_contains (columns, names[i]))
      return FALSE;
  return TRUE;
}

MilkLegacyDb *
milk_legacy_db_open (const char  *path,
                     GError     **error)
{
  static const char * const milk_columns[] = { "id", "date", "milk_qty", "cost", NULL };
  static const char * const user_columns[] = { "id", "email", NULL };
  static const char * const settings_columns[] = { "currency", NULL };
  g_autoptr(MilkLegacyDb) self = g_new0 (MilkLegacyDb, 1);
  g_autoptr(GHashTable) milk = NULL;
  g_autoptr(GHashTable) user = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      g_set_error (error, MILK_IMPORT_ERROR, MILK_IMPORT_ERROR_FAILED,
                   _("Could not open “%s”: %s"), path,
                   self->db ? sqlite3_errmsg (self->db) : g_strerror (ENOMEM));
      return NULL;
    }

  milk = table_columns (self->db, "milk", error);
  if (milk == NULL)
    return NULL;
  if (!has_all (milk, milk_columns))
    {
      g_set_error (error, MILK_IMPORT_ERROR, MILK_IMPORT_ERROR_NOT_LEGACY,
                   _("“%s” is not a Home Milk Calculator database: it has no table of milk records"),
                   path);
      return NULL;
    }

  if (!g_hash_table_contains (milk, "user_id"))
    {
      self->shape = MILK_LEGACY_SHAPE_SINGLE;
      return g_steal_pointer (&self);
    }

  user = table_columns (self->db, "user", error);
  if (user == NULL)
    return NULL;
  if (!has_all (user, user_columns))
    {
      g_set_error (error, MILK_IMPORT_ERROR, MILK_IMPORT_ERROR_NOT_LEGACY,
                   _("“%s” is not a Home Milk Calculator database: its records name users it does not hold"),
                   path);
      return NULL;
    }
  self->has_username = g_hash_table_contains (user, "username");
  self->shape = has_all (user, settings_columns) ? MILK_LEGACY_SHAPE_SETTINGS : MILK_LEGACY_SHAPE_USERS;
  return g_steal_pointer (&self);
}

void
milk_legacy_db_free (MilkLegacyDb *self)
{
  if (self == NULL)
    return;
  sqlite3_close (self->db);
  g_free (self);
}

MilkLegacyShape
milk_legacy_db_get_shape (MilkLegacyDb *self)
{
  return self->shape;
}

static char *
dup_column_text (sqlite3_stmt *stmt,
                 int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return text && g_utf8_validate (text, -1, NULL) ? g_strdup (text) : NULL;
}

GPtrArray *
milk_legacy_db_list_users (MilkLegacyDb  *self,
                           GError       **error)
{
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_legacy_user_free);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->shape == MILK_LEGACY_SHAPE_SINGLE)
    sql = g_strdup ("SELECT 0, NULL, NULL, NULL, count(*) FROM milk");
  else
    sql = g_strdup_printf ("SELECT u.id, u.email, %s, %s,"
                           " (SELECT count(*) FROM milk m WHERE m.user_id = u.id)"
                           " FROM \"user\" u ORDER BY u.id",
                           self->has_username ? "u.username" : "NULL",
                           self->shape == MILK_LEGACY_SHAPE_SETTINGS ? "u.currency" : "NULL");

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self->db, error);
      return NULL;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      MilkLegacyUser *user = g_new0 (MilkLegacyUser, 1);
      g_autofree char *currency = dup_column_text (stmt, 3);

      user->id = sqlite3_column_int64 (stmt, 0);
      user->email = dup_column_text (stmt, 1);
      user->username = dup_column_text (stmt, 2);
      if (currency)
        user->currency = g_ascii_strup (g_strstrip (currency), -1);
      user->n_records = (guint) sqlite3_column_int64 (stmt, 4);
      g_ptr_array_add (users, user);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self->db, error);
      return NULL;
    }
  return g_steal_pointer (&users);
}

static MilkLegacyUser *
find_user (MilkLegacyDb  *self,
           gint64         user_id,
           GError       **error)
{
  g_autoptr(GPtrArray) users = milk_legacy_db_list_users (self, error);

  if (users == NULL)
    return NULL;

  if (user_id == MILK_LEGACY_ONLY_USER)
    {
      if (users->len == 1)
        return g_ptr_array_steal_index (users, 0);
      if (users->len == 0)
        {
          g_set_error (error, MILK_IMPORT_ERROR, MILK_IMPORT_ERROR_NO_SUCH_USER,
                       _("The database holds no users"));
          return NULL;
        }
      else
        {
          g_autoptr(GString) names = g_string_new (NULL);

          for (guint i = 0; i < users->len; i++)
            {
              MilkLegacyUser *user = g_ptr_array_index (users, i);

              g_string_append_printf (names, "%s%s", i ? ", " : "", user->email ? user->email : "?");
            }
          g_set_error (error, MILK_IMPORT_ERROR, MILK_IMPORT_ERROR_CHOOSE_USER,
                       _("The database holds several users (%s); choose whose records to import"),
                       names->str);
          return NULL;
        }
    }

  for (guint i = 0; i < users->len; i++)
    if (((MilkLegacyUser *) g_ptr_array_index (users, i))->id == user_id)
      return g_ptr_array_steal_index (users, i);

  g_set_error (error, MILK_IMPORT_ERROR, MILK_IMPORT_ERROR_NO_SUCH_USER,
               _("The database has no user %" PRId64), user_id);
  return NULL;
}

/* "DD-MM-YYYY", the only form the old app wrote. */
static MilkDay
parse_legacy_date (const char *text)
{
  static const char pattern[] = "00-00-0000";
  int d, m, y;

  if (text == NULL || strlen (text) != strlen (pattern))
    return MILK_DAY_INVALID;
  for (guint i = 0; pattern[i]; i++)
    if (pattern[i] == '-' ? text[i] != '-' : !g_ascii_isdigit (text[i]))
      return MILK_DAY_INVALID;

  d = (text[0] - '0') * 10 + (text[1] - '0');
  m = (text[3] - '0') * 10 + (text[4] - '0');
  y = (text[6] - '0') * 1000 + (text[7] - '0') * 100 + (text[8] - '0') * 10 + (text[9] - '0');
  return milk_day_from_ymd (y, m, d);
}

static int
compare_rows (gconstpointer a,
              gconstpointer b)
{
  const MilkImportRow *ra = a, *rb = b;

  return ra->day < rb->day ? -1 : ra->day > rb->day;
}

/* One row of milk into an import row; FALSE (and a report line) to skip it. */
static gboolean
read_row (sqlite3_stmt       *stmt,
          const MilkCurrency *currency,
          MilkImportReport   *report,
          MilkImportRow      *row)
{
  guint digits = milk_currency_get_minor_digits (currency);
  const char *date_text = (const char *) sqlite3_column_text (stmt, 1);
  const char *qty_text = (const char *) sqlite3_column_text (stmt, 2);
  const char *cost_text = (const char *) sqlite3_column_text (stmt, 3);
  g_autofree char *date_shown = NULL;
  MilkDecimal qty, cost;
  gboolean exact_qty, exact_price;
  gint64 cost_minor, amount;

  row->row = sqlite3_column_int64 (stmt, 0);
  row->price = MILK_NO_PRICE;
  row->note = NULL;

  date_shown = date_text && g_utf8_validate (date_text, -1, NULL) ? g_strdup (date_text) : g_strdup ("?");
  row->day = parse_legacy_date (date_text);
  if (row->day == MILK_DAY_INVALID)
    {
      _milk_import_report_add (report, MILK_IMPORT_PROBLEM_BAD_DATE, row->row, MILK_DAY_INVALID,
                               date_text ? _("the date “%s” is not a day written DD-MM-YYYY; skipped")
                                         : _("the row has no date; skipped"),
                               date_shown);
      return FALSE;
    }

  if (!_milk_decimal_from_text (qty_text, &qty) || qty.negative)
    {
      _milk_import_report_add (report, MILK_IMPORT_PROBLEM_BAD_VALUE, row->row, row->day,
                               _("the quantity “%s” on %s is not a number of litres; skipped"),
                               qty_text && g_utf8_validate (qty_text, -1, NULL) ? qty_text : "",
                               date_shown);
      return FALSE;
    }
  if (!_milk_decimal_ratio (&qty, NULL, 3, MILK_QTY_MAX_ML, &row->qty_ml, &exact_qty))
    {
      _milk_import_report_add (report, MILK_IMPORT_PROBLEM_BAD_VALUE, row->row, row->day,
                               _("the quantity %s L on %s is more than a day can hold; skipped"),
                               qty_text, date_shown);
      return FALSE;
    }
  if (!exact_qty)
    _milk_import_report_add (report, MILK_IMPORT_PROBLEM_INEXACT, row->row, row->day,
                             _("the quantity %s L on %s was rounded to the millilitre"),
                             qty_text, date_shown);

  /* A zero day is "no delivery", on purpose: its cost says nothing. */
  if (_milk_decimal_is_zero (&qty))
    return TRUE;

  if (!_milk_decimal_from_text (cost_text, &cost) || cost.negative ||
      !_milk_decimal_ratio (&cost, NULL, (int) digits, MILK_AMOUNT_MAX, &cost_minor, NULL) ||
      !_milk_decimal_ratio (&cost, &qty, (int) digits, MILK_PRICE_MAX, &row->price, &exact_price))
    {
      _milk_import_report_add (report, MILK_IMPORT_PROBLEM_BAD_VALUE, row->row, row->day,
                               _("the cost “%s” on %s is not an amount of money; skipped"),
                               cost_text && g_utf8_validate (cost_text, -1, NULL) ? cost_text : "",
                               date_shown);
      return FALSE;
    }

  amount = row->qty_ml > 0 ? milk_amount_for_quantity (row->qty_ml, row->price) : 0;
  if (amount != cost_minor)
    {
      g_autofree char *price_shown = _milk_decimal_format (row->price, digits);
      g_autofree char *amount_shown = _milk_decimal_format (amount, digits);

      _milk_import_report_add (report, MILK_IMPORT_PROBLEM_INEXACT, row->row, row->day,
                               _("the cost %s for %s L on %s is no whole price per litre; "
                                 "imported at %s per litre, which comes to %s"),
                               cost_text, qty_text, date_shown, price_shown, amount_shown);
    }
  return TRUE;
}

static GArray *
read_rows (MilkLegacyDb        *self,
           gint64               user_id,
           const MilkCurrency  *currency,
           MilkImportReport    *report,
           GError             **error)
{
  g_autoptr(GArray) rows = g_array_new (FALSE, TRUE, sizeof (MilkImportRow));
  g_autoptr(GHashTable) by_day = g_hash_table_new (NULL, NULL);  /* day → index + 1 */
  const char *sql = self->shape == MILK_LEGACY_SHAPE_SINGLE
    ? "SELECT id, date, milk_qty, cost FROM milk ORDER BY id"
    : "SELECT id, date, milk_qty, cost FROM milk WHERE user_id = ? ORDER BY id";
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_array_set_clear_func (rows, (GDestroyNotify) _milk_import_row_clear);

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self->db, error);
      return NULL;
    }
  if (self->shape != MILK_LEGACY_SHAPE_SINGLE)
    sqlite3_bind_int64 (stmt, 1, user_id);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      MilkImportRow row = { 0 };
      guint at;

      report->rows_read++;
      if (!read_row (stmt, currency, report, &row))
        continue;

      /* Two rows for one day: the later row (greater id) is what the old
       * app showed last, so it is kept; the other is reported. */
      at = GPOINTER_TO_UINT (g_hash_table_lookup (by_day, GUINT_TO_POINTER (row.day)));
      if (at > 0)
        {
          MilkImportRow *kept = &g_array_index (rows, MilkImportRow, at - 1);
          char iso[11];

          milk_day_format_iso (row.day, iso);
          _milk_import_report_add (report, MILK_IMPORT_PROBLEM_DUPLICATE, kept->row, kept->day,
                                   _("a second row for %s (row %" PRId64 ") was written later; "
                                     "that one is kept and this one skipped"),
                                   iso, row.row);
          *kept = row;
          continue;
        }
      g_array_append_val (rows, row);
      g_hash_table_insert (by_day, GUINT_TO_POINTER (row.day), GUINT_TO_POINTER (rows->len));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self->db, error);
      return NULL;
    }

  g_array_sort (rows, compare_rows);
  return g_steal_pointer (&rows);
}

MilkImportReport *
milk_legacy_db_plan (MilkLegacyDb  *self,
                     MilkStore     *store,
                     gint64         user_id,
                     GPtrArray    **records,
                     GError       **error)
{
  g_autoptr(MilkImportReport) report = milk_import_report_new ();
  g_autoptr(GPtrArray) planned = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  g_autoptr(MilkLegacyUser) user = NULL;
  g_autoptr(GArray) rows = NULL;
  g_autofree char *diary_currency = NULL;
  const MilkCurrency *currency = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (MILK_IS_STORE (store), NULL);
  g_return_val_if_fail (records != NULL, NULL);

  user = find_user (self, user_id, error);
  if (user == NULL)
    return NULL;

  diary_currency = milk_store_dup_setting (store, "currency");
  if (user->currency != NULL)
    {
      currency = milk_currency_lookup (user->currency);
      if (currency == NULL)
        _milk_import_report_add (report, MILK_IMPORT_PROBLEM_CURRENCY, 0, MILK_DAY_INVALID,
                                 _("the currency “%s” is not an ISO 4217 code; the diary’s currency is kept"),
                                 g_utf8_validate (user->currency, -1, NULL) ? user->currency : "?");
      else if (g_strcmp0 (diary_currency, user->currency) != 0)
        {
          MilkRecord *setting = milk_record_new (MILK_RECORD_SETTING);

          setting->id = g_strdup ("currency");
          setting->value = g_strdup (milk_currency_get_code (currency));
          g_ptr_array_add (planned, setting);
          report->currency_set = TRUE;
        }
    }
  if (currency == NULL)
    currency = milk_store_get_currency (store);
  report->currency = g_strdup (milk_currency_get_code (currency));

  rows = read_rows (self, user->id, currency, report, error);
  if (rows == NULL)
    return NULL;
  if (!_milk_import_plan_product (store, MILK_DEFAULT_PRODUCT_ID, rows, NULL, planned, report, error))
    return NULL;

  *records = g_steal_pointer (&planned);
  return g_steal_pointer (&report);
}

MilkImportReport *
milk_legacy_db_import (MilkLegacyDb  *self,
                       MilkStore     *store,
                       gint64         user_id,
                       GError       **error)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(MilkImportReport) report = milk_legacy_db_plan (self, store, user_id, &records, error);

  if (report == NULL)
    return NULL;
  if (records->len > 0 && !milk_store_put_many (store, records, error))
    return NULL;
  return g_steal_pointer (&report);
}
