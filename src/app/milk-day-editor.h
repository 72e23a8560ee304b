/* milk-day-editor.h — what was delivered on one day, and at what price
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "milk-store.h"

G_BEGIN_DECLS

#define MILK_TYPE_DAY_EDITOR (milk_day_editor_get_type ())

G_DECLARE_FINAL_TYPE (MilkDayEditor, milk_day_editor, MILK, DAY_EDITOR, AdwWindow)

MilkDayEditor *milk_day_editor_new               (GtkWindow     *parent,
                                                  MilkStore     *store,
                                                  MilkDay        day);
MilkDay        milk_day_editor_get_day           (MilkDayEditor *self);
GtkEditable   *milk_day_editor_get_quantity_entry (MilkDayEditor *self,
                                                  guint          product_index);
GtkEditable   *milk_day_editor_get_evening_entry (MilkDayEditor *self,
                                                  guint          product_index);
GtkEditable   *milk_day_editor_get_price_entry   (MilkDayEditor *self,
                                                  guint          product_index);
GtkEditable   *milk_day_editor_get_note_entry    (MilkDayEditor *self);
const char    *milk_day_editor_get_error         (MilkDayEditor *self);

G_END_DECLS
