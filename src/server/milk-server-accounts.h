/* milk-server-accounts.h — the sign-up, sign-in and account pages
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libpq-fe.h>

#include "milk-server-db-accounts.h"
#include "milk-server-request.h"

G_BEGIN_DECLS

void        milk_page_render_signin     (MilkRequest    *request,
                                         guint           status,
                                         MilkWebSession *session,
                                         const char     *email,
                                         const char     *return_to,
                                         const char     *link,
                                         const char     *notice);

G_END_DECLS
