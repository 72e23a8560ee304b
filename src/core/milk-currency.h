/* milk-currency.h — ISO 4217 currencies
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _MilkCurrency MilkCurrency;

const MilkCurrency *milk_currency_lookup         (const char         *code);
guint               milk_currency_count          (void);
const MilkCurrency *milk_currency_nth            (guint               n);
const char         *milk_currency_get_code       (const MilkCurrency *currency);
const char         *milk_currency_get_symbol     (const MilkCurrency *currency);
guint               milk_currency_get_minor_digits (const MilkCurrency *currency);
const char         *milk_currency_get_name       (const MilkCurrency *currency);

G_END_DECLS
