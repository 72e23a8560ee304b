/* milk-quantity.c — quantities in integer millilitres
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-core"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "milk-error.h"
#include "milk-number-private.h"
#include "milk-quantity.h"

typedef struct
{
  const char *word;
  guint scale_digits; /* digits of the unit below a litre: 3 for litres */
} Unit;

/* Longest first, so "ml" is not read as "l". Case-insensitive. */
static const Unit units[] = {
  { "millilitres", 0 }, { "milliliters", 0 }, { "millilitre", 0 }, { "milliliter", 0 },
  { "ml", 0 },
  { "litres", 3 }, { "liters", 3 }, { "litre", 3 }, { "liter", 3 },
  { "ltr", 3 }, { "lt", 3 }, { "l", 3 },
};

/* What a person types: "1.5", "1,5" where the locale writes a decimal comma,
 * "750 ml", "2 L", "1.25 litres". A bare number is litres. */
gint64
milk_quantity_parse (const char  *text,
                     GError     **error)
{
  const char *p, *end;
  guint scale_digits = 3;
  gint64 value = 0;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_QTY,
                   _("Enter a quantity such as 1.5 or 750 ml"));
      return -1;
    }

  p = text;
  end = text + strlen (text);
  while (p < end && g_ascii_isspace (*p))
    p++;
  while (end > p && g_ascii_isspace (end[-1]))
    end--;

  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    {
      gsize n = strlen (units[i].word);

      if ((gsize) (end - p) > n && g_ascii_strncasecmp (end - n, units[i].word, n) == 0 &&
          !g_ascii_isalpha (end[-(gssize) n - 1]))
        {
          end -= n;
          scale_digits = units[i].scale_digits;
          while (end > p && g_ascii_isspace (end[-1]))
            end--;
          break;
        }
    }

  if (p < end && *p == '-')
    {
      g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_QTY,
                   _("A quantity cannot be negative"));
      return -1;
    }

  switch (_milk_decimal_parse (p, end - p, scale_digits, MILK_QTY_MAX_ML, &value))
    {
    case MILK_DECIMAL_OK:
      return value;

    case MILK_DECIMAL_TOO_PRECISE:
      g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_QTY,
                   _("Quantities are counted to the millilitre; use at most three decimals of a litre"));
      return -1;

    case MILK_DECIMAL_TOO_LARGE:
      g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_QTY,
                   _("A day’s quantity can be at most 100 litres"));
      return -1;

    case MILK_DECIMAL_SYNTAX:
    default:
      g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_QTY,
                   _("“%s” is not a quantity; enter litres such as 1.5, or millilitres such as 750 ml"),
                   text);
      return -1;
    }
}

/* "1.5", "0.25", "2": litres with the locale's decimal point and no
 * trailing zeros. */
char *
milk_quantity_format_litres (gint64 qty_ml)
{
  gint64 magnitude = qty_ml < 0 ? -qty_ml : qty_ml;
  gint64 whole = magnitude / 1000;
  gint64 frac = magnitude % 1000;
  char frac_text[4];
  int len = 3;

  if (frac == 0)
    return g_strdup_printf ("%s%" G_GINT64_FORMAT, qty_ml < 0 ? "-" : "", whole);

  g_snprintf (frac_text, sizeof frac_text, "%03" G_GINT64_FORMAT, frac);
  while (len > 0 && frac_text[len - 1] == '0')
    frac_text[--len] = '\0';

  return g_strdup_printf ("%s%" G_GINT64_FORMAT "%s%s", qty_ml < 0 ? "-" : "",
                          whole, _milk_locale_decimal_point (), frac_text);
}

/* "1.5 L" */
char *
milk_quantity_format (gint64 qty_ml)
{
  g_autofree char *litres = milk_quantity_format_litres (qty_ml);

  /* TRANSLATORS: a quantity of milk in litres, e.g. "1.5 L" */
  return g_strdup_printf (_("%s L"), litres);
}

/* "1 + 0.5 L": a day delivered morning and evening. */
char *
milk_quantity_format_split (gint64 morning_ml,
                            gint64 evening_ml)
{
  g_autofree char *morning = milk_quantity_format_litres (morning_ml);
  g_autofree char *evening = milk_quantity_format_litres (evening_ml);
  g_autofree char *both = g_strdup_printf ("%s + %s", morning, evening);

  return g_strdup_printf (_("%s L"), both);
}
