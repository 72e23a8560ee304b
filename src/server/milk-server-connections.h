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

G_END_DECLS
