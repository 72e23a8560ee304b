/* test-reminder.c — the daily reminder: when it speaks, and what "Usual" does
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "milk-reminder.h"
#include "milk-test-util.h"

#define MILK MILK_DEFAULT_PRODUCT_ID

typedef struct
{
  MilkTestDir dir;
  MilkStore *store;
  MilkReminder *reminder;
  guint reminded;
} Fixture;

static void
count_reminder (MilkReminder  *reminder,
                GNotification *notification,
                Fixture       *f)
{
  g_assert_true (G_IS_NOTIFICATION (notification));
  f->reminded++;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  milk_test_dir_init (&f->dir);
  f->store = milk_test_store_new (&f->dir);
  f->reminder = milk_reminder_new (f->store, NULL);
  g_signal_connect (f->reminder, "remind", G_CALLBACK (count_reminder), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->reminder);
  g_clear_object (&f->store);
  milk_test_dir_clear (&f->dir);
}

static void
test_reminds_when_unrecorded (Fixture       *f,
                              gconstpointer  data)
{
  g_assert_true (milk_reminder_check (f->reminder));
  g_assert_cmpuint (f->reminded, ==, 1);
}

/* Nothing is shown when today is already recorded — "no delivery" too. */
static void
test_silent_when_recorded (Fixture       *f,
                           gconstpointer  data)
{
  g_assert_true (milk_store_set_entry (f->store, MILK, milk_day_today (), 0, MILK_NO_PRICE, NULL, NULL));
  g_assert_false (milk_reminder_check (f->reminder));
  g_assert_cmpuint (f->reminded, ==, 0);
}

static void
test_silent_only_when_every_product_recorded (Fixture       *f,
                                              gconstpointer  data)
{
  g_autoptr(MilkRecord) buffalo = milk_store_add_product (f->store, "Buffalo", 500, NULL);

  g_assert_true (milk_store_set_entry (f->store, MILK, milk_day_today (), 1000, MILK_NO_PRICE, NULL, NULL));
  g_assert_true (milk_reminder_check (f->reminder));
  g_assert_true (milk_store_set_entry (f->store, buffalo->id, milk_day_today (), 500, MILK_NO_PRICE, NULL, NULL));
  g_assert_false (milk_reminder_check (f->reminder));
  g_assert_cmpuint (f->reminded, ==, 1);
}

/* "Usual" is the application action the notification's button names:
 * today's weekday quantity, recorded without a window. */
static void
test_usual_action_records_today (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GSimpleActionGroup) app_actions = g_simple_action_group_new ();
  g_autoptr(MilkRecord) milk = milk_store_get (f->store, MILK_RECORD_PRODUCT, MILK, NULL);
  g_autoptr(MilkRecord) entry = NULL;
  MilkDay today = milk_day_today ();

  milk->has_weekday_qty = TRUE;
  for (int i = 0; i < 7; i++)
    milk->weekday_qty_ml[i] = 1000 + 250 * i;
  g_assert_true (milk_store_put (f->store, milk, NULL));

  milk_reminder_add_actions (f->reminder, G_ACTION_MAP (app_actions));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app_actions), "record-usual"));
  g_action_group_activate_action (G_ACTION_GROUP (app_actions), "record-usual", NULL);

  entry = milk_store_get_entry (f->store, MILK, today, NULL);
  g_assert_nonnull (entry);
  g_assert_cmpint (entry->qty_ml, ==, 1000 + 250 * (milk_day_weekday (today) - 1));
  g_assert_false (milk_reminder_check (f->reminder));
}

static void
test_parse_time (void)
{
  int minutes = 0;

  g_assert_true (milk_reminder_parse_time ("20:00", &minutes));
  g_assert_cmpint (minutes, ==, 1200);
  g_assert_true (milk_reminder_parse_time ("7:05", &minutes));
  g_assert_cmpint (minutes, ==, 425);
  g_assert_false (milk_reminder_parse_time ("24:00", &minutes));
  g_assert_false (milk_reminder_parse_time ("20:60", &minutes));
  g_assert_false (milk_reminder_parse_time ("8 pm", &minutes));
  g_assert_false (milk_reminder_parse_time ("20:00x", &minutes));
  g_assert_false (milk_reminder_parse_time (NULL, &minutes));
}

/* Outside Flatpak the desktop starts the background instance at login. */
static void
test_autostart_entry (void)
{
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "autostart",
                                            APPLICATION_ID "-reminder.desktop", NULL);
  g_autofree char *contents = NULL;

  g_assert_true (milk_reminder_set_autostart (TRUE, NULL));
  contents = milk_test_read_file (path, NULL);
  g_assert_nonnull (strstr (contents, "Exec=milk-diary --background"));
  g_assert_true (milk_reminder_set_autostart (FALSE, NULL));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *config = g_dir_make_tmp ("milk-reminder-config-XXXXXX", NULL);
  int status;

  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ("/reminder/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("reminds-when-unrecorded", test_reminds_when_unrecorded);
  ADD ("silent-when-recorded", test_silent_when_recorded);
  ADD ("silent-only-when-every-product-recorded", test_silent_only_when_every_product_recorded);
  ADD ("usual-action-records-today", test_usual_action_records_today);
#undef ADD
  g_test_add_func ("/reminder/parse-time", test_parse_time);
  g_test_add_func ("/reminder/autostart-entry", test_autostart_entry);

  status = g_test_run ();
  {
    g_autofree char *autostart = g_build_filename (config, "autostart", NULL);
    g_rmdir (autostart);
    g_rmdir (config);
  }
  return status;
}
