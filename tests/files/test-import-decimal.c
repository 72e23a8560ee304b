/* test-import-decimal.c — exact decimal text to integers, never a double
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "milk-import-private.h"

static gint64
scaled (const char *text,
        int         scale,
        gboolean   *exact)
{
  MilkDecimal value;
  gint64 out = -999;

  g_assert_true (_milk_decimal_from_text (text, &value));
  g_assert_true (_milk_decimal_ratio (&value, NULL, scale, G_GINT64_CONSTANT (1) << 60, &out, exact));
  return out;
}

static gint64
ratio (const char *a,
       const char *b,
       int         scale,
       gboolean   *exact)
{
  MilkDecimal x, y;
  gint64 out = -999;

  g_assert_true (_milk_decimal_from_text (a, &x));
  g_assert_true (_milk_decimal_from_text (b, &y));
  g_assert_true (_milk_decimal_ratio (&x, &y, scale, 1000000000, &out, exact));
  return out;
}

static void
test_parse (void)
{
  MilkDecimal value;
  gboolean exact;

  /* What SQLite prints for REAL values, and what people type. */
  g_assert_cmpint (scaled ("0.5", 3, &exact), ==, 500);
  g_assert_true (exact);
  g_assert_cmpint (scaled ("25.0", 2, &exact), ==, 2500);
  g_assert_cmpint (scaled ("0.0", 3, &exact), ==, 0);
  g_assert_cmpint (scaled ("100", 2, &exact), ==, 10000);
  g_assert_cmpint (scaled (" 1.25 ", 3, &exact), ==, 1250);
  g_assert_cmpint (scaled ("1.0e-05", 6, &exact), ==, 10);
  g_assert_cmpint (scaled ("1.5E2", 0, &exact), ==, 150);
  g_assert_cmpint (scaled ("-2.5", 0, &exact), ==, -3);   /* half away from zero */
  g_assert_cmpint (scaled ("0.0005", 3, &exact), ==, 1);
  g_assert_false (exact);
  g_assert_cmpint (scaled ("0.00049", 3, &exact), ==, 0);
  g_assert_false (exact);
  g_assert_cmpint (scaled ("1.2345", 3, &exact), ==, 1235);
  g_assert_false (exact);
  g_assert_cmpint (scaled ("1.2344", 3, &exact), ==, 1234);
  g_assert_cmpint (scaled ("56.50", 2, &exact), ==, 5650);
  g_assert_true (exact);

  g_assert_false (_milk_decimal_from_text ("", &value));
  g_assert_false (_milk_decimal_from_text (".", &value));
  g_assert_false (_milk_decimal_from_text ("abc", &value));
  g_assert_false (_milk_decimal_from_text ("1.2.3", &value));
  g_assert_false (_milk_decimal_from_text ("1e", &value));
  g_assert_false (_milk_decimal_from_text ("inf", &value));
  g_assert_false (_milk_decimal_from_text ("nan", &value));
  g_assert_false (_milk_decimal_from_text ("1,5", &value));
  g_assert_false (_milk_decimal_from_text ("1234567890123456789", &value)); /* 19 digits */
  g_assert_true (_milk_decimal_from_text ("-0.0", &value));
  g_assert_true (_milk_decimal_is_zero (&value));
  g_assert_false (value.negative);
}

static void
test_ratio (void)
{
  gboolean exact;
  MilkDecimal a, zero;
  gint64 out;

  /* cost / litres × 100: the old app's per-row price in minor units. */
  g_assert_cmpint (ratio ("25.0", "0.5", 2, &exact), ==, 5000);
  g_assert_true (exact);
  g_assert_cmpint (ratio ("37.5", "0.75", 2, &exact), ==, 5000);
  g_assert_cmpint (ratio ("17.01", "0.3", 2, &exact), ==, 5670);
  g_assert_true (exact);
  /* 0.1 × 3.0 in binary floating point, printed by SQLite to 15 digits,
   * and the raw 17 digits too: both give 3.00 a litre. */
  g_assert_cmpint (ratio ("0.3", "0.1", 2, &exact), ==, 300);
  g_assert_cmpint (ratio ("0.30000000000000004", "0.1", 2, &exact), ==, 300);
  g_assert_false (exact);
  /* 100 for 3 litres: 33.333… rounds to 33.33; 200/3 = 66.666… to 66.67 */
  g_assert_cmpint (ratio ("100", "3", 2, &exact), ==, 3333);
  g_assert_false (exact);
  g_assert_cmpint (ratio ("200", "3", 2, &exact), ==, 6667);
  /* exactly half: 0.125 to two digits is 0.13 */
  g_assert_cmpint (ratio ("0.125", "1", 2, &exact), ==, 13);
  g_assert_cmpint (ratio ("1", "8", 2, &exact), ==, 13);
  /* JPY has no minor digits; BHD three */
  g_assert_cmpint (ratio ("150", "1.5", 0, &exact), ==, 100);
  g_assert_cmpint (ratio ("0.375", "0.75", 3, &exact), ==, 500);
  /* a tiny quotient whose whole integer part is in the tail */
  g_assert_cmpint (ratio ("0.004", "1", 2, &exact), ==, 0);
  g_assert_cmpint (ratio ("0.005", "1", 2, &exact), ==, 1);

  /* Too large, and division by zero, are refused. */
  g_assert_true (_milk_decimal_from_text ("2e9", &a));
  g_assert_false (_milk_decimal_ratio (&a, NULL, 2, 1000000000, &out, NULL));
  g_assert_true (_milk_decimal_from_text ("0", &zero));
  g_assert_false (_milk_decimal_ratio (&a, &zero, 2, 1000000000, &out, NULL));
}

static void
test_format (void)
{
  g_autofree char *a = _milk_decimal_format (5650, 2);
  g_autofree char *b = _milk_decimal_format (5, 2);
  g_autofree char *c = _milk_decimal_format (-1250, 3);
  g_autofree char *d = _milk_decimal_format (100, 0);

  g_assert_cmpstr (a, ==, "56.50");
  g_assert_cmpstr (b, ==, "0.05");
  g_assert_cmpstr (c, ==, "-1.250");
  g_assert_cmpstr (d, ==, "100");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/import/decimal/parse", test_parse);
  g_test_add_func ("/import/decimal/ratio", test_ratio);
  g_test_add_func ("/import/decimal/format", test_format);
  return g_test_run ();
}
