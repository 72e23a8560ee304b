/* test-e2e-cli.c — two devices kept in step by `milk-diary --sync`
 *
 * Issue 14's bar, run as a person with a terminal runs it: the built
 * milk-diary signs in with --sign-in (the desktop's browser handler is the
 * test browser), records with --add and syncs with --sync, against the real
 * service on PostgreSQL, with the tokens in the session's gnome-keyring.
 * One device has its clock two days slow (libfaketime), or is a copy of
 * the other's diary file, or is restored from an older copy of its own.
 * Both edit the same days; after two syncs each, both diaries and the
 * service hold the same records and the latest edit of each day wins.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "milk-e2e-util.h"
#include "milk-store.h"
#include "milk-test-util.h"

#define MILK MILK_DEFAULT_PRODUCT_ID

typedef struct
{
  MilkTestDir dir;
  const char *faketime;   /* e.g. "-2d", or NULL for the real clock */
} Device;

typedef struct
{
  MilkTestServer *server;
  MilkTestAccount *owner;
  Device a, b;
} Fixture;

static guint account_serial;

static const char *
faketime_library (void)
{
  const char *candidates[] = {
    "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
    "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
    "/usr/lib/faketime/libfaketime.so.1",
  };

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    if (g_file_test (candidates[i], G_FILE_TEST_EXISTS))
      return candidates[i];
  g_error ("libfaketime is not installed (Debian: faketime); build-aux/dev test installs it");
}

/* Runs milk-diary on the device's diary; its standard output. */
static char *
run (Device *d,
     int     expected_status,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (char *) g_getenv ("MILK_DIARY_BIN"));
  va_start (args, expected_status);
  while ((arg = va_arg (args, const char *)))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_setenv (launcher, "MILK_DIARY_PATH", d->dir.path, TRUE);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
  if (d->faketime)
    {
      g_subprocess_launcher_setenv (launcher, "LD_PRELOAD", faketime_library (), TRUE);
      g_subprocess_launcher_setenv (launcher, "FAKETIME", d->faketime, TRUE);
      /* Timeouts and the main loop keep the real monotonic clock. */
      g_subprocess_launcher_setenv (launcher, "FAKETIME_DONT_FAKE_MONOTONIC", "1", TRUE);
    }
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("milk-diary %s: %s%s", (char *) argv->pdata[1], out, err);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, expected_status);
  return g_steal_pointer (&out);
}

static void
add (Device     *d,
     const char *qty,
     const char *day)
{
  g_autofree char *out = run (d, 0, "--add", qty, "--date", day, NULL);

  g_assert_nonnull (strstr (out, "Recorded"));
  g_usleep (20 * 1000);   /* the next edit is a later one, on any clock */
}

static void
sign_in (Fixture *f,
         Device  *d)
{
  g_autofree char *out = run (d, 0, "--sign-in", f->server->url, NULL);

  g_assert_nonnull (strstr (out, "Signed in to"));
  g_assert_nonnull (strstr (out, "Synced with"));
}

static void
sync_twice (Device *first,
            Device *second)
{
  for (int i = 0; i < 2; i++)
    {
      g_autofree char *one = run (first, 0, "--sync", NULL);
      g_autofree char *two = run (second, 0, "--sync", NULL);

      g_assert_nonnull (strstr (one, "Synced with"));
      g_assert_nonnull (strstr (two, "Synced with"));
    }
}

/* A day some days ago, so that a clock two days slow has seen it too. */
static char *
days_ago (int n)
{
  return milk_day_to_string (milk_day_today () - n);
}

static MilkStore *
open_diary (Device *d)
{
  return milk_test_store_new (&d->dir);
}

/* Both diaries and the service hold the same entries, and @day has @qty_ml. */
static void
assert_converged (Fixture    *f,
                  const char *day,
                  gint64      qty_ml)
{
  g_autoptr(MilkStore) a = open_diary (&f->a);
  g_autoptr(MilkStore) b = open_diary (&f->b);
  g_autoptr(GHashTable) on_server = milk_e2e_server_records (f->server, f->owner->access_token);
  g_autoptr(GPtrArray) in_a = milk_store_list_entries (a, milk_test_day ("2000-01-01"), milk_test_day ("2099-12-31"), NULL);
  g_autoptr(GPtrArray) in_b = milk_store_list_entries (b, milk_test_day ("2000-01-01"), milk_test_day ("2099-12-31"), NULL);
  g_autoptr(MilkRecord) entry = milk_store_get_entry (a, MILK, milk_test_day (day), NULL);

  g_assert_nonnull (entry);
  g_assert_cmpint (entry->qty_ml, ==, qty_ml);
  g_assert_cmpuint (in_a->len, ==, in_b->len);
  g_assert_cmpuint (milk_store_count_pending (a), ==, 0);
  g_assert_cmpuint (milk_store_count_pending (b), ==, 0);
  for (guint i = 0; i < in_a->len; i++)
    {
      MilkRecord *mine = g_ptr_array_index (in_a, i);
      MilkRecord *theirs = g_ptr_array_index (in_b, i);
      g_autofree char *key = milk_record_dup_key (mine);
      g_autofree char *full = g_strdup_printf ("entry/%s", key);

      g_assert_true (milk_record_equal (mine, theirs));
      g_assert_nonnull (g_hash_table_lookup (on_server, full));
      g_assert_true (milk_record_equal (mine, g_hash_table_lookup (on_server, full)));
    }
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *email = g_strdup_printf ("cli-%u-%d@example.org", ++account_serial, (int) getpid ());

  f->server = milk_test_server_start (NULL);
  f->owner = milk_test_account_new (f->server, email);
  g_setenv ("MILK_TEST_EMAIL", email, TRUE);
  g_setenv ("MILK_TEST_PASSWORD", MILK_TEST_PASSWORD, TRUE);
  milk_test_dir_init (&f->a.dir);
  milk_test_dir_init (&f->b.dir);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  milk_test_dir_clear (&f->a.dir);
  milk_test_dir_clear (&f->b.dir);
  milk_test_account_free (f->owner);
  milk_test_server_stop (f->server, SIGTERM);
}

/* Both devices edit days 10 and 9 ago; the later edit of each must win. */
static void
edit_the_same_days (Fixture *f)
{
  g_autofree char *d10 = days_ago (10);
  g_autofree char *d9 = days_ago (9);

  add (&f->a, "2", d10);
  add (&f->b, "3", d10);       /* the latest edit of day 10 */
  add (&f->b, "1.5", d9);
  add (&f->a, "2.5", d9);      /* the latest edit of day 9 */
  sync_twice (&f->a, &f->b);
  assert_converged (f, d10, 3000);
  assert_converged (f, d9, 2500);
}

static void
test_slow_clock (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *d10 = days_ago (10);
  g_autofree char *d9 = days_ago (9);

  f->b.faketime = "-2d";
  sign_in (f, &f->a);
  add (&f->a, "1", d10);
  add (&f->a, "1", d9);
  g_free (run (&f->a, 0, "--sync", NULL));
  sign_in (f, &f->b);
  edit_the_same_days (f);
}

static void
test_copied_diary (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *d10 = days_ago (10);
  g_autofree char *d9 = days_ago (9);

  sign_in (f, &f->a);
  add (&f->a, "1", d10);
  add (&f->a, "1", d9);
  g_free (run (&f->a, 0, "--sync", NULL));
  /* To a second computer: the file alone (the keyring here is shared, so
   * the copy is signed in as the original was). */
  {
    g_autofree char *contents = NULL;
    gsize length;

    g_assert_true (g_file_get_contents (f->a.dir.path, &contents, &length, NULL));
    g_assert_true (g_file_set_contents (f->b.dir.path, contents, length, NULL));
  }
  edit_the_same_days (f);

  {
    g_autoptr(MilkStore) a = open_diary (&f->a);
    g_autoptr(MilkStore) b = open_diary (&f->b);

    g_assert_cmpstr (milk_store_get_replica_node (a), !=, milk_store_get_replica_node (b));
  }
}

static void
test_restored_diary (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *d10 = days_ago (10);
  g_autofree char *d9 = days_ago (9);
  g_autofree char *d8 = days_ago (8);
  g_autofree char *backup = NULL;
  gsize length;

  sign_in (f, &f->a);
  add (&f->a, "1", d10);
  g_free (run (&f->a, 0, "--sync", NULL));
  g_assert_true (g_file_get_contents (f->a.dir.path, &backup, &length, NULL));   /* last night's backup */

  add (&f->a, "2", d9);
  add (&f->a, "2", d10);
  add (&f->a, "2", d8);                                  /* only this device ever edits day 8 */
  g_free (run (&f->a, 0, "--sync", NULL));
  sign_in (f, &f->b);
  add (&f->b, "3", d9);                                  /* the latest edit of day 9 */
  g_free (run (&f->b, 0, "--sync", NULL));

  /* The disk fails; the diary comes back from the backup. */
  g_assert_true (g_file_set_contents (f->a.dir.path, backup, length, NULL));
  {
    g_autofree char *journal = g_strconcat (f->a.dir.path, "-wal", NULL);

    g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));   /* the file alone is the diary */
  }
  add (&f->a, "4", d10);                                 /* the latest edit of day 10 */
  sync_twice (&f->a, &f->b);
  assert_converged (f, d10, 4000);
  assert_converged (f, d9, 3000);
  assert_converged (f, d8, 2000);
}

/* A script learns from the exit status that nothing was synced. */
static void
test_sync_needs_sign_in (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *out = NULL;

  {
    g_autofree char *config = g_build_filename (g_getenv ("XDG_CONFIG_HOME"), "glib-2.0", "settings", "keyfile", NULL);

    g_unlink (config);   /* no sync server set */
  }
  out = run (&f->a, 1, "--sync", NULL);
  g_assert_cmpstr (out, ==, "");
}

/* ---- signing a diary in to another account (issue 14, problem 6) ---- */

static guint
entries_on_server (Fixture         *f,
                   MilkTestAccount *account)
{
  g_autoptr(GHashTable) records = milk_e2e_server_records (f->server, account->access_token);
  GHashTableIter iter;
  gpointer key;
  guint n = 0;

  g_hash_table_iter_init (&iter, records);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    n += g_str_has_prefix (key, "entry/");
  return n;
}

static gint64
qty_in (const char *path,
        const char *day)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkStore) store = milk_store_new (path, &error);
  g_autoptr(MilkRecord) entry = NULL;

  g_assert_no_error (error);
  entry = milk_store_get_entry (store, MILK, milk_test_day (day), NULL);
  return entry ? entry->qty_ml : -1;
}

/* The diary A synced with the owner's account, with two days on it; and
 * a second account, "other", with a day of its own from device B. */
static MilkTestAccount *
diary_of_one_account_and_another (Fixture *f)
{
  g_autofree char *email = g_strdup_printf ("cli-other-%u-%d@example.org", ++account_serial, (int) getpid ());
  MilkTestAccount *other = milk_test_account_new (f->server, email);

  sign_in (f, &f->a);
  add (&f->a, "1", "2026-11-10");
  add (&f->a, "2", "2026-11-11");
  g_free (run (&f->a, 0, "--sync", NULL));
  g_assert_cmpuint (entries_on_server (f, f->owner), ==, 2);

  g_setenv ("MILK_TEST_EMAIL", email, TRUE);
  sign_in (f, &f->b);
  add (&f->b, "3", "2026-11-12");
  g_free (run (&f->b, 0, "--sync", NULL));
  return other;
}

/* Before, the second sign-in sent both days into the other account. Now a
 * script gets a clear refusal and a non-zero exit; nothing is sent, and
 * the diary is as it was. The owner's account again needs no choice.
 * Seen failing with the check left out (exit 0, two days sent). */
static void
test_switch_refused_without_choice (Fixture       *f,
                                    gconstpointer  data)
{
  MilkTestAccount *other = diary_of_one_account_and_another (f);
  g_autofree char *out = run (&f->a, 1, "--sign-in", f->server->url, NULL);

  g_assert_null (strstr (out, "Synced with"));
  g_assert_cmpuint (entries_on_server (f, other), ==, 1);
  g_assert_cmpint (qty_in (f->a.dir.path, "2026-11-10"), ==, 1000);
  g_assert_cmpint (qty_in (f->a.dir.path, "2026-11-12"), ==, -1);

  g_setenv ("MILK_TEST_EMAIL", f->owner->email, TRUE);
  sign_in (f, &f->a);
  g_assert_cmpuint (entries_on_server (f, f->owner), ==, 2);
  milk_test_account_free (other);
}

/* --merge: this diary goes into the other account, and theirs comes here. */
static void
test_switch_merge (Fixture       *f,
                   gconstpointer  data)
{
  MilkTestAccount *other = diary_of_one_account_and_another (f);
  g_autofree char *out = run (&f->a, 0, "--sign-in", f->server->url, "--merge", NULL);

  g_assert_nonnull (strstr (out, "Synced with"));
  g_assert_cmpuint (entries_on_server (f, other), ==, 3);
  g_assert_cmpint (qty_in (f->a.dir.path, "2026-11-10"), ==, 1000);
  g_assert_cmpint (qty_in (f->a.dir.path, "2026-11-12"), ==, 3000);
  milk_test_account_free (other);
}

/* --replace: this diary is saved next to itself, then holds only the other
 * account's records; nothing of it is sent there. */
static void
test_switch_replace (Fixture       *f,
                     gconstpointer  data)
{
  MilkTestAccount *other = diary_of_one_account_and_another (f);
  g_autofree char *out = run (&f->a, 0, "--sign-in", f->server->url, "--replace", NULL);
  const char *saved = strstr (out, "saved as ");
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;

  g_assert_nonnull (saved);
  path = g_strndup (saved + 9, strcspn (saved + 9, "\n"));
  dir = g_path_get_dirname (path);
  g_assert_cmpstr (dir, ==, f->a.dir.dir);
  g_assert_cmpint (qty_in (path, "2026-11-10"), ==, 1000);
  g_assert_cmpint (qty_in (path, "2026-11-11"), ==, 2000);

  g_assert_cmpuint (entries_on_server (f, other), ==, 1);
  g_assert_cmpint (qty_in (f->a.dir.path, "2026-11-10"), ==, -1);
  g_assert_cmpint (qty_in (f->a.dir.path, "2026-11-12"), ==, 3000);
  milk_test_account_free (other);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_free (milk_e2e_register_browser ());
  if (!milk_test_init (&argc, &argv))
    return milk_test_run_skipped ("/e2e/cli");

#define ADD(path, func) g_test_add ("/e2e/cli/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("sync-needs-sign-in", test_sync_needs_sign_in);
  ADD ("slow-clock", test_slow_clock);
  ADD ("copied-diary", test_copied_diary);
  ADD ("restored-diary", test_restored_diary);
  ADD ("switch-refused-without-choice", test_switch_refused_without_choice);
  ADD ("switch-merge", test_switch_merge);
  ADD ("switch-replace", test_switch_replace);
#undef ADD

  status = g_test_run ();
  milk_test_cleanup ();
  return status;
}
