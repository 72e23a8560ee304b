/* milk-server-db-identity.h — identities at providers people sign in with
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
  char *provider;
  char *nonce;
  char *verifier;
  char *return_to;
  char *subject;   /* waiting for a password: the identity, and */
  char *email;     /* the email it vouched for */
} MilkLogin;

typedef struct
{
  char *provider;
  char *subject;
  char *email;
} MilkIdentity;

gboolean    milk_db_login_begin         (PGconn      *conn,
                                         const char  *state,
                                         const char  *provider,
                                         const char  *nonce,
                                         const char  *verifier,
                                         const char  *return_to,
                                         GError     **error);
gboolean    milk_db_login_take          (PGconn      *conn,
                                         const char  *secret,
                                         gboolean     by_link,
                                         MilkLogin   *login,
                                         GError     **error);
gboolean    milk_db_login_await_password (PGconn     *conn,
                                          const char *link,
                                          const MilkLogin *login,
                                          GError    **error);
gint64      milk_db_identity_account    (PGconn      *conn,
                                         const char  *provider,
                                         const char  *subject,
                                         GError     **error);
gboolean    milk_db_account_by_email    (PGconn      *conn,
                                         const char  *email,
                                         gint64      *account_id,
                                         gboolean    *verified,
                                         GError     **error);
gint64      milk_db_account_create_external (PGconn  *conn,
                                             const char *email,
                                             const char *provider,
                                             const char *subject,
                                             GError   **error);
gboolean    milk_db_identity_link       (PGconn      *conn,
                                         gint64       account_id,
                                         const char  *provider,
                                         const char  *subject,
                                         const char  *email,
                                         GError     **error);
GPtrArray  *milk_db_identities_list     (PGconn      *conn,
                                         gint64       account_id,
                                         gboolean    *has_password,
                                         GError     **error);
gboolean    milk_db_identity_unlink     (PGconn      *conn,
                                         gint64       account_id,
                                         const char  *provider,
                                         const char  *subject,
                                         gboolean    *unlinked,
                                         GError     **error);
void        milk_login_clear            (MilkLogin   *login);
void        milk_identity_free          (MilkIdentity *identity);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MilkLogin, milk_login_clear)

G_END_DECLS
