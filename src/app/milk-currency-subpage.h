/* milk-currency-subpage.h — the diary's currency, a preferences subpage
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "milk-store.h"
#include "milk-toaster.h"

G_BEGIN_DECLS

#define MILK_TYPE_CURRENCY_SUBPAGE (milk_currency_subpage_get_type ())

G_DECLARE_FINAL_TYPE (MilkCurrencySubpage, milk_currency_subpage, MILK, CURRENCY_SUBPAGE, GtkBox)

GtkWidget *milk_currency_subpage_new   (MilkStore           *store,
                                        MilkToaster         *toaster);
void       milk_currency_subpage_reset (MilkCurrencySubpage *self);

G_END_DECLS
