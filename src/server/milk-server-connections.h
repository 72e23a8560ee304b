/* milk-server-connections.h — the connections the service accepts and reads
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "milk-server-config.h"

G_BEGIN_DECLS

typedef struct _MilkConnections MilkConnections;

MilkConnections *milk_server_connections_serve (SoupServer             *soup,
                                                const MilkServerConfig *config,
                                                GSocket                *socket,
                                                GError                **error);
void             milk_server_connections_stop  (MilkConnections        *connections);

/* ---- HTTP framing: a request head checked on its raw bytes ---- */

#define MILK_HEAD_MAX_BYTES (64 * 1024)

typedef enum
{
  MILK_HEAD_INCOMPLETE,      /* no blank line yet: read on */
  MILK_HEAD_OK,
  MILK_HEAD_BAD,             /* 400: ambiguous or malformed */
  MILK_HEAD_TOO_LARGE,       /* 431: no end within MILK_HEAD_MAX_BYTES */
  MILK_HEAD_BODY_TOO_LARGE,  /* 413: a Content-Length beyond any body */
} MilkHeadVerdict;

MilkHeadVerdict milk_http_head_check    (const char  *data,
                                         gsize        length,
                                         gsize       *skip,
                                         gsize       *head_length,
                                         const char **problem);

G_END_DECLS
