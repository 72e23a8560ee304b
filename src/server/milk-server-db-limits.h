/* milk-server-db-limits.h — counts of failed password checks and sign-ups
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

gboolean    milk_db_password_attempt    (PGconn      *conn,
                                         const char  *email,
                                         const char  *address,
                                         guint       *wait_s,
                                         GError     **error);
gboolean    milk_db_password_right      (PGconn      *conn,
                                         const char  *email,
                                         const char  *address,
                                         GError     **error);
gboolean    milk_db_signup_attempt      (PGconn      *conn,
                                         const char  *address,
                                         guint        per_hour,
                                         guint       *wait_s,
                                         GError     **error);

G_END_DECLS
