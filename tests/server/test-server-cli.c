/* test-server-cli.c — milk-diary-server's command line: configuration,
 * both URL schemes, migrations applied once under the advisory lock
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "milk-server-test.h"

static char *database_url;

static GSubprocess *
spawn (const char *url,
       GError    **error,
       ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  if (url)
    g_subprocess_launcher_setenv (launcher, "DATABASE_URL", url, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "DATABASE_URL");
  g_ptr_array_add (argv, (char *) g_getenv ("MILK_SERVER_BINARY"));
  va_start (args, error);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  return g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
}

static int
finish (GSubprocess *process,
        char       **err)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

static void
test_configuration_errors (void)
{
  struct { const char *url; const char *arg; const char *says; } cases[] = {
    { NULL, NULL, "DATABASE_URL" },
    { "mysql://localhost/milk", NULL, "postgres://" },
    { database_url, "--listen=nonsense", "HOST:PORT" },
    { database_url, "--workers=0", "MILK_WORKERS" },
    { database_url, "--base-url=ftp://x", "http://" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSubprocess) process = spawn (cases[i].url, &error, cases[i].arg ? cases[i].arg : "migrate",
                                              "migrate", NULL);
      g_autofree char *err = NULL;

      g_assert_no_error (error);
      g_assert_cmpint (finish (process, &err), ==, 2);
      g_assert_nonnull (strstr (err, cases[i].says));
    }
}

/* Mail settings that cannot work stop the service at start, saying
 * which; a password is never accepted in the URL, where logs see it. */
static void
test_mail_configuration_errors (void)
{
  struct { const char *url; const char *from; const char *tls; const char *says; } cases[] = {
    { "http://mail.example.org", "milk@example.org", NULL, "smtp://HOST" },
    { "smtp://", "milk@example.org", NULL, "smtp://HOST" },
    { "smtp://user:secret-pw@mail.example.org", "milk@example.org", NULL, "MILK_SMTP_USER" },
    { "smtp://mail.example.org", NULL, NULL, "MILK_SMTP_FROM" },
    { "smtp://mail.example.org", "Milk <milk@example.org>", NULL, "MILK_SMTP_FROM" },
    { "smtp://mail.example.org", "milk@example.org", "maybe", "MILK_SMTP_TLS" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSubprocess) process = NULL;
      g_autofree char *err = NULL;

      g_setenv ("MILK_SMTP_URL", cases[i].url, TRUE);
      if (cases[i].from)
        g_setenv ("MILK_SMTP_FROM", cases[i].from, TRUE);
      else
        g_unsetenv ("MILK_SMTP_FROM");
      if (cases[i].tls)
        g_setenv ("MILK_SMTP_TLS", cases[i].tls, TRUE);
      else
        g_unsetenv ("MILK_SMTP_TLS");
      process = spawn (database_url, &error, "migrate", NULL);
      g_assert_no_error (error);
      g_assert_cmpint (finish (process, &err), ==, 2);
      g_assert_nonnull (strstr (err, cases[i].says));
      g_assert_null (strstr (err, "secret-pw"));
    }
  g_unsetenv ("MILK_SMTP_URL");
  g_unsetenv ("MILK_SMTP_FROM");
  g_unsetenv ("MILK_SMTP_TLS");
}

/* Several instances starting at once take turns; every migration is applied
 * once, and the postgres:// form works as well as postgresql://. */
static void
test_concurrent_migrate (void)
{
  g_autofree char *short_form = g_strconcat ("postgres://", database_url + strlen ("postgresql://"), NULL);
  GSubprocess *processes[4];
  PGconn *db;
  PGresult *result;

  for (guint i = 0; i < G_N_ELEMENTS (processes); i++)
    {
      g_autoptr(GError) error = NULL;

      processes[i] = spawn (i % 2 ? short_form : database_url, &error, "migrate", NULL);
      g_assert_no_error (error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (processes); i++)
    {
      g_autofree char *err = NULL;

      g_assert_cmpint (finish (processes[i], &err), ==, 0);
      g_object_unref (processes[i]);
    }

  db = PQconnectdb (database_url);
  g_assert_cmpint (PQstatus (db), ==, CONNECTION_OK);
  result = PQexec (db, "SELECT count(*), count(DISTINCT version), min(version) FROM schema_migrations");
  g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
  g_assert_cmpstr (PQgetvalue (result, 0, 0), ==, PQgetvalue (result, 0, 1));
  g_assert_cmpint (atoi (PQgetvalue (result, 0, 0)), >=, 2);
  g_assert_cmpstr (PQgetvalue (result, 0, 2), ==, "1");
  PQclear (result);
  PQfinish (db);
}

int
main (int   argc,
      char *argv[])
{
  MilkTestServer *server;
  int status;

  if (!milk_test_init (&argc, &argv))
    return milk_test_run_skipped ("/server/cli/skipped");
  /* Only for the database it made; the tests start their own processes. */
  server = milk_test_server_start (NULL);
  database_url = g_strdup (server->database_url);
  milk_test_server_stop (server, SIGTERM);

  g_test_add_func ("/server/cli/configuration-errors", test_configuration_errors);
  g_test_add_func ("/server/cli/concurrent-migrate", test_concurrent_migrate);
  g_test_add_func ("/server/cli/mail-configuration-errors", test_mail_configuration_errors);
  status = g_test_run ();

  g_free (database_url);
  milk_test_cleanup ();
  return status;
}
