/* milk-server-db-email.h — verified addresses and mailed links
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

typedef enum
{
  MILK_LINK_VERIFY,
  MILK_LINK_RESET,
  MILK_LINK_CHANGE,
} MilkLinkPurpose;

typedef struct
{
  gint64 account_id;
  char *email;
  char *return_to;
} MilkLinkUse;

char       *milk_db_link_create         (PGconn      *conn,
                                         gint64       account_id,
                                         MilkLinkPurpose purpose,
                                         const char  *email,
                                         const char  *return_to,
                                         guint        ttl_s,
                                         guint        per_hour,
                                         gboolean    *limited,
                                         GError     **error);
gboolean    milk_db_link_use            (PGconn      *conn,
                                         const char  *token,
                                         MilkLinkPurpose purpose,
                                         MilkLinkUse *use,
                                         GError     **error);
gboolean    milk_db_account_verified    (PGconn      *conn,
                                         gint64       account_id,
                                         gboolean    *verified,
                                         GError     **error);
gboolean    milk_db_account_change_email (PGconn     *conn,
                                          gint64      account_id,
                                          const char *email,
                                          gboolean    verified,
                                          gboolean   *changed,
                                          GError    **error);
void        milk_link_use_clear         (MilkLinkUse *use);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MilkLinkUse, milk_link_use_clear)

G_END_DECLS
