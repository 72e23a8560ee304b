/* milk-store-settings.c — the diary's settings
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-store"

#include "config.h"

#include "milk-store-private.h"

char *
milk_store_dup_setting (MilkStore  *self,
                        const char *name)
{
  g_autoptr(MilkRecord) record = milk_store_get (self, MILK_RECORD_SETTING, name, NULL);

  return record ? g_strdup (record->value) : NULL;
}

gboolean
milk_store_set_setting (MilkStore   *self,
                        const char  *name,
                        const char  *value,
                        GError     **error)
{
  g_autoptr(MilkRecord) record = milk_record_new (MILK_RECORD_SETTING);

  record->id = g_strdup (name);
  record->value = g_strdup (value);
  return milk_store_put (self, record, error);
}

/* The diary's currency; Indian rupees until the person chooses, as in
 * Home Milk Calculator. */
const MilkCurrency *
milk_store_get_currency (MilkStore *self)
{
  g_autofree char *code = milk_store_dup_setting (self, "currency");
  const MilkCurrency *currency = milk_currency_lookup (code);

  return currency ? currency : milk_currency_lookup ("INR");
}
