/* milk-server-db-limits.c — PostgreSQL: password-guess delays, sign-up cap
 *
 * The counting itself is in migrations/0004-password-limits.sql, in one
 * function call a check, so that every service instance on the database
 * shares the counts and two of them cannot both let a guess through.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include "milk-server-db-limits.h"
#include "milk-server-error.h"
#include "milk-server-policy.h"

static PGresult *
call (PGconn      *conn,
      GError     **error,
      const char  *sql,
      int          n_params,
      const char * const *params)
{
  PGresult *result = PQexecParams (conn, sql, n_params, NULL, params, NULL, NULL, 0);

  if (PQresultStatus (result) != PGRES_TUPLES_OK || PQntuples (result) != 1)
    {
      const char *text = PQresultErrorMessage (result);

      g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_DATABASE, "%s",
                   text && *text ? text : "The database did not answer");
      PQclear (result);
      return NULL;
    }
  return result;
}

#define CALL(conn, error, sql, ...) \
  call ((conn), (error), (sql), \
        G_N_ELEMENTS (((const char *[]) { __VA_ARGS__ })), \
        (const char *[]) { __VA_ARGS__ })

static gboolean
wait_value (PGresult *result,
            guint    *wait_s)
{
  guint64 value = 0;

  if (result == NULL)
    return FALSE;
  if (!PQgetisnull (result, 0, 0))
    g_ascii_string_to_unsigned (PQgetvalue (result, 0, 0), 10, 0, G_MAXUINT, &value, NULL);
  *wait_s = value;
  PQclear (result);
  return TRUE;
}

/* One password check for the account named email (or a name without an
 * account) from address: counted, with *wait_s 0; or, while a limit says
 * wait, not counted, with the seconds to wait. */
gboolean
milk_db_password_attempt (PGconn      *conn,
                          const char  *email,
                          const char  *address,
                          guint       *wait_s,
                          GError     **error)
{
  g_autofree char *pair_free = g_strdup_printf ("%d", MILK_LIMIT_PAIR_FREE);
  g_autofree char *pair_cap = g_strdup_printf ("%d", MILK_LIMIT_PAIR_CAP_S);
  g_autofree char *name_free = g_strdup_printf ("%d", MILK_LIMIT_NAME_FREE);
  g_autofree char *name_cap = g_strdup_printf ("%d", MILK_LIMIT_NAME_CAP_S);
  g_autofree char *address_free = g_strdup_printf ("%d", MILK_LIMIT_ADDRESS_FREE);
  g_autofree char *address_cap = g_strdup_printf ("%d", MILK_LIMIT_ADDRESS_CAP_S);
  g_autofree char *forget = g_strdup_printf ("%d seconds", MILK_LIMIT_FORGET_S);

  *wait_s = 0;
  return wait_value (CALL (conn, error,
                           "SELECT milk_password_attempt ($1, $2, $3::integer, $4::integer, $5::integer,"
                           " $6::integer, $7::integer, $8::integer, $9::interval)",
                           email, address, pair_free, pair_cap, name_free, name_cap, address_free, address_cap,
                           forget),
                     wait_s);
}

/* The password was right: its check no longer counts as a guess. */
gboolean
milk_db_password_right (PGconn      *conn,
                        const char  *email,
                        const char  *address,
                        GError     **error)
{
  PGresult *result = CALL (conn, error, "SELECT milk_password_right ($1, $2)", email, address);

  if (result == NULL)
    return FALSE;
  PQclear (result);
  return TRUE;
}

/* One sign-up from address: *wait_s 0 when it may go ahead, else the
 * seconds until the address has had fewer than per_hour in an hour. */
gboolean
milk_db_signup_attempt (PGconn      *conn,
                        const char  *address,
                        guint        per_hour,
                        guint       *wait_s,
                        GError     **error)
{
  g_autofree char *max = g_strdup_printf ("%u", per_hour);
  g_autofree char *window = g_strdup_printf ("%d seconds", MILK_SIGNUP_WINDOW_S);

  *wait_s = 0;
  return wait_value (CALL (conn, error, "SELECT milk_signup_attempt ($1, $2::integer, $3::interval)",
                           address, max, window),
                     wait_s);
}
