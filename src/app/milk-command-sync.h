/* milk-command-sync.h — milk-diary --sign-in and --sync
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "milk-store.h"

G_BEGIN_DECLS

int milk_command_sync_run (MilkStore  *store,
                           GSettings  *settings,
                           const char *sign_in_server,
                           int         choice,
                           gboolean    sync);

G_END_DECLS
