/* milk-store.h — the local diary: SQLite cache of every record
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "milk-core.h"

G_BEGIN_DECLS

#define MILK_STORE_ERROR (milk_store_error_quark ())

typedef enum
{
  MILK_STORE_ERROR_OPEN,
  MILK_STORE_ERROR_CORRUPT,
  MILK_STORE_ERROR_TOO_NEW,
  MILK_STORE_ERROR_FAILED,
  MILK_STORE_ERROR_INVALID,
} MilkStoreError;

/* What a bill counts over a span of days, for one product or all. */
typedef struct
{
  char *product;          /* NULL for the overall line */
  gint64 qty_ml;
  gint64 amount;
  guint delivered_days;   /* days with a quantity above zero */
  guint skipped_days;     /* days recorded as "no delivery" */
  guint unpriced_days;    /* delivered with no price known for the day */
} MilkTotals;

/* Rejection as the store lists it: the record that the server refused;
 * for a change that lost to a newer one from another device (code
 * "superseded"), the version that replaced it, and the one that lost. */
typedef struct
{
  MilkRecord *record;
  MilkRecord *lost;
  char *code;
  char *message;
} MilkStoreRejection;

/* What a committed transaction changed, as ::changed tells it. */
typedef enum
{
  MILK_STORE_CHANGE_PRODUCTS = 1 << 0,
  MILK_STORE_CHANGE_ENTRIES  = 1 << 1,
  MILK_STORE_CHANGE_PRICES   = 1 << 2,
  MILK_STORE_CHANGE_PAYMENTS = 1 << 3,
  MILK_STORE_CHANGE_SETTINGS = 1 << 4,
  MILK_STORE_CHANGE_SYNC     = 1 << 5,   /* pending, rejected or unreadable changes */
  MILK_STORE_CHANGE_ALL      = (1 << 6) - 1,
} MilkStoreChangeFlags;

/* @first and @last bound the days whose figures the entries, prices and
 * payments changed can alter: an entry its own day, a price or a payment
 * its day and every day after. Both are MILK_DAY_INVALID when none of
 * those changed; a change whose days are not known (another process
 * wrote, a backup was restored) spans every day. */
typedef struct
{
  MilkStoreChangeFlags what;
  MilkDay first;
  MilkDay last;
} MilkStoreChange;

#define MILK_STORE_CHANGE_LAST_DAY ((MilkDay) G_MAXUINT32)

#define MILK_TYPE_STORE_CHANGE (milk_store_change_get_type ())

GType              milk_store_change_get_type  (void) G_GNUC_CONST;
MilkStoreChange   *milk_store_change_copy      (const MilkStoreChange *change);
void               milk_store_change_free      (MilkStoreChange       *change);
gboolean           milk_store_change_touches   (const MilkStoreChange *change,
                                                MilkStoreChangeFlags   what,
                                                MilkDay                first,
                                                MilkDay                last);

#define MILK_TYPE_STORE (milk_store_get_type ())

G_DECLARE_FINAL_TYPE (MilkStore, milk_store, MILK, STORE, GObject)

GQuark             milk_store_error_quark      (void);

MilkStore         *milk_store_new              (const char   *path,
                                                GError      **error);
const char        *milk_store_get_path         (MilkStore    *self);
const char        *milk_store_get_node         (MilkStore    *self);
const char        *milk_store_get_replica_node (MilkStore    *self);

/* Every local write: stamps the clock, marks the record pending. */
gboolean           milk_store_put              (MilkStore    *self,
                                                MilkRecord   *record,
                                                GError      **error);
/* How far a long write has come: milk_store_put_many() calls it now and
 * then, from the thread that writes. */
typedef void (*MilkStoreProgressFunc) (guint    done,
                                       guint    total,
                                       gpointer user_data);

void               milk_store_set_progress_func (MilkStore            *self,
                                                 MilkStoreProgressFunc func,
                                                 gpointer              user_data);
gboolean           milk_store_put_many         (MilkStore    *self,
                                                GPtrArray    *records,
                                                GError      **error);
MilkRecord        *milk_store_get              (MilkStore    *self,
                                                MilkRecordType type,
                                                const char   *key,
                                                GError      **error);

/* Entries */
gboolean           milk_store_set_entry        (MilkStore    *self,
                                                const char   *product,
                                                MilkDay       day,
                                                gint64        qty_ml,
                                                gint64        price_override,
                                                const char   *note,
                                                GError      **error);
MilkRecord        *milk_store_get_entry        (MilkStore    *self,
                                                const char   *product,
                                                MilkDay       day,
                                                GError      **error);
gboolean           milk_store_delete_entry     (MilkStore    *self,
                                                const char   *product,
                                                MilkDay       day,
                                                GError      **error);
GPtrArray         *milk_store_list_entries     (MilkStore    *self,
                                                MilkDay       first,
                                                MilkDay       last,
                                                GError      **error);
gboolean           milk_store_has_entries      (MilkStore    *self);

GPtrArray         *milk_store_plan_usual_days  (MilkStore    *self,
                                                MilkDay       first,
                                                MilkDay       last,
                                                GError      **error);
GPtrArray         *milk_store_plan_leave       (MilkStore    *self,
                                                MilkDay       first,
                                                MilkDay       last,
                                                GPtrArray   **recorded,
                                                GError      **error);
GPtrArray         *milk_store_snapshot_entries (MilkStore    *self,
                                                GPtrArray    *plan,
                                                GError      **error);

/* Products, prices, payments, settings */
GPtrArray         *milk_store_list_products    (MilkStore    *self,
                                                gboolean      include_archived,
                                                GError      **error);
MilkRecord        *milk_store_add_product      (MilkStore    *self,
                                                const char   *name,
                                                gint64        default_qty_ml,
                                                GError      **error);
gboolean           milk_store_set_price        (MilkStore    *self,
                                                const char   *product,
                                                MilkDay       from,
                                                gint64        price_per_l,
                                                GError      **error);
gboolean           milk_store_remove_price     (MilkStore    *self,
                                                const char   *product,
                                                MilkDay       from,
                                                GError      **error);
MilkPriceSchedule *milk_store_get_price_schedule (MilkStore  *self,
                                                const char   *product,
                                                GError      **error);
char              *milk_store_add_payment      (MilkStore    *self,
                                                MilkDay       day,
                                                gint64        amount,
                                                const char   *note,
                                                GError      **error);
gboolean           milk_store_remove_payment   (MilkStore    *self,
                                                const char   *id,
                                                GError      **error);
GPtrArray         *milk_store_list_payments    (MilkStore    *self,
                                                MilkDay       first,
                                                MilkDay       last,
                                                GError      **error);
char              *milk_store_dup_setting      (MilkStore    *self,
                                                const char   *name);
gboolean           milk_store_set_setting      (MilkStore    *self,
                                                const char   *name,
                                                const char   *value,
                                                GError      **error);
const MilkCurrency *milk_store_get_currency    (MilkStore    *self);

/* Totals */
gboolean           milk_store_totals           (MilkStore    *self,
                                                MilkDay       first,
                                                MilkDay       last,
                                                MilkTotals   *overall,
                                                GPtrArray   **per_product,
                                                GError      **error);
gboolean           milk_store_month_totals     (MilkStore    *self,
                                                int           year,
                                                int           month,
                                                MilkTotals   *overall,
                                                GPtrArray   **per_product,
                                                GError      **error);
gboolean           milk_store_year_totals      (MilkStore    *self,
                                                int           year,
                                                MilkTotals   *overall,
                                                GPtrArray   **per_product,
                                                GError      **error);
gboolean           milk_store_all_time_totals  (MilkStore    *self,
                                                MilkTotals   *overall,
                                                GPtrArray   **per_product,
                                                GError      **error);
gboolean           milk_store_payments_total   (MilkStore    *self,
                                                MilkDay       first,
                                                MilkDay       last,
                                                gint64       *amount,
                                                GError      **error);
gboolean           milk_store_balance_due      (MilkStore    *self,
                                                MilkDay       through,
                                                gint64       *balance,
                                                GError      **error);
 /* Bills: milk-store-bill.c */
MilkLedger        *milk_store_build_ledger     (MilkStore    *self,
                                                GError      **error);
MilkBill          *milk_store_build_bill       (MilkStore    *self,
                                                int           year,
                                                int           month,
                                                GError      **error);
gboolean           milk_store_prepare_bill     (MilkStore    *self,
                                                int           year,
                                                int           month,
                                                GError      **error);
GPtrArray         *milk_store_build_year_bills (MilkStore    *self,
                                                int           year,
                                                GError      **error);
char              *milk_store_record_payment   (MilkStore    *self,
                                                MilkDay       day,
                                                gint64        amount,
                                                const char   *note,
                                                MilkDay       bill,
                                                MilkDay      *bill_out,
                                                GError      **error);
void               milk_totals_clear           (MilkTotals   *totals);
void               milk_totals_free            (MilkTotals   *totals);
void               milk_store_rejection_free   (MilkStoreRejection *rejection);

/* Sync */
GPtrArray         *milk_store_list_pending     (MilkStore    *self,
                                                guint         limit,
                                                GError      **error);
guint              milk_store_count_pending    (MilkStore    *self);
gboolean           milk_store_mark_synced      (MilkStore    *self,
                                                GPtrArray    *sent,
                                                GError      **error);
gboolean           milk_store_apply_remote     (MilkStore    *self,
                                                GPtrArray    *records,
                                                GError      **error);
gboolean           milk_store_set_service_time (MilkStore    *self,
                                                gint64        service_ms,
                                                GError      **error);
gint64             milk_store_get_clock_offset (MilkStore    *self);
char              *milk_store_dup_cursor       (MilkStore    *self);
gboolean           milk_store_set_cursor       (MilkStore    *self,
                                                const char   *cursor,
                                                GError      **error);
char              *milk_store_dup_instance     (MilkStore    *self);
gboolean           milk_store_set_instance     (MilkStore    *self,
                                                const char   *instance,
                                                GError      **error);
gboolean           milk_store_become_new_replica (MilkStore  *self,
                                                GError      **error);
gboolean           milk_store_mark_rejected    (MilkStore    *self,
                                                const MilkRecord *record,
                                                const char   *code,
                                                const char   *message,
                                                GError      **error);
GPtrArray         *milk_store_list_rejected    (MilkStore    *self,
                                                GError      **error);
gboolean           milk_store_keep_unreadable  (MilkStore    *self,
                                                GPtrArray    *changes,
                                                GError      **error);
GPtrArray         *milk_store_list_unreadable  (MilkStore    *self,
                                                GError      **error);
guint              milk_store_count_unreadable (MilkStore    *self);
gboolean           milk_store_reset_sync_state (MilkStore    *self,
                                                GError      **error);
gboolean           milk_store_clear_diary      (MilkStore    *self,
                                                GError      **error);
char              *milk_store_dup_synced_account (MilkStore  *self);
gboolean           milk_store_set_synced_account (MilkStore  *self,
                                                  const char *account,
                                                  GError    **error);
gboolean           milk_store_has_records      (MilkStore    *self);
gboolean           milk_store_save_copy        (MilkStore    *self,
                                                const char   *path,
                                                GError      **error);

/* Backup and restore */
GPtrArray         *milk_store_list_all         (MilkStore    *self,
                                                GPtrArray   **unreadable,
                                                GError      **error);
gboolean           milk_store_restore          (MilkStore    *self,
                                                GPtrArray    *records,
                                                GPtrArray    *unreadable,
                                                GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MilkTotals, milk_totals_free)

G_END_DECLS
