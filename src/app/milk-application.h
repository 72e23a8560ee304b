/* milk-application.h — the application: one instance, one diary
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "milk-store.h"
#include "milk-sync-service.h"

G_BEGIN_DECLS

#define MILK_TYPE_APPLICATION (milk_application_get_type ())

G_DECLARE_FINAL_TYPE (MilkApplication, milk_application, MILK, APPLICATION, AdwApplication)

MilkApplication *milk_application_new       (void);
MilkStore       *milk_application_get_store (MilkApplication *self);
char            *milk_application_dup_diary_path (void);
MilkSyncService *milk_application_get_sync  (MilkApplication *self);
void             milk_application_sign_in   (MilkApplication *self,
                                             const char      *server);
const char      *milk_application_get_sync_description (MilkApplication *self);

void             milk_application_mark_startup (const char      *phase);
void             milk_application_add_icon  (GdkDisplay      *display);

G_END_DECLS
