/* milk-server-routes.h — every route handler, for the routing table
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libpq-fe.h>

#include "milk-server-request.h"

G_BEGIN_DECLS

/* Said of each request of a batch when its answer is ready. */
typedef void (*MilkAnsweredFunc) (MilkRequest *request,
                                  gpointer     user_data);


void        milk_route_healthz          (MilkRequest *request, PGconn *conn);
void        milk_route_sync             (MilkRequest *request, PGconn *conn);
void        milk_route_sync_batch       (MilkRequest **requests, guint n_requests, PGconn *conn,
                                         MilkAnsweredFunc answered, gpointer user_data);
gboolean    milk_route_sync_looks_noop  (MilkRequest *request);
void        milk_route_metadata         (MilkRequest *request, PGconn *conn);
void        milk_route_authorize        (MilkRequest *request, PGconn *conn);
void        milk_route_token            (MilkRequest *request, PGconn *conn);
void        milk_route_revoke           (MilkRequest *request, PGconn *conn);
void        milk_route_signup           (MilkRequest *request, PGconn *conn);
void        milk_route_signin           (MilkRequest *request, PGconn *conn);
void        milk_route_signout          (MilkRequest *request, PGconn *conn);
void        milk_route_account          (MilkRequest *request, PGconn *conn);
void        milk_route_password         (MilkRequest *request, PGconn *conn);
void        milk_route_delete           (MilkRequest *request, PGconn *conn);
void        milk_route_home             (MilkRequest *request, PGconn *conn);
void        milk_route_verify           (MilkRequest *request, PGconn *conn);
void        milk_route_verify_send      (MilkRequest *request, PGconn *conn);
void        milk_route_forgot           (MilkRequest *request, PGconn *conn);
void        milk_route_email            (MilkRequest *request, PGconn *conn);
void        milk_route_external_start   (MilkRequest *request, PGconn *conn);
void        milk_route_external_callback (MilkRequest *request, PGconn *conn);
void        milk_route_identity_unlink  (MilkRequest *request, PGconn *conn);
void        milk_route_email_confirm    (MilkRequest *request, PGconn *conn);
void        milk_route_reset            (MilkRequest *request, PGconn *conn);
void        milk_route_style            (MilkRequest *request, PGconn *conn);
void        milk_route_openapi          (MilkRequest *request, PGconn *conn);
void        milk_route_diary            (MilkRequest *request, PGconn *conn);
void        milk_route_api_month        (MilkRequest *request, PGconn *conn);
void        milk_route_api_products     (MilkRequest *request, PGconn *conn);
void        milk_route_api_entry        (MilkRequest *request, PGconn *conn);
void        milk_route_api_payments     (MilkRequest *request, PGconn *conn);
void        milk_route_tokens_create    (MilkRequest *request, PGconn *conn);
void        milk_route_tokens_revoke    (MilkRequest *request, PGconn *conn);

G_END_DECLS
