/* milk-sync-session.h — this device's sign-in and the syncing that goes with it
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "milk-account.h"
#include "milk-account-switch.h"
#include "milk-store.h"
#include "milk-sync-service.h"

G_BEGIN_DECLS

#define MILK_TYPE_SYNC_SESSION (milk_sync_session_get_type ())

G_DECLARE_FINAL_TYPE (MilkSyncSession, milk_sync_session, MILK, SYNC_SESSION, GObject)

MilkSyncSession *milk_sync_session_new               (MilkStore        *store,
                                                      GSettings        *settings);
MilkAccount     *milk_sync_session_get_account       (MilkSyncSession  *self);
MilkSyncService *milk_sync_session_get_sync          (MilkSyncSession  *self);
gboolean         milk_sync_session_get_signing_in    (MilkSyncSession  *self);
gboolean         milk_sync_session_get_keyring_missing (MilkSyncSession *self);

void             milk_sync_session_use_server        (MilkSyncSession  *self,
                                                      const char       *server,
                                                      gboolean          load);
void             milk_sync_session_sign_in           (MilkSyncSession  *self,
                                                      const char       *server);
void             milk_sync_session_adopt_diary       (MilkSyncSession  *self,
                                                      MilkAccountSwitchChoice choice);
void             milk_sync_session_undo_sign_in      (MilkSyncSession  *self);
void             milk_sync_session_sign_out          (MilkSyncSession  *self,
                                                      gboolean          keep_diary);

G_END_DECLS
