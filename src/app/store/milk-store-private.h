/* milk-store-private.h — what only the store's own files and tests see
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "milk-store.h"

G_BEGIN_DECLS

#define MILK_STORE_SCHEMA_VERSION 6

MilkStore    *_milk_store_new_with_clock (const char     *path,
                                          MilkClockFunc   clock,
                                          gpointer        clock_data,
                                          GError        **error);
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

/* milk-store-totals.c */
GHashTable   *_milk_store_load_schedules (MilkStore      *self,
                                          GError        **error);

/* milk-store-schema.c */
const char  *_milk_store_migration       (int             version);

G_END_DECLS
