/* milk-server-diary.c — an account's diary as the app's store sees it:
 * its products, entries, payments, price schedules and currency, from the
 * records the service holds, for the bills of the API and the web pages
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include "milk-core.h"
#include "milk-server-db-api.h"
#include "milk-server-diary.h"

void
milk_account_diary_free (MilkAccountDiary *diary)
{
  if (diary == NULL)
    return;
  g_clear_pointer (&diary->products, g_ptr_array_unref);
  g_clear_pointer (&diary->entries, g_ptr_array_unref);
  g_clear_pointer (&diary->payments, g_ptr_array_unref);
  g_clear_pointer (&diary->schedules, g_hash_table_unref);
  g_clear_pointer (&diary->records, g_ptr_array_unref);
  g_free (diary);
}

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

static int
compare_day_then_id (gconstpointer a,
                     gconstpointer b)
{
  const MilkRecord *ra = *(const MilkRecord **) a;
  const MilkRecord *rb = *(const MilkRecord **) b;

  if (ra->day != rb->day)
    return ra->day < rb->day ? -1 : 1;
  return g_strcmp0 (ra->id, rb->id);
}

/* Every diary starts with this product, stamped at the beginning of time
 * and never pushed until edited (the app's store schema): the service has
 * it too, until a device sends a version of it. */
MilkRecord *
milk_account_diary_default_product (void)
{
  MilkRecord *product = milk_record_new (MILK_RECORD_PRODUCT);

  product->id = g_strdup (MILK_DEFAULT_PRODUCT_ID);
  product->name = g_strdup ("Milk");
  product->unit = g_strdup ("L");
  product->default_qty_ml = 1000;
  product->hlc = g_strdup ("0000000000000-0000-0000000000000000");
  return product;
}

MilkAccountDiary *
milk_account_diary_load (PGconn  *conn,
                         gint64   account_id,
                         GError **error)
{
  g_autoptr(MilkAccountDiary) diary = g_new0 (MilkAccountDiary, 1);
  gboolean default_known = FALSE;

  if ((diary->records = milk_db_records_list (conn, account_id, error)) == NULL)
    return NULL;
  diary->products = g_ptr_array_new ();
  diary->entries = g_ptr_array_new ();
  diary->payments = g_ptr_array_new ();
  diary->schedules = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) milk_price_schedule_free);
  for (guint i = 0; i < diary->records->len; i++)
    {
      MilkRecord *record = g_ptr_array_index (diary->records, i);
      MilkPriceSchedule *schedule;

      if (record->type == MILK_RECORD_PRODUCT && g_str_equal (record->id, MILK_DEFAULT_PRODUCT_ID))
        default_known = TRUE;
      if (record->deleted)
        continue;
      switch (record->type)
        {
        case MILK_RECORD_PRODUCT:
          g_ptr_array_add (diary->products, record);
          break;
        case MILK_RECORD_ENTRY:
          g_ptr_array_add (diary->entries, record);
          break;
        case MILK_RECORD_PAYMENT:
          g_ptr_array_add (diary->payments, record);
          break;
        case MILK_RECORD_PRICE:
          schedule = g_hash_table_lookup (diary->schedules, record->id);
          if (schedule == NULL)
            {
              schedule = milk_price_schedule_new ();
              g_hash_table_insert (diary->schedules, g_strdup (record->id), schedule);
            }
          milk_price_schedule_set (schedule, record->day, record->price_per_l);
          break;
        case MILK_RECORD_SETTING:
          if (g_str_equal (record->id, "currency"))
            diary->currency = record->value;
          break;
        default:
          break;
        }
    }
  if (!default_known)
    {
      MilkRecord *product = milk_account_diary_default_product ();

      g_ptr_array_add (diary->records, product);
      g_ptr_array_add (diary->products, product);
    }
  g_ptr_array_sort (diary->products, compare_position);
  g_ptr_array_sort (diary->payments, compare_day_then_id);
  return g_steal_pointer (&diary);
}

/* Every month's amount, entry by entry as a bill sums it, and every
 * payment: what milk_store_build_ledger () gives the app. */
MilkLedger *
milk_account_diary_ledger (MilkAccountDiary *diary)
{
  MilkLedger *ledger = milk_ledger_new ();

  for (guint i = 0; i < diary->entries->len; i++)
    {
      const MilkRecord *entry = g_ptr_array_index (diary->entries, i);
      gint64 price;

      if (entry->qty_ml <= 0 || !milk_day_is_valid (entry->day))
        continue;
      price = milk_entry_price (entry, g_hash_table_lookup (diary->schedules, entry->id));
      if (price >= 0)
        milk_ledger_add_amount (ledger, entry->day, milk_amount_for_quantity (entry->qty_ml, price));
    }
  for (guint i = 0; i < diary->payments->len; i++)
    milk_ledger_add_payment (ledger, g_ptr_array_index (diary->payments, i));
  return ledger;
}
