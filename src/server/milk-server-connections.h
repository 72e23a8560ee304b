/* milk-server-connections.h — the connections the service accepts and reads
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "milk-server-config.h"
#include "milk-server-head.h"

G_BEGIN_DECLS

typedef struct _MilkConnections MilkConnections;

/* One connection; the service holds it (a GObject) while it answers. */
#define MILK_TYPE_HTTP_STREAM (milk_http_stream_get_type ())
G_DECLARE_FINAL_TYPE (MilkHttpStream, milk_http_stream, MILK, HTTP_STREAM, GIOStream)

/* What the service does with the requests the connections read. */
typedef struct
{
  /* The head is in: the largest body its route takes (0: none). */
  gsize (*body_limit) (MilkHead *head,
                       gpointer  data);
  /* Head and body are in (both the callee's): answer with
   * milk_http_stream_respond(), now or later, exactly once. */
  void  (*request)    (MilkHttpStream *stream,
                       MilkHead       *head,
                       GBytes         *body,
                       const char     *address,
                       gpointer        data);
  gpointer data;
} MilkConnectionsHandler;

MilkConnections *milk_server_connections_serve (const MilkConnectionsHandler *handler,
                                                const MilkServerConfig       *config,
                                                GSocket                      *socket,
                                                GError                      **error);
void             milk_server_connections_stop  (MilkConnections              *connections);

void             milk_http_stream_respond      (MilkHttpStream               *stream,
                                                GBytes                       *response,
                                                gboolean                      keep_alive,
                                                GDestroyNotify                written,
                                                gpointer                      written_data);

G_END_DECLS
