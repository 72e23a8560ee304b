/* milk-server-db-private.h — the query plumbing of milk-server-db.c, for
 * the other milk-server-db-*.c files and no one else
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

#include "milk-server-db.h"

G_BEGIN_DECLS

PGresult   *_milk_db_query              (PGconn      *conn,
                                         GError     **error,
                                         const char  *sql,
                                         int          n_params,
                                         const char * const *params);
PGresult   *_milk_db_query_prepared     (PGconn      *conn,
                                         GError     **error,
                                         const char  *name,
                                         int          n_params,
                                         const char * const *params);
gboolean    _milk_db_exec               (PGconn      *conn,
                                         const char  *sql,
                                         GError     **error);
gboolean    _milk_db_command            (PGresult    *result);
gboolean    _milk_db_begin              (PGconn      *conn,
                                         gint64       account_id,
                                         GError     **error);
gboolean    _milk_db_commit             (PGconn      *conn,
                                         GError     **error);
void        _milk_db_rollback           (PGconn      *conn);

char       *_milk_db_int_param          (gint64       value);
char       *_milk_db_dup_value          (PGresult    *result,
                                         int          row,
                                         int          column);
gint64      _milk_db_int_value          (PGresult    *result,
                                         int          row,
                                         int          column);
gboolean    _milk_db_bool_value         (PGresult    *result,
                                         int          row,
                                         int          column);

#define MILK_DB_QUERY(conn, error, sql, ...) \
  _milk_db_query ((conn), (error), (sql), \
                  G_N_ELEMENTS (((const char *[]) { __VA_ARGS__ })), \
                  (const char *[]) { __VA_ARGS__ })

/* A statement every connection prepared when it opened (milk-server-db.c). */
#define MILK_DB_QUERY_PREPARED(conn, error, name, ...) \
  _milk_db_query_prepared ((conn), (error), (name), \
                           G_N_ELEMENTS (((const char *[]) { __VA_ARGS__ })), \
                           (const char *[]) { __VA_ARGS__ })

G_END_DECLS
