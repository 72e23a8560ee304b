/* milk-sync-round.h — one round of pushing and pulling with the sync server
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "milk-account.h"
#include "milk-store.h"

G_BEGIN_DECLS

typedef enum
{
  MILK_SYNC_SIGNED_OUT,
  MILK_SYNC_IDLE,
  MILK_SYNC_SYNCING,
  MILK_SYNC_OFFLINE,
  MILK_SYNC_SIGN_IN_AGAIN,
  MILK_SYNC_ERROR,
} MilkSyncStatus;

#define MILK_SYNC_PAGE_CHANGES 500

#define MILK_TYPE_SYNC_ROUND (milk_sync_round_get_type ())

G_DECLARE_FINAL_TYPE (MilkSyncRound, milk_sync_round, MILK, SYNC_ROUND, GObject)

MilkSyncRound *milk_sync_round_new          (MilkStore       *store,
                                             MilkAccount     *account);
void           milk_sync_round_run_async    (MilkSyncRound   *self,
                                             GCancellable    *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer         user_data);
gboolean       milk_sync_round_run_finish   (MilkSyncRound   *self,
                                             GAsyncResult    *result,
                                             MilkSyncStatus  *status,
                                             guint           *retry_after_s,
                                             GError         **error);
void           milk_sync_round_stop         (MilkSyncRound   *self);
guint          milk_sync_round_get_requests (MilkSyncRound   *self);
void           milk_sync_round_get_counts   (MilkSyncRound   *self,
                                             guint           *sent,
                                             guint           *received,
                                             guint           *refused,
                                             guint           *replaced);

G_END_DECLS
