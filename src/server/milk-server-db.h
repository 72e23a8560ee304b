/* milk-server-db.h — PostgreSQL, the only place with SQL: pool, migrations
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

typedef struct _MilkDb MilkDb;

MilkDb     *milk_db_new                 (const char  *url,
                                         guint        size,
                                         GError     **error);
void        milk_db_free                (MilkDb      *db);
PGconn     *milk_db_acquire             (MilkDb      *db,
                                         GError     **error);
void        milk_db_release             (MilkDb      *db,
                                         PGconn      *conn);
gboolean    milk_db_migrate             (const char  *url,
                                         const char  *role,
                                         GError     **error);
gboolean    milk_db_ping                (PGconn      *conn,
                                         GError     **error);

G_END_DECLS
