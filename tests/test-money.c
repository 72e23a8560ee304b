/* test-money.c — amounts, rounding, currencies, prices and formatting
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include <string.h>

#include "milk-core.h"

typedef struct
{
  gint64 qty_ml;
  gint64 price;
  gint64 amount;
} RoundCase;

static void
check_rounding (const char      *code,
                guint            digits,
                const RoundCase *cases,
                guint            n)
{
  const MilkCurrency *currency = milk_currency_lookup (code);

  g_assert_nonnull (currency);
  g_assert_cmpuint (milk_currency_get_minor_digits (currency), ==, digits);
  for (guint i = 0; i < n; i++)
    {
      g_test_message ("%s: %" G_GINT64_FORMAT " ml at %" G_GINT64_FORMAT, code, cases[i].qty_ml, cases[i].price);
      g_assert_cmpint (milk_amount_for_quantity (cases[i].qty_ml, cases[i].price), ==, cases[i].amount);
    }
}

/* JPY has no minor unit: ¥215/L. */
static void
test_rounding_jpy (void)
{
  static const RoundCase cases[] = {
    { 1000, 215, 215 },
    { 500, 215, 108 },   /* 107.5 rounds half away from zero */
    { 750, 215, 161 },   /* 161.25 */
    { 250, 215, 54 },    /* 53.75 */
    { 0, 215, 0 },
    { 100000, 215, 21500 },
  };
  check_rounding ("JPY", 0, cases, G_N_ELEMENTS (cases));
}

/* INR has paise: ₹56.50/L = 5650. */
static void
test_rounding_inr (void)
{
  static const RoundCase cases[] = {
    { 1000, 5650, 5650 },
    { 750, 5650, 4238 },  /* 4237.5 */
    { 500, 5650, 2825 },
    { 333, 5650, 1881 },  /* 1881.45 */
    { 1, 5650, 6 },       /* 5.65 */
    { 1500, 6000, 9000 },
  };
  check_rounding ("INR", 2, cases, G_N_ELEMENTS (cases));
}

/* BHD has fils, three digits: 0.450 BHD/L = 450. */
static void
test_rounding_bhd (void)
{
  static const RoundCase cases[] = {
    { 1000, 450, 450 },
    { 1500, 450, 675 },
    { 333, 450, 150 },   /* 149.85 */
    { 1, 450, 0 },       /* 0.45 */
    { 1, 500, 1 },       /* 0.5 rounds up */
    { 2500, 1333, 3333 },  /* 3332.5 */
  };
  check_rounding ("BHD", 3, cases, G_N_ELEMENTS (cases));
}

static void
test_rounding_negative (void)
{
  /* A correction below zero rounds away from zero too. */
  g_assert_cmpint (milk_amount_for_quantity (-500, 215), ==, -108);
  g_assert_cmpint (milk_amount_for_quantity (-750, 5650), ==, -4238);
}

static void
test_currencies (void)
{
  const char *required[] = { "INR", "USD", "EUR", "GBP", "JPY", "AUD", "CAD", "CHF", "CNY", "AED" };
  const char *previous = "";

  g_assert_cmpuint (milk_currency_count (), >=, 150);
  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    g_assert_nonnull (milk_currency_lookup (required[i]));

  g_assert_cmpstr (milk_currency_get_symbol (milk_currency_lookup ("INR")), ==, "₹");
  g_assert_cmpstr (milk_currency_get_symbol (milk_currency_lookup ("CHF")), ==, "Fr");
  g_assert_cmpstr (milk_currency_get_symbol (milk_currency_lookup ("AED")), ==, "د.إ");
  g_assert_cmpstr (milk_currency_get_name (milk_currency_lookup ("EUR")), ==, "Euro");

  for (guint i = 0; i < milk_currency_count (); i++)
    {
      const MilkCurrency *c = milk_currency_nth (i);

      g_assert_cmpstr (previous, <, milk_currency_get_code (c));
      g_assert_true (milk_currency_lookup (milk_currency_get_code (c)) == c);
      g_assert_cmpuint (milk_currency_get_minor_digits (c), <=, 4);
      previous = milk_currency_get_code (c);
    }

  g_assert_null (milk_currency_lookup ("XYZ"));
  g_assert_null (milk_currency_lookup ("inr"));
  g_assert_null (milk_currency_lookup (""));
  g_assert_null (milk_currency_lookup (NULL));
}

static gboolean
use_locale (const char *name)
{
  if (setlocale (LC_ALL, name) == NULL)
    {
      g_test_skip_printf ("locale %s is not installed", name);
      return FALSE;
    }
  return TRUE;
}

static void
check_format (const char *code,
              gint64      minor,
              const char *expected)
{
  g_autofree char *text = milk_money_format (minor, milk_currency_lookup (code));

  g_assert_cmpstr (text, ==, expected);
}

static void
test_format_c (void)
{
  if (!use_locale ("C.UTF-8"))
    return;
  check_format ("INR", 123450, "₹1,234.50");
  check_format ("JPY", 1235, "¥1,235");
  check_format ("BHD", 1500, "BD1.500");
  check_format ("INR", 5, "₹0.05");
  check_format ("INR", -2500, "−₹25.00");
  check_format ("USD", 123456789, "$1,234,567.89");
}

static void
test_format_en_in (void)
{
  if (!use_locale ("en_IN.UTF-8"))
    return;
  /* Indian grouping: lakhs and crores */
  check_format ("INR", 123450, "₹1,234.50");
  check_format ("INR", 12345678, "₹1,23,456.78");
  check_format ("INR", 1234567890, "₹1,23,45,678.90");
  setlocale (LC_ALL, "C.UTF-8");
}

static void
test_format_de (void)
{
  if (!use_locale ("de_DE.UTF-8"))
    return;
  check_format ("EUR", 123450, "1.234,50 €");
  check_format ("INR", 5650, "56,50 ₹");
  setlocale (LC_ALL, "C.UTF-8");
}

static void
test_format_ja (void)
{
  if (!use_locale ("ja_JP.UTF-8"))
    return;
  check_format ("JPY", 1235, "¥1,235");
  setlocale (LC_ALL, "C.UTF-8");
}

static void
test_format_plain (void)
{
  g_autofree char *inr = milk_money_format_plain (5650, milk_currency_lookup ("INR"));
  g_autofree char *jpy = milk_money_format_plain (215, milk_currency_lookup ("JPY"));
  g_autofree char *bhd = milk_money_format_plain (450, milk_currency_lookup ("BHD"));

  g_assert_cmpstr (inr, ==, "56.50");
  g_assert_cmpstr (jpy, ==, "215");
  g_assert_cmpstr (bhd, ==, "0.450");
}

static gint64
parse_price (const char  *text,
             const char  *code,
             GError     **error)
{
  return milk_price_parse (text, milk_currency_lookup (code), error);
}

static void
test_parse_price (void)
{
  g_autoptr(GError) error = NULL;

  setlocale (LC_ALL, "C.UTF-8");
  g_assert_cmpint (parse_price ("56.50", "INR", NULL), ==, 5650);
  g_assert_cmpint (parse_price ("56.5", "INR", NULL), ==, 5650);
  g_assert_cmpint (parse_price ("56", "INR", NULL), ==, 5600);
  g_assert_cmpint (parse_price (" ₹56.50 ", "INR", NULL), ==, 5650);
  g_assert_cmpint (parse_price ("56.50 INR", "INR", NULL), ==, 5650);
  g_assert_cmpint (parse_price ("1,234.50", "INR", NULL), ==, 123450);
  g_assert_cmpint (parse_price ("1,23,456.78", "INR", NULL), ==, 12345678);
  g_assert_cmpint (parse_price ("215", "JPY", NULL), ==, 215);
  g_assert_cmpint (parse_price ("0.450", "BHD", NULL), ==, 450);
  g_assert_cmpint (parse_price ("56.500", "INR", NULL), ==, 5650);

  g_assert_cmpint (parse_price ("56.505", "INR", &error), ==, -1);
  g_assert_error (error, MILK_ERROR, MILK_ERROR_INVALID_PRICE);
  g_assert_nonnull (strstr (error->message, "2 digits"));
  g_clear_error (&error);

  g_assert_cmpint (parse_price ("215.5", "JPY", &error), ==, -1);
  g_assert_error (error, MILK_ERROR, MILK_ERROR_INVALID_PRICE);
  g_assert_nonnull (strstr (error->message, "whole number"));
  g_clear_error (&error);
}

static void
test_parse_price_bad (void)
{
  const char *bad[] = { "", " ", "abc", "5 6", "56..50", "-5", "1e3", "0x10", "56.50.1",
                        "99999999999999999999", "₹", "56,50", ",500", "1,2345", "1,234,5", "\xff\xfe" };

  setlocale (LC_ALL, "C.UTF-8");
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("price %s", bad[i]);
      g_assert_cmpint (parse_price (bad[i], "INR", &error), ==, -1);
      g_assert_error (error, MILK_ERROR, MILK_ERROR_INVALID_PRICE);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }
}

static void
test_parse_price_de (void)
{
  if (!use_locale ("de_DE.UTF-8"))
    return;
  g_assert_cmpint (parse_price ("56,50", "EUR", NULL), ==, 5650);
  g_assert_cmpint (parse_price ("56.50", "EUR", NULL), ==, 5650);
  g_assert_cmpint (parse_price ("1.234,50", "EUR", NULL), ==, -1);
  setlocale (LC_ALL, "C.UTF-8");
}

static void
test_amount_add_bounded (void)
{
  gint64 sum = 0;

  g_assert_true (milk_amount_add (&sum, 100));
  g_assert_cmpint (sum, ==, 100);
  g_assert_false (milk_amount_add (&sum, G_MAXINT64));
  g_assert_cmpint (sum, ==, 100);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/money/rounding/jpy", test_rounding_jpy);
  g_test_add_func ("/core/money/rounding/inr", test_rounding_inr);
  g_test_add_func ("/core/money/rounding/bhd", test_rounding_bhd);
  g_test_add_func ("/core/money/rounding/negative", test_rounding_negative);
  g_test_add_func ("/core/money/currencies", test_currencies);
  g_test_add_func ("/core/money/format/c", test_format_c);
  g_test_add_func ("/core/money/format/en-in", test_format_en_in);
  g_test_add_func ("/core/money/format/de", test_format_de);
  g_test_add_func ("/core/money/format/ja", test_format_ja);
  g_test_add_func ("/core/money/format/plain", test_format_plain);
  g_test_add_func ("/core/money/parse/price", test_parse_price);
  g_test_add_func ("/core/money/parse/price-bad", test_parse_price_bad);
  g_test_add_func ("/core/money/parse/price-de", test_parse_price_de);
  g_test_add_func ("/core/money/add-bounded", test_amount_add_bounded);

  return g_test_run ();
}
