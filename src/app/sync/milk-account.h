/* milk-account.h — signing in to a sync server with the system browser
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define MILK_ACCOUNT_ERROR (milk_account_error_quark ())

typedef enum
{
  MILK_ACCOUNT_ERROR_INVALID_SERVER,
  MILK_ACCOUNT_ERROR_SIGNED_OUT,
  MILK_ACCOUNT_ERROR_SIGN_IN_AGAIN,
  MILK_ACCOUNT_ERROR_SERVER,
  MILK_ACCOUNT_ERROR_DENIED,
  MILK_ACCOUNT_ERROR_BROWSER_TIMEOUT,
  MILK_ACCOUNT_ERROR_KEYRING,
  MILK_ACCOUNT_ERROR_UPDATE_REQUIRED,
  MILK_ACCOUNT_ERROR_OTHER_ACCOUNT,
} MilkAccountError;

#define MILK_CLIENT_ID "io.github.milkdiary.MilkDiary"
#define MILK_REDIRECT_PATH "/oauth/callback"

#define MILK_TYPE_ACCOUNT (milk_account_get_type ())

G_DECLARE_FINAL_TYPE (MilkAccount, milk_account, MILK, ACCOUNT, GObject)

GQuark       milk_account_error_quark          (void);
char        *milk_account_normalize_server     (const char    *url,
                                                GError       **error);

MilkAccount *milk_account_new                  (const char    *server,
                                                const char    *diary);
const char  *milk_account_get_server           (MilkAccount   *self);
const char  *milk_account_get_account_id      (MilkAccount   *self);
gboolean     milk_account_get_signed_in        (MilkAccount   *self);
SoupSession *milk_account_get_session          (MilkAccount   *self);
void         milk_account_set_browser_timeout  (MilkAccount   *self,
                                                guint          seconds);

void         milk_account_load_async           (MilkAccount   *self,
                                                GCancellable  *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer       user_data);
gboolean     milk_account_load_finish          (MilkAccount   *self,
                                                GAsyncResult  *result,
                                                GError       **error);
void         milk_account_sign_in_async        (MilkAccount   *self,
                                                GCancellable  *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer       user_data);
gboolean     milk_account_sign_in_finish       (MilkAccount   *self,
                                                GAsyncResult  *result,
                                                GError       **error);
void         milk_account_get_access_token_async (MilkAccount *self,
                                                gboolean       force_refresh,
                                                GCancellable  *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer       user_data);
char        *milk_account_get_access_token_finish (MilkAccount *self,
                                                GAsyncResult  *result,
                                                GError       **error);
void         milk_account_sign_out_async       (MilkAccount   *self,
                                                GCancellable  *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer       user_data);
gboolean     milk_account_sign_out_finish      (MilkAccount   *self,
                                                GAsyncResult  *result,
                                                GError       **error);

G_END_DECLS
