/* milk-store-payments.c — payments made
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-store"

#include "config.h"

#include "milk-store-private.h"

char *
milk_store_add_payment (MilkStore   *self,
                        MilkDay      day,
                        gint64       amount,
                        const char  *note,
                        GError     **error)
{
  g_autoptr(MilkRecord) record = milk_record_new (MILK_RECORD_PAYMENT);

  record->id = milk_uuid_new ();
  record->day = day;
  record->amount = amount;
  record->note = g_strdup (note ? note : "");
  if (!milk_store_put (self, record, error))
    return NULL;
  return g_strdup (record->id);
}

gboolean
milk_store_remove_payment (MilkStore   *self,
                           const char  *id,
                           GError     **error)
{
  return _milk_store_delete_record (self, MILK_RECORD_PAYMENT, id, error);
}

GPtrArray *
milk_store_list_payments (MilkStore  *self,
                          MilkDay     first,
                          MilkDay     last,
                          GError    **error)
{
  char a[11], b[11];

  milk_day_format_iso (first, a);
  milk_day_format_iso (last, b);
  return _milk_store_list_records (self, MILK_RECORD_PAYMENT,
                       "WHERE day BETWEEN ?1 AND ?2 AND NOT deleted ORDER BY day, key",
                       a, b, error);
}
