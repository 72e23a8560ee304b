/* milk-day.h — calendar days as plain integers
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A day is its Julian day number as GDate counts it (0001-01-01 is 1), so
 * days compare and subtract as integers. 0 is never a valid day. */
typedef guint32 MilkDay;

#define MILK_DAY_INVALID ((MilkDay) 0)
#define MILK_DAY_MIN_YEAR 1900
#define MILK_DAY_MAX_YEAR 9999

MilkDay   milk_day_from_ymd      (int          year,
                                  int          month,
                                  int          day);
gboolean  milk_day_get_ymd       (MilkDay      day,
                                  int         *year,
                                  int         *month,
                                  int         *mday);
MilkDay   milk_day_parse         (const char  *text,
                                  GError     **error);
char     *milk_day_to_string     (MilkDay      day);
void      milk_day_format_iso    (MilkDay      day,
                                  char         buf[11]);
gboolean  milk_day_is_valid      (MilkDay      day);
MilkDay   milk_day_today         (void);
int       milk_day_weekday       (MilkDay      day);
MilkDay   milk_day_month_first   (int          year,
                                  int          month);
MilkDay   milk_day_month_last    (int          year,
                                  int          month);
int       milk_days_in_month     (int          year,
                                  int          month);

/* A month is the day it begins on; written "YYYY-MM". */
MilkDay   milk_day_parse_month   (const char  *text);
void      milk_day_format_month  (MilkDay      day,
                                  char         buf[8]);
gboolean  milk_day_is_month_start (MilkDay     day);
MilkDay   milk_day_month_of      (MilkDay      day);
MilkDay   milk_day_next_month    (MilkDay      month);

G_END_DECLS
