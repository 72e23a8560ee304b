/* milk-server-tokens.h — who a request to the resources comes from
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libpq-fe.h>

#include "milk-server-db-accounts.h"
#include "milk-server-request.h"

G_BEGIN_DECLS

gint64      milk_api_authenticate       (MilkRequest    *request,
                                         PGconn         *conn,
                                         gboolean        write);

G_END_DECLS
