/* milk-price-schedule.c — prices effective from a day on
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-core"

#include "config.h"

#include "milk-price-schedule.h"

typedef struct
{
  MilkDay from;
  gint64 price_per_l;
} Change;

struct _MilkPriceSchedule
{
  GArray *changes; /* of Change, sorted by from, unique */
};

MilkPriceSchedule *
milk_price_schedule_new (void)
{
  MilkPriceSchedule *self = g_new0 (MilkPriceSchedule, 1);

  self->changes = g_array_new (FALSE, FALSE, sizeof (Change));
  return self;
}

void
milk_price_schedule_free (MilkPriceSchedule *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->changes);
  g_free (self);
}

/* Index of the last change whose day is <= day, or -1. */
static int
find_at_or_before (const MilkPriceSchedule *self,
                   MilkDay                  day)
{
  int lo = 0, hi = (int) self->changes->len - 1, found = -1;

  while (lo <= hi)
    {
      int mid = lo + (hi - lo) / 2;

      if (g_array_index (self->changes, Change, mid).from <= day)
        {
          found = mid;
          lo = mid + 1;
        }
      else
        hi = mid - 1;
    }
  return found;
}

void
milk_price_schedule_set (MilkPriceSchedule *self,
                         MilkDay            from,
                         gint64             price_per_l)
{
  Change change = { from, price_per_l };
  int at;

  g_return_if_fail (self != NULL);
  g_return_if_fail (milk_day_is_valid (from));

  at = find_at_or_before (self, from);
  if (at >= 0 && g_array_index (self->changes, Change, at).from == from)
    g_array_index (self->changes, Change, at).price_per_l = price_per_l;
  else
    g_array_insert_val (self->changes, at + 1, change);
}

gboolean
milk_price_schedule_remove (MilkPriceSchedule *self,
                            MilkDay            from)
{
  int at = find_at_or_before (self, from);

  if (at < 0 || g_array_index (self->changes, Change, at).from != from)
    return FALSE;
  g_array_remove_index (self->changes, at);
  return TRUE;
}

/* The price in force on day, or -1 when no price had been set by then. */
gint64
milk_price_schedule_lookup (const MilkPriceSchedule *self,
                            MilkDay                  day)
{
  int at = find_at_or_before (self, day);

  return at < 0 ? -1 : g_array_index (self->changes, Change, at).price_per_l;
}

guint
milk_price_schedule_get_n_changes (const MilkPriceSchedule *self)
{
  return self->changes->len;
}

void
milk_price_schedule_get_change (const MilkPriceSchedule *self,
                                guint                    n,
                                MilkDay                 *from,
                                gint64                  *price_per_l)
{
  const Change *change;

  g_return_if_fail (n < self->changes->len);

  change = &g_array_index (self->changes, Change, n);
  if (from)
    *from = change->from;
  if (price_per_l)
    *price_per_l = change->price_per_l;
}
