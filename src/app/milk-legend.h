/* milk-legend.h — which colour is which product, under the month
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define MILK_TYPE_LEGEND (milk_legend_get_type ())

G_DECLARE_FINAL_TYPE (MilkLegend, milk_legend, MILK, LEGEND, GtkWidget)

void milk_legend_set_products (MilkLegend *self,
                               GPtrArray  *products);

G_END_DECLS
