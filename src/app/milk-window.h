/* milk-window.h — the main window
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "milk-application.h"

G_BEGIN_DECLS

#define MILK_TYPE_WINDOW (milk_window_get_type ())

G_DECLARE_FINAL_TYPE (MilkWindow, milk_window, MILK, WINDOW, AdwApplicationWindow)

MilkWindow *milk_window_new (MilkApplication *application);

G_END_DECLS
