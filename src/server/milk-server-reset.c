/* milk-server-reset.c — "Forgot password?": a link by mail, a new password
 *
 * The form answers the same whether or not the address has an account. The
 * link works once, for an hour; the new password ends every session and
 * revokes every token of the account, and confirms its email (the link
 * proved the mailbox).
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <string.h>

#include "milk-server-db-accounts.h"
#include "milk-server-db-email.h"
#include "milk-server-mail.h"
#include "milk-server-request.h"
#include "milk-server-routes.h"
#include "milk-server-secret.h"
#include "milk-server-session.h"
#include "milk-server-verify.h"

static void
bad_form (MilkRequest *request)
{
  milk_respond_page (request, SOUP_STATUS_BAD_REQUEST, "message", "title", "Bad request",
                     "message", "The form could not be read.", "link", "/signin", "link_label", "Sign in", NULL);
}

/* The signed-out page's session and, for a POST, its checked form; FALSE
 * when the request has been answered. */
static gboolean
open_page (MilkRequest     *request,
           PGconn          *conn,
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
    return TRUE;
  if ((*form = milk_request_form (request)) == NULL)
    {
      bad_form (request);
      return FALSE;
    }
  return milk_page_check_csrf (request, *session, *form);
}

static void
mail_link (MilkRequest *request,
           PGconn      *conn,
           const char  *email)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *token = NULL;
  g_autofree char *link = NULL;
  gint64 account_id;
  gboolean limited;

  if (!milk_db_account_find (conn, email, &account_id, &stored, &error) || account_id == 0)
    {
      if (error)
        g_warning ("A reset link could not be made: %s", error->message);
      return;
    }
  token = milk_db_link_create (conn, account_id, MILK_LINK_RESET, email, "/account", MILK_RESET_LINK_TTL_S,
                               MILK_LINKS_PER_HOUR, &limited, &error);
  if (token == NULL)
    {
      /* Limited or failed, the answer is the same: it says nothing of
       * the account. */
      if (error)
        g_warning ("A reset link could not be made: %s", error->message);
      request->log_note = g_strdup (limited ? "reset mails limited" : "reset mail failed");
      return;
    }
  request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT " reset mail sent", account_id);
  link = milk_page_link_to (request, "/password/reset", token);
  milk_page_send_mail (request, email, "Set a new password for Milk Diary",
                       "Someone, we hope you, asked to set a new password for the Milk Diary account with "
                       "this address.\n\n"
                       "Open the link below within an hour to choose it. Every browser and device will then "
                       "have to sign in again. If it was not you, ignore this mail: your password stays as it is.",
                       link);
}

void
milk_route_forgot (MilkRequest *request,
                   PGconn      *conn)
{
  g_autoptr(MilkWebSession) session = NULL;
  g_autoptr(GHashTable) form = NULL;
  g_autofree char *message = NULL;
  const char *email;

  if (!open_page (request, conn, &session, &form))
    return;
  if (request->mailer == NULL)
    {
      milk_respond_page (request, SOUP_STATUS_OK, "message", "title", "Forgot your password?",
                         "message", "This service sends no mail, so it cannot reset a password. "
                         "Ask whoever runs it.", "link", "/signin", "link_label", "Sign in", NULL);
      return;
    }
  if (form == NULL)
    {
      milk_respond_page (request, SOUP_STATUS_OK, "forgot", "title", "Forgot your password?",
                         "csrf", milk_page_form_csrf (request, session), "email", "", "error", "", NULL);
      return;
    }
  email = g_hash_table_lookup (form, "email");
  if (!_milk_server_email_is_valid (email))
    {
      milk_respond_page (request, SOUP_STATUS_BAD_REQUEST, "forgot", "title", "Forgot your password?",
                         "csrf", session->csrf, "email", email && g_utf8_validate (email, -1, NULL) ? email : "",
                         "error", "That does not look like an email address.", NULL);
      return;
    }
  mail_link (request, conn, email);
  message = g_strdup_printf ("If %s has an account, we sent it a link to set a new password. "
                             "It works for an hour.", email);
  milk_respond_page (request, SOUP_STATUS_OK, "message", "title", "Check your email", "message", message,
                     "link", "/signin", "link_label", "Sign in", NULL);
}

static void
render_reset (MilkRequest *request,
              guint        status,
              const char  *csrf,
              const char  *token,
              const char  *error)
{
  milk_respond_page (request, status, "reset", "title", "Set a new password", "csrf", csrf,
                     "token", token ? token : "", "error", error ? error : "", NULL);
}

/* GET: the form; POST: the password checked first (a bad one keeps the
 * link), then the link used and the password set. */
void
milk_route_reset (MilkRequest *request,
                  PGconn      *conn)
{
  g_autoptr(MilkWebSession) session = NULL;
  g_autoptr(GHashTable) form = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(MilkLinkUse) use = { 0 };
  g_autofree char *hash = NULL;
  const char *token, *problem;

  if (!open_page (request, conn, &session, &form))
    return;
  if (form == NULL)
    {
      token = g_hash_table_lookup (request->query, "token");
      render_reset (request, SOUP_STATUS_OK, milk_page_form_csrf (request, session),
                    token && g_utf8_validate (token, -1, NULL) ? token : "", NULL);
      return;
    }
  token = g_hash_table_lookup (form, "token");
  problem = _milk_server_password_problem (g_hash_table_lookup (form, "password"),
                                           g_hash_table_lookup (form, "confirm"));
  if (problem)
    {
      render_reset (request, SOUP_STATUS_BAD_REQUEST, session->csrf,
                    token && g_utf8_validate (token, -1, NULL) ? token : "", problem);
      return;
    }
  if ((hash = milk_password_hash (g_hash_table_lookup (form, "password"), &error)) == NULL)
    {
      milk_respond_db_error (request, error);
      return;
    }
  if (!milk_db_link_use (conn, token, MILK_LINK_RESET, &use, &error))
    {
      if (error)
        {
          milk_respond_db_error (request, error);
          return;
        }
      request->log_note = g_strdup ("reset link refused");
      milk_respond_page (request, SOUP_STATUS_BAD_REQUEST, "message", "title", "This link does not work",
                         "message", "The link was used already, or it is more than an hour old. Ask for a new one.",
                         "link", "/password/forgot", "link_label", "Forgot password?", NULL);
      return;
    }
  /* Every session and token of the account ends, this browser's too. */
  if (!milk_db_account_set_password (conn, use.account_id, hash, "", &error))
    {
      milk_respond_db_error (request, error);
      return;
    }
  request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT " password reset", use.account_id);
  milk_respond_page (request, SOUP_STATUS_OK, "message", "title", "Password changed",
                     "message", "Your new password is set. Every browser and device must sign in again.",
                     "link", "/signin", "link_label", "Sign in", NULL);
}
