/* milk-server-db.c — PostgreSQL: connection pool, migrations, query plumbing
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "milk-server-db-private.h"
#include "milk-server-db.h"
#include "milk-server-error.h"

/* Any constant will do, as long as every instance agrees on it. */
#define MIGRATION_LOCK_KEY "7203520211"
#define MIGRATIONS_PATH "/io/github/milkdiary/MilkDiary/server/migrations"

struct _MilkDb
{
  char *url;
  guint size;
  guint opened;
  GMutex lock;
  GAsyncQueue *idle;   /* of PGconn */
};

/* ---- plumbing, shared with the other milk-server-db-*.c ---- */

static void
set_db_error (GError    **error,
              PGconn     *conn,
              PGresult   *result)
{
  const char *state = result ? PQresultErrorField (result, PG_DIAG_SQLSTATE) : NULL;
  const char *text = result ? PQresultErrorMessage (result) : PQerrorMessage (conn);

  if (g_strcmp0 (state, "23505") == 0)
    g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_CONFLICT, "%s", text);
  else
    g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_DATABASE, "%s",
                 text && *text ? g_strchomp ((char *) text) : "The database did not answer");
}

PGresult *
_milk_db_query (PGconn      *conn,
       GError     **error,
       const char  *sql,
       int          n_params,
       const char * const *params)
{
  PGresult *result = PQexecParams (conn, sql, n_params, NULL, params, NULL, NULL, 0);
  ExecStatusType status = PQresultStatus (result);

  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    {
      set_db_error (error, conn, result);
      PQclear (result);
      return NULL;
    }
  return result;
}

gboolean
_milk_db_exec (PGconn      *conn,
      const char  *sql,
      GError     **error)
{
  PGresult *result = PQexec (conn, sql);
  ExecStatusType status = PQresultStatus (result);
  gboolean ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;

  if (!ok)
    set_db_error (error, conn, result);
  PQclear (result);
  return ok;
}

gboolean
_milk_db_command (PGresult *result)
{
  if (result == NULL)
    return FALSE;
  PQclear (result);
  return TRUE;
}

/* A transaction acting for one account: row-level security shows it only
 * that account's rows. */
gboolean
_milk_db_begin (PGconn      *conn,
       gint64       account_id,
       GError     **error)
{
  g_autofree char *sql = NULL;

  if (account_id <= 0)
    return _milk_db_exec (conn, "BEGIN", error);
  sql = g_strdup_printf ("BEGIN; SELECT set_config ('milk.account', '%" G_GINT64_FORMAT "', true)",
                         account_id);
  return _milk_db_exec (conn, sql, error);
}

gboolean
_milk_db_commit (PGconn  *conn,
        GError **error)
{
  return _milk_db_exec (conn, "COMMIT", error);
}

void
_milk_db_rollback (PGconn *conn)
{
  if (PQtransactionStatus (conn) != PQTRANS_IDLE)
    _milk_db_exec (conn, "ROLLBACK", NULL);
}

char *
_milk_db_int_param (gint64 value)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, value);
}

char *
_milk_db_dup_value (PGresult *result,
           int       row,
           int       column)
{
  return PQgetisnull (result, row, column) ? NULL : g_strdup (PQgetvalue (result, row, column));
}

gint64
_milk_db_int_value (PGresult *result,
           int       row,
           int       column)
{
  return PQgetisnull (result, row, column) ? 0 : g_ascii_strtoll (PQgetvalue (result, row, column), NULL, 10);
}

gboolean
_milk_db_bool_value (PGresult *result,
            int       row,
            int       column)
{
  return !PQgetisnull (result, row, column) && PQgetvalue (result, row, column)[0] == 't';
}

/* The statements every sync runs, prepared once per connection. */
static const struct
{
  const char *name;
  const char *sql;
} prepared[] = {
  { "milk_access_token", "SELECT milk_access_token_account ($1)" },
  { "milk_pull", "SELECT seq, node, body FROM milk_pull ($1, $2, $3)" },
  { "milk_pull_for_token",
    "SELECT t.account_id, p.seq, p.node, p.body, i.current, i.previous"
    "  FROM (SELECT a AS account_id FROM milk_access_token_account ($1) a WHERE a IS NOT NULL) t"
    "  LEFT JOIN LATERAL milk_instance (t.account_id, $4) i ON true"
    "  LEFT JOIN LATERAL milk_pull (t.account_id, $2, $3) p ON true" },
};

PGresult *
_milk_db_query_prepared (PGconn      *conn,
                GError     **error,
                const char  *name,
                int          n_params,
                const char * const *params)
{
  PGresult *result = PQexecPrepared (conn, name, n_params, params, NULL, NULL, 0);

  if (PQresultStatus (result) != PGRES_TUPLES_OK && PQresultStatus (result) != PGRES_COMMAND_OK)
    {
      set_db_error (error, conn, result);
      PQclear (result);
      return NULL;
    }
  return result;
}


/* The service names itself, so PostgreSQL (and a test) can tell which
 * user its connections log in as. */
static PGconn *
connect_to (const char  *url,
            GError     **error)
{
  const char *keywords[] = { "dbname", "application_name", NULL };
  const char *values[] = { url, "milk-diary-server", NULL };
  PGconn *conn = PQconnectdbParams (keywords, values, TRUE);

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_DATABASE,
                   "Cannot connect to the database: %s", g_strchomp (PQerrorMessage (conn)));
      PQfinish (conn);
      return NULL;
    }
  return conn;
}

/* Least privilege: the user the service logs in as must not be a
 * superuser, bypass row-level security, or own (or be able to become the
 * owner of) any table, or FORCE and the policies would not hold for it. */
static gboolean
check_least_privilege (PGconn  *conn,
                       GError **error)
{
  g_autoptr(PGresult) result = NULL;

  result = _milk_db_query (conn, error,
                  "SELECT r.rolname, r.rolsuper, r.rolbypassrls,"
                  "       (SELECT string_agg (c.relname, ', ' ORDER BY c.relname) FROM pg_class c"
                  "         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')"
                  "           AND pg_has_role (r.oid, c.relowner, 'MEMBER'))"
                  "  FROM pg_roles r WHERE r.rolname = session_user", 0, NULL);
  if (result == NULL)
    return FALSE;
  if (PQntuples (result) == 1 && !_milk_db_bool_value (result, 0, 1) && !_milk_db_bool_value (result, 0, 2) &&
      PQgetisnull (result, 0, 3))
    return TRUE;
  g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_CONFIG,
               "The database user “%s” in DATABASE_URL %s; the service must log in as a role that is "
               "not a superuser, does not bypass row-level security and owns no table (the role "
               "“milk-diary-server migrate” grants to, MILK_DB_ROLE), and run migrations as the owner "
               "(MILK_MIGRATE_DATABASE_URL)",
               PQntuples (result) ? PQgetvalue (result, 0, 0) : "?",
               _milk_db_bool_value (result, 0, 1) ? "is a superuser" :
               _milk_db_bool_value (result, 0, 2) ? "bypasses row-level security" : "owns tables or can act as their owner");
  return FALSE;
}

static PGconn *
connect_serving (const char  *url,
                 GError     **error)
{
  PGconn *conn = connect_to (url, error);

  if (conn && !check_least_privilege (conn, error))
    PQfinish (g_steal_pointer (&conn));

  for (guint i = 0; conn && i < G_N_ELEMENTS (prepared); i++)
    {
      PGresult *result = PQprepare (conn, prepared[i].name, prepared[i].sql, 0, NULL);

      if (PQresultStatus (result) != PGRES_COMMAND_OK)
        {
          set_db_error (error, conn, result);
          g_prefix_error (error, "The database is not migrated (run milk-diary-server migrate): ");
          PQfinish (g_steal_pointer (&conn));
        }
      PQclear (result);
    }
  return conn;
}

/* ---- the pool ---- */

MilkDb *
milk_db_new (const char  *url,
             guint        size,
             GError     **error)
{
  MilkDb *self = g_new0 (MilkDb, 1);
  PGconn *first;

  self->url = g_strdup (url);
  self->size = MAX (size, 1);
  self->idle = g_async_queue_new ();
  g_mutex_init (&self->lock);

  /* One connection now, so a wrong URL or a privileged user fails at start. */
  if ((first = connect_serving (url, error)) == NULL)
    {
      milk_db_free (self);
      return NULL;
    }
  self->opened = 1;
  g_async_queue_push (self->idle, first);
  return self;
}

void
milk_db_free (MilkDb *self)
{
  PGconn *conn;

  if (self == NULL)
    return;
  while ((conn = g_async_queue_try_pop (self->idle)) != NULL)
    PQfinish (conn);
  g_async_queue_unref (self->idle);
  g_mutex_clear (&self->lock);
  g_free (self->url);
  g_free (self);
}

PGconn *
milk_db_acquire (MilkDb  *self,
                 GError **error)
{
  PGconn *conn = g_async_queue_try_pop (self->idle);
  gboolean open_one = FALSE;

  if (conn)
    return conn;

  g_mutex_lock (&self->lock);
  if (self->opened < self->size)
    {
      self->opened++;
      open_one = TRUE;
    }
  g_mutex_unlock (&self->lock);

  if (!open_one)
    return g_async_queue_pop (self->idle);

  if ((conn = connect_serving (self->url, error)) == NULL)
    {
      g_mutex_lock (&self->lock);
      self->opened--;
      g_mutex_unlock (&self->lock);
    }
  return conn;
}

void
milk_db_release (MilkDb *self,
                 PGconn *conn)
{
  if (conn == NULL)
    return;
  if (PQstatus (conn) == CONNECTION_OK && PQpipelineStatus (conn) == PQ_PIPELINE_OFF)
    _milk_db_rollback (conn);
  if (PQstatus (conn) != CONNECTION_OK || PQpipelineStatus (conn) != PQ_PIPELINE_OFF)
    {
      /* A broken connection is dropped, and one that a pipeline left in
       * doubt (milk-server-sync-batch.c); the next acquire opens another. */
      PQfinish (conn);
      g_mutex_lock (&self->lock);
      self->opened--;
      g_mutex_unlock (&self->lock);
      return;
    }
  g_async_queue_push (self->idle, conn);
}

gboolean
milk_db_ping (PGconn  *conn,
              GError **error)
{
  return _milk_db_exec (conn, "SELECT 1", error);
}

/* ---- migrations ---- */

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char **) a, *(char **) b);
}

static gboolean
apply_migrations (PGconn  *conn,
                  GError **error)
{
  g_auto(GStrv) names = NULL;
  guint n;

  names = g_resources_enumerate_children (MIGRATIONS_PATH, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (names == NULL)
    return FALSE;
  n = g_strv_length (names);
  qsort (names, n, sizeof (char *), compare_names);

  if (!_milk_db_exec (conn,
             "CREATE TABLE IF NOT EXISTS schema_migrations ("
             "  version integer PRIMARY KEY,"
             "  name text NOT NULL,"
             "  applied_at timestamptz NOT NULL DEFAULT now ())", error))
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_build_path ("/", MIGRATIONS_PATH, names[i], NULL);
      g_autofree char *version = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autofree char *sql = NULL;
      PGresult *seen;
      gboolean done;
      guint64 number;

      version = g_strndup (names[i], strspn (names[i], "0123456789"));
      if (!g_ascii_string_to_unsigned (version, 10, 1, G_MAXINT32, &number, NULL))
        continue;
      g_free (version);
      version = g_strdup_printf ("%" G_GUINT64_FORMAT, number);

      seen = MILK_DB_QUERY (conn, error, "SELECT 1 FROM schema_migrations WHERE version = $1", version);
      if (seen == NULL)
        return FALSE;
      done = PQntuples (seen) > 0;
      PQclear (seen);
      if (done)
        continue;

      bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
      if (bytes == NULL)
        return FALSE;
      sql = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

      if (!_milk_db_exec (conn, "BEGIN", error))
        return FALSE;
      if (!_milk_db_exec (conn, sql, error) ||
          !_milk_db_command (MILK_DB_QUERY (conn, error, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                           version, names[i])) ||
          !_milk_db_commit (conn, error))
        {
          _milk_db_rollback (conn);
          g_prefix_error (error, "Migration %s failed: ", names[i]);
          return FALSE;
        }
      g_printerr ("milk-diary-server: applied migration %s\n", names[i]);
    }
  return TRUE;
}

/* The role the service logs in as may read and write rows of every table
 * (but insert accounts or read the e-mail directory only through the
 * owner's functions), owns nothing and so is always subject to row-level
 * security. It is created here NOLOGIN if missing and the owner may; an
 * administrator gives it LOGIN (build-aux/dev, deploy/initdb). */
static gboolean
grant_service_role (PGconn      *conn,
                    const char  *role,
                    GError     **error)
{
  char *ident, *literal;
  g_autofree char *sql = NULL;
  gboolean ok;

  if (role == NULL || *role == '\0')
    return TRUE;

  ident = PQescapeIdentifier (conn, role, strlen (role));
  literal = PQescapeLiteral (conn, role, strlen (role));
  sql = g_strdup_printf (
    "DO $$ BEGIN"
    "  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = %s) THEN"
    "    CREATE ROLE %s NOLOGIN;"
    "  END IF;"
    "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;"
    "END $$;"
    "GRANT USAGE ON SCHEMA public TO %s;"
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %s;"
    "REVOKE ALL ON account_emails FROM %s;"
    "REVOKE ALL ON identity_directory FROM %s;"
    "REVOKE INSERT ON accounts FROM %s;"
    "REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM %s;"
    "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO %s;"
    "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO %s;",
    literal, ident, ident, ident, ident, ident, ident, ident, ident, ident);
  PQfreemem (ident);
  PQfreemem (literal);

  ok = _milk_db_exec (conn, sql, error);
  if (!ok)
    g_prefix_error (error, "Cannot set up the service role “%s”: ", role);
  return ok;
}

gboolean
milk_db_migrate (const char  *url,
                 const char  *role,
                 GError     **error)
{
  PGconn *conn = connect_to (url, error);
  gboolean ok;

  if (conn == NULL)
    return FALSE;

  /* Instances starting together take turns; the second finds nothing to do. */
  if (!_milk_db_exec (conn, "SET client_min_messages = warning; SELECT pg_advisory_lock (" MIGRATION_LOCK_KEY ")",
             error))
    {
      PQfinish (conn);
      return FALSE;
    }
  ok = apply_migrations (conn, error) && grant_service_role (conn, role, error);
  _milk_db_exec (conn, "SELECT pg_advisory_unlock (" MIGRATION_LOCK_KEY ")", NULL);
  PQfinish (conn);
  if (!ok && error && *error && (*error)->domain == MILK_SERVER_ERROR)
    (*error)->code = MILK_SERVER_ERROR_MIGRATION;
  return ok;
}
