/* milk-server-db-api.c — PostgreSQL: an account's records for the API, and
 * personal access tokens (migrations/0009-personal-tokens.sql)
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <string.h>

#include "milk-server-db-api.h"
#include "milk-server-db-private.h"
#include "milk-server-db.h"
#include "milk-server-log.h"

static char *
id_text (gint64 id)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, id);
}

static MilkRecord *
decode_body (const char *body)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  MilkRecord *record;

  node = json_from_string (body, &error);
  record = node ? milk_record_from_json (node, &error) : NULL;
  if (record == NULL)
    {
      g_autofree char *words = milk_log_escape (error ? error->message : "the body is empty");

      g_warning ("Skipping a stored record that no longer decodes: %s", words);
    }
  return record;
}

/* Every record of the account, tombstones too, as MilkRecords (with what
 * this version does not know kept in their extra). */
GPtrArray *
milk_db_records_list (PGconn      *conn,
                      gint64       account_id,
                      GError     **error)
{
  g_autofree char *id = id_text (account_id);
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  PGresult *result;

  if (!_milk_db_begin (conn, account_id, error))
    return NULL;
  result = MILK_DB_QUERY (conn, error,
                          "SELECT body FROM records WHERE account_id = $1::bigint ORDER BY type, key", id);
  if (result == NULL)
    {
      _milk_db_rollback (conn);
      return NULL;
    }
  for (int i = 0; i < PQntuples (result); i++)
    {
      MilkRecord *record = decode_body (PQgetvalue (result, i, 0));

      if (record)
        g_ptr_array_add (records, record);
    }
  PQclear (result);
  if (!_milk_db_commit (conn, error))
    return NULL;
  return g_steal_pointer (&records);
}

/* The stored version of one record, deleted or not, in *record (NULL for
 * none). */
gboolean
milk_db_record_get (PGconn          *conn,
                    gint64           account_id,
                    MilkRecordType   type,
                    const char      *key,
                    MilkRecord     **record,
                    GError         **error)
{
  g_autofree char *id = id_text (account_id);
  PGresult *result;

  *record = NULL;
  if (!_milk_db_begin (conn, account_id, error))
    return FALSE;
  result = MILK_DB_QUERY (conn, error,
                          "SELECT body FROM records WHERE account_id = $1::bigint AND type = $2 AND key = $3",
                          id, milk_record_type_to_string (type), key);
  if (result == NULL)
    {
      _milk_db_rollback (conn);
      return FALSE;
    }
  if (PQntuples (result) > 0)
    *record = decode_body (PQgetvalue (result, 0, 0));
  PQclear (result);
  return _milk_db_commit (conn, error);
}

/* ---- personal access tokens ---- */

gboolean
milk_db_personal_token_create (PGconn      *conn,
                               gint64       account_id,
                               const char  *token_hash,
                               const char  *name,
                               const char  *scope,
                               GError     **error)
{
  g_autofree char *id = id_text (account_id);
  PGresult *result;

  if (!_milk_db_begin (conn, account_id, error))
    return FALSE;
  result = MILK_DB_QUERY (conn, error,
                          "INSERT INTO personal_tokens (account_id, token_hash, name, scope) "
                          "VALUES ($1::bigint, $2, $3, $4)", id, token_hash, name, scope);
  if (result == NULL)
    {
      _milk_db_rollback (conn);
      return FALSE;
    }
  PQclear (result);
  return _milk_db_commit (conn, error);
}

/* The account's tokens not revoked, newest first; times in Unix seconds,
 * last_used 0 for never. */
GPtrArray *
milk_db_personal_tokens_list (PGconn      *conn,
                              gint64       account_id,
                              GError     **error)
{
  g_autofree char *id = id_text (account_id);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_personal_token_free);
  PGresult *result;

  if (!_milk_db_begin (conn, account_id, error))
    return NULL;
  result = MILK_DB_QUERY (conn, error,
                          "SELECT id, name, scope, extract (epoch FROM created_at)::bigint,"
                          "       coalesce (extract (epoch FROM last_used_at)::bigint, 0)"
                          "  FROM personal_tokens WHERE account_id = $1::bigint AND revoked_at IS NULL"
                          " ORDER BY created_at DESC, id DESC", id);
  if (result == NULL)
    {
      _milk_db_rollback (conn);
      return NULL;
    }
  for (int i = 0; i < PQntuples (result); i++)
    {
      MilkPersonalToken *token = g_new0 (MilkPersonalToken, 1);

      token->id = g_ascii_strtoll (PQgetvalue (result, i, 0), NULL, 10);
      token->name = g_strdup (PQgetvalue (result, i, 1));
      token->scope = g_strdup (PQgetvalue (result, i, 2));
      token->created_at = g_ascii_strtoll (PQgetvalue (result, i, 3), NULL, 10);
      token->last_used_at = g_ascii_strtoll (PQgetvalue (result, i, 4), NULL, 10);
      g_ptr_array_add (list, token);
    }
  PQclear (result);
  if (!_milk_db_commit (conn, error))
    return NULL;
  return g_steal_pointer (&list);
}

gboolean
milk_db_personal_token_revoke (PGconn      *conn,
                               gint64       account_id,
                               gint64       token_id,
                               gboolean    *revoked,
                               GError     **error)
{
  g_autofree char *id = id_text (account_id);
  g_autofree char *token = id_text (token_id);
  PGresult *result;

  *revoked = FALSE;
  if (!_milk_db_begin (conn, account_id, error))
    return FALSE;
  result = MILK_DB_QUERY (conn, error,
                          "UPDATE personal_tokens SET revoked_at = now () "
                          " WHERE account_id = $1::bigint AND id = $2::bigint AND revoked_at IS NULL",
                          id, token);
  if (result == NULL)
    {
      _milk_db_rollback (conn);
      return FALSE;
    }
  *revoked = g_strcmp0 (PQcmdTuples (result), "1") == 0;
  PQclear (result);
  return _milk_db_commit (conn, error);
}

/* One use of a token, counted: its account (0: unknown or revoked), its
 * scope, and the seconds to wait when it is over its limit (0: go on). */
gboolean
milk_db_personal_token_use (PGconn      *conn,
                            const char  *token_hash,
                            guint        per_minute,
                            gint64      *account_id,
                            char       **scope,
                            guint       *retry_after,
                            GError     **error)
{
  g_autofree char *limit = id_text (per_minute);
  g_autoptr(PGresult) result = NULL;

  *account_id = 0;
  *scope = NULL;
  *retry_after = 0;
  result = MILK_DB_QUERY (conn, error,
                          "SELECT account_id, scope, retry_after FROM milk_personal_token_use ($1, $2::integer)",
                          token_hash, limit);
  if (result == NULL)
    return FALSE;
  if (PQntuples (result) > 0)
    {
      *account_id = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
      *scope = g_strdup (PQgetvalue (result, 0, 1));
      *retry_after = g_ascii_strtoull (PQgetvalue (result, 0, 2), NULL, 10);
    }
  return TRUE;
}

void
milk_personal_token_free (MilkPersonalToken *token)
{
  if (token == NULL)
    return;
  g_free (token->name);
  g_free (token->scope);
  g_free (token);
}
