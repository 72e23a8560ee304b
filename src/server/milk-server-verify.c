/* milk-server-verify.c — with mail, an account's email counts once the
 * link mailed to it was opened
 *
 * A link opens a page with a button; only the button (a POST) uses the
 * link, so that a mail scanner fetching links spends nothing. Without
 * mail configured nothing here asks anything: every email counts.
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
#include "milk-server-session.h"
#include "milk-server-verify.h"

static char *
html_escape (const char *text)
{
  return g_markup_escape_text (text, -1);
}

char *
milk_page_link_to (MilkRequest *request,
                   const char  *path,
                   const char  *token)
{
  const char *base = request->config->base_url ? request->config->base_url : "";

  return g_strdup_printf ("%s%s?token=%s", base, path, token);
}

/* One mail, a text part and the same words as HTML; the paragraphs are
 * plain text, the link the last of them. */
void
milk_page_send_mail (MilkRequest *request,
                     const char  *to,
                     const char  *subject,
                     const char  *body,
                     const char  *link)
{
  MilkMailer *mailer = request->mailer;
  g_autofree char *text = NULL;
  g_autofree char *escaped = html_escape (body);
  g_autoptr(GString) html = g_string_new ("<!DOCTYPE html><html><body><p>");
  g_auto(GStrv) paragraphs = NULL;

  text = link ? g_strdup_printf ("%s\n\n%s\n\n-- \nMilk Diary\n", body, link)
              : g_strdup_printf ("%s\n\n-- \nMilk Diary\n", body);
  paragraphs = g_strsplit (escaped, "\n\n", -1);
  for (guint i = 0; paragraphs[i]; i++)
    g_string_append_printf (html, "%s%s", i ? "</p><p>" : "", paragraphs[i]);
  g_string_append (html, "</p>");
  if (link)
    {
      g_autofree char *href = html_escape (link);

      g_string_append_printf (html, "<p><a href=\"%s\">%s</a></p>", href, href);
    }
  g_string_append (html, "<p>— Milk Diary</p></body></html>");
  milk_mailer_send (mailer, to, subject, text, html->str);
}

/* A verify link mailed to email; FALSE with *limited when the account
 * has had enough of them this hour, or with error. */
gboolean
milk_verify_mail_send (MilkRequest  *request,
                       PGconn       *conn,
                       gint64        account_id,
                       const char   *email,
                       const char   *return_to,
                       gboolean     *limited,
                       GError      **error)
{
  g_autofree char *token = NULL;
  g_autofree char *link = NULL;

  token = milk_db_link_create (conn, account_id, MILK_LINK_VERIFY, email, _milk_server_safe_return_to (return_to),
                               MILK_VERIFY_LINK_TTL_S, MILK_LINKS_PER_HOUR, limited, error);
  if (token == NULL)
    return FALSE;
  link = milk_page_link_to (request, "/account/verify", token);
  milk_page_send_mail (request, email, "Confirm your email for Milk Diary",
             "Someone, we hope you, created a Milk Diary account with this address.\n\n"
             "Open the link below within a day to confirm it; then your devices can sync. "
             "If it was not you, ignore this mail: without the link the account cannot be used to sync.",
             link);
  return TRUE;
}

/* Sign-up answers the same whether or not the address has an account;
 * the owner of the one that has is told, in case it was not them. */
void
milk_mail_signup_tried (MilkRequest *request,
                        const char  *email)
{
  g_autofree char *signin = g_strdup_printf ("%s/signin", request->config->base_url ? request->config->base_url : "");

  milk_page_send_mail (request, email, "Someone tried to create a Milk Diary account with your address",
             "Someone tried to create a new Milk Diary account with this address, which has an account already.\n\n"
             "If it was you, sign in instead; a forgotten password can be reset from the sign-in page. "
             "If it was not you, nothing changed: your account and its password are as they were.",
             signin);
}

/* A link to the new address; the old one is told, in case it was not
 * its owner who asked. */
gboolean
milk_email_change_mail_send (MilkRequest  *request,
                             PGconn       *conn,
                             gint64        account_id,
                             const char   *old_email,
                             const char   *new_email,
                             gboolean     *limited,
                             GError      **error)
{
  g_autofree char *token = NULL;
  g_autofree char *link = NULL;
  g_autofree char *told = NULL;

  token = milk_db_link_create (conn, account_id, MILK_LINK_CHANGE, new_email, "/account", MILK_VERIFY_LINK_TTL_S,
                               MILK_LINKS_PER_HOUR, limited, error);
  if (token == NULL)
    return FALSE;
  link = milk_page_link_to (request, "/account/email/confirm", token);
  milk_page_send_mail (request, new_email, "Confirm your new email for Milk Diary",
                       "Someone, we hope you, asked to move a Milk Diary account to this address.\n\n"
                       "Open the link below within a day to confirm it. If it was not you, ignore this mail.",
                       link);
  told = g_strdup_printf ("Someone signed in to your Milk Diary account asked to change its email to %s. "
                          "It changes only when the link mailed there is opened.\n\n"
                          "If it was not you, change your password now: someone knows it.", new_email);
  milk_page_send_mail (request, old_email, "Your Milk Diary email is about to change", told, NULL);
  return TRUE;
}

static void
render_verify (MilkRequest *request,
               guint        status,
               const char  *title,
               const char  *message,
               const char  *action,
               const char  *csrf,
               const char  *token,
               const char  *return_to,
               const char  *button,
               const char  *error)
{
  milk_respond_page (request, status, "verify", "title", title, "message", message, "action", action,
                     "csrf", csrf, "token", token ? token : "", "return_to", _milk_server_safe_return_to (return_to),
                     "button", button, "error", error ? error : "", NULL);
}

/* For the account page, with mail and an email not yet verified: what
 * waits for it, and the button that sends the link again (HTML). */
char *
milk_verify_notice_html (MilkRequest    *request,
                         PGconn         *conn,
                         MilkWebSession *session)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *csrf = NULL;
  gboolean verified;

  if (request->mailer == NULL ||
      !milk_db_account_verified (conn, session->account_id, &verified, &error) || verified)
    return g_strdup ("");
  csrf = g_markup_escape_text (session->csrf, -1);
  return g_strdup_printf ("<p class=\"error\">Your email is not confirmed yet: your devices cannot sync until you "
                          "open the link we mailed to it.</p>\n"
                          "<form method=\"post\" action=\"/account/verify/send\">"
                          "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
                          "<input type=\"hidden\" name=\"return_to\" value=\"/account\">"
                          "<button type=\"submit\" class=\"secondary\">Send the link again</button></form>\n", csrf);
}

/* TRUE when the session's account may go on (no mail configured, or its
 * email verified); else the page asking to verify has been given. */
gboolean
milk_page_email_verified (MilkRequest    *request,
                          PGconn         *conn,
                          MilkWebSession *session,
                          const char     *return_to)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gboolean verified;

  if (request->mailer == NULL)
    return TRUE;
  if (!milk_db_account_verified (conn, session->account_id, &verified, &error))
    {
      milk_respond_db_error (request, error);
      return FALSE;
    }
  if (verified)
    return TRUE;
  request->log_note = g_strdup ("email not verified");
  message = g_strdup_printf ("Before your devices can sync, confirm that %s is yours: open the link "
                             "we mailed to it. No mail? Send another.", session->email);
  render_verify (request, SOUP_STATUS_FORBIDDEN, "Verify your email", message, "/account/verify/send",
                 session->csrf, NULL, return_to, "Send the link again", NULL);
  return FALSE;
}

/* GET: the page with the button; POST: the link is used, and on to
 * where the person was going (by way of signing in). */
void
milk_route_verify (MilkRequest *request,
                   PGconn      *conn)
{
  g_autoptr(MilkWebSession) session = NULL;
  g_autoptr(GHashTable) form = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(MilkLinkUse) use = { 0 };
  const char *token;

  if ((session = milk_page_session (request, conn, &error)) == NULL)
    {
      milk_respond_db_error (request, error);
      return;
    }
  if (g_str_equal (request->method, "GET"))
    {
      render_verify (request, SOUP_STATUS_OK, "Confirm your email",
                     "Confirm that this address is yours.", "/account/verify",
                     milk_page_form_csrf (request, session), g_hash_table_lookup (request->query, "token"),
                     NULL, "Confirm my email", NULL);
      return;
    }
  if ((form = milk_request_form (request)) == NULL || !milk_page_check_csrf (request, session, form))
    {
      if (form == NULL)
        milk_respond_page (request, SOUP_STATUS_BAD_REQUEST, "message", "title", "Bad request",
                           "message", "The form could not be read.", "link", "/signin", "link_label", "Sign in",
                           NULL);
      return;
    }
  token = g_hash_table_lookup (form, "token");
  if (!milk_db_link_use (conn, token, MILK_LINK_VERIFY, &use, &error))
    {
      if (error)
        {
          milk_respond_db_error (request, error);
          return;
        }
      request->log_note = g_strdup ("verify link refused");
      milk_respond_page (request, SOUP_STATUS_BAD_REQUEST, "message", "title", "This link does not work",
                         "message", "The link was used already, or it is more than a day old. Sign in, and "
                         "you can have another one sent.",
                         "link", "/signin", "link_label", "Sign in", NULL);
      return;
    }
  request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT " email verified", use.account_id);
  /* The link proves the mailbox, not the password: it signs nobody in.
   * (Else someone who made an account in another's name, knowing its
   * password, would have them signed in to it, syncing their diary.) */
  if (session->account_id == use.account_id)
    {
      milk_respond_redirect (request, _milk_server_safe_return_to (use.return_to));
      return;
    }
  {
    g_autofree char *back = g_uri_escape_string (_milk_server_safe_return_to (use.return_to), NULL, FALSE);
    g_autofree char *signin = g_strconcat ("/signin?return_to=", back, NULL);

    milk_respond_page (request, SOUP_STATUS_OK, "message", "title", "Email confirmed",
                       "message", "Your email is confirmed. Sign in to go on.",
                       "link", signin, "link_label", "Sign in", NULL);
  }
}

/* Signed in, unverified: another link, a few an hour at most. */
void
milk_route_verify_send (MilkRequest *request,
                        PGconn      *conn)
{
  g_autoptr(MilkWebSession) session = NULL;
  g_autoptr(GHashTable) form = milk_request_form (request);
  g_autoptr(GError) error = NULL;
  const char *return_to;
  gboolean limited = FALSE;

  if ((session = milk_page_session (request, conn, &error)) == NULL)
    {
      milk_respond_db_error (request, error);
      return;
    }
  if (!milk_page_check_csrf (request, session, form))
    return;
  if (session->account_id == 0)
    {
      milk_respond_redirect (request, "/signin?return_to=%2Faccount");
      return;
    }
  return_to = g_hash_table_lookup (form, "return_to");
  if (request->mailer == NULL)
    {
      milk_respond_redirect (request, _milk_server_safe_return_to (return_to));
      return;
    }
  if (!milk_verify_mail_send (request, conn, session->account_id, session->email, return_to, &limited, &error))
    {
      if (!limited)
        {
          milk_respond_db_error (request, error);
          return;
        }
      request->log_note = g_strdup ("verify mails limited");
      milk_request_add_header (request, "Retry-After", "3600");
      render_verify (request, 429, "Verify your email",
                     "Open the link in one of the mails sent already; they work for a day.",
                     "/account/verify/send", session->csrf, NULL, return_to, "Send the link again",
                     "Several links were sent in the last hour. Wait an hour before asking for another.");
      return;
    }
  request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT " verify mail sent", session->account_id);
  render_verify (request, SOUP_STATUS_OK, "Check your email",
                 "We sent a new link. Open it to confirm your address, then go back to the app.",
                 "/account/verify/send", session->csrf, NULL, return_to, "Send the link again", NULL);
}

/* GET: the page with the button; POST: the account moves to the address
 * the link was mailed to. */
void
milk_route_email_confirm (MilkRequest *request,
                          PGconn      *conn)
{
  g_autoptr(MilkWebSession) session = NULL;
  g_autoptr(GHashTable) form = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(MilkLinkUse) use = { 0 };
  g_autofree char *message = NULL;

  if ((session = milk_page_session (request, conn, &error)) == NULL)
    {
      milk_respond_db_error (request, error);
      return;
    }
  if (g_str_equal (request->method, "GET"))
    {
      render_verify (request, SOUP_STATUS_OK, "Confirm your new email",
                     "Confirm that this address is yours, and your account moves to it.",
                     "/account/email/confirm", milk_page_form_csrf (request, session),
                     g_hash_table_lookup (request->query, "token"), NULL, "Confirm my new email", NULL);
      return;
    }
  if ((form = milk_request_form (request)) == NULL)
    {
      milk_respond_page (request, SOUP_STATUS_BAD_REQUEST, "message", "title", "Bad request",
                         "message", "The form could not be read.", "link", "/signin", "link_label", "Sign in",
                         NULL);
      return;
    }
  if (!milk_page_check_csrf (request, session, form))
    return;
  if (!milk_db_link_use (conn, g_hash_table_lookup (form, "token"), MILK_LINK_CHANGE, &use, &error))
    {
      if (error)
        {
          milk_respond_db_error (request, error);
          return;
        }
      request->log_note = g_strdup ("email change link refused");
      milk_respond_page (request, SOUP_STATUS_BAD_REQUEST, "message", "title", "This link does not work",
                         "message", "The link was used already, it is more than a day old, or another account "
                         "has this address now.", "link", "/account", "link_label", "Your account", NULL);
      return;
    }
  request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT " email changed", use.account_id);
  message = g_strdup_printf ("Your account's email is now %s. Sign in with it from now on.", use.email);
  milk_respond_page (request, SOUP_STATUS_OK, "message", "title", "Email changed", "message", message,
                     "link", "/account", "link_label", "Your account", NULL);
}
