/* test-server-privilege.c — least privilege in the database, a schema that
 * distributes by account, HSTS behind https (issue 15, rows 11 and 13)
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "milk-server-test.h"

static MilkTestServer *server;

/* One value; -2 when the statement failed (e.g. permission denied). */
static gint64
scalar (PGconn     *db,
        const char *sql)
{
  PGresult *result = PQexec (db, sql);
  gint64 value;

  if (PQresultStatus (result) == PGRES_TUPLES_OK && PQntuples (result) == 1)
    value = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
  else if (PQresultStatus (result) != PGRES_TUPLES_OK && PQresultStatus (result) != PGRES_COMMAND_OK)
    value = -2;
  else
    value = g_ascii_strtoll (PQcmdTuples (result), NULL, 10);
  PQclear (result);
  return value;
}

static char *
text (PGconn     *db,
      const char *sql)
{
  PGresult *result = PQexec (db, sql);
  char *value = NULL;

  if (PQresultStatus (result) == PGRES_TUPLES_OK && PQntuples (result) == 1 && !PQgetisnull (result, 0, 0))
    value = g_strdup (PQgetvalue (result, 0, 0));
  else if (PQresultStatus (result) != PGRES_TUPLES_OK)
    g_printerr ("%s: %s", sql, PQresultErrorMessage (result));
  PQclear (result);
  return value;
}

static PGconn *
connect_as (const char *url)
{
  PGconn *db = PQconnectdb (url);

  g_assert_cmpint (PQstatus (db), ==, CONNECTION_OK);
  return db;
}

/* What PostgreSQL says about the user the running service logged in as
 * (it names its connections milk-diary-server), and the same through the
 * service's own connection settings. */
static void
test_service_login (void)
{
  PGconn *admin = milk_test_db_connect (server);
  PGconn *service = connect_as (server->service_url);
  g_autofree char *privileged = NULL;

  /* Its idle pool connections, at least the one it opens at start. */
  g_assert_cmpint (scalar (admin, "SELECT count(*) FROM pg_stat_activity"
                                  " WHERE datname = current_database () AND application_name = 'milk-diary-server'"),
                   >=, 1);
  privileged = text (admin,
                     "SELECT string_agg (DISTINCT a.usename, ', ') FROM pg_stat_activity a"
                     "  JOIN pg_roles r ON r.oid = a.usesysid"
                     " WHERE a.datname = current_database () AND a.application_name = 'milk-diary-server'"
                     "   AND (r.rolsuper OR r.rolbypassrls OR EXISTS ("
                     "        SELECT FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace"
                     "           AND pg_has_role (r.oid, c.relowner, 'MEMBER')))");
  g_assert_null (privileged);

  g_assert_cmpint (scalar (service, "SELECT rolsuper::int FROM pg_roles WHERE rolname = current_user"), ==, 0);
  g_assert_cmpint (scalar (service, "SELECT rolbypassrls::int FROM pg_roles WHERE rolname = current_user"), ==, 0);
  g_assert_cmpint (scalar (service, "SELECT count(*) FROM pg_class c"
                                    " WHERE c.relnamespace = 'public'::regnamespace"
                                    "   AND pg_has_role (current_user, c.relowner, 'MEMBER')"), ==, 0);
  /* It cannot become the owner or change the schema. */
  g_assert_cmpint (scalar (service, "SET ROLE milk_owner"), ==, -2);
  g_assert_cmpint (scalar (service, "ALTER TABLE accounts NO FORCE ROW LEVEL SECURITY"), ==, -2);
  g_assert_cmpint (scalar (service, "CREATE TABLE stolen (x text)"), ==, -2);
  PQfinish (service);
  PQfinish (admin);
}

static int
serve_exit_status (const char  *database_url,
                   char       **err)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_launcher_setenv (launcher, "DATABASE_URL", database_url, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "MILK_MIGRATE_DATABASE_URL");
  /* A service that starts anyway is stopped after 30 s (status 124). */
  process = g_subprocess_launcher_spawn (launcher, &error, "timeout", "30", g_getenv ("MILK_SERVER_BINARY"),
                                         "serve", "--listen", "127.0.0.1:0", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

/* Logged in as a superuser or as the owner, the service does not start:
 * row-level security would not hold for it. */
static void
test_refuses_privileged_login (void)
{
  g_autofree char *as_superuser = NULL;
  g_autofree char *as_owner = NULL;

  g_assert_cmpint (serve_exit_status (server->database_url, &as_superuser), ==, 1);
  g_assert_nonnull (strstr (as_superuser, "is a superuser"));
  g_assert_cmpint (serve_exit_status (server->owner_url, &as_owner), ==, 1);
  g_assert_nonnull (strstr (as_owner, "owns tables"));
}

static gint64
account_id (PGconn     *admin,
            const char *email)
{
  g_autofree char *sql = g_strdup_printf ("SELECT id FROM accounts WHERE email = '%s'", email);

  return scalar (admin, sql);
}

static void
act_for (PGconn *db,
         gint64  account)
{
  g_autofree char *sql = g_strdup_printf ("BEGIN; SELECT set_config ('milk.account', '%" G_GINT64_FORMAT "', true)",
                                          account);

  g_assert_cmpint (scalar (db, sql), >=, 0);
}

/* With the service's own login: every account table shows nothing without
 * an account, only that account's rows with one; no password hash of
 * another account, no e-mail directory, no account made by hand. */
static void
test_row_level_security (void)
{
  g_autoptr(MilkTestAccount) a = milk_test_account_new (server, "erin@example.com");
  g_autoptr(MilkTestAccount) b = milk_test_account_new (server, "frank@example.com");
  const char *tables[] = { "oauth_tokens", "oauth_codes", "web_sessions" };
  PGconn *admin = milk_test_db_connect (server);
  PGconn *service = connect_as (server->service_url);
  gint64 a_id = account_id (admin, a->email), b_id = account_id (admin, b->email);
  g_autofree char *b_row = g_strdup_printf ("SELECT count(*) FROM accounts WHERE id = %" G_GINT64_FORMAT, b_id);
  g_autofree char *b_hash = NULL;

  g_assert_cmpint (a_id, >, 0);
  g_assert_cmpint (b_id, >, 0);
  g_assert_cmpint (scalar (admin, "SELECT count(*) FROM accounts"), >=, 2);

  /* No account set: nothing. */
  g_assert_cmpint (scalar (service, "SELECT count(*) FROM accounts"), ==, 0);
  g_assert_null (text (service, "SELECT string_agg (password_hash, ',') FROM accounts"));
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", tables[i]);

      g_assert_cmpint (scalar (service, sql), ==, 0);
    }

  /* A's account set: A's rows, none of B's. */
  act_for (service, a_id);
  g_assert_cmpint (scalar (service, "SELECT count(*) FROM accounts"), ==, 1);
  g_assert_cmpint (scalar (service, "SELECT id FROM accounts"), ==, a_id);
  g_assert_cmpint (scalar (service, b_row), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *all = g_strdup_printf ("SELECT count(*) FROM %s", tables[i]);
      g_autofree char *others = g_strdup_printf ("SELECT count(*) FROM %s WHERE account_id <> %" G_GINT64_FORMAT,
                                                 tables[i], a_id);
      g_autofree char *in_admin = g_strdup_printf ("SELECT count(*) FROM %s WHERE account_id = %" G_GINT64_FORMAT,
                                                   tables[i], b_id);

      g_assert_cmpint (scalar (admin, in_admin), >=, 1);   /* B has some */
      g_assert_cmpint (scalar (service, all), >=, 1);      /* A sees its own */
      g_assert_cmpint (scalar (service, others), ==, 0);
    }
  /* Writing into B's rows while acting for A changes nothing. */
  g_assert_cmpint (scalar (service, "UPDATE accounts SET password_hash = 'x' WHERE id <> milk_current_account ()"),
                   ==, 0);
  g_assert_cmpint (scalar (service, "UPDATE oauth_tokens SET revoked_at = now ()"
                                    " WHERE account_id <> milk_current_account ()"), ==, 0);
  scalar (service, "ROLLBACK");

  /* Not through the directory or a hand-made account either. */
  g_assert_cmpint (scalar (service, "SELECT count(*) FROM account_emails"), ==, -2);
  g_assert_cmpint (scalar (service, "INSERT INTO accounts (email, password_hash) VALUES ('m@example.com', 'h')"),
                   ==, -2);
  b_hash = text (admin, "SELECT password_hash FROM accounts WHERE email = 'frank@example.com'");
  g_assert_nonnull (b_hash);
  g_assert_cmpint (scalar (admin, "SELECT count(*) FROM pg_class WHERE relname IN"
                                  " ('accounts', 'oauth_tokens', 'oauth_codes', 'web_sessions', 'records',"
                                  "  'sync_counters') AND relrowsecurity AND relforcerowsecurity"), ==, 6);
  PQfinish (service);
  PQfinish (admin);
}

/* Ready for Citus: every table with account data has the account id
 * leading its primary key; the tables that do not hold account data, or
 * are keyed by something else on purpose, are named here. */
static void
test_schema_distributes_by_account (void)
{
  /* table: why it is not distributed by account */
  const char *exceptions[] = {
    "schema_migrations",   /* the schema's own, no account data */
    "account_emails",      /* the e-mail directory, keyed (and distributed) by e-mail */
    "signin_failures",     /* failed sign-ins, keyed by the address they came from (unused since 0004) */
    "password_limits",     /* wrong passwords per hash of the e-mail typed and address: no account id,
                            * or a known e-mail would be limited differently from an unknown one */
    "signup_limits",       /* sign-ups per address, before any account exists */
    "identity_directory",  /* which account a provider's identity is, keyed by provider and subject */
    "external_logins",     /* sign-ins through a provider in progress, before the account is known */
    NULL
  };
  PGconn *admin = milk_test_db_connect (server);
  PGresult *result;

  result = PQexec (admin,
                   "SELECT c.relname,"
                   "       (SELECT a.attname FROM pg_index i JOIN pg_attribute a"
                   "            ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
                   "         WHERE i.indrelid = c.oid AND i.indisprimary),"
                   "       EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid"
                   "                  AND a.attname = 'account_id' AND NOT a.attisdropped),"
                   "       c.relrowsecurity AND c.relforcerowsecurity"
                   "  FROM pg_class c"
                   " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')"
                   " ORDER BY 1");
  g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
  g_assert_cmpint (PQntuples (result), >=, 8);
  for (int i = 0; i < PQntuples (result); i++)
    {
      const char *table = PQgetvalue (result, i, 0);
      const char *leading = PQgetvalue (result, i, 1);
      gboolean has_account = PQgetvalue (result, i, 2)[0] == 't';
      gboolean forced = PQgetvalue (result, i, 3)[0] == 't';

      if (g_strv_contains (exceptions, table))
        continue;
      if (g_str_equal (table, "accounts"))
        {
          g_assert_cmpstr (leading, ==, "id");   /* the account id itself */
          g_assert_true (forced);
          continue;
        }
      if (!has_account || g_strcmp0 (leading, "account_id") != 0 || !forced)
        g_printerr ("%s: primary key led by “%s”, account_id %s, row-level security %s\n",
                    table, leading, has_account ? "present" : "missing", forced ? "forced" : "not forced");
      g_assert_true (has_account);
      g_assert_cmpstr (leading, ==, "account_id");
      g_assert_true (forced);
    }
  PQclear (result);

  /* No unique index leaves the account id out (Citus cannot enforce it),
   * an index on an expression neither. */
  {
    g_autofree char *unique = text (admin,
      "SELECT string_agg (i.indexrelid::regclass::text, ', ') FROM pg_index i"
      "  JOIN pg_class c ON c.oid = i.indrelid"
      "  LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]"
      " WHERE c.relnamespace = 'public'::regnamespace AND i.indisunique"
      "   AND c.relname NOT IN ('schema_migrations', 'account_emails', 'signin_failures',"
      "                         'password_limits', 'signup_limits', 'identity_directory', 'external_logins')"
      "   AND NOT coalesce (a.attname = 'account_id' OR (c.relname = 'accounts' AND a.attname = 'id'), false)");

    g_assert_cmpstr (unique, ==, NULL);
  }
  PQfinish (admin);
}

static char *
with_database (const char *url,
               const char *name)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  g_autofree char *path = g_strconcat ("/", name, NULL);
  g_autoptr(GUri) copy = g_uri_build (G_URI_FLAGS_ENCODED, g_uri_get_scheme (uri), g_uri_get_userinfo (uri),
                                      g_uri_get_host (uri), g_uri_get_port (uri), path, g_uri_get_query (uri),
                                      NULL);

  return g_uri_to_string (copy);
}

static void
exec_file (PGconn     *db,
           const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "..", "src", "server", "migrations", name, NULL);
  g_autofree char *sql = NULL;
  PGresult *result;

  g_assert_true (g_file_get_contents (path, &sql, NULL, NULL));
  result = PQexec (db, sql);
  g_assert_cmpint (PQresultStatus (result), ==, PGRES_COMMAND_OK);
  PQclear (result);
}

/* A database the previous version migrated (0001, 0002), with an account
 * in mixed case, a session before sign-in and a live access token, is
 * migrated by this one; then the account signs in, its token syncs, and
 * its e-mail is still taken whatever the case. */
static void
test_upgrade_keeps_accounts (void)
{
  g_autofree char *name = g_strdup_printf ("milk_upgrade_%d", (int) getpid ());
  g_autofree char *admin_url = with_database (server->database_url, name);
  g_autofree char *owner_url = milk_test_role_url (admin_url, "milk_owner");
  g_autofree char *service_url = milk_test_role_url (admin_url, "milk_service");
  g_autofree char *hash = NULL, *insert = NULL, *create = NULL, *drop = NULL;
  g_autofree char *token_hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "old-access-token", -1);
  g_autoptr(MilkTestAccount) current = milk_test_account_new (server, "grace@example.com");
  g_autoptr(MilkTestClient) browser = milk_test_client_new ();
  g_autoptr(MilkTestClient) app = milk_test_client_new ();
  g_autoptr(MilkSyncMessage) pulled = NULL;
  PGconn *admin = milk_test_db_connect (server);
  PGconn *owner;
  MilkTestServer *upgraded;
  g_autofree char *csrf = NULL;

  /* A real Argon2id hash of the test password, made by the service. */
  hash = text (admin, "SELECT password_hash FROM accounts WHERE email = 'grace@example.com'");
  g_assert_nonnull (hash);
  create = g_strdup_printf ("CREATE DATABASE %s OWNER milk_owner", name);
  g_assert_cmpint (scalar (admin, create), >=, 0);

  owner = connect_as (owner_url);
  exec_file (owner, "0001-initial.sql");
  exec_file (owner, "0002-pull-function.sql");
  insert = g_strdup_printf (
    "CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,"
    "                                applied_at timestamptz NOT NULL DEFAULT now ());"
    "INSERT INTO schema_migrations (version, name) VALUES (1, '0001-initial.sql'), (2, '0002-pull-function.sql');"
    "INSERT INTO accounts (email, password_hash) VALUES ('Old.User@Example.com', '%s');"
    "INSERT INTO web_sessions (id_hash, account_id, csrf, expires_at) VALUES ('anon', NULL, 'c', now () + interval '1 day');"
    "INSERT INTO oauth_tokens (token_hash, kind, account_id, client_id, family, expires_at)"
    " SELECT '%s', 'access', id, '" MILK_TEST_CLIENT_ID "', gen_random_uuid (), now () + interval '1 hour' FROM accounts",
    hash, token_hash);
  g_assert_cmpint (scalar (owner, insert), >=, 0);
  PQfinish (owner);

  {
    const char *env[] = { "DATABASE_URL", service_url, "MILK_MIGRATE_DATABASE_URL", owner_url, NULL };

    upgraded = milk_test_server_start (env);
  }
  owner = connect_as (owner_url);
  g_assert_cmpint (scalar (owner, "SELECT max(version) FROM schema_migrations"), >=, 3);
  g_assert_cmpint (scalar (owner, "SELECT count(*) FROM account_emails WHERE email = 'old.user@example.com'"), ==, 1);
  g_assert_cmpint (scalar (owner, "SELECT account_id FROM web_sessions WHERE id_hash = 'anon'"), ==, 0);
  PQfinish (owner);

  /* The old token still syncs. */
  pulled = milk_test_sync (upgraded, app, "old-access-token", NULL, "00000000000000ab", NULL);
  g_assert_cmpuint (pulled->changes->len, ==, 0);

  /* The account signs in with another case of its e-mail. */
  g_assert_cmpuint (milk_test_request (browser, upgraded, "GET", "/signin", NULL, NULL, 0, NULL), ==, 200);
  csrf = milk_test_page_csrf (browser);
  g_assert_cmpuint (milk_test_form (browser, upgraded, "/signin", "csrf", csrf, "email", "old.user@example.com",
                                    "password", MILK_TEST_PASSWORD, "return_to", "/account", NULL), ==, 303);
  g_assert_cmpstr (milk_test_header (browser, "Location"), ==, "/account");
  g_assert_cmpuint (milk_test_request (browser, upgraded, "GET", "/account", NULL, NULL, 0, NULL), ==, 200);
  g_assert_nonnull (strstr (milk_test_body (browser), "Old.User@Example.com"));

  milk_test_server_stop (upgraded, SIGTERM);
  drop = g_strdup_printf ("DROP DATABASE %s WITH (FORCE)", name);
  g_assert_cmpint (scalar (admin, drop), >=, 0);
  PQfinish (admin);
}

static void
assert_hsts (MilkTestServer *on,
             gboolean        expected)
{
  g_autoptr(MilkTestClient) browser = milk_test_client_new ();
  const char *paths[] = { "/signin", "/healthz", "/.well-known/oauth-authorization-server", "/no-such-page" };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      milk_test_request (browser, on, "GET", paths[i], NULL, NULL, 0, NULL);
      g_test_message ("%s: %u", paths[i], browser->status);
      g_assert_cmpuint (browser->status, !=, 0);
      if (expected)
        g_assert_cmpstr (milk_test_header (browser, "Strict-Transport-Security"), ==, "max-age=63072000");
      else
        g_assert_null (milk_test_header (browser, "Strict-Transport-Security"));
    }
  milk_test_request (browser, on, "POST", "/api/v1/sync", "application/json", "{}", 2, "not-a-token");
  g_assert_cmpuint (browser->status, ==, 401);
  if (expected)
    g_assert_cmpstr (milk_test_header (browser, "Strict-Transport-Security"), ==, "max-age=63072000");
  else
    g_assert_null (milk_test_header (browser, "Strict-Transport-Security"));
}

/* Behind https (the public URL says so), browsers are told to come back
 * only over https; on plain http the header would be meaningless. */
static void
test_hsts (void)
{
  const char *env[] = { "MILK_BASE_URL", "https://milk.example.org", NULL };
  MilkTestServer *https = milk_test_server_start (env);

  assert_hsts (https, TRUE);
  assert_hsts (server, FALSE);
  milk_test_server_stop (https, SIGTERM);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  if (!milk_test_init (&argc, &argv))
    return milk_test_run_skipped ("/server/privilege/skipped");
  server = milk_test_server_start (NULL);

  g_test_add_func ("/server/privilege/service-login", test_service_login);
  g_test_add_func ("/server/privilege/refuses-privileged-login", test_refuses_privileged_login);
  g_test_add_func ("/server/privilege/row-level-security", test_row_level_security);
  g_test_add_func ("/server/privilege/schema-distributes-by-account", test_schema_distributes_by_account);
  g_test_add_func ("/server/privilege/upgrade-keeps-accounts", test_upgrade_keeps_accounts);
  g_test_add_func ("/server/privilege/hsts", test_hsts);
  status = g_test_run ();

  milk_test_server_stop (server, SIGTERM);
  milk_test_cleanup ();
  return status;
}
