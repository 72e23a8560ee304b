/* milk-server-db-accounts.c — accounts, and the browser sessions signed
 * in to them
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include "milk-server-db-accounts.h"
#include "milk-server-db-private.h"
#include "milk-server-db.h"
#include "milk-server-error.h"
#include "milk-server-policy.h"


gint64
milk_db_account_create (PGconn      *conn,
                        const char  *email,
                        const char  *password_hash,
                        GError     **error)
{
  g_autoptr(PGresult) result = NULL;

  /* The owner's function: the service may not insert accounts itself. */
  result = MILK_DB_QUERY (conn, error, "SELECT milk_account_create ($1, $2)", email, password_hash);
  return result ? _milk_db_int_value (result, 0, 0) : 0;
}

gboolean
milk_db_account_find (PGconn      *conn,
                      const char  *email,
                      gint64      *account_id,
                      char       **password_hash,
                      GError     **error)
{
  g_autoptr(PGresult) result = NULL;

  *account_id = 0;
  *password_hash = NULL;
  /* The owner's function answers for this one e-mail; the service cannot
   * SELECT other accounts' rows. */
  result = MILK_DB_QUERY (conn, error, "SELECT account_id, password_hash FROM milk_account_signin ($1)", email);
  if (result == NULL)
    return FALSE;
  if (PQntuples (result) > 0)
    {
      *account_id = _milk_db_int_value (result, 0, 0);
      *password_hash = _milk_db_dup_value (result, 0, 1);
    }
  return TRUE;
}

char *
milk_db_account_password (PGconn  *conn,
                          gint64   account_id,
                          GError **error)
{
  g_autoptr(PGresult) result = NULL;
  g_autofree char *id = _milk_db_int_param (account_id);

  if (!_milk_db_begin (conn, account_id, error))
    return NULL;
  result = MILK_DB_QUERY (conn, error, "SELECT password_hash FROM accounts WHERE id = $1", id);
  if (result == NULL || !_milk_db_commit (conn, error))
    {
      _milk_db_rollback (conn);
      return NULL;
    }
  if (PQntuples (result) == 0)
    {
      g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_DATABASE, "The account is gone");
      return NULL;
    }
  return _milk_db_dup_value (result, 0, 0);
}

gboolean
milk_db_account_set_password (PGconn      *conn,
                              gint64       account_id,
                              const char  *password_hash,
                              const char  *keep_session_hash,
                              GError     **error)
{
  g_autofree char *id = _milk_db_int_param (account_id);

  /* A new password signs out every other browser and every device, and
   * ends every personal access token: whoever knew the old password may
   * have made one. */
  if (!_milk_db_begin (conn, account_id, error))
    return FALSE;
  if (!_milk_db_command (MILK_DB_QUERY (conn, error, "UPDATE accounts SET password_hash = $2 WHERE id = $1", id, password_hash)) ||
      !_milk_db_command (MILK_DB_QUERY (conn, error, "DELETE FROM web_sessions WHERE account_id = $1 AND id_hash <> $2",
                       id, keep_session_hash)) ||
      !_milk_db_command (MILK_DB_QUERY (conn, error,
                       "UPDATE oauth_tokens SET revoked_at = now () WHERE account_id = $1 AND revoked_at IS NULL",
                       id)) ||
      !_milk_db_command (MILK_DB_QUERY (conn, error,
                       "UPDATE personal_tokens SET revoked_at = now () WHERE account_id = $1 AND revoked_at IS NULL",
                       id)) ||
      !_milk_db_commit (conn, error))
    {
      _milk_db_rollback (conn);
      return FALSE;
    }
  return TRUE;
}

gboolean
milk_db_account_delete (PGconn  *conn,
                        gint64   account_id,
                        GError **error)
{
  g_autofree char *id = _milk_db_int_param (account_id);

  if (!_milk_db_begin (conn, account_id, error))
    return FALSE;
  if (!_milk_db_command (MILK_DB_QUERY (conn, error, "DELETE FROM records WHERE account_id = $1", id)) ||
      !_milk_db_command (MILK_DB_QUERY (conn, error, "DELETE FROM sync_counters WHERE account_id = $1", id)) ||
      !_milk_db_command (MILK_DB_QUERY (conn, error, "DELETE FROM web_sessions WHERE account_id = $1", id)) ||
      !_milk_db_command (MILK_DB_QUERY (conn, error, "DELETE FROM accounts WHERE id = $1", id)) ||
      !_milk_db_commit (conn, error))
    {
      _milk_db_rollback (conn);
      return FALSE;
    }
  return TRUE;
}

/* ---- browser sessions ---- */

gboolean
milk_db_session_create (PGconn      *conn,
                        const char  *id_hash,
                        gint64       account_id,
                        const char  *csrf,
                        GError     **error)
{
  g_autofree char *id = _milk_db_int_param (account_id);
  g_autofree char *ttl = g_strdup_printf ("%d seconds", MILK_SESSION_TTL_S);

  /* Before sign-in a session belongs to account 0, written with no
   * account set. */
  if (!_milk_db_begin (conn, account_id, error))
    return FALSE;
  if (!_milk_db_command (MILK_DB_QUERY (conn, error,
                       "INSERT INTO web_sessions (id_hash, account_id, csrf, expires_at)"
                       " VALUES ($1, $2, $3, now () + $4::interval)",
                       id_hash, id, csrf, ttl)) ||
      !_milk_db_commit (conn, error))
    {
      _milk_db_rollback (conn);
      return FALSE;
    }
  return TRUE;
}

MilkWebSession *
milk_db_session_lookup (PGconn      *conn,
                        const char  *id_hash,
                        GError     **error)
{
  g_autoptr(PGresult) result = NULL;
  MilkWebSession *session;

  result = MILK_DB_QUERY (conn, error, "SELECT account_id, email, csrf FROM milk_session_find ($1)", id_hash);
  if (result == NULL || PQntuples (result) == 0)
    return NULL;

  session = g_new0 (MilkWebSession, 1);
  session->id_hash = g_strdup (id_hash);
  session->account_id = _milk_db_int_value (result, 0, 0);
  session->email = _milk_db_dup_value (result, 0, 1);
  session->csrf = _milk_db_dup_value (result, 0, 2);
  return session;
}

gboolean
milk_db_session_delete (PGconn      *conn,
                        const char  *id_hash,
                        GError     **error)
{
  return _milk_db_command (MILK_DB_QUERY (conn, error, "SELECT milk_session_delete ($1), milk_sweep_expired ()", id_hash));
}

void
milk_web_session_free (MilkWebSession *session)
{
  if (session == NULL)
    return;
  g_free (session->id_hash);
  g_free (session->email);
  g_free (session->csrf);
  g_free (session);
}
