/* milk-day.c — calendar days as plain integers
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-core"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "milk-day.h"
#include "milk-error.h"

static gboolean
year_in_range (int year)
{
  return year >= MILK_DAY_MIN_YEAR && year <= MILK_DAY_MAX_YEAR;
}

MilkDay
milk_day_from_ymd (int year,
                   int month,
                   int mday)
{
  GDate date;

  if (!year_in_range (year) || month < 1 || month > 12 || mday < 1 || mday > 31)
    return MILK_DAY_INVALID;
  if (!g_date_valid_dmy (mday, month, year))
    return MILK_DAY_INVALID;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, mday, month, year);
  return g_date_get_julian (&date);
}

gboolean
milk_day_is_valid (MilkDay day)
{
  return milk_day_get_ymd (day, NULL, NULL, NULL);
}

gboolean
milk_day_get_ymd (MilkDay  day,
                  int     *year,
                  int     *month,
                  int     *mday)
{
  GDate date;

  if (day == MILK_DAY_INVALID || !g_date_valid_julian (day))
    return FALSE;

  g_date_clear (&date, 1);
  g_date_set_julian (&date, day);
  if (!year_in_range (g_date_get_year (&date)))
    return FALSE;

  if (year)
    *year = g_date_get_year (&date);
  if (month)
    *month = g_date_get_month (&date);
  if (mday)
    *mday = g_date_get_day (&date);
  return TRUE;
}

static int
digits (const char *p,
        guint       n)
{
  int value = 0;

  for (guint i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (p[i]))
        return -1;
      value = value * 10 + (p[i] - '0');
    }
  return value;
}

/* Strictly YYYY-MM-DD: the form the protocol, the store and the CSV use. */
MilkDay
milk_day_parse (const char  *text,
                GError     **error)
{
  int year, month, mday;
  MilkDay day;

  if (text == NULL || strlen (text) != 10 || text[4] != '-' || text[7] != '-' ||
      (year = digits (text, 4)) < 0 ||
      (month = digits (text + 5, 2)) < 0 ||
      (mday = digits (text + 8, 2)) < 0)
    {
      g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_DAY,
                   _("A day must be written as YYYY-MM-DD"));
      return MILK_DAY_INVALID;
    }

  day = milk_day_from_ymd (year, month, mday);
  if (day == MILK_DAY_INVALID)
    {
      g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_DAY,
                   _("%s is not a day in the calendar"), text);
      return MILK_DAY_INVALID;
    }
  return day;
}

void
milk_day_format_iso (MilkDay day,
                     char    buf[11])
{
  int y, m, d;

  if (!milk_day_get_ymd (day, &y, &m, &d))
    {
      buf[0] = '\0';
      return;
    }
  g_snprintf (buf, 11, "%04d-%02d-%02d", y, m, d);
}

char *
milk_day_to_string (MilkDay day)
{
  char buf[11];

  milk_day_format_iso (day, buf);
  return g_strdup (buf);
}

MilkDay
milk_day_today (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return milk_day_from_ymd (g_date_time_get_year (now),
                            g_date_time_get_month (now),
                            g_date_time_get_day_of_month (now));
}

/* 1 = Monday ... 7 = Sunday, as GDateWeekday. */
int
milk_day_weekday (MilkDay day)
{
  GDate date;

  g_return_val_if_fail (milk_day_is_valid (day), 0);

  g_date_clear (&date, 1);
  g_date_set_julian (&date, day);
  return g_date_get_weekday (&date);
}

int
milk_days_in_month (int year,
                    int month)
{
  if (!year_in_range (year) || month < 1 || month > 12)
    return 0;
  return g_date_get_days_in_month (month, year);
}

MilkDay
milk_day_month_first (int year,
                      int month)
{
  return milk_day_from_ymd (year, month, 1);
}

MilkDay
milk_day_month_last (int year,
                     int month)
{
  return milk_day_from_ymd (year, month, milk_days_in_month (year, month));
}

/* "2026-09" is 2026-09-01; MILK_DAY_INVALID for anything else. */
MilkDay
milk_day_parse_month (const char *text)
{
  int year, month;

  if (text == NULL || strlen (text) != 7 || text[4] != '-' ||
      (year = digits (text, 4)) < 0 || (month = digits (text + 5, 2)) < 0)
    return MILK_DAY_INVALID;
  return milk_day_month_first (year, month);
}

void
milk_day_format_month (MilkDay day,
                       char    buf[8])
{
  int year = 0, month = 0;

  milk_day_get_ymd (day, &year, &month, NULL);
  g_snprintf (buf, 8, "%04d-%02d", year % 10000, month % 100);
}

gboolean
milk_day_is_month_start (MilkDay day)
{
  int mday;

  return milk_day_get_ymd (day, NULL, NULL, &mday) && mday == 1;
}

/* The first day of the month @day is in. */
MilkDay
milk_day_month_of (MilkDay day)
{
  int mday;

  if (!milk_day_get_ymd (day, NULL, NULL, &mday))
    return MILK_DAY_INVALID;
  return day - (mday - 1);
}

/* The first day of the month after the one @month is in. */
MilkDay
milk_day_next_month (MilkDay month)
{
  int year, number;

  if (!milk_day_get_ymd (month, &year, &number, NULL))
    return MILK_DAY_INVALID;
  return number == 12 ? milk_day_month_first (year + 1, 1) : milk_day_month_first (year, number + 1);
}
