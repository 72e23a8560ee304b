/* milk-totals-view.h — the months of a year, their bills and a chart
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "milk-store.h"

G_BEGIN_DECLS

#define MILK_TYPE_TOTALS_VIEW (milk_totals_view_get_type ())

G_DECLARE_FINAL_TYPE (MilkTotalsView, milk_totals_view, MILK, TOTALS_VIEW, GtkWidget)

GtkWidget *milk_totals_view_new       (MilkStore      *store);
MilkStore *milk_totals_view_get_store (MilkTotalsView *self);
int        milk_totals_view_get_year  (MilkTotalsView *self);
void       milk_totals_view_set_year  (MilkTotalsView *self,
                                       int             year);

G_END_DECLS
