/* milk-server-oauth.c — the OAuth 2.0 authorization server (RFC 6749,
 * 7636, 7009, 8252, 8414, 9700) for the desktop app, a native public client
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <string.h>

#include "milk-server-db-accounts.h"
#include "milk-server-db-oauth.h"
#include "milk-server-policy.h"
#include "milk-server-request.h"
#include "milk-server-routes.h"
#include "milk-server-secret.h"
#include "milk-server-session.h"
#include "milk-server-verify.h"
#include "milk-server-fuzz.h"

#define SCOPE "sync"

static void
oauth_error (MilkRequest *request,
             guint        status,
             const char  *code,
             const char  *description)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, code);
  json_builder_set_member_name (builder, "error_description");
  json_builder_add_string_value (builder, description);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, description);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  milk_request_add_header (request, "Cache-Control", "no-store");
  if (status == SOUP_STATUS_UNAUTHORIZED)
    milk_request_add_header (request, "WWW-Authenticate", "Basic realm=\"milk-diary\"");
  milk_respond_json (request, status, root);
}

void
milk_route_metadata (MilkRequest *request,
                     PGconn      *conn)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  const char *base = request->config->base_url;
  const struct { const char *name; const char *path; } endpoints[] = {
    { "authorization_endpoint", "/oauth/authorize" },
    { "token_endpoint", "/oauth/token" },
    { "revocation_endpoint", "/oauth/revoke" },
    { "service_documentation", "/" },
  };
  const struct { const char *name; const char *values[3]; } lists[] = {
    { "response_types_supported", { "code" } },
    { "grant_types_supported", { "authorization_code", "refresh_token" } },
    { "code_challenge_methods_supported", { "S256" } },
    { "token_endpoint_auth_methods_supported", { "none" } },
    { "revocation_endpoint_auth_methods_supported", { "none" } },
    { "scopes_supported", { SCOPE } },
    { "response_modes_supported", { "query" } },
  };

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "issuer");
  json_builder_add_string_value (builder, base);
  for (guint i = 0; i < G_N_ELEMENTS (endpoints); i++)
    {
      g_autofree char *url = g_strconcat (base, endpoints[i].path, NULL);

      json_builder_set_member_name (builder, endpoints[i].name);
      json_builder_add_string_value (builder, url);
    }
  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      json_builder_set_member_name (builder, lists[i].name);
      json_builder_begin_array (builder);
      for (guint j = 0; j < G_N_ELEMENTS (lists[i].values) && lists[i].values[j]; j++)
        json_builder_add_string_value (builder, lists[i].values[j]);
      json_builder_end_array (builder);
    }
  json_builder_set_member_name (builder, "authorization_response_iss_parameter_supported");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  milk_respond_json (request, SOUP_STATUS_OK, root);
}

/* RFC 8252 7.3: the registered loopback URI exactly, as a string, except
 * the port: "http://127.0.0.1:PORT/oauth/callback" or the same on [::1].
 * Compared before any parsing, so no case, encoding or ":0" gets by. */
static gboolean
redirect_uri_is_registered (const char *text)
{
  static const char *const hosts[] = { "http://127.0.0.1:", "http://[::1]:" };
  const char *port = NULL;
  guint64 number;
  char *end = NULL;

  if (text == NULL || strlen (text) > 200)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (hosts) && port == NULL; i++)
    if (g_str_has_prefix (text, hosts[i]))
      port = text + strlen (hosts[i]);
  if (port == NULL || !g_ascii_isdigit (port[0]) || port[0] == '0')
    return FALSE;
  number = g_ascii_strtoull (port, &end, 10);
  return end - port <= 5 && number >= 1 && number <= 65535 && g_str_equal (end, MILK_CLIENT_REDIRECT_PATH);
}

gboolean
_milk_server_redirect_uri_is_registered (const char *text)
{
  return redirect_uri_is_registered (text);
}

static gboolean
is_base64url (const char *text,
              gsize       min,
              gsize       max,
              gboolean    pkce_verifier)
{
  gsize len = text ? strlen (text) : 0;

  if (len < min || len > max)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (text[i]) && text[i] != '-' && text[i] != '_' &&
        !(pkce_verifier && (text[i] == '.' || text[i] == '~')))
      return FALSE;
  return TRUE;
}

gboolean
_milk_server_is_base64url (const char *text,
                           gsize       min,
                           gsize       max,
                           gboolean    pkce_verifier)
{
  return is_base64url (text, min, max, pkce_verifier);
}

static void
append_param (GString    *url,
              const char *name,
              const char *value)
{
  g_autofree char *escaped = NULL;

  if (value == NULL)
    return;
  escaped = g_uri_escape_string (value, NULL, FALSE);
  g_string_append_c (url, strchr (url->str, '?') ? '&' : '?');
  g_string_append_printf (url, "%s=%s", name, escaped);
}

static void
redirect_to_client (MilkRequest *request,
                    const char  *redirect_uri,
                    const char  *code,
                    const char  *error,
                    const char  *description,
                    const char  *state)
{
  g_autoptr(GString) url = g_string_new (redirect_uri);

  append_param (url, "code", code);
  append_param (url, "error", error);
  append_param (url, "error_description", description);
  append_param (url, "state", state);
  append_param (url, "iss", request->config->base_url);
  milk_request_add_header (request, "Cache-Control", "no-store");
  milk_respond_redirect (request, url->str);
}

static char *
authorize_path (GHashTable *params)
{
  const char *names[] = { "response_type", "client_id", "redirect_uri", "state", "code_challenge",
                          "code_challenge_method", "scope" };
  g_autoptr(GString) url = g_string_new ("/oauth/authorize");

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    append_param (url, names[i], g_hash_table_lookup (params, names[i]));
  return g_strdup (url->str);
}

/* Never redirect to a URI we cannot vouch for (RFC 6749 4.1.2.1): an
 * unknown client or return address gets a page of ours. */
static gboolean
check_client (MilkRequest *request,
              GHashTable  *params)
{
  const char *client_id = g_hash_table_lookup (params, "client_id");
  const char *redirect_uri = g_hash_table_lookup (params, "redirect_uri");

  if (g_strcmp0 (client_id, MILK_CLIENT_ID) != 0 || !milk_table_is_utf8 (params))
    {
      milk_respond_page (request, SOUP_STATUS_BAD_REQUEST, "message", "title", "Unknown application",
                         "message", "This sign-in link is not for an application this service knows.",
                         "link", "/account", "link_label", "Your account", NULL);
      return FALSE;
    }
  if (!redirect_uri_is_registered (redirect_uri))
    {
      milk_respond_page (request, SOUP_STATUS_BAD_REQUEST, "message", "title", "Wrong return address",
                         "message", "This sign-in link would send you somewhere the application did not register.",
                         "link", "/account", "link_label", "Your account", NULL);
      return FALSE;
    }
  return TRUE;
}

/* What the client asks for, else the error sent back to it. */
static gboolean
check_authorization_request (MilkRequest *request,
                             GHashTable  *params)
{
  const char *redirect_uri = g_hash_table_lookup (params, "redirect_uri");
  const char *state = g_hash_table_lookup (params, "state");
  const char *challenge = g_hash_table_lookup (params, "code_challenge");
  const char *method = g_hash_table_lookup (params, "code_challenge_method");
  const char *scope = g_hash_table_lookup (params, "scope");

  if (g_strcmp0 (g_hash_table_lookup (params, "response_type"), "code") != 0)
    {
      redirect_to_client (request, redirect_uri, NULL, "unsupported_response_type",
                          "Only response_type=code is supported", state);
      return FALSE;
    }
  if (challenge == NULL || g_strcmp0 (method, "S256") != 0)
    {
      redirect_to_client (request, redirect_uri, NULL, "invalid_request",
                          "PKCE is required: send code_challenge with code_challenge_method=S256", state);
      return FALSE;
    }
  if (!is_base64url (challenge, 43, 43, FALSE))
    {
      redirect_to_client (request, redirect_uri, NULL, "invalid_request", "The code_challenge is malformed", state);
      return FALSE;
    }
  if (scope && *scope && g_strcmp0 (scope, SCOPE) != 0)
    {
      redirect_to_client (request, redirect_uri, NULL, "invalid_scope", "The only scope is “" SCOPE "”", state);
      return FALSE;
    }
  return TRUE;
}

/* The account holder allowed: a code, sent back to the client. */
static void
issue_code (MilkRequest    *request,
            PGconn         *conn,
            MilkWebSession *session,
            GHashTable     *form)
{
  const char *client_id = g_hash_table_lookup (form, "client_id");
  const char *redirect_uri = g_hash_table_lookup (form, "redirect_uri");
  const char *challenge = g_hash_table_lookup (form, "code_challenge");
  const char *state = g_hash_table_lookup (form, "state");
  g_autoptr(GError) error = NULL;
  g_autofree char *code = milk_token_new ();
  g_autofree char *hash = milk_token_hash (code);

  if (!milk_db_code_create (conn, hash, session->account_id, client_id, redirect_uri, challenge, &error))
    {
      milk_respond_db_error (request, error);
      return;
    }
  request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT " code issued", session->account_id);
  redirect_to_client (request, redirect_uri, code, NULL, NULL, state);
}

void
milk_route_authorize (MilkRequest *request,
                      PGconn      *conn)
{
  g_autoptr(GHashTable) form = NULL;
  g_autoptr(MilkWebSession) session = NULL;
  g_autoptr(GError) error = NULL;
  gboolean post = g_str_equal (request->method, "POST");
  GHashTable *params;
  const char *client_id, *redirect_uri, *state, *challenge;

  if (post)
    {
      if ((form = milk_request_form (request)) == NULL)
        {
          milk_respond_page (request, SOUP_STATUS_BAD_REQUEST, "message", "title", "Bad request",
                             "message", "The form could not be read.", "link", "/", "link_label", "Start over",
                             NULL);
          return;
        }
      params = form;
    }
  else
    params = request->query;

  client_id = g_hash_table_lookup (params, "client_id");
  redirect_uri = g_hash_table_lookup (params, "redirect_uri");
  state = g_hash_table_lookup (params, "state");
  challenge = g_hash_table_lookup (params, "code_challenge");

  if (!check_client (request, params) || !check_authorization_request (request, params))
    return;

  session = milk_page_session (request, conn, &error);
  if (session == NULL)
    {
      milk_respond_db_error (request, error);
      return;
    }
  if (session->account_id == 0)
    {
      g_autofree char *back = authorize_path (params);
      g_autofree char *escaped = g_uri_escape_string (back, NULL, FALSE);
      g_autofree char *signin = g_strconcat ("/signin?return_to=", escaped, NULL);

      milk_respond_redirect (request, signin);
      return;
    }

  {
    g_autofree char *back = authorize_path (params);

    if (!milk_page_email_verified (request, conn, session, back))
      return;
  }

  if (!post)
    {
      milk_respond_page (request, SOUP_STATUS_OK, "consent", "title", "Connect Milk Diary",
                         "email", session->email, "csrf", session->csrf, "client_id", client_id,
                         "redirect_uri", redirect_uri, "state", state ? state : "",
                         "code_challenge", challenge, "scope", SCOPE, NULL);
      return;
    }

  if (!milk_page_check_csrf (request, session, form))
    return;

  if (g_strcmp0 (g_hash_table_lookup (form, "decision"), "allow") != 0)
    {
      redirect_to_client (request, redirect_uri, NULL, "access_denied", "The account holder said no", state);
      return;
    }

  issue_code (request, conn, session, form);
}

/* The account, named so that a client can tell two accounts apart and
 * know one again, without learning anything about it. */
static char *
account_name (gint64 account_id)
{
  g_autofree char *text = g_strdup_printf ("milk-diary account %" G_GINT64_FORMAT, account_id);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);

  return g_strndup (hash, 32);
}

static void
respond_tokens (MilkRequest   *request,
                MilkTokenPair *pair,
                gint64         account_id)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "access_token");
  json_builder_add_string_value (builder, pair->access_token);
  json_builder_set_member_name (builder, "token_type");
  json_builder_add_string_value (builder, "Bearer");
  json_builder_set_member_name (builder, "expires_in");
  json_builder_add_int_value (builder, pair->expires_in);
  json_builder_set_member_name (builder, "refresh_token");
  json_builder_add_string_value (builder, pair->refresh_token);
  json_builder_set_member_name (builder, "scope");
  json_builder_add_string_value (builder, SCOPE);
  if (account_id > 0)
    {
      g_autofree char *account = account_name (account_id);

      json_builder_set_member_name (builder, "account");
      json_builder_add_string_value (builder, account);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  milk_request_add_header (request, "Cache-Control", "no-store");
  milk_request_add_header (request, "Pragma", "no-cache");
  milk_respond_json (request, SOUP_STATUS_OK, root);
}

static void
grant_authorization_code (MilkRequest *request,
                          PGconn      *conn,
                          GHashTable  *form)
{
  const char *code = g_hash_table_lookup (form, "code");
  const char *redirect_uri = g_hash_table_lookup (form, "redirect_uri");
  const char *verifier = g_hash_table_lookup (form, "code_verifier");
  g_auto(MilkTokenPair) pair = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *challenge = NULL;
  MilkCodeGrant grant;
  MilkGrantResult result;

  if (code == NULL || redirect_uri == NULL || verifier == NULL)
    {
      oauth_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                   "code, redirect_uri and code_verifier are required");
      return;
    }
  if (!is_base64url (verifier, 43, 128, TRUE))
    {
      oauth_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_request", "The code_verifier is malformed");
      return;
    }

  hash = milk_token_hash (code);
  result = milk_db_code_redeem (conn, hash, &grant, &error);
  if (error)
    {
      milk_respond_db_error (request, error);
      return;
    }
  if (result == MILK_GRANT_REUSED)
    {
      request->log_note = g_strdup ("code reused: grant revoked");
      oauth_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_grant",
                   "The authorization code was already used; its tokens are revoked");
    }
  else if (result != MILK_GRANT_OK)
    oauth_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_grant", "The authorization code is invalid or expired");
  else if (g_strcmp0 (grant.client_id, MILK_CLIENT_ID) != 0)
    oauth_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_grant", "The code was issued to another client");
  else if (g_strcmp0 (grant.redirect_uri, redirect_uri) != 0)
    oauth_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_grant", "The redirect_uri does not match");
  else if (!milk_secret_equal ((challenge = milk_pkce_s256 (verifier)), grant.code_challenge))
    oauth_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_grant", "The code_verifier does not match");
  else if (!milk_db_tokens_issue (conn, grant.account_id, grant.client_id, grant.family, &pair, &error))
    milk_respond_db_error (request, error);
  else
    {
      request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT " tokens issued", grant.account_id);
      respond_tokens (request, &pair, grant.account_id);
    }
  milk_code_grant_clear (&grant);
}

static void
grant_refresh_token (MilkRequest *request,
                     PGconn      *conn,
                     GHashTable  *form)
{
  const char *token = g_hash_table_lookup (form, "refresh_token");
  g_auto(MilkTokenPair) pair = { 0 };
  g_autoptr(GError) error = NULL;
  MilkGrantResult result;

  if (token == NULL)
    {
      oauth_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_request", "refresh_token is required");
      return;
    }
  /* A repeat of the token just rotated, within the grace, gets the same
   * pair again (a lost answer, two refreshes at once); see
   * milk_db_refresh_rotate for why that is safe. */
  result = milk_db_refresh_rotate (conn, token, MILK_CLIENT_ID, request->config->refresh_grace_s, &pair, &error);
  if (error)
    milk_respond_db_error (request, error);
  else if (result == MILK_GRANT_REUSED)
    {
      request->log_note = g_strdup ("refresh token reused: family revoked");
      oauth_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_grant",
                   "The refresh token was already used; every token of this sign-in is revoked");
    }
  else if (result == MILK_GRANT_REPEATED)
    {
      request->log_note = g_strdup ("refresh token repeated within the grace: same pair");
      respond_tokens (request, &pair, 0);
    }
  else if (result != MILK_GRANT_OK)
    oauth_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_grant", "The refresh token is invalid or expired");
  else
    respond_tokens (request, &pair, 0);
}

static GHashTable *
token_form (MilkRequest *request)
{
  GHashTable *form = milk_request_form (request);
  const char *client_id;

  if (form == NULL)
    {
      oauth_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                   "Send the parameters as application/x-www-form-urlencoded");
      return NULL;
    }
  client_id = g_hash_table_lookup (form, "client_id");
  if (g_strcmp0 (client_id, MILK_CLIENT_ID) != 0)
    {
      oauth_error (request, SOUP_STATUS_UNAUTHORIZED, "invalid_client", "Unknown client_id");
      g_hash_table_unref (form);
      return NULL;
    }
  return form;
}

void
milk_route_token (MilkRequest *request,
                  PGconn      *conn)
{
  g_autoptr(GHashTable) form = token_form (request);
  const char *grant_type;

  if (form == NULL)
    return;
  grant_type = g_hash_table_lookup (form, "grant_type");
  if (g_strcmp0 (grant_type, "authorization_code") == 0)
    grant_authorization_code (request, conn, form);
  else if (g_strcmp0 (grant_type, "refresh_token") == 0)
    grant_refresh_token (request, conn, form);
  else
    oauth_error (request, SOUP_STATUS_BAD_REQUEST, "unsupported_grant_type",
                 "grant_type must be authorization_code or refresh_token");
}

void
milk_route_revoke (MilkRequest *request,
                   PGconn      *conn)
{
  g_autoptr(GHashTable) form = token_form (request);
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  const char *token;

  if (form == NULL)
    return;
  token = g_hash_table_lookup (form, "token");
  if (token == NULL)
    {
      oauth_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_request", "token is required");
      return;
    }
  hash = milk_token_hash (token);
  if (!milk_db_token_revoke (conn, hash, MILK_CLIENT_ID, &error))
    {
      milk_respond_db_error (request, error);
      return;
    }
  /* RFC 7009 2.2: the same answer whether or not the token was known. */
  milk_request_add_header (request, "Cache-Control", "no-store");
  milk_respond_bytes (request, SOUP_STATUS_OK, "application/json", g_strdup ("{}"), 2);
}
