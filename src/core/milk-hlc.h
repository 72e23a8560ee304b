/* milk-hlc.h — the hybrid logical clock that orders every change
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "<13-digit ms>-<4-hex counter>-<16-hex node>": 35 characters that sort
 * as strings in the same order as the stamps. */
#define MILK_HLC_STRING_LEN 35
#define MILK_HLC_MAX_DRIFT_MS (G_GINT64_CONSTANT (24) * 3600 * 1000)

typedef struct
{
  gint64 wall_ms;
  guint32 counter;
  guint64 node;
} MilkHlcStamp;

typedef gint64 (*MilkClockFunc) (gpointer user_data);

typedef struct _MilkHlc MilkHlc;

MilkHlc  *milk_hlc_new            (guint64             node,
                                   MilkClockFunc       clock,
                                   gpointer            clock_data);
void      milk_hlc_free           (MilkHlc            *hlc);
guint64   milk_hlc_get_node       (MilkHlc            *hlc);
void      milk_hlc_now            (MilkHlc            *hlc,
                                   MilkHlcStamp       *stamp);
gboolean  milk_hlc_receive        (MilkHlc            *hlc,
                                   const MilkHlcStamp *remote,
                                   GError            **error);
void      milk_hlc_restore        (MilkHlc            *hlc,
                                   const MilkHlcStamp *last);
void      milk_hlc_get_last       (MilkHlc            *hlc,
                                   MilkHlcStamp       *stamp);
void      milk_hlc_now_above      (MilkHlc            *hlc,
                                   const MilkHlcStamp *replaced,
                                   MilkHlcStamp       *stamp);
void      milk_hlc_reset          (MilkHlc            *hlc,
                                   guint64             node,
                                   const MilkHlcStamp *floor);
gint64    milk_hlc_get_local_time (MilkHlc            *hlc);
void      milk_hlc_set_offset     (MilkHlc            *hlc,
                                   gint64              offset_ms);
gint64    milk_hlc_get_offset     (MilkHlc            *hlc);

gboolean  milk_hlc_stamp_parse    (const char         *text,
                                   MilkHlcStamp       *stamp,
                                   GError            **error);
void      milk_hlc_stamp_format   (const MilkHlcStamp *stamp,
                                   char                buf[MILK_HLC_STRING_LEN + 1]);
int       milk_hlc_stamp_compare  (const MilkHlcStamp *a,
                                   const MilkHlcStamp *b);
gboolean  milk_hlc_node_parse     (const char         *text,
                                   guint64            *node);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MilkHlc, milk_hlc_free)

G_END_DECLS
