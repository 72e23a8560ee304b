/* milk-account-switch.h — signing a diary in to another account
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "milk-store.h"

G_BEGIN_DECLS

typedef enum
{
  MILK_ACCOUNT_SWITCH_MERGE,     /* this diary goes into the account */
  MILK_ACCOUNT_SWITCH_REPLACE,   /* saved as a file, then the account's diary */
} MilkAccountSwitchChoice;

gboolean milk_account_switch_needs_asking (MilkStore   *store,
                                           const char  *server,
                                           const char  *account);
gboolean milk_account_switch_is_other    (MilkStore   *store,
                                           const char  *server,
                                           const char  *account);
char    *milk_account_switch_dup_copy_path (MilkStore  *store);
gboolean milk_account_switch_apply        (MilkStore   *store,
                                           const char  *server,
                                           const char  *account,
                                           MilkAccountSwitchChoice choice,
                                           char       **saved_path,
                                           GError     **error);

G_END_DECLS
