/* milk-store-follower.h — a view's refresh after the diary changes
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "milk-store.h"

G_BEGIN_DECLS

#define MILK_TYPE_STORE_FOLLOWER (milk_store_follower_get_type ())

G_DECLARE_FINAL_TYPE (MilkStoreFollower, milk_store_follower, MILK, STORE_FOLLOWER, GObject)

typedef void (*MilkStoreRefreshFunc) (gpointer view);

MilkStoreFollower *milk_store_follower_new (MilkStore            *store,
                                            MilkStoreChangeFlags  what,
                                            MilkStoreRefreshFunc  refresh,
                                            gpointer              view);

G_END_DECLS
