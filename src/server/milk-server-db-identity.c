/* milk-server-db-identity.c — PostgreSQL: identities at providers, and
 * sign-ins through them in progress (migrations/0008-identities.sql)
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <string.h>

#include "milk-server-db-identity.h"
#include "milk-server-db-private.h"
#include "milk-server-db.h"
#include "milk-server-secret.h"

#define LOGIN_TTL "10 minutes"

static char *
id_text (gint64 id)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, id);
}

static gboolean
run (PGresult *result)
{
  if (result == NULL)
    return FALSE;
  PQclear (result);
  return TRUE;
}

/* A sign-in through a provider begins: its state (hashed), the nonce and
 * PKCE verifier to check the answer with, and where the person goes. */
gboolean
milk_db_login_begin (PGconn      *conn,
                     const char  *state,
                     const char  *provider,
                     const char  *nonce,
                     const char  *verifier,
                     const char  *return_to,
                     GError     **error)
{
  g_autofree char *hash = milk_token_hash (state);

  /* Old ones go as new ones come: the table stays small. */
  return run (MILK_DB_QUERY (conn, error, "DELETE FROM external_logins WHERE expires_at < now ()")) &&
         run (MILK_DB_QUERY (conn, error,
                             "INSERT INTO external_logins (state_hash, provider, nonce, verifier, return_to, expires_at) "
                             "VALUES ($1, $2, $3, $4, $5, now () + interval '" LOGIN_TTL "')",
                             hash, provider, nonce, verifier, return_to));
}

/* The sign-in a state (or, for one waiting for a password, a link token)
 * stands for, unexpired, taken so that it works once; FALSE with no
 * error for none. */
gboolean
milk_db_login_take (PGconn      *conn,
                    const char  *secret,
                    gboolean     by_link,
                    MilkLogin   *login,
                    GError     **error)
{
  g_autofree char *hash = milk_token_hash (secret ? secret : "");
  g_autoptr(PGresult) result = NULL;

  memset (login, 0, sizeof *login);
  result = MILK_DB_QUERY (conn, error,
                          by_link
                            ? "DELETE FROM external_logins WHERE link_hash = $1 AND expires_at > now () "
                              "RETURNING provider, nonce, verifier, return_to, subject, email"
                            : "DELETE FROM external_logins WHERE state_hash = $1 AND link_hash IS NULL "
                              "AND expires_at > now () RETURNING provider, nonce, verifier, return_to, subject, email",
                          hash);
  if (result == NULL || PQntuples (result) != 1)
    return FALSE;
  login->provider = g_strdup (PQgetvalue (result, 0, 0));
  login->nonce = g_strdup (PQgetvalue (result, 0, 1));
  login->verifier = g_strdup (PQgetvalue (result, 0, 2));
  login->return_to = g_strdup (PQgetvalue (result, 0, 3));
  login->subject = PQgetisnull (result, 0, 4) ? NULL : g_strdup (PQgetvalue (result, 0, 4));
  login->email = PQgetisnull (result, 0, 5) ? NULL : g_strdup (PQgetvalue (result, 0, 5));
  return TRUE;
}

/* The identity waits for the password of the account with its email. */
gboolean
milk_db_login_await_password (PGconn      *conn,
                              const char  *link,
                              const MilkLogin *login,
                              GError     **error)
{
  g_autofree char *hash = milk_token_hash (link);

  return run (MILK_DB_QUERY (conn, error,
                             "INSERT INTO external_logins (state_hash, provider, nonce, verifier, return_to, "
                             "  expires_at, subject, email, link_hash) "
                             "VALUES ($1, $2, '', '', $3, now () + interval '" LOGIN_TTL "', $4, $5, $1)",
                             hash, login->provider, login->return_to, login->subject, login->email));
}

void
milk_login_clear (MilkLogin *login)
{
  g_clear_pointer (&login->provider, g_free);
  g_clear_pointer (&login->nonce, g_free);
  g_clear_pointer (&login->verifier, g_free);
  g_clear_pointer (&login->return_to, g_free);
  g_clear_pointer (&login->subject, g_free);
  g_clear_pointer (&login->email, g_free);
}

gint64
milk_db_identity_account (PGconn      *conn,
                          const char  *provider,
                          const char  *subject,
                          GError     **error)
{
  g_autoptr(PGresult) result = MILK_DB_QUERY (conn, error, "SELECT milk_identity_account ($1, $2)", provider, subject);

  if (result == NULL || PQgetisnull (result, 0, 0))
    return 0;
  return g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
}

gboolean
milk_db_account_by_email (PGconn      *conn,
                          const char  *email,
                          gint64      *account_id,
                          gboolean    *verified,
                          GError     **error)
{
  g_autoptr(PGresult) result = MILK_DB_QUERY (conn, error, "SELECT account_id, verified FROM milk_account_by_email ($1)",
                                              email);

  *account_id = 0;
  *verified = FALSE;
  if (result == NULL)
    return FALSE;
  if (PQntuples (result) == 1)
    {
      *account_id = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
      *verified = g_str_equal (PQgetvalue (result, 0, 1), "t");
    }
  return TRUE;
}

gint64
milk_db_account_create_external (PGconn      *conn,
                                 const char  *email,
                                 const char  *provider,
                                 const char  *subject,
                                 GError     **error)
{
  g_autoptr(PGresult) result = MILK_DB_QUERY (conn, error, "SELECT milk_account_create_external ($1, $2, $3)",
                                              email, provider, subject);

  return result ? g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10) : 0;
}

/* The identity now signs in to the account; its email, having proved
 * both the provider and the password, counts as verified. FALSE with no
 * error when the identity is another account's. */
gboolean
milk_db_identity_link (PGconn      *conn,
                       gint64       account_id,
                       const char  *provider,
                       const char  *subject,
                       const char  *email,
                       GError     **error)
{
  g_autofree char *id = id_text (account_id);
  g_autoptr(PGresult) result = MILK_DB_QUERY (conn, error, "SELECT milk_identity_link ($1::bigint, $2, $3, $4)",
                                              id, provider, subject, email);

  return result != NULL && g_str_equal (PQgetvalue (result, 0, 0), "t");
}

/* MilkIdentity, by provider. */
GPtrArray *
milk_db_identities_list (PGconn      *conn,
                         gint64       account_id,
                         gboolean    *has_password,
                         GError     **error)
{
  g_autofree char *id = id_text (account_id);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_identity_free);
  PGresult *result;

  if (!_milk_db_begin (conn, account_id, error))
    return NULL;
  result = MILK_DB_QUERY (conn, error,
                          "SELECT i.provider, i.subject, i.email, a.password_hash <> '' FROM accounts a "
                          "LEFT JOIN identities i ON i.account_id = a.id WHERE a.id = $1::bigint "
                          "ORDER BY i.provider, i.email", id);
  if (result == NULL)
    {
      _milk_db_rollback (conn);
      return NULL;
    }
  *has_password = PQntuples (result) > 0 && g_str_equal (PQgetvalue (result, 0, 3), "t");
  for (int i = 0; i < PQntuples (result); i++)
    if (!PQgetisnull (result, i, 0))
      {
        MilkIdentity *identity = g_new0 (MilkIdentity, 1);

        identity->provider = g_strdup (PQgetvalue (result, i, 0));
        identity->subject = g_strdup (PQgetvalue (result, i, 1));
        identity->email = g_strdup (PQgetvalue (result, i, 2));
        g_ptr_array_add (list, identity);
      }
  PQclear (result);
  if (!_milk_db_commit (conn, error))
    return NULL;
  return g_steal_pointer (&list);
}

/* Unlinks an identity while another way in remains (a password or
 * another identity); *unlinked says whether it did. */
gboolean
milk_db_identity_unlink (PGconn      *conn,
                         gint64       account_id,
                         const char  *provider,
                         const char  *subject,
                         gboolean    *unlinked,
                         GError     **error)
{
  g_autofree char *id = id_text (account_id);
  g_autoptr(PGresult) result = MILK_DB_QUERY (conn, error, "SELECT milk_identity_unlink ($1::bigint, $2, $3)",
                                              id, provider, subject);

  *unlinked = result != NULL && g_str_equal (PQgetvalue (result, 0, 0), "t");
  return result != NULL;
}

void
milk_identity_free (MilkIdentity *identity)
{
  if (identity == NULL)
    return;
  g_free (identity->provider);
  g_free (identity->subject);
  g_free (identity->email);
  g_free (identity);
}
