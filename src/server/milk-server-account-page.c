/* milk-server-account-page.c — the account page and what it changes: password,
 * email, identities, the account itself
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include "milk-server-account-page.h"
#include "milk-server-db-accounts.h"
#include "milk-server-db-api.h"
#include "milk-server-db-email.h"
#include "milk-server-db-identity.h"
#include "milk-server-external.h"
#include "milk-server-log.h"
#include "milk-server-request.h"
#include "milk-server-routes.h"
#include "milk-server-secret.h"
#include "milk-server-session.h"
#include "milk-server-verify.h"

/* ---- personal access tokens ---- */

const char *
milk_token_scope_words (const char *scope)
{
  return g_str_equal (scope, "write") ? "read and write" : "read";
}

static char *
format_time (gint64 unix_s)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_s);

  return time ? g_date_time_format (time, "%Y-%m-%d %H:%M UTC") : g_strdup ("-");
}

static char *
tokens_html (MilkRequest    *request,
             PGconn         *conn,
             MilkWebSession *session)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tokens = milk_db_personal_tokens_list (conn, session->account_id, &error);
  g_autofree char *csrf = g_markup_escape_text (session->csrf, -1);
  GString *html = g_string_new ("<h3>Personal access tokens</h3>\n"
                                "<p>Scripts and other programs can read your diary, or record in it, "
                                "with a token of their own.</p>\n");

  if (tokens == NULL)
    {
      g_autofree char *words = milk_log_escape (error ? error->message : "unknown error");

      g_warning ("database: %s", words);
    }
  else if (tokens->len > 0)
    {
      g_string_append (html, "<ul class=\"tokens\">\n");
      for (guint i = 0; i < tokens->len; i++)
        {
          MilkPersonalToken *token = g_ptr_array_index (tokens, i);
          g_autofree char *name = g_markup_escape_text (token->name, -1);
          g_autofree char *created = format_time (token->created_at);
          g_autofree char *used = token->last_used_at ? format_time (token->last_used_at) : NULL;

          g_string_append_printf (html,
                                  "<li><strong>%s</strong> (%s): made %s, %s%s"
                                  " <form method=\"post\" action=\"/account/tokens/revoke\" class=\"inline\">"
                                  "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
                                  "<input type=\"hidden\" name=\"id\" value=\"%" G_GINT64_FORMAT "\">"
                                  "<button type=\"submit\" class=\"secondary\">Revoke %s</button></form></li>\n",
                                  name, milk_token_scope_words (token->scope), created,
                                  used ? "last used " : "never used", used ? used : "",
                                  csrf, token->id, name);
        }
      g_string_append (html, "</ul>\n");
    }
  g_string_append_printf (html,
                          "<form method=\"post\" action=\"/account/tokens\">\n"
                          "  <input type=\"hidden\" name=\"csrf\" value=\"%s\">\n"
                          "  <label>Token name <input type=\"text\" name=\"name\" maxlength=\"%d\" required></label>\n"
                          "  <label>It may <select name=\"scope\">"
                          "<option value=\"read\">read</option>"
                          "<option value=\"write\">read and write</option></select></label>\n"
                          "  <button type=\"submit\">Make a token</button>\n"
                          "</form>\n",
                          csrf, MILK_PAT_NAME_MAX_CHARS);
  return g_string_free (html, FALSE);
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
  g_autofree char *tokens = tokens_html (request, conn, session);

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
      milk_page_bad_form (request);
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
  switch (milk_page_check_password (request, conn, session->email, stored, password, &wait_s, &error))
    {
    case MILK_PASSWORD_CHECK_FAILED:
      milk_page_respond_failure (request, error);
      return FALSE;
    case MILK_PASSWORD_CHECK_WAIT:
      {
        g_autofree char *words = milk_page_wait_words (request, "password checks limited", wait_s);
        g_autofree char *message = g_strdup_printf ("Too many wrong passwords. Wait %s and try again.", words);

        render_account (request, conn, 429, session, NULL, message);
        return FALSE;
      }
    case MILK_PASSWORD_CHECK_WRONG:
      request->log_note = g_strdup ("wrong password");
      render_account (request, conn, SOUP_STATUS_UNAUTHORIZED, session, NULL, wrong);
      return FALSE;
    case MILK_PASSWORD_CHECK_RIGHT:
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
      milk_page_bad_form (request);
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

  problem = _milk_server_password_problem (g_hash_table_lookup (form, "password"), g_hash_table_lookup (form, "confirm"));
  if (problem)
    {
      render_account (request, conn, SOUP_STATUS_BAD_REQUEST, session, NULL, problem);
      return;
    }
  if ((hash = milk_password_hash (g_hash_table_lookup (form, "password"), &error)) == NULL)
    {
      milk_page_respond_failure (request, error);
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
  if (!_milk_server_email_is_valid (email) || !g_utf8_validate (email, -1, NULL))
    {
      render_account (request, conn, SOUP_STATUS_BAD_REQUEST, session, NULL, "That does not look like an email address.");
      return;
    }
  if (request->mailer != NULL)
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
  milk_request_set_cookie (request, MILK_SESSION_COOKIE, "", 0);
  milk_respond_page (request, SOUP_STATUS_OK, "message", "title", "Account deleted",
                     "message", "Your account and every record synced to it are gone.",
                     "link", "/signup", "link_label", "Create a new account", NULL);
}
