/* milk-store-journal.c — the sync journal: pending, remote, rejected and unreadable changes
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-store"

#include "config.h"

#include <string.h>

#include "milk-store-private.h"

GPtrArray *
milk_store_list_pending (MilkStore  *self,
                         guint       limit,
                         GError    **error)
{
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);

  for (MilkRecordType type = MILK_RECORD_PRODUCT; type <= MILK_RECORD_SETTING && pending->len < limit; type++)
    {
      g_autofree char *where = g_strdup_printf ("WHERE pending ORDER BY hlc LIMIT %u", limit - pending->len);
      g_autoptr(GPtrArray) records = _milk_store_list_records (self, type, where, NULL, NULL, error);

      if (records == NULL)
        return NULL;
      g_ptr_array_extend_and_steal (pending, g_steal_pointer (&records));
    }
  return g_steal_pointer (&pending);
}

guint
milk_store_count_pending (MilkStore *self)
{
  guint count = 0;

  for (MilkRecordType type = MILK_RECORD_PRODUCT; type <= MILK_RECORD_SETTING; type++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s WHERE pending", _milk_store_table_name (type));
      sqlite3_stmt *stmt = _milk_store_prepare (self, sql, NULL);

      if (stmt && sqlite3_step (stmt) == SQLITE_ROW)
        count += sqlite3_column_int (stmt, 0);
      if (stmt)
        sqlite3_reset (stmt);
    }
  return count;
}

/* Clears the pending mark of each record sent, but only where the stored
 * version is still the one that was sent: an edit made while the request
 * was in flight has a newer stamp and stays pending (invariant 4). */
gboolean
milk_store_mark_synced (MilkStore  *self,
                        GPtrArray  *sent,
                        GError    **error)
{
  if (!_milk_store_begin (self, error))
    return FALSE;

  for (guint i = 0; i < sent->len; i++)
    {
      const MilkRecord *record = g_ptr_array_index (sent, i);
      g_autofree char *sql = g_strdup_printf ("UPDATE %s SET pending = 0 WHERE key = ? AND hlc = ? AND pending",
                                              _milk_store_table_name (record->type));
      g_autofree char *key = milk_record_dup_key (record);
      sqlite3_stmt *stmt = _milk_store_prepare (self, sql, error);

      if (stmt == NULL)
        goto fail;
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, record->hlc, -1, SQLITE_TRANSIENT);
      if (!_milk_store_step_done (self, stmt, error))
        goto fail;
      _milk_store_note_rows_changed (self, MILK_STORE_CHANGE_SYNC);
    }
  return _milk_store_commit (self, error);

fail:
  _milk_store_rollback (self);
  return FALSE;
}

/* A version this device can read replaces an older one it could not. */
static gboolean
forget_superseded_unreadable (MilkStore         *self,
                              const MilkRecord  *record,
                              GError           **error)
{
  g_autofree char *key = milk_record_dup_key (record);
  sqlite3_stmt *stmt = _milk_store_prepare (self, "DELETE FROM unreadable WHERE type = ? AND key = ? AND hlc < ?",
                                            error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, milk_record_type_to_string (record->type), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, record->hlc, -1, SQLITE_TRANSIENT);
  if (!_milk_store_step_done (self, stmt, error))
    return FALSE;
  _milk_store_note_rows_changed (self, MILK_STORE_CHANGE_SYNC);
  return TRUE;
}

/* The merge rule: the version with the greater clock stamp wins, whole
 * record. Applying the same version twice, or an older one, is a no-op. */
gboolean
milk_store_apply_remote (MilkStore  *self,
                         GPtrArray  *records,
                         GError    **error)
{
  if (!_milk_store_begin (self, error))
    return FALSE;

  for (guint i = 0; i < records->len; i++)
    {
      const MilkRecord *record = g_ptr_array_index (records, i);
      g_autofree char *key = milk_record_dup_key (record);
      g_autoptr(MilkRecord) local = NULL;
      g_autoptr(GError) local_error = NULL;
      MilkHlcStamp stamp;

      if (!milk_record_validate (record, error) || !milk_hlc_stamp_parse (record->hlc, &stamp, error))
        goto fail;

      local = _milk_store_get_any (self, record->type, key, &local_error);
      if (local_error)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          goto fail;
        }

      /* Every stamp seen moves the clock on, applied or not: a device whose
       * clock is slow must still stamp its next edit after what it has seen. */
      if (!milk_hlc_receive (self->hlc, &stamp, &local_error))
        {
          g_warning ("Received a change with a far-future clock stamp: %s", local_error->message);
          g_clear_error (&local_error);
        }

      if (!forget_superseded_unreadable (self, record, error))
        goto fail;

      if (local != NULL && strcmp (local->hlc, record->hlc) >= 0)
        continue;

      if (!_milk_store_write_record (self, record, local, FALSE, error))
        goto fail;
    }
  return _milk_store_commit (self, error);

fail:
  _milk_store_rollback (self);
  return FALSE;
}

/* The service's clock is the reference: from now on (and after a restart)
 * this device stamps with its own clock corrected by the difference. */
gboolean
milk_store_set_service_time (MilkStore  *self,
                             gint64      service_ms,
                             GError    **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (MILK_IS_STORE (self), FALSE);

  milk_hlc_set_offset (self->hlc, service_ms - milk_hlc_get_local_time (self->hlc));
  text = g_strdup_printf ("%" G_GINT64_FORMAT, milk_hlc_get_offset (self->hlc));
  /* Measured just now, the corrected clock is the one to judge by. */
  return _milk_store_set_local_state (self, "clock_offset", text, error) &&
         _milk_store_recover_from_future_clock (self, service_ms, error);
}

gint64
milk_store_get_clock_offset (MilkStore *self)
{
  g_return_val_if_fail (MILK_IS_STORE (self), 0);

  return milk_hlc_get_offset (self->hlc);
}

char *
milk_store_dup_cursor (MilkStore *self)
{
  return _milk_store_dup_local_state (self, "cursor");
}

gboolean
milk_store_set_cursor (MilkStore   *self,
                       const char  *cursor,
                       GError     **error)
{
  return _milk_store_set_local_state (self, "cursor", cursor, error);
}

/* The instance token the service gave this copy of the diary file in its
 * last answer (DESIGN "Files get copied and restored"), or NULL. */
char *
milk_store_dup_instance (MilkStore *self)
{
  g_return_val_if_fail (MILK_IS_STORE (self), NULL);

  return _milk_store_dup_local_state (self, "instance");
}

gboolean
milk_store_set_instance (MilkStore   *self,
                         const char  *instance,
                         GError     **error)
{
  g_return_val_if_fail (MILK_IS_STORE (self), FALSE);

  if (instance == NULL)
    return _milk_store_exec (self, "DELETE FROM local_state WHERE name = 'instance'", error);
  return _milk_store_set_local_state (self, "instance", instance, error);
}

/* The service saw another copy of this diary file sync as this node since
 * this one last did: this file was copied to another computer, or
 * restored from an older backup. Two files must never stamp as one node
 * (invariants 1 and 2 need a stamp to name one version), so this one
 * becomes a new replica, keeping its clock (which never goes back), and
 * pulls the account's history from the start: whatever the other copy
 * sent, or this file sent after the backup it was restored from, comes
 * back to it. Pending edits stay pending and go in the next request. */
gboolean
milk_store_become_new_replica (MilkStore  *self,
                               GError    **error)
{
  MilkHlcStamp last;
  guint64 node_id;

  g_return_val_if_fail (MILK_IS_STORE (self), FALSE);

  if (!_milk_store_begin (self, error))
    return FALSE;
  if (!_milk_store_new_replica_node (self, &node_id, error) ||
      !_milk_store_exec (self, "DELETE FROM local_state WHERE name IN ('cursor', 'instance')", error))
    {
      _milk_store_rollback (self);
      return FALSE;
    }
  milk_hlc_get_last (self->hlc, &last);
  milk_hlc_reset (self->hlc, node_id, &last);
  g_message ("Another copy of this diary synced as the same device; this one is now replica %s",
             self->replica);
  return _milk_store_commit (self, error);
}

/* A change the server refused stops being pending, but stays listed with
 * the server's reason until a newer local edit replaces it. */
gboolean
milk_store_mark_rejected (MilkStore         *self,
                          const MilkRecord  *record,
                          const char        *code,
                          const char        *message,
                          GError           **error)
{
  g_autofree char *key = milk_record_dup_key (record);
  g_autofree char *sql = g_strdup_printf ("UPDATE %s SET pending = 0 WHERE key = ? AND hlc = ?",
                                          _milk_store_table_name (record->type));
  sqlite3_stmt *stmt;

  if (!_milk_store_begin (self, error))
    return FALSE;

  stmt = _milk_store_prepare (self,
      "INSERT OR REPLACE INTO rejected (type, key, hlc, code, message, lost) VALUES (?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, milk_record_type_to_string (record->type), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, record->hlc, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, code, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, message, -1, SQLITE_TRANSIENT);
  /* What lost is kept: the newer version that the service sends in the
   * same answer replaces it in the diary. */
  if (g_strcmp0 (code, "superseded") == 0)
    {
      g_autoptr(JsonNode) json = milk_record_to_json (record);

      sqlite3_bind_text (stmt, 6, json_to_string (json, FALSE), -1, g_free);
    }
  else
    sqlite3_bind_null (stmt, 6);
  if (!_milk_store_step_done (self, stmt, error))
    goto fail;

  stmt = _milk_store_prepare (self, sql, error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, record->hlc, -1, SQLITE_TRANSIENT);
  if (!_milk_store_step_done (self, stmt, error))
    goto fail;

  _milk_store_note_change (self, MILK_STORE_CHANGE_SYNC, MILK_DAY_INVALID, MILK_DAY_INVALID);
  return _milk_store_commit (self, error);

fail:
  _milk_store_rollback (self);
  return FALSE;
}

void
milk_store_rejection_free (MilkStoreRejection *rejection)
{
  if (rejection == NULL)
    return;
  milk_record_free (rejection->record);
  milk_record_free (rejection->lost);
  g_free (rejection->code);
  g_free (rejection->message);
  g_free (rejection);
}

/* The version that lost, as kept by mark_rejected, or NULL. */
static MilkRecord *
parse_lost (const char *text)
{
  g_autoptr(JsonNode) node = text ? json_from_string (text, NULL) : NULL;

  return node ? milk_record_from_json (node, NULL) : NULL;
}

/* Rejections whose record has not been edited since; changes that lost
 * to a newer one from another device, until this device edits the record
 * again. */
GPtrArray *
milk_store_list_rejected (MilkStore  *self,
                          GError    **error)
{
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_store_rejection_free);
  sqlite3_stmt *stmt = _milk_store_prepare (self, "SELECT type, key, hlc, code, message, lost FROM rejected"
                                                  " ORDER BY hlc", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      MilkRecordType type;
      g_autofree char *key = g_strdup (_milk_store_column_text (stmt, 1));
      g_autofree char *hlc = g_strdup (_milk_store_column_text (stmt, 2));
      g_autofree char *code = g_strdup (_milk_store_column_text (stmt, 3));
      g_autofree char *message = g_strdup (_milk_store_column_text (stmt, 4));
      g_autoptr(MilkRecord) record = NULL;
      g_autoptr(MilkRecord) lost = parse_lost (_milk_store_column_text (stmt, 5));
      MilkStoreRejection *rejection;

      if (!milk_record_type_from_string (_milk_store_column_text (stmt, 0), &type))
        continue;
      /* get_any reuses its own statement, not this one */
      record = _milk_store_get_any (self, type, key, NULL);
      if (record == NULL)
        continue;
      if (lost != NULL ? g_strcmp0 (record->hlc, hlc) <= 0 : g_strcmp0 (record->hlc, hlc) != 0)
        continue;

      rejection = g_new0 (MilkStoreRejection, 1);
      rejection->record = g_steal_pointer (&record);
      rejection->lost = g_steal_pointer (&lost);
      rejection->code = g_steal_pointer (&code);
      rejection->message = g_steal_pointer (&message);
      g_ptr_array_add (result, rejection);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _milk_store_set_error (self, error);
      return NULL;
    }
  return g_steal_pointer (&result);
}

/* Changes pulled from the service that this version cannot read are kept,
 * as received, for a later version to apply; the cursor may then move past
 * them. Per record the greatest stamp is kept, and a version this device
 * already holds something newer of is left out. Their stamps move the
 * clock on like any other received: a later edit here stamps above them. */
gboolean
milk_store_keep_unreadable (MilkStore  *self,
                            GPtrArray  *changes,
                            GError    **error)
{
  g_return_val_if_fail (MILK_IS_STORE (self), FALSE);

  if (changes->len == 0)
    return TRUE;
  if (!_milk_store_begin (self, error))
    return FALSE;

  for (guint i = 0; i < changes->len; i++)
    {
      const MilkUnreadableChange *change = g_ptr_array_index (changes, i);
      g_autofree char *checksum = NULL;
      const char *type = change->type ? change->type : "";
      const char *key = change->key;
      const char *hlc = change->hlc ? change->hlc : "";
      g_autoptr(GError) local_error = NULL;
      MilkRecordType known;
      MilkHlcStamp stamp;
      sqlite3_stmt *stmt;

      if (key == NULL || *type == '\0')
        {
          g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, change->json, -1);

          key = checksum = g_strconcat ("sha256:", sum, NULL);
        }

      if (change->hlc != NULL && milk_hlc_stamp_parse (change->hlc, &stamp, NULL) &&
          !milk_hlc_receive (self->hlc, &stamp, &local_error))
        {
          g_warning ("Received a change with a far-future clock stamp: %s", local_error->message);
          g_clear_error (&local_error);
        }

      if (milk_record_type_from_string (type, &known))
        {
          g_autoptr(MilkRecord) local = _milk_store_get_any (self, known, key, &local_error);

          if (local_error)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              goto fail;
            }
          if (local != NULL && strcmp (local->hlc, hlc) >= 0)
            continue;
        }

      stmt = _milk_store_prepare (self,
          "INSERT INTO unreadable (type, key, hlc, body, code) VALUES (?, ?, ?, ?, ?)"
          "  ON CONFLICT (type, key) DO UPDATE SET hlc = excluded.hlc, body = excluded.body, code = excluded.code"
          "  WHERE excluded.hlc > unreadable.hlc", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_text (stmt, 1, type, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, key, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, hlc, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, change->json, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 5, change->code ? change->code : "", -1, SQLITE_TRANSIENT);
      if (!_milk_store_step_done (self, stmt, error))
        goto fail;
      _milk_store_note_rows_changed (self, MILK_STORE_CHANGE_SYNC);
    }
  return _milk_store_commit (self, error);

fail:
  _milk_store_rollback (self);
  return FALSE;
}

/* What is kept, oldest stamp first; type and hlc NULL where they were not
 * readable, the key then the checksum it is kept under. */
GPtrArray *
milk_store_list_unreadable (MilkStore  *self,
                            GError    **error)
{
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_unreadable_change_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (MILK_IS_STORE (self), NULL);

  stmt = _milk_store_prepare (self, "SELECT type, key, hlc, body, code FROM unreadable ORDER BY hlc, type, key",
                              error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      MilkUnreadableChange *change = g_new0 (MilkUnreadableChange, 1);

      change->type = *_milk_store_column_text (stmt, 0) ? g_strdup (_milk_store_column_text (stmt, 0)) : NULL;
      change->key = g_strdup (_milk_store_column_text (stmt, 1));
      change->hlc = *_milk_store_column_text (stmt, 2) ? g_strdup (_milk_store_column_text (stmt, 2)) : NULL;
      change->json = g_strdup (_milk_store_column_text (stmt, 3));
      change->code = g_strdup (_milk_store_column_text (stmt, 4));
      g_ptr_array_add (result, change);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _milk_store_set_error (self, error);
      return NULL;
    }
  return g_steal_pointer (&result);
}

guint
milk_store_count_unreadable (MilkStore *self)
{
  sqlite3_stmt *stmt;
  guint count = 0;

  g_return_val_if_fail (MILK_IS_STORE (self), 0);

  stmt = _milk_store_prepare (self, "SELECT count(*) FROM unreadable", NULL);
  if (stmt && sqlite3_step (stmt) == SQLITE_ROW)
    count = sqlite3_column_int (stmt, 0);
  if (stmt)
    sqlite3_reset (stmt);
  return count;
}

gboolean
_milk_store_forget_sync_position (MilkStore  *self,
                                  GError    **error)
{
  return _milk_store_exec (self, "DELETE FROM local_state WHERE name IN ('cursor', 'instance')", error) &&
         _milk_store_exec (self, "DELETE FROM rejected", error);
}

/* Before the first sync with an account: everything this device holds is
 * to be sent (merging by natural key, so nothing duplicates), and the
 * account's history is pulled from the start. */
gboolean
milk_store_reset_sync_state (MilkStore  *self,
                             GError    **error)
{
  if (!_milk_store_begin (self, error))
    return FALSE;
  if (!_milk_store_exec_per_table (self, "UPDATE {table} SET pending = 1 WHERE hlc != '0000000000000-0000-0000000000000000'", error) ||
      !_milk_store_forget_sync_position (self, error))
    goto fail;
  _milk_store_note_change (self, MILK_STORE_CHANGE_SYNC, MILK_DAY_INVALID, MILK_DAY_INVALID);
  return _milk_store_commit (self, error);

fail:
  _milk_store_rollback (self);
  return FALSE;
}

/* Signing out and not keeping the diary: this device forgets every record
 * (the account keeps them); it keeps its node id and clock. */
gboolean
milk_store_clear_diary (MilkStore  *self,
                        GError    **error)
{
  if (!_milk_store_begin (self, error))
    return FALSE;
  if (!_milk_store_exec_per_table (self, "DELETE FROM {table}", error) ||
      !_milk_store_forget_sync_position (self, error) ||
      !_milk_store_exec (self, "DELETE FROM unreadable", error) ||
      !_milk_store_exec (self,
                         "INSERT INTO products (key, name, unit, default_qty_ml, position, archived, hlc)"
                         "  VALUES ('" MILK_DEFAULT_PRODUCT_ID "', 'Milk', 'L', 1000, 0, 0,"
                         "          '0000000000000-0000-0000000000000000')", error))
    goto fail;
  _milk_store_note_everything (self);
  return _milk_store_commit (self, error);

fail:
  _milk_store_rollback (self);
  return FALSE;
}

/* The account the diary was last signed in to, "server account", as the
 * service names it (its opaque "account" id); NULL when it never was. */
char *
milk_store_dup_synced_account (MilkStore *self)
{
  g_return_val_if_fail (MILK_IS_STORE (self), NULL);

  return _milk_store_dup_local_state (self, "account");
}

gboolean
milk_store_set_synced_account (MilkStore   *self,
                               const char  *account,
                               GError     **error)
{
  g_return_val_if_fail (MILK_IS_STORE (self), FALSE);

  return _milk_store_set_local_state (self, "account", account, error);
}

