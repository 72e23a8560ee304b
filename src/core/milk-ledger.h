/* milk-ledger.h — every month's bill against every payment: what each
 * payment settles and what each bill still owes
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "milk-day.h"
#include "milk-record.h"

G_BEGIN_DECLS

typedef enum
{
  MILK_BILL_SETTLED,
  MILK_BILL_PARTLY_PAID,
  MILK_BILL_DUE,
} MilkBillState;

/* One month's bill as the payments leave it. Months are their first day. */
typedef struct
{
  MilkDay month;
  gint64 amount;           /* the month's deliveries */
  gint64 paid;             /* the payments applied to this bill */
  gint64 brought_forward;  /* what earlier bills still owe (below zero: overpaid) */
  gint64 balance_due;      /* brought_forward + amount - paid */
  MilkBillState state;
} MilkLedgerMonth;

typedef struct _MilkLedger MilkLedger;

MilkLedger *milk_ledger_new             (void);
void        milk_ledger_free            (MilkLedger       *ledger);
void        milk_ledger_add_amount      (MilkLedger       *ledger,
                                         MilkDay           month,
                                         gint64            amount);
void        milk_ledger_add_payment     (MilkLedger       *ledger,
                                         const MilkRecord *payment);
void        milk_ledger_get_month       (MilkLedger       *ledger,
                                         MilkDay           month,
                                         MilkLedgerMonth  *out);
MilkDay     milk_ledger_payment_bill    (MilkLedger       *ledger,
                                         const char       *payment_id);
GPtrArray  *milk_ledger_list_payments   (MilkLedger       *ledger,
                                         MilkDay           month);
MilkDay     milk_ledger_default_bill    (MilkLedger       *ledger,
                                         MilkDay           day);
GArray     *milk_ledger_list_unsettled  (MilkLedger       *ledger,
                                         MilkDay           day);
MilkBillState milk_ledger_state         (gint64            amount,
                                         gint64            paid,
                                         gint64            brought_forward);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MilkLedger, milk_ledger_free)

G_END_DECLS
