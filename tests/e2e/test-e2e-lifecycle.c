/* test-e2e-lifecycle.c — who may touch the diary while a sync runs
 *
 * Issue 14, problem 8: sign-out cleared the diary while a page was in
 * flight, and the page then stored its records and cursor in the cleared
 * diary; and nothing tested automatic syncing. Here the app's own
 * MilkStore, MilkAccount and MilkSyncService, signed in through the
 * desktop's browser handler with their tokens in the session's real
 * gnome-keyring, sync with a real milk-diary-server on a real PostgreSQL
 * through a small loopback proxy that can hold the service's answer,
 * answer 503 in its place, or drop the connection.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "milk-account.h"
#include "milk-async-test-util.h"
#include "milk-server-test.h"
#include "milk-store-private.h"
#include "milk-sync-service.h"
#include "milk-e2e-proxy.h"
#include "milk-e2e-util.h"
#include "milk-test-util.h"

#define MILK MILK_DEFAULT_PRODUCT_ID
#define LONG_BACKOFF_MS (10 * 60 * 1000)

/* ---- the proxy: forwards each request on a connection of its own ---- */

static GMutex lock;
static GCond cond;
static char *proxy_url;
static guint sync_requests;        /* POST /api/v1/sync seen */
static gint64 sync_times[16];      /* when, monotonic µs */
static gboolean hold_sync;         /* keep the next answer until released */
static gboolean holding;
static guint busy_answers;         /* answer 503 instead, this many times */
static guint busy_retry_after_s;   /* with Retry-After, when not 0 */
static gboolean drop_sync;         /* close the connection instead */

/* Sync requests: counted and timed; dropped, answered 503, or held as the
 * test asks. */
static MilkE2eVerdict
decide (GByteArray  *request,
        GByteArray **answer)
{
  MilkE2eVerdict verdict = MILK_E2E_FORWARD;

  if (!milk_e2e_request_is (request, "POST /api/v1/sync"))
    return MILK_E2E_FORWARD;
  g_mutex_lock (&lock);
  if (sync_requests < G_N_ELEMENTS (sync_times))
    sync_times[sync_requests] = g_get_monotonic_time ();
  sync_requests++;
  if (drop_sync)
    verdict = MILK_E2E_DROP;
  else if (busy_answers > 0)
    {
      busy_answers--;
      *answer = milk_e2e_busy_answer (busy_retry_after_s);
      verdict = MILK_E2E_ANSWER;
    }
  else if (hold_sync)
    {
      hold_sync = FALSE;
      verdict = MILK_E2E_HOLD;
    }
  g_mutex_unlock (&lock);
  return verdict;
}

/* The service has stored the push and chosen the page; the answer waits
 * until release_held (). */
static void
hold (void)
{
  g_mutex_lock (&lock);
  holding = TRUE;
  g_cond_broadcast (&cond);
  while (holding)
    g_cond_wait (&cond, &lock);
  g_mutex_unlock (&lock);
}

static const MilkE2eProxyHooks proxy_hooks = { decide, hold };

static guint
sync_requests_seen (void)
{
  guint n;

  g_mutex_lock (&lock);
  n = sync_requests;
  g_mutex_unlock (&lock);
  return n;
}

static void
release_held (void)
{
  g_mutex_lock (&lock);
  holding = FALSE;
  g_cond_broadcast (&cond);
  g_mutex_unlock (&lock);
}

/* ---- devices of the app, signed in through the proxy ---- */

typedef struct
{
  MilkTestDir dir;
  MilkStore *store;
  MilkAccount *account;
  MilkSyncService *sync;
} Device;

typedef struct
{
  MilkTestServer *server;
  MilkTestAccount *owner;
  Device a, b;
  gboolean saw_error;     /* a's status was an error at some point */
  gboolean saw_offline;
} Fixture;

static char *xdg_root;
static guint account_serial;

static void
status_seen (Fixture *f)
{
  MilkSyncStatus status = milk_sync_service_get_status (f->a.sync);

  f->saw_error |= status == MILK_SYNC_ERROR;
  f->saw_offline |= status == MILK_SYNC_OFFLINE;
}

static void
device_init (Device *d)
{
  milk_test_dir_init (&d->dir);
  d->store = milk_test_store_new (&d->dir);
  d->account = milk_account_new (proxy_url, milk_store_get_node (d->store));
  d->sync = milk_sync_service_new (d->store, d->account);
}

static void
device_clear (Device *d)
{
  g_clear_object (&d->sync);
  g_clear_object (&d->account);
  g_clear_object (&d->store);
  milk_test_dir_clear (&d->dir);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *email = g_strdup_printf ("lifecycle-%u-%d@example.org", ++account_serial, (int) getpid ());
  g_autoptr(GUri) uri = NULL;
  const char *env[] = { "MILK_BASE_URL", proxy_url, NULL };

  f->server = milk_test_server_start (env);
  uri = g_uri_parse (f->server->url, G_URI_FLAGS_NONE, NULL);
  milk_e2e_proxy_set_upstream (g_uri_get_port (uri));
  g_mutex_lock (&lock);
  sync_requests = 0;
  hold_sync = holding = drop_sync = FALSE;
  busy_answers = busy_retry_after_s = 0;
  g_mutex_unlock (&lock);
  f->owner = milk_test_account_new (f->server, email);
  g_setenv ("MILK_TEST_EMAIL", email, TRUE);
  g_setenv ("MILK_TEST_PASSWORD", MILK_TEST_PASSWORD, TRUE);
  device_init (&f->a);
  device_init (&f->b);
  g_signal_connect_swapped (f->a.sync, "notify::status", G_CALLBACK (status_seen), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  release_held ();
  device_clear (&f->a);
  device_clear (&f->b);
  milk_test_account_free (f->owner);
  milk_test_server_stop (f->server, SIGTERM);
}

static void
sign_in (Device *d)
{
  MilkTestWait w = { 0 };

  milk_account_sign_in_async (d->account, NULL, milk_test_wait_done, &w);
  milk_test_wait (&w);
  g_assert_no_error (w.error);
  g_assert_true (milk_account_get_signed_in (d->account));
  g_assert_true (milk_store_reset_sync_state (d->store, NULL));
}

static void
sync_ok (Device *d)
{
  MilkTestWait w = { 0 };

  milk_sync_service_sync_async (d->sync, NULL, milk_test_wait_done, &w);
  milk_test_wait (&w);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
}

static void
set_entry (Device     *d,
           const char *day,
           gint64      qty_ml)
{
  g_autoptr(GError) error = NULL;

  milk_store_set_entry (d->store, MILK, milk_test_day (day), qty_ml, MILK_NO_PRICE, NULL, &error);
  g_assert_no_error (error);
}

static gint64
qty_on (Device     *d,
        const char *day)
{
  g_autoptr(MilkRecord) entry = milk_store_get_entry (d->store, MILK, milk_test_day (day), NULL);

  return entry ? entry->qty_ml : -1;
}

/* Runs the main loop until done says so; what the app would do on its
 * own, with nobody asking. Generous for a loaded machine: the waits the
 * tests shorten are milliseconds, the ones they rule out minutes. */
static void
wait_until (gboolean (*done) (Fixture *f),
            Fixture   *f)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!done (f))
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
      if (g_get_monotonic_time () > deadline)
        {
          g_test_fail_printf ("The app did not get there within 30 seconds");
          return;
        }
    }
}

static gboolean
a_sent_everything (Fixture *f)
{
  return milk_store_count_pending (f->a.store) == 0 &&
         milk_sync_service_get_status (f->a.sync) == MILK_SYNC_IDLE;
}

static gboolean
a_synced_once (Fixture *f)
{
  return sync_requests_seen () >= 1 && a_sent_everything (f);
}

static gboolean
a_idle (Fixture *f)
{
  return milk_sync_service_get_status (f->a.sync) == MILK_SYNC_IDLE;
}

static gboolean
a_offline (Fixture *f)
{
  return milk_sync_service_get_status (f->a.sync) == MILK_SYNC_OFFLINE;
}

static gboolean
answer_held (Fixture *f)
{
  gboolean held;

  g_mutex_lock (&lock);
  held = holding;
  g_mutex_unlock (&lock);
  return held;
}

/* B's entries are on the service; A signs in and syncs; the page that
 * brings them is in flight when the person signs out and removes the
 * diary. Before, the page arrived after the diary was cleared and stored
 * B's records and the cursor in it: the "removed" diary showed them again
 * and the next sign-in believed them synced. Seen failing with the stop
 * undone (the round not cancelled and its page stored). */
static void
test_sign_out_during_sync (Fixture       *f,
                           gconstpointer  data)
{
  MilkTestWait w = { 0 }, synced = { 0 };
  g_autofree char *cursor = NULL;

  sign_in (&f->b);
  set_entry (&f->b, "2026-11-20", 1000);
  set_entry (&f->b, "2026-11-21", 1500);
  sync_ok (&f->b);

  sign_in (&f->a);
  set_entry (&f->a, "2026-11-22", 500);
  g_mutex_lock (&lock);
  hold_sync = TRUE;
  g_mutex_unlock (&lock);
  milk_sync_service_sync_async (f->a.sync, NULL, milk_test_wait_done, &synced);
  wait_until (answer_held, f);

  milk_sync_service_sign_out_async (f->a.sync, FALSE, milk_test_wait_done, &w);
  milk_test_wait (&w);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  /* The round ended before the sign-out finished, stopped. */
  g_assert_true (synced.done);
  g_assert_error (synced.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&synced.error);
  g_assert_false (milk_account_get_signed_in (f->a.account));

  /* The answer arrives now, after the diary was cleared, and stays out
   * of it. */
  release_held ();
  for (int i = 0; i < 50; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  g_assert_cmpint (qty_on (&f->a, "2026-11-20"), ==, -1);
  g_assert_cmpint (qty_on (&f->a, "2026-11-21"), ==, -1);
  g_assert_cmpint (qty_on (&f->a, "2026-11-22"), ==, -1);
  cursor = milk_store_dup_cursor (f->a.store);
  g_assert_null (cursor);
  g_assert_cmpuint (milk_store_count_pending (f->a.store), ==, 0);
}

/* A stopped service starts no round, even when asked, until resumed. */
static void
test_stopped_starts_nothing (Fixture       *f,
                             gconstpointer  data)
{
  MilkTestWait stopped = { 0 }, synced = { 0 };
  guint seen;

  sign_in (&f->a);
  milk_sync_service_set_timings (f->a.sync, 10, 10);
  milk_sync_service_stop_async (f->a.sync, milk_test_wait_done, &stopped);
  milk_test_wait (&stopped);
  g_assert_true (stopped.ok);
  seen = sync_requests_seen ();
  milk_sync_service_set_automatic (f->a.sync, TRUE);
  set_entry (&f->a, "2026-11-23", 700);
  milk_sync_service_sync_async (f->a.sync, NULL, milk_test_wait_done, &synced);
  milk_test_wait (&synced);
  g_assert_error (synced.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&synced.error);
  for (int i = 0; i < 30; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  g_assert_cmpuint (sync_requests_seen (), ==, seen);
  g_assert_cmpuint (milk_store_count_pending (f->a.store), ==, 1);

  milk_sync_service_resume (f->a.sync);
  sync_ok (&f->a);
  g_assert_cmpuint (milk_store_count_pending (f->a.store), ==, 0);
}

/* Automatic syncing: a burst of edits goes in one request, shortly after
 * the last of them. Seen failing with the edit's debounce not started. */
static void
test_edits_sync_debounced (Fixture       *f,
                           gconstpointer  data)
{
  sign_in (&f->a);
  milk_sync_service_set_timings (f->a.sync, 100, LONG_BACKOFF_MS);
  milk_sync_service_set_automatic (f->a.sync, TRUE);
  /* Starting is a round of its own. */
  wait_until (a_synced_once, f);
  g_assert_cmpuint (sync_requests_seen (), ==, 1);

  set_entry (&f->a, "2026-11-24", 1000);
  set_entry (&f->a, "2026-11-25", 1250);
  set_entry (&f->a, "2026-11-24", 750);
  g_assert_cmpuint (milk_store_count_pending (f->a.store), ==, 2);
  wait_until (a_sent_everything, f);
  g_assert_cmpuint (sync_requests_seen (), ==, 2);

  /* B sees them: they are on the service. */
  sign_in (&f->b);
  sync_ok (&f->b);
  g_assert_cmpint (qty_on (&f->b, "2026-11-24"), ==, 750);
  g_assert_cmpint (qty_on (&f->b, "2026-11-25"), ==, 1250);
}

/* A failing service is asked again, later each time, with nobody asking;
 * the edits get there once it answers. Seen failing with no retry
 * scheduled after a failure. */
static void
test_failure_backs_off_and_retries (Fixture       *f,
                                    gconstpointer  data)
{
  sign_in (&f->a);
  set_entry (&f->a, "2026-11-26", 900);
  milk_sync_service_set_timings (f->a.sync, 10, 200);
  g_mutex_lock (&lock);
  busy_answers = 2;
  g_mutex_unlock (&lock);
  milk_sync_service_set_automatic (f->a.sync, TRUE);
  wait_until (a_sent_everything, f);
  g_assert_true (f->saw_error);
  g_assert_cmpuint (sync_requests_seen (), ==, 3);
  /* Each wait is the backoff, with jitter: at least half of 200 ms, then
   * of 400 ms. */
  g_assert_cmpint (sync_times[1] - sync_times[0], >=, 100 * 1000);
  g_assert_cmpint (sync_times[2] - sync_times[1], >=, 200 * 1000);
}

/* "503, Retry-After: 2": the next try comes two seconds later, not at
 * the backoff's ten minutes nor before the two seconds are up. Seen
 * failing with the header ignored. */
static void
test_retry_after_honoured (Fixture       *f,
                           gconstpointer  data)
{
  sign_in (&f->a);
  set_entry (&f->a, "2026-11-27", 600);
  milk_sync_service_set_timings (f->a.sync, 10, LONG_BACKOFF_MS);
  g_mutex_lock (&lock);
  busy_answers = 1;
  busy_retry_after_s = 2;
  g_mutex_unlock (&lock);
  milk_sync_service_set_automatic (f->a.sync, TRUE);
  wait_until (a_sent_everything, f);
  g_assert_true (f->saw_error);
  g_assert_cmpuint (sync_requests_seen (), ==, 2);
  g_assert_cmpint (sync_times[1] - sync_times[0], >=, 2 * G_USEC_PER_SEC - 5000);
}

/* Offline, with the next try ten minutes away: the network coming back
 * (GNetworkMonitor's network-changed) sends the edits now. Seen failing
 * with the signal not connected. */
static void
test_network_back_syncs (Fixture       *f,
                         gconstpointer  data)
{
  sign_in (&f->a);
  set_entry (&f->a, "2026-11-28", 1100);
  milk_sync_service_set_timings (f->a.sync, 10, LONG_BACKOFF_MS);
  g_mutex_lock (&lock);
  drop_sync = TRUE;
  g_mutex_unlock (&lock);
  milk_sync_service_set_automatic (f->a.sync, TRUE);
  wait_until (a_offline, f);
  g_assert_cmpuint (milk_store_count_pending (f->a.store), ==, 1);

  g_mutex_lock (&lock);
  drop_sync = FALSE;
  g_mutex_unlock (&lock);
  g_signal_emit_by_name (g_network_monitor_get_default (), "network-changed", TRUE);
  wait_until (a_sent_everything, f);
  g_assert_true (a_idle (f));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  xdg_root = milk_e2e_register_browser ();
  if (!milk_test_init (&argc, &argv))
    return milk_test_run_skipped ("/e2e/lifecycle");
  proxy_url = milk_e2e_proxy_start (&proxy_hooks);

#define ADD(path, func) g_test_add ("/e2e/lifecycle/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("sign-out-during-sync", test_sign_out_during_sync);
  ADD ("stopped-starts-nothing", test_stopped_starts_nothing);
  ADD ("edits-sync-debounced", test_edits_sync_debounced);
  ADD ("failure-backs-off-and-retries", test_failure_backs_off_and_retries);
  ADD ("retry-after-honoured", test_retry_after_honoured);
  ADD ("network-back-syncs", test_network_back_syncs);
#undef ADD

  status = g_test_run ();
  milk_test_cleanup ();
  return status;
}
