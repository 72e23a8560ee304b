/* milk-server-diary.h — an account's diary, for its bills
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

#include "milk-ledger.h"
#include "milk-record.h"

G_BEGIN_DECLS

typedef struct
{
  GPtrArray *records;      /* owns them all */
  GPtrArray *products;     /* by position, archived too */
  GPtrArray *entries;
  GPtrArray *payments;     /* by day, then id, as the store lists them */
  GHashTable *schedules;   /* product id → MilkPriceSchedule */
  const char *currency;    /* NULL: not set */
} MilkAccountDiary;

MilkAccountDiary *milk_account_diary_load   (PGconn           *conn,
                                           gint64            account_id,
                                           GError          **error);
MilkLedger       *milk_account_diary_ledger (MilkAccountDiary *diary);
void              milk_account_diary_free   (MilkAccountDiary *diary);
MilkRecord       *milk_account_diary_default_product (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MilkAccountDiary, milk_account_diary_free)

G_END_DECLS
