/* milk-number.c — decimal text to scaled integers, for parsers
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-core"

#include "config.h"

#include <limits.h>
#include <locale.h>
#include <string.h>

#include "milk-number-private.h"

const char *
_milk_locale_decimal_point (void)
{
  const struct lconv *lc = localeconv ();

  if (lc->decimal_point == NULL || lc->decimal_point[0] == '\0')
    return ".";
  return lc->decimal_point;
}

const char *
_milk_locale_thousands_sep (void)
{
  const struct lconv *lc = localeconv ();

  if (lc->thousands_sep == NULL)
    return "";
  return lc->thousands_sep;
}

/* Parses [digits][sep digits] where sep is '.' or the locale's decimal
 * point, scaled by 10^scale_digits, into an integer no larger than max.
 * Integer arithmetic only, with the digit count bounded before it can
 * overflow. */
MilkDecimalStatus
_milk_decimal_parse (const char *text,
                     gsize       len,
                     guint       scale_digits,
                     gint64      max,
                     gint64     *out)
{
  const char *locale_point = _milk_locale_decimal_point ();
  gsize point_len = strlen (locale_point);
  gint64 whole = 0;
  gint64 frac = 0;
  guint frac_digits = 0;
  guint whole_digits = 0;
  gboolean seen_point = FALSE;
  gsize i = 0;
  gint64 scale = 1;

  for (guint k = 0; k < scale_digits; k++)
    scale *= 10;

  while (i < len)
    {
      char c = text[i];

      if (g_ascii_isdigit (c))
        {
          if (!seen_point)
            {
              if (++whole_digits > 15)
                return MILK_DECIMAL_TOO_LARGE;
              whole = whole * 10 + (c - '0');
            }
          else
            {
              if (++frac_digits > scale_digits)
                {
                  if (c != '0')
                    return MILK_DECIMAL_TOO_PRECISE;
                  frac_digits = scale_digits;
                }
              else
                frac = frac * 10 + (c - '0');
            }
          i++;
        }
      else if (!seen_point && c == '.')
        {
          seen_point = TRUE;
          i++;
        }
      else if (!seen_point && point_len > 0 && i + point_len <= len &&
               memcmp (text + i, locale_point, point_len) == 0)
        {
          seen_point = TRUE;
          i += point_len;
        }
      else
        return MILK_DECIMAL_SYNTAX;
    }

  if (whole_digits == 0 && frac_digits == 0)
    return MILK_DECIMAL_SYNTAX;

  for (guint k = frac_digits; k < scale_digits; k++)
    frac *= 10;

  if (whole > max / scale)
    return MILK_DECIMAL_TOO_LARGE;
  whole = whole * scale + frac;
  if (whole > max)
    return MILK_DECIMAL_TOO_LARGE;

  *out = whole;
  return MILK_DECIMAL_OK;
}

/* Groups a string of ASCII digits the way LC_NUMERIC/LC_MONETARY's
 * grouping string says: "\3" every three, "\3\2" Indian lakh style. */
char *
_milk_group_digits (const char *digits,
                    const char *separator,
                    const char *grouping)
{
  gsize n = strlen (digits);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GArray) cuts = g_array_new (FALSE, FALSE, sizeof (gsize));
  gsize pos = n;
  const char *g = grouping;
  int size = 0;

  if (separator == NULL || separator[0] == '\0' || grouping == NULL ||
      grouping[0] == '\0' || grouping[0] == CHAR_MAX || grouping[0] <= 0)
    return g_strdup (digits);

  while (pos > 0)
    {
      if (*g != '\0')
        {
          if (*g == CHAR_MAX)
            break;
          size = *g++;
        }
      if (size <= 0 || (gsize) size >= pos)
        break;
      pos -= size;
      g_array_prepend_val (cuts, pos);
    }

  pos = 0;
  for (guint k = 0; k < cuts->len; k++)
    {
      gsize cut = g_array_index (cuts, gsize, k);

      g_string_append_len (out, digits + pos, cut - pos);
      g_string_append (out, separator);
      pos = cut;
    }
  g_string_append (out, digits + pos);
  return g_string_free (g_steal_pointer (&out), FALSE);
}
