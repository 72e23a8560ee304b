/* milk-server-tokens.c — personal access tokens: made and revoked
 * from the account page, which lists them; who a request to the resources
 * comes from
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <string.h>

#include "milk-server-account-page.h"
#include "milk-server-db-accounts.h"
#include "milk-server-db-api.h"
#include "milk-server-db-oauth.h"
#include "milk-server-request.h"
#include "milk-server-routes.h"
#include "milk-server-secret.h"
#include "milk-server-session.h"
#include "milk-server-tokens.h"
#include "milk-server-verify.h"

/* ---- the resources' bearer tokens ---- */

static void
respond_unauthorized (MilkRequest *request,
                      const char  *code,
                      const char  *message)
{
  if (g_str_equal (code, "invalid_token"))
    milk_request_add_header (request, "WWW-Authenticate", "Bearer realm=\"milk-diary\", error=\"invalid_token\"");
  else
    milk_request_add_header (request, "WWW-Authenticate", "Bearer realm=\"milk-diary\"");
  milk_respond_error (request, SOUP_STATUS_UNAUTHORIZED, code, message);
}

/* The account a request acts for, with the app's OAuth access token (scope
 * sync: read and write) or a personal access token (read, or read and
 * write; counted against its limit); 0 with the answer given. */
gint64
milk_api_authenticate (MilkRequest *request,
                       PGconn      *conn,
                       gboolean     write)
{
  const char *header = milk_request_header (request, "Authorization");
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *scope = NULL;
  gint64 account_id = 0;
  guint retry_after = 0;
  const char *token;

  if (header == NULL || g_ascii_strncasecmp (header, "Bearer ", 7) != 0 || header[7] == '\0')
    {
      respond_unauthorized (request, "missing_token", "Send an access token");
      return 0;
    }
  token = header + 7;
  hash = milk_token_hash (token);

  if (!g_str_has_prefix (token, MILK_PAT_PREFIX))
    {
      account_id = milk_db_access_token_account (conn, hash, &error);
      if (account_id < 0)
        milk_respond_db_error (request, error);
      else if (account_id == 0)
        respond_unauthorized (request, "invalid_token", "The access token is expired, revoked or unknown");
      return MAX (account_id, 0);
    }

  if (!milk_db_personal_token_use (conn, hash, MILK_PAT_PER_MINUTE, &account_id, &scope, &retry_after, &error))
    {
      milk_respond_db_error (request, error);
      return 0;
    }
  if (account_id == 0)
    {
      respond_unauthorized (request, "invalid_token", "The access token is revoked or unknown");
      return 0;
    }
  if (retry_after > 0)
    {
      g_autofree char *seconds = g_strdup_printf ("%u", retry_after);

      request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT " token limited", account_id);
      milk_request_add_header (request, "Retry-After", seconds);
      milk_respond_error (request, 429, "rate_limited",
                          "This token has made too many requests; wait and try again");
      return 0;
    }
  if (write && !g_str_equal (scope, "write"))
    {
      milk_request_add_header (request, "WWW-Authenticate",
                               "Bearer realm=\"milk-diary\", error=\"insufficient_scope\", scope=\"write\"");
      milk_respond_error (request, SOUP_STATUS_FORBIDDEN, "insufficient_scope",
                          "This token may only read; make one that may read and write");
      return 0;
    }
  return account_id;
}

/* A signed-in form of the account page with its CSRF token checked; NULL
 * with the answer given. */
static GHashTable *
signed_in_form (MilkRequest     *request,
                PGconn          *conn,
                MilkWebSession **session)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) form = NULL;

  *session = milk_page_session (request, conn, &error);
  if (*session == NULL)
    {
      milk_respond_db_error (request, error);
      return NULL;
    }
  if ((*session)->account_id == 0)
    {
      milk_respond_redirect (request, "/signin?return_to=%2Faccount");
      return NULL;
    }
  if ((form = milk_request_form (request)) == NULL)
    {
      milk_respond_page (request, SOUP_STATUS_BAD_REQUEST, "message", "title", "Bad request",
                         "message", "The form could not be read.", "link", "/account", "link_label",
                         "Your account", NULL);
      return NULL;
    }
  if (!milk_page_check_csrf (request, *session, form))
    return NULL;
  return g_steal_pointer (&form);
}

static gboolean
name_is_valid (const char *name)
{
  glong length = g_utf8_strlen (name, -1);

  if (length == 0 || length > MILK_PAT_NAME_MAX_CHARS)
    return FALSE;
  for (const char *p = name; *p; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

void
milk_route_tokens_create (MilkRequest *request,
                          PGconn      *conn)
{
  g_autoptr(MilkWebSession) session = NULL;
  g_autoptr(GHashTable) form = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tokens = NULL;
  g_autofree char *name = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *token = NULL;
  g_autofree char *hash = NULL;
  const char *scope;

  /* A token reaches the diary as an app does: with mail, only for an
   * account whose email is confirmed. */
  if ((form = signed_in_form (request, conn, &session)) == NULL ||
      !milk_page_email_verified (request, conn, session, "/account"))
    return;
  name = g_strdup (g_hash_table_lookup (form, "name"));
  scope = g_hash_table_lookup (form, "scope");
  if (name)
    g_strstrip (name);
  if (name == NULL || !name_is_valid (name))
    {
      g_autofree char *message = g_strdup_printf ("Give the token a name of 1 to %d characters.",
                                                  MILK_PAT_NAME_MAX_CHARS);

      milk_page_render_account (request, conn, SOUP_STATUS_BAD_REQUEST, session, NULL, message);
      return;
    }
  if (scope == NULL || (!g_str_equal (scope, "read") && !g_str_equal (scope, "write")))
    {
      milk_page_render_account (request, conn, SOUP_STATUS_BAD_REQUEST, session, NULL,
                                "Choose whether the token may read, or read and write.");
      return;
    }
  if ((tokens = milk_db_personal_tokens_list (conn, session->account_id, &error)) == NULL)
    {
      milk_respond_db_error (request, error);
      return;
    }
  if (tokens->len >= MILK_PATS_PER_ACCOUNT)
    {
      milk_page_render_account (request, conn, SOUP_STATUS_CONFLICT, session, NULL,
                                "You have as many tokens as an account may have; revoke one first.");
      return;
    }

  secret = milk_token_new ();
  token = g_strconcat (MILK_PAT_PREFIX, secret, NULL);
  hash = milk_token_hash (token);
  if (!milk_db_personal_token_create (conn, session->account_id, hash, name, scope, &error))
    {
      milk_respond_db_error (request, error);
      return;
    }
  request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT " token made", session->account_id);
  milk_respond_page (request, SOUP_STATUS_OK, "token", "title", "Your new token", "name", name,
                     "scope", milk_token_scope_words (scope), "token", token, NULL);
}

void
milk_route_tokens_revoke (MilkRequest *request,
                          PGconn      *conn)
{
  g_autoptr(MilkWebSession) session = NULL;
  g_autoptr(GHashTable) form = NULL;
  g_autoptr(GError) error = NULL;
  const char *id;
  guint64 token_id;
  gboolean revoked;

  if ((form = signed_in_form (request, conn, &session)) == NULL)
    return;
  id = g_hash_table_lookup (form, "id");
  if (id == NULL || !g_ascii_string_to_unsigned (id, 10, 1, G_MAXINT64, &token_id, NULL))
    {
      milk_page_render_account (request, conn, SOUP_STATUS_BAD_REQUEST, session, NULL,
                                "That token could not be found.");
      return;
    }
  if (!milk_db_personal_token_revoke (conn, session->account_id, token_id, &revoked, &error))
    {
      milk_respond_db_error (request, error);
      return;
    }
  if (!revoked)
    {
      milk_page_render_account (request, conn, SOUP_STATUS_NOT_FOUND, session, NULL,
                                "That token could not be found; it may have been revoked already.");
      return;
    }
  request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT " token revoked", session->account_id);
  milk_page_render_account (request, conn, SOUP_STATUS_OK, session, "The token was revoked.", NULL);
}
