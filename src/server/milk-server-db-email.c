/* milk-server-db-email.c — PostgreSQL: verified addresses, mailed links
 *
 * migrations/0007-email.sql: a link's token is kept only as its hash, works
 * once and expires; the account behind a token is found only through
 * milk_email_link_use, which answers for one exact hash.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <string.h>

#include "milk-server-db-email.h"
#include "milk-server-db-private.h"
#include "milk-server-db.h"
#include "milk-server-secret.h"

static const char * const purposes[] = {
  [MILK_LINK_VERIFY] = "verify",
  [MILK_LINK_RESET] = "reset",
  [MILK_LINK_CHANGE] = "change",
};

/* A new link's token, to be mailed, or NULL: with *limited when the
 * account has asked for per_hour of these in the last hour already. */
char *
milk_db_link_create (PGconn          *conn,
                     gint64           account_id,
                     MilkLinkPurpose  purpose,
                     const char      *email,
                     const char      *return_to,
                     guint            ttl_s,
                     guint            per_hour,
                     gboolean        *limited,
                     GError         **error)
{
  g_autofree char *token = milk_token_new ();
  g_autofree char *hash = milk_token_hash (token);
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, account_id);
  g_autofree char *ttl = g_strdup_printf ("%u", ttl_s);
  g_autofree char *cap = g_strdup_printf ("%u", per_hour);
  PGresult *result;
  gboolean sent_enough;

  *limited = FALSE;
  if (!_milk_db_begin (conn, account_id, error))
    return NULL;
  /* Counted under the account's row lock: two requests at once cannot
   * both slip under the cap. */
  result = MILK_DB_QUERY (conn, error,
                          "SELECT count (*) >= $3::integer FROM email_links l, "
                          "  (SELECT id FROM accounts WHERE id = $1::bigint FOR UPDATE) a "
                          " WHERE l.account_id = a.id AND l.purpose = $2 "
                          "   AND l.created_at > now () - interval '1 hour'",
                          id, purposes[purpose], cap);
  if (result == NULL)
    goto failed;
  sent_enough = PQntuples (result) == 1 && g_str_equal (PQgetvalue (result, 0, 0), "t");
  PQclear (result);
  if (sent_enough)
    {
      *limited = TRUE;
      _milk_db_rollback (conn);
      return NULL;
    }
  result = MILK_DB_QUERY (conn, error,
                          "INSERT INTO email_links (account_id, token_hash, purpose, email, return_to, expires_at) "
                          "VALUES ($1::bigint, $2, $3, $4, $5, now () + make_interval (secs => $6::integer))",
                          id, hash, purposes[purpose], email, return_to ? return_to : "/account", ttl);
  if (result == NULL)
    goto failed;
  PQclear (result);
  if (!_milk_db_commit (conn, error))
    goto failed;
  return g_steal_pointer (&token);

failed:
  _milk_db_rollback (conn);
  return NULL;
}

/* FALSE with no error for a token that is unknown, used, expired or of
 * another purpose. */
gboolean
milk_db_link_use (PGconn          *conn,
                  const char      *token,
                  MilkLinkPurpose  purpose,
                  MilkLinkUse     *use,
                  GError         **error)
{
  g_autofree char *hash = milk_token_hash (token ? token : "");
  g_autoptr(PGresult) result = NULL;

  memset (use, 0, sizeof *use);
  result = MILK_DB_QUERY (conn, error, "SELECT account_id, email, return_to FROM milk_email_link_use ($1, $2)",
                          hash, purposes[purpose]);
  if (result == NULL || PQntuples (result) != 1)
    return FALSE;
  use->account_id = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
  use->email = g_strdup (PQgetvalue (result, 0, 1));
  use->return_to = g_strdup (PQgetvalue (result, 0, 2));
  return TRUE;
}

gboolean
milk_db_account_verified (PGconn    *conn,
                          gint64     account_id,
                          gboolean  *verified,
                          GError   **error)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, account_id);
  PGresult *result;

  *verified = FALSE;
  if (!_milk_db_begin (conn, account_id, error))
    return FALSE;
  result = MILK_DB_QUERY (conn, error, "SELECT email_verified_at IS NOT NULL FROM accounts WHERE id = $1::bigint", id);
  if (result == NULL)
    {
      _milk_db_rollback (conn);
      return FALSE;
    }
  *verified = PQntuples (result) == 1 && g_str_equal (PQgetvalue (result, 0, 0), "t");
  PQclear (result);
  return _milk_db_commit (conn, error);
}

/* FALSE with no error, changing nothing, when another account has email. */
gboolean
milk_db_account_change_email (PGconn      *conn,
                              gint64       account_id,
                              const char  *email,
                              gboolean     verified,
                              gboolean    *changed,
                              GError     **error)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, account_id);
  g_autoptr(PGresult) result = NULL;

  *changed = FALSE;
  result = MILK_DB_QUERY (conn, error, "SELECT milk_account_change_email ($1::bigint, $2, $3::boolean)",
                          id, email, verified ? "true" : "false");
  if (result == NULL)
    return FALSE;
  *changed = PQntuples (result) == 1 && g_str_equal (PQgetvalue (result, 0, 0), "t");
  return TRUE;
}

void
milk_link_use_clear (MilkLinkUse *use)
{
  g_clear_pointer (&use->email, g_free);
  g_clear_pointer (&use->return_to, g_free);
}
