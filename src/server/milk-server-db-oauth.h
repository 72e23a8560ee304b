/* milk-server-db-oauth.h — authorization codes, token pairs, their rotation
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
  MILK_GRANT_OK,
  MILK_GRANT_INVALID,    /* unknown, expired, revoked, wrong client */
  MILK_GRANT_REUSED,     /* spent before: the family is now revoked */
  MILK_GRANT_REPEATED,   /* the just-rotated refresh token again, within the grace: the same pair */
} MilkGrantResult;

typedef struct
{
  gint64 account_id;
  char *client_id;
  char *redirect_uri;
  char *code_challenge;
  char *family;
} MilkCodeGrant;

typedef struct
{
  char *access_token;
  char *refresh_token;
  gint64 expires_in;
} MilkTokenPair;

gboolean    milk_db_code_create         (PGconn      *conn,
                                         const char  *code_hash,
                                         gint64       account_id,
                                         const char  *client_id,
                                         const char  *redirect_uri,
                                         const char  *code_challenge,
                                         GError     **error);
MilkGrantResult milk_db_code_redeem     (PGconn      *conn,
                                         const char  *code_hash,
                                         MilkCodeGrant *grant,
                                         GError     **error);
gboolean    milk_db_tokens_issue        (PGconn      *conn,
                                         gint64       account_id,
                                         const char  *client_id,
                                         const char  *family,
                                         MilkTokenPair *pair,
                                         GError     **error);
MilkGrantResult milk_db_refresh_rotate  (PGconn      *conn,
                                         const char  *refresh_token,
                                         const char  *client_id,
                                         guint        grace_s,
                                         MilkTokenPair *pair,
                                         GError     **error);
gboolean    milk_db_token_revoke        (PGconn      *conn,
                                         const char  *token_hash,
                                         const char  *client_id,
                                         GError     **error);
gint64      milk_db_access_token_account (PGconn     *conn,
                                          const char *token_hash,
                                          GError    **error);

void        milk_code_grant_clear       (MilkCodeGrant  *grant);
void        milk_token_pair_clear       (MilkTokenPair  *pair);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MilkTokenPair, milk_token_pair_clear)

G_END_DECLS
