/* milk-money.c — integer money: amounts, parsing, locale formatting
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-core"

#include "config.h"

#include <limits.h>
#include <locale.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "milk-error.h"
#include "milk-money.h"
#include "milk-number-private.h"
#include "milk-quantity.h"

/* qty_ml * price_per_l / 1000, rounded half away from zero. Both inputs are
 * bounded (100 L, 10^9 per litre) so the product fits in 64 bits. */
gint64
milk_amount_for_quantity (gint64 qty_ml,
                          gint64 price_per_l)
{
  gint64 product;

  g_return_val_if_fail (qty_ml >= -MILK_QTY_MAX_ML && qty_ml <= MILK_QTY_MAX_ML, 0);
  g_return_val_if_fail (price_per_l >= -MILK_PRICE_MAX && price_per_l <= MILK_PRICE_MAX, 0);

  product = qty_ml * price_per_l;
  if (product >= 0)
    return (product + 500) / 1000;
  return -((-product + 500) / 1000);
}

/* Adds with a bound, so that no sum of hostile values can wrap. */
gboolean
milk_amount_add (gint64 *sum,
                 gint64  amount)
{
  if (amount > MILK_AMOUNT_MAX || amount < -MILK_AMOUNT_MAX ||
      *sum > MILK_AMOUNT_MAX || *sum < -MILK_AMOUNT_MAX)
    return FALSE;
  *sum += amount;
  return TRUE;
}

static gboolean
strip_prefix (const char **p,
              const char  *end,
              const char  *word)
{
  gsize n = strlen (word);

  if (n > 0 && (gsize) (end - *p) >= n && memcmp (*p, word, n) == 0)
    {
      *p += n;
      return TRUE;
    }
  return FALSE;
}

static gboolean
strip_suffix (const char  *p,
              const char **end,
              const char  *word)
{
  gsize n = strlen (word);

  if (n > 0 && (gsize) (*end - p) >= n && memcmp (*end - n, word, n) == 0)
    {
      *end -= n;
      return TRUE;
    }
  return FALSE;
}

static void
trim (const char **p,
      const char **end)
{
  while (*p < *end && g_ascii_isspace (**p))
    (*p)++;
  while (*end > *p && g_ascii_isspace ((*end)[-1]))
    (*end)--;
}

/* A price as a person types it: "56.50", "56,50" where the locale writes
 * a decimal comma, "₹56.50", "56.50 INR", "1,234.50" with the locale's
 * grouping. Returns minor units, or -1 with an error. */
static gint64 parse_price (const char *text, const MilkCurrency *currency, gboolean name_other, GError **error);

gint64
milk_price_parse (const char          *text,
                  const MilkCurrency  *currency,
                  GError             **error)
{
  return parse_price (text, currency, TRUE, error);
}

/* Into @cleaned, the text between @p and @end without the locale's digit
 * grouping, unless it could be the decimal point. Groups must look like
 * groups ("1,234", "1,23,456"), so that "56,50" typed for 56.50 is an
 * error rather than 5,650. */
static gboolean
drop_grouping (const char *p,
               const char *end,
               const char *sep,
               const char *point,
               GString    *cleaned)
{
  gsize sep_len = strlen (sep);
  gboolean grouped = FALSE, in_fraction = FALSE;
  int group_digits = -1;

  for (const char *q = p; q < end; q++)
    {
      if (!in_fraction && sep_len > 0 && strcmp (sep, point) != 0 && strcmp (sep, ".") != 0 &&
          (gsize) (end - q) >= sep_len && memcmp (q, sep, sep_len) == 0)
        {
          if (cleaned->len == 0 || (grouped && group_digits != 2 && group_digits != 3))
            return FALSE;
          grouped = TRUE;
          group_digits = 0;
          q += sep_len - 1;
          continue;
        }
      if (g_ascii_isdigit (*q))
        {
          if (!in_fraction && group_digits >= 0)
            group_digits++;
        }
      else if (!in_fraction)
        {
          if (grouped && group_digits != 3)
            return FALSE;
          in_fraction = TRUE;
        }
      g_string_append_c (cleaned, *q);
    }
  if (grouped && !in_fraction && group_digits != 3)
    return FALSE;
  return TRUE;
}

/* Not a price here: perhaps one in another currency (with name_other). */
static gint64
not_a_price (const char          *text,
             const MilkCurrency  *currency,
             gboolean             name_other,
             GError             **error)
{
  /* "₹56" in a diary kept in Swiss francs: a price, but not in its currency. */
  for (guint i = 0; name_other && i < milk_currency_count (); i++)
    {
      const MilkCurrency *other = milk_currency_nth (i);

      if (other != currency && parse_price (text, other, FALSE, NULL) >= 0)
        {
          /* TRANSLATORS: "“₹56” is in another currency; this diary’s prices are in Swiss Franc (CHF)" */
          g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_PRICE,
                       _("“%s” is in another currency; this diary’s prices are in %s (%s)"),
                       text, milk_currency_get_name (currency), milk_currency_get_code (currency));
          return -1;
        }
    }
  g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_PRICE,
               _("“%s” is not a price; enter a number such as 56.50"), text);
  return -1;
}

/* With name_other, a text that is a price in another currency says so. */
static gint64
parse_price (const char          *text,
             const MilkCurrency  *currency,
             gboolean             name_other,
             GError             **error)
{
  const char *p, *end;
  const char *point = _milk_locale_decimal_point ();
  const char *sep = _milk_locale_thousands_sep ();
  g_autoptr(GString) cleaned = g_string_new (NULL);
  guint digits;
  gint64 value = 0;

  g_return_val_if_fail (currency != NULL, -1);

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_PRICE,
                   _("Enter a price such as 56.50"));
      return -1;
    }

  /* The C locale groups nothing; people still type "1,234.50". */
  if (sep[0] == '\0' && strcmp (point, ",") != 0)
    sep = ",";

  digits = milk_currency_get_minor_digits (currency);
  p = text;
  end = text + strlen (text);
  trim (&p, &end);
  if (strip_prefix (&p, end, milk_currency_get_symbol (currency)) ||
      strip_prefix (&p, end, milk_currency_get_code (currency)))
    trim (&p, &end);
  if (strip_suffix (p, &end, milk_currency_get_code (currency)) ||
      strip_suffix (p, &end, milk_currency_get_symbol (currency)))
    trim (&p, &end);

  if (!drop_grouping (p, end, sep, point, cleaned))
    return not_a_price (text, currency, name_other, error);

  switch (_milk_decimal_parse (cleaned->str, cleaned->len, digits, MILK_PRICE_MAX, &value))
    {
    case MILK_DECIMAL_OK:
      return value;

    case MILK_DECIMAL_TOO_PRECISE:
      if (digits == 0)
        g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_PRICE,
                     _("%s has no fractional units; enter a whole number"),
                     milk_currency_get_code (currency));
      else
        g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_PRICE,
                     ngettext ("%s has only %u digit after the decimal point",
                               "%s has only %u digits after the decimal point",
                               digits),
                     milk_currency_get_code (currency), digits);
      return -1;

    case MILK_DECIMAL_TOO_LARGE:
      g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_PRICE,
                   _("That price is too large"));
      return -1;

    case MILK_DECIMAL_SYNTAX:
    default:
      return not_a_price (text, currency, name_other, error);
    }
}

static char *
format_number (gint64       minor,
               guint        digits,
               const char  *point,
               const char  *sep,
               const char  *grouping)
{
  guint64 magnitude = minor < 0 ? (guint64) -(minor + 1) + 1 : (guint64) minor;
  guint64 scale = 1;
  g_autofree char *whole_digits = NULL;
  g_autofree char *grouped = NULL;

  for (guint k = 0; k < digits; k++)
    scale *= 10;

  whole_digits = g_strdup_printf ("%" G_GUINT64_FORMAT, magnitude / scale);
  grouped = _milk_group_digits (whole_digits, sep, grouping);
  if (digits == 0)
    return g_steal_pointer (&grouped);
  return g_strdup_printf ("%s%s%0*" G_GUINT64_FORMAT, grouped, point,
                          (int) digits, magnitude % scale);
}

/* Formats in the locale's monetary conventions (LC_MONETARY): where the
 * symbol goes, whether a space separates it, the decimal point and the
 * grouping. The C locale falls back to "₹1,234.50". */
char *
milk_money_format (gint64              minor,
                   const MilkCurrency *currency)
{
  const struct lconv *lc = localeconv ();
  /* The C locale leaves LC_MONETARY empty; use the common "1,234.50". */
  gboolean unset = lc->mon_decimal_point == NULL || lc->mon_decimal_point[0] == '\0';
  const char *point = unset ? "." : lc->mon_decimal_point;
  const char *sep = unset ? "," : lc->mon_thousands_sep;
  const char *grouping = unset ? "\3" : lc->mon_grouping;
  gboolean precedes = lc->p_cs_precedes == CHAR_MAX || lc->p_cs_precedes != 0;
  gboolean space = lc->p_sep_by_space != CHAR_MAX && lc->p_sep_by_space != 0;
  g_autofree char *number = NULL;
  const char *symbol;

  g_return_val_if_fail (currency != NULL, NULL);

  number = format_number (minor, milk_currency_get_minor_digits (currency), point, sep, grouping);
  symbol = milk_currency_get_symbol (currency);

  if (precedes)
    return g_strdup_printf ("%s%s%s%s", minor < 0 ? "−" : "", symbol, space ? " " : "", number);
  return g_strdup_printf ("%s%s%s%s", minor < 0 ? "−" : "", number, space ? " " : "", symbol);
}

/* The number alone, with the locale's decimal point but no grouping or
 * symbol: what an entry field shows for editing ("56.50"). */
char *
milk_money_format_plain (gint64              minor,
                         const MilkCurrency *currency)
{
  g_autofree char *number = NULL;

  g_return_val_if_fail (currency != NULL, NULL);

  number = format_number (minor, milk_currency_get_minor_digits (currency),
                          _milk_locale_decimal_point (), NULL, NULL);
  return g_strdup_printf ("%s%s", minor < 0 ? "-" : "", number);
}
