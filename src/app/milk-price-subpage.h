/* milk-price-subpage.h — a product's price schedule, a preferences subpage
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "milk-store.h"
#include "milk-toaster.h"

G_BEGIN_DECLS

#define MILK_TYPE_PRICE_SUBPAGE (milk_price_subpage_get_type ())

G_DECLARE_FINAL_TYPE (MilkPriceSubpage, milk_price_subpage, MILK, PRICE_SUBPAGE, GtkBox)

GtkWidget *milk_price_subpage_new          (MilkStore        *store,
                                            MilkToaster      *toaster);
void       milk_price_subpage_show_product (MilkPriceSubpage *self,
                                            const char       *product);

G_END_DECLS
