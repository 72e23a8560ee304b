/* test-e2e-sync.c — two devices, one account, the real service
 *
 * Each device is a real MilkStore, MilkAccount and MilkSyncService. They
 * sign in the way the app does — the desktop opens "the browser",
 * registered for http:// in the tests' own XDG folders: headless Chromium
 * driven by tests/browser/sign-in.mjs in the e2e-chromium run, the small C
 * stand-in milk-test-browser in the others — keep their tokens in the
 * session's real gnome-keyring, and sync with a real milk-diary-server on a
 * real PostgreSQL over loopback.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>

#include <glib/gstdio.h>
#include <libpq-fe.h>

#include "milk-account.h"
#include "milk-async-test-util.h"
#include "milk-server-test.h"
#include "milk-store-private.h"
#include "milk-sync-service.h"
#include "milk-e2e-util.h"
#include "milk-test-util.h"
#include "milk-token-store.h"

#define MILK MILK_DEFAULT_PRODUCT_ID

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
  GSubprocess *restarted;
} Fixture;

static char *xdg_root;
static guint account_serial;

static void
device_init (Fixture *f,
             Device  *d)
{
  milk_test_dir_init (&d->dir);
  d->store = milk_test_store_new (&d->dir);
  d->account = milk_account_new (f->server->url, milk_store_get_node (d->store));
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
device_sign_in (Device *d)
{
  MilkTestWait w = { 0 };

  milk_account_sign_in_async (d->account, NULL, milk_test_wait_done, &w);
  milk_test_wait (&w);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  g_assert_true (milk_account_get_signed_in (d->account));
  g_assert_true (milk_store_reset_sync_state (d->store, NULL));
}

static gboolean
device_sync (Device  *d,
             GError **error)
{
  MilkTestWait w = { 0 };

  milk_sync_service_sync_async (d->sync, NULL, milk_test_wait_done, &w);
  milk_test_wait (&w);
  if (w.error)
    g_propagate_error (error, w.error);
  return w.ok;
}

/* One sync that must succeed; a failure says why and leaves no error set
 * for the next. */
static void
sync_ok (Device *d)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (device_sync (d, &error));
  g_assert_no_error (error);
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

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *email = g_strdup_printf ("e2e-%u-%d@example.org", ++account_serial, (int) getpid ());

  f->server = milk_test_server_start (data);
  f->owner = milk_test_account_new (f->server, email);
  g_setenv ("MILK_TEST_EMAIL", email, TRUE);
  g_setenv ("MILK_TEST_PASSWORD", MILK_TEST_PASSWORD, TRUE);
  device_init (f, &f->a);
  device_init (f, &f->b);
}

/* After every test: no file the app wrote holds a token. */
static void
assert_no_token_in (const char *dir,
                    const char *token)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize len;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        assert_no_token_in (path, token);
      else if (g_file_get_contents (path, &contents, &len, NULL))
        g_assert_null (g_strstr_len (contents, len, token));
    }
}

static char *
keyring_secret (Device *d)
{
  g_autoptr(GError) error = NULL;
  char *secret = secret_password_lookup_sync (milk_token_store_get_schema (), NULL, &error,
                                              "server", milk_account_get_server (d->account),
                                              "diary", milk_store_get_node (d->store), NULL);

  g_assert_no_error (error);
  return secret;
}

static void
check_no_tokens_in_files (Device *d)
{
  g_autofree char *secret = keyring_secret (d);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *tokens;

  if (secret == NULL)
    return;
  g_assert_true (json_parser_load_from_data (parser, secret, -1, NULL));
  tokens = json_node_get_object (json_parser_get_root (parser));
  assert_no_token_in (d->dir.dir, json_object_get_string_member (tokens, "access_token"));
  assert_no_token_in (d->dir.dir, json_object_get_string_member (tokens, "refresh_token"));
  assert_no_token_in (xdg_root, json_object_get_string_member (tokens, "access_token"));
  assert_no_token_in (xdg_root, json_object_get_string_member (tokens, "refresh_token"));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  check_no_tokens_in_files (&f->a);
  check_no_tokens_in_files (&f->b);
  device_clear (&f->a);
  device_clear (&f->b);
  milk_test_account_free (f->owner);
  if (f->restarted)
    {
      g_subprocess_send_signal (f->restarted, SIGTERM);
      g_subprocess_wait (f->restarted, NULL, NULL);
      g_clear_object (&f->restarted);
      /* the harness's own process is gone already */
      g_free (f->server->url);
      g_free (f->server->database_url);
      g_free (f->server->service_url);
      g_free (f->server->owner_url);
      g_free (f->server);
    }
  else
    milk_test_server_stop (f->server, SIGTERM);
}

/* The device's entries equal the server's, record by record. */
/* The device's own current access token, from the keyring. */
static char *
device_access_token (Device *d)
{
  g_autofree char *secret = keyring_secret (d);
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_nonnull (secret);
  g_assert_true (json_parser_load_from_data (parser, secret, -1, NULL));
  return g_strdup (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)),
                                                  "access_token"));
}

static void
assert_same_as_server (Fixture *f,
                       Device  *d)
{
  g_autofree char *token = device_access_token (d);
  g_autoptr(GHashTable) on_server = milk_e2e_server_records (f->server, token);
  g_autoptr(GPtrArray) entries = milk_store_list_entries (d->store, milk_test_day ("2000-01-01"),
                                                          milk_test_day ("2099-12-31"), NULL);
  guint server_entries = 0;
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < entries->len; i++)
    {
      MilkRecord *mine = g_ptr_array_index (entries, i);
      g_autofree char *k = milk_record_dup_key (mine);
      g_autofree char *full = g_strdup_printf ("entry/%s", k);
      MilkRecord *theirs = g_hash_table_lookup (on_server, full);

      g_assert_nonnull (theirs);
      g_assert_true (milk_record_equal (mine, theirs));
    }
  g_hash_table_iter_init (&iter, on_server);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_str_has_prefix (key, "entry/"))
      server_entries++;
  g_assert_cmpuint (server_entries, ==, entries->len);
}

static void
test_sign_in_keeps_tokens_in_keyring (Fixture       *f,
                                      gconstpointer  data)
{
  g_autofree char *secret = NULL;

  g_assert_false (milk_account_get_signed_in (f->a.account));
  device_sign_in (&f->a);

  secret = keyring_secret (&f->a);
  g_assert_nonnull (secret);
  g_assert_nonnull (strstr (secret, "refresh_token"));

  /* A fresh start of the app finds the sign-in in the keyring. */
  {
    g_autoptr(MilkAccount) again = milk_account_new (f->server->url, milk_store_get_node (f->a.store));
    MilkTestWait w = { 0 };

    milk_account_load_async (again, NULL, milk_test_wait_done, &w);
    milk_test_wait (&w);
    g_assert_no_error (w.error);
    g_assert_true (w.ok);
    g_assert_true (milk_account_get_signed_in (again));
  }
  set_entry (&f->a, "2026-11-01", 1000);
  sync_ok (&f->a);
  g_assert_cmpint (milk_sync_service_get_status (f->a.sync), ==, MILK_SYNC_IDLE);
  assert_same_as_server (f, &f->a);
}

static void
test_two_devices_converge (Fixture       *f,
                           gconstpointer  data)
{
  device_sign_in (&f->a);
  device_sign_in (&f->b);

  /* Both offline: overlapping days, recorded differently. */
  for (int d = 1; d <= 6; d++)
    {
      g_autofree char *day = g_strdup_printf ("2026-11-%02d", d);
      set_entry (&f->a, day, 1000);
    }
  g_usleep (5000); /* "later" is a later millisecond: within one, the node decides */
  for (int d = 4; d <= 9; d++)
    {
      g_autofree char *day = g_strdup_printf ("2026-11-%02d", d);
      set_entry (&f->b, day, 500);
    }
  g_usleep (5000);
  set_entry (&f->a, "2026-11-05", 1500);        /* the latest edit of the 5th */
  milk_store_delete_entry (f->a.store, MILK, milk_test_day ("2026-11-09"), NULL);

  sync_ok (&f->b);
  sync_ok (&f->a);
  sync_ok (&f->b);

  /* The later edit wins everywhere, the delete too; nothing doubles. */
  g_assert_cmpint (qty_on (&f->a, "2026-11-05"), ==, 1500);
  g_assert_cmpint (qty_on (&f->b, "2026-11-05"), ==, 1500);
  g_assert_cmpint (qty_on (&f->a, "2026-11-04"), ==, 500);
  g_assert_cmpint (qty_on (&f->b, "2026-11-01"), ==, 1000);
  g_assert_cmpint (qty_on (&f->b, "2026-11-09"), ==, -1);
  g_assert_cmpuint (milk_store_count_pending (f->a.store), ==, 0);
  g_assert_cmpuint (milk_store_count_pending (f->b.store), ==, 0);
  assert_same_as_server (f, &f->a);
  assert_same_as_server (f, &f->b);

  /* A no-op sync is one request. */
  {
    guint before = milk_sync_service_get_requests (f->a.sync);
    sync_ok (&f->a);
    g_assert_cmpuint (milk_sync_service_get_requests (f->a.sync), ==, before + 1);
  }
}

/* Invariant 4: an edit made while the request is in flight survives. */
static void
test_edit_during_sync_survives (Fixture       *f,
                                gconstpointer  data)
{
  MilkTestWait w = { 0 };

  device_sign_in (&f->a);
  device_sign_in (&f->b);
  set_entry (&f->a, "2026-11-10", 1000);

  milk_sync_service_sync_async (f->a.sync, NULL, milk_test_wait_done, &w);
  while (milk_sync_service_get_requests (f->a.sync) == 0)   /* the request is on its way */
    g_main_context_iteration (NULL, TRUE);
  g_usleep (2000);
  set_entry (&f->a, "2026-11-10", 2000);           /* edited while it is in flight */
  milk_test_wait (&w);
  g_assert_true (w.ok);

  g_assert_cmpint (qty_on (&f->a, "2026-11-10"), ==, 2000);
  g_assert_cmpuint (milk_store_count_pending (f->a.store), ==, 1);
  sync_ok (&f->a);
  sync_ok (&f->b);
  g_assert_cmpint (qty_on (&f->b, "2026-11-10"), ==, 2000);
}

static void
device_close (Device *d)
{
  g_clear_object (&d->sync);
  g_clear_object (&d->account);
  g_clear_object (&d->store);
}

/* Copies a closed diary file over @to, as a person copies it: the file
 * alone (closing it folded SQLite's journal in), nothing left of what was
 * at @to before. */
static void
copy_file (const char *from,
           const char *to)
{
  g_autoptr(GFile) from_file = g_file_new_for_path (from);
  g_autoptr(GFile) to_file = g_file_new_for_path (to);
  g_autoptr(GError) error = NULL;

  for (const char *const *suffix = (const char *[]) { "-wal", "-shm", "-journal", NULL }; *suffix; suffix++)
    {
      g_autofree char *side = g_strconcat (to, *suffix, NULL);

      g_unlink (side);
    }
  g_file_copy (from_file, to_file, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

/* Closes the device's diary once its sign-in is in the keyring (it gets
 * there in the background), and copies the file to @to. */
static void
copy_diary_file (Device     *d,
                 const char *to)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  g_autofree char *secret = NULL;

  while ((secret = keyring_secret (d)) == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_nonnull (secret);
  device_close (d);
  copy_file (d->dir.path, to);
}

/* Opens the device's diary file as the app does at start: the sign-in
 * comes from the keyring, under the diary's id. */
static void
device_open (Fixture *f,
             Device  *d)
{
  MilkTestWait w = { 0 };

  device_close (d);
  d->store = milk_test_store_new (&d->dir);
  d->account = milk_account_new (f->server->url, milk_store_get_node (d->store));
  d->sync = milk_sync_service_new (d->store, d->account);
  milk_account_load_async (d->account, NULL, milk_test_wait_done, &w);
  milk_test_wait (&w);
  g_assert_no_error (w.error);
  g_assert_true (milk_account_get_signed_in (d->account));
}

/* Issue 14, problem 2: a diary file copied to a second computer. Both
 * copies carry the same node id and cursor; the service left out every
 * change stamped with the requesting node, so each copy kept only its own
 * new entries. Now each copy gets the other's, the copy the service sees
 * second becomes a new device, and the latest edit of a day wins. */
static void
test_copied_diary_converges (Fixture       *f,
                             gconstpointer  data)
{
  device_sign_in (&f->a);
  set_entry (&f->a, "2026-11-01", 1000);
  set_entry (&f->a, "2026-11-02", 1000);
  set_entry (&f->a, "2026-11-03", 1000);
  sync_ok (&f->a);

  device_close (&f->b);
  copy_diary_file (&f->a, f->b.dir.path);
  device_open (f, &f->a);
  device_open (f, &f->b);

  set_entry (&f->a, "2026-11-10", 1000);
  set_entry (&f->b, "2026-11-11", 2000);
  set_entry (&f->a, "2026-11-03", 1500);
  g_usleep (5000);
  set_entry (&f->b, "2026-11-03", 2500);     /* the latest edit of the 3rd */
  set_entry (&f->b, "2026-11-02", 500);
  g_usleep (5000);
  set_entry (&f->a, "2026-11-01", 3000);     /* the latest edit of the 1st */

  for (int round = 0; round < 2; round++)
    {
      sync_ok (&f->a);
      sync_ok (&f->b);
    }
  sync_ok (&f->a);

  g_assert_cmpstr (milk_store_get_replica_node (f->a.store), !=, milk_store_get_replica_node (f->b.store));
  for (Device *d = &f->a; d <= &f->b; d++)
    {
      g_assert_cmpint (qty_on (d, "2026-11-01"), ==, 3000);
      g_assert_cmpint (qty_on (d, "2026-11-02"), ==, 500);
      g_assert_cmpint (qty_on (d, "2026-11-03"), ==, 2500);
      g_assert_cmpint (qty_on (d, "2026-11-10"), ==, 1000);
      g_assert_cmpint (qty_on (d, "2026-11-11"), ==, 2000);
      g_assert_cmpuint (milk_store_count_pending (d->store), ==, 0);
      assert_same_as_server (f, d);
    }
}

/* Issue 14, problem 2: a diary restored from an older copy of its file
 * never received the edits it had made after that copy (the service left
 * out its own node's changes and its cursor was behind them); editing one
 * of those days later put the stale quantity back on every device. */
static void
test_restored_diary_gets_later_edits (Fixture       *f,
                                      gconstpointer  data)
{
  g_autofree char *backup = g_build_filename (f->b.dir.dir, "backup.sqlite", NULL);

  device_sign_in (&f->a);
  device_sign_in (&f->b);
  set_entry (&f->a, "2026-11-01", 1000);
  set_entry (&f->a, "2026-11-02", 1000);
  sync_ok (&f->a);

  copy_diary_file (&f->a, backup);             /* last night's backup */
  device_open (f, &f->a);
  set_entry (&f->a, "2026-11-01", 3000);
  set_entry (&f->a, "2026-11-05", 2000);
  sync_ok (&f->a);

  /* The disk fails; the diary comes back from the backup. */
  device_close (&f->a);
  copy_file (backup, f->a.dir.path);
  device_open (f, &f->a);
  g_assert_cmpint (qty_on (&f->a, "2026-11-01"), ==, 1000);

  sync_ok (&f->a);
  g_assert_cmpint (qty_on (&f->a, "2026-11-01"), ==, 3000);
  g_assert_cmpint (qty_on (&f->a, "2026-11-05"), ==, 2000);

  /* Edited after the restore: the new value wins, and every device agrees. */
  set_entry (&f->a, "2026-11-05", 2500);
  sync_ok (&f->a);
  sync_ok (&f->b);
  g_assert_cmpint (qty_on (&f->b, "2026-11-01"), ==, 3000);
  g_assert_cmpint (qty_on (&f->b, "2026-11-05"), ==, 2500);
  assert_same_as_server (f, &f->a);
  assert_same_as_server (f, &f->b);
}

/* Issue 14, problem 9: an edit that loses to a newer one from another
 * device is no longer silent: the diary lists the day with both values. */
static void
test_losing_edit_reported (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) rejected = NULL;
  MilkStoreRejection *r;

  device_sign_in (&f->a);
  device_sign_in (&f->b);
  set_entry (&f->b, "2026-11-12", 3000);   /* B, offline */
  g_usleep (5000);
  set_entry (&f->a, "2026-11-12", 1000);   /* A, later */
  sync_ok (&f->a);
  sync_ok (&f->b);

  g_assert_cmpint (qty_on (&f->b, "2026-11-12"), ==, 1000);
  rejected = milk_store_list_rejected (f->b.store, NULL);
  g_assert_cmpuint (rejected->len, ==, 1);
  r = rejected->pdata[0];
  g_assert_cmpstr (r->code, ==, "superseded");
  g_assert_cmpint (r->lost->qty_ml, ==, 3000);
  g_assert_cmpint (r->record->qty_ml, ==, 1000);
  g_assert_cmpuint (milk_store_count_pending (f->b.store), ==, 0);
  assert_same_as_server (f, &f->b);
}

#define DAY_MS (G_GINT64_CONSTANT (24) * 3600 * 1000)

static gint64
two_days_slow (gpointer user_data)
{
  return g_get_real_time () / 1000 - 2 * DAY_MS;
}

static gint64
stamp_wall_ms (const char *hlc)
{
  MilkHlcStamp stamp;

  g_assert_true (milk_hlc_stamp_parse (hlc, &stamp, NULL));
  return stamp.wall_ms;
}

/* Issue 14: a device whose clock is two days slow edits a day another
 * device recorded. Its edit must reach the service and the other device;
 * before the fix the service kept the older version, every sync said "ok"
 * and the devices disagreed for good. */
static void
test_slow_clock_edit_wins (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkRecord) edit = NULL;
  g_autoptr(MilkRecord) later = NULL;
  gint64 real_ms;

  /* Device B again, on its own diary file, with its clock two days slow. */
  g_clear_object (&f->b.sync);
  g_clear_object (&f->b.account);
  g_clear_object (&f->b.store);
  f->b.store = _milk_store_new_with_clock (f->b.dir.path, two_days_slow, NULL, &error);
  g_assert_no_error (error);
  f->b.account = milk_account_new (f->server->url, milk_store_get_node (f->b.store));
  f->b.sync = milk_sync_service_new (f->b.store, f->b.account);

  device_sign_in (&f->a);
  device_sign_in (&f->b);

  set_entry (&f->a, "2026-11-20", 1000);
  sync_ok (&f->a);
  sync_ok (&f->b);
  g_assert_cmpint (qty_on (&f->b, "2026-11-20"), ==, 1000);

  set_entry (&f->b, "2026-11-20", 3000);
  sync_ok (&f->b);
  sync_ok (&f->a);

  g_assert_cmpint (qty_on (&f->b, "2026-11-20"), ==, 3000);
  g_assert_cmpint (qty_on (&f->a, "2026-11-20"), ==, 3000);
  g_assert_cmpuint (milk_store_count_pending (f->a.store), ==, 0);
  g_assert_cmpuint (milk_store_count_pending (f->b.store), ==, 0);
  assert_same_as_server (f, &f->a);
  assert_same_as_server (f, &f->b);

  /* B stamps with the service's time, not its own: a new day's entry is
   * stamped within a minute of the real time, not two days before it. */
  set_entry (&f->b, "2026-11-21", 500);
  later = milk_store_get_entry (f->b.store, MILK, milk_test_day ("2026-11-21"), NULL);
  edit = milk_store_get_entry (f->b.store, MILK, milk_test_day ("2026-11-20"), NULL);
  real_ms = g_get_real_time () / 1000;
  g_assert_cmpint (stamp_wall_ms (later->hlc), >, real_ms - 60 * 1000);
  g_assert_cmpint (stamp_wall_ms (later->hlc), <, real_ms + 60 * 1000);
  g_assert_cmpstr (later->hlc, >, edit->hlc);
  sync_ok (&f->b);
  sync_ok (&f->a);
  g_assert_cmpint (qty_on (&f->a, "2026-11-21"), ==, 500);
}

static gint64 fast_clock_skew_ms;

static gint64
fast_clock (gpointer user_data)
{
  return g_get_real_time () / 1000 + fast_clock_skew_ms;
}

/* Issue 14: a device whose clock ran three days ahead edits before it has
 * ever heard the service's time; the service refuses those edits
 * (clock_drift). Then its clock is set right. Its edits must still reach
 * the service and the other device, and its later edits must win. Before
 * the fix the saved clock stayed three days ahead, every later edit was
 * refused too, and none was ever sent again. */
static void
test_fast_clock_recovers (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkRecord) fresh = NULL;
  g_autoptr(MilkRecord) ahead = NULL;
  gint64 real_ms;

  fast_clock_skew_ms = 3 * DAY_MS;
  g_clear_object (&f->b.sync);
  g_clear_object (&f->b.account);
  g_clear_object (&f->b.store);
  f->b.store = _milk_store_new_with_clock (f->b.dir.path, fast_clock, NULL, &error);
  g_assert_no_error (error);
  f->b.account = milk_account_new (f->server->url, milk_store_get_node (f->b.store));
  f->b.sync = milk_sync_service_new (f->b.store, f->b.account);

  device_sign_in (&f->a);
  device_sign_in (&f->b);

  set_entry (&f->a, "2026-11-20", 1000);
  sync_ok (&f->a);

  set_entry (&f->b, "2026-11-20", 3000);
  set_entry (&f->b, "2026-11-22", 700);
  ahead = milk_store_get_entry (f->b.store, MILK, milk_test_day ("2026-11-22"), NULL);
  g_assert_cmpint (stamp_wall_ms (ahead->hlc), >, g_get_real_time () / 1000 + 2 * DAY_MS);
  sync_ok (&f->b);

  /* The clock is set right. */
  fast_clock_skew_ms = 0;
  set_entry (&f->b, "2026-11-21", 500);
  sync_ok (&f->b);
  sync_ok (&f->b);
  sync_ok (&f->a);

  g_assert_cmpint (qty_on (&f->a, "2026-11-20"), ==, 3000);
  g_assert_cmpint (qty_on (&f->a, "2026-11-21"), ==, 500);
  g_assert_cmpint (qty_on (&f->a, "2026-11-22"), ==, 700);
  g_assert_cmpuint (milk_store_count_pending (f->b.store), ==, 0);
  assert_same_as_server (f, &f->a);
  assert_same_as_server (f, &f->b);

  /* Its later edit wins, stamped at the real time. */
  set_entry (&f->a, "2026-11-21", 900);
  sync_ok (&f->a);
  sync_ok (&f->b);
  g_assert_cmpint (qty_on (&f->b, "2026-11-21"), ==, 900);
  set_entry (&f->b, "2026-11-21", 1200);
  fresh = milk_store_get_entry (f->b.store, MILK, milk_test_day ("2026-11-21"), NULL);
  real_ms = g_get_real_time () / 1000;
  g_assert_cmpint (stamp_wall_ms (fresh->hlc), <, real_ms + 60 * 1000);
  sync_ok (&f->b);
  sync_ok (&f->a);
  g_assert_cmpint (qty_on (&f->a, "2026-11-21"), ==, 1200);
  assert_same_as_server (f, &f->a);
  assert_same_as_server (f, &f->b);
}

static void
restart_server_on_same_port (Fixture *f)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GError) error = NULL;
  const char *listen = f->server->url + strlen ("http://");
  g_autofree char *healthz = g_strconcat (f->server->url, "/healthz", NULL);
  g_autoptr(SoupSession) session = soup_session_new ();

  g_subprocess_launcher_setenv (launcher, "DATABASE_URL", f->server->service_url, TRUE);
  f->restarted = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("MILK_SERVER_BINARY"),
                                              "serve", "--listen", listen, NULL);
  g_assert_no_error (error);
  for (int i = 0; i < 200; i++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", healthz);
      g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);

      if (body && soup_message_get_status (msg) == 200)
        return;
      g_usleep (50000);
    }
  g_error ("The server did not come back on %s", listen);
}

static void
test_server_stopped_keeps_changes (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  device_sign_in (&f->a);
  set_entry (&f->a, "2026-11-11", 1000);
  sync_ok (&f->a);

  /* The service goes away: offline, quietly, and nothing is lost. */
  g_subprocess_send_signal (f->server->process, SIGTERM);
  g_subprocess_wait (f->server->process, NULL, NULL);
  g_thread_join (f->server->reader);
  set_entry (&f->a, "2026-11-12", 750);
  g_assert_false (device_sync (&f->a, &error));
  g_assert_cmpint (milk_sync_service_get_status (f->a.sync), ==, MILK_SYNC_OFFLINE);
  g_assert_cmpuint (milk_store_count_pending (f->a.store), ==, 1);
  g_assert_cmpint (qty_on (&f->a, "2026-11-12"), ==, 750);

  restart_server_on_same_port (f);
  sync_ok (&f->a);
  g_assert_cmpuint (milk_store_count_pending (f->a.store), ==, 0);
  assert_same_as_server (f, &f->a);
}

static void
run_sql (Fixture    *f,
         const char *sql)
{
  PGconn *conn = milk_test_db_connect (f->server);
  PGresult *result = PQexec (conn, sql);

  g_assert_cmpint (PQresultStatus (result), ==, PGRES_COMMAND_OK);
  PQclear (result);
  PQfinish (conn);
}

static void
test_expired_access_token_refreshed (Fixture       *f,
                                     gconstpointer  data)
{
  guint before;

  device_sign_in (&f->a);
  set_entry (&f->a, "2026-11-13", 1000);

  /* The server says the access token expired an hour ago. */
  run_sql (f, "UPDATE oauth_tokens SET expires_at = now() - interval '1 hour' WHERE kind = 'access'");
  before = milk_sync_service_get_requests (f->a.sync);
  sync_ok (&f->a);
  g_assert_cmpuint (milk_sync_service_get_requests (f->a.sync), ==, before + 2); /* 401, then retried */
  g_assert_cmpint (milk_sync_service_get_status (f->a.sync), ==, MILK_SYNC_IDLE);
  assert_same_as_server (f, &f->a);
}

/* A device syncing every few minutes keeps its one connection to the
 * service instead of opening one for every push. */
static void
test_syncs_share_one_connection (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GArray) before = NULL;
  g_autoptr(GArray) after = NULL;

  device_sign_in (&f->a);
  set_entry (&f->a, "2026-11-13", 1000);
  sync_ok (&f->a);
  before = milk_test_server_client_ports (f->server);
  for (int i = 0; i < 10; i++)
    {
      set_entry (&f->a, "2026-11-14", 250 * (i + 1));
      sync_ok (&f->a);
    }
  after = milk_test_server_client_ports (f->server);

  /* The same client ports: no connection was opened for the ten pushes. */
  g_assert_cmpuint (after->len, ==, before->len);
  for (guint i = 0; i < after->len; i++)
    g_assert_cmpuint (g_array_index (after, guint, i), ==, g_array_index (before, guint, i));
  g_assert_cmpint (qty_on (&f->a, "2026-11-14"), ==, 2500);
  assert_same_as_server (f, &f->a);
}

static void
test_revoked_sign_in_again (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  device_sign_in (&f->a);
  set_entry (&f->a, "2026-11-14", 1000);

  /* Revoked on the server: every token of the device is dead. */
  run_sql (f, "UPDATE oauth_tokens SET revoked_at = now()");
  g_assert_false (device_sync (&f->a, &error));
  g_assert_cmpint (milk_sync_service_get_status (f->a.sync), ==, MILK_SYNC_SIGN_IN_AGAIN);
  g_assert_false (milk_account_get_signed_in (f->a.account));
  g_assert_cmpuint (milk_store_count_pending (f->a.store), ==, 1);
  g_assert_cmpint (qty_on (&f->a, "2026-11-14"), ==, 1000);

  /* Signing in again sends what was kept. */
  device_sign_in (&f->a);
  sync_ok (&f->a);
  assert_same_as_server (f, &f->a);
}

/* A request to the loopback address with another state (from any page the
 * browser has open) is refused; the real answer still signs in. */
static void
test_forged_callback_refused (Fixture       *f,
                              gconstpointer  data)
{
  g_setenv ("MILK_TEST_FORGE_CALLBACK", "1", TRUE);
  device_sign_in (&f->a);
  g_unsetenv ("MILK_TEST_FORGE_CALLBACK");

  set_entry (&f->a, "2026-11-15", 1000);
  sync_ok (&f->a);
  assert_same_as_server (f, &f->a);
}

/* An answer naming another server (RFC 9207 mix-up) ends the sign-in. */
static void
test_mix_up_refused (Fixture       *f,
                     gconstpointer  data)
{
  MilkTestWait w = { 0 };

  g_setenv ("MILK_TEST_FORGE_ISS", "1", TRUE);
  milk_account_sign_in_async (f->a.account, NULL, milk_test_wait_done, &w);
  milk_test_wait (&w);
  g_unsetenv ("MILK_TEST_FORGE_ISS");

  g_assert_false (w.ok);
  g_assert_error (w.error, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_DENIED);
  g_assert_false (milk_account_get_signed_in (f->a.account));
  g_clear_error (&w.error);
}

/* A browser that never comes back times out with a message. */
static void
test_browser_never_returns (Fixture       *f,
                            gconstpointer  data)
{
  MilkTestWait w = { 0 };

  g_setenv ("MILK_TEST_EMAIL", "nobody@example.org", TRUE); /* can't sign in */
  milk_account_set_browser_timeout (f->a.account, 3);
  milk_account_sign_in_async (f->a.account, NULL, milk_test_wait_done, &w);
  milk_test_wait (&w);
  g_assert_false (w.ok);
  g_assert_error (w.error, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_BROWSER_TIMEOUT);
  g_assert_false (milk_account_get_signed_in (f->a.account));
  g_clear_error (&w.error);
}

static void
test_http_server_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = milk_account_normalize_server ("http://sync.example.org", &error);
  g_autofree char *b = milk_account_normalize_server ("https://sync.example.org/", NULL);
  g_autofree char *c = milk_account_normalize_server ("http://127.0.0.1:8080", NULL);

  g_assert_null (a);
  g_assert_error (error, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_INVALID_SERVER);
  g_assert_cmpstr (b, ==, "https://sync.example.org");
  g_assert_cmpstr (c, ==, "http://127.0.0.1:8080");
}

/* No sign-in in the keyring is a successful load: the device is signed out,
 * which is what signed-in says. */
static void
test_load_without_tokens (void)
{
  g_autoptr(MilkAccount) account = milk_account_new ("https://sync.invalid", "00000000000000e2");
  MilkTestWait w = { 0 };

  milk_account_load_async (account, NULL, milk_test_wait_done, &w);
  milk_test_wait (&w);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  g_assert_false (milk_account_get_signed_in (account));
}

/* With nothing on the session bus providing org.freedesktop.secrets, loading
 * and signing in each end with the keyring's error; signing in ends before
 * the browser (and the server, which does not exist) is asked. */
static void
test_no_keyring (void)
{
  if (g_test_subprocess ())
    {
      /* Left up: taking it down would wait for libsecret's connection. */
      GTestDBus *bus = g_test_dbus_new (G_TEST_DBUS_NONE);
      g_autoptr(MilkAccount) account = NULL;
      MilkTestWait w = { 0 };

      g_test_dbus_up (bus);
      account = milk_account_new ("https://sync.invalid", "00000000000000e2");
      milk_account_load_async (account, NULL, milk_test_wait_done, &w);
      milk_test_wait (&w);
      g_assert_false (w.ok);
      g_assert_error (w.error, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_KEYRING);
      g_assert_false (milk_account_get_signed_in (account));
      g_clear_error (&w.error);

      w = (MilkTestWait) { 0 };
      milk_account_sign_in_async (account, NULL, milk_test_wait_done, &w);
      milk_test_wait (&w);
      g_assert_false (w.ok);
      g_assert_error (w.error, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_KEYRING);
      g_clear_error (&w.error);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* Issue 14: a pulled change this version cannot read (here a record type
 * from a newer version) is not the service's verdict on what was pushed.
 * The real service cannot be made to serve one yet (it skips a stored
 * change it cannot decode), so a stand-in answers the sync: it accepts the
 * pushed entry and sends back one change of an unknown type. The old code
 * listed the entry as rejected ("invalid_type", by the pulled change's
 * index) and dropped the unknown change while the cursor passed it. */
static void
fake_sync (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkSyncMessage) request = NULL;
  g_autofree char *body = NULL;
  SoupMessageBody *in = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (in);
  gint64 now = g_get_real_time () / 1000;

  request = milk_sync_request_decode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (request->changes->len, ==, 1);
  body = g_strdup_printf ("{\"cursor\":\"fake-1\",\"more\":false,\"time\":%" G_GINT64_FORMAT ","
                          "\"changes\":[{\"type\":\"delivery_slot\",\"key\":\"%s/morning\","
                          "\"hlc\":\"%013" G_GINT64_FORMAT "-0000-00000000000000f4\",\"deleted\":false,"
                          "\"data\":{\"at\":\"06:30\"}}],\"rejected\":[]}",
                          now, MILK, now);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

static void
test_unreadable_pull_not_a_rejection (void)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autoptr(MilkTokens) tokens = NULL;
  g_autoptr(GPtrArray) rejected = NULL;
  g_autoptr(GPtrArray) unreadable = NULL;
  g_autofree char *url = NULL;
  g_autofree char *cursor = NULL;
  MilkTestWait w = { 0 };
  Device d = { 0 };

  soup_server_add_handler (server, "/api/v1/sync", fake_sync, NULL, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  milk_test_dir_init (&d.dir);
  d.store = milk_test_store_new (&d.dir);
  tokens = milk_tokens_new ("fake-access", "fake-refresh", g_get_real_time () / G_USEC_PER_SEC + 3000);
  milk_token_store_save_async (url, milk_store_get_node (d.store), tokens, NULL, milk_test_wait_done, &w);
  milk_test_wait (&w);
  g_assert_no_error (w.error);
  d.account = milk_account_new (url, milk_store_get_node (d.store));
  w = (MilkTestWait) { 0 };
  milk_account_load_async (d.account, NULL, milk_test_wait_done, &w);
  milk_test_wait (&w);
  g_assert_no_error (w.error);
  g_assert_true (milk_account_get_signed_in (d.account));
  d.sync = milk_sync_service_new (d.store, d.account);

  set_entry (&d, "2026-11-16", 1000);
  sync_ok (&d);

  /* The entry was accepted: sent, and nothing listed as refused. */
  rejected = milk_store_list_rejected (d.store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rejected->len, ==, 0);
  g_assert_cmpuint (milk_store_count_pending (d.store), ==, 0);
  g_assert_cmpint (qty_on (&d, "2026-11-16"), ==, 1000);

  /* The unknown change is kept for a later version, and said so. */
  unreadable = milk_store_list_unreadable (d.store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (unreadable->len, ==, 1);
  g_assert_cmpstr (((MilkUnreadableChange *) unreadable->pdata[0])->type, ==, "delivery_slot");
  cursor = milk_store_dup_cursor (d.store);
  g_assert_cmpstr (cursor, ==, "fake-1");
  g_assert_cmpint (milk_sync_service_get_status (d.sync), ==, MILK_SYNC_IDLE);
  g_assert_nonnull (milk_sync_service_get_message (d.sync));
  g_assert_nonnull (strstr (milk_sync_service_get_message (d.sync), "1 change from another device needs a newer"));

  w = (MilkTestWait) { 0 };
  milk_token_store_clear_async (url, milk_store_get_node (d.store), NULL, milk_test_wait_done, &w);
  milk_test_wait (&w);
  g_clear_error (&w.error);
  device_clear (&d);
}

/* DESIGN "Versions mix", end to end: a newer app (here its requests, by
 * hand) records a day with a field this version does not know; this
 * version pulls it, edits the day and syncs; the newer app still sees its
 * field, with this version's quantity. */
static void
test_newer_fields_survive_edit (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(MilkTestClient) newer = milk_test_client_new ();
  g_autoptr(MilkSyncMessage) seen = NULL;
  g_autofree char *hlc = milk_test_hlc (g_get_real_time () / 1000 - 60000, 0, 0xee);
  g_autofree char *body = g_strdup_printf ("{\"cursor\":null,\"node\":\"00000000000000ee\",\"version\":3,\"changes\":["
                                           "{\"type\":\"entry\",\"key\":\"" MILK "/2026-11-10\",\"hlc\":\"%s\","
                                           "\"deleted\":false,\"origin\":\"phone\",\"data\":{\"qty_ml\":1000,"
                                           "\"fat_pct\":35,\"price_override\":null,\"note\":\"\"}}]}", hlc);
  MilkRecord *record = NULL;
  JsonObject *extra_data;

  milk_test_request (newer, f->server, "POST", "/api/v1/sync", "application/json", body, -1,
                     f->owner->access_token);
  g_assert_cmpuint (newer->status, ==, 200);

  device_sign_in (&f->a);
  sync_ok (&f->a);
  g_assert_cmpint (qty_on (&f->a, "2026-11-10"), ==, 1000);
  set_entry (&f->a, "2026-11-10", 1500);
  sync_ok (&f->a);

  seen = milk_test_sync (f->server, newer, f->owner->access_token, NULL, "00000000000000ee", NULL);
  for (guint i = 0; i < seen->changes->len; i++)
    if (((MilkRecord *) g_ptr_array_index (seen->changes, i))->type == MILK_RECORD_ENTRY)
      record = g_ptr_array_index (seen->changes, i);
  g_assert_nonnull (record);
  g_assert_cmpint (record->qty_ml, ==, 1500);
  g_assert_nonnull (record->extra);
  extra_data = json_object_get_object_member (record->extra, "data");
  g_assert_nonnull (extra_data);
  g_assert_cmpint (json_object_get_int_member (extra_data, "fat_pct"), ==, 35);
  g_assert_cmpstr (json_object_get_string_member (record->extra, "origin"), ==, "phone");
}

/* Issue 13: a day delivered morning and evening on device A arrives so on
 * device B. Then an older version (its request, by hand) changes the
 * day's quantity and sends the parts back as it found them, as members it
 * does not know: the service takes it, and B shows one delivery of the
 * new quantity, billed from it. */
static void
test_morning_evening_between_versions (Fixture       *f,
                                       gconstpointer  data)
{
  g_autoptr(MilkRecord) day = milk_record_new (MILK_RECORD_ENTRY);
  g_autoptr(MilkRecord) on_b = NULL;
  g_autoptr(MilkRecord) after = NULL;
  g_autoptr(MilkBill) bill = NULL;
  g_autoptr(MilkTestClient) older = milk_test_client_new ();
  g_autoptr(MilkSyncMessage) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hlc = NULL;
  g_autofree char *body = NULL;
  MilkBillProduct *milk;

  device_sign_in (&f->a);
  device_sign_in (&f->b);
  g_assert_true (milk_store_set_price (f->a.store, MILK, milk_test_day ("2026-11-01"), 5650, &error));
  day->id = g_strdup (MILK);
  day->day = milk_test_day ("2026-11-10");
  day->note = g_strdup ("");
  milk_entry_set_split (day, 1000, 500);
  g_assert_true (milk_store_put (f->a.store, day, &error));
  g_assert_no_error (error);
  sync_ok (&f->a);
  sync_ok (&f->b);

  on_b = milk_store_get_entry (f->b.store, MILK, milk_test_day ("2026-11-10"), NULL);
  g_assert_nonnull (on_b);
  g_assert_true (milk_entry_is_split (on_b));
  g_assert_cmpint (on_b->morning_ml, ==, 1000);
  g_assert_cmpint (on_b->evening_ml, ==, 500);
  g_assert_cmpint (on_b->qty_ml, ==, 1500);
  bill = milk_store_build_bill (f->b.store, 2026, 11, &error);
  g_assert_no_error (error);
  milk = g_ptr_array_index (bill->products, 0);
  g_assert_cmpuint (milk->split_days, ==, 1);
  g_assert_cmpint (bill->amount, ==, 8475);
  g_clear_pointer (&bill, milk_bill_free);
  assert_same_as_server (f, &f->b);

  /* The older version: 2 L for the day, the parts as they came, later. */
  g_usleep (5000);
  hlc = milk_test_hlc (g_get_real_time () / 1000, 0, 0xee);
  body = g_strdup_printf ("{\"cursor\":null,\"node\":\"00000000000000ee\",\"version\":1,\"changes\":["
                          "{\"type\":\"entry\",\"key\":\"" MILK "/2026-11-10\",\"hlc\":\"%s\","
                          "\"deleted\":false,\"data\":{\"qty_ml\":2000,\"price_override\":null,\"note\":\"\","
                          "\"morning_ml\":1000,\"evening_ml\":500}}]}", hlc);
  milk_test_request (older, f->server, "POST", "/api/v1/sync", "application/json", body, -1,
                     f->owner->access_token);
  g_assert_cmpuint (older->status, ==, 200);
  reply = milk_sync_response_decode (g_bytes_get_data (older->body, NULL), g_bytes_get_size (older->body), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reply->rejected->len, ==, 0);

  sync_ok (&f->b);
  after = milk_store_get_entry (f->b.store, MILK, milk_test_day ("2026-11-10"), NULL);
  g_assert_nonnull (after);
  g_assert_cmpint (after->qty_ml, ==, 2000);
  g_assert_false (milk_entry_is_split (after));
  bill = milk_store_build_bill (f->b.store, 2026, 11, &error);
  g_assert_no_error (error);
  milk = g_ptr_array_index (bill->products, 0);
  g_assert_cmpuint (milk->split_days, ==, 0);
  g_assert_cmpint (milk->morning_ml, ==, 0);
  g_assert_cmpint (bill->qty_ml, ==, 2000);
  g_assert_cmpint (bill->amount, ==, 11300);
  g_assert_false (((MilkBillLine *) g_ptr_array_index (bill->lines, 0))->split);
  assert_same_as_server (f, &f->b);
}

static const char * const min_protocol_above[] = { "MILK_MIN_PROTOCOL", "1000", NULL };

/* A service that no longer takes this version: the sync says to update,
 * the edit stays pending for the updated app, nothing is lost. */
static void
test_too_old_app_told_to_update (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  device_sign_in (&f->a);
  set_entry (&f->a, "2026-11-10", 1500);
  g_assert_false (device_sync (&f->a, &error));
  g_assert_error (error, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_UPDATE_REQUIRED);
  g_assert_cmpint (milk_sync_service_get_status (f->a.sync), ==, MILK_SYNC_ERROR);
  g_assert_cmpstr (milk_sync_service_get_message (f->a.sync), ==, "Update Milk Diary to keep syncing");
  g_assert_cmpuint (milk_store_count_pending (f->a.store), ==, 1);
  g_assert_cmpint (qty_on (&f->a, "2026-11-10"), ==, 1500);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  xdg_root = milk_e2e_register_browser ();
  if (!milk_test_init (&argc, &argv))
    return milk_test_run_skipped ("/e2e/sync");

#define ADD(path, func) g_test_add ("/e2e/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("sign-in-keeps-tokens-in-keyring", test_sign_in_keeps_tokens_in_keyring);
  ADD ("two-devices-converge", test_two_devices_converge);
  ADD ("newer-fields-survive-edit", test_newer_fields_survive_edit);
  ADD ("morning-evening-between-versions", test_morning_evening_between_versions);
  g_test_add ("/e2e/too-old-app-told-to-update", Fixture, min_protocol_above, fixture_setup,
              test_too_old_app_told_to_update, fixture_teardown);
  ADD ("edit-during-sync-survives", test_edit_during_sync_survives);
  ADD ("slow-clock-edit-wins", test_slow_clock_edit_wins);
  ADD ("fast-clock-recovers", test_fast_clock_recovers);
  ADD ("server-stopped-keeps-changes", test_server_stopped_keeps_changes);
  ADD ("expired-access-token-refreshed", test_expired_access_token_refreshed);
  ADD ("syncs-share-one-connection", test_syncs_share_one_connection);
  ADD ("revoked-sign-in-again", test_revoked_sign_in_again);
  ADD ("browser-never-returns", test_browser_never_returns);
  ADD ("forged-callback-refused", test_forged_callback_refused);
  ADD ("mix-up-refused", test_mix_up_refused);
  ADD ("copied-diary-converges", test_copied_diary_converges);
  ADD ("restored-diary-gets-later-edits", test_restored_diary_gets_later_edits);
  ADD ("losing-edit-reported", test_losing_edit_reported);
#undef ADD
  g_test_add_func ("/e2e/http-server-refused", test_http_server_refused);
  g_test_add_func ("/e2e/load-without-tokens", test_load_without_tokens);
  g_test_add_func ("/e2e/no-keyring", test_no_keyring);
  g_test_add_func ("/e2e/unreadable-pull-not-a-rejection", test_unreadable_pull_not_a_rejection);

  status = g_test_run ();
  milk_test_cleanup ();
  return status;
}
