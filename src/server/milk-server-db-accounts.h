/* milk-server-db-accounts.h — accounts and the web sessions signed in to them
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

typedef struct
{
  gint64 id;
  char *email;
} MilkAccount;

typedef struct
{
  char *id_hash;
  gint64 account_id;     /* 0 when signed out */
  char *email;
  char *csrf;
} MilkWebSession;

gint64      milk_db_account_create      (PGconn      *conn,
                                         const char  *email,
                                         const char  *password_hash,
                                         GError     **error);
gboolean    milk_db_account_find        (PGconn      *conn,
                                         const char  *email,
                                         gint64      *account_id,
                                         char       **password_hash,
                                         GError     **error);
char       *milk_db_account_password    (PGconn      *conn,
                                         gint64       account_id,
                                         GError     **error);
gboolean    milk_db_account_set_password (PGconn     *conn,
                                          gint64      account_id,
                                          const char *password_hash,
                                          const char *keep_session_hash,
                                          GError    **error);
gboolean    milk_db_account_delete      (PGconn      *conn,
                                         gint64       account_id,
                                         GError     **error);

gboolean    milk_db_session_create      (PGconn      *conn,
                                         const char  *id_hash,
                                         gint64       account_id,
                                         const char  *csrf,
                                         GError     **error);
MilkWebSession *milk_db_session_lookup  (PGconn      *conn,
                                         const char  *id_hash,
                                         GError     **error);
gboolean    milk_db_session_delete      (PGconn      *conn,
                                         const char  *id_hash,
                                         GError     **error);

void        milk_web_session_free       (MilkWebSession *session);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MilkWebSession, milk_web_session_free)

G_END_DECLS
