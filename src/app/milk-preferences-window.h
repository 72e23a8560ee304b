/* milk-preferences-window.h — the General, Products and Payments pages
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "milk-store.h"

G_BEGIN_DECLS

#define MILK_TYPE_PREFERENCES_WINDOW (milk_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (MilkPreferencesWindow, milk_preferences_window, MILK, PREFERENCES_WINDOW, AdwPreferencesWindow)

MilkPreferencesWindow *milk_preferences_window_new       (GtkWindow             *parent,
                                                          MilkStore             *store);
MilkStore             *milk_preferences_window_get_store (MilkPreferencesWindow *self);
void                   milk_preferences_window_show_message (MilkPreferencesWindow *self,
                                                             const char            *message);

G_END_DECLS
