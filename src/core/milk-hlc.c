/* milk-hlc.c — the hybrid logical clock that orders every change
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-core"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "milk-error.h"
#include "milk-hlc.h"

#define MAX_WALL_MS G_GINT64_CONSTANT (9999999999999)
#define MAX_COUNTER 0xffff

struct _MilkHlc
{
  MilkHlcStamp last;
  MilkClockFunc clock;
  gpointer clock_data;
  gint64 offset_ms;   /* the reference (the service's) clock minus ours */
};

static gint64
real_clock (gpointer user_data)
{
  return g_get_real_time () / 1000;
}

MilkHlc *
milk_hlc_new (guint64       node,
              MilkClockFunc clock,
              gpointer      clock_data)
{
  MilkHlc *self = g_new0 (MilkHlc, 1);

  self->last.node = node;
  self->clock = clock ? clock : real_clock;
  self->clock_data = clock_data;
  return self;
}

void
milk_hlc_free (MilkHlc *self)
{
  g_free (self);
}

guint64
milk_hlc_get_node (MilkHlc *self)
{
  return self->last.node;
}

/* The device's own clock, as it reads, uncorrected. */
gint64
milk_hlc_get_local_time (MilkHlc *self)
{
  return self->clock (self->clock_data);
}

/* Device clocks are off by hours or days; the service's is the reference,
 * so stamps are taken from the device's clock corrected by the last known
 * difference between the two. */
void
milk_hlc_set_offset (MilkHlc *self,
                     gint64   offset_ms)
{
  self->offset_ms = CLAMP (offset_ms, -MAX_WALL_MS, MAX_WALL_MS);
}

gint64
milk_hlc_get_offset (MilkHlc *self)
{
  return self->offset_ms;
}

static gint64
physical_now (MilkHlc *self)
{
  return CLAMP (self->clock (self->clock_data) + self->offset_ms, 0, MAX_WALL_MS);
}

/* The counter is four hex digits; past it, borrow a millisecond so the
 * clock still only moves forward. */
static void
bump_counter (MilkHlc *self,
              guint32  from)
{
  if (from >= MAX_COUNTER && self->last.wall_ms >= MAX_WALL_MS)
    self->last.counter = MAX_COUNTER; /* the year 2286: saturate */
  else if (from >= MAX_COUNTER)
    {
      self->last.wall_ms++;
      self->last.counter = 0;
    }
  else
    self->last.counter = from + 1;
}

void
milk_hlc_now (MilkHlc      *self,
              MilkHlcStamp *stamp)
{
  gint64 pt = physical_now (self);

  if (pt > self->last.wall_ms)
    {
      self->last.wall_ms = pt;
      self->last.counter = 0;
    }
  else
    bump_counter (self, self->last.counter);

  *stamp = self->last;
}

/* Folds in a stamp seen from another device, so that anything stamped here
 * afterwards sorts after it. A stamp more than a day ahead of the corrected
 * clock is refused: the service refuses such stamps from devices, so one
 * here means a clock gone wrong, and it must not drag this clock with it. */
gboolean
milk_hlc_receive (MilkHlc            *self,
                  const MilkHlcStamp *remote,
                  GError            **error)
{
  gint64 pt = physical_now (self);
  gint64 wall;

  if (remote->wall_ms > pt + MILK_HLC_MAX_DRIFT_MS)
    {
      g_set_error (error, MILK_ERROR, MILK_ERROR_CLOCK_DRIFT,
                   _("A change is stamped more than a day in the future"));
      return FALSE;
    }

  wall = MAX (MAX (self->last.wall_ms, remote->wall_ms), pt);
  if (wall == self->last.wall_ms && wall == remote->wall_ms)
    bump_counter (self, MAX (self->last.counter, remote->counter));
  else if (wall == self->last.wall_ms)
    bump_counter (self, self->last.counter);
  else if (wall == remote->wall_ms)
    {
      self->last.wall_ms = wall;
      bump_counter (self, remote->counter);
    }
  else
    {
      self->last.wall_ms = wall;
      self->last.counter = 0;
    }
  return TRUE;
}

/* Restores the last stamp issued before a restart, whatever the wall
 * clock now says. */
void
milk_hlc_restore (MilkHlc            *self,
                  const MilkHlcStamp *last)
{
  if (last->wall_ms > self->last.wall_ms ||
      (last->wall_ms == self->last.wall_ms && last->counter > self->last.counter))
    {
      self->last.wall_ms = last->wall_ms;
      self->last.counter = last->counter;
    }
}

void
milk_hlc_get_last (MilkHlc      *self,
                   MilkHlcStamp *stamp)
{
  *stamp = self->last;
}

/* Starts the clock again as a new replica @node, from @floor (or from
 * nothing): what a device does when its saved clock is far in the future. */
void
milk_hlc_reset (MilkHlc            *self,
                guint64             node,
                const MilkHlcStamp *floor)
{
  self->last.node = node;
  self->last.wall_ms = floor ? floor->wall_ms : 0;
  self->last.counter = floor ? floor->counter : 0;
}

/* A stamp for a version that replaces @replaced: always greater than it,
 * whatever this device's clock says, so the edit wins on every replica.
 * The replaced stamp is folded in first, so the clock stays past it. One
 * too far ahead to fold still gets a greater stamp for this edit alone,
 * leaving the clock where it was. */
void
milk_hlc_now_above (MilkHlc            *self,
                    const MilkHlcStamp *replaced,
                    MilkHlcStamp       *stamp)
{
  MilkHlcStamp issued;

  milk_hlc_receive (self, replaced, NULL);
  milk_hlc_now (self, stamp);
  if (milk_hlc_stamp_compare (stamp, replaced) > 0)
    return;

  issued = self->last;
  self->last.wall_ms = replaced->wall_ms;
  bump_counter (self, replaced->counter);
  *stamp = self->last;
  self->last = issued;
}

static gboolean
parse_hex (const char *p,
           guint       n,
           guint64    *out)
{
  guint64 value = 0;

  for (guint i = 0; i < n; i++)
    {
      int v = g_ascii_xdigit_value (p[i]);

      if (v < 0 || g_ascii_isupper (p[i]))
        return FALSE;
      value = (value << 4) | (guint64) v;
    }
  *out = value;
  return TRUE;
}

gboolean
milk_hlc_node_parse (const char *text,
                     guint64    *node)
{
  return text != NULL && strlen (text) == 16 && parse_hex (text, 16, node);
}

gboolean
milk_hlc_stamp_parse (const char    *text,
                      MilkHlcStamp  *stamp,
                      GError       **error)
{
  gint64 wall = 0;
  guint64 counter, node;

  if (text == NULL || strlen (text) != MILK_HLC_STRING_LEN || text[13] != '-' || text[18] != '-')
    goto bad;

  for (guint i = 0; i < 13; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        goto bad;
      wall = wall * 10 + (text[i] - '0');
    }
  if (!parse_hex (text + 14, 4, &counter) || !parse_hex (text + 19, 16, &node))
    goto bad;

  stamp->wall_ms = wall;
  stamp->counter = (guint32) counter;
  stamp->node = node;
  return TRUE;

bad:
  g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_HLC,
               _("A change carries a malformed clock stamp"));
  return FALSE;
}

void
milk_hlc_stamp_format (const MilkHlcStamp *stamp,
                       char                buf[MILK_HLC_STRING_LEN + 1])
{
  g_snprintf (buf, MILK_HLC_STRING_LEN + 1, "%013" G_GINT64_FORMAT "-%04x-%016" G_GINT64_MODIFIER "x",
              CLAMP (stamp->wall_ms, 0, MAX_WALL_MS), stamp->counter & MAX_COUNTER, stamp->node);
}

int
milk_hlc_stamp_compare (const MilkHlcStamp *a,
                        const MilkHlcStamp *b)
{
  if (a->wall_ms != b->wall_ms)
    return a->wall_ms < b->wall_ms ? -1 : 1;
  if (a->counter != b->counter)
    return a->counter < b->counter ? -1 : 1;
  if (a->node != b->node)
    return a->node < b->node ? -1 : 1;
  return 0;
}
