/* milk-bill.c — one month's bill: the figures every view of it shows
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "milk-bill.h"
#include "milk-money.h"

/* The window's panel, the printed bill and the PDF all show a MilkBill:
 * what one shows, the others show, to the last paisa. */

/* The day's own price if it has one, else the schedule's. */
gint64
milk_entry_price (const MilkRecord        *entry,
                  const MilkPriceSchedule *schedule)
{
  g_return_val_if_fail (entry != NULL, MILK_NO_PRICE);

  if (entry->price_override != MILK_NO_PRICE)
    return entry->price_override;
  if (schedule == NULL)
    return MILK_NO_PRICE;
  return milk_price_schedule_lookup (schedule, entry->day);
}

/* Per day, rounded half up to 10 ml: two decimals of a litre at most. */
gint64
milk_average_qty (gint64 qty_ml,
                  guint  days)
{
  if (days == 0 || qty_ml <= 0)
    return 0;
  return (qty_ml + (gint64) days * 5) / ((gint64) days * 10) * 10;
}

static void
line_free (MilkBillLine *line)
{
  g_free (line->product);
  g_free (line->name);
  g_free (line->note);
  g_free (line);
}

static void
product_free (MilkBillProduct *product)
{
  g_free (product->product);
  g_free (product->name);
  g_free (product);
}

static void
price_free (MilkBillPrice *price)
{
  g_free (price->product);
  g_free (price->name);
  g_free (price);
}

void
milk_bill_free (MilkBill *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->lines);
  g_ptr_array_unref (self->products);
  g_ptr_array_unref (self->prices);
  g_ptr_array_unref (self->payments);
  g_free (self);
}

const char *
milk_bill_state_to_string (MilkBillState state)
{
  switch (state)
    {
    case MILK_BILL_SETTLED:
      /* TRANSLATORS: the state of a month's bill */
      return _("Settled");
    case MILK_BILL_PARTLY_PAID:
      /* TRANSLATORS: the state of a month's bill */
      return _("Partly paid");
    case MILK_BILL_DUE:
    default:
      /* TRANSLATORS: the state of a month's bill: nothing paid yet */
      return _("Due");
    }
}

typedef struct
{
  GPtrArray *products;  /* the diary's products, in their order */
  GHashTable *order;    /* id → position + 1 */
} Catalogue;

static const char *
name_of (Catalogue  *catalogue,
         const char *id)
{
  guint pos = GPOINTER_TO_UINT (g_hash_table_lookup (catalogue->order, id));

  return pos ? ((MilkRecord *) g_ptr_array_index (catalogue->products, pos - 1))->name : "";
}

static int
compare_lines (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  const MilkBillLine *x = *(MilkBillLine * const *) a;
  const MilkBillLine *y = *(MilkBillLine * const *) b;
  Catalogue *catalogue = user_data;
  guint px, py;

  if (x->day != y->day)
    return x->day < y->day ? -1 : 1;
  px = GPOINTER_TO_UINT (g_hash_table_lookup (catalogue->order, x->product)) - 1;
  py = GPOINTER_TO_UINT (g_hash_table_lookup (catalogue->order, y->product)) - 1;
  if (px != py)
    return px < py ? -1 : 1;
  return g_strcmp0 (x->product, y->product);
}

static int
compare_products (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  const MilkBillProduct *x = *(MilkBillProduct * const *) a;
  const MilkBillProduct *y = *(MilkBillProduct * const *) b;
  Catalogue *catalogue = user_data;
  guint px = GPOINTER_TO_UINT (g_hash_table_lookup (catalogue->order, x->product)) - 1;
  guint py = GPOINTER_TO_UINT (g_hash_table_lookup (catalogue->order, y->product)) - 1;

  if (px != py)
    return px < py ? -1 : 1;
  return g_strcmp0 (x->product, y->product);
}

static MilkBillProduct *
product_totals (MilkBill   *self,
                Catalogue  *catalogue,
                const char *id)
{
  MilkBillProduct *product;

  for (guint i = 0; i < self->products->len; i++)
    if (g_str_equal (((MilkBillProduct *) g_ptr_array_index (self->products, i))->product, id))
      return g_ptr_array_index (self->products, i);
  product = g_new0 (MilkBillProduct, 1);
  product->product = g_strdup (id);
  product->name = g_strdup (name_of (catalogue, id));
  g_ptr_array_add (self->products, product);
  return product;
}

static void
add_lines (MilkBill   *self,
           Catalogue  *catalogue,
           GPtrArray  *entries,
           GHashTable *schedules)
{
  for (guint i = 0; i < entries->len; i++)
    {
      const MilkRecord *entry = g_ptr_array_index (entries, i);
      MilkBillLine *line;

      if (entry->deleted || milk_day_month_of (entry->day) != self->month)
        continue;
      line = g_new0 (MilkBillLine, 1);
      line->day = entry->day;
      line->product = g_strdup (entry->id);
      line->name = g_strdup (name_of (catalogue, entry->id));
      line->qty_ml = entry->qty_ml;
      line->split = milk_entry_is_split (entry);
      line->morning_ml = line->split ? entry->morning_ml : 0;
      line->evening_ml = line->split ? entry->evening_ml : 0;
      line->price_per_l = milk_entry_price (entry, schedules ? g_hash_table_lookup (schedules, entry->id) : NULL);
      line->price_overridden = entry->price_override != MILK_NO_PRICE;
      if (entry->qty_ml > 0 && line->price_per_l >= 0)
        line->amount = milk_amount_for_quantity (entry->qty_ml, line->price_per_l);
      line->note = g_strdup (entry->note ? entry->note : "");
      g_ptr_array_add (self->lines, line);
    }
  g_ptr_array_sort_with_data (self->lines, compare_lines, catalogue);
}

/* The overall figures count days, not product-days: a day with cow's and
 * buffalo milk is one delivery day. */
static void
add_up (MilkBill  *self,
        Catalogue *catalogue)
{
  MilkDay day = MILK_DAY_INVALID;
  gboolean delivered = FALSE, unpriced = FALSE;

  for (guint i = 0; i <= self->lines->len; i++)
    {
      MilkBillLine *line = i < self->lines->len ? g_ptr_array_index (self->lines, i) : NULL;
      MilkBillProduct *product;

      if (day != MILK_DAY_INVALID && (line == NULL || line->day != day))
        {
          if (delivered)
            self->delivered_days++;
          else
            self->skipped_days++;
          self->unpriced_days += unpriced;
          delivered = unpriced = FALSE;
        }
      if (line == NULL)
        break;
      day = line->day;
      product = product_totals (self, catalogue, line->product);
      product->qty_ml += line->qty_ml;
      self->qty_ml += line->qty_ml;
      if (line->split && line->qty_ml > 0)
        {
          product->split_days++;
          product->morning_ml += line->morning_ml;
          product->evening_ml += line->evening_ml;
        }
      if (line->qty_ml == 0)
        {
          product->skipped_days++;
          continue;
        }
      delivered = TRUE;
      product->delivered_days++;
      if (line->price_per_l < 0)
        {
          unpriced = TRUE;
          product->unpriced_days++;
        }
      product->amount += line->amount;
      self->amount += line->amount;
    }
  self->average_ml = milk_average_qty (self->qty_ml, self->delivered_days);
  g_ptr_array_sort_with_data (self->products, compare_products, catalogue);
}

/* For each product billed: the price in force on the month's first day
 * (with the day it began, which may be in an earlier month), then each
 * change during the month. */
static void
add_prices (MilkBill   *self,
            GHashTable *schedules)
{
  MilkDay last = milk_day_next_month (self->month) - 1;

  for (guint p = 0; p < self->products->len && schedules; p++)
    {
      MilkBillProduct *product = g_ptr_array_index (self->products, p);
      MilkPriceSchedule *schedule = g_hash_table_lookup (schedules, product->product);
      guint n = schedule ? milk_price_schedule_get_n_changes (schedule) : 0;

      for (guint i = 0; i < n; i++)
        {
          MilkBillPrice *price;
          MilkDay from, next = MILK_DAY_INVALID;
          gint64 per_l;

          milk_price_schedule_get_change (schedule, i, &from, &per_l);
          if (from > last)
            break;
          if (i + 1 < n)
            milk_price_schedule_get_change (schedule, i + 1, &next, NULL);
          if (next != MILK_DAY_INVALID && next <= self->month)
            continue;
          price = g_new0 (MilkBillPrice, 1);
          price->product = g_strdup (product->product);
          price->name = g_strdup (product->name);
          price->from = from;
          price->price_per_l = per_l;
          g_ptr_array_add (self->prices, price);
        }
    }
}

/* @products: the diary's products (MilkRecord), for names and order;
 * @entries: at least the month's entries; @schedules: product id →
 * MilkPriceSchedule; @ledger: every month's amount and every payment. */
MilkBill *
milk_bill_new (MilkDay     month,
               GPtrArray  *products,
               GPtrArray  *entries,
               GHashTable *schedules,
               MilkLedger *ledger)
{
  g_autoptr(GHashTable) order = g_hash_table_new (g_str_hash, g_str_equal);
  Catalogue catalogue = { products, order };
  MilkLedgerMonth figures;
  MilkBill *self;

  g_return_val_if_fail (milk_day_is_valid (month), NULL);
  g_return_val_if_fail (products != NULL && entries != NULL && ledger != NULL, NULL);

  for (guint i = 0; i < products->len; i++)
    g_hash_table_insert (order, ((MilkRecord *) g_ptr_array_index (products, i))->id, GUINT_TO_POINTER (i + 1));

  self = g_new0 (MilkBill, 1);
  self->month = milk_day_month_of (month);
  self->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) line_free);
  self->products = g_ptr_array_new_with_free_func ((GDestroyNotify) product_free);
  self->prices = g_ptr_array_new_with_free_func ((GDestroyNotify) price_free);
  self->payments = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);

  add_lines (self, &catalogue, entries, schedules);
  add_up (self, &catalogue);
  add_prices (self, schedules);

  milk_ledger_get_month (ledger, self->month, &figures);
  {
    g_autoptr(GPtrArray) payments = milk_ledger_list_payments (ledger, self->month);

    for (guint i = 0; i < payments->len; i++)
      g_ptr_array_add (self->payments, milk_record_copy (g_ptr_array_index (payments, i)));
  }
  self->brought_forward = figures.brought_forward;
  self->paid = figures.paid;
  self->balance_due = self->brought_forward + self->amount - self->paid;
  self->state = milk_ledger_state (self->amount, self->paid, self->brought_forward);
  return self;
}
