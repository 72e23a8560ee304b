/* milk-server-external.h — signing in through a provider
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libpq-fe.h>

#include "milk-server-db-accounts.h"
#include "milk-server-request.h"

G_BEGIN_DECLS

char       *milk_external_buttons_html  (MilkRequest    *request,
                                         const char     *return_to);
char       *milk_external_identities_html (MilkRequest  *request,
                                           PGconn       *conn,
                                           MilkWebSession *session);
void        milk_external_link_after_password (MilkRequest *request,
                                               PGconn      *conn,
                                               const char  *link,
                                               gint64       account_id,
                                               const char  *email);

G_END_DECLS
