/* milk-command-bill.h — `milk-diary --month` and `--pay`
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "milk-store.h"

G_BEGIN_DECLS

int milk_command_print_month (MilkStore  *store,
                              int         year,
                              int         month);
int milk_command_milkman_asks (MilkStore *store,
                               int        year,
                               int        month,
                               const char *amount);
int milk_command_pay         (MilkStore  *store,
                              const char *amount,
                              MilkDay     day,
                              const char *for_month);

G_END_DECLS
