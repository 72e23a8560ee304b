/* milk-ledger.c — every month's bill against every payment: what each
 * payment settles and what each bill still owes
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-core"

#include "config.h"

#include "milk-ledger.h"

/* A payment pays one month's bill: the one it names, or else the oldest
 * bill that was not settled on the payment's day (counting the payments
 * made up to that day), or else the bill of the month it was made in.
 * Payments are taken in the order of their day, then their id, so every
 * replica applies them alike whatever order it received them in. */

typedef struct
{
  MilkDay month;
  gint64 amount;
  gint64 paid;     /* once settled */
  gint64 scratch;  /* while applying */
} Month;

struct _MilkLedger
{
  GHashTable *months;   /* MilkDay → Month */
  GArray *order;        /* MilkDay, ascending, once settled */
  GPtrArray *payments;  /* MilkRecord, by day then id once settled */
  GArray *applied;      /* MilkDay per payment, once settled */
  gboolean settled;
};

MilkLedger *
milk_ledger_new (void)
{
  MilkLedger *self = g_new0 (MilkLedger, 1);

  self->months = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->order = g_array_new (FALSE, FALSE, sizeof (MilkDay));
  self->payments = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  self->applied = g_array_new (FALSE, TRUE, sizeof (MilkDay));
  return self;
}

void
milk_ledger_free (MilkLedger *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->months);
  g_array_unref (self->order);
  g_ptr_array_unref (self->payments);
  g_array_unref (self->applied);
  g_free (self);
}

static Month *
ensure_month (MilkLedger *self,
              MilkDay     month)
{
  Month *m = g_hash_table_lookup (self->months, GUINT_TO_POINTER (month));

  if (m == NULL)
    {
      m = g_new0 (Month, 1);
      m->month = month;
      g_hash_table_insert (self->months, GUINT_TO_POINTER (month), m);
      self->settled = FALSE;
    }
  return m;
}

/* @month is any day of the month. */
void
milk_ledger_add_amount (MilkLedger *self,
                        MilkDay     month,
                        gint64      amount)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (milk_day_is_valid (month));

  ensure_month (self, milk_day_month_of (month))->amount += amount;
  self->settled = FALSE;
}

void
milk_ledger_add_payment (MilkLedger       *self,
                         const MilkRecord *payment)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (payment != NULL && payment->type == MILK_RECORD_PAYMENT);

  if (payment->deleted || !milk_day_is_valid (payment->day))
    return;
  ensure_month (self, milk_day_month_of (payment->day));
  if (payment->bill != MILK_DAY_INVALID)
    ensure_month (self, milk_day_month_of (payment->bill));
  g_ptr_array_add (self->payments, milk_record_copy (payment));
  self->settled = FALSE;
}

static int
compare_days (gconstpointer a,
              gconstpointer b)
{
  MilkDay x = *(const MilkDay *) a, y = *(const MilkDay *) b;

  return x < y ? -1 : x > y;
}

static int
compare_payments (gconstpointer a,
                  gconstpointer b)
{
  const MilkRecord *x = *(MilkRecord * const *) a;
  const MilkRecord *y = *(MilkRecord * const *) b;

  if (x->day != y->day)
    return x->day < y->day ? -1 : 1;
  return g_strcmp0 (x->id, y->id);
}

static Month *
month_at (MilkLedger *self,
          guint       i)
{
  return g_hash_table_lookup (self->months, GUINT_TO_POINTER (g_array_index (self->order, MilkDay, i)));
}

/* The bill a payment without one pays, given what is paid so far. */
static MilkDay
oldest_unsettled (MilkLedger *self,
                  MilkDay     day)
{
  MilkDay limit = milk_day_month_of (day);

  for (guint i = 0; i < self->order->len; i++)
    {
      Month *m = month_at (self, i);

      if (m->month > limit)
        break;
      if (m->amount - m->scratch > 0)
        return m->month;
    }
  return limit;
}

/* Applies the payments made up to @until (all of them for G_MAXUINT32) to
 * the months' scratch sums, and notes where each went in @applied. */
static void
apply (MilkLedger *self,
       MilkDay     until,
       GArray     *applied)
{
  GHashTableIter iter;
  Month *m;

  g_hash_table_iter_init (&iter, self->months);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &m))
    m->scratch = 0;

  for (guint i = 0; i < self->payments->len; i++)
    {
      MilkRecord *payment = g_ptr_array_index (self->payments, i);
      MilkDay bill;

      if (payment->day > until)
        break;
      bill = payment->bill != MILK_DAY_INVALID ? milk_day_month_of (payment->bill)
                                               : oldest_unsettled (self, payment->day);
      ((Month *) g_hash_table_lookup (self->months, GUINT_TO_POINTER (bill)))->scratch += payment->amount;
      if (applied)
        g_array_index (applied, MilkDay, i) = bill;
    }
}

static void
settle (MilkLedger *self)
{
  GHashTableIter iter;
  Month *m;

  if (self->settled)
    return;

  g_array_set_size (self->order, 0);
  g_hash_table_iter_init (&iter, self->months);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &m))
    g_array_append_val (self->order, m->month);
  g_array_sort (self->order, compare_days);
  g_ptr_array_sort (self->payments, compare_payments);
  g_array_set_size (self->applied, self->payments->len);

  apply (self, G_MAXUINT32, self->applied);
  g_hash_table_iter_init (&iter, self->months);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &m))
    m->paid = m->scratch;
  self->settled = TRUE;
}

/* @month is any day of the month. */
void
milk_ledger_get_month (MilkLedger      *self,
                       MilkDay          month,
                       MilkLedgerMonth *out)
{
  Month *own;

  g_return_if_fail (self != NULL && out != NULL);

  settle (self);
  month = milk_day_month_of (month);
  *out = (MilkLedgerMonth) { .month = month };
  for (guint i = 0; i < self->order->len; i++)
    {
      Month *m = month_at (self, i);

      if (m->month >= month)
        break;
      out->brought_forward += m->amount - m->paid;
    }
  own = g_hash_table_lookup (self->months, GUINT_TO_POINTER (month));
  if (own)
    {
      out->amount = own->amount;
      out->paid = own->paid;
    }
  out->balance_due = out->brought_forward + out->amount - out->paid;
  out->state = milk_ledger_state (out->amount, out->paid, out->brought_forward);
}

/* A bill is settled when its payments cover it, or a credit from earlier
 * bills does; partly paid when something went to it. */
MilkBillState
milk_ledger_state (gint64 amount,
                   gint64 paid,
                   gint64 brought_forward)
{
  if (amount - paid <= 0 || brought_forward + amount - paid <= 0)
    return MILK_BILL_SETTLED;
  if (paid > 0 || brought_forward < 0)
    return MILK_BILL_PARTLY_PAID;
  return MILK_BILL_DUE;
}

/* The month whose bill a payment pays; MILK_DAY_INVALID for none known. */
MilkDay
milk_ledger_payment_bill (MilkLedger *self,
                          const char *payment_id)
{
  g_return_val_if_fail (self != NULL, MILK_DAY_INVALID);

  settle (self);
  for (guint i = 0; i < self->payments->len; i++)
    if (g_strcmp0 (((MilkRecord *) g_ptr_array_index (self->payments, i))->id, payment_id) == 0)
      return g_array_index (self->applied, MilkDay, i);
  return MILK_DAY_INVALID;
}

/* The payments applied to a month's bill, by day: borrowed records. */
GPtrArray *
milk_ledger_list_payments (MilkLedger *self,
                           MilkDay     month)
{
  GPtrArray *list = g_ptr_array_new ();

  g_return_val_if_fail (self != NULL, list);

  settle (self);
  month = milk_day_month_of (month);
  for (guint i = 0; i < self->payments->len; i++)
    if (g_array_index (self->applied, MilkDay, i) == month)
      g_ptr_array_add (list, g_ptr_array_index (self->payments, i));
  return list;
}

/* The bill a new payment made on @day pays when the person names none. */
MilkDay
milk_ledger_default_bill (MilkLedger *self,
                          MilkDay     day)
{
  MilkDay bill;

  g_return_val_if_fail (self != NULL, MILK_DAY_INVALID);
  g_return_val_if_fail (milk_day_is_valid (day), MILK_DAY_INVALID);

  settle (self);
  apply (self, day, NULL);
  bill = oldest_unsettled (self, day);
  return bill;
}

/* The bills not settled on @day, oldest first (MilkDay each). */
GArray *
milk_ledger_list_unsettled (MilkLedger *self,
                            MilkDay     day)
{
  GArray *list = g_array_new (FALSE, FALSE, sizeof (MilkDay));
  MilkDay limit = milk_day_month_of (day);

  g_return_val_if_fail (self != NULL, list);

  settle (self);
  apply (self, day, NULL);
  for (guint i = 0; i < self->order->len; i++)
    {
      Month *m = month_at (self, i);

      if (m->month > limit)
        break;
      if (m->amount - m->scratch > 0)
        g_array_append_val (list, m->month);
    }
  return list;
}
