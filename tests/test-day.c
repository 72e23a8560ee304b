/* test-day.c — calendar days and price schedules
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "milk-core.h"

static void
test_parse_valid (void)
{
  const char *days[] = { "2026-11-24", "2024-02-29", "2000-02-29", "1900-01-01", "9999-12-31", "2026-12-31" };

  for (guint i = 0; i < G_N_ELEMENTS (days); i++)
    {
      g_autoptr(GError) error = NULL;
      MilkDay day = milk_day_parse (days[i], &error);
      g_autofree char *text = NULL;

      g_assert_no_error (error);
      text = milk_day_to_string (day);
      g_assert_cmpstr (text, ==, days[i]);
    }
}

static void
test_parse_invalid (void)
{
  const char *days[] = { "2026-02-30", "2026-02-29", "1900-02-29", "2026-13-01", "2026-00-10",
                         "2026-04-31", "2026-11-00", "26-11-24", "2026/11/24", "2026-1-24",
                         "24-11-2026", "", "2026-11-24x", "１９９９-01-01", "1899-12-31", "abcd-ef-gh" };

  for (guint i = 0; i < G_N_ELEMENTS (days); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", days[i]);
      g_assert_cmpuint (milk_day_parse (days[i], &error), ==, MILK_DAY_INVALID);
      g_assert_error (error, MILK_ERROR, MILK_ERROR_INVALID_DAY);
    }
  g_assert_cmpuint (milk_day_parse (NULL, NULL), ==, MILK_DAY_INVALID);
}

static void
test_arithmetic (void)
{
  MilkDay a = milk_day_from_ymd (2026, 2, 28);
  MilkDay b = milk_day_from_ymd (2026, 3, 1);
  int y, m, d;

  g_assert_cmpuint (b - a, ==, 1);
  g_assert_cmpint (milk_days_in_month (2024, 2), ==, 29);
  g_assert_cmpint (milk_days_in_month (2026, 2), ==, 28);
  g_assert_cmpint (milk_days_in_month (2026, 13), ==, 0);
  g_assert_cmpuint (milk_day_month_last (2026, 11), ==, milk_day_from_ymd (2026, 11, 30));
  g_assert_cmpint (milk_day_weekday (milk_day_from_ymd (2026, 11, 24)), ==, G_DATE_TUESDAY);
  g_assert_true (milk_day_get_ymd (b, &y, &m, &d));
  g_assert_cmpint (y, ==, 2026);
  g_assert_cmpint (m, ==, 3);
  g_assert_cmpint (d, ==, 1);
  g_assert_false (milk_day_is_valid (MILK_DAY_INVALID));
}

static void
test_schedule_lookup (void)
{
  g_autoptr(MilkPriceSchedule) schedule = milk_price_schedule_new ();

  g_assert_cmpint (milk_price_schedule_lookup (schedule, milk_day_from_ymd (2026, 1, 1)), ==, -1);

  /* Added out of order on purpose. */
  milk_price_schedule_set (schedule, milk_day_from_ymd (2026, 6, 1), 6000);
  milk_price_schedule_set (schedule, milk_day_from_ymd (2025, 1, 1), 5000);
  milk_price_schedule_set (schedule, milk_day_from_ymd (2026, 1, 15), 5650);

  g_assert_cmpint (milk_price_schedule_lookup (schedule, milk_day_from_ymd (2024, 12, 31)), ==, -1);
  g_assert_cmpint (milk_price_schedule_lookup (schedule, milk_day_from_ymd (2025, 1, 1)), ==, 5000);
  g_assert_cmpint (milk_price_schedule_lookup (schedule, milk_day_from_ymd (2026, 1, 14)), ==, 5000);
  g_assert_cmpint (milk_price_schedule_lookup (schedule, milk_day_from_ymd (2026, 1, 15)), ==, 5650);
  g_assert_cmpint (milk_price_schedule_lookup (schedule, milk_day_from_ymd (2026, 5, 31)), ==, 5650);
  g_assert_cmpint (milk_price_schedule_lookup (schedule, milk_day_from_ymd (2026, 6, 1)), ==, 6000);
  g_assert_cmpint (milk_price_schedule_lookup (schedule, milk_day_from_ymd (2030, 1, 1)), ==, 6000);
  g_assert_cmpuint (milk_price_schedule_get_n_changes (schedule), ==, 3);
}

static void
test_schedule_replace_remove (void)
{
  g_autoptr(MilkPriceSchedule) schedule = milk_price_schedule_new ();
  MilkDay from;
  gint64 price;

  milk_price_schedule_set (schedule, milk_day_from_ymd (2026, 1, 1), 5000);
  milk_price_schedule_set (schedule, milk_day_from_ymd (2026, 1, 1), 5200);
  g_assert_cmpuint (milk_price_schedule_get_n_changes (schedule), ==, 1);
  milk_price_schedule_get_change (schedule, 0, &from, &price);
  g_assert_cmpint (price, ==, 5200);
  g_assert_cmpuint (from, ==, milk_day_from_ymd (2026, 1, 1));

  g_assert_false (milk_price_schedule_remove (schedule, milk_day_from_ymd (2026, 1, 2)));
  g_assert_true (milk_price_schedule_remove (schedule, milk_day_from_ymd (2026, 1, 1)));
  g_assert_cmpint (milk_price_schedule_lookup (schedule, milk_day_from_ymd (2026, 2, 1)), ==, -1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/day/parse-valid", test_parse_valid);
  g_test_add_func ("/core/day/parse-invalid", test_parse_invalid);
  g_test_add_func ("/core/day/arithmetic", test_arithmetic);
  g_test_add_func ("/core/price-schedule/lookup", test_schedule_lookup);
  g_test_add_func ("/core/price-schedule/replace-remove", test_schedule_replace_remove);

  return g_test_run ();
}
