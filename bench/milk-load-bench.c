/* milk-load-bench.c — many clients syncing against two service instances
 * on one PostgreSQL
 *
 * MILK_LOAD_CLIENTS clients (200) — raw libsoup, one kept-alive connection
 * each that one sync in twenty hangs up (a device going away and coming
 * back), a device token of their own, five devices to an account — split between
 * two milk-diary-server processes on the same database, for
 * MILK_LOAD_SECONDS (60). The five devices of an account edit the same
 * product on the same month's days at once, so their pushes collide: each
 * device keeps its own copy of the account's entries, the newest version of
 * each key winning (as the app does), pushes its edits until they are
 * answered and pulls what the others pushed. Then every device syncs until
 * it has nothing to push and nothing to pull, and must hold exactly what
 * the service holds. Printed: requests, errors (must be 0), conflicts
 * (pushes the service refused as superseded: must be some), lost writes
 * (must be 0: every acknowledged push is on the server afterwards, at the
 * version acknowledged or a newer one), devices not converged (must be 0),
 * p50/p99 latency, each service's resident memory and open file
 * descriptors sampled from /proc every few seconds, and the connections
 * left open once every client has hung up (must be 0).
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>

#include "milk-bench-durable.h"
#include "milk-error.h"
#include "milk-hlc.h"
#include "milk-server-test.h"

#define DEVICES_PER_ACCOUNT 5
#define SAMPLE_EVERY_S 5
#define SHARED_DAYS 31     /* the days an account's devices edit: January 2020 */

typedef struct
{
  guint index;
  MilkTestServer *server;
  SoupSession *session;
  char *token;
  char *account_token;     /* for the check: any token of the account */
  guint account;
  char node[17];
  char product[37];
  char *cursor;
  guint32 counter;
  gint64 last_wall;
  guint64 node_id;
  GHashTable *acked;       /* key → hlc of the last acknowledged version */
  GHashTable *local;       /* key → MilkRecord: the device's copy, newest version wins */
  GHashTable *pending;     /* key → MilkRecord: its own edits not yet answered */
  GPtrArray *in_flight;    /* MilkRecord */
  gint64 sent_at;
  gboolean busy;
} Client;

static GArray *latencies;  /* double, ms */
static guint requests, errors, conflicts, in_flight;
static gboolean stopping;
static guint think_ms = 100;   /* between a client's syncs: uniform in 0 … 2 × this */

static void send_next (Client *c);

/* Into the device's copy, if newer than what it has. */
static void
keep_newest (GHashTable       *copy,
             const MilkRecord *record)
{
  g_autofree char *key = milk_record_dup_key (record);
  MilkRecord *have = g_hash_table_lookup (copy, key);

  if (have == NULL || strcmp (have->hlc, record->hlc) < 0)
    g_hash_table_replace (copy, g_steal_pointer (&key), milk_record_copy (record));
}

/* What came from the other devices: kept where newer, and the device's
 * clock moved past it, so that its next edit is newer still. */
static void
receive (Client          *c,
         MilkSyncMessage *response)
{
  for (guint i = 0; i < response->changes->len; i++)
    {
      MilkRecord *record = g_ptr_array_index (response->changes, i);
      MilkHlcStamp stamp;

      keep_newest (c->local, record);
      if (milk_hlc_stamp_parse (record->hlc, &stamp, NULL))
        {
          if (stamp.wall_ms > c->last_wall)
            {
              c->last_wall = stamp.wall_ms;
              c->counter = stamp.counter + 1;
            }
          else if (stamp.wall_ms == c->last_wall)
            c->counter = MAX (c->counter, stamp.counter + 1);
        }
    }
  g_free (c->cursor);
  c->cursor = g_strdup (response->cursor);
}

/* The pushed changes answered: acknowledged, or refused (superseded by
 * a newer edit from another device: a conflict, which the newest-wins
 * copy resolves; anything else: an error). Either way no longer pending,
 * unless edited again meanwhile. */
static void
answered_pushes (Client          *c,
                 MilkSyncMessage *response)
{
  g_autoptr(GHashTable) refused = g_hash_table_new (g_direct_hash, g_direct_equal);

  for (guint i = 0; i < response->rejected->len; i++)
    {
      MilkRejection *rejection = g_ptr_array_index (response->rejected, i);

      g_hash_table_add (refused, GUINT_TO_POINTER (rejection->index + 1));
      if (g_strcmp0 (rejection->code, milk_error_code_name (MILK_ERROR_SUPERSEDED)) == 0)
        conflicts++;
      else if (errors++ < 10)
        g_printerr ("client %u: refused: %s %s\n", c->index, rejection->code, rejection->message);
    }
  for (guint i = 0; i < c->in_flight->len; i++)
    {
      MilkRecord *record = g_ptr_array_index (c->in_flight, i);
      g_autofree char *key = milk_record_dup_key (record);
      MilkRecord *mine = g_hash_table_lookup (c->pending, key);

      if (!g_hash_table_contains (refused, GUINT_TO_POINTER (i + 1)))
        g_hash_table_replace (c->acked, g_strdup (key), g_strdup (record->hlc));
      if (mine && g_str_equal (mine->hlc, record->hlc))
        g_hash_table_remove (c->pending, key);
    }
}

/* A request: the device's pending edits, @n_new new ones first. */
static MilkSyncMessage *
next_request (Client *c,
              guint   n_new)
{
  MilkSyncMessage *request = milk_sync_message_new ();
  gint64 wall_ms = MAX (g_get_real_time () / 1000, c->last_wall);
  GHashTableIter iter;
  gpointer record;

  if (wall_ms > c->last_wall)
    c->counter = 0;
  c->last_wall = wall_ms;
  request->cursor = g_strdup (c->cursor);
  request->node = g_strdup (c->node);
  for (guint i = 0; i < n_new; i++)
    {
      MilkDay d = milk_day_parse ("2020-01-01", NULL) + g_random_int_range (0, SHARED_DAYS);
      char day[11];
      g_autoptr(MilkRecord) edit = NULL;

      milk_day_format_iso (d, day);
      edit = milk_test_entry (c->product, day, 250 * g_random_int_range (0, 9), wall_ms, c->counter++, c->node_id);
      keep_newest (c->local, edit);
      g_hash_table_replace (c->pending, milk_record_dup_key (edit), milk_record_copy (edit));
    }
  g_ptr_array_set_size (c->in_flight, 0);
  g_hash_table_iter_init (&iter, c->pending);
  while (g_hash_table_iter_next (&iter, NULL, &record))
    {
      g_ptr_array_add (request->changes, milk_record_copy (record));
      g_ptr_array_add (c->in_flight, milk_record_copy (record));
    }
  return request;
}

static gboolean
send_later (gpointer data)
{
  send_next (data);
  return G_SOURCE_REMOVE;
}

static void
answered (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Client *c = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(MilkSyncMessage) response = NULL;
  double ms = (g_get_monotonic_time () - c->sent_at) / 1000.0;

  c->busy = FALSE;
  in_flight--;
  requests++;
  g_array_append_val (latencies, ms);
  if (body == NULL || soup_message_get_status (msg) != 200 ||
      (response = milk_sync_response_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                             &error)) == NULL)
    {
      /* Still pending: pushed again next time. */
      if (errors++ < 10)
        g_printerr ("client %u: %s (HTTP %u)\n", c->index, error ? error->message : "refused",
                    soup_message_get_status (msg));
    }
  else
    {
      /* Acknowledged: each of these must be on the server at the end. */
      answered_pushes (c, response);
      receive (c, response);
    }
  g_ptr_array_set_size (c->in_flight, 0);
  if (g_random_int_range (0, 20) == 0)
    soup_session_abort (c->session);   /* hangs up; the next sync connects again */
  if (!stopping)
    g_timeout_add (g_random_int_range (0, 2 * think_ms + 1), send_later, c);
}

static void
send_next (Client *c)
{
  g_autoptr(MilkSyncMessage) request = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *url = g_strconcat (c->server->url, "/api/v1/sync", NULL);
  g_autofree char *auth = g_strconcat ("Bearer ", c->token, NULL);
  gsize len;
  char *json;

  if (stopping)
    return;
  request = next_request (c, g_random_int_range (0, 6));
  json = milk_sync_request_encode (request, &len);
  bytes = g_bytes_new_take (json, len);
  msg = soup_message_new ("POST", url);
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);   /* as the app does: one kept connection */
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  c->sent_at = g_get_monotonic_time ();
  c->busy = TRUE;
  in_flight++;
  soup_session_send_and_read_async (c->session, msg, G_PRIORITY_DEFAULT, NULL, answered, c);
}

static char *
device_token (MilkTestServer  *server,
              MilkTestAccount *owner,
              guint            n)
{
  g_autofree char *verifier = g_strdup_printf ("load-verifier-%u-0123456789012345678901234567890123456789", n);
  g_autofree char *location = milk_test_authorize (server, owner->browser, MILK_TEST_REDIRECT, verifier, "st");
  g_autofree char *code = milk_test_query_param (location, "code");

  milk_test_form (owner->browser, server, "/oauth/token", "grant_type", "authorization_code", "code", code,
                  "redirect_uri", MILK_TEST_REDIRECT, "client_id", MILK_TEST_CLIENT_ID,
                  "code_verifier", verifier, NULL);
  if (owner->browser->status != 200)
    g_error ("token exchange: HTTP %u", owner->browser->status);
  return g_strdup (json_object_get_string_member (milk_test_json (owner->browser), "access_token"));
}

static gint64
rss_kb (MilkTestServer *server)
{
  const char *pid = g_subprocess_get_identifier (server->process);
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", pid ? pid : "0");
  g_autofree char *text = NULL;
  const char *at;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (at = strstr (text, "VmRSS:")) == NULL)
    return -1;
  return g_ascii_strtoll (at + 6, NULL, 10);
}

static guint
open_fds (MilkTestServer *server)
{
  const char *pid = g_subprocess_get_identifier (server->process);
  g_autofree char *path = g_strdup_printf ("/proc/%s/fd", pid ? pid : "0");
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* CPU seconds this process (the simulated devices, not the services) has
 * used: when it keeps a core busy, the clients themselves hold the rate
 * down. */
static double
own_cpu_s (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static gboolean
line (const char *name,
      const char *value,
      const char *goal,
      gboolean    ok)
{
  g_print ("%-30s %24s  %-26s %s\n", name, value, goal, ok ? "ok" : "OVER");
  return ok;
}

/* Once the clients stop: the device pushes what it still has pending and
 * pulls until the service has nothing more for it, as the app does when
 * it syncs. */
static void
settle (Client         *c,
        MilkTestClient *http)
{
  for (int round = 0; round < 1000; round++)
    {
      g_autoptr(MilkSyncMessage) request = next_request (c, 0);
      g_autoptr(MilkSyncMessage) response = milk_test_sync (c->server, http, c->token, request->cursor, c->node,
                                                            request->changes);

      answered_pushes (c, response);
      receive (c, response);
      g_ptr_array_set_size (c->in_flight, 0);
      if (g_hash_table_size (c->pending) == 0 && !response->more)
        return;
    }
  g_printerr ("client %u: still syncing after 1000 rounds\n", c->index);
}

/* Per account, what the service holds (key → MilkRecord), pulled from
 * nothing; then every key a device had acknowledged must be there at the
 * acknowledged version or a newer one (lost writes), and every device's
 * copy must be the service's, key for key, version for version and
 * quantity for quantity (devices not converged). */
static void
check_accounts (Client         *clients,
                guint           n_clients,
                MilkTestServer *server,
                guint          *lost,
                guint          *diverged,
                guint          *keys)
{
  g_autoptr(MilkTestClient) http = milk_test_client_new ();

  *lost = *diverged = *keys = 0;
  for (guint first = 0; first < n_clients; first += DEVICES_PER_ACCOUNT)
    {
      g_autoptr(GHashTable) on_server = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                               (GDestroyNotify) milk_record_free);
      g_autofree char *cursor = NULL;

      for (int page = 0; page < 100000; page++)
        {
          g_autoptr(MilkSyncMessage) response = milk_test_sync (server, http, clients[first].account_token, cursor,
                                                                "00000000000000ff", NULL);

          for (guint i = 0; i < response->changes->len; i++)
            keep_newest (on_server, g_ptr_array_index (response->changes, i));
          g_free (cursor);
          cursor = g_strdup (response->cursor);
          if (!response->more)
            break;
        }
      *keys += g_hash_table_size (on_server);
      for (guint c = first; c < MIN (first + DEVICES_PER_ACCOUNT, n_clients); c++)
        {
          GHashTableIter iter;
          gpointer key, value;
          gboolean same = g_hash_table_size (clients[c].local) == g_hash_table_size (on_server);

          g_hash_table_iter_init (&iter, clients[c].acked);
          while (g_hash_table_iter_next (&iter, &key, &value))
            {
              MilkRecord *there = g_hash_table_lookup (on_server, key);

              if (there == NULL || strcmp (there->hlc, value) < 0)
                {
                  if ((*lost)++ < 10)
                    g_printerr ("lost: client %u's %s at %s (server: %s)\n", c, (char *) key, (char *) value,
                                there ? there->hlc : "nothing");
                }
            }
          g_hash_table_iter_init (&iter, clients[c].local);
          while (same && g_hash_table_iter_next (&iter, &key, &value))
            {
              MilkRecord *mine = value;
              MilkRecord *there = g_hash_table_lookup (on_server, key);

              same = there && g_str_equal (there->hlc, mine->hlc) && there->qty_ml == mine->qty_ml &&
                     there->deleted == mine->deleted;
              if (!same && *diverged < 10)
                g_printerr ("client %u has %s at %s, %" G_GINT64_FORMAT " ml; the service %s, %" G_GINT64_FORMAT
                            " ml\n", c, (char *) key, mine->hlc, mine->qty_ml, there ? there->hlc : "nothing",
                            there ? there->qty_ml : 0);
            }
          if (!same)
            (*diverged)++;
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  const char *env;
  guint n_clients = 200, seconds = 60;
  MilkTestServer *servers[2];
  Client *clients;
  MilkTestAccount *owner = NULL;
  gint64 start, next_sample, end;
  GArray *rss[2] = { g_array_new (FALSE, FALSE, sizeof (gint64)), g_array_new (FALSE, FALSE, sizeof (gint64)) };
  guint lost, diverged, service_keys, acked_keys = 0, fds_before[2], fds_after[2], left[2] = { 0, 0 };
  gboolean ok, durable;
  double cpu_at_start, client_cpu;

  if (!milk_test_init (&argc, &argv))
    return 0;
  g_log_set_debug_enabled (FALSE);
  if ((env = g_getenv ("MILK_LOAD_CLIENTS")) && *env)
    n_clients = MAX (1, atoi (env));
  if ((env = g_getenv ("MILK_LOAD_SECONDS")) && *env)
    seconds = MAX (1, atoi (env));
  if ((env = g_getenv ("MILK_LOAD_THINK_MS")) && *env)
    think_ms = MAX (0, atoi (env));

  /* Two instances of the service on one database; every simulated device
   * comes from 127.0.0.1, so no per-address limit. */
  {
    const char *server_env[] = { "MILK_MAX_CONNECTIONS_PER_ADDRESS", "0", NULL };

    servers[0] = milk_test_server_start (server_env);
    servers[1] = milk_test_server_start (server_env);
  }
  g_assert_cmpstr (servers[0]->database_url, ==, servers[1]->database_url);
  durable = milk_bench_check_durable (servers[0]);

  latencies = g_array_new (FALSE, FALSE, sizeof (double));
  clients = g_new0 (Client, n_clients);
  g_print ("load: %u clients (%u to an account, editing the same %u days at once, one sync every %u ms on "
           "average) on two service instances, one PostgreSQL, %u s\n", n_clients, DEVICES_PER_ACCOUNT, SHARED_DAYS,
           think_ms, seconds);
  for (guint i = 0; i < n_clients; i++)
    {
      Client *c = &clients[i];

      if (i % DEVICES_PER_ACCOUNT == 0)
        {
          g_autofree char *email = g_strdup_printf ("load-%u-%d@example.org", i, (int) getpid ());

          g_clear_pointer (&owner, milk_test_account_free);
          owner = milk_test_account_new (servers[(i / DEVICES_PER_ACCOUNT) % 2], email);
        }
      c->index = i;
      c->account = i / DEVICES_PER_ACCOUNT;
      c->server = servers[i % 2];   /* the devices of one account on both instances */
      c->session = soup_session_new_with_options ("timeout", 30, NULL);
      c->token = device_token (servers[(i / DEVICES_PER_ACCOUNT) % 2], owner, i);
      c->account_token = g_strdup (clients[i - i % DEVICES_PER_ACCOUNT].token);
      c->node_id = ((guint64) g_random_int () << 32) | g_random_int ();
      g_snprintf (c->node, sizeof c->node, "%016" G_GINT64_MODIFIER "x", c->node_id);
      /* One product to an account: its devices edit the same keys. */
      g_snprintf (c->product, sizeof c->product, "10ad0000-0000-4000-8000-%012x", c->account);
      c->acked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      c->local = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) milk_record_free);
      c->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) milk_record_free);
      c->in_flight = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
    }
  g_clear_pointer (&owner, milk_test_account_free);

  /* Clients arrive over a second, as they would, not in one millisecond. */
  for (guint i = 0; i < n_clients; i++)
    g_timeout_add (i * 5, send_later, &clients[i]);
  fds_before[0] = open_fds (servers[0]);
  fds_before[1] = open_fds (servers[1]);
  start = g_get_monotonic_time ();
  cpu_at_start = own_cpu_s ();
  end = start + (gint64) seconds * G_USEC_PER_SEC;
  next_sample = start;
  g_print ("%8s %12s %12s %8s %8s %10s\n", "seconds", "RSS A (kB)", "RSS B (kB)", "fds A", "fds B", "requests");
  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, TRUE);
      if (g_get_monotonic_time () >= next_sample)
        {
          for (int s = 0; s < 2; s++)
            {
              gint64 kb = rss_kb (servers[s]);
              g_array_append_val (rss[s], kb);
            }
          g_print ("%8.0f %12" G_GINT64_FORMAT " %12" G_GINT64_FORMAT " %8u %8u %10u\n",
                   (g_get_monotonic_time () - start) / 1e6, g_array_index (rss[0], gint64, rss[0]->len - 1),
                   g_array_index (rss[1], gint64, rss[1]->len - 1), open_fds (servers[0]), open_fds (servers[1]),
                   requests);
          next_sample += SAMPLE_EVERY_S * G_USEC_PER_SEC;
        }
    }
  stopping = TRUE;
  while (in_flight > 0)
    g_main_context_iteration (NULL, TRUE);
  client_cpu = (own_cpu_s () - cpu_at_start) / ((g_get_monotonic_time () - start) / 1e6);
  for (int s = 0; s < 2; s++)
    {
      gint64 kb = rss_kb (servers[s]);
      g_array_append_val (rss[s], kb);
    }

  /* Every client hangs up: the services must let go of every connection. */
  for (guint i = 0; i < n_clients; i++)
    soup_session_abort (clients[i].session);
  for (int tries = 0; tries < 50; tries++)
    {
      left[0] = milk_test_server_client_count (servers[0]);
      left[1] = milk_test_server_client_count (servers[1]);
      if (left[0] == 0 && left[1] == 0)
        break;
      g_usleep (100 * 1000);
    }

  fds_after[0] = open_fds (servers[0]);
  fds_after[1] = open_fds (servers[1]);

  /* Then every device syncs until it has nothing to push, then again
   * until it has nothing to pull: none of them edits any more. */
  {
    g_autoptr(MilkTestClient) http = milk_test_client_new ();

    for (int pass = 0; pass < 2; pass++)
      for (guint i = 0; i < n_clients; i++)
        settle (&clients[i], http);
  }
  check_accounts (clients, n_clients, servers[1], &lost, &diverged, &service_keys);
  for (guint i = 0; i < n_clients; i++)
    acked_keys += g_hash_table_size (clients[i].acked);
  g_array_sort (latencies, compare_double);

  ok = durable;
  g_print ("%-30s %24s  %-26s\n", "measure", "result", "goal");
  {
    double rate = requests / (double) seconds;
    double offered = think_ms > 0 ? n_clients * 1000.0 / think_ms : 0;
    g_autofree char *value = g_strdup_printf ("%u (%.0f/s)", requests, rate);
    g_autofree char *goal = g_strdup_printf (">= %.0f/s (0.9 x offered)", 0.9 * offered);

    const char *limit = g_getenv ("MILK_LOAD_PG_WRITES");

    ok &= line ("requests", value, offered > 0 ? goal : "> 0", rate >= 0.9 * offered && requests > 0);
    /* Most requests push, and a push is a durable commit. */
    if (limit != NULL && g_ascii_strtod (limit, NULL) > 0)
      g_print ("(the machine's limit: pgbench -N -M prepared, 64 connections, on the same PostgreSQL: "
               "%.0f durable write transactions/s; the services reached %.2f of it)\n",
               g_ascii_strtod (limit, NULL), rate / g_ascii_strtod (limit, NULL));
  }
  {
    g_autofree char *value = g_strdup_printf ("%u", errors);
    ok &= line ("errors", value, "0", errors == 0);
  }
  {
    g_autofree char *value = g_strdup_printf ("%u", conflicts);
    ok &= line ("conflicts (pushes superseded)", value, "> 0 (devices collide)", conflicts > 0);
  }
  {
    g_autofree char *value = g_strdup_printf ("%u of %u acknowledged", lost, acked_keys);
    ok &= line ("lost writes", value, "0", lost == 0);
  }
  {
    g_autofree char *value = g_strdup_printf ("%u of %u (%u keys)", diverged, n_clients, service_keys);
    ok &= line ("devices not equal to service", value, "0", diverged == 0);
  }
  if (latencies->len > 0)
    {
      double p50 = g_array_index (latencies, double, latencies->len / 2);
      double p99 = g_array_index (latencies, double, MIN (latencies->len - 1, latencies->len * 99 / 100));
      g_autofree char *name = g_strdup_printf ("latency p99 (p50 %.1f ms)", p50);
      g_autofree char *value = g_strdup_printf ("%.1f ms", p99);

      ok &= line (name, value, "< 50 ms", p99 < 50);
    }
  {
    g_autofree char *value = g_strdup_printf ("A %u, B %u", left[0], left[1]);
    ok &= line ("connections left after", value, "0", left[0] == 0 && left[1] == 0);
  }
  {
    g_autofree char *loadavg = NULL;

    g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL);
    g_print ("(the simulated devices used %.0f%% of one core meanwhile; %u cores, load average %.*s)\n",
             100 * client_cpu, g_get_num_processors (), loadavg ? (int) strcspn (loadavg, " ") : 1,
             loadavg ? loadavg : "?");
  }
  g_print ("(open fds: A %u, B %u before the clients came; A %u, B %u after they all hung up)\n",
           fds_before[0], fds_before[1], fds_after[0], fds_after[1]);

  /* Memory after warm-up (a third of the run, at most 20 s) must not keep
   * growing. */
  for (int s = 0; s < 2; s++)
    {
      guint warm = MIN (rss[s]->len - 1, MIN (20u, seconds / 3) / SAMPLE_EVERY_S);
      gint64 after_warmup = g_array_index (rss[s], gint64, warm);
      gint64 peak = after_warmup, last = g_array_index (rss[s], gint64, rss[s]->len - 1);
      double growth;
      g_autofree char *name = g_strdup_printf ("RSS %c growth after warm-up", 'A' + s);
      g_autofree char *value = NULL;

      for (guint i = warm; i < rss[s]->len; i++)
        peak = MAX (peak, g_array_index (rss[s], gint64, i));
      growth = after_warmup > 0 ? 100.0 * (last - after_warmup) / after_warmup : 0;
      value = g_strdup_printf ("%+.1f%% (%" G_GINT64_FORMAT " kB)", growth, last);
      ok &= line (name, value, "< 10% (flat)", growth < 10);
      g_print ("(RSS %c: %" G_GINT64_FORMAT " kB at start, %" G_GINT64_FORMAT " kB after warm-up, %" G_GINT64_FORMAT
               " kB peak)\n", 'A' + s, g_array_index (rss[s], gint64, 0), after_warmup, peak);
    }
  g_print ("%s\n", ok ? "load: ok" : "load: FAILED");

  for (guint i = 0; i < n_clients; i++)
    {
      g_object_unref (clients[i].session);
      g_free (clients[i].token);
      g_free (clients[i].account_token);
      g_free (clients[i].cursor);
      g_hash_table_unref (clients[i].acked);
      g_hash_table_unref (clients[i].local);
      g_hash_table_unref (clients[i].pending);
      g_ptr_array_unref (clients[i].in_flight);
    }
  g_free (clients);
  g_array_unref (latencies);
  g_array_unref (rss[0]);
  g_array_unref (rss[1]);
  milk_test_server_stop (servers[0], SIGTERM);
  milk_test_server_stop (servers[1], SIGTERM);
  milk_test_cleanup ();
  return ok ? 0 : 1;
}
