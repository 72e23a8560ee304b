/* milk-protocol-private.h — what the files of the sync protocol share
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* milk-protocol-json.c */
JsonObject *_milk_protocol_parse_document    (JsonParser  *parser,
                                              const char  *data,
                                              gsize        length,
                                              GError     **error);
GArray     *_milk_protocol_find_change_spans (const char  *data,
                                              gsize        length);
char       *_milk_protocol_dup_change_text   (GArray      *spans,
                                              guint        n,
                                              guint        i,
                                              JsonNode    *element);

G_END_DECLS
