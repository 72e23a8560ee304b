/* milk-store-plans.c — what "Fill the month so far" and leave would write
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-store"

#include "config.h"

#include "milk-store-private.h"

/* The entries that "Fill the month so far" writes: each active product's
 * usual quantity (in its morning and evening parts for one delivered twice
 * a day) on every day of the span that has no record for it yet. Recorded
 * days, "no delivery" ones included, are never touched. */
GPtrArray *
milk_store_plan_usual_days (MilkStore  *self,
                            MilkDay     first,
                            MilkDay     last,
                            GError    **error)
{
  g_autoptr(GPtrArray) products = milk_store_list_products (self, FALSE, error);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GHashTable) recorded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) plan = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);

  if (products == NULL || (entries = milk_store_list_entries (self, first, last, error)) == NULL)
    return NULL;
  for (guint i = 0; i < entries->len; i++)
    g_hash_table_add (recorded, milk_record_dup_key (g_ptr_array_index (entries, i)));

  for (MilkDay day = first; day <= last; day++)
    for (guint p = 0; p < products->len; p++)
      {
        MilkRecord *product = g_ptr_array_index (products, p);
        g_autofree char *key = _milk_store_day_key (product->id, day);
        MilkRecord *entry;

        if (g_hash_table_contains (recorded, key))
          continue;
        entry = milk_record_new (MILK_RECORD_ENTRY);
        entry->id = g_strdup (product->id);
        entry->day = day;
        milk_entry_set_usual (entry, product, day);
        g_ptr_array_add (plan, entry);
      }
  return g_steal_pointer (&plan);
}

/* Leave: "no delivery" for every active product on every day of the span.
 * *recorded gets the entries already there, which the person confirms
 * before they change. */
GPtrArray *
milk_store_plan_leave (MilkStore   *self,
                       MilkDay      first,
                       MilkDay      last,
                       GPtrArray  **recorded,
                       GError     **error)
{
  g_autoptr(GPtrArray) products = milk_store_list_products (self, FALSE, error);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) plan = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);

  if (products == NULL || (entries = milk_store_list_entries (self, first, last, error)) == NULL)
    return NULL;

  for (MilkDay day = first; day <= last; day++)
    for (guint p = 0; p < products->len; p++)
      {
        MilkRecord *entry = milk_record_new (MILK_RECORD_ENTRY);

        entry->id = g_strdup (((MilkRecord *) g_ptr_array_index (products, p))->id);
        entry->day = day;
        entry->qty_ml = 0;
        entry->note = g_strdup ("");
        g_ptr_array_add (plan, entry);
      }
  if (recorded)
    *recorded = g_steal_pointer (&entries);
  return g_steal_pointer (&plan);
}

/* What the entries of a plan were before it: copies, or tombstones for
 * days that were unrecorded. Storing them is the plan's Undo. */
GPtrArray *
milk_store_snapshot_entries (MilkStore  *self,
                             GPtrArray  *plan,
                             GError    **error)
{
  g_autoptr(GPtrArray) before = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);

  for (guint i = 0; i < plan->len; i++)
    {
      const MilkRecord *change = g_ptr_array_index (plan, i);
      g_autoptr(GError) local_error = NULL;
      MilkRecord *old = milk_store_get_entry (self, change->id, change->day, &local_error);

      if (local_error)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (old == NULL)
        {
          old = milk_record_new (MILK_RECORD_ENTRY);
          old->id = g_strdup (change->id);
          old->day = change->day;
          old->deleted = TRUE;
        }
      g_ptr_array_add (before, old);
    }
  return g_steal_pointer (&before);
}
