/* test-sim.c — convergence under faults: three devices, two accounts
 *
 * Each seed is a small random history: offline edits and deletes of every
 * record type on three devices (often the same day on several), syncs in
 * random order, one at a time or all at once, edits made while a request
 * is in flight, and faults injected by a loopback proxy between the devices
 * and the real service: requests or responses dropped, delayed, sent twice,
 * connections cut in the middle of a body, one of the two service instances
 * killed and restarted in the middle of a request, PostgreSQL restarted
 * under them (sim-proxy.c), and a device process killed (SIGKILL) in the
 * middle of a sync and opened again from its file. And the world's
 * (sim-world.c): clocks off and jumping, diaries copied, backed up and
 * restored, access tokens expiring, a device signed in to another account
 * (merged into it or started afresh); records written by a newer and an
 * older version of the app (sim-versions.c).
 *
 * Then the faults stop and every device syncs until nothing is pending,
 * twice around. Per account, the devices and the service must hold the
 * same records, one per key; every version saved locally must be there
 * unless a version with a greater clock stamp replaced it (the model keeps,
 * per key, the greatest stamp written anywhere), and nothing of another
 * account unless merged on purpose (sim-check.c).
 *
 * Over a run of 100 seeds or more, every kind of fault must have happened,
 * each counted; MILK_SIM_OFF=versions,accounts,instances,pg leaves kinds
 * out (and so fails the run).
 *
 * MILK_SIM_SEEDS seeds (default 170) from MILK_SIM_FIRST (0), or --seed N
 * for one. A failing seed
 * prints "seed N: replay with --seed N"; MILK_SIM_TRACE=1 prints each
 * operation and each request the proxy sees, MILK_TEST_SHOW_LOG=1 the
 * service's log.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "milk-account-switch.h"
#include "milk-hlc.h"
#include "milk-store-private.h"
#include "milk-token-store.h"
#include "sim.h"

SimCounts counts;
static char *self_exe;

gboolean
sim_off (const char *kind)
{
  const char *off = g_getenv ("MILK_SIM_OFF");
  g_auto(GStrv) kinds = off ? g_strsplit (off, ",", -1) : NULL;

  return kinds && g_strv_contains ((const char * const *) kinds, kind);
}

/* ---- a device killed in the middle of a sync: a process of its own ---- */

static int
device_child_main (const char *path,
                   const char *server,
                   const char *offset_text)
{
  g_autoptr(GError) error = NULL;
  static gint64 offset_ms;
  g_autoptr(MilkStore) store = NULL;

  offset_ms = g_ascii_strtoll (offset_text, NULL, 10);
  store = _milk_store_new_with_clock (path, offset_clock, &offset_ms, &error);
  g_autoptr(MilkAccount) account = NULL;
  g_autoptr(MilkSyncService) sync = NULL;
  MilkTestWait w = { 0 };

  if (store == NULL)
    g_error ("%s", error->message);
  if (g_getenv ("MILK_SIM_TRACE"))
    g_printerr ("# %.3f child: store open\n", g_get_monotonic_time () / 1e6);
  account = milk_account_new (server, milk_store_get_node (store));
  milk_account_load_async (account, NULL, milk_test_wait_done, &w);
  milk_test_wait (&w);
  if (g_getenv ("MILK_SIM_TRACE"))
    g_printerr ("# %.3f child: account loaded\n", g_get_monotonic_time () / 1e6);
  if (!w.ok)
    g_error ("The device could not load its sign-in: %s", w.error ? w.error->message : "");
  sync = milk_sync_service_new (store, account);
  w = (MilkTestWait) { 0 };
  milk_sync_service_sync_async (sync, NULL, milk_test_wait_done, &w);
  milk_test_wait (&w);
  g_clear_error (&w.error);
  return 0;
}

char *
identity (const MilkRecord *record)
{
  g_autofree char *key = milk_record_dup_key (record);

  return g_strdup_printf ("%s/%s", milk_record_type_to_string (record->type), key);
}

/* Most clocks are right; the others hours or days slow, or hours fast
 * (less than the day ahead that the service allows: a clock days fast is
 * /e2e/fast-clock-recovers' case). */
static gint64
random_offset (Sim *sim)
{
  static const gint64 offsets[] = {
    -3 * 24 * HOUR_MS, -2 * 24 * HOUR_MS, -13 * HOUR_MS, -5 * 60 * 1000, 90 * 1000, 13 * HOUR_MS, 20 * HOUR_MS,
  };

  if (g_rand_int_range (sim->rng, 0, 100) < 55)
    return 0;
  return offsets[g_rand_int_range (sim->rng, 0, G_N_ELEMENTS (offsets))];
}

static void
sim_init (Sim   *sim,
          guint  seed)
{
  sim->seed = seed;
  sim->rng = g_rand_new_with_seed (seed);
  {
    /* in memory where there is such a place: the diaries' fsyncs are not what is tested */
    g_autofree char *template = g_build_filename (g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm"
                                                                                            : g_get_tmp_dir (),
                                                  "milk-sim-XXXXXX", NULL);
    sim->dir = g_mkdtemp (g_steal_pointer (&template));
    g_assert_nonnull (sim->dir);
  }
  sim_account (sim, 0);
  sim->payments = g_ptr_array_new_with_free_func (g_free);
  sim->product = g_strdup_printf ("5e1d0000-0000-4000-8000-%012x", seed);

  for (int i = 0; i < N_DEVICES; i++)
    {
      Device *d = &sim->devices[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(MilkStore) store = NULL;
      g_autoptr(MilkTokens) tokens = device_tokens (sim, 0, i);
      MilkTestWait w = { 0 };

      d->path = g_strdup_printf ("%s/device-%d.sqlite", sim->dir, i);
      d->offset_ms = d->first_offset_ms = random_offset (sim);
      if (d->offset_ms != 0)
        counts.clocks_off++;
      /* in half the seeds, the last device runs a version from before weekday_qty_ml */
      d->old = i == N_DEVICES - 1 && !sim_off ("versions") && g_rand_boolean (sim->rng);
      store = milk_store_new (d->path, &error);
      g_assert_no_error (error);
      d->node = g_strdup (milk_store_get_node (store));
      g_clear_object (&store);
      milk_token_store_save_async (proxy_url, d->node, tokens, NULL, milk_test_wait_done, &w);
      milk_test_wait (&w);
      g_assert_no_error (w.error);
      device_open (sim, d);
      /* as the sign-in of a new diary does: it is the account's */
      if (!milk_account_switch_apply (d->store, milk_account_get_server (d->account_obj), sim->accounts[0].id,
                                      MILK_ACCOUNT_SWITCH_MERGE, NULL, &error))
        g_error ("%s", error->message);
    }
}

static void
sim_clear (Sim *sim)
{
  for (int i = 0; i < N_DEVICES; i++)
    {
      Device *d = &sim->devices[i];
      MilkTestWait w = { 0 };

      device_close (d);
      milk_token_store_clear_async (proxy_url, d->node, NULL, milk_test_wait_done, &w);
      milk_test_wait (&w);
      g_clear_error (&w.error);
      g_free (d->path);
      g_free (d->node);
      g_free (d->backup);
    }
  {
    g_autoptr(GDir) dir = g_dir_open (sim->dir, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name (dir)))
      {
        g_autofree char *path = g_build_filename (sim->dir, name, NULL);
        g_unlink (path);
      }
    g_rmdir (sim->dir);
  }
  g_free (sim->dir);
  g_free (sim->product);
  g_rand_free (sim->rng);
  for (int i = 0; i < N_ACCOUNTS; i++)
    {
      SimAccount *a = &sim->accounts[i];

      g_clear_pointer (&a->owner, milk_test_account_free);
      g_clear_pointer (&a->model, g_hash_table_unref);
      g_clear_pointer (&a->far, g_hash_table_unref);
      g_clear_pointer (&a->id, g_free);
    }
  g_ptr_array_unref (sim->payments);
}

/* Every version a device saved, remembered in its account if its stamp is
 * the greatest of its key so far. */
void
model_note (Sim              *sim,
            int               account,
            const MilkRecord *record)
{
  SimAccount *a = &sim->accounts[account];
  g_autofree char *id = identity (record);
  MilkRecord *before = g_hash_table_lookup (a->model, id);

  MilkHlcStamp stamp;

  /* A diary copied from a computer whose clock is days slow to one whose
   * clock is right carries a correction days too large until its first
   * sync: its edits are stamped days ahead, the service refuses them, and
   * the diary stamps them again (recover_from_future_clock). The model
   * cannot follow the new stamps: for such a key only its convergence is
   * checked. */
  if (milk_hlc_stamp_parse (record->hlc, &stamp, NULL) &&
      stamp.wall_ms > g_get_real_time () / 1000 + MILK_HLC_MAX_DRIFT_MS - 60 * 1000)
    {
      g_hash_table_add (a->far, g_strdup (id));
      counts.far_writes++;
    }
  if (before == NULL || strcmp (before->hlc, record->hlc) < 0)
    g_hash_table_replace (a->model, g_steal_pointer (&id), milk_record_copy (record));
}

static void
local_write (Sim    *sim,
             Device *d)
{
  GRand *r = sim->rng;
  g_autoptr(MilkRecord) record = NULL;
  g_autofree char *day = g_strdup_printf ("2026-11-%02d", g_rand_int_range (r, 1, 6));
  const char *product = g_rand_boolean (r) ? MILK_DEFAULT_PRODUCT_ID : sim->product;
  guint what = g_rand_int_range (r, 0, 100);

  /* the older version's device edits products more, to meet the newer ones' weekday quantities */
  if (d->old && g_rand_int_range (r, 0, 3) == 0)
    what = 99;
  if (what < 55)
    {
      record = milk_record_new (MILK_RECORD_ENTRY);
      record->id = g_strdup (product);
      record->day = milk_day_parse (day, NULL);
      record->qty_ml = 250 * g_rand_int_range (r, 0, 9);
      record->price_override = g_rand_int_range (r, 0, 4) == 0 ? 100 * g_rand_int_range (r, 40, 80) : MILK_NO_PRICE;
      record->note = g_strdup_printf ("%s %u", d->node, g_rand_int_range (r, 0, 1000));
    }
  else if (what < 72)
    {
      g_autofree char *key = g_strdup_printf ("%s/%s", product, day);

      record = milk_record_new (MILK_RECORD_ENTRY);
      g_assert_true (milk_record_set_key (record, key, NULL));
      record->deleted = TRUE;
    }
  else if (what < 80)
    {
      g_autofree char *key = g_strdup_printf ("%s/2026-11-01", product);

      record = milk_record_new (MILK_RECORD_PRICE);
      g_assert_true (milk_record_set_key (record, key, NULL));
      record->deleted = g_rand_int_range (r, 0, 4) == 0;
      record->price_per_l = 100 * g_rand_int_range (r, 40, 80);
    }
  else if (what < 88)
    {
      record = milk_record_new (MILK_RECORD_PAYMENT);
      if (sim->payments->len > 0 && g_rand_boolean (r))
        {
          record->id = g_strdup (g_ptr_array_index (sim->payments, g_rand_int_range (r, 0, sim->payments->len)));
          record->deleted = g_rand_boolean (r);
        }
      else
        {
          record->id = g_strdup_printf ("9a7e0000-0000-4000-8000-%04x%08x", sim->seed & 0xffff,
                                        g_rand_int (r));
          g_ptr_array_add (sim->payments, g_strdup (record->id));
        }
      record->day = milk_day_parse (day, NULL);
      record->amount = 100 * g_rand_int_range (r, 1, 5000);
      record->note = g_strdup ("");
    }
  else if (what < 94)
    {
      static const char * const currencies[] = { "INR", "EUR", "USD", "JPY" };

      record = milk_record_new (MILK_RECORD_SETTING);
      record->id = g_strdup (g_rand_boolean (r) ? "currency" : "reminder-time");
      record->value = g_strdup (g_str_equal (record->id, "currency")
                                  ? currencies[g_rand_int_range (r, 0, 4)]
                                  : (g_rand_boolean (r) ? "07:30" : "19:00"));
    }
  else
    {
      record = milk_record_new (MILK_RECORD_PRODUCT);
      record->id = g_strdup (product);
      record->name = g_strdup_printf ("Milk %u", g_rand_int_range (r, 0, 100));
      record->unit = g_strdup ("L");
      record->default_qty_ml = 250 * g_rand_int_range (r, 1, 8);
      record->position = g_str_equal (product, MILK_DEFAULT_PRODUCT_ID) ? 0 : 1;
      record->archived = g_rand_int_range (r, 0, 5) == 0;
    }

  if (versions_write (sim, d, record))
    model_note (sim, d->account, record);
}

static FaultKind
random_fault (Sim *sim)
{
  static const FaultKind pick[] = {
    FAULT_DROP_REQUEST, FAULT_DROP_RESPONSE, FAULT_DELAY, FAULT_DUPLICATE,
    FAULT_CUT_REQUEST, FAULT_CUT_RESPONSE,
  };

  if (g_rand_int_range (sim->rng, 0, 100) < 45)
    return FAULT_NONE;
  if (g_rand_int_range (sim->rng, 0, 100) < 6)
    return FAULT_RESTART;
  return pick[g_rand_int_range (sim->rng, 0, G_N_ELEMENTS (pick))];
}

static guint
fault_param (Sim       *sim,
             FaultKind  kind)
{
  switch (kind)
    {
    case FAULT_DELAY:
      return g_rand_int_range (sim->rng, 1000, 60000);
    case FAULT_RESTART:
    case FAULT_KILL_AFTER:
      return g_rand_int_range (sim->rng, 0, 4000);
    default:
      return g_rand_int_range (sim->rng, 0, 100);
    }
}

static void
queue_random_fault (Sim *sim)
{
  FaultKind kind = random_fault (sim);

  queue_fault (kind, fault_param (sim, kind));
}

/* A device's process killed with SIGKILL somewhere in a sync, then the
 * device opened again from its file. */
static void
kill_mid_sync (Sim    *sim,
               Device *d)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  guint how = g_rand_int_range (sim->rng, 0, 3);
  guint after_us = g_rand_int_range (sim->rng, 0, 120000);
  g_autofree char *offset = NULL;
  const char *pid;

  device_close (d);
  clear_faults ();
  if (how == 1)
    queue_fault (FAULT_KILL_BEFORE, 0);
  else if (how == 2)
    queue_fault (FAULT_KILL_AFTER, fault_param (sim, FAULT_KILL_AFTER));

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  offset = g_strdup_printf ("%" G_GINT64_FORMAT, d->offset_ms);
  child = g_subprocess_launcher_spawn (launcher, &error, self_exe, "--device", d->path, proxy_url, offset, NULL);
  g_assert_no_error (error);
  pid = g_subprocess_get_identifier (child);
  sim_set_kill_target (pid ? atoi (pid) : 0);

  if (how == 0)
    {
      /* at a random moment: opening, loading the sign-in, in flight, storing */
      gint64 until = g_get_monotonic_time () + after_us;

      while (g_get_monotonic_time () < until && g_subprocess_get_identifier (child) != NULL)
        g_usleep (500);
      kill_device ();
    }
  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);
  sim_set_kill_target (0);
  clear_faults ();
  if (g_subprocess_get_if_signaled (child))
    sim->kills++;
  else if (!g_subprocess_get_if_exited (child) || g_subprocess_get_exit_status (child) != 0)
    FAIL (sim, "the device process failed (status %d)", g_subprocess_get_status (child));
  device_open (sim, d);
}

static void
random_op (Sim *sim)
{
  GRand *r = sim->rng;
  Device *d = &sim->devices[g_rand_int_range (r, 0, N_DEVICES)];
  guint what = g_rand_int_range (r, 0, 100);
  guint world = g_rand_int_range (r, 0, 100);

  sim->ops++;
  if (world < 12)
    {
      world_op (sim, d, world);
      return;
    }
  TRACE ("op %u on device %d", what, (int) (d - sim->devices));
  if (what < 50)
    local_write (sim, d);
  else if (what < 78)
    {
      queue_random_fault (sim);
      device_sync_start (d);
      device_sync_finish (d, NULL);
      clear_faults ();
      sim->syncs++;
    }
  else if (what < 88)
    {
      /* all at once, in a random order, with up to two faults among them */
      guint first = g_rand_int_range (r, 0, N_DEVICES);

      for (guint n = g_rand_int_range (r, 0, 3); n > 0; n--)
        queue_random_fault (sim);
      for (guint i = 0; i < N_DEVICES; i++)
        device_sync_start (&sim->devices[(first + i) % N_DEVICES]);
      for (guint i = 0; i < N_DEVICES; i++)
        device_sync_finish (&sim->devices[i], NULL);
      clear_faults ();
      sim->syncs += N_DEVICES;
    }
  else if (what < 95)
    {
      /* an edit while the request is on its way */
      guint before = milk_sync_service_get_requests (d->sync);

      if (g_rand_boolean (r))
        queue_fault (FAULT_DELAY, g_rand_int_range (r, 1000, 30000));
      else
        queue_random_fault (sim);
      device_sync_start (d);
      while (milk_sync_service_get_requests (d->sync) == before && !d->wait.done)
        g_main_context_iteration (NULL, TRUE);
      local_write (sim, d);
      device_sync_finish (d, NULL);
      clear_faults ();
      sim->syncs++;
    }
  else
    kill_mid_sync (sim, d);
}

static void
run_seed (gconstpointer data)
{
  guint seed = GPOINTER_TO_UINT (data);
  Sim sim = { 0 };
  guint n_ops;
  gint64 start = g_get_monotonic_time (), ran, quiet = 0;

  sim_init (&sim, seed);
  ran = g_get_monotonic_time ();
  n_ops = g_rand_int_range (sim.rng, 20, 41);
  for (guint i = 0; i < n_ops && !sim.failed; i++)
    random_op (&sim);
  if (!sim.failed)
    {
      quiet = g_get_monotonic_time ();
      quiesce (&sim);
      check_converged (&sim);
    }
  g_test_message ("seed %u: %u operations, %u syncs, %u devices killed, %u keys; "
                  "set-up %d ms, schedule %d ms, quiescence and checks %d ms",
                  seed, sim.ops, sim.syncs, sim.kills, g_hash_table_size (sim.accounts[0].model),
                  (int) ((ran - start) / 1000), (int) (((quiet ? quiet : g_get_monotonic_time ()) - ran) / 1000),
                  (int) (quiet ? (g_get_monotonic_time () - quiet) / 1000 : 0));
  if (sim.failed || g_test_failed ())
    {
      g_printerr ("seed %u: replay with --seed %u\n", seed, seed);
      g_test_fail ();
    }
  sim_clear (&sim);
}

/* What the run did, on stderr; over many seeds, FALSE unless every kind
 * of fault happened. */
static gboolean
report (gboolean many)
{
  g_autoptr(GString) summary = g_string_new ("faults exercised:");
  g_autoptr(GString) missing = g_string_new (NULL);
  SimProxyStats p = sim_proxy_take_stats ();
  SimCounts *c = &counts;
  /* Where this process may not restart PostgreSQL (a server of
   * MILK_TEST_DATABASE_URL), its restarts are not required. */
  gboolean pg = milk_test_postgres_can_restart ();
  struct { const char *name; guint n; gboolean required; } kinds[] = {
    { "refreshes", p.refreshes, TRUE }, { "clocks off", c->clocks_off, TRUE }, { "clock jumps", c->clock_jumps, TRUE },
    { "copies", c->copies, TRUE }, { "backups", c->backups, TRUE }, { "restores", c->restores, TRUE },
    { "token expiries", c->expiries, TRUE },
    { "newer versions' writes", c->future_writes, TRUE },
    { "edits keeping what they do not know", c->future_kept, TRUE },
    { "older version's writes", c->old_writes, TRUE },
    { "older version's writes keeping weekday_qty_ml", c->old_kept, TRUE },
    { "final versions with members this build does not know", c->unknown_at_end, TRUE },
    { "final products with weekday_qty_ml", c->weekday_at_end, TRUE },
    { "older version's days", c->old_entry_writes, TRUE },
    { "older version's days keeping morning and evening", c->old_parts_kept, TRUE },
    { "older version's new quantities beside the parts", c->old_parts_stale, TRUE },
    { "final days delivered morning and evening", c->split_at_end, TRUE },
    { "account switches merged", c->switches_merge, TRUE },
    { "account switches started afresh", c->switches_replace, TRUE },
    { "account switches asked", c->switches_asked, TRUE },
    { "restores of another account's diary refused", c->restores_other_account, TRUE },
    { "keys checked against the other account", c->leaks_checked, TRUE },
    { "requests the second instance answered", p.served[N_INSTANCES - 1], TRUE },
    { "PostgreSQL restarts", c->pg_restarts, pg },
    { "syncs failed by a PostgreSQL restart", c->pg_failed_syncs, pg },
  };

  for (int k = 1; k < N_FAULTS; k++)
    {
      g_string_append_printf (summary, " %s %u,", sim_fault_names[k], p.exercised[k]);
      if (p.exercised[k] == 0 && (k != FAULT_PG_RESTART || pg))
        g_string_append_printf (missing, "; NOT EXERCISED: %s", sim_fault_names[k]);
    }
  g_string_append_printf (summary, " of %u requests (%u, %u by instance; %u answered 5xx); %u copies refused",
                          p.requests, p.served[0], p.served[1], p.failed_answers, p.copies_refused);
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_string_append_printf (summary, "; %s %u", kinds[k].name, kinds[k].n);
      if (kinds[k].n == 0 && kinds[k].required)
        g_string_append_printf (missing, "; NOT EXERCISED: %s", kinds[k].name);
    }
  g_string_append_printf (summary, "; writes stamped too far ahead %u", c->far_writes);
  /* copies_refused is not required: most copies are told by their new
   * inode before they sync; only a file restored in place over itself
   * reaches the service's check. */
  if (many)
    g_string_append (summary, missing->str);
  g_printerr ("# %s\n", summary->str);
  return !many || missing->len == 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  gint64 replay = -1;
  guint seeds = 170, first = 0;
  const char *env;
  int status;

  if (argc == 5 && g_str_equal (argv[1], "--device"))
    return device_child_main (argv[2], argv[3], argv[4]);

  for (int i = 0; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--seed") && i + 1 < argc)
        replay = g_ascii_strtoll (argv[++i], NULL, 10);
      else
        g_ptr_array_add (args, argv[i]);
    }
  g_ptr_array_add (args, NULL);
  argc = args->len - 1;
  argv = (char **) args->pdata;

  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  if (!milk_test_init (&argc, &argv))
    return milk_test_run_skipped ("/sim/convergence");
  g_log_set_debug_enabled (FALSE);
  if ((env = g_getenv ("MILK_SIM_SEEDS")) != NULL && *env)
    seeds = (guint) g_ascii_strtoull (env, NULL, 10);
  if ((env = g_getenv ("MILK_SIM_FIRST")) != NULL && *env)
    first = (guint) g_ascii_strtoull (env, NULL, 10);

  /* The proxy first: the service names it as its own address. */
  sim_proxy_start ();
  {
    const char *server_env[] = { "MILK_BASE_URL", proxy_url, NULL };

    sim_service_start (milk_test_server_start (server_env));
  }

  if (replay >= 0)
    g_test_add_data_func ("/sim/seed/replay", GUINT_TO_POINTER ((guint) replay), run_seed);
  else
    for (guint s = first; s < first + seeds; s++)
      {
        g_autofree char *path = g_strdup_printf ("/sim/seed/%u", s);
        g_test_add_data_func (path, GUINT_TO_POINTER (s), run_seed);
      }

  status = g_test_run ();
  if (!report (replay < 0 && seeds >= 100))
    status = 1;
  sim_service_stop ();
  milk_test_cleanup ();
  return status;
}
