/* milk-store-open.c — opening a diary: its format, its identity and its clock
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "milk-store-private.h"

static gboolean
migrate (MilkStore  *self,
         int         from,
         GError    **error)
{
  for (int version = from; version < MILK_STORE_SCHEMA_VERSION; version++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", version + 1);

      if (!_milk_store_exec (self, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (!_milk_store_exec (self, _milk_store_migration (version), error) ||
          !_milk_store_exec (self, bump, error) ||
          !_milk_store_exec (self, "COMMIT", error))
        {
          g_prefix_error (error, _("Updating the diary to version %d failed: "), version + 1);
          _milk_store_exec (self, "ROLLBACK", NULL);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
read_user_version (MilkStore  *self,
                   int        *version,
                   GError    **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK)
    {
      _milk_store_set_error (self, error);
      return FALSE;
    }
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _milk_store_set_error (self, error);
      sqlite3_finalize (stmt);
      return FALSE;
    }
  *version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return TRUE;
}

/* The product every install starts with speaks the person's language until
 * someone edits it; untouched, it is never synced, so each device may show
 * it in its own language. */
static gboolean
translate_default_product (MilkStore  *self,
                           GError    **error)
{
  sqlite3_stmt *stmt = _milk_store_prepare (self,
      "UPDATE products SET name = ? WHERE key = '" MILK_DEFAULT_PRODUCT_ID "'"
      " AND hlc = '0000000000000-0000-0000000000000000' AND name != ?", error);
  /* TRANSLATORS: the name of the product a new diary starts with */
  const char *name = _("Milk");

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_TRANSIENT);
  return _milk_store_step_done (self, stmt, error);
}
/* A new node id for this diary's stamps and sync requests, kept in the
 * local state "replica"; the diary's own "node" (the keyring's key for its
 * sign-in) stays. */
gboolean
_milk_store_new_replica_node (MilkStore  *self,
                              guint64    *node_id,
                              GError    **error)
{
  *node_id = ((guint64) g_random_int () << 32) | g_random_int ();
  g_snprintf (self->replica, sizeof self->replica, "%016" G_GINT64_MODIFIER "x", *node_id);
  return _milk_store_set_local_state (self, "replica", self->replica, error);
}

/* A clock that once ran far ahead must not lock the device out.
 *
 * The last stamp issued is saved and restored, so that the clock never
 * goes back. If the device's clock was days ahead when it stamped, that
 * saved stamp is days ahead too: every later stamp would be greater still,
 * the service refuses any stamp more than MILK_HLC_MAX_DRIFT_MS ahead of
 * its own clock (clock_drift), and rejected changes are not sent again. So
 * when the saved stamp is that far ahead of @reference_ms (the corrected
 * clock), the diary becomes a new replica:
 *
 * - A new node id. Stamps stay unique (invariants 1 and 2 need a stamp to
 *   name one version): the old node has issued stamps up to days ahead,
 *   which a clock restarted lower would, in time, issue again with other
 *   data. The diary keeps its own identity (the "node" the keyring knows).
 * - The clock restarts from the greatest stamp in the diary that is not
 *   itself far ahead, or the corrected clock if that is later: every
 *   version this device holds from others, or sent itself with a sane
 *   clock, still sorts before what it stamps next (the merge rule then
 *   lets its later edits win, as they should). Its own far-future versions
 *   stay greater; an edit of one of those keys is stamped above it by
 *   milk_hlc_now_above, and re-stamped by the step below like any other.
 *   A version that one of them replaced is no longer in the diary; the
 *   corrected clock is past it unless it was itself stamped ahead of the
 *   service (by less than the day the service allows): only then can the
 *   re-stamped edit lose to what it replaced.
 * - This device's own changes stamped far ahead (pending, or refused by the
 *   service as clock_drift and not edited since) could never be accepted.
 *   They are this device's unsent edits, so they are stamped again now,
 *   as new local writes with the same data, and marked pending: they are
 *   then above every sane version they replaced, and are sent next time
 *   (invariant 5: refused for the clock, not dropped). If a request
 *   carrying the old stamp is in flight, its answer no longer matches the
 *   stored stamp, so the record stays pending (invariant 4). Versions
 *   received from the service are never that far ahead of a sane clock
 *   (the service refuses them) and are left as they are.
 */
gboolean
_milk_store_recover_from_future_clock (MilkStore  *self,
                                       gint64      reference_ms,
                                       GError    **error)
{
  MilkHlcStamp last, floor, bound;
  char bound_text[MILK_HLC_STRING_LEN + 1];
  guint64 node_id;
  guint restamped = 0;

  milk_hlc_get_last (self->hlc, &last);
  if (last.wall_ms <= reference_ms + MILK_HLC_MAX_DRIFT_MS)
    return TRUE;

  bound = (MilkHlcStamp) { reference_ms + MILK_HLC_MAX_DRIFT_MS, 0xffff, G_MAXUINT64 };
  milk_hlc_stamp_format (&bound, bound_text);
  floor = (MilkHlcStamp) { MAX (reference_ms, 0), 0, 0 };

  if (!_milk_store_begin (self, error))
    return FALSE;

  for (MilkRecordType type = MILK_RECORD_PRODUCT; type <= MILK_RECORD_SETTING; type++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT max(hlc) FROM %s WHERE hlc <= ?", _milk_store_table_name (type));
      sqlite3_stmt *stmt = _milk_store_prepare (self, sql, error);
      MilkHlcStamp stamp;

      if (stmt == NULL)
        goto fail;
      sqlite3_bind_text (stmt, 1, bound_text, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL &&
          milk_hlc_stamp_parse (_milk_store_column_text (stmt, 0), &stamp, NULL) &&
          milk_hlc_stamp_compare (&stamp, &floor) > 0)
        floor = stamp;
      sqlite3_reset (stmt);
    }

  if (!_milk_store_new_replica_node (self, &node_id, error))
    goto fail;
  milk_hlc_reset (self->hlc, node_id, &floor);

  for (MilkRecordType type = MILK_RECORD_PRODUCT; type <= MILK_RECORD_SETTING; type++)
    {
      g_autofree char *where = g_strdup_printf (
          "WHERE hlc > ?1 AND (pending OR EXISTS (SELECT 1 FROM rejected r WHERE r.type = '%s'"
          " AND r.key = %s.key AND r.hlc = %s.hlc AND r.code = 'clock_drift'))",
          milk_record_type_to_string (type), _milk_store_table_name (type), _milk_store_table_name (type));
      g_autoptr(GPtrArray) records = _milk_store_list_records (self, type, where, bound_text, NULL, error);

      if (records == NULL)
        goto fail;
      for (guint i = 0; i < records->len; i++)
        {
          MilkRecord *record = g_ptr_array_index (records, i);
          MilkHlcStamp stamp;
          char text[MILK_HLC_STRING_LEN + 1];

          milk_hlc_now (self->hlc, &stamp);
          milk_hlc_stamp_format (&stamp, text);
          g_free (record->hlc);
          record->hlc = g_strdup (text);
          /* The same data under a new stamp: only the journal changes. */
          if (!_milk_store_write_record (self, record, record, TRUE, error))
            goto fail;
          restamped++;
        }
    }
  if (!_milk_store_exec (self, "DELETE FROM rejected WHERE code = 'clock_drift'", error))
    goto fail;
  _milk_store_note_rows_changed (self, MILK_STORE_CHANGE_SYNC);

  g_message ("The saved clock was %" G_GINT64_FORMAT " s ahead; this diary is now replica %s "
             "and stamped %u changes again", (last.wall_ms - reference_ms) / 1000, self->replica, restamped);
  return _milk_store_commit (self, error);

fail:
  _milk_store_rollback (self);
  return FALSE;
}

/* The diary file is recognised by its inode. A copy of it (to another
 * computer, or made in place of another diary), or a file restored from a
 * backup, is another file: it becomes a new replica before it stamps
 * anything, so that two files never stamp as one node (they could mint
 * the same stamp for different data), and it pulls everything afresh. The
 * service recognises the copies this misses (a file overwritten in place
 * keeps its inode) by their instance token. The device number is left
 * out: on some file systems (btrfs) it changes between boots. */
static gboolean
check_file_identity (MilkStore  *self,
                     guint64    *node_id,
                     GError    **error)
{
  g_autofree char *saved = _milk_store_dup_local_state (self, "file");
  g_autofree char *current = NULL;
  GStatBuf st;

  if (g_stat (self->path, &st) != 0)
    return TRUE;
  current = g_strdup_printf ("%" G_GUINT64_FORMAT, (guint64) st.st_ino);
  if (g_strcmp0 (saved, current) == 0)
    return TRUE;
  if (saved != NULL)
    {
      if (!_milk_store_new_replica_node (self, node_id, error) ||
          !_milk_store_exec (self, "DELETE FROM local_state WHERE name IN ('cursor', 'instance')", error))
        return FALSE;
      g_message ("This diary is a copy of another file, or restored from one; it is now replica %s",
                 self->replica);
    }
  return _milk_store_set_local_state (self, "file", current, error);
}

static gboolean
setup_clock (MilkStore      *self,
             MilkClockFunc   clock,
             gpointer        clock_data,
             GError        **error)
{
  g_autofree char *node = _milk_store_dup_local_state (self, "node");
  g_autofree char *last = _milk_store_dup_local_state (self, "hlc");
  g_autofree char *offset = _milk_store_dup_local_state (self, "clock_offset");
  g_autofree char *replica = _milk_store_dup_local_state (self, "replica");
  guint64 node_id, replica_id;
  gint64 offset_ms, local_ms;
  MilkHlcStamp stamp;

  if (node == NULL || !milk_hlc_node_parse (node, &node_id))
    {
      /* 64 random bits name this device in every clock stamp it makes. */
      node_id = ((guint64) g_random_int () << 32) | g_random_int ();
      g_free (node);
      node = g_strdup_printf ("%016" G_GINT64_MODIFIER "x", node_id);
      if (!_milk_store_set_local_state (self, "node", node, error))
        return FALSE;
    }
  g_strlcpy (self->node, node, sizeof self->node);

  /* A diary that became a new replica stamps with that one's node. */
  if (replica != NULL && milk_hlc_node_parse (replica, &replica_id))
    node_id = replica_id;
  g_snprintf (self->replica, sizeof self->replica, "%016" G_GINT64_MODIFIER "x", node_id);
  if (!check_file_identity (self, &node_id, error))
    return FALSE;

  milk_hlc_free (self->hlc);
  self->hlc = milk_hlc_new (node_id, clock, clock_data);
  if (offset != NULL && g_ascii_string_to_signed (offset, 10, G_MININT64, G_MAXINT64, &offset_ms, NULL))
    milk_hlc_set_offset (self->hlc, offset_ms);
  if (last != NULL && milk_hlc_stamp_parse (last, &stamp, NULL))
    milk_hlc_restore (self->hlc, &stamp);

  /* The offset saved may be stale: the device's clock may have been set
   * right since it was measured. Only when both readings, raw and
   * corrected, put the saved stamp past the service's limit is it surely
   * far ahead; otherwise the next answer from the service, which measures
   * the offset afresh, decides (milk_store_set_service_time). */
  local_ms = milk_hlc_get_local_time (self->hlc);
  return _milk_store_recover_from_future_clock (self, MAX (local_ms, local_ms + milk_hlc_get_offset (self->hlc)), error);
}

MilkStore *
_milk_store_new_with_clock (const char     *path,
                            MilkClockFunc   clock,
                            gpointer        clock_data,
                            GError        **error)
{
  g_autoptr(MilkStore) self = g_object_new (MILK_TYPE_STORE, NULL);
  int version = 0;

  self->path = g_strdup (path);
  if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK)
    {
      g_set_error (error, MILK_STORE_ERROR, MILK_STORE_ERROR_OPEN,
                   _("The diary %s could not be opened: %s"), path,
                   self->db ? sqlite3_errmsg (self->db) : "out of memory");
      return NULL;
    }
  sqlite3_busy_timeout (self->db, 5000);
  sqlite3_extended_result_codes (self->db, 1);

  /* Read the version before anything writes: a damaged file or one from a
   * newer Milk Diary is left exactly as it was found. */
  if (!read_user_version (self, &version, error))
    return NULL;
  if (version > MILK_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, MILK_STORE_ERROR, MILK_STORE_ERROR_TOO_NEW,
                   _("The diary %s was written by a newer Milk Diary (format %d; this version knows up to %d). "
                     "Update Milk Diary to open it."),
                   path, version, MILK_STORE_SCHEMA_VERSION);
      return NULL;
    }

  if (!_milk_store_exec (self, "PRAGMA journal_mode = WAL", error) ||
      !_milk_store_exec (self, "PRAGMA synchronous = NORMAL", error) ||
      !_milk_store_exec (self, "PRAGMA foreign_keys = ON", error) ||
      !migrate (self, version, error) ||
      !_milk_store_exec (self, _milk_store_indexes (), error) ||
      !setup_clock (self, clock, clock_data, error) ||
      !translate_default_product (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

MilkStore *
milk_store_new (const char  *path,
                GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);

  return _milk_store_new_with_clock (path, NULL, NULL, error);
}
