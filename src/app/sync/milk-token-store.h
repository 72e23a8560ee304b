/* milk-token-store.h — the account's tokens, kept in the keyring only
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

G_BEGIN_DECLS

typedef struct
{
  char *access_token;
  char *refresh_token;
  gint64 expires_at;  /* unix seconds */
  char *account;      /* the service's opaque account id; NULL in what an older version saved */
} MilkTokens;

MilkTokens *milk_tokens_new              (const char   *access_token,
                                          const char   *refresh_token,
                                          gint64        expires_at);
void        milk_tokens_free             (MilkTokens   *tokens);
const SecretSchema *milk_token_store_get_schema (void);

void        milk_token_store_save_async  (const char   *server,
                                          const char   *diary,
                                          const MilkTokens *tokens,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer      user_data);
gboolean    milk_token_store_save_finish (GAsyncResult *result,
                                          GError      **error);
void        milk_token_store_load_async  (const char   *server,
                                          const char   *diary,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer      user_data);
MilkTokens *milk_token_store_load_finish (GAsyncResult *result,
                                          GError      **error);
void        milk_token_store_clear_async (const char   *server,
                                          const char   *diary,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer      user_data);
gboolean    milk_token_store_clear_finish (GAsyncResult *result,
                                          GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MilkTokens, milk_tokens_free)

G_END_DECLS
