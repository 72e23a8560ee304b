/* milk-server-db-api.h — an account's records for the API, and
 * personal access tokens
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

#include "milk-record.h"

G_BEGIN_DECLS

#define MILK_PAT_PREFIX           "milkpat_"
#define MILK_PAT_PER_MINUTE       60
#define MILK_PAT_NAME_MAX_CHARS   80
#define MILK_PATS_PER_ACCOUNT     50

typedef struct
{
  gint64 id;
  char *name;
  char *scope;           /* "read" or "write" */
  gint64 created_at;     /* Unix seconds */
  gint64 last_used_at;   /* 0: never */
} MilkPersonalToken;

GPtrArray  *milk_db_records_list        (PGconn      *conn,
                                         gint64       account_id,
                                         GError     **error);
gboolean    milk_db_record_get          (PGconn      *conn,
                                         gint64       account_id,
                                         MilkRecordType type,
                                         const char  *key,
                                         MilkRecord **record,
                                         GError     **error);
gboolean    milk_db_personal_token_create (PGconn    *conn,
                                           gint64     account_id,
                                           const char *token_hash,
                                           const char *name,
                                           const char *scope,
                                           GError   **error);
GPtrArray  *milk_db_personal_tokens_list (PGconn     *conn,
                                          gint64      account_id,
                                          GError    **error);
gboolean    milk_db_personal_token_revoke (PGconn    *conn,
                                           gint64     account_id,
                                           gint64     token_id,
                                           gboolean  *revoked,
                                           GError   **error);
gboolean    milk_db_personal_token_use  (PGconn      *conn,
                                         const char  *token_hash,
                                         guint        per_minute,
                                         gint64      *account_id,
                                         char       **scope,
                                         guint       *retry_after,
                                         GError     **error);
void        milk_personal_token_free    (MilkPersonalToken *token);

G_END_DECLS
