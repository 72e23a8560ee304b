/* milk-bill-panel.h — a month's bill under the calendar
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "milk-store.h"

G_BEGIN_DECLS

#define MILK_TYPE_BILL_PANEL (milk_bill_panel_get_type ())

G_DECLARE_FINAL_TYPE (MilkBillPanel, milk_bill_panel, MILK, BILL_PANEL, GtkWidget)

void milk_bill_panel_show    (MilkBillPanel *self,
                              MilkStore     *store,
                              int            year,
                              int            month);
void milk_bill_panel_refresh (MilkBillPanel *self);

G_END_DECLS
