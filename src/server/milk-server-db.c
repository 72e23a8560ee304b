/* milk-server-db.c — PostgreSQL: connection pool, migrations, every query
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "milk-record.h"
#include "milk-server-private.h"

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

/* ---- plumbing ---- */

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

static PGresult *
query (PGconn      *conn,
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

#define QUERY(conn, error, sql, ...) \
  query ((conn), (error), (sql), \
         G_N_ELEMENTS (((const char *[]) { __VA_ARGS__ })), \
         (const char *[]) { __VA_ARGS__ })

static gboolean
exec (PGconn      *conn,
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

static gboolean
command (PGresult *result)
{
  if (result == NULL)
    return FALSE;
  PQclear (result);
  return TRUE;
}

/* A transaction acting for one account: row-level security shows it only
 * that account's rows. */
static gboolean
begin (PGconn      *conn,
       gint64       account_id,
       GError     **error)
{
  g_autofree char *sql = NULL;

  if (account_id <= 0)
    return exec (conn, "BEGIN", error);
  sql = g_strdup_printf ("BEGIN; SELECT set_config ('milk.account', '%" G_GINT64_FORMAT "', true)",
                         account_id);
  return exec (conn, sql, error);
}

static gboolean
commit (PGconn  *conn,
        GError **error)
{
  return exec (conn, "COMMIT", error);
}

static void
rollback (PGconn *conn)
{
  if (PQtransactionStatus (conn) != PQTRANS_IDLE)
    exec (conn, "ROLLBACK", NULL);
}

/* For the database's other files (milk-server-db-email.c). */
PGresult *
_milk_db_query (PGconn      *conn,
                GError     **error,
                const char  *sql,
                int          n_params,
                const char * const *params)
{
  return query (conn, error, sql, n_params, params);
}

gboolean
_milk_db_begin (PGconn  *conn,
                gint64   account_id,
                GError **error)
{
  return begin (conn, account_id, error);
}

gboolean
_milk_db_commit (PGconn  *conn,
                 GError **error)
{
  return commit (conn, error);
}

void
_milk_db_rollback (PGconn *conn)
{
  rollback (conn);
}

static char *
int_param (gint64 value)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, value);
}

static char *
dup_value (PGresult *result,
           int       row,
           int       column)
{
  return PQgetisnull (result, row, column) ? NULL : g_strdup (PQgetvalue (result, row, column));
}

static gint64
int_value (PGresult *result,
           int       row,
           int       column)
{
  return PQgetisnull (result, row, column) ? 0 : g_ascii_strtoll (PQgetvalue (result, row, column), NULL, 10);
}

static gboolean
bool_value (PGresult *result,
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

static PGresult *
query_prepared (PGconn      *conn,
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

#define QUERY_PREPARED(conn, error, name, ...) \
  query_prepared ((conn), (error), (name), \
                  G_N_ELEMENTS (((const char *[]) { __VA_ARGS__ })), \
                  (const char *[]) { __VA_ARGS__ })

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

  result = query (conn, error,
                  "SELECT r.rolname, r.rolsuper, r.rolbypassrls,"
                  "       (SELECT string_agg (c.relname, ', ' ORDER BY c.relname) FROM pg_class c"
                  "         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')"
                  "           AND pg_has_role (r.oid, c.relowner, 'MEMBER'))"
                  "  FROM pg_roles r WHERE r.rolname = session_user", 0, NULL);
  if (result == NULL)
    return FALSE;
  if (PQntuples (result) == 1 && !bool_value (result, 0, 1) && !bool_value (result, 0, 2) &&
      PQgetisnull (result, 0, 3))
    return TRUE;
  g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_CONFIG,
               "The database user “%s” in DATABASE_URL %s; the service must log in as a role that is "
               "not a superuser, does not bypass row-level security and owns no table (the role "
               "“milk-diary-server migrate” grants to, MILK_DB_ROLE), and run migrations as the owner "
               "(MILK_MIGRATE_DATABASE_URL)",
               PQntuples (result) ? PQgetvalue (result, 0, 0) : "?",
               bool_value (result, 0, 1) ? "is a superuser" :
               bool_value (result, 0, 2) ? "bypasses row-level security" : "owns tables or can act as their owner");
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
  if (PQstatus (conn) == CONNECTION_OK)
    rollback (conn);
  if (PQstatus (conn) != CONNECTION_OK)
    {
      /* A broken connection is dropped; the next acquire opens another. */
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
  return exec (conn, "SELECT 1", error);
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

  if (!exec (conn,
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

      seen = QUERY (conn, error, "SELECT 1 FROM schema_migrations WHERE version = $1", version);
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

      if (!exec (conn, "BEGIN", error))
        return FALSE;
      if (!exec (conn, sql, error) ||
          !command (QUERY (conn, error, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                           version, names[i])) ||
          !commit (conn, error))
        {
          rollback (conn);
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

  ok = exec (conn, sql, error);
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
  if (!exec (conn, "SET client_min_messages = warning; SELECT pg_advisory_lock (" MIGRATION_LOCK_KEY ")",
             error))
    {
      PQfinish (conn);
      return FALSE;
    }
  ok = apply_migrations (conn, error) && grant_service_role (conn, role, error);
  exec (conn, "SELECT pg_advisory_unlock (" MIGRATION_LOCK_KEY ")", NULL);
  PQfinish (conn);
  if (!ok && error && *error && (*error)->domain == MILK_SERVER_ERROR)
    (*error)->code = MILK_SERVER_ERROR_MIGRATION;
  return ok;
}

/* ---- accounts ---- */

gint64
milk_db_account_create (PGconn      *conn,
                        const char  *email,
                        const char  *password_hash,
                        GError     **error)
{
  g_autoptr(PGresult) result = NULL;

  /* The owner's function: the service may not insert accounts itself. */
  result = QUERY (conn, error, "SELECT milk_account_create ($1, $2)", email, password_hash);
  return result ? int_value (result, 0, 0) : 0;
}

gboolean
milk_db_account_find (PGconn      *conn,
                      const char  *email,
                      gint64      *account_id,
                      char       **password_hash,
                      GError     **error)
{
  g_autoptr(PGresult) result = NULL;

  *account_id = 0;
  *password_hash = NULL;
  /* The owner's function answers for this one e-mail; the service cannot
   * SELECT other accounts' rows. */
  result = QUERY (conn, error, "SELECT account_id, password_hash FROM milk_account_signin ($1)", email);
  if (result == NULL)
    return FALSE;
  if (PQntuples (result) > 0)
    {
      *account_id = int_value (result, 0, 0);
      *password_hash = dup_value (result, 0, 1);
    }
  return TRUE;
}

char *
milk_db_account_password (PGconn  *conn,
                          gint64   account_id,
                          GError **error)
{
  g_autoptr(PGresult) result = NULL;
  g_autofree char *id = int_param (account_id);

  if (!begin (conn, account_id, error))
    return NULL;
  result = QUERY (conn, error, "SELECT password_hash FROM accounts WHERE id = $1", id);
  if (result == NULL || !commit (conn, error))
    {
      rollback (conn);
      return NULL;
    }
  if (PQntuples (result) == 0)
    {
      g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_DATABASE, "The account is gone");
      return NULL;
    }
  return dup_value (result, 0, 0);
}

gboolean
milk_db_account_set_password (PGconn      *conn,
                              gint64       account_id,
                              const char  *password_hash,
                              const char  *keep_session_hash,
                              GError     **error)
{
  g_autofree char *id = int_param (account_id);

  /* A new password signs out every other browser and every device, and
   * ends every personal access token: whoever knew the old password may
   * have made one. */
  if (!begin (conn, account_id, error))
    return FALSE;
  if (!command (QUERY (conn, error, "UPDATE accounts SET password_hash = $2 WHERE id = $1", id, password_hash)) ||
      !command (QUERY (conn, error, "DELETE FROM web_sessions WHERE account_id = $1 AND id_hash <> $2",
                       id, keep_session_hash)) ||
      !command (QUERY (conn, error,
                       "UPDATE oauth_tokens SET revoked_at = now () WHERE account_id = $1 AND revoked_at IS NULL",
                       id)) ||
      !command (QUERY (conn, error,
                       "UPDATE personal_tokens SET revoked_at = now () WHERE account_id = $1 AND revoked_at IS NULL",
                       id)) ||
      !commit (conn, error))
    {
      rollback (conn);
      return FALSE;
    }
  return TRUE;
}

gboolean
milk_db_account_delete (PGconn  *conn,
                        gint64   account_id,
                        GError **error)
{
  g_autofree char *id = int_param (account_id);

  if (!begin (conn, account_id, error))
    return FALSE;
  if (!command (QUERY (conn, error, "DELETE FROM records WHERE account_id = $1", id)) ||
      !command (QUERY (conn, error, "DELETE FROM sync_counters WHERE account_id = $1", id)) ||
      !command (QUERY (conn, error, "DELETE FROM web_sessions WHERE account_id = $1", id)) ||
      !command (QUERY (conn, error, "DELETE FROM accounts WHERE id = $1", id)) ||
      !commit (conn, error))
    {
      rollback (conn);
      return FALSE;
    }
  return TRUE;
}

/* ---- browser sessions ---- */

gboolean
milk_db_session_create (PGconn      *conn,
                        const char  *id_hash,
                        gint64       account_id,
                        const char  *csrf,
                        GError     **error)
{
  g_autofree char *id = int_param (account_id);
  g_autofree char *ttl = g_strdup_printf ("%d seconds", MILK_SESSION_TTL_S);

  /* Before sign-in a session belongs to account 0, written with no
   * account set. */
  if (!begin (conn, account_id, error))
    return FALSE;
  if (!command (QUERY (conn, error,
                       "INSERT INTO web_sessions (id_hash, account_id, csrf, expires_at)"
                       " VALUES ($1, $2, $3, now () + $4::interval)",
                       id_hash, id, csrf, ttl)) ||
      !commit (conn, error))
    {
      rollback (conn);
      return FALSE;
    }
  return TRUE;
}

MilkWebSession *
milk_db_session_lookup (PGconn      *conn,
                        const char  *id_hash,
                        GError     **error)
{
  g_autoptr(PGresult) result = NULL;
  MilkWebSession *session;

  result = QUERY (conn, error, "SELECT account_id, email, csrf FROM milk_session_find ($1)", id_hash);
  if (result == NULL || PQntuples (result) == 0)
    return NULL;

  session = g_new0 (MilkWebSession, 1);
  session->id_hash = g_strdup (id_hash);
  session->account_id = int_value (result, 0, 0);
  session->email = dup_value (result, 0, 1);
  session->csrf = dup_value (result, 0, 2);
  return session;
}

gboolean
milk_db_session_delete (PGconn      *conn,
                        const char  *id_hash,
                        GError     **error)
{
  return command (QUERY (conn, error, "SELECT milk_session_delete ($1), milk_sweep_expired ()", id_hash));
}

void
milk_web_session_free (MilkWebSession *session)
{
  if (session == NULL)
    return;
  g_free (session->id_hash);
  g_free (session->email);
  g_free (session->csrf);
  g_free (session);
}

/* ---- OAuth grants ---- */

gboolean
milk_db_code_create (PGconn      *conn,
                     const char  *code_hash,
                     gint64       account_id,
                     const char  *client_id,
                     const char  *redirect_uri,
                     const char  *code_challenge,
                     GError     **error)
{
  g_autofree char *id = int_param (account_id);
  g_autofree char *ttl = g_strdup_printf ("%d seconds", MILK_CODE_TTL_S);

  /* Each sign-in also sweeps away what expired a day ago or more. */
  if (!exec (conn, "SELECT milk_sweep_expired ()", error) ||
      !begin (conn, account_id, error))
    return FALSE;
  if (!command (QUERY (conn, error,
                       "INSERT INTO oauth_codes (code_hash, account_id, client_id, redirect_uri,"
                       "                         code_challenge, family, expires_at)"
                       " VALUES ($1, $2, $3, $4, $5, gen_random_uuid (), now () + $6::interval)",
                       code_hash, id, client_id, redirect_uri, code_challenge, ttl)) ||
      !commit (conn, error))
    {
      rollback (conn);
      return FALSE;
    }
  return TRUE;
}

/* A transaction for the account a code or token hash belongs to (none:
 * row-level security then shows nothing). The owner's function answers for
 * this one hash only. */
static gboolean
begin_for_hash (PGconn      *conn,
                const char  *lookup,
                const char  *hash,
                GError     **error)
{
  g_autoptr(PGresult) result = QUERY (conn, error, lookup, hash);

  if (result == NULL)
    return FALSE;
  return begin (conn, PQntuples (result) > 0 ? int_value (result, 0, 0) : 0, error);
}

static gboolean
revoke_family (PGconn      *conn,
               const char  *family,
               GError     **error)
{
  return command (QUERY (conn, error,
                         "UPDATE oauth_tokens SET revoked_at = now ()"
                         " WHERE family = $1 AND revoked_at IS NULL", family));
}

MilkGrantResult
milk_db_code_redeem (PGconn         *conn,
                     const char     *code_hash,
                     MilkCodeGrant  *grant,
                     GError        **error)
{
  g_autoptr(PGresult) result = NULL;
  MilkGrantResult outcome = MILK_GRANT_INVALID;

  memset (grant, 0, sizeof *grant);
  if (!begin_for_hash (conn, "SELECT milk_code_account ($1)", code_hash, error))
    return MILK_GRANT_INVALID;
  result = QUERY (conn, error,
                  "SELECT account_id, client_id, redirect_uri, code_challenge, family::text,"
                  "       used_at IS NOT NULL, expires_at > now ()"
                  "  FROM oauth_codes WHERE code_hash = $1 FOR UPDATE",
                  code_hash);
  if (result == NULL)
    goto fail;

  if (PQntuples (result) == 1)
    {
      grant->account_id = int_value (result, 0, 0);
      grant->client_id = dup_value (result, 0, 1);
      grant->redirect_uri = dup_value (result, 0, 2);
      grant->code_challenge = dup_value (result, 0, 3);
      grant->family = dup_value (result, 0, 4);

      if (bool_value (result, 0, 5))
        {
          /* RFC 6749 4.1.2: a code used twice revokes what it granted. */
          if (!revoke_family (conn, grant->family, error))
            goto fail;
          outcome = MILK_GRANT_REUSED;
        }
      else
        {
          if (!command (QUERY (conn, error, "UPDATE oauth_codes SET used_at = now () WHERE code_hash = $1",
                               code_hash)))
            goto fail;
          outcome = bool_value (result, 0, 6) ? MILK_GRANT_OK : MILK_GRANT_INVALID;
        }
    }
  if (!commit (conn, error))
    goto fail;
  return outcome;

fail:
  rollback (conn);
  milk_code_grant_clear (grant);
  return MILK_GRANT_INVALID;
}

static gboolean
insert_token (PGconn      *conn,
              const char  *kind,
              const char  *token,
              const char  *account_id,
              const char  *client_id,
              const char  *family,
              int          ttl_s,
              GError     **error)
{
  g_autofree char *hash = milk_token_hash (token);
  g_autofree char *ttl = g_strdup_printf ("%d seconds", ttl_s);

  return command (QUERY (conn, error,
                         "INSERT INTO oauth_tokens (token_hash, kind, account_id, client_id, family, expires_at)"
                         " VALUES ($1, $2, $3, $4, $5::uuid, now () + $6::interval)",
                         hash, kind, account_id, client_id, family, ttl));
}

static gboolean
issue_pair (PGconn        *conn,
            const char    *account_id,
            const char    *client_id,
            const char    *family,
            MilkTokenPair *pair,
            GError       **error)
{
  pair->access_token = milk_token_new ();
  pair->refresh_token = milk_token_new ();
  pair->expires_in = MILK_ACCESS_TTL_S;
  if (!insert_token (conn, "access", pair->access_token, account_id, client_id, family, MILK_ACCESS_TTL_S, error) ||
      !insert_token (conn, "refresh", pair->refresh_token, account_id, client_id, family, MILK_REFRESH_TTL_S, error))
    {
      milk_token_pair_clear (pair);
      return FALSE;
    }
  return TRUE;
}

gboolean
milk_db_tokens_issue (PGconn         *conn,
                      gint64          account_id,
                      const char     *client_id,
                      const char     *family,
                      MilkTokenPair  *pair,
                      GError        **error)
{
  g_autofree char *id = int_param (account_id);

  if (!begin (conn, account_id, error))
    return FALSE;
  if (!issue_pair (conn, id, client_id, family, pair, error) || !commit (conn, error))
    {
      rollback (conn);
      milk_token_pair_clear (pair);
      return FALSE;
    }
  return TRUE;
}

/* Refresh token rotation (RFC 9700 4.14.2), with a grace for a repeat.
 *
 * Every use of a refresh token spends it and issues a new pair. A spent
 * token that comes back means two parties hold it, so the whole family is
 * revoked. But the app's own repeat is common and harmless: a response lost
 * on the way (the connection cut after this transaction committed), two
 * refreshes at once (the app and `milk-diary --sync` share one keyring
 * item), a crash between this answer and the app's keyring write. So for
 * grace_s seconds after a rotation, the token just rotated is answered with
 * the SAME pair it got, as long as that pair's refresh token is unspent.
 * Any other repeat — after the grace, of an older token, or once the
 * successor was used — still revokes the family. What the grace costs: a
 * thief replaying a stolen token within it gets the pair the owner got,
 * and is found out one rotation later instead of at once.
 *
 * Tokens are stored only as hashes, so the pair must be recoverable without
 * keeping it in plaintext: the rotated row keeps it sealed with a key only
 * the old refresh token gives (milk_token_pair_seal). Only a caller who
 * presents that token can open it — one who could have rotated it anyway —
 * and a copy of the database opens nothing. A family has one box at most:
 * the next rotation, and a reuse, wipe it. */
static gboolean
rotate_refresh (PGconn        *conn,
                const char    *refresh_token,
                const char    *refresh_hash,
                const char    *account_id,
                const char    *client_id,
                const char    *family,
                MilkTokenPair *pair,
                GError       **error)
{
  g_autofree char *sealed = NULL;
  g_autofree char *successor_hash = NULL;

  if (!command (QUERY (conn, error,
                       "UPDATE oauth_tokens SET revoked_at = now ()"
                       " WHERE family = $1 AND kind = 'access' AND revoked_at IS NULL", family)) ||
      !command (QUERY (conn, error,
                       "UPDATE oauth_tokens SET successor_hash = NULL, successor_box = NULL"
                       " WHERE family = $1 AND successor_box IS NOT NULL", family)) ||
      !issue_pair (conn, account_id, client_id, family, pair, error))
    return FALSE;
  sealed = milk_token_pair_seal (refresh_token, pair);
  successor_hash = milk_token_hash (pair->refresh_token);
  return command (QUERY (conn, error,
                         "UPDATE oauth_tokens SET used_at = now (), successor_hash = $2, successor_box = $3"
                         " WHERE token_hash = $1",
                         refresh_hash, successor_hash, sealed));
}

/* The pair the token got when it was rotated, if its refresh token is
 * still the family's live one; MILK_GRANT_REUSED otherwise, and
 * MILK_GRANT_INVALID with error set when the database failed. */
static MilkGrantResult
repeat_pair (PGconn        *conn,
             const char    *refresh_token,
             const char    *successor_hash,
             const char    *sealed,
             gint64         age_s,
             MilkTokenPair *pair,
             GError       **error)
{
  g_autoptr(PGresult) live = NULL;
  g_autofree char *opened_hash = NULL;

  if (successor_hash == NULL || sealed == NULL)
    return MILK_GRANT_REUSED;
  live = QUERY (conn, error,
                "SELECT 1 FROM oauth_tokens WHERE token_hash = $1 AND kind = 'refresh'"
                "   AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now ()",
                successor_hash);
  if (live == NULL)
    return MILK_GRANT_INVALID;
  if (PQntuples (live) != 1)
    return MILK_GRANT_REUSED;
  if (!milk_token_pair_open (refresh_token, sealed, pair) ||
      !milk_secret_equal ((opened_hash = milk_token_hash (pair->refresh_token)), successor_hash))
    {
      milk_token_pair_clear (pair);
      return MILK_GRANT_REUSED;
    }
  pair->expires_in = MAX (MILK_ACCESS_TTL_S - age_s, 1);
  return MILK_GRANT_REPEATED;
}

MilkGrantResult
milk_db_refresh_rotate (PGconn         *conn,
                        const char     *refresh_token,
                        const char     *client_id,
                        guint           grace_s,
                        MilkTokenPair  *pair,
                        GError        **error)
{
  g_autoptr(PGresult) result = NULL;
  g_autofree char *refresh_hash = milk_token_hash (refresh_token);
  g_autofree char *grace = g_strdup_printf ("%u seconds", grace_s);
  g_autofree char *account_id = NULL;
  g_autofree char *family = NULL;
  MilkGrantResult outcome = MILK_GRANT_INVALID;

  memset (pair, 0, sizeof *pair);
  if (!begin_for_hash (conn, "SELECT milk_token_account ($1)", refresh_hash, error))
    return MILK_GRANT_INVALID;
  result = QUERY (conn, error,
                  "SELECT account_id, family::text, used_at IS NOT NULL, revoked_at IS NULL,"
                  "       expires_at > now (), client_id = $2, used_at > now () - $3::interval,"
                  "       successor_hash, successor_box, floor (extract (epoch FROM now () - used_at))::bigint"
                  "  FROM oauth_tokens WHERE token_hash = $1 AND kind = 'refresh' FOR UPDATE",
                  refresh_hash, client_id, grace);
  if (result == NULL)
    goto fail;

  if (PQntuples (result) == 1 && bool_value (result, 0, 5))
    {
      account_id = dup_value (result, 0, 0);
      family = dup_value (result, 0, 1);
      if (bool_value (result, 0, 2))
        {
          if (bool_value (result, 0, 3) && bool_value (result, 0, 6))
            outcome = repeat_pair (conn, refresh_token, PQgetisnull (result, 0, 7) ? NULL : PQgetvalue (result, 0, 7),
                                   PQgetisnull (result, 0, 8) ? NULL : PQgetvalue (result, 0, 8),
                                   int_value (result, 0, 9), pair, error);
          else
            outcome = MILK_GRANT_REUSED;
          if (outcome == MILK_GRANT_INVALID)
            goto fail;
          /* A spent refresh token came back: someone holds a copy. */
          if (outcome == MILK_GRANT_REUSED &&
              (!revoke_family (conn, family, error) ||
               !command (QUERY (conn, error,
                                "UPDATE oauth_tokens SET successor_hash = NULL, successor_box = NULL"
                                " WHERE family = $1 AND successor_box IS NOT NULL", family))))
            goto fail;
        }
      else if (bool_value (result, 0, 3) && bool_value (result, 0, 4))
        {
          if (!rotate_refresh (conn, refresh_token, refresh_hash, account_id, client_id, family, pair, error))
            goto fail;
          outcome = MILK_GRANT_OK;
        }
    }
  if (!commit (conn, error))
    goto fail;
  return outcome;

fail:
  rollback (conn);
  milk_token_pair_clear (pair);
  return MILK_GRANT_INVALID;
}

gboolean
milk_db_token_revoke (PGconn      *conn,
                      const char  *token_hash,
                      const char  *client_id,
                      GError     **error)
{
  /* A refresh token takes its whole grant with it (RFC 7009 2.1). */
  if (!begin_for_hash (conn, "SELECT milk_token_account ($1)", token_hash, error))
    return FALSE;
  if (!command (QUERY (conn, error,
                       "UPDATE oauth_tokens SET revoked_at = now ()"
                       " WHERE revoked_at IS NULL AND (token_hash = $1 AND client_id = $2"
                       "    OR family = (SELECT family FROM oauth_tokens"
                       "                  WHERE token_hash = $1 AND client_id = $2 AND kind = 'refresh'))",
                       token_hash, client_id)) ||
      !commit (conn, error))
    {
      rollback (conn);
      return FALSE;
    }
  return TRUE;
}

gint64
milk_db_access_token_account (PGconn      *conn,
                              const char  *token_hash,
                              GError     **error)
{
  g_autoptr(PGresult) result = NULL;

  result = QUERY_PREPARED (conn, error, "milk_access_token", token_hash);
  if (result == NULL)
    return -1;
  return PQntuples (result) > 0 ? int_value (result, 0, 0) : 0;
}

void
milk_code_grant_clear (MilkCodeGrant *grant)
{
  g_clear_pointer (&grant->client_id, g_free);
  g_clear_pointer (&grant->redirect_uri, g_free);
  g_clear_pointer (&grant->code_challenge, g_free);
  g_clear_pointer (&grant->family, g_free);
}

void
milk_token_pair_clear (MilkTokenPair *pair)
{
  g_clear_pointer (&pair->access_token, g_free);
  g_clear_pointer (&pair->refresh_token, g_free);
}

/* ---- sync ---- */

/* One statement: the account's counter is bumped under its row lock, which
 * it holds until commit, so numbers commit in order; each record is stored
 * only if its HLC beats the stored one. The body stored is the text the
 * change came as (@bodies, parallel to @records; NULL or a NULL element:
 * the record encoded), so that what a newer app wrote and this service
 * does not know is kept (DESIGN "Versions mix"). */
gboolean
milk_db_sync_push (PGconn      *conn,
                   gint64       account_id,
                   const char  *node,
                   GPtrArray   *records,
                   GPtrArray   *bodies,
                   GArray      *superseded,
                   GPtrArray   *winners,
                   GError     **error)
{
  PGresult *result;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *rows = NULL;
  g_autofree char *id = int_param (account_id);
  g_autofree char *count = int_param (records->len);

  if (records->len == 0)
    return TRUE;

  json_builder_begin_array (builder);
  for (guint i = 0; i < records->len; i++)
    {
      MilkRecord *record = g_ptr_array_index (records, i);
      const char *received = bodies && i < bodies->len ? g_ptr_array_index (bodies, i) : NULL;
      g_autoptr(JsonNode) body = received ? NULL : milk_record_to_json (record);
      g_autofree char *key = milk_record_dup_key (record);
      g_autofree char *text = received ? g_strdup (received) : json_to_string (body, FALSE);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "ord");
      json_builder_add_int_value (builder, i + 1);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, milk_record_type_to_string (record->type));
      json_builder_set_member_name (builder, "key");
      json_builder_add_string_value (builder, key);
      json_builder_set_member_name (builder, "hlc");
      json_builder_add_string_value (builder, record->hlc);
      json_builder_set_member_name (builder, "deleted");
      json_builder_add_boolean_value (builder, record->deleted);
      json_builder_set_member_name (builder, "body");
      json_builder_add_string_value (builder, text);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  rows = json_generator_to_data (generator, NULL);

  if (!begin (conn, account_id, error))
    return FALSE;
  /* The statement reads the table as it was before its own insert (one
   * snapshot): a change that the stored version's greater stamp keeps out
   * lost to a newer edit, and is listed in @superseded by its index in
   * @records (an equal stamp is the same change sent again), and the
   * stored text of the version that won in @winners. A newer
   * version committed by another request while this one ran is not
   * listed; the device still receives it. */
  result = QUERY (conn, error,
                       "WITH counter AS ("
                       "  INSERT INTO sync_counters AS c (account_id, seq) VALUES ($1, $3)"
                       "  ON CONFLICT (account_id) DO UPDATE SET seq = c.seq + $3"
                       "  RETURNING c.seq - $3::bigint AS base"
                       "), incoming AS ("
                       "  SELECT * FROM jsonb_to_recordset ($2::jsonb)"
                       "    AS x (ord bigint, type text, key text, hlc text, deleted boolean, body text)"
                       "), stored AS ("
                       "INSERT INTO records AS r (account_id, type, key, hlc, deleted, node, seq, body)"
                       " SELECT $1, i.type, i.key, i.hlc, i.deleted, $4, counter.base + i.ord, i.body"
                       "   FROM incoming i, counter"
                       " ON CONFLICT (account_id, type, key) DO UPDATE"
                       "   SET hlc = excluded.hlc, deleted = excluded.deleted, node = excluded.node,"
                       "       seq = excluded.seq, body = excluded.body"
                       "   WHERE r.hlc < excluded.hlc"
                       ")"
                       "SELECT i.ord, r.body FROM incoming i"
                       "  JOIN records r ON r.account_id = $1 AND r.type = i.type AND r.key = i.key"
                       " WHERE r.hlc > i.hlc"
                       " ORDER BY i.ord",
                       id, rows, count, node);
  if (result == NULL)
    {
      rollback (conn);
      return FALSE;
    }
  for (int i = 0; i < PQntuples (result); i++)
    {
      guint index = int_value (result, i, 0) - 1;

      g_array_append_val (superseded, index);
      g_ptr_array_add (winners, dup_value (result, i, 1));
    }
  PQclear (result);
  if (!commit (conn, error))
    {
      rollback (conn);
      return FALSE;
    }
  return TRUE;
}

static GPtrArray *
read_changes (PGresult *result,
              int       first_column)
{
  GPtrArray *changes = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_stored_change_free);

  for (int i = 0; i < PQntuples (result); i++)
    {
      MilkStoredChange *change;

      if (PQgetisnull (result, i, first_column))
        continue;
      change = g_new0 (MilkStoredChange, 1);
      change->seq = int_value (result, i, first_column);
      change->node = dup_value (result, i, first_column + 1);
      change->body = dup_value (result, i, first_column + 2);
      g_ptr_array_add (changes, change);
    }
  return changes;
}

GPtrArray *
milk_db_sync_pull (PGconn      *conn,
                   gint64       account_id,
                   gint64       after_seq,
                   guint        limit,
                   GError     **error)
{
  g_autoptr(PGresult) result = NULL;
  g_autofree char *id = int_param (account_id);
  g_autofree char *after = int_param (after_seq);
  g_autofree char *count = int_param (limit);

  result = QUERY_PREPARED (conn, error, "milk_pull", id, after, count);
  if (result == NULL)
    return NULL;
  return read_changes (result, 0);
}

/* The common case, a sync with nothing to push, in one round trip: who the
 * token belongs to (0: nobody) and what changed since. */
GPtrArray *
milk_db_sync_pull_for_token (PGconn        *conn,
                             const char    *token_hash,
                             const char    *node,
                             gint64         after_seq,
                             guint          limit,
                             gint64        *account_id,
                             MilkInstance  *instance,
                             GError       **error)
{
  g_autoptr(PGresult) result = NULL;
  g_autofree char *after = int_param (after_seq);
  g_autofree char *count = int_param (limit);

  *account_id = 0;
  result = QUERY_PREPARED (conn, error, "milk_pull_for_token", token_hash, after, count, node);
  if (result == NULL)
    return NULL;
  if (PQntuples (result) > 0)
    {
      *account_id = int_value (result, 0, 0);
      instance->known = !PQgetisnull (result, 0, 4);
      instance->current = instance->known ? dup_value (result, 0, 4) : NULL;
      instance->previous = PQgetisnull (result, 0, 5) ? NULL : dup_value (result, 0, 5);
    }
  return read_changes (result, 1);
}

/* A diary that has no token yet shows "" (the "previous" of a node's
 * first answer, so that a repeat of that first request is a retry). */
MilkInstanceVerdict
milk_instance_verdict (const MilkInstance *instance,
                       const char         *presented)
{
  if (presented == NULL)
    presented = "";
  if (!instance->known)
    return MILK_INSTANCE_NEW;
  if (g_strcmp0 (presented, instance->current) == 0)
    return MILK_INSTANCE_SAME;
  if (g_strcmp0 (presented, instance->previous) == 0)
    return MILK_INSTANCE_RETRY;
  return MILK_INSTANCE_COPY;
}

/* One try of milk_db_sync_instance_next; FALSE with no error and *raced
 * when another request made the node's first row meanwhile (the same
 * request sent twice at once, to two instances). */
static gboolean
instance_next_once (PGconn      *conn,
                    gint64       account_id,
                    const char  *node,
                    const char  *presented,
                    const char  *proposed,
                    char       **next,
                    gboolean    *raced,
                    GError     **error)
{
  g_autofree char *id = int_param (account_id);
  g_autofree char *token = g_strdup (proposed);
  MilkInstance instance = { FALSE, NULL, NULL };
  PGresult *result;
  gboolean ok;

  *next = NULL;
  *raced = FALSE;
  if (!begin (conn, account_id, error))
    return FALSE;
  result = QUERY (conn, error, "SELECT current, previous FROM sync_instances"
                               " WHERE account_id = $1 AND node = $2 FOR UPDATE", id, node);
  if (result == NULL)
    goto fail;
  if (PQntuples (result) > 0)
    {
      instance.known = TRUE;
      instance.current = dup_value (result, 0, 0);
      instance.previous = PQgetisnull (result, 0, 1) ? NULL : dup_value (result, 0, 1);
    }
  PQclear (result);

  switch (milk_instance_verdict (&instance, presented))
    {
    case MILK_INSTANCE_NEW:
      /* No row to lock: a twin of this request may insert it first. */
      result = QUERY (conn, error, "INSERT INTO sync_instances (account_id, node, current, previous)"
                                   " VALUES ($1, $2, $3, '') ON CONFLICT (account_id, node) DO NOTHING",
                      id, node, token);
      *raced = result != NULL && g_strcmp0 (PQcmdTuples (result), "0") == 0;
      ok = command (result) && !*raced;
      break;
    case MILK_INSTANCE_SAME:
      ok = command (QUERY (conn, error, "UPDATE sync_instances SET previous = current, current = $3"
                                        " WHERE account_id = $1 AND node = $2", id, node, token));
      break;
    case MILK_INSTANCE_RETRY:
      /* The answer that carried the current token was lost: the one
       * before it stays good until the diary shows a newer one. */
      ok = command (QUERY (conn, error, "UPDATE sync_instances SET current = $3"
                                        " WHERE account_id = $1 AND node = $2", id, node, token));
      break;
    case MILK_INSTANCE_COPY:
    default:
      g_clear_pointer (&token, g_free);
      ok = TRUE;
      break;
    }
  g_clear_pointer (&instance.current, g_free);
  g_clear_pointer (&instance.previous, g_free);
  if (!ok || !commit (conn, error))
    goto fail;
  *next = g_steal_pointer (&token);
  return TRUE;

fail:
  rollback (conn);
  g_free (instance.current);
  g_free (instance.previous);
  return FALSE;
}

/* Checks the instance token a diary showed for @node and gives it
 * @proposed as the next one (in @next); NULL in @next when the diary is a
 * copy (or a restored older file) of the one the service last answered as
 * @node. */
gboolean
milk_db_sync_instance_next (PGconn      *conn,
                            gint64       account_id,
                            const char  *node,
                            const char  *presented,
                            const char  *proposed,
                            char       **next,
                            GError     **error)
{
  gboolean raced;

  if (instance_next_once (conn, account_id, node, presented, proposed, next, &raced, error))
    return TRUE;
  if (!raced)
    return FALSE;
  /* The twin has committed the row: now there is one to check against. */
  if (instance_next_once (conn, account_id, node, presented, proposed, next, &raced, error))
    return TRUE;
  if (raced)
    g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_DATABASE, "The node's first sync raced twice");
  return FALSE;
}

void
milk_stored_change_free (MilkStoredChange *change)
{
  if (change == NULL)
    return;
  g_free (change->node);
  g_free (change->body);
  g_free (change);
}
