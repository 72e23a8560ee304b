/* milk-e2e-util.h — what the end-to-end tests share
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "milk-server-test.h"

char *milk_e2e_register_browser (void);
GHashTable *milk_e2e_server_records (MilkTestServer *server,
                                     const char     *token);
char       *milk_e2e_query          (MilkTestServer *server,
                                     const char     *sql,
                                     const char     *param);
JsonObject *milk_e2e_browser_outcome (const char    *path);
