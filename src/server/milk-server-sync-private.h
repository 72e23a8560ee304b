/* milk-server-sync-private.h — a sync request between its stages
 *
 * POST /api/v1/sync (milk-server-sync.c) reads and checks a request, runs
 * its statements and answers it. A no-op sync's one statement may instead
 * run in a pipeline with other requests' (milk-server-sync-batch.c).
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "milk-server-request.h"

G_BEGIN_DECLS

typedef struct _MilkSyncJob MilkSyncJob;

MilkSyncJob *_milk_sync_job_begin     (MilkRequest       *request,
                                       PGconn            *conn);
gboolean     _milk_sync_job_is_noop   (const MilkSyncJob *job);
gboolean     _milk_sync_job_send_pull (const MilkSyncJob *job,
                                       PGconn            *conn);
void         _milk_sync_job_pulled    (MilkSyncJob       *job,
                                       PGconn            *conn,
                                       PGresult          *result,
                                       GError            *error);
void         _milk_sync_job_run       (MilkSyncJob       *job,
                                       PGconn            *conn);
MilkRequest *_milk_sync_job_get_request (const MilkSyncJob *job);
void         _milk_sync_job_free      (MilkSyncJob       *job);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MilkSyncJob, _milk_sync_job_free)

G_END_DECLS
