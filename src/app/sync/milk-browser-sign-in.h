/* milk-browser-sign-in.h — signing in through the system browser
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "milk-auth-server.h"

G_BEGIN_DECLS

#define MILK_TYPE_BROWSER_SIGN_IN (milk_browser_sign_in_get_type ())

G_DECLARE_FINAL_TYPE (MilkBrowserSignIn, milk_browser_sign_in, MILK, BROWSER_SIGN_IN, GObject)

MilkBrowserSignIn *milk_browser_sign_in_new        (MilkAuthServer     *auth,
                                                    guint               timeout_s);
void               milk_browser_sign_in_run_async  (MilkBrowserSignIn  *self,
                                                    GCancellable       *cancellable,
                                                    GAsyncReadyCallback callback,
                                                    gpointer            user_data);
MilkTokens        *milk_browser_sign_in_run_finish (MilkBrowserSignIn  *self,
                                                    GAsyncResult       *result,
                                                    GError            **error);

G_END_DECLS
