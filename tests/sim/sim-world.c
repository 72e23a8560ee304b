/* sim-world.c — what happens to the simulator's devices besides edits and
 * syncs: their files copied, backed up and restored, their clocks jumping,
 * their access tokens expiring, their sign-ins switched to another
 * account, and PostgreSQL restarted under the service while they sync
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "milk-account-switch.h"
#include "milk-store-private.h"
#include "milk-token-store.h"
#include "sim.h"

gint64
offset_clock (gpointer data)
{
  return g_get_real_time () / 1000 + *(gint64 *) data;
}

void
device_open (Sim    *sim,
             Device *d)
{
  g_autoptr(GError) error = NULL;
  MilkTestWait w = { 0 };

  d->store = _milk_store_new_with_clock (d->path, offset_clock, &d->offset_ms, &error);
  g_assert_no_error (error);
  if (d->node == NULL)
    d->node = g_strdup (milk_store_get_node (d->store));
  g_assert_cmpstr (d->node, ==, milk_store_get_node (d->store));
  d->account_obj = milk_account_new (proxy_url, d->node);
  milk_account_load_async (d->account_obj, NULL, milk_test_wait_done, &w);
  milk_test_wait (&w);
  g_assert_no_error (w.error);
  g_assert_true (milk_account_get_signed_in (d->account_obj));
  d->sync = milk_sync_service_new (d->store, d->account_obj);
}

void
device_close (Device *d)
{
  g_clear_object (&d->sync);
  g_clear_object (&d->account_obj);
  g_clear_object (&d->store);
}

/* The account, signed up at its first use. */
SimAccount *
sim_account (Sim *sim,
             int  index)
{
  SimAccount *a = &sim->accounts[index];

  if (a->owner == NULL)
    {
      g_autofree char *email = g_strdup_printf ("sim-%u-%d-%d-%" G_GINT64_FORMAT "@example.org", sim->seed, index,
                                                (int) getpid (), g_get_monotonic_time ());

      sim_settle ();
      a->owner = milk_test_account_new (&direct, email);
      a->model = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) milk_record_free);
      a->far = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      TRACE ("account %d made", index);
    }
  return a;
}

/* A token pair of its own for each device: one device's refresh never
 * revokes another's. The account's own pair is the checker's: a device's
 * refresh would revoke its family's access tokens. */
MilkTokens *
device_tokens (Sim *sim,
               int  account,
               int  i)
{
  SimAccount *a = sim_account (sim, account);
  g_autofree char *verifier = NULL;
  g_autofree char *location = NULL;
  g_autofree char *code = NULL;
  MilkTokens *result;
  JsonObject *tokens;

  sim_settle ();
  verifier = g_strdup_printf ("sim-verifier-%u-%d-%d-012345678901234567890123456789012345", sim->seed, account, i);
  location = milk_test_authorize (&direct, a->owner->browser, MILK_TEST_REDIRECT, verifier, "st");
  code = milk_test_query_param (location, "code");
  g_assert_nonnull (code);
  milk_test_form (a->owner->browser, &direct, "/oauth/token", "grant_type", "authorization_code", "code", code,
                  "redirect_uri", MILK_TEST_REDIRECT, "client_id", MILK_TEST_CLIENT_ID,
                  "code_verifier", verifier, NULL);
  g_assert_cmpuint (a->owner->browser->status, ==, 200);
  tokens = milk_test_json (a->owner->browser);
  if (a->id == NULL)
    a->id = g_strdup (json_object_get_string_member (tokens, "account"));
  g_assert_cmpstr (a->id, ==, json_object_get_string_member (tokens, "account"));
  result = milk_tokens_new (json_object_get_string_member (tokens, "access_token"),
                            json_object_get_string_member (tokens, "refresh_token"),
                            g_get_real_time () / G_USEC_PER_SEC + 3000);
  result->account = g_strdup (a->id);
  return result;
}

void
device_sync_start (Device *d)
{
  g_assert_false (d->busy);
  d->wait = (MilkTestWait) { 0 };
  d->busy = TRUE;
  milk_sync_service_sync_async (d->sync, NULL, milk_test_wait_done, &d->wait);
}

gboolean
device_sync_finish (Device  *d,
                    GError **error)
{
  milk_test_wait (&d->wait);
  d->busy = FALSE;
  if (d->wait.error)
    g_propagate_error (error, g_steal_pointer (&d->wait.error));
  return d->wait.ok;
}

/* Syncs without faults until nothing is pending: before a file is copied
 * over or restored, what the person had not sent yet would be lost (as it
 * would be for them: the model cannot tell that loss from a bug). */
gboolean
sync_everything (Device *d)
{
  clear_faults ();
  for (int i = 0; i < 4 && milk_store_count_pending (d->store) > 0; i++)
    {
      device_sync_start (d);
      device_sync_finish (d, NULL);
    }
  return milk_store_count_pending (d->store) == 0;
}

/* As a file manager copies (a new file), or over the old file in place
 * (its inode kept, so that only the service can tell the copy). */
static void
copy_file (const char *from,
           const char *to,
           gboolean    in_place)
{
  g_autofree char *contents = NULL;
  gsize length;

  for (const char *const *suffix = (const char *[]) { "-wal", "-shm", NULL }; *suffix; suffix++)
    {
      g_autofree char *side = g_strconcat (to, *suffix, NULL);

      g_unlink (side);
    }
  g_assert_true (g_file_get_contents (from, &contents, &length, NULL));
  if (in_place)
    {
      FILE *f = fopen (to, "wb");

      g_assert_nonnull (f);
      g_assert_cmpuint (fwrite (contents, 1, length, f), ==, length);
      g_assert_cmpint (fclose (f), ==, 0);
    }
  else
    g_assert_true (g_file_set_contents (to, contents, length, NULL));
}

static void
exec_sql (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* Device @to's file is replaced by a copy of @from's, as when a person
 * copies their diary to a second computer: the copy syncs as the same
 * node. (Its keyring here is the same as the original's, so the copy gets
 * a diary id of its own for the keyring's key, and a sign-in of its own,
 * as on another computer; its stamps and requests keep the node.) */
static void
copy_diary (Sim    *sim,
            Device *from,
            Device *to)
{
  g_autofree char *sql = NULL;
  g_autofree char *node = g_strdup_printf ("%016" G_GINT64_MODIFIER "x",
                                           ((guint64) g_rand_int (sim->rng) << 32) | g_rand_int (sim->rng));
  g_autoptr(MilkTokens) tokens = NULL;
  MilkTestWait w = { 0 };

  if (!sync_everything (to))
    return;
  device_close (from);
  device_close (to);
  milk_token_store_clear_async (proxy_url, to->node, NULL, milk_test_wait_done, &w);
  milk_test_wait (&w);
  g_clear_error (&w.error);
  copy_file (from->path, to->path, g_rand_boolean (sim->rng));
  sql = g_strdup_printf ("INSERT OR IGNORE INTO local_state (name, value) VALUES ('replica', '%s');"
                         "UPDATE local_state SET value = '%s' WHERE name = 'node';", from->node, node);
  exec_sql (to->path, sql);
  g_free (to->node);
  to->node = g_steal_pointer (&node);
  /* A backup of what the file held before is another diary's now. */
  if (to->backup != NULL)
    {
      g_unlink (to->backup);
      g_clear_pointer (&to->backup, g_free);
    }
  /* signed in to the account of the diary it now holds */
  tokens = device_tokens (sim, from->account, 100 + counts.copies);
  to->account = from->account;
  w = (MilkTestWait) { 0 };
  milk_token_store_save_async (proxy_url, to->node, tokens, NULL, milk_test_wait_done, &w);
  milk_test_wait (&w);
  g_assert_no_error (w.error);
  device_open (sim, from);
  device_open (sim, to);
  counts.copies++;
}

static void adopt_diary (Sim    *sim,
                         Device *d,
                         int     diary_account);

/* An older copy of the device's file, kept; or the file replaced by it. */
static void
backup_or_restore (Sim    *sim,
                   Device *d)
{
  /* a backup made before the device switched accounts is always restored */
  if (d->backup == NULL || (d->backup_account == d->account && g_rand_boolean (sim->rng)))
    {
      if (d->backup == NULL)
        d->backup = g_strconcat (d->path, ".backup", NULL);
      device_close (d);
      copy_file (d->path, d->backup, FALSE);
      d->backup_account = d->account;
      device_open (sim, d);
      counts.backups++;
      return;
    }
  if (!sync_everything (d))
    return;
  device_close (d);
  copy_file (d->backup, d->path, g_rand_boolean (sim->rng));
  device_open (sim, d);
  counts.restores++;
  if (d->backup_account != d->account)
    {
      g_autoptr(GError) error = NULL;

      /* Made before the device switched accounts: the file is the other
       * account's, and nothing of it may go to this one unasked. */
      device_sync_start (d);
      if (device_sync_finish (d, &error))
        FAIL (sim, "a restored diary of account %d synced into account %d unasked", d->backup_account, d->account);
      else if (!g_error_matches (error, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_OTHER_ACCOUNT))
        FAIL (sim, "a restored diary of another account did not say so: %s", error->message);
      counts.restores_other_account++;
      adopt_diary (sim, d, d->backup_account);
    }
}

/* Every device's access token expires now (the checkers' stay): the
 * next syncs refresh, under whatever faults come. */
static void
expire_access_tokens (Sim *sim)
{
  PGconn *db;

  sim_settle ();
  db = milk_test_db_connect (&direct);
  for (int i = 0; i < N_ACCOUNTS; i++)
    {
      SimAccount *a = &sim->accounts[i];
      g_autofree char *hash = NULL;
      const char *params[2];
      PGresult *result;

      if (a->owner == NULL)
        continue;
      hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, a->owner->access_token, -1);
      params[0] = a->owner->email;
      params[1] = hash;
      result = PQexecParams (db,
                             "UPDATE oauth_tokens SET expires_at = now () - interval '1 second'"
                             " WHERE kind = 'access' AND token_hash <> $2"
                             "   AND account_id = (SELECT id FROM accounts WHERE email = $1)",
                             2, NULL, params, NULL, NULL, 0);
      g_assert_cmpint (PQresultStatus (result), ==, PGRES_COMMAND_OK);
      PQclear (result);
    }
  PQfinish (db);
  counts.expiries++;
}

/* The server string the sign-in stores with the diary's account. */
static const char *
server_of (Device *d)
{
  return milk_account_get_server (d->account_obj);
}

/* The person's answer when the diary is another account's than the
 * signed-in one: merge it into the account, or start from the account's
 * diary (this one kept as a file), as the app asks; a diary with nothing
 * in it is merged without asking. Merged, everything it holds (from
 * account @diary_account, wherever it came from) is the account's too. */
static void
adopt_diary (Sim    *sim,
             Device *d,
             int     diary_account)
{
  SimAccount *from = sim_account (sim, diary_account);
  SimAccount *target = sim_account (sim, d->account);
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;
  MilkAccountSwitchChoice choice;
  gboolean asked, has_records;

  has_records = milk_store_has_records (d->store);
  asked = milk_account_switch_needs_asking (d->store, server_of (d), target->id);
  if (asked != has_records)
    FAIL (sim, "signing in to another account %s", asked ? "asks about an empty diary" : "does not ask");
  counts.switches_asked += asked;
  choice = asked && g_rand_boolean (sim->rng) ? MILK_ACCOUNT_SWITCH_REPLACE : MILK_ACCOUNT_SWITCH_MERGE;
  if (!milk_account_switch_apply (d->store, server_of (d), target->id, choice, &saved, &error))
    {
      FAIL (sim, "the account switch failed: %s", error->message);
      return;
    }
  if (choice == MILK_ACCOUNT_SWITCH_MERGE)
    {
      /* on purpose: the diary's records, from wherever they came, go to the account */
      g_autoptr(GPtrArray) all = milk_store_list_pending (d->store, G_MAXUINT, NULL);

      for (guint i = 0; all && i < all->len; i++)
        {
          MilkRecord *record = g_ptr_array_index (all, i);
          g_autofree char *id = identity (record);

          if (g_hash_table_contains (from->far, id))
            g_hash_table_add (target->far, g_strdup (id));
          model_note (sim, d->account, record);
        }
      counts.switches_merge++;
    }
  else
    {
      if (saved == NULL || !g_file_test (saved, G_FILE_TEST_EXISTS))
        FAIL (sim, "starting from the account's diary kept no copy of this one");
      counts.switches_replace++;
    }
}

/* The diary is signed out (the app's path: the round stopped, the tokens
 * revoked, the diary kept) and signed in to the other account, which asks
 * whether to merge this diary into it or to start from its diary. */
static void
switch_account (Sim    *sim,
                Device *d)
{
  int was = d->account;
  g_autoptr(MilkTokens) tokens = NULL;
  MilkTestWait w = { 0 };

  /* What it had not sent would go to the other account only. */
  if (!sync_everything (d))
    return;
  /* now and then with a backup first, restored later (backup_or_restore) */
  if (d->backup == NULL && g_rand_boolean (sim->rng))
    backup_or_restore (sim, d);
  milk_sync_service_sign_out_async (d->sync, TRUE, milk_test_wait_done, &w);
  milk_test_wait (&w);
  if (!w.ok)
    FAIL (sim, "signing out failed: %s", w.error ? w.error->message : "?");
  g_clear_error (&w.error);
  device_close (d);

  d->account = 1 - was;
  tokens = device_tokens (sim, d->account, 200 + counts.switches_merge + counts.switches_replace);
  w = (MilkTestWait) { 0 };
  milk_token_store_save_async (proxy_url, d->node, tokens, NULL, milk_test_wait_done, &w);
  milk_test_wait (&w);
  g_assert_no_error (w.error);
  device_open (sim, d);
  adopt_diary (sim, d, was);
  /* and sometimes the backup of the first account's diary restored at once */
  if (d->backup != NULL && d->backup_account != d->account && g_rand_int_range (sim->rng, 0, 3) == 0)
    backup_or_restore (sim, d);
}

/* PostgreSQL restarted as the devices sync, all at once: the requests in
 * flight and the instances' pooled connections fail; the devices try
 * again later. */
static void
restart_postgres (Sim *sim)
{
  guint failed = 0;

  sim->pg_restarted = TRUE;
  sim_settle ();
  clear_faults ();
  queue_fault (FAULT_PG_RESTART, g_rand_int_range (sim->rng, 0, 200000));
  for (guint i = 0; i < N_DEVICES; i++)
    device_sync_start (&sim->devices[i]);
  for (guint i = 0; i < N_DEVICES; i++)
    failed += !device_sync_finish (&sim->devices[i], NULL);
  clear_faults ();
  sim_settle ();
  sim->syncs += N_DEVICES;
  counts.pg_restarts++;
  counts.pg_failed_syncs += failed;
}

static void
jump_clock (Sim    *sim,
            Device *d)
{
  /* A jump of up to 10 hours either way from where the clock started:
   * the correction the device learnt at its last sync is then up to 20
   * hours off until its next one, below the day ahead that the service
   * refuses. (A device days ahead of the service is
   * /e2e/fast-clock-recovers' case: it stamps its edits again, which the
   * model here cannot follow.) */
  static const gint64 jumps[] = { -10 * HOUR_MS, -2 * HOUR_MS, -5 * 60 * 1000, 5 * 60 * 1000,
                                  2 * HOUR_MS, 10 * HOUR_MS };

  d->offset_ms = MIN (d->first_offset_ms + jumps[g_rand_int_range (sim->rng, 0, G_N_ELEMENTS (jumps))],
                      20 * HOUR_MS);
  counts.clock_jumps++;
}

/* What happens to files, clocks, sign-ins and the service, now and then
 * (what < 12). */
void
world_op (Sim    *sim,
          Device *d,
          guint   what)
{
  TRACE ("world op %u on device %d", what, (int) (d - sim->devices));
  if (what < 3)
    jump_clock (sim, d);
  else if (what < 6)
    backup_or_restore (sim, d);
  else if (what < 8)
    {
      Device *other = &sim->devices[(d - sim->devices + 1 + g_rand_int_range (sim->rng, 0, N_DEVICES - 1))
                                    % N_DEVICES];

      copy_diary (sim, d, other);
    }
  else if (what < 9)
    expire_access_tokens (sim);
  else if (what < 11)
    {
      if (!sim_off ("accounts"))
        switch_account (sim, d);
    }
  else if (!sim->pg_restarted && sim_can_restart_postgres () && g_rand_int_range (sim->rng, 0, 3) == 0)
    restart_postgres (sim);
}
