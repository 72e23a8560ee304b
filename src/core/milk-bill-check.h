/* milk-bill-check.h — the milkman's bill set against the diary's
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "milk-bill.h"
#include "milk-currency.h"

G_BEGIN_DECLS

char    *milk_bill_check_setting_name (MilkDay             month);
char    *milk_bill_explain            (const MilkBill     *bill,
                                       gint64              asked,
                                       const MilkCurrency *currency);

G_END_DECLS
