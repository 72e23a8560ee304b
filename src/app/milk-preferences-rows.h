/* milk-preferences-rows.h — rows, lists and subpages the preferences pages share
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "milk-store.h"

G_BEGIN_DECLS

void       milk_prefs_row_set_error         (AdwEntryRow *row,
                                             const char  *message);
void       milk_prefs_watch_errors          (AdwEntryRow *row);
void       milk_prefs_set_day_from_calendar (AdwEntryRow *row,
                                             GtkCalendar *calendar,
                                             GtkPopover  *popover);

char      *milk_prefs_format_day            (MilkDay      day);

void       milk_prefs_clear_list            (GtkListBox  *list);
GtkWidget *milk_prefs_placeholder_new       (const char  *text);
GtkWidget *milk_prefs_remove_button_new     (const char  *action,
                                             const char  *target,
                                             const char  *tooltip);

void       milk_prefs_present_subpage       (GtkWidget   *page,
                                             GtkWidget   *subpage);
void       milk_prefs_close_subpage         (GtkWidget   *subpage);

G_END_DECLS
