/* milk-server-fuzz.h — the server's static parsers, reachable in-process
 *
 * Only for tests/fuzz: thin non-static wrappers around functions the
 * server keeps static, so that the request handling can be fuzzed
 * without a socket or a database.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "milk-server-request.h"

G_BEGIN_DECLS

/* milk-server.c */
MilkRouteFunc  _milk_server_find_route       (const char          *method,
                                              const char          *path,
                                              gsize               *max_body,
                                              gboolean            *path_known);
GHashTable    *_milk_server_copy_headers     (SoupMessageHeaders  *headers);
void           _milk_server_request_free     (MilkRequest         *request);

/* milk-server-sync.c */
const char    *_milk_server_bearer_token     (MilkRequest         *request);
gboolean       _milk_server_parse_cursor     (const char          *cursor,
                                              gint64              *seq);

/* milk-server-oauth.c */
gboolean       _milk_server_redirect_uri_is_registered (const char *text);
gboolean       _milk_server_is_base64url     (const char          *text,
                                              gsize                min,
                                              gsize                max,
                                              gboolean             pkce_verifier);


G_END_DECLS
