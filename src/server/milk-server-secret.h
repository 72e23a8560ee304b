/* milk-server-secret.h — tokens, hashes, passwords and sealed token pairs
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "milk-server-db-oauth.h"

G_BEGIN_DECLS

char       *milk_token_new              (void);
char       *milk_token_hash             (const char  *token);
gboolean    milk_secret_equal           (const char  *a,
                                         const char  *b);
char       *milk_password_hash          (const char  *password,
                                         GError     **error);
gboolean    milk_password_verify        (const char  *hash,
                                         const char  *password,
                                         gboolean    *right,
                                         GError     **error);
void        milk_password_init          (void);
char       *milk_pkce_s256              (const char  *verifier);
char       *milk_token_pair_seal        (const char  *refresh_token,
                                         const MilkTokenPair *pair);
gboolean    milk_token_pair_open        (const char  *refresh_token,
                                         const char  *sealed,
                                         MilkTokenPair *pair);

G_END_DECLS
