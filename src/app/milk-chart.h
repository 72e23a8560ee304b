/* milk-chart.h — a bar chart of amounts of money
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "milk-core.h"

G_BEGIN_DECLS

#define MILK_TYPE_CHART (milk_chart_get_type ())

G_DECLARE_FINAL_TYPE (MilkChart, milk_chart, MILK, CHART, GtkWidget)

GtkWidget  *milk_chart_new          (void);
void        milk_chart_set_values   (MilkChart          *self,
                                     const gint64       *values,
                                     const char * const *labels,
                                     const char * const *short_labels,
                                     guint               n,
                                     const MilkCurrency *currency);
void        milk_chart_set_title    (MilkChart          *self,
                                     const char         *title);
guint       milk_chart_get_n_values (MilkChart          *self);
char       *milk_chart_dup_description (MilkChart        *self);

G_END_DECLS
