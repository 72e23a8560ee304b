/* milk-calendar-view.h — the month grid and the month's bill
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "milk-store.h"

G_BEGIN_DECLS

#define MILK_TYPE_CALENDAR_VIEW (milk_calendar_view_get_type ())

G_DECLARE_FINAL_TYPE (MilkCalendarView, milk_calendar_view, MILK, CALENDAR_VIEW, GtkWidget)

GtkWidget *milk_calendar_view_new        (MilkStore        *store);
void       milk_calendar_view_set_month  (MilkCalendarView *self,
                                          int               year,
                                          int               month);
int        milk_calendar_view_get_year   (MilkCalendarView *self);
int        milk_calendar_view_get_month  (MilkCalendarView *self);
GtkWidget *milk_calendar_view_get_cell   (MilkCalendarView *self,
                                          MilkDay           day);
void       milk_calendar_view_refresh    (MilkCalendarView *self);
void       milk_calendar_view_click_day  (MilkCalendarView *self,
                                          MilkDay           day,
                                          gboolean          extend);
void       milk_calendar_view_select_range (MilkCalendarView *self,
                                          MilkDay           first,
                                          MilkDay           last);
gboolean   milk_calendar_view_get_selection (MilkCalendarView *self,
                                          MilkDay          *first,
                                          MilkDay          *last);

G_END_DECLS
