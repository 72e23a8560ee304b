/* milk-server-account-page.h — the account page
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libpq-fe.h>

#include "milk-server-db-accounts.h"
#include "milk-server-request.h"

G_BEGIN_DECLS

void        milk_page_render_account    (MilkRequest    *request,
                                         PGconn         *conn,
                                         guint           status,
                                         MilkWebSession *session,
                                         const char     *notice,
                                         const char     *error);
const char *milk_token_scope_words      (const char     *scope);

G_END_DECLS
