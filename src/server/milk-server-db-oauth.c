/* milk-server-db-oauth.c — OAuth grants: codes, token pairs, their
 * rotation and revocation
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include "milk-server-db-oauth.h"
#include "milk-server-db-private.h"
#include "milk-server-db.h"
#include "milk-server-policy.h"
#include "milk-server-secret.h"


gboolean
milk_db_code_create (PGconn      *conn,
                     const char  *code_hash,
                     gint64       account_id,
                     const char  *client_id,
                     const char  *redirect_uri,
                     const char  *code_challenge,
                     GError     **error)
{
  g_autofree char *id = _milk_db_int_param (account_id);
  g_autofree char *ttl = g_strdup_printf ("%d seconds", MILK_CODE_TTL_S);

  /* Each sign-in also sweeps away what expired a day ago or more. */
  if (!_milk_db_exec (conn, "SELECT milk_sweep_expired ()", error) ||
      !_milk_db_begin (conn, account_id, error))
    return FALSE;
  if (!_milk_db_command (MILK_DB_QUERY (conn, error,
                       "INSERT INTO oauth_codes (code_hash, account_id, client_id, redirect_uri,"
                       "                         code_challenge, family, expires_at)"
                       " VALUES ($1, $2, $3, $4, $5, gen_random_uuid (), now () + $6::interval)",
                       code_hash, id, client_id, redirect_uri, code_challenge, ttl)) ||
      !_milk_db_commit (conn, error))
    {
      _milk_db_rollback (conn);
      return FALSE;
    }
  return TRUE;
}

/* A transaction for the account a code or token hash belongs to (none:
 * row-level security then shows nothing). The owner's function answers for
 * this one hash only. */
static gboolean
begin_for_hash (PGconn      *conn,
                const char  *lookup,
                const char  *hash,
                GError     **error)
{
  g_autoptr(PGresult) result = MILK_DB_QUERY (conn, error, lookup, hash);

  if (result == NULL)
    return FALSE;
  return _milk_db_begin (conn, PQntuples (result) > 0 ? _milk_db_int_value (result, 0, 0) : 0, error);
}

static gboolean
revoke_family (PGconn      *conn,
               const char  *family,
               GError     **error)
{
  return _milk_db_command (MILK_DB_QUERY (conn, error,
                         "UPDATE oauth_tokens SET revoked_at = now ()"
                         " WHERE family = $1 AND revoked_at IS NULL", family));
}

MilkGrantResult
milk_db_code_redeem (PGconn         *conn,
                     const char     *code_hash,
                     MilkCodeGrant  *grant,
                     GError        **error)
{
  g_autoptr(PGresult) result = NULL;
  MilkGrantResult outcome = MILK_GRANT_INVALID;

  memset (grant, 0, sizeof *grant);
  if (!begin_for_hash (conn, "SELECT milk_code_account ($1)", code_hash, error))
    return MILK_GRANT_INVALID;
  result = MILK_DB_QUERY (conn, error,
                  "SELECT account_id, client_id, redirect_uri, code_challenge, family::text,"
                  "       used_at IS NOT NULL, expires_at > now ()"
                  "  FROM oauth_codes WHERE code_hash = $1 FOR UPDATE",
                  code_hash);
  if (result == NULL)
    goto fail;

  if (PQntuples (result) == 1)
    {
      grant->account_id = _milk_db_int_value (result, 0, 0);
      grant->client_id = _milk_db_dup_value (result, 0, 1);
      grant->redirect_uri = _milk_db_dup_value (result, 0, 2);
      grant->code_challenge = _milk_db_dup_value (result, 0, 3);
      grant->family = _milk_db_dup_value (result, 0, 4);

      if (_milk_db_bool_value (result, 0, 5))
        {
          /* RFC 6749 4.1.2: a code used twice revokes what it granted. */
          if (!revoke_family (conn, grant->family, error))
            goto fail;
          outcome = MILK_GRANT_REUSED;
        }
      else
        {
          if (!_milk_db_command (MILK_DB_QUERY (conn, error, "UPDATE oauth_codes SET used_at = now () WHERE code_hash = $1",
                               code_hash)))
            goto fail;
          outcome = _milk_db_bool_value (result, 0, 6) ? MILK_GRANT_OK : MILK_GRANT_INVALID;
        }
    }
  if (!_milk_db_commit (conn, error))
    goto fail;
  return outcome;

fail:
  _milk_db_rollback (conn);
  milk_code_grant_clear (grant);
  return MILK_GRANT_INVALID;
}

static gboolean
insert_token (PGconn      *conn,
              const char  *kind,
              const char  *token,
              const char  *account_id,
              const char  *client_id,
              const char  *family,
              int          ttl_s,
              GError     **error)
{
  g_autofree char *hash = milk_token_hash (token);
  g_autofree char *ttl = g_strdup_printf ("%d seconds", ttl_s);

  return _milk_db_command (MILK_DB_QUERY (conn, error,
                         "INSERT INTO oauth_tokens (token_hash, kind, account_id, client_id, family, expires_at)"
                         " VALUES ($1, $2, $3, $4, $5::uuid, now () + $6::interval)",
                         hash, kind, account_id, client_id, family, ttl));
}

static gboolean
issue_pair (PGconn        *conn,
            const char    *account_id,
            const char    *client_id,
            const char    *family,
            MilkTokenPair *pair,
            GError       **error)
{
  pair->access_token = milk_token_new ();
  pair->refresh_token = milk_token_new ();
  pair->expires_in = MILK_ACCESS_TTL_S;
  if (!insert_token (conn, "access", pair->access_token, account_id, client_id, family, MILK_ACCESS_TTL_S, error) ||
      !insert_token (conn, "refresh", pair->refresh_token, account_id, client_id, family, MILK_REFRESH_TTL_S, error))
    {
      milk_token_pair_clear (pair);
      return FALSE;
    }
  return TRUE;
}

gboolean
milk_db_tokens_issue (PGconn         *conn,
                      gint64          account_id,
                      const char     *client_id,
                      const char     *family,
                      MilkTokenPair  *pair,
                      GError        **error)
{
  g_autofree char *id = _milk_db_int_param (account_id);

  if (!_milk_db_begin (conn, account_id, error))
    return FALSE;
  if (!issue_pair (conn, id, client_id, family, pair, error) || !_milk_db_commit (conn, error))
    {
      _milk_db_rollback (conn);
      milk_token_pair_clear (pair);
      return FALSE;
    }
  return TRUE;
}

/* Refresh token rotation (RFC 9700 4.14.2), with a grace for a repeat.
 *
 * Every use of a refresh token spends it and issues a new pair. A spent
 * token that comes back means two parties hold it, so the whole family is
 * revoked. But the app's own repeat is common and harmless: a response lost
 * on the way (the connection cut after this transaction committed), two
 * refreshes at once (the app and `milk-diary --sync` share one keyring
 * item), a crash between this answer and the app's keyring write. So for
 * grace_s seconds after a rotation, the token just rotated is answered with
 * the SAME pair it got, as long as that pair's refresh token is unspent.
 * Any other repeat — after the grace, of an older token, or once the
 * successor was used — still revokes the family. What the grace costs: a
 * thief replaying a stolen token within it gets the pair the owner got,
 * and is found out one rotation later instead of at once.
 *
 * Tokens are stored only as hashes, so the pair must be recoverable without
 * keeping it in plaintext: the rotated row keeps it sealed with a key only
 * the old refresh token gives (milk_token_pair_seal). Only a caller who
 * presents that token can open it — one who could have rotated it anyway —
 * and a copy of the database opens nothing. A family has one box at most:
 * the next rotation, and a reuse, wipe it. */
static gboolean
rotate_refresh (PGconn        *conn,
                const char    *refresh_token,
                const char    *refresh_hash,
                const char    *account_id,
                const char    *client_id,
                const char    *family,
                MilkTokenPair *pair,
                GError       **error)
{
  g_autofree char *sealed = NULL;
  g_autofree char *successor_hash = NULL;

  if (!_milk_db_command (MILK_DB_QUERY (conn, error,
                       "UPDATE oauth_tokens SET revoked_at = now ()"
                       " WHERE family = $1 AND kind = 'access' AND revoked_at IS NULL", family)) ||
      !_milk_db_command (MILK_DB_QUERY (conn, error,
                       "UPDATE oauth_tokens SET successor_hash = NULL, successor_box = NULL"
                       " WHERE family = $1 AND successor_box IS NOT NULL", family)) ||
      !issue_pair (conn, account_id, client_id, family, pair, error))
    return FALSE;
  sealed = milk_token_pair_seal (refresh_token, pair);
  successor_hash = milk_token_hash (pair->refresh_token);
  return _milk_db_command (MILK_DB_QUERY (conn, error,
                         "UPDATE oauth_tokens SET used_at = now (), successor_hash = $2, successor_box = $3"
                         " WHERE token_hash = $1",
                         refresh_hash, successor_hash, sealed));
}

/* The pair the token got when it was rotated, if its refresh token is
 * still the family's live one; MILK_GRANT_REUSED otherwise, and
 * MILK_GRANT_INVALID with error set when the database failed. */
static MilkGrantResult
repeat_pair (PGconn        *conn,
             const char    *refresh_token,
             const char    *successor_hash,
             const char    *sealed,
             gint64         age_s,
             MilkTokenPair *pair,
             GError       **error)
{
  g_autoptr(PGresult) live = NULL;
  g_autofree char *opened_hash = NULL;

  if (successor_hash == NULL || sealed == NULL)
    return MILK_GRANT_REUSED;
  live = MILK_DB_QUERY (conn, error,
                "SELECT 1 FROM oauth_tokens WHERE token_hash = $1 AND kind = 'refresh'"
                "   AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now ()",
                successor_hash);
  if (live == NULL)
    return MILK_GRANT_INVALID;
  if (PQntuples (live) != 1)
    return MILK_GRANT_REUSED;
  if (!milk_token_pair_open (refresh_token, sealed, pair) ||
      !milk_secret_equal ((opened_hash = milk_token_hash (pair->refresh_token)), successor_hash))
    {
      milk_token_pair_clear (pair);
      return MILK_GRANT_REUSED;
    }
  pair->expires_in = MAX (MILK_ACCESS_TTL_S - age_s, 1);
  return MILK_GRANT_REPEATED;
}

MilkGrantResult
milk_db_refresh_rotate (PGconn         *conn,
                        const char     *refresh_token,
                        const char     *client_id,
                        guint           grace_s,
                        MilkTokenPair  *pair,
                        GError        **error)
{
  g_autoptr(PGresult) result = NULL;
  g_autofree char *refresh_hash = milk_token_hash (refresh_token);
  g_autofree char *grace = g_strdup_printf ("%u seconds", grace_s);
  g_autofree char *account_id = NULL;
  g_autofree char *family = NULL;
  MilkGrantResult outcome = MILK_GRANT_INVALID;

  memset (pair, 0, sizeof *pair);
  if (!begin_for_hash (conn, "SELECT milk_token_account ($1)", refresh_hash, error))
    return MILK_GRANT_INVALID;
  result = MILK_DB_QUERY (conn, error,
                  "SELECT account_id, family::text, used_at IS NOT NULL, revoked_at IS NULL,"
                  "       expires_at > now (), client_id = $2, used_at > now () - $3::interval,"
                  "       successor_hash, successor_box, floor (extract (epoch FROM now () - used_at))::bigint"
                  "  FROM oauth_tokens WHERE token_hash = $1 AND kind = 'refresh' FOR UPDATE",
                  refresh_hash, client_id, grace);
  if (result == NULL)
    goto fail;

  if (PQntuples (result) == 1 && _milk_db_bool_value (result, 0, 5))
    {
      account_id = _milk_db_dup_value (result, 0, 0);
      family = _milk_db_dup_value (result, 0, 1);
      if (_milk_db_bool_value (result, 0, 2))
        {
          if (_milk_db_bool_value (result, 0, 3) && _milk_db_bool_value (result, 0, 6))
            outcome = repeat_pair (conn, refresh_token, PQgetisnull (result, 0, 7) ? NULL : PQgetvalue (result, 0, 7),
                                   PQgetisnull (result, 0, 8) ? NULL : PQgetvalue (result, 0, 8),
                                   _milk_db_int_value (result, 0, 9), pair, error);
          else
            outcome = MILK_GRANT_REUSED;
          if (outcome == MILK_GRANT_INVALID)
            goto fail;
          /* A spent refresh token came back: someone holds a copy. */
          if (outcome == MILK_GRANT_REUSED &&
              (!revoke_family (conn, family, error) ||
               !_milk_db_command (MILK_DB_QUERY (conn, error,
                                "UPDATE oauth_tokens SET successor_hash = NULL, successor_box = NULL"
                                " WHERE family = $1 AND successor_box IS NOT NULL", family))))
            goto fail;
        }
      else if (_milk_db_bool_value (result, 0, 3) && _milk_db_bool_value (result, 0, 4))
        {
          if (!rotate_refresh (conn, refresh_token, refresh_hash, account_id, client_id, family, pair, error))
            goto fail;
          outcome = MILK_GRANT_OK;
        }
    }
  if (!_milk_db_commit (conn, error))
    goto fail;
  return outcome;

fail:
  _milk_db_rollback (conn);
  milk_token_pair_clear (pair);
  return MILK_GRANT_INVALID;
}

gboolean
milk_db_token_revoke (PGconn      *conn,
                      const char  *token_hash,
                      const char  *client_id,
                      GError     **error)
{
  /* A refresh token takes its whole grant with it (RFC 7009 2.1). */
  if (!begin_for_hash (conn, "SELECT milk_token_account ($1)", token_hash, error))
    return FALSE;
  if (!_milk_db_command (MILK_DB_QUERY (conn, error,
                       "UPDATE oauth_tokens SET revoked_at = now ()"
                       " WHERE revoked_at IS NULL AND (token_hash = $1 AND client_id = $2"
                       "    OR family = (SELECT family FROM oauth_tokens"
                       "                  WHERE token_hash = $1 AND client_id = $2 AND kind = 'refresh'))",
                       token_hash, client_id)) ||
      !_milk_db_commit (conn, error))
    {
      _milk_db_rollback (conn);
      return FALSE;
    }
  return TRUE;
}

gint64
milk_db_access_token_account (PGconn      *conn,
                              const char  *token_hash,
                              GError     **error)
{
  g_autoptr(PGresult) result = NULL;

  result = MILK_DB_QUERY_PREPARED (conn, error, "milk_access_token", token_hash);
  if (result == NULL)
    return -1;
  return PQntuples (result) > 0 ? _milk_db_int_value (result, 0, 0) : 0;
}

void
milk_code_grant_clear (MilkCodeGrant *grant)
{
  g_clear_pointer (&grant->client_id, g_free);
  g_clear_pointer (&grant->redirect_uri, g_free);
  g_clear_pointer (&grant->code_challenge, g_free);
  g_clear_pointer (&grant->family, g_free);
}

void
milk_token_pair_clear (MilkTokenPair *pair)
{
  g_clear_pointer (&pair->access_token, g_free);
  g_clear_pointer (&pair->refresh_token, g_free);
}
