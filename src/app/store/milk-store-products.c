/* milk-store-products.c — products and their prices
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-store"

#include "config.h"

#include "milk-store-private.h"

static int
compare_position (gconstpointer a,
                  gconstpointer b)
{
  const MilkRecord *ra = *(const MilkRecord **) a;
  const MilkRecord *rb = *(const MilkRecord **) b;

  if (ra->position != rb->position)
    return ra->position < rb->position ? -1 : 1;
  return g_strcmp0 (ra->id, rb->id);
}

GPtrArray *
milk_store_list_products (MilkStore  *self,
                          gboolean    include_archived,
                          GError    **error)
{
  GPtrArray *products = _milk_store_list_records (self, MILK_RECORD_PRODUCT,
                                      include_archived ? "WHERE NOT deleted"
                                                       : "WHERE NOT deleted AND NOT archived",
                                      NULL, NULL, error);
  if (products)
    g_ptr_array_sort (products, compare_position);
  return products;
}

MilkRecord *
milk_store_add_product (MilkStore   *self,
                        const char  *name,
                        gint64       default_qty_ml,
                        GError     **error)
{
  g_autoptr(MilkRecord) record = milk_record_new (MILK_RECORD_PRODUCT);
  g_autoptr(GPtrArray) existing = milk_store_list_products (self, TRUE, error);

  if (existing == NULL)
    return NULL;
  record->id = milk_uuid_new ();
  record->name = g_strdup (name);
  record->unit = g_strdup ("L");
  record->default_qty_ml = default_qty_ml;
  for (guint i = 0; i < existing->len; i++)
    record->position = MAX (record->position,
                            ((MilkRecord *) g_ptr_array_index (existing, i))->position + 1);
  if (!milk_store_put (self, record, error))
    return NULL;
  return g_steal_pointer (&record);
}

/* Prices */

gboolean
milk_store_set_price (MilkStore   *self,
                      const char  *product,
                      MilkDay      from,
                      gint64       price_per_l,
                      GError     **error)
{
  g_autoptr(MilkRecord) record = milk_record_new (MILK_RECORD_PRICE);

  record->id = g_strdup (product);
  record->day = from;
  record->price_per_l = price_per_l;
  return milk_store_put (self, record, error);
}

gboolean
milk_store_remove_price (MilkStore   *self,
                         const char  *product,
                         MilkDay      from,
                         GError     **error)
{
  g_autofree char *key = _milk_store_day_key (product, from);

  return _milk_store_delete_record (self, MILK_RECORD_PRICE, key, error);
}

MilkPriceSchedule *
milk_store_get_price_schedule (MilkStore   *self,
                               const char  *product,
                               GError     **error)
{
  g_autoptr(MilkPriceSchedule) schedule = milk_price_schedule_new ();
  sqlite3_stmt *stmt = _milk_store_prepare (self,
      "SELECT day, price_per_l FROM prices WHERE product = ? AND NOT deleted", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, product, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      MilkDay day = milk_day_parse (_milk_store_column_text (stmt, 0), NULL);

      if (day != MILK_DAY_INVALID)
        milk_price_schedule_set (schedule, day, sqlite3_column_int64 (stmt, 1));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _milk_store_set_error (self, error);
      return NULL;
    }
  return g_steal_pointer (&schedule);
}
