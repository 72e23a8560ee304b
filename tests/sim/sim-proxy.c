/* sim-proxy.c — the simulator's service: two instances of the real
 * service on one PostgreSQL, behind a loopback proxy that spreads the
 * requests over them and injects the faults
 *
 * Requests go to the instances in turn; a request sent twice goes to both.
 * The proxy can kill the instance a request went to (and start it again),
 * kill the device that sent it, or restart PostgreSQL under it (pg_ctl
 * restart on the test cluster, which the instances' pooled connections
 * do not survive).
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <unistd.h>

#include "sim.h"

const char * const sim_fault_names[N_FAULTS] = {
  "none", "drop-request", "drop-response", "delay", "duplicate", "cut-request", "cut-response",
  "restart-service", "kill-device-before-response", "kill-device-after-response", "restart-postgresql",
};

typedef struct
{
  FaultKind kind;
  guint param;            /* microseconds of delay, or bytes kept */
} Fault;

/* Shared with the proxy's threads, under the lock. */
static GMutex lock;
static GQueue faults = G_QUEUE_INIT;        /* Fault *, applied to the next requests */
static GPid kill_target;                    /* the device process to kill */
static SimProxyStats stats;
static guint next_instance;
static GThread *pg_thread;                  /* a PostgreSQL restart under way */

char *proxy_url;
MilkTestServer direct;

/* The instances: the main thread starts them (a child dies with the
 * thread that started it), under the lock. */
static guint n_instances;
static guint upstream_port[N_INSTANCES];
static char *server_listen[N_INSTANCES];
static GSubprocess *server_process[N_INSTANCES];
static char *database_url;

void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static char last_health[64];     /* the last answer to /healthz, for a diagnosis */

static gboolean
instance_healthy (guint i)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;
  const char *request = "GET /healthz HTTP/1.0\r\n\r\n";
  char buf[64] = { 0 };
  gsize n = 0;

  g_socket_client_set_timeout (client, 2);
  conn = g_socket_client_connect_to_host (client, "127.0.0.1", upstream_port[i], NULL, NULL);
  if (conn == NULL ||
      !g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), request, strlen (request),
                                  NULL, NULL, NULL) ||
      !g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (conn)), buf, sizeof buf - 1, &n,
                                NULL, NULL))
    {
      g_strlcpy (last_health, conn ? "(no answer)" : "(connection refused)", sizeof last_health);
      return FALSE;
    }
  g_strlcpy (last_health, buf, sizeof last_health);
  g_strdelimit (last_health, "\r\n", ' ');
  return strstr (buf, " 200 ") != NULL;
}

gboolean
sim_service_healthy (void)
{
  for (guint i = 0; i < n_instances; i++)
    if (!instance_healthy (i))
      return FALSE;
  return TRUE;
}

static void
instance_spawn (guint i)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;

  launcher = g_subprocess_launcher_new (g_getenv ("MILK_TEST_SHOW_LOG") ? G_SUBPROCESS_FLAGS_NONE
                                                                        : G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "DATABASE_URL", database_url, TRUE);
  g_subprocess_launcher_setenv (launcher, "MILK_BASE_URL", proxy_url, TRUE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  for (int attempt = 0; attempt < 3; attempt++)
    {
      g_clear_error (&error);
      server_process[i] = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("MILK_SERVER_BINARY"),
                                                       "serve", "--listen", server_listen[i], NULL);
      g_assert_no_error (error);
      for (int tries = 0; tries < 400; tries++)
        {
          if (instance_healthy (i))
            {
              TRACE ("instance %u is up", i);
              return;
            }
          if (g_subprocess_get_identifier (server_process[i]) == NULL)
            break;   /* it exited: the port was not free yet */
          g_usleep (10000);
        }
      g_subprocess_force_exit (server_process[i]);
      g_subprocess_wait (server_process[i], NULL, NULL);
      g_clear_object (&server_process[i]);
    }
  g_error ("The service did not come back on %s", server_listen[i]);
}

static void
instance_kill (guint i)
{
  if (server_process[i] == NULL)
    return;
  g_subprocess_force_exit (server_process[i]);
  g_subprocess_wait (server_process[i], NULL, NULL);
  g_clear_object (&server_process[i]);
}

static gboolean
instance_restart_in_main (gpointer data)
{
  guint i = GPOINTER_TO_UINT (data);

  TRACE ("restarting instance %u", i);
  g_mutex_lock (&lock);
  instance_kill (i);
  instance_spawn (i);
  g_mutex_unlock (&lock);
  return G_SOURCE_REMOVE;
}

/* A port nobody listens on now, for the second instance. */
static guint
free_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, &error);

  g_assert_no_error (error);
  g_socket_listener_close (listener);
  return port;
}

/* The harness's server has migrated the database; from here on the
 * simulation starts and kills the instances itself, the first on the
 * harness's port. MILK_SIM_OFF=instances runs one. */
void
sim_service_start (MilkTestServer *harness)
{
  n_instances = sim_off ("instances") ? 1 : N_INSTANCES;
  database_url = g_strdup (harness->service_url);
  direct.url = g_strdup (harness->url);
  direct.database_url = g_strdup (harness->database_url);
  server_listen[0] = g_strdup (harness->url + strlen ("http://"));
  upstream_port[0] = atoi (strrchr (server_listen[0], ':') + 1);
  milk_test_server_stop (harness, SIGKILL);
  g_mutex_lock (&lock);
  for (guint i = 0; i < n_instances; i++)
    {
      if (i > 0)
        {
          upstream_port[i] = free_port ();
          server_listen[i] = g_strdup_printf ("127.0.0.1:%u", upstream_port[i]);
        }
      instance_spawn (i);
    }
  g_mutex_unlock (&lock);
}

void
sim_service_stop (void)
{
  sim_settle ();
  g_mutex_lock (&lock);
  for (guint i = 0; i < n_instances; i++)
    if (server_process[i])
      {
        g_subprocess_send_signal (server_process[i], SIGTERM);
        g_subprocess_wait (server_process[i], NULL, NULL);
        g_clear_object (&server_process[i]);
      }
  g_mutex_unlock (&lock);
}

/* ---- PostgreSQL restarted under the instances ---- */

gboolean
sim_can_restart_postgres (void)
{
  return !sim_off ("pg") && milk_test_postgres_can_restart ();
}

static gpointer
pg_restart_thread (gpointer data)
{
  TRACE ("restarting PostgreSQL");
  milk_test_postgres_restart ();
  TRACE ("PostgreSQL is back");
  g_mutex_lock (&lock);
  stats.pg_restarts++;
  g_mutex_unlock (&lock);
  return NULL;
}

/* After a restart of PostgreSQL or of an instance: both answer again,
 * each of an instance's pooled connections tried (a connection that did
 * not survive PostgreSQL's restart fails once, and is dropped). */
void
sim_settle (void)
{
  GThread *thread;

  g_mutex_lock (&lock);
  thread = g_steal_pointer (&pg_thread);
  g_mutex_unlock (&lock);
  if (thread)
    g_thread_join (thread);
  for (guint i = 0; i < n_instances; i++)
    for (int ok = 0, tries = 0; ok < 10; tries++)
      {
        if (tries > 1000)
          {
            g_mutex_lock (&lock);
            if (server_process[i] && g_subprocess_get_identifier (server_process[i]) == NULL)
              g_error ("Instance %u ended (status %d)", i, g_subprocess_get_status (server_process[i]));
            g_error ("Instance %u does not answer: %s", i, last_health);
          }
        g_main_context_iteration (NULL, FALSE);   /* a restart may be on its way to the main loop */
        g_mutex_lock (&lock);
        ok = instance_healthy (i) ? ok + 1 : 0;
        g_mutex_unlock (&lock);
        if (ok == 0)
          g_usleep (10000);
      }
}

/* ---- the proxy ---- */

/* An HTTP/1.1 message as it went over the wire. */
typedef struct
{
  GByteArray *bytes;      /* head and body */
  gsize head_len;
  gsize total_len;
} Message;

static void
message_clear (Message *m)
{
  g_clear_pointer (&m->bytes, g_byte_array_unref);
}

static gssize
find_head_end (GByteArray *b)
{
  for (gsize i = 0; i + 3 < b->len; i++)
    if (memcmp (b->data + i, "\r\n\r\n", 4) == 0)
      return i + 4;
  return -1;
}

static gint64
content_length (const guint8 *head,
                gsize         len)
{
  g_autofree char *text = g_strndup ((const char *) head, len);
  g_auto(GStrv) lines = g_strsplit (text, "\r\n", -1);

  for (guint i = 1; lines[i]; i++)
    if (g_ascii_strncasecmp (lines[i], "Content-Length:", 15) == 0)
      return g_ascii_strtoll (lines[i] + 15, NULL, 10);
  return 0;
}

/* Reads one message; what came after it stays in *carry. */
static gboolean
read_message (GInputStream *in,
              GByteArray   *carry,
              Message      *m)
{
  guint8 buf[8192];
  gssize end;

  m->bytes = g_byte_array_new ();
  g_byte_array_append (m->bytes, carry->data, carry->len);
  g_byte_array_set_size (carry, 0);
  while ((end = find_head_end (m->bytes)) < 0)
    {
      gssize n = g_input_stream_read (in, buf, sizeof buf, NULL, NULL);
      if (n <= 0)
        return FALSE;
      g_byte_array_append (m->bytes, buf, n);
    }
  m->head_len = end;
  m->total_len = end + content_length (m->bytes->data, end);
  while (m->bytes->len < m->total_len)
    {
      gssize n = g_input_stream_read (in, buf, sizeof buf, NULL, NULL);
      if (n <= 0)
        return FALSE;
      g_byte_array_append (m->bytes, buf, n);
    }
  if (m->bytes->len > m->total_len)
    {
      g_byte_array_append (carry, m->bytes->data + m->total_len, m->bytes->len - m->total_len);
      g_byte_array_set_size (m->bytes, m->total_len);
    }
  return TRUE;
}

static gboolean
write_bytes (GIOStream    *stream,
             const guint8 *data,
             gsize         len)
{
  return g_output_stream_write_all (g_io_stream_get_output_stream (stream), data, len, NULL, NULL, NULL) &&
         g_output_stream_flush (g_io_stream_get_output_stream (stream), NULL, NULL);
}


/* The instance the next request goes to: each in turn. */
static GIOStream *
connect_upstream (guint i)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  guint port;

  g_mutex_lock (&lock);
  port = upstream_port[i];
  g_mutex_unlock (&lock);
  g_socket_client_set_timeout (client, 20);
  return (GIOStream *) g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
}

void
kill_device (void)
{
  g_mutex_lock (&lock);
  if (kill_target > 0)
    kill (kill_target, SIGKILL);
  kill_target = 0;
  g_mutex_unlock (&lock);
}

void
sim_set_kill_target (GPid pid)
{
  g_mutex_lock (&lock);
  kill_target = pid;
  g_mutex_unlock (&lock);
}

/* Takes the next fault for a request, and the instance it goes to. */
static Fault *
next_request (const Message *request,
              guint         *instance)
{
  Fault *fault;

  g_mutex_lock (&lock);
  fault = g_queue_pop_head (&faults);
  stats.exercised[fault ? fault->kind : FAULT_NONE]++;
  stats.requests++;
  if (request->head_len > 16 && memcmp (request->bytes->data, "POST /oauth/token", 17) == 0)
    stats.refreshes++;
  *instance = next_instance++ % n_instances;
  stats.served[*instance]++;
  if (fault && fault->kind == FAULT_PG_RESTART && pg_thread == NULL)
    pg_thread = g_thread_new ("pg-restart", pg_restart_thread, NULL);
  g_mutex_unlock (&lock);
  TRACE ("proxy: %s to instance %u", sim_fault_names[fault ? fault->kind : FAULT_NONE], *instance);
  return fault;
}

static void
note_answer (const Message *response)
{
  const char *text = (const char *) response->bytes->data;

  g_mutex_lock (&lock);
  if (response->head_len > 12 && text[9] == '5')
    stats.failed_answers++;
  if (g_strstr_len (text, response->bytes->len, "\"replica_reused\"") != NULL)
    stats.copies_refused++;
  g_mutex_unlock (&lock);
}

/* Sends the request on, and brings back the answer unless the fault is
 * one that ends the exchange; FALSE when the client's connection is to be
 * closed. */
static gboolean
forward (GIOStream *client,
         Message   *request,
         Fault     *fault,
         guint      instance)
{
  FaultKind kind = fault ? fault->kind : FAULT_NONE;
  Message response = { 0 }, extra = { 0 };
  g_autoptr(GIOStream) upstream = NULL;
  g_autoptr(GIOStream) twin = NULL;
  g_autoptr(GByteArray) upstream_carry = g_byte_array_new ();
  gboolean ok;

  if (kind == FAULT_DELAY || kind == FAULT_PG_RESTART)
    g_usleep (fault->param);
  if ((upstream = connect_upstream (instance)) == NULL)
    return FALSE;
  if (kind == FAULT_CUT_REQUEST)
    {
      gsize keep = request->head_len + (request->total_len - request->head_len) * (fault->param % 100) / 100;

      write_bytes (upstream, request->bytes->data, keep);
      g_io_stream_close (upstream, NULL, NULL);
      return FALSE;
    }
  if (kind == FAULT_DUPLICATE && (twin = connect_upstream ((instance + 1) % n_instances)) != NULL)
    write_bytes (twin, request->bytes->data, request->bytes->len);
  ok = write_bytes (upstream, request->bytes->data, request->bytes->len);
  if (kind == FAULT_RESTART)
    {
      g_usleep (fault->param);
      g_mutex_lock (&lock);
      if (server_process[instance])
        g_subprocess_send_signal (server_process[instance], SIGKILL);
      g_mutex_unlock (&lock);
      g_idle_add (instance_restart_in_main, GUINT_TO_POINTER (instance));   /* see instance_spawn */
      return FALSE;
    }
  ok = ok && read_message (g_io_stream_get_input_stream (upstream), upstream_carry, &response);
  if (twin)
    {
      g_autoptr(GByteArray) twin_carry = g_byte_array_new ();
      read_message (g_io_stream_get_input_stream (twin), twin_carry, &extra);
      message_clear (&extra);
    }
  if (ok && kind == FAULT_KILL_BEFORE)
    kill_device ();
  if (!ok || kind == FAULT_DROP_RESPONSE || kind == FAULT_KILL_BEFORE)
    {
      message_clear (&response);
      return FALSE;
    }
  if (kind == FAULT_CUT_RESPONSE)
    {
      gsize keep = response.head_len + (response.total_len - response.head_len) * (fault->param % 100) / 100;

      write_bytes (client, response.bytes->data, keep);
      message_clear (&response);
      return FALSE;
    }
  note_answer (&response);
  ok = write_bytes (client, response.bytes->data, response.bytes->len);
  TRACE ("proxy: answered %s", ok ? "ok" : "failed");
  message_clear (&response);
  if (kind == FAULT_KILL_AFTER)
    {
      g_usleep (fault->param);
      kill_device ();
    }
  return ok;
}

/* One client connection: each request is forwarded on a connection of its
 * own, and the next fault in the queue is applied to it. */
static gboolean
proxy_run (GThreadedSocketService *service,
           GSocketConnection      *connection,
           GObject                *source,
           gpointer                user_data)
{
  GIOStream *client = G_IO_STREAM (connection);
  g_autoptr(GByteArray) carry = g_byte_array_new ();

  for (;;)
    {
      Message request = { 0 };
      g_autofree Fault *fault = NULL;
      guint instance;
      gboolean go_on;

      if (!read_message (g_io_stream_get_input_stream (client), carry, &request))
        {
          message_clear (&request);
          break;
        }
      fault = next_request (&request, &instance);
      go_on = (fault == NULL || fault->kind != FAULT_DROP_REQUEST) && forward (client, &request, fault, instance);
      message_clear (&request);
      if (!go_on)
        break;
    }
  g_io_stream_close (client, NULL, NULL);
  return TRUE;
}

/* The proxy accepts on a thread and a main context of its own: the main
 * thread blocks while a device process runs. */
static gpointer
proxy_thread (gpointer data)
{
  GMainContext *context = g_main_context_new ();
  GSocketService *service;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (context);
  service = g_threaded_socket_service_new (64);
  g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "run", G_CALLBACK (proxy_run), NULL);
  g_socket_service_start (service);
  g_mutex_lock (&lock);
  proxy_url = g_strdup_printf ("http://127.0.0.1:%u",
                               g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_mutex_unlock (&lock);
  for (;;)
    g_main_context_iteration (context, TRUE);
  return NULL;
}

void
sim_proxy_start (void)
{
  g_thread_unref (g_thread_new ("proxy", proxy_thread, NULL));
  for (;;)
    {
      gboolean started;

      g_mutex_lock (&lock);
      started = proxy_url != NULL;
      g_mutex_unlock (&lock);
      if (started)
        return;
      g_usleep (1000);
    }
}

void
queue_fault (FaultKind kind,
             guint     param)
{
  Fault *fault = g_new0 (Fault, 1);

  fault->kind = kind;
  fault->param = param;
  g_mutex_lock (&lock);
  g_queue_push_tail (&faults, fault);
  g_mutex_unlock (&lock);
}

void
clear_faults (void)
{
  g_mutex_lock (&lock);
  g_queue_clear_full (&faults, g_free);
  g_mutex_unlock (&lock);
}

SimProxyStats
sim_proxy_take_stats (void)
{
  SimProxyStats copy;

  g_mutex_lock (&lock);
  copy = stats;
  g_mutex_unlock (&lock);
  return copy;
}
