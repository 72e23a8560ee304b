/* milk-store.c — the local diary: SQLite cache of every record
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-store"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "milk-store-private.h"

struct _MilkStore
{
  GObject parent_instance;

  char *path;
  sqlite3 *db;
  GHashTable *statements; /* sql → sqlite3_stmt */
  MilkHlc *hlc;
  char node[17];      /* the diary's identity (the keyring's key): never changes */
  char replica[17];   /* the node of its clock stamps and sync requests */
  guint transaction_depth;
};

G_DEFINE_FINAL_TYPE (MilkStore, milk_store, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_QUARK (milk-store-error-quark, milk_store_error)

typedef struct
{
  const char *table;
  const char *data_columns;
  guint n_data;
} TableInfo;

static const TableInfo tables[] = {
  [MILK_RECORD_PRODUCT] = { "products", "name, unit, default_qty_ml, position, archived, weekday_qty", 6 },
  [MILK_RECORD_ENTRY] = { "entries", "product, day, qty_ml, price_override, note", 5 },
  [MILK_RECORD_PRICE] = { "prices", "product, day, price_per_l", 3 },
  [MILK_RECORD_PAYMENT] = { "payments", "day, amount, note", 3 },
  [MILK_RECORD_SETTING] = { "settings", "value", 1 },
};

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
milk_store_finalize (GObject *object)
{
  MilkStore *self = MILK_STORE (object);

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
   *
   * Emitted after a transaction that changed the diary has committed,
   * whether the change was local or came from another device.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
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

static char *
dup_local_state (MilkStore  *self,
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

static gboolean
set_local_state (MilkStore   *self,
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

static gboolean
begin (MilkStore  *self,
       GError    **error)
{
  if (self->transaction_depth++ > 0)
    return TRUE;
  if (!_milk_store_exec (self, "BEGIN IMMEDIATE", error))
    {
      self->transaction_depth--;
      return FALSE;
    }
  return TRUE;
}

/* The last clock stamp is saved with each transaction, so that the clock
 * never goes back across a restart even if the wall clock does. */
static gboolean
commit (MilkStore  *self,
        GError    **error)
{
  MilkHlcStamp last;
  char text[MILK_HLC_STRING_LEN + 1];

  g_assert (self->transaction_depth > 0);
  if (--self->transaction_depth > 0)
    return TRUE;

  milk_hlc_get_last (self->hlc, &last);
  milk_hlc_stamp_format (&last, text);
  if (!set_local_state (self, "hlc", text, error) ||
      !_milk_store_exec (self, "COMMIT", error))
    {
      _milk_store_exec (self, "ROLLBACK", NULL);
      return FALSE;
    }
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

static void
rollback (MilkStore *self)
{
  g_assert (self->transaction_depth > 0);
  if (--self->transaction_depth == 0)
    _milk_store_exec (self, "ROLLBACK", NULL);
}

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

static const char *column_text (sqlite3_stmt *stmt, int column);
static gboolean write_record (MilkStore *self, const MilkRecord *record, gboolean pending, GError **error);
static GPtrArray *list_records (MilkStore *self, MilkRecordType type, const char *where,
                                const char *first, const char *last, GError **error);

/* A new node id for this diary's stamps and sync requests, kept in the
 * local state "replica"; the diary's own "node" (the keyring's key for its
 * sign-in) stays. */
static gboolean
new_replica_node (MilkStore  *self,
                  guint64    *node_id,
                  GError    **error)
{
  *node_id = ((guint64) g_random_int () << 32) | g_random_int ();
  g_snprintf (self->replica, sizeof self->replica, "%016" G_GINT64_MODIFIER "x", *node_id);
  return set_local_state (self, "replica", self->replica, error);
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
static gboolean
recover_from_future_clock (MilkStore  *self,
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

  if (!begin (self, error))
    return FALSE;

  for (MilkRecordType type = MILK_RECORD_PRODUCT; type <= MILK_RECORD_SETTING; type++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT max(hlc) FROM %s WHERE hlc <= ?", tables[type].table);
      sqlite3_stmt *stmt = _milk_store_prepare (self, sql, error);
      MilkHlcStamp stamp;

      if (stmt == NULL)
        goto fail;
      sqlite3_bind_text (stmt, 1, bound_text, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL &&
          milk_hlc_stamp_parse (column_text (stmt, 0), &stamp, NULL) &&
          milk_hlc_stamp_compare (&stamp, &floor) > 0)
        floor = stamp;
      sqlite3_reset (stmt);
    }

  if (!new_replica_node (self, &node_id, error))
    goto fail;
  milk_hlc_reset (self->hlc, node_id, &floor);

  for (MilkRecordType type = MILK_RECORD_PRODUCT; type <= MILK_RECORD_SETTING; type++)
    {
      g_autofree char *where = g_strdup_printf (
          "WHERE hlc > ?1 AND (pending OR EXISTS (SELECT 1 FROM rejected r WHERE r.type = '%s'"
          " AND r.key = %s.key AND r.hlc = %s.hlc AND r.code = 'clock_drift'))",
          milk_record_type_to_string (type), tables[type].table, tables[type].table);
      g_autoptr(GPtrArray) records = list_records (self, type, where, bound_text, NULL, error);

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
          if (!write_record (self, record, TRUE, error))
            goto fail;
          restamped++;
        }
    }
  if (!_milk_store_exec (self, "DELETE FROM rejected WHERE code = 'clock_drift'", error))
    goto fail;

  g_message ("The saved clock was %" G_GINT64_FORMAT " s ahead; this diary is now replica %s "
             "and stamped %u changes again", (last.wall_ms - reference_ms) / 1000, self->replica, restamped);
  return commit (self, error);

fail:
  rollback (self);
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
  g_autofree char *saved = dup_local_state (self, "file");
  g_autofree char *current = NULL;
  GStatBuf st;

  if (g_stat (self->path, &st) != 0)
    return TRUE;
  current = g_strdup_printf ("%" G_GUINT64_FORMAT, (guint64) st.st_ino);
  if (g_strcmp0 (saved, current) == 0)
    return TRUE;
  if (saved != NULL)
    {
      if (!new_replica_node (self, node_id, error) ||
          !_milk_store_exec (self, "DELETE FROM local_state WHERE name IN ('cursor', 'instance')", error))
        return FALSE;
      g_message ("This diary is a copy of another file, or restored from one; it is now replica %s",
                 self->replica);
    }
  return set_local_state (self, "file", current, error);
}

static gboolean
setup_clock (MilkStore      *self,
             MilkClockFunc   clock,
             gpointer        clock_data,
             GError        **error)
{
  g_autofree char *node = dup_local_state (self, "node");
  g_autofree char *last = dup_local_state (self, "hlc");
  g_autofree char *offset = dup_local_state (self, "clock_offset");
  g_autofree char *replica = dup_local_state (self, "replica");
  guint64 node_id, replica_id;
  gint64 offset_ms, local_ms;
  MilkHlcStamp stamp;

  if (node == NULL || !milk_hlc_node_parse (node, &node_id))
    {
      /* 64 random bits name this device in every clock stamp it makes. */
      node_id = ((guint64) g_random_int () << 32) | g_random_int ();
      g_free (node);
      node = g_strdup_printf ("%016" G_GINT64_MODIFIER "x", node_id);
      if (!set_local_state (self, "node", node, error))
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
  return recover_from_future_clock (self, MAX (local_ms, local_ms + milk_hlc_get_offset (self->hlc)), error);
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

static void
bind_text_or_empty (sqlite3_stmt *stmt,
                    int           column,
                    const char   *text)
{
  sqlite3_bind_text (stmt, column, text ? text : "", -1, SQLITE_TRANSIENT);
}

static void
bind_record (sqlite3_stmt     *stmt,
             const MilkRecord *record,
             gboolean          pending)
{
  g_autofree char *key = milk_record_dup_key (record);
  char day[11];
  int col = 1;

  milk_day_format_iso (record->day, day);
  sqlite3_bind_text (stmt, col++, key, -1, SQLITE_TRANSIENT);

  switch (record->type)
    {
    case MILK_RECORD_PRODUCT:
      bind_text_or_empty (stmt, col++, record->name);
      bind_text_or_empty (stmt, col++, record->unit ? record->unit : "L");
      sqlite3_bind_int64 (stmt, col++, record->default_qty_ml);
      sqlite3_bind_int64 (stmt, col++, record->position);
      sqlite3_bind_int (stmt, col++, record->archived);
      if (record->has_weekday_qty)
        {
          g_autofree char *pattern = g_strdup_printf ("%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT
                                                      ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT
                                                      ",%" G_GINT64_FORMAT,
                                                      record->weekday_qty_ml[0], record->weekday_qty_ml[1],
                                                      record->weekday_qty_ml[2], record->weekday_qty_ml[3],
                                                      record->weekday_qty_ml[4], record->weekday_qty_ml[5],
                                                      record->weekday_qty_ml[6]);
          sqlite3_bind_text (stmt, col++, pattern, -1, SQLITE_TRANSIENT);
        }
      else
        sqlite3_bind_text (stmt, col++, "", -1, SQLITE_STATIC);
      break;

    case MILK_RECORD_ENTRY:
      sqlite3_bind_text (stmt, col++, record->id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, col++, day, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, col++, record->qty_ml);
      if (record->price_override == MILK_NO_PRICE)
        sqlite3_bind_null (stmt, col++);
      else
        sqlite3_bind_int64 (stmt, col++, record->price_override);
      bind_text_or_empty (stmt, col++, record->note);
      break;

    case MILK_RECORD_PRICE:
      sqlite3_bind_text (stmt, col++, record->id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, col++, day, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, col++, record->price_per_l);
      break;

    case MILK_RECORD_PAYMENT:
      sqlite3_bind_text (stmt, col++, day, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, col++, record->amount);
      bind_text_or_empty (stmt, col++, record->note);
      break;

    case MILK_RECORD_SETTING:
      bind_text_or_empty (stmt, col++, record->value);
      break;

    default:
      g_assert_not_reached ();
    }

  sqlite3_bind_text (stmt, col++, record->hlc, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, col++, record->deleted);
  sqlite3_bind_int (stmt, col++, pending);
  {
    char *stored = milk_record_dup_stored_text (record);

    if (stored != NULL)
      sqlite3_bind_text (stmt, col++, stored, -1, g_free);
    else
      sqlite3_bind_null (stmt, col++);
  }
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return text ? text : "";
}

static void
read_weekday_pattern (MilkRecord *record,
                      const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", 0);

  record->has_weekday_qty = FALSE;
  if (g_strv_length (parts) != 7)
    return;
  for (guint i = 0; i < 7; i++)
    {
      gint64 value;

      if (!g_ascii_string_to_signed (parts[i], 10, 0, MILK_QTY_MAX_ML, &value, NULL))
        return;
      record->weekday_qty_ml[i] = value;
    }
  record->has_weekday_qty = TRUE;
}

/* Reads "key, <data columns>, hlc, deleted, extra" into a record. */
static MilkRecord *
read_record (MilkRecordType  type,
             sqlite3_stmt   *stmt)
{
  g_autoptr(MilkRecord) record = milk_record_new (type);
  int col = 1;

  if (!milk_record_set_key (record, column_text (stmt, 0), NULL))
    return NULL;

  switch (type)
    {
    case MILK_RECORD_PRODUCT:
      record->name = g_strdup (column_text (stmt, col++));
      record->unit = g_strdup (column_text (stmt, col++));
      record->default_qty_ml = sqlite3_column_int64 (stmt, col++);
      record->position = sqlite3_column_int64 (stmt, col++);
      record->archived = sqlite3_column_int (stmt, col++) != 0;
      read_weekday_pattern (record, column_text (stmt, col++));
      break;

    case MILK_RECORD_ENTRY:
      col += 2; /* product and day are in the key */
      record->qty_ml = sqlite3_column_int64 (stmt, col++);
      record->price_override = sqlite3_column_type (stmt, col) == SQLITE_NULL
                               ? MILK_NO_PRICE : sqlite3_column_int64 (stmt, col);
      col++;
      record->note = g_strdup (column_text (stmt, col++));
      break;

    case MILK_RECORD_PRICE:
      col += 2;
      record->price_per_l = sqlite3_column_int64 (stmt, col++);
      break;

    case MILK_RECORD_PAYMENT:
      record->day = milk_day_parse (column_text (stmt, col++), NULL);
      record->amount = sqlite3_column_int64 (stmt, col++);
      record->note = g_strdup (column_text (stmt, col++));
      break;

    case MILK_RECORD_SETTING:
      record->value = g_strdup (column_text (stmt, col++));
      break;

    default:
      g_assert_not_reached ();
    }

  record->hlc = g_strdup (column_text (stmt, col++));
  record->deleted = sqlite3_column_int (stmt, col++) != 0;
  milk_record_set_stored_text (record, (const char *) sqlite3_column_text (stmt, col++));
  return g_steal_pointer (&record);
}

static char *
select_sql (MilkRecordType  type,
            const char     *where)
{
  return g_strdup_printf ("SELECT key, %s, hlc, deleted, extra FROM %s %s",
                          tables[type].data_columns, tables[type].table, where);
}

static MilkRecord *
get_any (MilkStore       *self,
         MilkRecordType   type,
         const char      *key,
         GError         **error)
{
  g_autofree char *sql = select_sql (type, "WHERE key = ?");
  sqlite3_stmt *stmt = _milk_store_prepare (self, sql, error);
  MilkRecord *record = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    record = read_record (type, stmt);
  else if (rc != SQLITE_DONE)
    _milk_store_set_error (self, error);
  sqlite3_reset (stmt);
  return record;
}

static gboolean
write_record (MilkStore         *self,
              const MilkRecord  *record,
              gboolean           pending,
              GError           **error)
{
  const TableInfo *info = &tables[record->type];
  g_autoptr(GString) sql = g_string_new (NULL);

  g_string_printf (sql, "INSERT OR REPLACE INTO %s (key, %s, hlc, deleted, pending, extra) VALUES (?",
                   info->table, info->data_columns);
  for (guint i = 0; i < info->n_data + 4; i++)
    g_string_append (sql, ", ?");
  g_string_append_c (sql, ')');

  sqlite3_stmt *stmt = _milk_store_prepare (self, sql->str, error);

  if (stmt == NULL)
    return FALSE;
  bind_record (stmt, record, pending);
  return _milk_store_step_done (self, stmt, error);
}

/* A local write stamps above the version it replaces, even one from a
 * device whose clock runs ahead of this one: otherwise the edit, though
 * shown here, would lose to the older version everywhere else. */
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

  replaced = get_any (self, record->type, key, &local_error);
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
  return write_record (self, record, TRUE, error) &&
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

  if (!begin (self, error))
    return FALSE;
  if (!put_one (self, record, error))
    {
      rollback (self);
      return FALSE;
    }
  return commit (self, error);
}

/* All or nothing: one bad record leaves the diary as it was. */
gboolean
milk_store_put_many (MilkStore   *self,
                     GPtrArray   *records,
                     GError     **error)
{
  g_return_val_if_fail (MILK_IS_STORE (self), FALSE);

  if (!begin (self, error))
    return FALSE;
  for (guint i = 0; i < records->len; i++)
    if (!put_one (self, g_ptr_array_index (records, i), error))
      {
        rollback (self);
        return FALSE;
      }
  return commit (self, error);
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

  record = get_any (self, type, key, error);
  if (record != NULL && record->deleted)
    return NULL;
  return g_steal_pointer (&record);
}

static GPtrArray *
list_records (MilkStore       *self,
              MilkRecordType   type,
              const char      *where,
              const char      *first,
              const char      *last,
              GError         **error)
{
  g_autofree char *sql = select_sql (type, where);
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
      MilkRecord *record = read_record (type, stmt);

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

/* Entries */

gboolean
milk_store_set_entry (MilkStore   *self,
                      const char  *product,
                      MilkDay      day,
                      gint64       qty_ml,
                      gint64       price_override,
                      const char  *note,
                      GError     **error)
{
  g_autoptr(MilkRecord) record = milk_record_new (MILK_RECORD_ENTRY);

  record->id = g_strdup (product);
  record->day = day;
  record->qty_ml = qty_ml;
  record->price_override = price_override;
  record->note = g_strdup (note ? note : "");
  return milk_store_put (self, record, error);
}

static char *
entry_key (const char *product,
           MilkDay     day)
{
  char text[11];

  milk_day_format_iso (day, text);
  return g_strdup_printf ("%s/%s", product, text);
}

MilkRecord *
milk_store_get_entry (MilkStore   *self,
                      const char  *product,
                      MilkDay      day,
                      GError     **error)
{
  g_autofree char *key = entry_key (product, day);

  return milk_store_get (self, MILK_RECORD_ENTRY, key, error);
}

static gboolean
delete_record (MilkStore       *self,
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

gboolean
milk_store_delete_entry (MilkStore   *self,
                         const char  *product,
                         MilkDay      day,
                         GError     **error)
{
  g_autofree char *key = entry_key (product, day);

  return delete_record (self, MILK_RECORD_ENTRY, key, error);
}

GPtrArray *
milk_store_list_entries (MilkStore  *self,
                         MilkDay     first,
                         MilkDay     last,
                         GError    **error)
{
  char a[11], b[11];

  milk_day_format_iso (first, a);
  milk_day_format_iso (last, b);
  return list_records (self, MILK_RECORD_ENTRY,
                       "WHERE day BETWEEN ?1 AND ?2 AND NOT deleted ORDER BY day, product",
                       a, b, error);
}

/* Whether any day is recorded, delivered or not; an unreadable diary
 * counts as not empty. */
gboolean
milk_store_has_entries (MilkStore *self)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (MILK_IS_STORE (self), TRUE);

  stmt = _milk_store_prepare (self, "SELECT 1 FROM entries WHERE NOT deleted LIMIT 1", NULL);
  if (stmt == NULL)
    return TRUE;
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  return rc != SQLITE_DONE;
}

/* Products */

static int
compare_position (gconstpointer a,
                  gconstpointer b)
{
  const MilkRecord *ra = *(const MilkRecord **) a;
  const MilkRecord *rb = *(const MilkRecord **) b;

  if (ra->position != rb->position)
    return ra->position < rb->position ? -1 : 1;
  return g_strcmp0 (ra->id, rb->id);
}

GPtrArray *
milk_store_list_products (MilkStore  *self,
                          gboolean    include_archived,
                          GError    **error)
{
  GPtrArray *products = list_records (self, MILK_RECORD_PRODUCT,
                                      include_archived ? "WHERE NOT deleted"
                                                       : "WHERE NOT deleted AND NOT archived",
                                      NULL, NULL, error);
  if (products)
    g_ptr_array_sort (products, compare_position);
  return products;
}

MilkRecord *
milk_store_add_product (MilkStore   *self,
                        const char  *name,
                        gint64       default_qty_ml,
                        GError     **error)
{
  g_autoptr(MilkRecord) record = milk_record_new (MILK_RECORD_PRODUCT);
  g_autoptr(GPtrArray) existing = milk_store_list_products (self, TRUE, error);

  if (existing == NULL)
    return NULL;
  record->id = milk_uuid_new ();
  record->name = g_strdup (name);
  record->unit = g_strdup ("L");
  record->default_qty_ml = default_qty_ml;
  for (guint i = 0; i < existing->len; i++)
    record->position = MAX (record->position,
                            ((MilkRecord *) g_ptr_array_index (existing, i))->position + 1);
  if (!milk_store_put (self, record, error))
    return NULL;
  return g_steal_pointer (&record);
}

/* Prices */

gboolean
milk_store_set_price (MilkStore   *self,
                      const char  *product,
                      MilkDay      from,
                      gint64       price_per_l,
                      GError     **error)
{
  g_autoptr(MilkRecord) record = milk_record_new (MILK_RECORD_PRICE);

  record->id = g_strdup (product);
  record->day = from;
  record->price_per_l = price_per_l;
  return milk_store_put (self, record, error);
}

gboolean
milk_store_remove_price (MilkStore   *self,
                         const char  *product,
                         MilkDay      from,
                         GError     **error)
{
  g_autofree char *key = entry_key (product, from);

  return delete_record (self, MILK_RECORD_PRICE, key, error);
}

MilkPriceSchedule *
milk_store_get_price_schedule (MilkStore   *self,
                               const char  *product,
                               GError     **error)
{
  g_autoptr(MilkPriceSchedule) schedule = milk_price_schedule_new ();
  sqlite3_stmt *stmt = _milk_store_prepare (self,
      "SELECT day, price_per_l FROM prices WHERE product = ? AND NOT deleted", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, product, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      MilkDay day = milk_day_parse (column_text (stmt, 0), NULL);

      if (day != MILK_DAY_INVALID)
        milk_price_schedule_set (schedule, day, sqlite3_column_int64 (stmt, 1));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _milk_store_set_error (self, error);
      return NULL;
    }
  return g_steal_pointer (&schedule);
}

/* Payments */

char *
milk_store_add_payment (MilkStore   *self,
                        MilkDay      day,
                        gint64       amount,
                        const char  *note,
                        GError     **error)
{
  g_autoptr(MilkRecord) record = milk_record_new (MILK_RECORD_PAYMENT);

  record->id = milk_uuid_new ();
  record->day = day;
  record->amount = amount;
  record->note = g_strdup (note ? note : "");
  if (!milk_store_put (self, record, error))
    return NULL;
  return g_strdup (record->id);
}

gboolean
milk_store_remove_payment (MilkStore   *self,
                           const char  *id,
                           GError     **error)
{
  return delete_record (self, MILK_RECORD_PAYMENT, id, error);
}

GPtrArray *
milk_store_list_payments (MilkStore  *self,
                          MilkDay     first,
                          MilkDay     last,
                          GError    **error)
{
  char a[11], b[11];

  milk_day_format_iso (first, a);
  milk_day_format_iso (last, b);
  return list_records (self, MILK_RECORD_PAYMENT,
                       "WHERE day BETWEEN ?1 AND ?2 AND NOT deleted ORDER BY day, key",
                       a, b, error);
}

/* Settings */

char *
milk_store_dup_setting (MilkStore  *self,
                        const char *name)
{
  g_autoptr(MilkRecord) record = milk_store_get (self, MILK_RECORD_SETTING, name, NULL);

  return record ? g_strdup (record->value) : NULL;
}

gboolean
milk_store_set_setting (MilkStore   *self,
                        const char  *name,
                        const char  *value,
                        GError     **error)
{
  g_autoptr(MilkRecord) record = milk_record_new (MILK_RECORD_SETTING);

  record->id = g_strdup (name);
  record->value = g_strdup (value);
  return milk_store_put (self, record, error);
}

/* The diary's currency; Indian rupees until the person chooses, as in
 * Home Milk Calculator. */
const MilkCurrency *
milk_store_get_currency (MilkStore *self)
{
  g_autofree char *code = milk_store_dup_setting (self, "currency");
  const MilkCurrency *currency = milk_currency_lookup (code);

  return currency ? currency : milk_currency_lookup ("INR");
}

/* Sync */

GPtrArray *
milk_store_list_pending (MilkStore  *self,
                         guint       limit,
                         GError    **error)
{
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);

  for (MilkRecordType type = MILK_RECORD_PRODUCT; type <= MILK_RECORD_SETTING && pending->len < limit; type++)
    {
      g_autofree char *where = g_strdup_printf ("WHERE pending ORDER BY hlc LIMIT %u", limit - pending->len);
      g_autoptr(GPtrArray) records = list_records (self, type, where, NULL, NULL, error);

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
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s WHERE pending", tables[type].table);
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
  if (!begin (self, error))
    return FALSE;

  for (guint i = 0; i < sent->len; i++)
    {
      const MilkRecord *record = g_ptr_array_index (sent, i);
      g_autofree char *sql = g_strdup_printf ("UPDATE %s SET pending = 0 WHERE key = ? AND hlc = ?",
                                              tables[record->type].table);
      g_autofree char *key = milk_record_dup_key (record);
      sqlite3_stmt *stmt = _milk_store_prepare (self, sql, error);

      if (stmt == NULL)
        goto fail;
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, record->hlc, -1, SQLITE_TRANSIENT);
      if (!_milk_store_step_done (self, stmt, error))
        goto fail;
    }
  return commit (self, error);

fail:
  rollback (self);
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
  return _milk_store_step_done (self, stmt, error);
}

/* The merge rule: the version with the greater clock stamp wins, whole
 * record. Applying the same version twice, or an older one, is a no-op. */
gboolean
milk_store_apply_remote (MilkStore  *self,
                         GPtrArray  *records,
                         GError    **error)
{
  if (!begin (self, error))
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

      local = get_any (self, record->type, key, &local_error);
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

      if (!write_record (self, record, FALSE, error))
        goto fail;
    }
  return commit (self, error);

fail:
  rollback (self);
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
  return set_local_state (self, "clock_offset", text, error) &&
         recover_from_future_clock (self, service_ms, error);
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
  return dup_local_state (self, "cursor");
}

gboolean
milk_store_set_cursor (MilkStore   *self,
                       const char  *cursor,
                       GError     **error)
{
  return set_local_state (self, "cursor", cursor, error);
}

/* The instance token the service gave this copy of the diary file in its
 * last answer (DESIGN "Files get copied and restored"), or NULL. */
char *
milk_store_dup_instance (MilkStore *self)
{
  g_return_val_if_fail (MILK_IS_STORE (self), NULL);

  return dup_local_state (self, "instance");
}

gboolean
milk_store_set_instance (MilkStore   *self,
                         const char  *instance,
                         GError     **error)
{
  g_return_val_if_fail (MILK_IS_STORE (self), FALSE);

  if (instance == NULL)
    return _milk_store_exec (self, "DELETE FROM local_state WHERE name = 'instance'", error);
  return set_local_state (self, "instance", instance, error);
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

  if (!begin (self, error))
    return FALSE;
  if (!new_replica_node (self, &node_id, error) ||
      !_milk_store_exec (self, "DELETE FROM local_state WHERE name IN ('cursor', 'instance')", error))
    {
      rollback (self);
      return FALSE;
    }
  milk_hlc_get_last (self->hlc, &last);
  milk_hlc_reset (self->hlc, node_id, &last);
  g_message ("Another copy of this diary synced as the same device; this one is now replica %s",
             self->replica);
  return commit (self, error);
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
                                          tables[record->type].table);
  sqlite3_stmt *stmt;

  if (!begin (self, error))
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

  return commit (self, error);

fail:
  rollback (self);
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
      g_autofree char *key = g_strdup (column_text (stmt, 1));
      g_autofree char *hlc = g_strdup (column_text (stmt, 2));
      g_autofree char *code = g_strdup (column_text (stmt, 3));
      g_autofree char *message = g_strdup (column_text (stmt, 4));
      g_autoptr(MilkRecord) record = NULL;
      g_autoptr(MilkRecord) lost = parse_lost (column_text (stmt, 5));
      MilkStoreRejection *rejection;

      if (!milk_record_type_from_string (column_text (stmt, 0), &type))
        continue;
      /* get_any reuses its own statement, not this one */
      record = get_any (self, type, key, NULL);
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
  if (!begin (self, error))
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
          g_autoptr(MilkRecord) local = get_any (self, known, key, &local_error);

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
    }
  return commit (self, error);

fail:
  rollback (self);
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

      change->type = *column_text (stmt, 0) ? g_strdup (column_text (stmt, 0)) : NULL;
      change->key = g_strdup (column_text (stmt, 1));
      change->hlc = *column_text (stmt, 2) ? g_strdup (column_text (stmt, 2)) : NULL;
      change->json = g_strdup (column_text (stmt, 3));
      change->code = g_strdup (column_text (stmt, 4));
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

/* Runs a statement on each record type's table, named "{table}" in it. */
static gboolean
exec_per_table (MilkStore   *self,
                const char  *statement,
                GError     **error)
{
  for (MilkRecordType type = MILK_RECORD_PRODUCT; type <= MILK_RECORD_SETTING; type++)
    {
      g_autoptr(GString) sql = g_string_new (statement);

      g_string_replace (sql, "{table}", tables[type].table, 0);
      if (!_milk_store_exec (self, sql->str, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
forget_sync_position (MilkStore  *self,
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
  if (!begin (self, error))
    return FALSE;
  if (!exec_per_table (self, "UPDATE {table} SET pending = 1 WHERE hlc != '0000000000000-0000-0000000000000000'", error) ||
      !forget_sync_position (self, error))
    goto fail;
  return commit (self, error);

fail:
  rollback (self);
  return FALSE;
}

/* Signing out and not keeping the diary: this device forgets every record
 * (the account keeps them); it keeps its node id and clock. */
gboolean
milk_store_clear_diary (MilkStore  *self,
                        GError    **error)
{
  if (!begin (self, error))
    return FALSE;
  if (!exec_per_table (self, "DELETE FROM {table}", error) ||
      !forget_sync_position (self, error) ||
      !_milk_store_exec (self, "DELETE FROM unreadable", error) ||
      !_milk_store_exec (self,
                         "INSERT INTO products (key, name, unit, default_qty_ml, position, archived, hlc)"
                         "  VALUES ('" MILK_DEFAULT_PRODUCT_ID "', 'Milk', 'L', 1000, 0, 0,"
                         "          '0000000000000-0000-0000000000000000')", error))
    goto fail;
  return commit (self, error);

fail:
  rollback (self);
  return FALSE;
}

/* The account the diary was last signed in to, "server account", as the
 * service names it (its opaque "account" id); NULL when it never was. */
char *
milk_store_dup_synced_account (MilkStore *self)
{
  g_return_val_if_fail (MILK_IS_STORE (self), NULL);

  return dup_local_state (self, "account");
}

gboolean
milk_store_set_synced_account (MilkStore   *self,
                               const char  *account,
                               GError     **error)
{
  g_return_val_if_fail (MILK_IS_STORE (self), FALSE);

  return set_local_state (self, "account", account, error);
}

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

/* The entries that "Fill the month so far" writes: each active product's
 * usual quantity (in its morning and evening parts for one delivered twice
 * a day) on every day of the span that has no record for it yet. Recorded
 * days, "no delivery" ones included, are never touched. */
GPtrArray *
milk_store_plan_usual_days (MilkStore  *self,
                            MilkDay     first,
                            MilkDay     last,
                            GError    **error)
{
  g_autoptr(GPtrArray) products = milk_store_list_products (self, FALSE, error);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GHashTable) recorded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) plan = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);

  if (products == NULL || (entries = milk_store_list_entries (self, first, last, error)) == NULL)
    return NULL;
  for (guint i = 0; i < entries->len; i++)
    g_hash_table_add (recorded, milk_record_dup_key (g_ptr_array_index (entries, i)));

  for (MilkDay day = first; day <= last; day++)
    for (guint p = 0; p < products->len; p++)
      {
        MilkRecord *product = g_ptr_array_index (products, p);
        g_autofree char *key = entry_key (product->id, day);
        MilkRecord *entry;

        if (g_hash_table_contains (recorded, key))
          continue;
        entry = milk_record_new (MILK_RECORD_ENTRY);
        entry->id = g_strdup (product->id);
        entry->day = day;
        milk_entry_set_usual (entry, product, day);
        g_ptr_array_add (plan, entry);
      }
  return g_steal_pointer (&plan);
}

/* Leave: "no delivery" for every active product on every day of the span.
 * *recorded gets the entries already there, which the person confirms
 * before they change. */
GPtrArray *
milk_store_plan_leave (MilkStore   *self,
                       MilkDay      first,
                       MilkDay      last,
                       GPtrArray  **recorded,
                       GError     **error)
{
  g_autoptr(GPtrArray) products = milk_store_list_products (self, FALSE, error);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) plan = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);

  if (products == NULL || (entries = milk_store_list_entries (self, first, last, error)) == NULL)
    return NULL;

  for (MilkDay day = first; day <= last; day++)
    for (guint p = 0; p < products->len; p++)
      {
        MilkRecord *entry = milk_record_new (MILK_RECORD_ENTRY);

        entry->id = g_strdup (((MilkRecord *) g_ptr_array_index (products, p))->id);
        entry->day = day;
        entry->qty_ml = 0;
        entry->note = g_strdup ("");
        g_ptr_array_add (plan, entry);
      }
  if (recorded)
    *recorded = g_steal_pointer (&entries);
  return g_steal_pointer (&plan);
}

/* What the entries of a plan were before it: copies, or tombstones for
 * days that were unrecorded. Storing them is the plan's Undo. */
GPtrArray *
milk_store_snapshot_entries (MilkStore  *self,
                             GPtrArray  *plan,
                             GError    **error)
{
  g_autoptr(GPtrArray) before = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);

  for (guint i = 0; i < plan->len; i++)
    {
      const MilkRecord *change = g_ptr_array_index (plan, i);
      g_autoptr(GError) local_error = NULL;
      MilkRecord *old = milk_store_get_entry (self, change->id, change->day, &local_error);

      if (local_error)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (old == NULL)
        {
          old = milk_record_new (MILK_RECORD_ENTRY);
          old->id = g_strdup (change->id);
          old->day = change->day;
          old->deleted = TRUE;
        }
      g_ptr_array_add (before, old);
    }
  return g_steal_pointer (&before);
}

/* Backup and restore ------------------------------------------------------ */

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
      g_autoptr(GPtrArray) records = list_records (self, type, "ORDER BY key", NULL, NULL, error);

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

  if (!begin (self, error))
    return FALSE;
  if (!exec_per_table (self, "DELETE FROM {table}", error) ||
      !_milk_store_exec (self, "DELETE FROM rejected", error) ||
      !_milk_store_exec (self, "DELETE FROM unreadable", error))
    goto fail;

  for (guint i = 0; i < records->len; i++)
    {
      const MilkRecord *record = g_ptr_array_index (records, i);
      g_autoptr(GError) local_error = NULL;
      gboolean untouched = g_strcmp0 (record->hlc, "0000000000000-0000-0000000000000000") == 0;
      MilkHlcStamp stamp;

      if (!milk_record_validate (record, error) || !milk_hlc_stamp_parse (record->hlc, &stamp, error))
        goto fail;
      if (!untouched && !milk_hlc_receive (self->hlc, &stamp, &local_error))
        g_warning ("A restored change has a far-future clock stamp: %s", local_error->message);
      if (!write_record (self, record, !untouched, error))
        goto fail;
    }
  if (unreadable != NULL && !milk_store_keep_unreadable (self, unreadable, error))
    goto fail;

  if (!new_replica_node (self, &node_id, error) ||
      !forget_sync_position (self, error))
    goto fail;
  milk_hlc_get_last (self->hlc, &last);
  milk_hlc_reset (self->hlc, node_id, &last);
  return commit (self, error);

fail:
  rollback (self);
  return FALSE;
}
