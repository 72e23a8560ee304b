/* milk-day-cell.h — one day of the month grid
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "milk-core.h"

G_BEGIN_DECLS

#define MILK_TYPE_DAY_CELL (milk_day_cell_get_type ())

G_DECLARE_FINAL_TYPE (MilkDayCell, milk_day_cell, MILK, DAY_CELL, GtkButton)

typedef enum
{
  MILK_DAY_UNRECORDED,
  MILK_DAY_DELIVERED,
  MILK_DAY_SKIPPED,
} MilkDayState;

GtkWidget   *milk_day_cell_new        (void);
MilkDay      milk_day_cell_get_day    (MilkDayCell *self);
void         milk_day_cell_set_day    (MilkDayCell *self,
                                       MilkDay      day,
                                       gboolean     in_month,
                                       gboolean     is_today,
                                       gboolean     is_future);
void         milk_day_cell_set_selected (MilkDayCell *self,
                                         gboolean     selected);
MilkDayState milk_day_cell_get_state  (MilkDayCell *self);
const char  *milk_day_cell_get_text   (MilkDayCell *self);
void         milk_day_cell_show_entries (MilkDayCell        *self,
                                         GPtrArray          *products,
                                         GPtrArray          *entries,
                                         const MilkCurrency *currency);

G_END_DECLS
