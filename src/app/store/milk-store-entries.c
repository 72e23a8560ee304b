/* milk-store-entries.c — the days recorded
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-store"

#include "config.h"

#include "milk-store-private.h"

gboolean
milk_store_set_entry (MilkStore   *self,
                      const char  *product,
                      MilkDay      day,
                      gint64       qty_ml,
                      gint64       price_override,
                      const char  *note,
                      GError     **error)
{
  g_autoptr(MilkRecord) record = milk_record_new (MILK_RECORD_ENTRY);

  record->id = g_strdup (product);
  record->day = day;
  record->qty_ml = qty_ml;
  record->price_override = price_override;
  record->note = g_strdup (note ? note : "");
  return milk_store_put (self, record, error);
}

MilkRecord *
milk_store_get_entry (MilkStore   *self,
                      const char  *product,
                      MilkDay      day,
                      GError     **error)
{
  g_autofree char *key = _milk_store_day_key (product, day);

  return milk_store_get (self, MILK_RECORD_ENTRY, key, error);
}

gboolean
milk_store_delete_entry (MilkStore   *self,
                         const char  *product,
                         MilkDay      day,
                         GError     **error)
{
  g_autofree char *key = _milk_store_day_key (product, day);

  return _milk_store_delete_record (self, MILK_RECORD_ENTRY, key, error);
}

GPtrArray *
milk_store_list_entries (MilkStore  *self,
                         MilkDay     first,
                         MilkDay     last,
                         GError    **error)
{
  char a[11], b[11];

  milk_day_format_iso (first, a);
  milk_day_format_iso (last, b);
  return _milk_store_list_records (self, MILK_RECORD_ENTRY,
                       "WHERE day BETWEEN ?1 AND ?2 AND NOT deleted ORDER BY day, product",
                       a, b, error);
}

/* Whether any day is recorded, delivered or not; an unreadable diary
 * counts as not empty. */
gboolean
milk_store_has_entries (MilkStore *self)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (MILK_IS_STORE (self), TRUE);

  stmt = _milk_store_prepare (self, "SELECT 1 FROM entries WHERE NOT deleted LIMIT 1", NULL);
  if (stmt == NULL)
    return TRUE;
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  return rc != SQLITE_DONE;
}

