/* milk-server-http.h — the service as an HTTP client of identity providers
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

gboolean    milk_http_url_allowed       (const char  *url);
JsonNode   *milk_http_json              (const char  *url,
                                         const char  *form,
                                         const char  *bearer,
                                         const char  *basic_user,
                                         const char  *basic_password,
                                         GError     **error);

G_END_DECLS
