/* milk-server-accounts.c — sign-up, sign-in and account pages
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <string.h>

#include "milk-server.h"
#include "milk-server-accounts.h"
#include "milk-server-db-accounts.h"
#include "milk-server-db-email.h"
#include "milk-server-db-identity.h"
#include "milk-server-db-limits.h"
#include "milk-server-error.h"
#include "milk-server-external.h"
#include "milk-server-policy.h"
#include "milk-server-request.h"
#include "milk-server-routes.h"
#include "milk-server-secret.h"
#include "milk-server-session.h"
#include "milk-server-tokens.h"
#include "milk-server-verify.h"
#include "milk-server-fuzz.h"

#define SESSION_COOKIE "milk_session"
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
  milk_request_set_cookie (request, SESSION_COOKIE, id, MILK_SESSION_TTL_S);
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
  g_autofree char *cookie = milk_request_cookie (request, SESSION_COOKIE);
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

static void
bad_form (MilkRequest *request)
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
static char *
limit_address (MilkRequest *request)
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

typedef enum
{
  CHECK_WRONG,
  CHECK_RIGHT,
  CHECK_WAIT,     /* a limit says wait: nothing was checked */
  CHECK_FAILED,   /* the database, or too many checks at once */
} PasswordCheck;

/* A password check under the limits for the name email from this address
 * (migrations/0004-password-limits.sql). stored NULL (no such account) is
 * checked against a dummy hash, so that it takes as long. */
static PasswordCheck
check_password (MilkRequest  *request,
                PGconn       *conn,
                const char   *email,
                const char   *stored,
                const char   *password,
                guint        *wait_s,
                GError      **error)
{
  g_autofree char *address = limit_address (request);
  gboolean right;

  if (!milk_db_password_attempt (conn, email ? email : "", address, wait_s, error))
    return CHECK_FAILED;
  if (*wait_s > 0)
    return CHECK_WAIT;
  if (!milk_password_verify (stored, password, &right, error))
    return CHECK_FAILED;
  if (right && !milk_db_password_right (conn, email, address, error))
    return CHECK_FAILED;
  return right ? CHECK_RIGHT : CHECK_WRONG;
}

/* "Wait …" for a 429 page, with Retry-After set to the same time. */
static char *
wait_words (MilkRequest *request,
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

static void
respond_failure (MilkRequest  *request,
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

static void
render_form (MilkRequest    *request,
             guint           status,
             const char     *page,
             MilkWebSession *session,
             const char     *email,
             const char     *return_to,
             const char     *error)
{
  const char *back = safe_return_to (return_to);
  g_autofree char *back_query = g_uri_escape_string (back, NULL, FALSE);

  g_autofree char *providers = milk_external_buttons_html (request, back);

  milk_respond_page (request, status, page, "title", g_str_equal (page, "signup") ? "Create an account" : "Sign in",
                     "csrf", milk_page_form_csrf (request, session), "email", email ? email : "", "return_to", back,
                     "return_to_query", back_query, "error", error ? error : "", "providers", providers, NULL);
}

/* The sign-in form for an identity waiting for the account's password. */
void
milk_page_render_signin (MilkRequest    *request,
                         guint           status,
                         MilkWebSession *session,
                         const char     *email,
                         const char     *return_to,
                         const char     *link,
                         const char     *notice)
{
  const char *back = safe_return_to (return_to);
  g_autofree char *back_query = g_uri_escape_string (back, NULL, FALSE);

  milk_respond_page (request, status, "signin", "title", "Sign in", "csrf", milk_page_form_csrf (request, session),
                     "email", email, "return_to", back, "return_to_query", back_query, "link", link,
                     "notice", notice, "error", "", NULL);
}

/* What the sign-up and sign-in pages share: the browser's session, the
 * empty form on GET, and on POST the form, checked for its CSRF token.
 * FALSE when the request has been answered already. */
static gboolean
open_form_page (MilkRequest     *request,
                PGconn          *conn,
                const char      *page,
                MilkWebSession **session,
                GHashTable     **form)
{
  g_autoptr(GError) error = NULL;

  if ((*session = milk_page_session (request, conn, &error)) == NULL)
    {
      milk_respond_db_error (request, error);
      return FALSE;
    }
  if (g_str_equal (request->method, "GET"))
    {
      render_form (request, SOUP_STATUS_OK, page, *session, NULL,
                   g_hash_table_lookup (request->query, "return_to"), NULL);
      return FALSE;
    }
  if ((*form = milk_request_form (request)) == NULL)
    {
      bad_form (request);
      return FALSE;
    }
  return milk_page_check_csrf (request, *session, *form);
}

/* Sign-ups from one address are capped (each costs an Argon2id hash and
 * an account); the cap is counted before the hash. */
static gboolean
signup_allowed (MilkRequest    *request,
                PGconn         *conn,
                MilkWebSession *session,
                const char     *email,
                const char     *return_to)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *words = NULL;
  g_autofree char *message = NULL;
  g_autofree char *address = limit_address (request);
  guint wait_s;

  if (!milk_db_signup_attempt (conn, address, request->config->signups_per_hour, &wait_s, &error))
    {
      milk_respond_db_error (request, error);
      return FALSE;
    }
  if (wait_s == 0)
    return TRUE;
  words = wait_words (request, "sign-ups limited", wait_s);
  message = g_strdup_printf ("Too many accounts were created from your network in the last hour. "
                             "Try again in %s.", words);
  render_form (request, 429, "signup", session, email, return_to, message);
  return FALSE;
}

/* With mail, sign-up answers the same whether or not the email has an
 * account: a new account gets a link to verify it, the owner of an
 * existing one a mail saying someone tried. Nobody is signed in: only the
 * link proves the address. */
static void
signup_mailed (MilkRequest *request,
               PGconn      *conn,
               gint64       account_id,
               const char  *email,
               const char  *return_to)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *back = g_uri_escape_string (safe_return_to (return_to), NULL, FALSE);
  g_autofree char *signin = g_strconcat ("/signin?return_to=", back, NULL);
  gboolean limited;

  if (account_id == 0)
    {
      request->log_note = g_strdup ("sign-up for an existing email");
      milk_mail_signup_tried (request, email);
    }
  else if (!milk_verify_mail_send (request, conn, account_id, email, return_to, &limited, &error))
    {
      milk_respond_db_error (request, error);
      return;
    }
  else
    request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT " created, verify mail sent", account_id);
  message = g_strdup_printf ("We sent a mail to %s. Open the link in it to confirm your address, then sign in.",
                             email);
  milk_respond_page (request, SOUP_STATUS_OK, "message", "title", "Check your email", "message", message,
                     "link", signin, "link_label", "Sign in", NULL);
}

void
milk_route_signup (MilkRequest *request,
                   PGconn      *conn)
{
  g_autoptr(MilkWebSession) session = NULL;
  g_autoptr(GHashTable) form = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  const char *email, *problem, *return_to;
  gint64 account_id;

  if (!open_form_page (request, conn, "signup", &session, &form))
    return;

  email = g_hash_table_lookup (form, "email");
  return_to = g_hash_table_lookup (form, "return_to");
  if (!email_is_valid (email))
    {
      render_form (request, SOUP_STATUS_BAD_REQUEST, "signup", session, email, return_to,
                   "That does not look like an email address.");
      return;
    }
  problem = password_problem (g_hash_table_lookup (form, "password"), g_hash_table_lookup (form, "confirm"));
  if (problem)
    {
      render_form (request, SOUP_STATUS_BAD_REQUEST, "signup", session, email, return_to, problem);
      return;
    }
  if (!signup_allowed (request, conn, session, email, return_to))
    return;

  if ((hash = milk_password_hash (g_hash_table_lookup (form, "password"), &error)) == NULL)
    {
      respond_failure (request, error);
      return;
    }
  account_id = milk_db_account_create (conn, email, hash, &error);
  if (milk_server_get_mailer (request->server) != NULL &&
      (account_id != 0 || g_error_matches (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_CONFLICT)))
    {
      signup_mailed (request, conn, account_id, email, return_to);
      return;
    }
  if (account_id == 0 && g_error_matches (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_CONFLICT))
    {
      render_form (request, SOUP_STATUS_CONFLICT, "signup", session, email, return_to,
                   "An account with this email exists already; sign in instead.");
      return;
    }
  if (account_id == 0)
    {
      milk_respond_db_error (request, error);
      return;
    }
  request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT " created", account_id);
  if (!milk_page_sign_in_as (request, conn, session, account_id, return_to, &error))
    milk_respond_db_error (request, error);
}

/* A wrong password takes as long for an email without an account (checked
 * against a dummy hash), and is limited the same way. */
void
milk_route_signin (MilkRequest *request,
                   PGconn      *conn)
{
  g_autoptr(MilkWebSession) session = NULL;
  g_autoptr(GHashTable) form = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  const char *email, *password, *return_to;
  gint64 account_id;
  guint wait_s;

  if (!open_form_page (request, conn, "signin", &session, &form))
    return;

  email = g_hash_table_lookup (form, "email");
  password = g_hash_table_lookup (form, "password");
  return_to = g_hash_table_lookup (form, "return_to");
  if (email == NULL || password == NULL || strlen (password) > MILK_PASSWORD_MAX_BYTES)
    {
      render_form (request, SOUP_STATUS_BAD_REQUEST, "signin", session, email, return_to,
                   "Enter your email and password.");
      return;
    }
  if (!milk_db_account_find (conn, email, &account_id, &stored, &error))
    {
      milk_respond_db_error (request, error);
      return;
    }

  switch (check_password (request, conn, email, account_id ? stored : NULL, password, &wait_s, &error))
    {
    case CHECK_FAILED:
      respond_failure (request, error);
      return;
    case CHECK_WAIT:
      {
        g_autofree char *words = wait_words (request, "sign-in limited", wait_s);
        g_autofree char *message = g_strdup_printf ("Too many wrong passwords. Wait %s and try again.", words);

        render_form (request, 429, "signin", session, email, return_to, message);
        return;
      }
    case CHECK_WRONG:
      request->log_note = g_strdup ("sign-in failed");
      render_form (request, SOUP_STATUS_UNAUTHORIZED, "signin", session, email, return_to,
                   "The email or the password is wrong.");
      return;
    case CHECK_RIGHT:
      break;
    }

  request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT " signed in", account_id);
  milk_external_link_after_password (request, conn, g_hash_table_lookup (form, "link"), account_id, email);
  if (!milk_page_sign_in_as (request, conn, session, account_id, return_to, &error))
    milk_respond_db_error (request, error);
}

void
milk_route_signout (MilkRequest *request,
                    PGconn      *conn)
{
  g_autoptr(MilkWebSession) session = NULL;
  g_autoptr(GHashTable) form = milk_request_form (request);
  g_autoptr(GError) error = NULL;

  if ((session = milk_page_session (request, conn, &error)) == NULL)
    {
      milk_respond_db_error (request, error);
      return;
    }
  if (!milk_page_check_csrf (request, session, form))
    return;
  if (session->id_hash && !milk_db_session_delete (conn, session->id_hash, &error))
    {
      milk_respond_db_error (request, error);
      return;
    }
  milk_request_set_cookie (request, SESSION_COOKIE, "", 0);
  milk_respond_redirect (request, "/signin");
}

/* The session of a page that needs an account, or NULL with the answer
 * (a redirect to sign in) already given. */
static MilkWebSession *
signed_in_session (MilkRequest *request,
                   PGconn      *conn)
{
  g_autoptr(GError) error = NULL;
  MilkWebSession *session = milk_page_session (request, conn, &error);

  if (session == NULL)
    {
      milk_respond_db_error (request, error);
      return NULL;
    }
  if (session->account_id == 0)
    {
      milk_respond_redirect (request, "/signin?return_to=%2Faccount");
      milk_web_session_free (session);
      return NULL;
    }
  return session;
}

static void
render_account (MilkRequest    *request,
                PGconn         *conn,
                guint           status,
                MilkWebSession *session,
                const char     *notice,
                const char     *error)
{
  g_autofree char *identities = milk_external_identities_html (request, conn, session);
  g_autofree char *verify = milk_verify_notice_html (request, conn, session);
  g_autofree char *tokens = milk_tokens_html (request, conn, session);

  milk_respond_page (request, status, "account", "title", "Your account", "email", session->email,
                     "csrf", session->csrf, "notice", notice ? notice : "", "error", error ? error : "",
                     "identities", identities, "verify", verify, "tokens", tokens, NULL);
}

/* For the account page's other files (milk-server-tokens.c). */
void
milk_page_render_account (MilkRequest    *request,
                          PGconn         *conn,
                          guint           status,
                          MilkWebSession *session,
                          const char     *notice,
                          const char     *error)
{
  render_account (request, conn, status, session, notice, error);
}

static GHashTable *account_form (MilkRequest    *request,
                                 MilkWebSession *session);

/* Unlinks an identity while another way in remains. */
void
milk_route_identity_unlink (MilkRequest *request,
                            PGconn      *conn)
{
  g_autoptr(MilkWebSession) session = NULL;
  g_autoptr(GHashTable) form = NULL;
  g_autoptr(GError) error = NULL;
  const char *provider, *subject;
  gboolean unlinked;

  if ((session = signed_in_session (request, conn)) == NULL || (form = account_form (request, session)) == NULL)
    return;
  provider = g_hash_table_lookup (form, "provider");
  subject = g_hash_table_lookup (form, "subject");
  if (provider == NULL || subject == NULL)
    {
      bad_form (request);
      return;
    }
  if (!milk_db_identity_unlink (conn, session->account_id, provider, subject, &unlinked, &error))
    {
      milk_respond_db_error (request, error);
      return;
    }
  if (!unlinked)
    {
      render_account (request, conn, SOUP_STATUS_CONFLICT, session, NULL,
                      "This is your only way in. Set a password (Forgot password? on the sign-in page) or link "
                      "another provider first.");
      return;
    }
  request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT " unlinked %s", session->account_id, provider);
  render_account (request, conn, SOUP_STATUS_OK, session, "The provider is unlinked.", NULL);
}

void
milk_route_home (MilkRequest *request,
                 PGconn      *conn)
{
  milk_respond_redirect (request, "/account");
}

void
milk_route_style (MilkRequest *request,
                  PGconn      *conn)
{
  g_autoptr(GBytes) bytes = g_resources_lookup_data ("/io/github/milkdiary/MilkDiary/server/pages/style.css",
                                                     G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  milk_request_add_header (request, "Cache-Control", "public, max-age=3600");
  milk_respond_bytes (request, SOUP_STATUS_OK, "text/css; charset=utf-8", g_strndup (data, length), length);
}

/* The OpenAPI 3.1 description of /api/v1 (src/server/openapi.json). */
void
milk_route_openapi (MilkRequest *request,
                    PGconn      *conn)
{
  g_autoptr(GBytes) bytes = g_resources_lookup_data ("/io/github/milkdiary/MilkDiary/server/openapi.json",
                                                     G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  milk_request_add_header (request, "Cache-Control", "public, max-age=3600");
  milk_request_add_header (request, "Access-Control-Allow-Origin", "*");
  milk_respond_bytes (request, SOUP_STATUS_OK, "application/json", g_strndup (data, length), length);
}

void
milk_route_account (MilkRequest *request,
                    PGconn      *conn)
{
  g_autoptr(MilkWebSession) session = signed_in_session (request, conn);

  if (session)
    render_account (request, conn, SOUP_STATUS_OK, session, NULL, NULL);
}

/* The account pages that ask for the password are limited as sign-in is,
 * by the account's email: TRUE when the password is right, else the page
 * has been answered (401, 429 or 503). */
static gboolean
account_password_right (MilkRequest    *request,
                        PGconn         *conn,
                        MilkWebSession *session,
                        const char     *password,
                        const char     *wrong)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  guint wait_s;

  if ((stored = milk_db_account_password (conn, session->account_id, &error)) == NULL)
    {
      milk_respond_db_error (request, error);
      return FALSE;
    }
  switch (check_password (request, conn, session->email, stored, password, &wait_s, &error))
    {
    case CHECK_FAILED:
      respond_failure (request, error);
      return FALSE;
    case CHECK_WAIT:
      {
        g_autofree char *words = wait_words (request, "password checks limited", wait_s);
        g_autofree char *message = g_strdup_printf ("Too many wrong passwords. Wait %s and try again.", words);

        render_account (request, conn, 429, session, NULL, message);
        return FALSE;
      }
    case CHECK_WRONG:
      request->log_note = g_strdup ("wrong password");
      render_account (request, conn, SOUP_STATUS_UNAUTHORIZED, session, NULL, wrong);
      return FALSE;
    case CHECK_RIGHT:
      break;
    }
  return TRUE;
}

/* A signed-in form of the account page, its CSRF token checked. */
static GHashTable *
account_form (MilkRequest    *request,
              MilkWebSession *session)
{
  g_autoptr(GHashTable) form = milk_request_form (request);

  if (form == NULL)
    {
      bad_form (request);
      return NULL;
    }
  if (!milk_page_check_csrf (request, session, form))
    return NULL;
  return g_steal_pointer (&form);
}

void
milk_route_password (MilkRequest *request,
                     PGconn      *conn)
{
  g_autoptr(MilkWebSession) session = NULL;
  g_autoptr(GHashTable) form = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  const char *problem;

  if ((session = signed_in_session (request, conn)) == NULL ||
      (form = account_form (request, session)) == NULL ||
      !account_password_right (request, conn, session, g_hash_table_lookup (form, "current"),
                               "The current password is wrong."))
    return;

  problem = password_problem (g_hash_table_lookup (form, "password"), g_hash_table_lookup (form, "confirm"));
  if (problem)
    {
      render_account (request, conn, SOUP_STATUS_BAD_REQUEST, session, NULL, problem);
      return;
    }
  if ((hash = milk_password_hash (g_hash_table_lookup (form, "password"), &error)) == NULL)
    {
      respond_failure (request, error);
      return;
    }
  if (!milk_db_account_set_password (conn, session->account_id, hash, session->id_hash, &error))
    {
      milk_respond_db_error (request, error);
      return;
    }
  request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT " password changed", session->account_id);
  render_account (request, conn, SOUP_STATUS_OK, session,
                  "Password changed. Other browsers and devices must sign in again.", NULL);
}

/* With mail, the new address gets a link and the change waits for it
 * (the old one is told); without, it changes at once. */
void
milk_route_email (MilkRequest *request,
                  PGconn      *conn)
{
  g_autoptr(MilkWebSession) session = NULL;
  g_autoptr(GHashTable) form = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *notice = NULL;
  const char *email;
  gboolean changed;

  if ((session = signed_in_session (request, conn)) == NULL ||
      (form = account_form (request, session)) == NULL ||
      !account_password_right (request, conn, session, g_hash_table_lookup (form, "password"),
                               "The password is wrong."))
    return;

  email = g_hash_table_lookup (form, "email");
  if (!email_is_valid (email) || !g_utf8_validate (email, -1, NULL))
    {
      render_account (request, conn, SOUP_STATUS_BAD_REQUEST, session, NULL, "That does not look like an email address.");
      return;
    }
  if (milk_server_get_mailer (request->server) != NULL)
    {
      gboolean limited;

      if (!milk_email_change_mail_send (request, conn, session->account_id, session->email, email, &limited,
                                        &error))
        {
          if (!limited)
            milk_respond_db_error (request, error);
          else
            render_account (request, conn, 429, session, NULL,
                            "Several links were sent in the last hour. Wait an hour before asking for another.");
          return;
        }
      request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT " email change mailed", session->account_id);
      notice = g_strdup_printf ("We sent a link to %s. Your email changes when you open it.", email);
      render_account (request, conn, SOUP_STATUS_OK, session, notice, NULL);
      return;
    }
  if (!milk_db_account_change_email (conn, session->account_id, email, FALSE, &changed, &error))
    {
      milk_respond_db_error (request, error);
      return;
    }
  if (!changed)
    {
      render_account (request, conn, SOUP_STATUS_CONFLICT, session, NULL, "Another account has this email.");
      return;
    }
  request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT " email changed", session->account_id);
  g_free (session->email);
  session->email = g_strdup (email);
  notice = g_strdup_printf ("Your email is now %s.", email);
  render_account (request, conn, SOUP_STATUS_OK, session, notice, NULL);
}

void
milk_route_delete (MilkRequest *request,
                   PGconn      *conn)
{
  g_autoptr(MilkWebSession) session = NULL;
  g_autoptr(GHashTable) form = NULL;
  g_autoptr(GError) error = NULL;

  if ((session = signed_in_session (request, conn)) == NULL ||
      (form = account_form (request, session)) == NULL ||
      !account_password_right (request, conn, session, g_hash_table_lookup (form, "password"),
                               "The password is wrong."))
    return;

  if (!milk_db_account_delete (conn, session->account_id, &error))
    {
      milk_respond_db_error (request, error);
      return;
    }
  request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT " deleted", session->account_id);
  milk_request_set_cookie (request, SESSION_COOKIE, "", 0);
  milk_respond_page (request, SOUP_STATUS_OK, "message", "title", "Account deleted",
                     "message", "Your account and every record synced to it are gone.",
                     "link", "/signup", "link_label", "Create a new account", NULL);
}
