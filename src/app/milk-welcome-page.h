/* milk-welcome-page.h — first run: currency and the price of milk
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "milk-store.h"

G_BEGIN_DECLS

#define MILK_TYPE_WELCOME_PAGE (milk_welcome_page_get_type ())

G_DECLARE_FINAL_TYPE (MilkWelcomePage, milk_welcome_page, MILK, WELCOME_PAGE, GtkWidget)

GtkWidget  *milk_welcome_page_new              (MilkStore       *store);
MilkStore  *milk_welcome_page_get_store        (MilkWelcomePage *self);
const char *milk_welcome_page_default_currency (void);

G_END_DECLS
