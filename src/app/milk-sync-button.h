/* milk-sync-button.h — the quiet sync status in the header bar
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "milk-store.h"
#include "milk-sync-service.h"

G_BEGIN_DECLS

#define MILK_TYPE_SYNC_BUTTON (milk_sync_button_get_type ())

G_DECLARE_FINAL_TYPE (MilkSyncButton, milk_sync_button, MILK, SYNC_BUTTON, GtkWidget)

void        milk_sync_button_set_service (MilkSyncButton  *self,
                                          MilkStore       *store,
                                          MilkSyncService *service);
const char *milk_sync_button_get_summary (MilkSyncButton  *self);

G_END_DECLS
