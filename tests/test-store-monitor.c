/* test-store-monitor.c — a window's diary notices another process's writes
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "milk-store-monitor.h"
#include "milk-test-util.h"

typedef struct
{
  guint changed;
  GMainLoop *loop;
  guint timeout_id;
} Watch;

static void
changed_cb (MilkStore             *store,
            const MilkStoreChange *change,
            Watch                 *watch)
{
  watch->changed++;
  g_main_loop_quit (watch->loop);
}

static gboolean
give_up_cb (gpointer data)
{
  Watch *watch = data;

  watch->timeout_id = 0;
  g_main_loop_quit (watch->loop);
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until ::changed or a second has passed. */
static void
wait_a_little (Watch *watch)
{
  watch->timeout_id = g_timeout_add (1000, give_up_cb, watch);
  g_main_loop_run (watch->loop);
  g_clear_handle_id (&watch->timeout_id, g_source_remove);
}

static void
test_other_writer (void)
{
  MilkTestDir dir;
  g_autoptr(MilkStore) window = NULL;
  g_autoptr(MilkStore) terminal = NULL;
  g_autoptr(MilkStoreMonitor) monitor = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  Watch watch = { 0, loop, 0 };

  milk_test_dir_init (&dir);
  window = milk_test_store_new (&dir);
  monitor = milk_store_monitor_new (window);
  g_signal_connect (window, "changed", G_CALLBACK (changed_cb), &watch);

  /* The window's own writes are its own signal's, once. */
  g_assert_true (milk_store_set_entry (window, MILK_DEFAULT_PRODUCT_ID, milk_test_day ("2026-11-24"),
                                       1000, MILK_NO_PRICE, NULL, &error));
  g_assert_cmpuint (watch.changed, ==, 1);
  wait_a_little (&watch);
  g_assert_cmpuint (watch.changed, ==, 1);

  /* `milk-diary --add` opens the file itself. */
  terminal = milk_store_new (dir.path, &error);
  g_assert_no_error (error);
  g_assert_true (milk_store_set_entry (terminal, MILK_DEFAULT_PRODUCT_ID, milk_test_day ("2026-11-25"),
                                       2000, MILK_NO_PRICE, NULL, &error));
  wait_a_little (&watch);
  g_assert_cmpuint (watch.changed, ==, 2);
  {
    g_autoptr(MilkRecord) seen = milk_store_get_entry (window, MILK_DEFAULT_PRODUCT_ID,
                                                       milk_test_day ("2026-11-25"), &error);
    g_assert_nonnull (seen);
    g_assert_cmpint (seen->qty_ml, ==, 2000);
  }

  /* Nothing written, nothing said. */
  wait_a_little (&watch);
  g_assert_cmpuint (watch.changed, ==, 2);

  g_clear_object (&terminal);
  g_clear_object (&monitor);
  g_clear_object (&window);
  milk_test_dir_clear (&dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/monitor/other-writer", test_other_writer);
  return g_test_run ();
}
