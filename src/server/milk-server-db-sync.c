/* milk-server-db-sync.c — a diary's changes: push, pull, and the
 * instance tokens of its copies
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <json-glib/json-glib.h>

#include "milk-record.h"
#include "milk-server-db-private.h"
#include "milk-server-db-sync.h"
#include "milk-server-db.h"
#include "milk-server-error.h"


/* One statement: the account's counter is bumped under its row lock, which
 * it holds until commit, so numbers commit in order; each record is stored
 * only if its HLC beats the stored one. The body stored is the text the
 * change came as (@bodies, parallel to @records; NULL or a NULL element:
 * the record encoded), so that what a newer app wrote and this service
 * does not know is kept (DESIGN "Versions mix"). */
gboolean
milk_db_sync_push (PGconn      *conn,
                   gint64       account_id,
                   const char  *node,
                   GPtrArray   *records,
                   GPtrArray   *bodies,
                   GArray      *superseded,
                   GPtrArray   *winners,
                   GError     **error)
{
  PGresult *result;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *rows = NULL;
  g_autofree char *id = _milk_db_int_param (account_id);
  g_autofree char *count = _milk_db_int_param (records->len);

  if (records->len == 0)
    return TRUE;

  json_builder_begin_array (builder);
  for (guint i = 0; i < records->len; i++)
    {
      MilkRecord *record = g_ptr_array_index (records, i);
      const char *received = bodies && i < bodies->len ? g_ptr_array_index (bodies, i) : NULL;
      g_autoptr(JsonNode) body = received ? NULL : milk_record_to_json (record);
      g_autofree char *key = milk_record_dup_key (record);
      g_autofree char *text = received ? g_strdup (received) : json_to_string (body, FALSE);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "ord");
      json_builder_add_int_value (builder, i + 1);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, milk_record_type_to_string (record->type));
      json_builder_set_member_name (builder, "key");
      json_builder_add_string_value (builder, key);
      json_builder_set_member_name (builder, "hlc");
      json_builder_add_string_value (builder, record->hlc);
      json_builder_set_member_name (builder, "deleted");
      json_builder_add_boolean_value (builder, record->deleted);
      json_builder_set_member_name (builder, "body");
      json_builder_add_string_value (builder, text);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  rows = json_generator_to_data (generator, NULL);

  if (!_milk_db_begin (conn, account_id, error))
    return FALSE;
  /* The statement reads the table as it was before its own insert (one
   * snapshot): a change that the stored version's greater stamp keeps out
   * lost to a newer edit, and is listed in @superseded by its index in
   * @records (an equal stamp is the same change sent again), and the
   * stored text of the version that won in @winners. A newer
   * version committed by another request while this one ran is not
   * listed; the device still receives it. */
  result = MILK_DB_QUERY (conn, error,
                       "WITH counter AS ("
                       "  INSERT INTO sync_counters AS c (account_id, seq) VALUES ($1, $3)"
                       "  ON CONFLICT (account_id) DO UPDATE SET seq = c.seq + $3"
                       "  RETURNING c.seq - $3::bigint AS base"
                       "), incoming AS ("
                       "  SELECT * FROM jsonb_to_recordset ($2::jsonb)"
                       "    AS x (ord bigint, type text, key text, hlc text, deleted boolean, body text)"
                       "), stored AS ("
                       "INSERT INTO records AS r (account_id, type, key, hlc, deleted, node, seq, body)"
                       " SELECT $1, i.type, i.key, i.hlc, i.deleted, $4, counter.base + i.ord, i.body"
                       "   FROM incoming i, counter"
                       " ON CONFLICT (account_id, type, key) DO UPDATE"
                       "   SET hlc = excluded.hlc, deleted = excluded.deleted, node = excluded.node,"
                       "       seq = excluded.seq, body = excluded.body"
                       "   WHERE r.hlc < excluded.hlc"
                       ")"
                       "SELECT i.ord, r.body FROM incoming i"
                       "  JOIN records r ON r.account_id = $1 AND r.type = i.type AND r.key = i.key"
                       " WHERE r.hlc > i.hlc"
                       " ORDER BY i.ord",
                       id, rows, count, node);
  if (result == NULL)
    {
      _milk_db_rollback (conn);
      return FALSE;
    }
  for (int i = 0; i < PQntuples (result); i++)
    {
      guint index = _milk_db_int_value (result, i, 0) - 1;

      g_array_append_val (superseded, index);
      g_ptr_array_add (winners, _milk_db_dup_value (result, i, 1));
    }
  PQclear (result);
  if (!_milk_db_commit (conn, error))
    {
      _milk_db_rollback (conn);
      return FALSE;
    }
  return TRUE;
}

static GPtrArray *
read_changes (PGresult *result,
              int       first_column)
{
  GPtrArray *changes = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_stored_change_free);

  for (int i = 0; i < PQntuples (result); i++)
    {
      MilkStoredChange *change;

      if (PQgetisnull (result, i, first_column))
        continue;
      change = g_new0 (MilkStoredChange, 1);
      change->seq = _milk_db_int_value (result, i, first_column);
      change->node = _milk_db_dup_value (result, i, first_column + 1);
      change->body = _milk_db_dup_value (result, i, first_column + 2);
      g_ptr_array_add (changes, change);
    }
  return changes;
}

GPtrArray *
milk_db_sync_pull (PGconn      *conn,
                   gint64       account_id,
                   gint64       after_seq,
                   guint        limit,
                   GError     **error)
{
  g_autoptr(PGresult) result = NULL;
  g_autofree char *id = _milk_db_int_param (account_id);
  g_autofree char *after = _milk_db_int_param (after_seq);
  g_autofree char *count = _milk_db_int_param (limit);

  result = MILK_DB_QUERY_PREPARED (conn, error, "milk_pull", id, after, count);
  if (result == NULL)
    return NULL;
  return read_changes (result, 0);
}

/* The common case, a sync with nothing to push, is one statement: who the
 * token belongs to (no row: nobody), the node's instance and what changed
 * since. It is sent (_send, in a pipeline with others) or run (_exec), and
 * its result read (_read). */
PGresult *
milk_db_sync_pull_for_token_exec (PGconn      *conn,
                                  const char  *token_hash,
                                  const char  *node,
                                  gint64       after_seq,
                                  guint        limit,
                                  GError     **error)
{
  g_autofree char *after = _milk_db_int_param (after_seq);
  g_autofree char *count = _milk_db_int_param (limit);

  return MILK_DB_QUERY_PREPARED (conn, error, "milk_pull_for_token", token_hash, after, count, node);
}

gboolean
milk_db_sync_pull_for_token_send (PGconn     *conn,
                                  const char *token_hash,
                                  const char *node,
                                  gint64      after_seq,
                                  guint       limit)
{
  g_autofree char *after = _milk_db_int_param (after_seq);
  g_autofree char *count = _milk_db_int_param (limit);
  const char *params[] = { token_hash, after, count, node };

  return PQsendQueryPrepared (conn, "milk_pull_for_token", G_N_ELEMENTS (params), params, NULL, NULL, 0) == 1;
}

/* The records of a successful @result; *@account_id 0 when the token is
 * nobody's. */
GPtrArray *
milk_db_sync_pull_for_token_read (PGresult     *result,
                                  gint64       *account_id,
                                  MilkInstance *instance)
{
  *account_id = 0;
  if (PQntuples (result) > 0)
    {
      *account_id = _milk_db_int_value (result, 0, 0);
      instance->known = !PQgetisnull (result, 0, 4);
      instance->current = instance->known ? _milk_db_dup_value (result, 0, 4) : NULL;
      instance->previous = PQgetisnull (result, 0, 5) ? NULL : _milk_db_dup_value (result, 0, 5);
    }
  return read_changes (result, 1);
}

/* A diary that has no token yet shows "" (the "previous" of a node's
 * first answer, so that a repeat of that first request is a retry). */
MilkInstanceVerdict
milk_instance_verdict (const MilkInstance *instance,
                       const char         *presented)
{
  if (presented == NULL)
    presented = "";
  if (!instance->known)
    return MILK_INSTANCE_NEW;
  if (g_strcmp0 (presented, instance->current) == 0)
    return MILK_INSTANCE_SAME;
  if (g_strcmp0 (presented, instance->previous) == 0)
    return MILK_INSTANCE_RETRY;
  return MILK_INSTANCE_COPY;
}

/* One try of milk_db_sync_instance_next; FALSE with no error and *raced
 * when another request made the node's first row meanwhile (the same
 * request sent twice at once, to two instances). */
static gboolean
instance_next_once (PGconn      *conn,
                    gint64       account_id,
                    const char  *node,
                    const char  *presented,
                    const char  *proposed,
                    char       **next,
                    gboolean    *raced,
                    GError     **error)
{
  g_autofree char *id = _milk_db_int_param (account_id);
  g_autofree char *token = g_strdup (proposed);
  MilkInstance instance = { FALSE, NULL, NULL };
  PGresult *result;
  gboolean ok;

  *next = NULL;
  *raced = FALSE;
  if (!_milk_db_begin (conn, account_id, error))
    return FALSE;
  result = MILK_DB_QUERY (conn, error, "SELECT current, previous FROM sync_instances"
                               " WHERE account_id = $1 AND node = $2 FOR UPDATE", id, node);
  if (result == NULL)
    goto fail;
  if (PQntuples (result) > 0)
    {
      instance.known = TRUE;
      instance.current = _milk_db_dup_value (result, 0, 0);
      instance.previous = PQgetisnull (result, 0, 1) ? NULL : _milk_db_dup_value (result, 0, 1);
    }
  PQclear (result);

  switch (milk_instance_verdict (&instance, presented))
    {
    case MILK_INSTANCE_NEW:
      /* No row to lock: a twin of this request may insert it first. */
      result = MILK_DB_QUERY (conn, error, "INSERT INTO sync_instances (account_id, node, current, previous)"
                                   " VALUES ($1, $2, $3, '') ON CONFLICT (account_id, node) DO NOTHING",
                      id, node, token);
      *raced = result != NULL && g_strcmp0 (PQcmdTuples (result), "0") == 0;
      ok = _milk_db_command (result) && !*raced;
      break;
    case MILK_INSTANCE_SAME:
      ok = _milk_db_command (MILK_DB_QUERY (conn, error, "UPDATE sync_instances SET previous = current, current = $3"
                                        " WHERE account_id = $1 AND node = $2", id, node, token));
      break;
    case MILK_INSTANCE_RETRY:
      /* The answer that carried the current token was lost: the one
       * before it stays good until the diary shows a newer one. */
      ok = _milk_db_command (MILK_DB_QUERY (conn, error, "UPDATE sync_instances SET current = $3"
                                        " WHERE account_id = $1 AND node = $2", id, node, token));
      break;
    case MILK_INSTANCE_COPY:
    default:
      g_clear_pointer (&token, g_free);
      ok = TRUE;
      break;
    }
  g_clear_pointer (&instance.current, g_free);
  g_clear_pointer (&instance.previous, g_free);
  if (!ok || !_milk_db_commit (conn, error))
    goto fail;
  *next = g_steal_pointer (&token);
  return TRUE;

fail:
  _milk_db_rollback (conn);
  g_free (instance.current);
  g_free (instance.previous);
  return FALSE;
}

/* Checks the instance token a diary showed for @node and gives it
 * @proposed as the next one (in @next); NULL in @next when the diary is a
 * copy (or a restored older file) of the one the service last answered as
 * @node. */
gboolean
milk_db_sync_instance_next (PGconn      *conn,
                            gint64       account_id,
                            const char  *node,
                            const char  *presented,
                            const char  *proposed,
                            char       **next,
                            GError     **error)
{
  gboolean raced;

  if (instance_next_once (conn, account_id, node, presented, proposed, next, &raced, error))
    return TRUE;
  if (!raced)
    return FALSE;
  /* The twin has committed the row: now there is one to check against. */
  if (instance_next_once (conn, account_id, node, presented, proposed, next, &raced, error))
    return TRUE;
  if (raced)
    g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_DATABASE, "The node's first sync raced twice");
  return FALSE;
}

void
milk_stored_change_free (MilkStoredChange *change)
{
  if (change == NULL)
    return;
  g_free (change->node);
  g_free (change->body);
  g_free (change);
}
