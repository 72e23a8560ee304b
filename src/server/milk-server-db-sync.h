/* milk-server-db-sync.h — a diary's changes: push, pull, instance tokens
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

typedef struct
{
  gint64 seq;
  char *node;
  char *body;
} MilkStoredChange;

gboolean    milk_db_sync_push           (PGconn      *conn,
                                         gint64       account_id,
                                         const char  *node,
                                         GPtrArray   *records,
                                         GPtrArray   *bodies,
                                         GArray      *superseded,
                                         GPtrArray   *winners,
                                         GError     **error);
/* The instance tokens the service holds for a diary's node. */
typedef struct
{
  gboolean known;
  char *current;
  char *previous;
} MilkInstance;

typedef enum
{
  MILK_INSTANCE_NEW,    /* the node has not synced with an instance token */
  MILK_INSTANCE_SAME,   /* the diary showed the token it was last given */
  MILK_INSTANCE_RETRY,  /* the one before: the last answer was lost */
  MILK_INSTANCE_COPY,   /* none of them: a copied or restored diary file */
} MilkInstanceVerdict;

PGresult   *milk_db_sync_pull_for_token_exec (PGconn      *conn,
                                              const char  *token_hash,
                                              const char  *node,
                                              gint64       after_seq,
                                              guint        limit,
                                              GError     **error);
gboolean    milk_db_sync_pull_for_token_send (PGconn      *conn,
                                              const char  *token_hash,
                                              const char  *node,
                                              gint64       after_seq,
                                              guint        limit);
GPtrArray  *milk_db_sync_pull_for_token_read (PGresult     *result,
                                              gint64       *account_id,
                                              MilkInstance *instance);
MilkInstanceVerdict milk_instance_verdict (const MilkInstance *instance,
                                           const char         *presented);
gboolean    milk_db_sync_instance_next  (PGconn      *conn,
                                         gint64       account_id,
                                         const char  *node,
                                         const char  *presented,
                                         const char  *proposed,
                                         char       **next,
                                         GError     **error);
GPtrArray  *milk_db_sync_pull           (PGconn      *conn,
                                         gint64       account_id,
                                         gint64       after_seq,
                                         guint        limit,
                                         GError     **error);

void        milk_stored_change_free     (MilkStoredChange *change);

G_END_DECLS
