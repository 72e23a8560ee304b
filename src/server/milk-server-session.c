/* milk-server-session.c — what every page with a form shares: the signed-in
 * session, its CSRF token, the checks of what forms send, and password
 * checks under their limits
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <string.h>

#include "milk-server-db-accounts.h"
#include "milk-server-db-limits.h"
#include "milk-server-error.h"
#include "milk-server-policy.h"
#include "milk-server-request.h"
#include "milk-server-secret.h"
#include "milk-server-session.h"

#define CSRF_COOKIE "milk_csrf"

static gboolean
start_session (MilkRequest *request,
               PGconn      *conn,
               gint64       account_id,
               GError     **error)
{
  g_autofree char *id = milk_token_new ();
  g_autofree char *hash = milk_token_hash (id);
  g_autofree char *csrf = milk_token_new ();

  if (!milk_db_session_create (conn, hash, account_id, csrf, error))
    return FALSE;
  milk_request_set_cookie (request, MILK_SESSION_COOKIE, id, MILK_SESSION_TTL_S);
  return TRUE;
}

static gboolean
is_token (const char *text)
{
  if (text == NULL || strlen (text) != 43)
    return FALSE;
  for (const char *c = text; *c; c++)
    if (!g_ascii_isalnum (*c) && *c != '-' && *c != '_')
      return FALSE;
  return TRUE;
}

/* A visitor who is not signed in has no row in the database: a page view
 * writes nothing. The CSRF token of a signed-out form (sign-in, sign-up)
 * is the browser's own milk_csrf cookie, which the form repeats (double
 * submit). Another site can neither read it nor, SameSite=Lax, have it
 * sent with a cross-site POST, and a browser that says where a form came
 * from must say it came from here. */
MilkWebSession *
milk_page_session (MilkRequest  *request,
                   PGconn       *conn,
                   GError      **error)
{
  g_autofree char *cookie = milk_request_cookie (request, MILK_SESSION_COOKIE);
  g_autofree char *csrf = NULL;
  g_autoptr(GError) local_error = NULL;
  MilkWebSession *session;

  if (cookie)
    {
      g_autofree char *hash = milk_token_hash (cookie);

      session = milk_db_session_lookup (conn, hash, &local_error);
      if (session)
        return session;
      if (local_error)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

  session = g_new0 (MilkWebSession, 1);
  csrf = milk_request_cookie (request, CSRF_COOKIE);
  if (is_token (csrf))
    session->csrf = g_steal_pointer (&csrf);
  return session;
}

/* The token for a form on a page being shown. A signed-out browser
 * without one gets a new cookie, only with a GET: a form sent without a
 * token fails its check, and answering it with a new cookie would let
 * another site replace the visitor's. */
const char *
milk_page_form_csrf (MilkRequest    *request,
                     MilkWebSession *session)
{
  if (session->csrf == NULL &&
      (g_str_equal (request->method, "GET") || g_str_equal (request->method, "HEAD")))
    {
      session->csrf = milk_token_new ();
      milk_request_set_cookie (request, CSRF_COOKIE, session->csrf, MILK_SESSION_TTL_S);
    }
  return session->csrf ? session->csrf : "";
}

/* The form's token must be the session's; and a browser that says where
 * the form came from must say it came from here. */
gboolean
milk_page_check_csrf (MilkRequest    *request,
                      MilkWebSession *session,
                      GHashTable     *form)
{
  const char *origin = milk_request_header (request, "Origin");
  const char *token = form ? g_hash_table_lookup (form, "csrf") : NULL;
  gboolean same_origin = origin == NULL || g_str_equal (origin, "null") ||
                         g_str_equal (origin, request->config->base_url);

  if (same_origin && milk_secret_equal (token, session->csrf))
    return TRUE;

  request->log_note = g_strdup ("csrf rejected");
  milk_respond_page (request, SOUP_STATUS_FORBIDDEN, "message", "title", "This form has expired",
                     "message", "The form was not sent from this page, or it is too old. Reload it and try again.",
                     "link", "/signin", "link_label", "Sign in", NULL);
  return FALSE;
}

/* Only a path on this site, checked on the raw string: browsers drop tabs
 * and line breaks from a Location and read a backslash as a slash, so
 * "/\t/evil.example" would leave the site. Printable ASCII without a
 * backslash, a path that does not start with two slashes, written or
 * percent-encoded. */
static const char *
safe_return_to (const char *path)
{
  static const char *const tricks[] = { "//", "/%2f", "/%5c", "/%09", "/%0a", "/%0d" };

  if (path == NULL || path[0] != '/' || strlen (path) > 2000)
    return "/account";
  for (const char *c = path; *c; c++)
    if ((guchar) *c <= 0x20 || (guchar) *c >= 0x7f || *c == '\\' || *c == '"' || *c == '<' || *c == '>')
      return "/account";
  for (guint i = 0; i < G_N_ELEMENTS (tricks); i++)
    if (g_ascii_strncasecmp (path, tricks[i], strlen (tricks[i])) == 0)
      return "/account";
  return path;
}

const char *
_milk_server_safe_return_to (const char *path)
{
  return safe_return_to (path);
}

static gboolean
email_is_valid (const char *email)
{
  const char *at = email ? strchr (email, '@') : NULL;
  gsize len = email ? strlen (email) : 0;

  if (at == NULL || at == email || at[1] == '\0' || len > 254 || strchr (at + 1, '@'))
    return FALSE;
  for (const char *p = email; *p; p++)
    if ((guchar) *p <= ' ' || *p == 0x7f)
      return FALSE;
  return TRUE;
}

gboolean
_milk_server_email_is_valid (const char *email)
{
  return email_is_valid (email);
}

static const char *
password_problem (const char *password,
                  const char *confirm)
{
  if (password == NULL || g_utf8_strlen (password, -1) < MILK_PASSWORD_MIN_CHARS)
    return "The password needs at least 8 characters.";
  if (strlen (password) > MILK_PASSWORD_MAX_BYTES)
    return "The password is too long.";
  if (g_strcmp0 (password, confirm) != 0)
    return "The two passwords are not the same.";
  return NULL;
}

const char *
_milk_server_password_problem (const char *password,
                               const char *confirm)
{
  return password_problem (password, confirm);
}

void
milk_page_bad_form (MilkRequest *request)
{
  milk_respond_page (request, SOUP_STATUS_BAD_REQUEST, "message", "title", "Bad request",
                     "message", "The form could not be read.", "link", "/signin", "link_label", "Sign in", NULL);
}

/* A signed-in session gets a new id: the one a visitor had before signing
 * in (and which someone else may have planted) signs in nothing. */
gboolean
milk_page_sign_in_as (MilkRequest    *request,
                      PGconn         *conn,
                      MilkWebSession *old,
                      gint64          account_id,
                      const char     *return_to,
                      GError        **error)
{
  if (old->id_hash && !milk_db_session_delete (conn, old->id_hash, error))
    return FALSE;
  if (!start_session (request, conn, account_id, error))
    return FALSE;
  milk_respond_redirect (request, safe_return_to (return_to));
  return TRUE;
}

/* Whom the limits count: the client's address; for IPv6 its /64, which
 * one subscriber usually holds whole (but an IPv4 address written as
 * IPv6, ::ffff:a.b.c.d, stays whole). */
char *
milk_page_limit_address (MilkRequest *request)
{
  static const guint8 v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
  g_autoptr(GInetAddress) address = request->remote ? g_inet_address_new_from_string (request->remote) : NULL;
  guint8 bytes[16] = { 0 };
  g_autoptr(GInetAddress) prefix = NULL;
  g_autofree char *text = NULL;

  if (address == NULL || g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6 ||
      memcmp (g_inet_address_to_bytes (address), v4_mapped, sizeof v4_mapped) == 0)
    return g_strdup (request->remote ? request->remote : "-");
  memcpy (bytes, g_inet_address_to_bytes (address), 8);
  prefix = g_inet_address_new_from_bytes (bytes, G_SOCKET_FAMILY_IPV6);
  text = g_inet_address_to_string (prefix);
  return g_strconcat (text, "/64", NULL);
}

/* A password check under the limits for the name email from this address
 * (migrations/0004-password-limits.sql). stored NULL (no such account) is
 * checked against a dummy hash, so that it takes as long. */
MilkPasswordCheck
milk_page_check_password (MilkRequest  *request,
                          PGconn       *conn,
                          const char   *email,
                          const char   *stored,
                          const char   *password,
                          guint        *wait_s,
                          GError      **error)
{
  g_autofree char *address = milk_page_limit_address (request);
  gboolean right;

  if (!milk_db_password_attempt (conn, email ? email : "", address, wait_s, error))
    return MILK_PASSWORD_CHECK_FAILED;
  if (*wait_s > 0)
    return MILK_PASSWORD_CHECK_WAIT;
  if (!milk_password_verify (stored, password, &right, error))
    return MILK_PASSWORD_CHECK_FAILED;
  if (right && !milk_db_password_right (conn, email, address, error))
    return MILK_PASSWORD_CHECK_FAILED;
  return right ? MILK_PASSWORD_CHECK_RIGHT : MILK_PASSWORD_CHECK_WRONG;
}

/* "Wait …" for a 429 page, with Retry-After set to the same time. */
char *
milk_page_wait_words (MilkRequest *request,
                      const char  *note,
                      guint        wait_s)
{
  g_autofree char *seconds = g_strdup_printf ("%u", wait_s);

  request->log_note = g_strdup (note);
  milk_request_add_header (request, "Retry-After", seconds);
  if (wait_s < 120)
    return g_strdup_printf (wait_s == 1 ? "%u second" : "%u seconds", wait_s);
  return g_strdup_printf ("%u minutes", (wait_s + 59) / 60);
}

void
milk_page_respond_failure (MilkRequest  *request,
                           const GError *error)
{
  if (!g_error_matches (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_BUSY))
    {
      milk_respond_db_error (request, error);
      return;
    }
  request->log_note = g_strdup ("busy hashing");
  milk_request_add_header (request, "Retry-After", "2");
  milk_respond_page (request, SOUP_STATUS_SERVICE_UNAVAILABLE, "message", "title", "Busy",
                     "message", "The service is busy. Wait a moment and send the form again.",
                     "link", "/signin", "link_label", "Sign in", NULL);
}
