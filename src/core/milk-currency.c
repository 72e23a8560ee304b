/* milk-currency.c — ISO 4217 currencies
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-core"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "milk-currency.h"

typedef struct
{
  const char *code;
  const char *symbol;
  guint minor_digits;
  const char *name;
} MilkCurrencyInfo;

struct _MilkCurrency
{
  MilkCurrencyInfo info;
};

#include "milk-currency-table.h"

static int
compare_code (const void *key,
              const void *element)
{
  const MilkCurrencyInfo *info = element;

  return strcmp (key, info->code);
}

const MilkCurrency *
milk_currency_lookup (const char *code)
{
  const MilkCurrencyInfo *info;

  if (code == NULL || strlen (code) != 3)
    return NULL;

  info = bsearch (code, currency_table, G_N_ELEMENTS (currency_table),
                  sizeof currency_table[0], compare_code);
  return (const MilkCurrency *) info;
}

guint
milk_currency_count (void)
{
  return G_N_ELEMENTS (currency_table);
}

const MilkCurrency *
milk_currency_nth (guint n)
{
  if (n >= G_N_ELEMENTS (currency_table))
    return NULL;
  return (const MilkCurrency *) &currency_table[n];
}

const char *
milk_currency_get_code (const MilkCurrency *currency)
{
  return currency->info.code;
}

const char *
milk_currency_get_symbol (const MilkCurrency *currency)
{
  return currency->info.symbol;
}

guint
milk_currency_get_minor_digits (const MilkCurrency *currency)
{
  return currency->info.minor_digits;
}

const char *
milk_currency_get_name (const MilkCurrency *currency)
{
  return g_dgettext (GETTEXT_PACKAGE, currency->info.name);
}
