/* fuzz-parsers.c — what people type: quantities, prices, days, and the
 * clock stamps that come over the wire
 *
 * The first byte chooses the parser; for a price the second byte chooses
 * the currency.  A value that parses must be in range and, where there is
 * a formatter, survive formatting and parsing again unchanged.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "milk-fuzz.h"

#include "milk-core.h"

static void
fuzz_quantity (const char *text)
{
  g_autoptr(GError) error = NULL;
  gint64 qty = milk_quantity_parse (text, &error);

  if (error == NULL)
    {
      g_autofree char *formatted = milk_quantity_format (qty);
      g_autoptr(GError) again_error = NULL;
      gint64 again;

      g_assert_cmpint (qty, >=, 0);
      g_assert_cmpint (qty, <=, MILK_QTY_MAX_ML);
      g_free (milk_quantity_format_litres (qty));
      again = milk_quantity_parse (formatted, &again_error);
      g_assert_no_error (again_error);
      g_assert_cmpint (again, ==, qty);
    }
}

static void
fuzz_price (const char         *text,
            const MilkCurrency *currency)
{
  g_autoptr(GError) error = NULL;
  gint64 price = milk_price_parse (text, currency, &error);

  if (error == NULL)
    {
      g_assert_cmpint (price, >=, 0);
      g_assert_cmpint (price, <=, MILK_PRICE_MAX);
      g_free (milk_money_format (price, currency));
      g_free (milk_money_format_plain (price, currency));
      g_assert_cmpint (milk_amount_for_quantity (MILK_QTY_MAX_ML, price), >=, 0);
    }
}

static void
fuzz_day (const char *text)
{
  g_autoptr(GError) error = NULL;
  MilkDay day = milk_day_parse (text, &error);

  if (error == NULL)
    {
      g_autofree char *formatted = NULL;
      g_autoptr(GError) again_error = NULL;

      g_assert_true (milk_day_is_valid (day));
      formatted = milk_day_to_string (day);
      g_assert_cmpint (milk_day_parse (formatted, &again_error), ==, day);
      g_assert_no_error (again_error);
    }
}

static void
fuzz_hlc (const char *text)
{
  g_autoptr(GError) error = NULL;
  MilkHlcStamp stamp;

  milk_hlc_stamp_parse (text, &stamp, &error);
}

int
milk_fuzz_one_input (const uint8_t *data,
                     size_t         size)
{
  g_autofree char *text = NULL;

  if (size < 2)
    return 0;
  text = g_strndup ((const char *) data + 2, size - 2);
  switch (data[0] % 4)
    {
    case 0:
      fuzz_quantity (text);
      break;
    case 1:
      fuzz_price (text, milk_currency_nth (data[1] % milk_currency_count ()));
      break;
    case 2:
      fuzz_day (text);
      break;
    default:
      fuzz_hlc (text);
      break;
    }
  return 0;
}
