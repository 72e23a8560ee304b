/* milk-sync-bench.c — sync end to end: the app's sync service against the
 * real service and PostgreSQL on loopback
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>

#include <glib/gstdio.h>

#include "milk-account.h"
#include "milk-server-test.h"
#include "milk-sync-service.h"
#include "milk-token-store.h"

typedef struct
{
  char *dir;
  MilkStore *store;
  MilkAccount *account;
  MilkSyncService *sync;
} Device;

static gboolean done;

static void
finished (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error) && user_data == NULL)
    g_error ("%s", error->message);
  done = TRUE;
}

static void
wait (void)
{
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  done = FALSE;
}

static void
device_init (Device          *d,
             MilkTestServer  *server,
             MilkTestAccount *owner)
{
  g_autofree char *path = NULL;
  g_autoptr(MilkTokens) tokens = NULL;

  d->dir = g_dir_make_tmp ("milk-sync-bench-XXXXXX", NULL);
  path = g_build_filename (d->dir, "diary.sqlite", NULL);
  d->store = milk_store_new (path, NULL);
  g_assert_nonnull (d->store);

  /* Signed in with the account's tokens, kept in the session keyring. */
  tokens = milk_tokens_new (owner->access_token, owner->refresh_token, g_get_real_time () / G_USEC_PER_SEC + 3000);
  milk_token_store_save_async (server->url, milk_store_get_node (d->store), tokens, NULL, finished, NULL);
  wait ();
  d->account = milk_account_new (server->url, milk_store_get_node (d->store));
  milk_account_load_async (d->account, NULL, (GAsyncReadyCallback) finished, NULL);
  wait ();
  g_assert_true (milk_account_get_signed_in (d->account));
  d->sync = milk_sync_service_new (d->store, d->account);
}

static double
timed_sync (Device *d,
            guint  *requests)
{
  guint before = milk_sync_service_get_requests (d->sync);
  gint64 start = g_get_monotonic_time ();

  milk_sync_service_sync_async (d->sync, NULL, (GAsyncReadyCallback) finished, NULL);
  wait ();
  *requests = milk_sync_service_get_requests (d->sync) - before;
  return (g_get_monotonic_time () - start) / 1000.0;
}

static void
ten_years (Device *d)
{
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  g_autoptr(MilkRecord) buffalo = milk_store_add_product (d->store, "Buffalo milk", 500, NULL);
  MilkDay first = milk_day_today () - 3652;

  for (MilkDay day = first; day < first + 3650; day++)
    for (int p = 0; p < 2; p++)
      {
        MilkRecord *entry = milk_record_new (MILK_RECORD_ENTRY);

        entry->id = g_strdup (p ? buffalo->id : MILK_DEFAULT_PRODUCT_ID);
        entry->day = day;
        entry->qty_ml = 500 + (day % 3) * 250;
        g_ptr_array_add (batch, entry);
      }
  if (!milk_store_put_many (d->store, batch, NULL))
    g_error ("could not fill the diary");
}

static void
row (const char *name,
     double      ms,
     guint       requests,
     const char *goal,
     gboolean    ok)
{
  g_print ("%-46s %10.1f %9u   %-10s %s\n", name, ms, requests, goal, ok ? "ok" : "OVER");
}

int
main (int   argc,
      char *argv[])
{
  MilkTestServer *server;
  g_autoptr(MilkTestAccount) owner = NULL;
  Device a = { 0 }, b = { 0 };
  guint requests;
  double ms;

  if (!milk_test_init (&argc, &argv))
    return 0;
  server = milk_test_server_start (NULL);
  owner = milk_test_account_new (server, "bench@example.org");

  device_init (&a, server, owner);
  ten_years (&a);
  g_print ("%-46s %10s %9s   %-10s\n", "sync, end to end", "ms", "requests", "goal");
  ms = timed_sync (&a, &requests);
  row ("first push of 10 years x 2 products (7,300)", ms, requests, "", TRUE);

  device_init (&b, server, owner);
  ms = timed_sync (&b, &requests);
  row ("first sync of a fresh device (pulls 7,300)", ms, requests, "< 1000 ms", ms < 1000);
  ms = timed_sync (&b, &requests);
  row ("no-op sync", ms, requests, "< 20 ms, 1", ms < 20 && requests == 1);
  milk_store_set_entry (b.store, MILK_DEFAULT_PRODUCT_ID, milk_day_today (), 1250, MILK_NO_PRICE, NULL, NULL);
  ms = timed_sync (&b, &requests);
  row ("one-edit sync", ms, requests, "< 20 ms, 1", ms < 20 && requests == 1);

  g_clear_object (&a.sync);
  g_clear_object (&b.sync);
  g_clear_object (&a.account);
  g_clear_object (&b.account);
  g_clear_object (&a.store);
  g_clear_object (&b.store);
  milk_test_server_stop (server, SIGTERM);
  milk_test_cleanup ();
  return 0;
}
