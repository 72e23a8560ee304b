/* milk-bill-check.c — the milkman's bill set against the diary's
 *
 * A household enters what the milkman asks for a month; the difference
 * from the diary's amount is explained where one simple cause gives it
 * exactly: a few more or fewer days of a product's usual quantity, or
 * another price a litre for the whole month. Each cause is checked by
 * pricing the month again, line by line, so rounding cannot mislead.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "milk-bill-check.h"
#include "milk-money.h"
#include "milk-quantity.h"

#define MAX_DAYS 5

/* The synced setting that keeps what the milkman asked for @month:
 * "milkman-bill-2026-09". */
char *
milk_bill_check_setting_name (MilkDay month)
{
  char text[8];

  milk_day_format_month (milk_day_month_of (month), text);
  return g_strdup_printf ("milkman-bill-%s", text);
}

/* A product's most frequent delivered quantity and price in the bill. */
static gboolean
usual_day (const MilkBill *bill,
           const char     *product,
           gint64         *qty_ml,
           gint64         *price_per_l)
{
  guint best = 0;

  for (guint i = 0; i < bill->lines->len; i++)
    {
      const MilkBillLine *line = g_ptr_array_index (bill->lines, i);
      guint count = 0;

      if (g_strcmp0 (line->product, product) != 0 || line->qty_ml <= 0 || line->price_per_l <= 0)
        continue;
      for (guint j = 0; j < bill->lines->len; j++)
        {
          const MilkBillLine *other = g_ptr_array_index (bill->lines, j);

          count += g_strcmp0 (other->product, product) == 0 && other->qty_ml == line->qty_ml &&
                   other->price_per_l == line->price_per_l;
        }
      if (count > best)
        {
          best = count;
          *qty_ml = line->qty_ml;
          *price_per_l = line->price_per_l;
        }
    }
  return best > 0;
}

/* "one more day of 1.5 L at ₹56.50", when @difference is a few days'. */
static char *
explain_by_days (const MilkBill     *bill,
                 gint64              difference,
                 const MilkCurrency *currency)
{
  for (guint p = 0; p < bill->products->len; p++)
    {
      const MilkBillProduct *product = g_ptr_array_index (bill->products, p);
      gint64 qty_ml, price, day_amount;

      if (!usual_day (bill, product->product, &qty_ml, &price))
        continue;
      day_amount = milk_amount_for_quantity (qty_ml, price);
      for (gint64 n = 1; day_amount > 0 && n <= MAX_DAYS; n++)
        if (ABS (difference) == n * day_amount)
          {
            g_autofree char *qty = milk_quantity_format (qty_ml);
            g_autofree char *money = milk_money_format (price, currency);

            if (difference > 0)
              /* TRANSLATORS: why the milkman asks more: "one more day of 1.5 L of Milk at ₹56.50" */
              return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d more day of %s of %s at %s",
                                                   "%d more days of %s of %s at %s", n),
                                      (int) n, qty, product->name, money);
            /* TRANSLATORS: why the milkman asks less: "one fewer day of 1.5 L of Milk at ₹56.50" */
            return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d fewer day of %s of %s at %s",
                                                 "%d fewer days of %s of %s at %s", n),
                                    (int) n, qty, product->name, money);
          }
    }
  return NULL;
}

/* The product's month priced again at @price_per_l, line by line. */
static gint64
repriced (const MilkBill *bill,
          const char     *product,
          gint64          price_per_l)
{
  gint64 total = 0;

  for (guint i = 0; i < bill->lines->len; i++)
    {
      const MilkBillLine *line = g_ptr_array_index (bill->lines, i);

      if (g_strcmp0 (line->product, product) == 0 && line->qty_ml > 0)
        total += milk_amount_for_quantity (line->qty_ml, price_per_l);
    }
  return total;
}

/* Half the currency's main unit (50 paise, 50 cents), or 1 where it has
 * no minor unit. */
static gint64
price_step (const MilkCurrency *currency)
{
  gint64 step = 1;

  for (guint i = 0; i < milk_currency_get_minor_digits (currency); i++)
    step *= 10;
  return step > 1 ? step / 2 : 1;
}

/* "a price of ₹58.50 a litre for Milk instead of ₹56.50", when one other
 * price for a product billed at one price all month gives it exactly. */
static char *
explain_by_price (const MilkBill     *bill,
                  gint64              difference,
                  const MilkCurrency *currency)
{
  for (guint p = 0; p < bill->products->len; p++)
    {
      const MilkBillProduct *product = g_ptr_array_index (bill->products, p);
      gint64 price = MILK_NO_PRICE, other;
      gboolean one_price = TRUE;

      for (guint i = 0; i < bill->lines->len; i++)
        {
          const MilkBillLine *line = g_ptr_array_index (bill->lines, i);

          if (g_strcmp0 (line->product, product->product) != 0 || line->qty_ml <= 0)
            continue;
          one_price &= line->price_per_l > 0 && (price == MILK_NO_PRICE || line->price_per_l == price);
          price = line->price_per_l;
        }
      if (!one_price || price <= 0 || product->qty_ml <= 0)
        continue;
      other = price + (difference * 1000 + (difference >= 0 ? product->qty_ml / 2 : -product->qty_ml / 2)) / product->qty_ml;
      /* Milk prices move in steps of half a rupee or so; ₹70.01 would
       * "explain" any few paise. */
      if (other > 0 && other != price && (other - price) % price_step (currency) == 0 &&
          repriced (bill, product->product, other) == product->amount + difference)
        {
          g_autofree char *asked = milk_money_format (other, currency);
          g_autofree char *ours = milk_money_format (price, currency);

          /* TRANSLATORS: "a price of ₹58.50 a litre for Milk instead of ₹56.50" */
          return g_strdup_printf (_("a price of %s a litre for %s instead of %s"), asked, product->name, ours);
        }
    }
  return NULL;
}

/**
 * milk_bill_explain:
 * @bill: the diary's bill for a month
 * @asked: what the milkman asks for it, in minor units
 * @currency: the diary's currency
 *
 * Returns: (transfer full): a sentence for the person: that the two
 * agree, or by how much they differ and, where one cause gives the
 * difference exactly, which.
 */
char *
milk_bill_explain (const MilkBill     *bill,
                   gint64              asked,
                   const MilkCurrency *currency)
{
  gint64 difference = asked - bill->amount;
  g_autofree char *money = milk_money_format (ABS (difference), currency);
  g_autofree char *cause = NULL;

  g_return_val_if_fail (bill != NULL, NULL);

  if (difference == 0)
    return g_strdup (_("The milkman’s bill agrees with the diary"));
  cause = explain_by_days (bill, difference, currency);
  if (cause == NULL)
    cause = explain_by_price (bill, difference, currency);
  if (cause != NULL)
    return difference > 0
      /* TRANSLATORS: "₹84.75 more than the diary: 1 more day of 1.5 L of Milk at ₹56.50" */
      ? g_strdup_printf (_("%s more than the diary: %s"), money, cause)
      /* TRANSLATORS: "₹84.75 less than the diary: 1 fewer day of 1.5 L of Milk at ₹56.50" */
      : g_strdup_printf (_("%s less than the diary: %s"), money, cause);
  return difference > 0
    /* TRANSLATORS: a difference no single cause explains */
    ? g_strdup_printf (_("%s more than the diary"), money)
    : g_strdup_printf (_("%s less than the diary"), money);
}
