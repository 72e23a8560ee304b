/* milk-window.h — the main window
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "milk-application.h"
#include "milk-calendar-view.h"
#include "milk-day-editor.h"

G_BEGIN_DECLS

#define MILK_TYPE_WINDOW (milk_window_get_type ())

G_DECLARE_FINAL_TYPE (MilkWindow, milk_window, MILK, WINDOW, AdwApplicationWindow)

MilkWindow       *milk_window_new               (MilkApplication *application,
                                                 MilkStore       *store);
MilkDayEditor    *milk_window_edit_day          (MilkWindow      *self,
                                                 MilkDay          day);
void              milk_window_offer_undo        (MilkWindow      *self,
                                                 const char      *message,
                                                 GPtrArray       *before);
MilkCalendarView *milk_window_get_calendar_view (MilkWindow      *self);
AdwViewStack     *milk_window_get_view_stack    (MilkWindow      *self);
void              milk_window_show_message      (MilkWindow      *self,
                                                 const char      *message);
void              milk_window_set_sync          (MilkWindow      *self,
                                                 MilkSyncService *sync);
void              milk_window_mark_leave        (MilkWindow      *self,
                                                 MilkDay          first,
                                                 MilkDay          last);

G_END_DECLS
