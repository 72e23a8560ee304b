/* milk-store-monitor.h — notices what other processes write to a diary
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "milk-store.h"

G_BEGIN_DECLS

#define MILK_TYPE_STORE_MONITOR (milk_store_monitor_get_type ())

G_DECLARE_FINAL_TYPE (MilkStoreMonitor, milk_store_monitor, MILK, STORE_MONITOR, GObject)

MilkStoreMonitor *milk_store_monitor_new (MilkStore *store);

G_END_DECLS
