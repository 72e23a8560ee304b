/* milk-store-backup.c — a whole diary out and back in
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-store"

#include "config.h"

#include "milk-store-private.h"

/* Whether the diary holds anything a person entered (the default product
 * alone does not count). */
gboolean
milk_store_has_records (MilkStore *self)
{
  sqlite3_stmt *stmt = _milk_store_prepare (self,
      "SELECT EXISTS (SELECT 1 FROM entries WHERE deleted = 0)"
      "    OR EXISTS (SELECT 1 FROM payments WHERE deleted = 0)"
      "    OR EXISTS (SELECT 1 FROM prices WHERE deleted = 0)", NULL);
  gboolean any = FALSE;

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    any = sqlite3_column_int (stmt, 0) != 0;
  sqlite3_reset (stmt);
  return any;
}

/* A complete copy of the diary in a new file at path (which must not
 * exist), consistent even while the diary is open. */
gboolean
milk_store_save_copy (MilkStore   *self,
                      const char  *path,
                      GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (MILK_IS_STORE (self), FALSE);

  stmt = _milk_store_prepare (self, "VACUUM INTO ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, path, -1, SQLITE_TRANSIENT);
  return _milk_store_step_done (self, stmt, error);
}

/* Every record of the diary, tombstones included, and what it keeps for a
 * later version (*unreadable), read in one transaction: a consistent
 * picture even while another process writes. */
GPtrArray *
milk_store_list_all (MilkStore   *self,
                     GPtrArray  **unreadable,
                     GError     **error)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  g_autoptr(GPtrArray) kept = NULL;
  gboolean outer;

  g_return_val_if_fail (MILK_IS_STORE (self), NULL);

  outer = self->transaction_depth == 0;
  if (outer && !_milk_store_exec (self, "BEGIN", error))
    return NULL;
  for (MilkRecordType type = MILK_RECORD_PRODUCT; type <= MILK_RECORD_SETTING; type++)
    {
      g_autoptr(GPtrArray) records = _milk_store_list_records (self, type, "ORDER BY key", NULL, NULL, error);

      if (records == NULL)
        goto fail;
      g_ptr_array_extend_and_steal (all, g_steal_pointer (&records));
    }
  if (unreadable && (kept = milk_store_list_unreadable (self, error)) == NULL)
    goto fail;
  if (outer)
    _milk_store_exec (self, "COMMIT", NULL);
  if (unreadable)
    *unreadable = g_steal_pointer (&kept);
  return g_steal_pointer (&all);

fail:
  if (outer)
    _milk_store_exec (self, "ROLLBACK", NULL);
  return NULL;
}

/* The diary's records become @records, each as it was (its stamp, its
 * tombstone, what it keeps for later versions), all or nothing.
 *
 * For sync, a restored diary is an old copy coming back (DESIGN "Files get
 * copied and restored"): its records keep their stamps, so a version the
 * account holds that is newer than the backup's wins over it, and one the
 * account never saw (or lost) is sent to it. Everything restored is
 * pending, so nothing the backup holds is withheld (the service keeps
 * what it has when the same version comes again). The diary becomes a new
 * replica and pulls the account's history from the start, so that what
 * its own file sent after the backup comes back; its clock moves past
 * every restored stamp, so that an edit made after the restore wins. */
gboolean
milk_store_restore (MilkStore   *self,
                    GPtrArray   *records,
                    GPtrArray   *unreadable,
                    GError     **error)
{
  MilkHlcStamp last;
  guint64 node_id;

  g_return_val_if_fail (MILK_IS_STORE (self), FALSE);

  if (!_milk_store_begin (self, error))
    return FALSE;
  if (!_milk_store_exec_per_table (self, "DELETE FROM {table}", error) ||
      !_milk_store_exec (self, "DELETE FROM rejected", error) ||
      !_milk_store_exec (self, "DELETE FROM unreadable", error))
    goto fail;

  for (guint i = 0; i < records->len; i++)
    {
      const MilkRecord *record = g_ptr_array_index (records, i);
      g_autoptr(GError) local_error = NULL;
      gboolean untouched = g_strcmp0 (record->hlc, MILK_STORE_UNTOUCHED_HLC) == 0;
      MilkHlcStamp stamp;

      if (!milk_record_validate (record, error) || !milk_hlc_stamp_parse (record->hlc, &stamp, error))
        goto fail;
      if (!untouched && !milk_hlc_receive (self->hlc, &stamp, &local_error))
        g_warning ("A restored change has a far-future clock stamp: %s", local_error->message);
      if (!_milk_store_write_record (self, record, NULL, !untouched, error))
        goto fail;
    }
  if (unreadable != NULL && !milk_store_keep_unreadable (self, unreadable, error))
    goto fail;

  if (!_milk_store_new_replica_node (self, &node_id, error) ||
      !_milk_store_forget_sync_position (self, error))
    goto fail;
  milk_hlc_get_last (self->hlc, &last);
  milk_hlc_reset (self->hlc, node_id, &last);
  _milk_store_note_everything (self);
  return _milk_store_commit (self, error);

fail:
  _milk_store_rollback (self);
  return FALSE;
}
