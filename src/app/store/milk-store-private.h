/* milk-store-private.h — what only the store's own files and tests see
 *
 * The store is one class in several files. They depend on each other in
 * one direction only:
 *
 *   milk-store-rows.c      a record as a row of its table (no MilkStore)
 *   milk-store.c           the core: the connection, transactions, the one
 *                          write path, stamping, and ::changed
 *   milk-store-open.c      opening a diary: format, identity, clock
 *   milk-store-entries.c, -products.c, -payments.c, -settings.c,
 *   -plans.c, -totals.c, -bill.c, -journal.c (sync), -backup.c
 *                          what the diary holds, by concern
 *
 * A file calls only what is declared here for the files above it.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "milk-store.h"

G_BEGIN_DECLS

#define MILK_STORE_SCHEMA_VERSION 6

/* The stamp of a record no one has edited yet (the default product). */
#define MILK_STORE_UNTOUCHED_HLC "0000000000000-0000-0000000000000000"

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
  MilkStoreChange change; /* what the transaction under way changed */
  MilkStoreProgressFunc progress;
  gpointer progress_data;
  struct {
    MilkBill *bill;   /* milk_store_prepare_bill()'s, until taken */
    int year, month;
    gint64 changes;   /* the diary as it was built from */
    gint64 data_version;
  } prepared;
};

/* milk-store-rows.c */
const char   *_milk_store_table_name     (MilkRecordType  type);
char         *_milk_store_select_sql     (MilkRecordType  type,
                                          const char     *where);
char         *_milk_store_insert_sql     (MilkRecordType  type);
void          _milk_store_bind_record    (sqlite3_stmt     *stmt,
                                          const MilkRecord *record,
                                          gboolean          pending);
MilkRecord   *_milk_store_read_record    (MilkRecordType  type,
                                          sqlite3_stmt   *stmt);
const char   *_milk_store_column_text    (sqlite3_stmt   *stmt,
                                          int             column);
char         *_milk_store_day_key        (const char     *product,
                                          MilkDay         day);

/* milk-store.c */
sqlite3      *_milk_store_get_db         (MilkStore      *self);
sqlite3_stmt *_milk_store_prepare        (MilkStore      *self,
                                          const char     *sql,
                                          GError        **error);
gboolean      _milk_store_exec           (MilkStore      *self,
                                          const char     *sql,
                                          GError        **error);
gboolean      _milk_store_step_done      (MilkStore      *self,
                                          sqlite3_stmt   *stmt,
                                          GError        **error);
void          _milk_store_set_error      (MilkStore      *self,
                                          GError        **error);
char         *_milk_store_dup_local_state (MilkStore     *self,
                                           const char    *name);
gboolean      _milk_store_set_local_state (MilkStore     *self,
                                           const char    *name,
                                           const char    *value,
                                           GError       **error);
gboolean      _milk_store_begin          (MilkStore      *self,
                                          GError        **error);
gboolean      _milk_store_commit         (MilkStore      *self,
                                          GError        **error);
void          _milk_store_rollback       (MilkStore      *self);
void          _milk_store_note_change    (MilkStore      *self,
                                          MilkStoreChangeFlags what,
                                          MilkDay         first,
                                          MilkDay         last);
void          _milk_store_note_record    (MilkStore        *self,
                                          const MilkRecord *record);
void          _milk_store_note_rows_changed (MilkStore          *self,
                                             MilkStoreChangeFlags what);
void          _milk_store_note_everything (MilkStore     *self);
void          _milk_store_emit_changed   (MilkStore             *self,
                                          const MilkStoreChange *change);
MilkRecord   *_milk_store_get_any        (MilkStore      *self,
                                          MilkRecordType  type,
                                          const char     *key,
                                          GError        **error);
gboolean      _milk_store_same_data      (const MilkRecord *a,
                                          const MilkRecord *b);
gboolean      _milk_store_write_record   (MilkStore        *self,
                                          const MilkRecord *record,
                                          const MilkRecord *previous,
                                          gboolean          pending,
                                          GError          **error);
GPtrArray    *_milk_store_list_records   (MilkStore      *self,
                                          MilkRecordType  type,
                                          const char     *where,
                                          const char     *first,
                                          const char     *last,
                                          GError        **error);
gboolean      _milk_store_delete_record  (MilkStore      *self,
                                          MilkRecordType  type,
                                          const char     *key,
                                          GError        **error);
gboolean      _milk_store_exec_per_table (MilkStore      *self,
                                          const char     *statement,
                                          GError        **error);

/* milk-store-open.c */
MilkStore    *_milk_store_new_with_clock (const char     *path,
                                          MilkClockFunc   clock,
                                          gpointer        clock_data,
                                          GError        **error);
gboolean      _milk_store_new_replica_node (MilkStore    *self,
                                            guint64      *node_id,
                                            GError      **error);
gboolean      _milk_store_recover_from_future_clock (MilkStore  *self,
                                                     gint64      reference_ms,
                                                     GError    **error);

/* milk-store-journal.c */
gboolean      _milk_store_forget_sync_position (MilkStore  *self,
                                                GError    **error);

/* milk-store-totals.c */
GHashTable   *_milk_store_load_schedules (MilkStore      *self,
                                          GError        **error);

/* Every delivery that is billed, as the ledger reads it at each start;
 * the covering index entries_ledger (milk-store-schema.c) answers it. */
#define MILK_STORE_LEDGER_QUERY \
  "SELECT product, day, qty_ml, price_override FROM entries WHERE NOT deleted AND qty_ml > 0"

/* milk-store-schema.c */
const char  *_milk_store_migration       (int             version);
const char  *_milk_store_indexes         (void);

G_END_DECLS
