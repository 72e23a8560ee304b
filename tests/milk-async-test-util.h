/* milk-async-test-util.h — waiting for the app's async calls in tests
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The outcome of one async call whose result is a boolean GTask: sign in,
 * load, sync, keyring save and clear. */
typedef struct
{
  gboolean done;
  gboolean ok;
  GError *error;
} MilkTestWait;

void milk_test_wait_done (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data);
void milk_test_wait      (MilkTestWait *wait);

G_END_DECLS
