/* milk-number-private.h — decimal text to scaled integers, for parsers
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  MILK_DECIMAL_OK,
  MILK_DECIMAL_SYNTAX,
  MILK_DECIMAL_TOO_PRECISE,
  MILK_DECIMAL_TOO_LARGE,
} MilkDecimalStatus;

MilkDecimalStatus _milk_decimal_parse     (const char *text,
                                           gsize       len,
                                           guint       scale_digits,
                                           gint64      max,
                                           gint64     *out);
const char       *_milk_locale_decimal_point (void);
const char       *_milk_locale_thousands_sep (void);
char             *_milk_group_digits      (const char *digits,
                                           const char *separator,
                                           const char *grouping);

G_END_DECLS
