/* milk-server.h — the HTTP front: routing, worker pool, draining
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "milk-server-config.h"
#include "milk-server-db.h"
#include "milk-server-mail.h"
#include "milk-server-request.h"

G_BEGIN_DECLS

MilkServer *milk_server_new             (MilkServerConfig *config,
                                         MilkDb           *db);
void        milk_server_free            (MilkServer       *server);
gboolean    milk_server_listen          (MilkServer       *server,
                                         GError          **error);
int         milk_server_run             (MilkServer       *server);

G_END_DECLS
