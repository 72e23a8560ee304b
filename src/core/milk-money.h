/* milk-money.h — integer money: amounts, parsing, locale formatting
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "milk-currency.h"

G_BEGIN_DECLS

/* Prices are minor units per litre; amounts are minor units. */
#define MILK_PRICE_MAX  G_GINT64_CONSTANT (1000000000)      /* per litre */
#define MILK_AMOUNT_MAX G_GINT64_CONSTANT (1000000000000000) /* 10^15 */

gint64    milk_amount_for_quantity (gint64               qty_ml,
                                    gint64               price_per_l);
gboolean  milk_amount_add          (gint64              *sum,
                                    gint64               amount);
gint64    milk_price_parse         (const char          *text,
                                    const MilkCurrency  *currency,
                                    GError             **error);
char     *milk_money_format        (gint64               minor,
                                    const MilkCurrency  *currency);
char     *milk_money_format_plain  (gint64               minor,
                                    const MilkCurrency  *currency);

G_END_DECLS
