/* milk-server-test.c — a real PostgreSQL, a real server, a real HTTP client
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "milk-hlc.h"
#include "milk-server-test.h"

static char *admin_url;
static char *database_name;
static char *cluster_dir;
static gboolean have_postgres;

/* ---- PostgreSQL ---- */

static char *
find_pg_bin (void)
{
  const char *env = g_getenv ("MILK_TEST_PG_BIN");
  g_autofree char *initdb = NULL;
  glob_t found;
  char *dir = NULL;

  if (env && *env)
    return g_strdup (env);
  if (glob ("/usr/lib/postgresql/*/bin/initdb", 0, NULL, &found) == 0)
    {
      /* The newest installed major version sorts last. */
      dir = g_path_get_dirname (found.gl_pathv[found.gl_pathc - 1]);
      globfree (&found);
      return dir;
    }
  initdb = g_find_program_in_path ("initdb");
  return initdb ? g_path_get_dirname (initdb) : NULL;
}

static void
run_as_postgres (const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  int status;

  if (geteuid () == 0)
    {
      g_ptr_array_add (argv, "runuser");
      g_ptr_array_add (argv, "-u");
      g_ptr_array_add (argv, "postgres");
      g_ptr_array_add (argv, "--");
    }
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &out, &status, &error))
    g_error ("Cannot run %s: %s", args[0], error->message);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s failed: %s\n%s", args[0], error->message, out ? out : "");
}

/* A watchdog child stops the cluster when this process ends, however it
 * ends: a failed assertion aborts without running any clean-up. */
static void
start_watchdog (const char *pg_ctl,
                const char *data)
{
  int fds[2];
  pid_t pid;

  if (pipe (fds) != 0)
    g_error ("pipe: %s", g_strerror (errno));
  pid = fork ();
  if (pid == 0)
    {
      char c;
      const char *stop[] = { pg_ctl, "-D", data, "-m", "immediate", "-s", "stop", NULL };

      close (fds[1]);
      setsid ();
      for (;;)
        {
          ssize_t n = read (fds[0], &c, 1);
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            break;
        }
      run_as_postgres (stop);
      {
        g_autofree char *rm_cmd = g_strdup_printf ("rm -rf '%s'", cluster_dir);
        if (system (rm_cmd) != 0)
          _exit (1);
      }
      _exit (0);
    }
  close (fds[0]);
  fcntl (fds[1], F_SETFD, FD_CLOEXEC);
}

static void
start_cluster (const char *bin)
{
  g_autofree char *initdb = g_build_filename (bin, "initdb", NULL);
  g_autofree char *pg_ctl = g_build_filename (bin, "pg_ctl", NULL);
  g_autofree char *data = NULL;
  g_autofree char *log = NULL;
  g_autofree char *options = NULL;
  g_autoptr(GError) error = NULL;

  cluster_dir = g_dir_make_tmp ("milk-pg-XXXXXX", &error);
  g_assert_no_error (error);
  data = g_build_filename (cluster_dir, "data", NULL);
  log = g_build_filename (cluster_dir, "log", NULL);
  if (geteuid () == 0)
    {
      struct passwd *pw = getpwnam ("postgres");

      if (pw == NULL || chown (cluster_dir, pw->pw_uid, pw->pw_gid) != 0)
        g_error ("PostgreSQL refuses to run as root and there is no postgres user to run it as");
    }

  {
    const char *args[] = { initdb, "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
                           "--no-sync", NULL };
    run_as_postgres (args);
  }
  options = g_strdup_printf ("-k %s -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
                             "-c full_page_writes=off -c max_connections=200", cluster_dir);
  {
    const char *args[] = { pg_ctl, "-D", data, "-o", options, "-l", log, "-w", "-s", "start", NULL };
    run_as_postgres (args);
  }
  start_watchdog (pg_ctl, data);
  admin_url = g_strdup_printf ("postgresql://postgres@/postgres?host=%s", cluster_dir);
}

static PGconn *
connect_or_die (const char *url)
{
  PGconn *conn = PQconnectdb (url);

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("Cannot connect to %s: %s", url, PQerrorMessage (conn));
  return conn;
}

static void
exec_or_die (PGconn     *conn,
             const char *sql)
{
  PGresult *result = PQexec (conn, sql);

  if (PQresultStatus (result) != PGRES_COMMAND_OK && PQresultStatus (result) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQresultErrorMessage (result));
  PQclear (result);
}

/* As deployed: the owner role owns the database and runs the migrations;
 * the service logs in as a role that is no superuser and owns nothing.
 * Roles belong to the cluster, which test programs share: whoever comes
 * first creates them. */
#define MILK_TEST_OWNER_ROLE   "milk_owner"
#define MILK_TEST_SERVICE_ROLE "milk_service"

static void
create_roles (PGconn *conn)
{
  const char *roles[] = { MILK_TEST_OWNER_ROLE, MILK_TEST_SERVICE_ROLE };

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    {
      g_autofree char *sql = g_strdup_printf (
        "DO $$ BEGIN"
        "  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%s') THEN"
        "    CREATE ROLE %s LOGIN NOSUPERUSER NOBYPASSRLS;"
        "  ELSIF NOT (SELECT rolcanlogin FROM pg_roles WHERE rolname = '%s') THEN"
        "    ALTER ROLE %s LOGIN;"   /* made NOLOGIN by an older migrate */
        "  END IF;"
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;"
        "END $$", roles[i], roles[i], roles[i], roles[i]);

      exec_or_die (conn, sql);
    }
}

char *
milk_test_role_url (const char *url,
                    const char *role)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(GUri) copy = NULL;

  g_assert_nonnull (uri);
  copy = g_uri_build (G_URI_FLAGS_ENCODED, g_uri_get_scheme (uri), role, g_uri_get_host (uri),
                      g_uri_get_port (uri), g_uri_get_path (uri), g_uri_get_query (uri), NULL);
  return g_uri_to_string (copy);
}

static char *
database_url (const char *name)
{
  /* Swap the database name in the admin URL's path. */
  g_autoptr(GUri) uri = g_uri_parse (admin_url, G_URI_FLAGS_ENCODED, NULL);
  g_autofree char *path = g_strconcat ("/", name, NULL);
  g_autoptr(GUri) copy = NULL;

  g_assert_nonnull (uri);
  copy = g_uri_build (G_URI_FLAGS_ENCODED, g_uri_get_scheme (uri), g_uri_get_userinfo (uri), g_uri_get_host (uri),
                      g_uri_get_port (uri), path, g_uri_get_query (uri), NULL);
  return g_uri_to_string (copy);
}

gboolean
milk_test_have_postgres (void)
{
  return have_postgres;
}

gboolean
milk_test_init (int    *argc,
                char ***argv)
{
  const char *env;
  g_autofree char *bin = NULL;
  g_autofree char *sql = NULL;
  PGconn *conn;

  g_test_init (argc, argv, NULL);
  g_test_set_nonfatal_assertions ();
  signal (SIGPIPE, SIG_IGN);
  /* Every test signs up from 127.0.0.1; the cap has a test of its own. */
  g_setenv ("MILK_SIGNUPS_PER_HOUR", "100000", FALSE);

  if ((env = g_getenv ("MILK_TEST_DATABASE_URL")) != NULL && *env)
    admin_url = g_strdup (env);
  else if ((env = g_getenv ("MILK_TEST_PG_SOCKET_DIR")) != NULL && *env)
    admin_url = g_strdup_printf ("postgresql://postgres@/postgres?host=%s", env);
  else if ((bin = find_pg_bin ()) != NULL)
    start_cluster (bin);
  else
    {
      /* build-aux/dev test always has one: there, a missing one fails. */
      if (g_getenv ("MILK_TEST_REQUIRE_POSTGRES"))
        g_error ("PostgreSQL is not installed (no initdb), and these tests need it");
      g_printerr ("PostgreSQL is not installed (no initdb): skipping the server tests. "
                  "build-aux/dev test installs it.\n");
      return FALSE;
    }

  {
    g_autofree char *base = g_path_get_basename (g_get_prgname ());
    database_name = g_strdup_printf ("milk_%s_%d", base, (int) getpid ());
    g_strcanon (database_name, "abcdefghijklmnopqrstuvwxyz0123456789_", '_');
  }
  conn = connect_or_die (admin_url);
  create_roles (conn);
  sql = g_strdup_printf ("CREATE DATABASE %s OWNER " MILK_TEST_OWNER_ROLE, database_name);
  exec_or_die (conn, sql);
  PQfinish (conn);
  have_postgres = TRUE;
  return TRUE;
}

/* The cluster's data folder, when this process may restart it: its own,
 * or build-aux/dev's ($PG_DIR, with the data in $PG_DIR/data), not a
 * server named by MILK_TEST_DATABASE_URL. */
static char *
restartable_cluster (void)
{
  const char *env = g_getenv ("MILK_TEST_PG_SOCKET_DIR");
  const char *url = g_getenv ("MILK_TEST_DATABASE_URL");

  if (cluster_dir)
    return g_strdup (cluster_dir);
  if (admin_url && env && *env && (url == NULL || *url == '\0'))
    {
      g_autofree char *pid = g_build_filename (env, "data", "postmaster.pid", NULL);

      if (g_file_test (pid, G_FILE_TEST_EXISTS))
        return g_strdup (env);
    }
  return NULL;
}

gboolean
milk_test_postgres_can_restart (void)
{
  g_autofree char *dir = restartable_cluster ();
  g_autofree char *bin = find_pg_bin ();

  return dir != NULL && bin != NULL;
}

/* A fast restart (sessions ended, as when an administrator restarts the
 * server or it fails over); back when it accepts connections again. Only
 * for test programs that run alone: every database of the cluster is cut
 * off meanwhile. */
void
milk_test_postgres_restart (void)
{
  g_autofree char *dir = restartable_cluster ();
  g_autofree char *bin = g_getenv ("PG_BIN") ? g_strdup (g_getenv ("PG_BIN")) : find_pg_bin ();
  g_autofree char *pg_ctl = NULL;
  g_autofree char *data = NULL;
  g_autofree char *log = NULL;

  g_assert_nonnull (dir);
  g_assert_nonnull (bin);
  pg_ctl = g_build_filename (bin, "pg_ctl", NULL);
  data = g_build_filename (dir, "data", NULL);
  log = g_build_filename (dir, "log", NULL);
  {
    const char *args[] = { pg_ctl, "-D", data, "-l", log, "-m", "fast", "-w", "-s", "restart", NULL };
    run_as_postgres (args);
  }
}

static void
skip_without_postgres (void)
{
  g_test_skip ("PostgreSQL is not installed (no initdb); build-aux/dev test installs it");
}

int
milk_test_run_skipped (const char *path)
{
  g_test_add_func (path, skip_without_postgres);
  return g_test_run ();
}

/* ---- every /api/v1 response, checked against the OpenAPI description ---- */

static GMutex responses_lock;
static char *responses_path;

static void
record_response (const char     *method,
                 const char     *url,
                 MilkTestClient *client,
                 SoupMessage    *msg)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *line = NULL;
  const char *type;
  gsize length = 0;
  const char *data;
  FILE *file;

  if (uri == NULL || !g_str_has_prefix (g_uri_get_path (uri), "/api/v1/") || client->status == 0)
    return;
  type = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Content-Type");
  data = client->body ? g_bytes_get_data (client->body, &length) : NULL;
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, method);
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, g_uri_get_path (uri));
  json_builder_set_member_name (builder, "status");
  json_builder_add_int_value (builder, client->status);
  json_builder_set_member_name (builder, "content_type");
  json_builder_add_string_value (builder, type ? type : "");
  json_builder_set_member_name (builder, "body");
  {
    g_autofree char *text = g_strndup (data ? data : "", length);

    json_builder_add_string_value (builder, g_utf8_validate (text, -1, NULL) ? text : "(not UTF-8)");
  }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  line = json_to_string (root, FALSE);

  g_mutex_lock (&responses_lock);
  if (responses_path == NULL)
    {
      g_autofree char *name = g_strdup_printf ("milk-responses-%d.jsonl", (int) getpid ());

      responses_path = g_build_filename (g_get_tmp_dir (), name, NULL);
    }
  if ((file = fopen (responses_path, "a")) != NULL)
    {
      fprintf (file, "%s\n", line);
      fclose (file);
    }
  g_mutex_unlock (&responses_lock);
}

/* The responses this test received, against src/server/openapi.json; a
 * mismatch fails the test program. */
static void
check_responses (void)
{
  const char *doc = g_getenv ("MILK_TEST_OPENAPI");
  const char *dir = g_getenv ("MILK_TEST_BROWSER_DIR");
  g_autofree char *script = dir ? g_build_filename (dir, "openapi-check.mjs", NULL) : NULL;
  g_autofree char *ajv = dir ? g_build_filename (dir, "node_modules", "ajv", NULL) : NULL;
  g_autofree char *node = g_find_program_in_path ("node");
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  /* Only the test programs given the description check (the server and
   * end-to-end suites); the simulator's faults are not the API's. */
  if (responses_path == NULL || doc == NULL)
    {
      if (responses_path)
        g_unlink (responses_path);
      return;
    }
  if (node == NULL || ajv == NULL || !g_file_test (ajv, G_FILE_TEST_IS_DIR))
    {
      if (g_getenv ("MILK_TEST_REQUIRE_POSTGRES"))
        g_error ("node and ajv are needed to check responses against the OpenAPI description");
      g_printerr ("# responses not checked against the OpenAPI description (no node or ajv)\n");
    }
  else
    {
      const char *argv[] = { node, script, doc, responses_path, NULL };

      if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, &status,
                         &error))
        g_error ("%s", error->message);
      g_printerr ("# %s", out);
      if (!g_spawn_check_wait_status (status, NULL))
        {
          g_printerr ("Responses not as the OpenAPI description says (%s):\n%s", doc, out);
          g_unlink (responses_path);
          exit (1);
        }
    }
  g_unlink (responses_path);
}

void
milk_test_cleanup (void)
{
  g_autofree char *sql = NULL;
  PGconn *conn;

  check_responses ();
  if (!have_postgres)
    return;
  conn = connect_or_die (admin_url);
  sql = g_strdup_printf ("DROP DATABASE IF EXISTS %s WITH (FORCE)", database_name);
  exec_or_die (conn, sql);
  PQfinish (conn);
}

/* ---- the server ---- */

static gpointer
read_log (gpointer data)
{
  MilkTestServer *self = data;
  g_autoptr(GDataInputStream) in = g_data_input_stream_new (g_subprocess_get_stderr_pipe (self->process));
  char *line;

  while ((line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, NULL)) != NULL)
    {
      const char *at = strstr (line, "listening on ");

      if (g_getenv ("MILK_TEST_SHOW_LOG"))
        g_printerr ("server: %s\n", line);
      g_mutex_lock (&self->lock);
      g_string_append (self->log, line);
      g_string_append_c (self->log, '\n');
      if (at && self->url == NULL)
        {
          const char *start = at + strlen ("listening on ");
          const char *end = strchr (start, ' ');
          self->url = g_strndup (start, end ? (gsize) (end - start) : strlen (start));
          while (g_str_has_suffix (self->url, "/"))
            self->url[strlen (self->url) - 1] = '\0';
          g_cond_broadcast (&self->cond);
        }
      g_mutex_unlock (&self->lock);
      g_free (line);
    }
  g_mutex_lock (&self->lock);
  if (self->url == NULL)
    self->url = g_strdup ("");
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  return NULL;
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

MilkTestServer *
milk_test_server_start (const char * const *env)
{
  MilkTestServer *self = g_new0 (MilkTestServer, 1);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GError) error = NULL;
  const char *binary = g_getenv ("MILK_SERVER_BINARY");

  g_assert_nonnull (binary);
  self->database_url = database_url (database_name);
  self->service_url = milk_test_role_url (self->database_url, MILK_TEST_SERVICE_ROLE);
  self->owner_url = milk_test_role_url (self->database_url, MILK_TEST_OWNER_ROLE);
  self->log = g_string_new (NULL);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);

  g_subprocess_launcher_setenv (launcher, "DATABASE_URL", self->service_url, TRUE);
  g_subprocess_launcher_setenv (launcher, "MILK_MIGRATE_DATABASE_URL", self->owner_url, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "MILK_DB_ROLE");
  g_subprocess_launcher_unsetenv (launcher, "MILK_BASE_URL");
  for (guint i = 0; env && env[i] && env[i + 1]; i += 2)
    g_subprocess_launcher_setenv (launcher, env[i], env[i + 1], TRUE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  /* MILK_TEST_LISTEN: a port the test chose (a provider must know the
   * service's address before it starts). */
  self->process = g_subprocess_launcher_spawn (launcher, &error, binary, "serve", "--listen",
                                               g_getenv ("MILK_TEST_LISTEN") ? g_getenv ("MILK_TEST_LISTEN")
                                                                             : "127.0.0.1:0", NULL);
  g_assert_no_error (error);
  self->reader = g_thread_new ("server-log", read_log, self);

  g_mutex_lock (&self->lock);
  while (self->url == NULL)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
  if (self->url[0] == '\0')
    g_error ("The server did not start:\n%s", self->log->str);
  return self;
}

static int
compare_port (gconstpointer a,
              gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return (x > y) - (x < y);
}

/* The client ends of the service's open TCP connections, as `ss` would list
 * them: the remote ports of the process's sockets on the service's port that
 * are not the listener, ascending. */
GArray *
milk_test_server_client_ports (MilkTestServer *self)
{
  const char *pid = g_subprocess_get_identifier (self->process);
  g_autofree char *fd_dir = g_strdup_printf ("/proc/%s/fd", pid);
  g_autofree char *tcp_path = g_strdup_printf ("/proc/%s/net/tcp", pid);
  g_autoptr(GHashTable) inodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GUri) uri = g_uri_parse (self->url, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GDir) dir = g_dir_open (fd_dir, 0, NULL);
  GArray *ports = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree char *table = NULL;
  g_auto(GStrv) lines = NULL;
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fd_dir, name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);

      if (target && g_str_has_prefix (target, "socket:["))
        g_hash_table_add (inodes, g_strndup (target + 8, strlen (target) - 9));
    }
  g_assert_true (g_file_get_contents (tcp_path, &table, NULL, NULL));
  lines = g_strsplit (table, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = g_regex_split_simple ("\\s+", g_strstrip (lines[i]), 0, 0);
      const char *local_port, *remote_port;
      guint port;

      /* sl local remote st tx:rx tr:when retrnsmt uid timeout inode */
      if (g_strv_length (words) < 10 ||
          (local_port = strchr (words[1], ':')) == NULL || (remote_port = strchr (words[2], ':')) == NULL)
        continue;
      if (strtoul (local_port + 1, NULL, 16) != (gulong) g_uri_get_port (uri) ||
          strcmp (words[3], "0A") == 0 ||   /* listening */
          !g_hash_table_contains (inodes, words[9]))
        continue;
      port = strtoul (remote_port + 1, NULL, 16);
      g_array_append_val (ports, port);
    }
  g_array_sort (ports, compare_port);
  return ports;
}

guint
milk_test_server_client_count (MilkTestServer *self)
{
  g_autoptr(GArray) ports = milk_test_server_client_ports (self);

  return ports->len;
}

char *
milk_test_server_log (MilkTestServer *self)
{
  char *copy;

  g_mutex_lock (&self->lock);
  copy = g_strdup (self->log->str);
  g_mutex_unlock (&self->lock);
  return copy;
}

void
milk_test_server_stop (MilkTestServer *self,
                       int             signal_number)
{
  g_autoptr(GError) error = NULL;

  if (self == NULL)
    return;
  g_subprocess_send_signal (self->process, signal_number);
  g_subprocess_wait (self->process, NULL, &error);
  g_assert_no_error (error);
  g_thread_join (self->reader);
  if (signal_number == SIGTERM)
    {
      if (!g_subprocess_get_if_exited (self->process) || g_subprocess_get_exit_status (self->process) != 0)
        g_printerr ("%s\nThe server ended with status %d\n", self->log->str,
                    g_subprocess_get_status (self->process));
      g_assert_true (g_subprocess_get_if_exited (self->process));
      g_assert_cmpint (g_subprocess_get_exit_status (self->process), ==, 0);
    }
  g_object_unref (self->process);
  g_string_free (self->log, TRUE);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self->url);
  g_free (self->database_url);
  g_free (self->service_url);
  g_free (self->owner_url);
  g_free (self);
}

PGconn *
milk_test_db_connect (MilkTestServer *self)
{
  return connect_or_die (self->database_url);
}

/* ---- HTTP ---- */

MilkTestClient *
milk_test_client_new (void)
{
  return milk_test_client_new_at (NULL);
}

/* A browser whose connections come from local_ip (all of 127/8 is
 * loopback), so that the service sees another address. */
MilkTestClient *
milk_test_client_new_at (const char *local_ip)
{
  MilkTestClient *self = g_new0 (MilkTestClient, 1);
  g_autoptr(GInetAddress) ip = local_ip ? g_inet_address_new_from_string (local_ip) : NULL;
  g_autoptr(GSocketAddress) local = ip ? g_inet_socket_address_new (ip, 0) : NULL;

  g_assert_true (local_ip == NULL || ip != NULL);
  self->session = local ? soup_session_new_with_options ("local-address", local, NULL) : soup_session_new ();
  soup_session_set_timeout (self->session, 60);
  soup_session_add_feature_by_type (self->session, SOUP_TYPE_COOKIE_JAR);
  return self;
}

void
milk_test_client_free (MilkTestClient *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->session);
  g_clear_pointer (&self->body, g_bytes_unref);
  g_clear_pointer (&self->headers, soup_message_headers_unref);
  g_free (self->text);
  g_clear_pointer (&self->json, json_node_unref);
  g_free (self);
}

guint
milk_test_request (MilkTestClient *self,
                   MilkTestServer *server,
                   const char     *method,
                   const char     *path,
                   const char     *content_type,
                   const char     *body,
                   gssize          length,
                   const char     *bearer)
{
  g_autofree char *url = g_str_has_prefix (path, "http") ? g_strdup (path) : g_strconcat (server->url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (msg);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  if (body)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, length < 0 ? strlen (body) : (gsize) length);
      soup_message_set_request_body_from_bytes (msg, content_type, bytes);
    }
  if (bearer)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", bearer, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }

  g_clear_pointer (&self->body, g_bytes_unref);
  g_clear_pointer (&self->headers, soup_message_headers_unref);
  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->json, json_node_unref);
  self->body = soup_session_send_and_read (self->session, msg, NULL, &error);
  if (error)
    {
      /* The server may answer a huge body early and hang up. */
      self->status = soup_message_get_status (msg);
      self->body = g_bytes_new (NULL, 0);
      if (self->status == 0)
        g_error ("%s %s: %s", method, path, error->message);
    }
  else
    self->status = soup_message_get_status (msg);
  self->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  record_response (method, url, self, msg);
  return self->status;
}

guint
milk_test_form (MilkTestClient *self,
                MilkTestServer *server,
                const char     *path,
                ...)
{
  g_autofree char *body = NULL;
  va_list args;

  va_start (args, path);
  body = soup_form_encode_valist (va_arg (args, const char *), args);
  va_end (args);
  return milk_test_request (self, server, "POST", path, "application/x-www-form-urlencoded", body, -1, NULL);
}

const char *
milk_test_body (MilkTestClient *self)
{
  if (self->text == NULL)
    {
      gsize length;
      const char *data = g_bytes_get_data (self->body, &length);
      self->text = g_strndup (data ? data : "", length);
    }
  return self->text;
}

const char *
milk_test_header (MilkTestClient *self,
                  const char     *name)
{
  return soup_message_headers_get_one (self->headers, name);
}

char *
milk_test_page_csrf (MilkTestClient *self)
{
  const char *body = milk_test_body (self);
  const char *marker = "name=\"csrf\" value=\"";
  const char *at = strstr (body, marker);
  const char *end;

  g_assert_nonnull (at);
  at += strlen (marker);
  end = strchr (at, '"');
  return g_strndup (at, end - at);
}

JsonObject *
milk_test_json (MilkTestClient *self)
{
  g_autoptr(GError) error = NULL;

  if (self->json == NULL)
    {
      self->json = json_from_string (milk_test_body (self), &error);
      g_assert_no_error (error);
    }
  g_assert_true (JSON_NODE_HOLDS_OBJECT (self->json));
  return json_node_get_object (self->json);
}

void
milk_test_assert_error (MilkTestClient *self,
                        guint           status,
                        const char     *code)
{
  JsonObject *obj;

  g_assert_cmpuint (self->status, ==, status);
  g_assert_cmpstr (milk_test_header (self, "Content-Type"), ==, "application/json");
  obj = milk_test_json (self);
  g_assert_cmpstr (json_object_get_string_member_with_default (obj, "error", ""), ==, code);
  g_assert_true (json_object_has_member (obj, "message") || json_object_has_member (obj, "error_description"));
}

/* ---- OAuth ---- */

char *
milk_test_pkce_challenge (const char *verifier)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;
  g_autofree char *b64 = NULL;

  g_checksum_update (sum, (const guchar *) verifier, -1);
  g_checksum_get_digest (sum, digest, &len);
  b64 = g_base64_encode (digest, len);
  g_strdelimit (b64, "+", '-');
  g_strdelimit (b64, "/", '_');
  *strchr (b64, '=') = '\0';
  return g_steal_pointer (&b64);
}

char *
milk_test_query_param (const char *url,
                       const char *name)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(GHashTable) params = NULL;

  if (uri == NULL || g_uri_get_query (uri) == NULL)
    return NULL;
  params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
  return params ? g_strdup (g_hash_table_lookup (params, name)) : NULL;
}

char *
milk_test_authorize (MilkTestServer *server,
                     MilkTestClient *browser,
                     const char     *redirect_uri,
                     const char     *verifier,
                     const char     *state)
{
  g_autofree char *challenge = milk_test_pkce_challenge (verifier);
  g_autofree char *query = NULL;
  g_autofree char *path = NULL;
  g_autofree char *csrf = NULL;

  query = soup_form_encode ("response_type", "code", "client_id", MILK_TEST_CLIENT_ID,
                            "redirect_uri", redirect_uri, "code_challenge", challenge,
                            "code_challenge_method", "S256", "state", state, "scope", "sync", NULL);
  path = g_strconcat ("/oauth/authorize?", query, NULL);
  g_assert_cmpuint (milk_test_request (browser, server, "GET", path, NULL, NULL, 0, NULL), ==, 200);
  csrf = milk_test_page_csrf (browser);
  milk_test_form (browser, server, "/oauth/authorize", "response_type", "code", "client_id", MILK_TEST_CLIENT_ID,
                  "redirect_uri", redirect_uri, "code_challenge", challenge, "code_challenge_method", "S256",
                  "state", state, "scope", "sync", "csrf", csrf, "decision", "allow", NULL);
  g_assert_cmpuint (browser->status, ==, 303);
  return g_strdup (milk_test_header (browser, "Location"));
}

MilkTestAccount *
milk_test_account_new (MilkTestServer *server,
                       const char     *email)
{
  MilkTestAccount *self = g_new0 (MilkTestAccount, 1);
  g_autofree char *csrf = NULL;
  g_autofree char *verifier = g_strdup_printf ("verifier-%s-0123456789012345678901234567890123", email);
  g_autofree char *location = NULL;
  g_autofree char *code = NULL;
  JsonObject *tokens;

  g_strdelimit (verifier, "@", '.');
  self->email = g_strdup (email);
  self->browser = milk_test_client_new ();
  g_assert_cmpuint (milk_test_request (self->browser, server, "GET", "/signup", NULL, NULL, 0, NULL), ==, 200);
  csrf = milk_test_page_csrf (self->browser);
  milk_test_form (self->browser, server, "/signup", "csrf", csrf, "email", email, "password", MILK_TEST_PASSWORD,
                  "confirm", MILK_TEST_PASSWORD, "return_to", "/account", NULL);
  g_assert_cmpuint (self->browser->status, ==, 303);

  location = milk_test_authorize (server, self->browser, MILK_TEST_REDIRECT, verifier, "st");
  code = milk_test_query_param (location, "code");
  g_assert_nonnull (code);
  milk_test_form (self->browser, server, "/oauth/token", "grant_type", "authorization_code", "code", code,
                  "redirect_uri", MILK_TEST_REDIRECT, "client_id", MILK_TEST_CLIENT_ID,
                  "code_verifier", verifier, NULL);
  g_assert_cmpuint (self->browser->status, ==, 200);
  tokens = milk_test_json (self->browser);
  self->access_token = g_strdup (json_object_get_string_member (tokens, "access_token"));
  self->refresh_token = g_strdup (json_object_get_string_member (tokens, "refresh_token"));
  return self;
}

void
milk_test_account_free (MilkTestAccount *self)
{
  if (self == NULL)
    return;
  g_free (self->email);
  g_free (self->access_token);
  g_free (self->refresh_token);
  milk_test_client_free (self->browser);
  g_free (self);
}

/* ---- sync ---- */

char *
milk_test_hlc (gint64  wall_ms,
               guint32 counter,
               guint64 node)
{
  MilkHlcStamp stamp = { wall_ms, counter, node };
  char buf[MILK_HLC_STRING_LEN + 1];

  milk_hlc_stamp_format (&stamp, buf);
  return g_strdup (buf);
}

MilkRecord *
milk_test_entry (const char *product,
                 const char *day,
                 gint64      qty_ml,
                 gint64      wall_ms,
                 guint32     counter,
                 guint64     node)
{
  MilkRecord *record = milk_record_new (MILK_RECORD_ENTRY);
  g_autofree char *key = g_strdup_printf ("%s/%s", product, day);
  g_autoptr(GError) error = NULL;

  milk_record_set_key (record, key, &error);
  g_assert_no_error (error);
  record->qty_ml = qty_ml;
  record->price_override = MILK_NO_PRICE;
  record->note = g_strdup ("");
  record->hlc = milk_test_hlc (wall_ms, counter, node);
  return record;
}

MilkSyncMessage *
milk_test_sync (MilkTestServer *server,
                MilkTestClient *client,
                const char     *token,
                const char     *cursor,
                const char     *node,
                GPtrArray      *changes)
{
  g_autoptr(MilkSyncMessage) request = milk_sync_message_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  MilkSyncMessage *response;
  gsize length;

  request->cursor = g_strdup (cursor);
  request->node = g_strdup (node);
  for (guint i = 0; changes && i < changes->len; i++)
    g_ptr_array_add (request->changes, milk_record_copy (g_ptr_array_index (changes, i)));
  body = milk_sync_request_encode (request, &length);
  milk_test_request (client, server, "POST", "/api/v1/sync", "application/json", body, length, token);
  if (client->status != 200)
    g_printerr ("sync answered %u: %s\n", client->status, milk_test_body (client));
  g_assert_cmpuint (client->status, ==, 200);
  response = milk_sync_response_decode (g_bytes_get_data (client->body, NULL), g_bytes_get_size (client->body),
                                        &error);
  g_assert_no_error (error);
  return response;
}
