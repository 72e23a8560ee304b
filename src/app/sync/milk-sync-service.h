/* milk-sync-service.h — keeps the diary in step with the sync server
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "milk-account.h"
#include "milk-store.h"
#include "milk-sync-round.h"

G_BEGIN_DECLS

#define MILK_TYPE_SYNC_SERVICE (milk_sync_service_get_type ())

G_DECLARE_FINAL_TYPE (MilkSyncService, milk_sync_service, MILK, SYNC_SERVICE, GObject)

MilkSyncService *milk_sync_service_new           (MilkStore       *store,
                                                  MilkAccount     *account);
MilkStore       *milk_sync_service_get_store     (MilkSyncService *self);
MilkAccount     *milk_sync_service_get_account   (MilkSyncService *self);
MilkSyncStatus   milk_sync_service_get_status    (MilkSyncService *self);
const char      *milk_sync_service_get_message   (MilkSyncService *self);
gint64           milk_sync_service_get_last_synced (MilkSyncService *self);
guint            milk_sync_service_get_requests  (MilkSyncService *self);
void             milk_sync_service_get_counts    (MilkSyncService *self,
                                                  guint           *sent,
                                                  guint           *received,
                                                  guint           *refused,
                                                  guint           *replaced);
void             milk_sync_service_set_automatic (MilkSyncService *self,
                                                  gboolean         automatic);

void             milk_sync_service_sync_async    (MilkSyncService *self,
                                                  GCancellable    *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer         user_data);
gboolean         milk_sync_service_sync_finish   (MilkSyncService *self,
                                                  GAsyncResult    *result,
                                                  GError         **error);
void             milk_sync_service_sync_now      (MilkSyncService *self);

void             milk_sync_service_stop_async    (MilkSyncService *self,
                                                  GAsyncReadyCallback callback,
                                                  gpointer         user_data);
gboolean         milk_sync_service_stop_finish   (MilkSyncService *self,
                                                  GAsyncResult    *result,
                                                  GError         **error);
void             milk_sync_service_resume        (MilkSyncService *self);
void             milk_sync_service_sign_out_async (MilkSyncService *self,
                                                   gboolean         keep_diary,
                                                   GAsyncReadyCallback callback,
                                                   gpointer         user_data);
gboolean         milk_sync_service_sign_out_finish (MilkSyncService *self,
                                                    GAsyncResult    *result,
                                                    GError         **error);
gboolean         milk_sync_service_get_stopped   (MilkSyncService *self);
void             milk_sync_service_set_timings   (MilkSyncService *self,
                                                  guint            debounce_ms,
                                                  guint            backoff_first_ms);

G_END_DECLS
