/* milk-async-test-util.c — waiting for the app's async calls in tests
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "milk-async-test-util.h"

/* A GAsyncReadyCallback for any call whose _finish is a boolean GTask. */
void
milk_test_wait_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  MilkTestWait *wait = user_data;

  wait->ok = g_task_propagate_boolean (G_TASK (result), &wait->error);
  wait->done = TRUE;
}

/* Runs the main loop until the call is done; a minute without it fails. */
void
milk_test_wait (MilkTestWait *wait)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!wait->done)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (200);
      if (g_get_monotonic_time () > deadline)
        g_error ("Nothing happened for a minute");
    }
}
