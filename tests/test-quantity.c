/* test-quantity.c — what a person types for a day's milk
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
  const char *text;
  gint64 qty_ml;
} ParseCase;

static void
check_parses (const ParseCase *cases,
              guint            n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 qty = milk_quantity_parse (cases[i].text, &error);

      g_test_message ("“%s”", cases[i].text);
      g_assert_no_error (error);
      g_assert_cmpint (qty, ==, cases[i].qty_ml);
    }
}

static void
test_parse_c_locale (void)
{
  static const ParseCase cases[] = {
    { "1.5", 1500 }, { "1", 1000 }, { "0.5", 500 }, { ".5", 500 }, { "2.", 2000 },
    { "0", 0 }, { "0.0", 0 }, { "750 ml", 750 }, { "750ml", 750 }, { "750 mL", 750 },
    { "2 L", 2000 }, { "2l", 2000 }, { "1.25 litres", 1250 }, { "3 liters", 3000 },
    { "1 litre", 1000 }, { "  1.5  ", 1500 }, { "0.001", 1 }, { "1.500", 1500 },
    { "100", 100000 }, { "100000 ml", 100000 }, { "1.2500", 1250 },
  };

  setlocale (LC_ALL, "C.UTF-8");
  check_parses (cases, G_N_ELEMENTS (cases));
}

static void
test_parse_comma_locale (void)
{
  static const ParseCase cases[] = {
    { "1,5", 1500 }, { "1.5", 1500 }, { "0,75 l", 750 }, { "2 L", 2000 }, { "750 ml", 750 },
  };

  if (setlocale (LC_ALL, "de_DE.UTF-8") == NULL)
    {
      g_test_skip ("de_DE.UTF-8 is not installed");
      return;
    }
  check_parses (cases, G_N_ELEMENTS (cases));
  setlocale (LC_ALL, "C.UTF-8");
}

static void
check_rejects (const char *text,
               const char *message_part)
{
  g_autoptr(GError) error = NULL;

  g_test_message ("“%s”", text);
  g_assert_cmpint (milk_quantity_parse (text, &error), ==, -1);
  g_assert_error (error, MILK_ERROR, MILK_ERROR_INVALID_QTY);
  if (message_part)
    g_assert_nonnull (strstr (error->message, message_part));
}

static void
test_parse_bad (void)
{
  setlocale (LC_ALL, "C.UTF-8");
  check_rejects ("", "not a quantity");
  check_rejects ("abc", "not a quantity");
  check_rejects ("1,5", "not a quantity");   /* no decimal comma in this locale */
  check_rejects ("1.5.5", "not a quantity");
  check_rejects ("1 5", "not a quantity");
  check_rejects ("ml", "not a quantity");
  check_rejects ("L", "not a quantity");
  check_rejects ("1.5 kg", "not a quantity");
  check_rejects ("1e3", "not a quantity");
  check_rejects ("-1", "negative");
  check_rejects ("100.001", "100 litres");
  check_rejects ("101", "100 litres");
  check_rejects ("100001 ml", "100 litres");
  check_rejects ("99999999999999999999999", "100 litres");
  check_rejects ("1.0001", "millilitre");
  check_rejects ("750.5 ml", "millilitre");
  check_rejects ("\xff", NULL);
  check_rejects (NULL, NULL);
}

static void
test_format (void)
{
  struct { gint64 ml; const char *text; } cases[] = {
    { 1500, "1.5 L" }, { 1000, "1 L" }, { 250, "0.25 L" }, { 1, "0.001 L" }, { 0, "0 L" },
    { 100000, "100 L" }, { 1250, "1.25 L" },
  };

  setlocale (LC_ALL, "C.UTF-8");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = milk_quantity_format (cases[i].ml);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_format_round_trip (void)
{
  setlocale (LC_ALL, "C.UTF-8");
  for (gint64 ml = 0; ml <= MILK_QTY_MAX_ML; ml += 37)
    {
      g_autofree char *text = milk_quantity_format_litres (ml);
      g_assert_cmpint (milk_quantity_parse (text, NULL), ==, ml);
    }
}

static void
test_format_comma_locale (void)
{
  g_autofree char *text = NULL;

  if (setlocale (LC_ALL, "de_DE.UTF-8") == NULL)
    {
      g_test_skip ("de_DE.UTF-8 is not installed");
      return;
    }
  text = milk_quantity_format (1500);
  g_assert_cmpstr (text, ==, "1,5 L");
  g_assert_cmpint (milk_quantity_parse ("1,5", NULL), ==, 1500);
  setlocale (LC_ALL, "C.UTF-8");
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/quantity/parse/c-locale", test_parse_c_locale);
  g_test_add_func ("/core/quantity/parse/comma-locale", test_parse_comma_locale);
  g_test_add_func ("/core/quantity/parse/bad", test_parse_bad);
  g_test_add_func ("/core/quantity/format", test_format);
  g_test_add_func ("/core/quantity/format/round-trip", test_format_round_trip);
  g_test_add_func ("/core/quantity/format/comma-locale", test_format_comma_locale);

  return g_test_run ();
}
