/* milk-server-accounts.c — the sign-up and sign-in pages
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
#include "milk-server-external.h"
#include "milk-server-policy.h"
#include "milk-server-request.h"
#include "milk-server-routes.h"
#include "milk-server-secret.h"
#include "milk-server-session.h"
#include "milk-server-verify.h"

static void
render_form (MilkRequest    *request,
             guint           status,
             const char     *page,
             MilkWebSession *session,
             const char     *email,
             const char     *return_to,
             const char     *error)
{
  const char *back = _milk_server_safe_return_to (return_to);
  g_autofree char *back_query = g_uri_escape_string (back, NULL, FALSE);

  g_autofree char *providers = milk_external_buttons_html (request, back);

  milk_respond_page (request, status, page, "title", g_str_equal (page, "signup") ? "Create an account" : "Sign in",
                     "csrf", milk_page_form_csrf (request, session), "email", email ? email : "", "return_to", back,
                     "return_to_query", back_query, "error", error ? error : "", "providers", providers, NULL);
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
      milk_page_bad_form (request);
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
  g_autofree char *address = milk_page_limit_address (request);
  guint wait_s;

  if (!milk_db_signup_attempt (conn, address, request->config->signups_per_hour, &wait_s, &error))
    {
      milk_respond_db_error (request, error);
      return FALSE;
    }
  if (wait_s == 0)
    return TRUE;
  words = milk_page_wait_words (request, "sign-ups limited", wait_s);
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
  g_autofree char *back = g_uri_escape_string (_milk_server_safe_return_to (return_to), NULL, FALSE);
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
  if (!_milk_server_email_is_valid (email))
    {
      render_form (request, SOUP_STATUS_BAD_REQUEST, "signup", session, email, return_to,
                   "That does not look like an email address.");
      return;
    }
  problem = _milk_server_password_problem (g_hash_table_lookup (form, "password"), g_hash_table_lookup (form, "confirm"));
  if (problem)
    {
      render_form (request, SOUP_STATUS_BAD_REQUEST, "signup", session, email, return_to, problem);
      return;
    }
  if (!signup_allowed (request, conn, session, email, return_to))
    return;

  if ((hash = milk_password_hash (g_hash_table_lookup (form, "password"), &error)) == NULL)
    {
      milk_page_respond_failure (request, error);
      return;
    }
  account_id = milk_db_account_create (conn, email, hash, &error);
  if (request->mailer != NULL &&
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

  switch (milk_page_check_password (request, conn, email, account_id ? stored : NULL, password, &wait_s, &error))
    {
    case MILK_PASSWORD_CHECK_FAILED:
      milk_page_respond_failure (request, error);
      return;
    case MILK_PASSWORD_CHECK_WAIT:
      {
        g_autofree char *words = milk_page_wait_words (request, "sign-in limited", wait_s);
        g_autofree char *message = g_strdup_printf ("Too many wrong passwords. Wait %s and try again.", words);

        render_form (request, 429, "signin", session, email, return_to, message);
        return;
      }
    case MILK_PASSWORD_CHECK_WRONG:
      request->log_note = g_strdup ("sign-in failed");
      render_form (request, SOUP_STATUS_UNAUTHORIZED, "signin", session, email, return_to,
                   "The email or the password is wrong.");
      return;
    case MILK_PASSWORD_CHECK_RIGHT:
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
  milk_request_set_cookie (request, MILK_SESSION_COOKIE, "", 0);
  milk_respond_redirect (request, "/signin");
}
