/* milk-bill-row.h — one figure of the month's bill: a title, what it
 * means and the figure at its end
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define MILK_TYPE_BILL_ROW (milk_bill_row_get_type ())

G_DECLARE_FINAL_TYPE (MilkBillRow, milk_bill_row, MILK, BILL_ROW, GtkListBoxRow)

GtkWidget  *milk_bill_row_new          (const char  *title);
const char *milk_bill_row_get_title    (MilkBillRow *self);
void        milk_bill_row_set_title    (MilkBillRow *self,
                                        const char  *title);
const char *milk_bill_row_get_subtitle (MilkBillRow *self);
void        milk_bill_row_set_subtitle (MilkBillRow *self,
                                        const char  *subtitle);
const char *milk_bill_row_get_value    (MilkBillRow *self);
void        milk_bill_row_set_value    (MilkBillRow *self,
                                        const char  *value);

G_END_DECLS
