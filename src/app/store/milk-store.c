/* milk-store.c — the local diary: SQLite cache of every record
 *
 * The core of MilkStore: the connection and its statements, transactions,
 * the one write path (stamping a local change, writing any version), and
 * ::changed. What the diary holds is read and written by concern in the
 * other milk-store-*.c files (milk-store-private.h lists them).
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "milk-store-private.h"

G_DEFINE_FINAL_TYPE (MilkStore, milk_store, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (MilkStoreChange, milk_store_change, milk_store_change_copy, milk_store_change_free)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_QUARK (milk-store-error-quark, milk_store_error)

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
milk_store_finalize (GObject *object)
{
  MilkStore *self = MILK_STORE (object);

  g_clear_pointer (&self->prepared.bill, milk_bill_free);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db)
    {
      sqlite3_close_v2 (self->db);
      self->db = NULL;
    }
  g_clear_pointer (&self->hlc, milk_hlc_free);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (milk_store_parent_class)->finalize (object);
}

static void
milk_store_class_init (MilkStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = milk_store_finalize;

  /**
   * MilkStore::changed:
   * @store: the diary
   * @change: (type MilkStoreChange): which records changed, and on which days
   *
   * Emitted once after a transaction that changed the diary has
   * committed, whether the change was local, came from another device or
   * was written by another process (MilkStoreMonitor). A write that
   * leaves every record as it was emits nothing.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE,
                                   1, MILK_TYPE_STORE_CHANGE | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
milk_store_init (MilkStore *self)
{
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            finalize_statement);
}

void
_milk_store_set_error (MilkStore  *self,
                       GError    **error)
{
  int code = sqlite3_extended_errcode (self->db);
  int primary = code & 0xff;

  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
    g_set_error (error, MILK_STORE_ERROR, MILK_STORE_ERROR_CORRUPT,
                 _("The diary file %s is damaged or is not a Milk Diary database (%s)"),
                 self->path, sqlite3_errmsg (self->db));
  else
    g_set_error (error, MILK_STORE_ERROR, MILK_STORE_ERROR_FAILED,
                 _("The diary could not be read or written: %s"), sqlite3_errmsg (self->db));
}

sqlite3 *
_milk_store_get_db (MilkStore *self)
{
  return self->db;
}

/* Statements are prepared once and kept; each use starts from a reset. */
sqlite3_stmt *
_milk_store_prepare (MilkStore   *self,
                     const char  *sql,
                     GError     **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      _milk_store_set_error (self, error);
      return NULL;
    }
  g_hash_table_insert (self->statements, g_strdup (sql), stmt);
  return stmt;
}

gboolean
_milk_store_exec (MilkStore   *self,
                  const char  *sql,
                  GError     **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      _milk_store_set_error (self, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
_milk_store_step_done (MilkStore     *self,
                       sqlite3_stmt  *stmt,
                       GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      _milk_store_set_error (self, error);
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

char *
_milk_store_dup_local_state (MilkStore  *self,
                             const char *name)
{
  sqlite3_stmt *stmt = _milk_store_prepare (self, "SELECT value FROM local_state WHERE name = ?", NULL);
  char *value = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return value;
}

gboolean
_milk_store_set_local_state (MilkStore   *self,
                             const char  *name,
                             const char  *value,
                             GError     **error)
{
  sqlite3_stmt *stmt = _milk_store_prepare (self,
      "INSERT OR REPLACE INTO local_state (name, value) VALUES (?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
  return _milk_store_step_done (self, stmt, error);
}

gboolean
_milk_store_begin (MilkStore  *self,
                   GError    **error)
{
  if (self->transaction_depth++ > 0)
    return TRUE;
  self->change = (MilkStoreChange) { 0, MILK_DAY_INVALID, MILK_DAY_INVALID };
  if (!_milk_store_exec (self, "BEGIN IMMEDIATE", error))
    {
      self->transaction_depth--;
      return FALSE;
    }
  return TRUE;
}

/* The last clock stamp is saved with each transaction, so that the clock
 * never goes back across a restart even if the wall clock does. ::changed
 * follows a transaction that noted a change, once, with all it noted. */
gboolean
_milk_store_commit (MilkStore  *self,
                    GError    **error)
{
  MilkHlcStamp last;
  MilkStoreChange change;
  char text[MILK_HLC_STRING_LEN + 1];

  g_assert (self->transaction_depth > 0);
  if (--self->transaction_depth > 0)
    return TRUE;

  change = self->change;
  self->change = (MilkStoreChange) { 0, MILK_DAY_INVALID, MILK_DAY_INVALID };
  milk_hlc_get_last (self->hlc, &last);
  milk_hlc_stamp_format (&last, text);
  if (!_milk_store_set_local_state (self, "hlc", text, error) ||
      !_milk_store_exec (self, "COMMIT", error))
    {
      _milk_store_exec (self, "ROLLBACK", NULL);
      return FALSE;
    }
  if (change.what != 0)
    _milk_store_emit_changed (self, &change);
  return TRUE;
}

void
_milk_store_rollback (MilkStore *self)
{
  g_assert (self->transaction_depth > 0);
  if (--self->transaction_depth == 0)
    {
      self->change = (MilkStoreChange) { 0, MILK_DAY_INVALID, MILK_DAY_INVALID };
      _milk_store_exec (self, "ROLLBACK", NULL);
    }
}

/* Changes ------------------------------------------------------------------ */

#define DATED (MILK_STORE_CHANGE_ENTRIES | MILK_STORE_CHANGE_PRICES | MILK_STORE_CHANGE_PAYMENTS)

MilkStoreChange *
milk_store_change_copy (const MilkStoreChange *change)
{
  return g_memdup2 (change, sizeof *change);
}

void
milk_store_change_free (MilkStoreChange *change)
{
  g_free (change);
}

/**
 * milk_store_change_touches:
 * @change: what ::changed told
 * @what: the kinds of record that matter to the caller
 * @first: the first day that matters
 * @last: the last day that matters
 *
 * Whether @change could alter what the caller shows of @what between
 * @first and @last. Products, settings and the sync journal have no day:
 * any change of them touches every day.
 */
gboolean
milk_store_change_touches (const MilkStoreChange *change,
                           MilkStoreChangeFlags   what,
                           MilkDay                first,
                           MilkDay                last)
{
  g_return_val_if_fail (change != NULL, TRUE);

  if ((change->what & what & ~DATED) != 0)
    return TRUE;
  if ((change->what & what & DATED) == 0)
    return FALSE;
  return change->first <= last && change->last >= first;
}

/* Called by each write, inside the transaction, for what it really
 * changed; the commit tells it. */
void
_milk_store_note_change (MilkStore            *self,
                         MilkStoreChangeFlags  what,
                         MilkDay               first,
                         MilkDay               last)
{
  g_assert (self->transaction_depth > 0);

  self->change.what |= what;
  if ((what & DATED) == 0)
    return;
  if (self->change.first == MILK_DAY_INVALID || first < self->change.first)
    self->change.first = first;
  if (self->change.last == MILK_DAY_INVALID || last > self->change.last)
    self->change.last = last;
}

/* A record's version written: its kind, and the days it can alter (a
 * price or a payment weighs on every later day's bill and balance). */
void
_milk_store_note_record (MilkStore        *self,
                         const MilkRecord *record)
{
  static const MilkStoreChangeFlags kinds[] = {
    [MILK_RECORD_PRODUCT] = MILK_STORE_CHANGE_PRODUCTS,
    [MILK_RECORD_ENTRY] = MILK_STORE_CHANGE_ENTRIES,
    [MILK_RECORD_PRICE] = MILK_STORE_CHANGE_PRICES,
    [MILK_RECORD_PAYMENT] = MILK_STORE_CHANGE_PAYMENTS,
    [MILK_RECORD_SETTING] = MILK_STORE_CHANGE_SETTINGS,
  };
  MilkDay first = milk_day_is_valid (record->day) ? record->day : 1;

  switch (record->type)
    {
    case MILK_RECORD_ENTRY:
      _milk_store_note_change (self, kinds[record->type], first, first);
      break;
    case MILK_RECORD_PRICE:
    case MILK_RECORD_PAYMENT:
      _milk_store_note_change (self, kinds[record->type], first, MILK_STORE_CHANGE_LAST_DAY);
      break;
    default:
      _milk_store_note_change (self, kinds[record->type], MILK_DAY_INVALID, MILK_DAY_INVALID);
      break;
    }
}

/* After a statement that may have changed no row (an UPDATE that matched
 * none, a DELETE of what was not there). */
void
_milk_store_note_rows_changed (MilkStore            *self,
                               MilkStoreChangeFlags  what)
{
  if (sqlite3_changes (self->db) > 0)
    _milk_store_note_change (self, what, MILK_DAY_INVALID, MILK_DAY_INVALID);
}

/* Every day: what changed is not known, or is all of the diary. */
void
_milk_store_note_everything (MilkStore *self)
{
  _milk_store_note_change (self, MILK_STORE_CHANGE_ALL, 1, MILK_STORE_CHANGE_LAST_DAY);
}

void
_milk_store_emit_changed (MilkStore             *self,
                          const MilkStoreChange *change)
{
  g_signal_emit (self, signals[CHANGED], 0, change);
}


const char *
milk_store_get_path (MilkStore *self)
{
  return self->path;
}

/* Names the diary (the keyring's key for its sign-in); never changes. */
const char *
milk_store_get_node (MilkStore *self)
{
  return self->node;
}

/* The node of the diary's clock stamps and sync requests: the diary's own
 * node until it becomes a new replica (recover_from_future_clock). */
const char *
milk_store_get_replica_node (MilkStore *self)
{
  return self->replica;
}

/* Rows and records */


MilkRecord *
_milk_store_get_any (MilkStore       *self,
                     MilkRecordType   type,
                     const char      *key,
                     GError         **error)
{
  g_autofree char *sql = _milk_store_select_sql (type, "WHERE key = ?");
  sqlite3_stmt *stmt = _milk_store_prepare (self, sql, error);
  MilkRecord *record = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    record = _milk_store_read_record (type, stmt);
  else if (rc != SQLITE_DONE)
    _milk_store_set_error (self, error);
  sqlite3_reset (stmt);
  return record;
}

/* Whether two versions of a record hold the same, stamps aside. */
gboolean
_milk_store_same_data (const MilkRecord *a,
                       const MilkRecord *b)
{
  g_autoptr(MilkRecord) copy = NULL;

  if (a == NULL || b == NULL)
    return a == b;
  if (a->type != b->type || a->deleted != b->deleted)
    return FALSE;
  copy = milk_record_copy (a);
  g_free (copy->hlc);
  copy->hlc = g_strdup (b->hlc);
  return milk_record_equal (copy, b);
}

/* The one place a version of a record is written. @previous is the
 * version it replaces, when the caller has read it: a new stamp on the
 * same data changes nothing a view shows, only the sync journal. */
gboolean
_milk_store_write_record (MilkStore         *self,
                          const MilkRecord  *record,
                          const MilkRecord  *previous,
                          gboolean           pending,
                          GError           **error)
{
  g_autofree char *sql = _milk_store_insert_sql (record->type);
  sqlite3_stmt *stmt = _milk_store_prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  _milk_store_bind_record (stmt, record, pending);
  if (!_milk_store_step_done (self, stmt, error))
    return FALSE;
  if (previous == NULL || !_milk_store_same_data (previous, record))
    _milk_store_note_record (self, record);
  /* Written pending, or over a version that may have been. */
  if (pending || previous != NULL)
    _milk_store_note_change (self, MILK_STORE_CHANGE_SYNC, MILK_DAY_INVALID, MILK_DAY_INVALID);
  return TRUE;
}

/* The person has edited the record again: what replaced their earlier
 * change is no longer news. */
static gboolean
forget_superseded (MilkStore         *self,
                   const MilkRecord  *record,
                   const char        *key,
                   GError           **error)
{
  sqlite3_stmt *stmt = _milk_store_prepare (self, "DELETE FROM rejected WHERE type = ? AND key = ? AND lost IS NOT NULL",
                                            error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, milk_record_type_to_string (record->type), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, key, -1, SQLITE_TRANSIENT);
  return _milk_store_step_done (self, stmt, error);
}

/* A local write stamps above the version it replaces, even one from a
 * device whose clock runs ahead of this one: otherwise the edit, though
 * shown here, would lose to the older version everywhere else. A write
 * of what the diary already holds is no edit: nothing is stamped, sent or
 * told, and @record gets the stored version's stamp. */
static gboolean
put_one (MilkStore   *self,
         MilkRecord  *record,
         GError     **error)
{
  g_autofree char *key = milk_record_dup_key (record);
  g_autoptr(MilkRecord) replaced = NULL;
  g_autoptr(GError) local_error = NULL;
  MilkHlcStamp stamp, before;
  char text[MILK_HLC_STRING_LEN + 1];

  replaced = _milk_store_get_any (self, record->type, key, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  /* What a newer version wrote that this one does not know stays, unless
   * the caller brought its own (an edit of a record read from here). */
  if (replaced != NULL && record->extra == NULL && replaced->extra != NULL)
    record->extra = json_object_ref (replaced->extra);
  if (replaced != NULL && milk_hlc_stamp_parse (replaced->hlc, &before, NULL))
    milk_hlc_now_above (self->hlc, &before, &stamp);
  else
    milk_hlc_now (self->hlc, &stamp);
  milk_hlc_stamp_format (&stamp, text);
  g_free (record->hlc);
  record->hlc = g_strdup (text);

  if (!milk_record_validate (record, error))
    {
      g_clear_pointer (&record->hlc, g_free);
      return FALSE;
    }
  if (replaced != NULL && _milk_store_same_data (replaced, record))
    {
      g_free (record->hlc);
      record->hlc = g_strdup (replaced->hlc);
      return TRUE;
    }
  return _milk_store_write_record (self, record, replaced, TRUE, error) &&
         forget_superseded (self, record, key, error);
}

/* The one way a local change enters the diary. */
gboolean
milk_store_put (MilkStore   *self,
                MilkRecord  *record,
                GError     **error)
{
  g_return_val_if_fail (MILK_IS_STORE (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  if (!_milk_store_begin (self, error))
    return FALSE;
  if (!put_one (self, record, error))
    {
      _milk_store_rollback (self);
      return FALSE;
    }
  return _milk_store_commit (self, error);
}

/**
 * milk_store_set_progress_func:
 * @func: (nullable): called with the records written so far and the
 *   records to write, every %PROGRESS_STEP records and once at the end
 *
 * For a diary opened to import a large file in a thread of its own: the
 * window shows how far the write has come.
 */
void
milk_store_set_progress_func (MilkStore            *self,
                              MilkStoreProgressFunc func,
                              gpointer              user_data)
{
  g_return_if_fail (MILK_IS_STORE (self));

  self->progress = func;
  self->progress_data = user_data;
}

#define PROGRESS_STEP 500

/* All or nothing: one bad record leaves the diary as it was. */
gboolean
milk_store_put_many (MilkStore   *self,
                     GPtrArray   *records,
                     GError     **error)
{
  g_return_val_if_fail (MILK_IS_STORE (self), FALSE);

  if (!_milk_store_begin (self, error))
    return FALSE;
  for (guint i = 0; i < records->len; i++)
    {
      if (!put_one (self, g_ptr_array_index (records, i), error))
        {
          _milk_store_rollback (self);
          return FALSE;
        }
      if (self->progress != NULL && (i + 1) % PROGRESS_STEP == 0)
        self->progress (i + 1, records->len, self->progress_data);
    }
  if (!_milk_store_commit (self, error))
    return FALSE;
  if (self->progress != NULL)
    self->progress (records->len, records->len, self->progress_data);
  return TRUE;
}

/* NULL with no error when nothing (or only a tombstone) is there. */
MilkRecord *
milk_store_get (MilkStore       *self,
                MilkRecordType   type,
                const char      *key,
                GError         **error)
{
  g_autoptr(MilkRecord) record = NULL;

  g_return_val_if_fail (MILK_IS_STORE (self), NULL);

  record = _milk_store_get_any (self, type, key, error);
  if (record != NULL && record->deleted)
    return NULL;
  return g_steal_pointer (&record);
}

GPtrArray *
_milk_store_list_records (MilkStore       *self,
                          MilkRecordType   type,
                          const char      *where,
                          const char      *first,
                          const char      *last,
                          GError         **error)
{
  g_autofree char *sql = _milk_store_select_sql (type, where);
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  sqlite3_stmt *stmt = _milk_store_prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  if (first)
    sqlite3_bind_text (stmt, 1, first, -1, SQLITE_TRANSIENT);
  if (last)
    sqlite3_bind_text (stmt, 2, last, -1, SQLITE_TRANSIENT);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      MilkRecord *record = _milk_store_read_record (type, stmt);

      if (record)
        g_ptr_array_add (records, record);
    }
  if (rc != SQLITE_DONE)
    {
      _milk_store_set_error (self, error);
      sqlite3_reset (stmt);
      return NULL;
    }
  sqlite3_reset (stmt);
  return g_steal_pointer (&records);
}

gboolean
_milk_store_delete_record (MilkStore       *self,
                           MilkRecordType   type,
                           const char      *key,
                           GError         **error)
{
  g_autoptr(MilkRecord) record = milk_record_new (type);

  if (!milk_record_set_key (record, key, error))
    return FALSE;
  record->deleted = TRUE;
  return milk_store_put (self, record, error);
}
/* Runs a statement on each record type's table, named "{table}" in it. */
gboolean
_milk_store_exec_per_table (MilkStore   *self,
                            const char  *statement,
                            GError     **error)
{
  for (MilkRecordType type = MILK_RECORD_PRODUCT; type <= MILK_RECORD_SETTING; type++)
    {
      g_autoptr(GString) sql = g_string_new (statement);

      g_string_replace (sql, "{table}", _milk_store_table_name (type), 0);
      if (!_milk_store_exec (self, sql->str, error))
        return FALSE;
    }
  return TRUE;
}
