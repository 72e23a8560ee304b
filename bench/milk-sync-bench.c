/* milk-sync-bench.c — sync end to end: the app's sync service against the
 * real service and PostgreSQL on loopback
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include "milk-account.h"
#include "milk-bench-durable.h"
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

static gboolean all_ok = TRUE;

static void
row (const char *name,
     double      ms,
     guint       requests,
     const char *goal,
     gboolean    ok)
{
  g_print ("%-46s %10.1f %9u   %-12s %s\n", name, ms, requests, goal, ok ? "ok" : "OVER");
  all_ok &= ok;
}

/* One line per entry, sorted: what a checksum of a set of entries covers. */
static void
add_entry (GPtrArray        *lines,
           const MilkRecord *entry)
{
  g_autofree char *key = milk_record_dup_key (entry);

  g_ptr_array_add (lines, g_strdup_printf ("%s qty=%" G_GINT64_FORMAT " price=%" G_GINT64_FORMAT " note=%s "
                                           "deleted=%d", key, entry->qty_ml, entry->price_override,
                                           entry->note ? entry->note : "", entry->deleted));
}

static int
compare_line (gconstpointer a,
              gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static char *
checksum (GPtrArray *lines)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  g_ptr_array_sort (lines, compare_line);
  for (guint i = 0; i < lines->len; i++)
    {
      g_checksum_update (sum, (const guchar *) g_ptr_array_index (lines, i), -1);
      g_checksum_update (sum, (const guchar *) "\n", 1);
    }
  return g_strdup (g_checksum_get_string (sum));
}

/* The entries of a device's diary. */
static GPtrArray *
device_entries (Device *d)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) entries = milk_store_list_entries (d->store, milk_day_today () - 4000, milk_day_today (), NULL);

  g_assert_nonnull (entries);
  for (guint i = 0; i < entries->len; i++)
    add_entry (lines, g_ptr_array_index (entries, i));
  return lines;
}

/* The entries the service gives a device that has nothing, page by page. */
static GPtrArray *
service_entries (MilkTestServer  *server,
                 MilkTestAccount *owner)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(MilkTestClient) http = milk_test_client_new ();
  g_autofree char *cursor = NULL;

  for (int page = 0; page < 10000; page++)
    {
      g_autoptr(MilkSyncMessage) response = milk_test_sync (server, http, owner->access_token, cursor,
                                                            "00000000000000c5", NULL);

      for (guint i = 0; i < response->changes->len; i++)
        {
          MilkRecord *record = g_ptr_array_index (response->changes, i);

          if (record->type == MILK_RECORD_ENTRY)
            add_entry (lines, record);
        }
      g_free (cursor);
      cursor = g_strdup (response->cursor);
      if (!response->more)
        break;
    }
  return lines;
}

/* Whether @got holds what was sent, by count and checksum. */
static void
check_arrived (const char *name,
               GPtrArray  *sent,
               GPtrArray  *got)
{
  g_autofree char *sent_sum = checksum (sent);
  g_autofree char *got_sum = checksum (got);
  gboolean ok = got->len == sent->len && g_str_equal (sent_sum, got_sum);

  g_print ("%-46s %5u of %-5u sha256 %.12s %s   %s\n", name, got->len, sent->len, got_sum,
           g_str_equal (sent_sum, got_sum) ? "= sent" : "!= sent", ok ? "ok" : "WRONG");
  all_ok &= ok;
}

int
main (int   argc,
      char *argv[])
{
  MilkTestServer *server;
  g_autoptr(MilkTestAccount) owner = NULL;
  Device a = { 0 }, b = { 0 };
  g_autoptr(GPtrArray) sent = NULL;
  guint requests;
  double ms;

  if (!milk_test_init (&argc, &argv))
    return 0;
  server = milk_test_server_start (NULL);
  owner = milk_test_account_new (server, "bench@example.org");
  all_ok &= milk_bench_check_durable (server);

  device_init (&a, server, owner);
  ten_years (&a);
  sent = device_entries (&a);
  g_print ("%-46s %10s %9s   %-12s\n", "sync, end to end", "ms", "requests", "goal");
  ms = timed_sync (&a, &requests);
  row ("first push of 10 years x 2 products (7,300)", ms, requests, "< 1000 ms", ms < 1000);

  device_init (&b, server, owner);
  ms = timed_sync (&b, &requests);
  row ("first sync of a fresh device (pulls 7,300)", ms, requests, "< 1000 ms", ms < 1000);
  {
    g_autoptr(GPtrArray) on_service = service_entries (server, owner);
    g_autoptr(GPtrArray) on_b = device_entries (&b);

    check_arrived ("records on the service", sent, on_service);
    check_arrived ("records on the fresh device", sent, on_b);
  }
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
  return all_ok ? 0 : 1;
}
