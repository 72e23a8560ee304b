/* milk-auth-server.h — the sync server's OAuth endpoints
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "milk-token-store.h"

G_BEGIN_DECLS

#define MILK_TYPE_AUTH_SERVER (milk_auth_server_get_type ())

G_DECLARE_FINAL_TYPE (MilkAuthServer, milk_auth_server, MILK, AUTH_SERVER, GObject)

MilkAuthServer *milk_auth_server_new                 (const char      *server,
                                                      SoupSession     *session);
const char     *milk_auth_server_get_server          (MilkAuthServer  *self);
const char     *milk_auth_server_get_authorization_endpoint (MilkAuthServer *self);
gboolean        milk_auth_server_check_issuer        (MilkAuthServer  *self,
                                                      const char      *iss);

void            milk_auth_server_discover_async      (MilkAuthServer  *self,
                                                      GCancellable    *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer         user_data);
gboolean        milk_auth_server_discover_finish     (MilkAuthServer  *self,
                                                      GAsyncResult    *result,
                                                      GError         **error);
void            milk_auth_server_request_tokens_async (MilkAuthServer *self,
                                                      char            *form,
                                                      GCancellable    *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer         user_data);
MilkTokens     *milk_auth_server_request_tokens_finish (MilkAuthServer *self,
                                                      GAsyncResult    *result,
                                                      GError         **error);
gboolean        milk_auth_server_can_revoke          (MilkAuthServer  *self);
void            milk_auth_server_revoke_async        (MilkAuthServer  *self,
                                                      const char      *refresh_token,
                                                      GAsyncReadyCallback callback,
                                                      gpointer         user_data);
gboolean        milk_auth_server_revoke_finish       (MilkAuthServer  *self,
                                                      GAsyncResult    *result,
                                                      GError         **error);

G_END_DECLS
