/* milk-bill.h — one month's bill: the figures every view of it shows
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "milk-day.h"
#include "milk-ledger.h"
#include "milk-price-schedule.h"
#include "milk-record.h"

G_BEGIN_DECLS

/* A day's entry for one product, priced. */
typedef struct
{
  MilkDay day;
  char *product;             /* the product's id */
  char *name;                /* the product's name */
  gint64 qty_ml;             /* 0: no delivery */
  gboolean split;            /* delivered morning and evening */
  gint64 morning_ml;         /* when split */
  gint64 evening_ml;
  gint64 price_per_l;        /* MILK_NO_PRICE when none is known */
  gboolean price_overridden; /* the day's own price, not the schedule's */
  gint64 amount;             /* 0 when not delivered or not priced */
  char *note;
} MilkBillLine;

/* What one product adds up to in the month. */
typedef struct
{
  char *product;
  char *name;
  gint64 qty_ml;
  gint64 amount;
  guint delivered_days;
  guint skipped_days;
  guint unpriced_days;
  guint split_days;          /* days delivered morning and evening */
  gint64 morning_ml;         /* on those days */
  gint64 evening_ml;
} MilkBillProduct;

/* A price in force during the month, and the day it began. */
typedef struct
{
  char *product;
  char *name;
  MilkDay from;
  gint64 price_per_l;
} MilkBillPrice;

typedef struct
{
  MilkDay month;               /* its first day */
  GPtrArray *lines;            /* MilkBillLine, by day, then product order */
  GPtrArray *products;         /* MilkBillProduct, products with entries */
  GPtrArray *prices;           /* MilkBillPrice */
  GPtrArray *payments;         /* MilkRecord, the payments applied to it */

  gint64 qty_ml;
  gint64 amount;
  guint delivered_days;        /* days with any delivery */
  guint skipped_days;          /* days recorded with none */
  guint unpriced_days;         /* delivery days with no price */
  gint64 average_ml;           /* per delivery day, to 10 ml */

  gint64 brought_forward;
  gint64 paid;
  gint64 balance_due;
  MilkBillState state;
} MilkBill;

gint64     milk_entry_price     (const MilkRecord        *entry,
                                 const MilkPriceSchedule *schedule);
gint64     milk_average_qty     (gint64                   qty_ml,
                                 guint                    days);

MilkBill  *milk_bill_new        (MilkDay                  month,
                                 GPtrArray               *products,
                                 GPtrArray               *entries,
                                 GHashTable              *schedules,
                                 MilkLedger              *ledger);
void       milk_bill_free       (MilkBill                *bill);
const char *milk_bill_state_to_string (MilkBillState      state);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MilkBill, milk_bill_free)

G_END_DECLS
