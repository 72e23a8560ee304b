/* milk-server-external.c — signing in through an OpenID Connect provider
 * (Google, GitLab, Microsoft, Keycloak, Authentik …) or GitHub
 *
 * Authorization code with PKCE and state (and for OpenID Connect a nonce).
 * The state rides in a cookie of this browser too, so a callback that did
 * not start here is refused. The ID token comes straight from the
 * provider's token endpoint over https, which vouches for it (OpenID
 * Connect Core 3.1.3.7, 6); its iss, aud, azp, exp and nonce are checked.
 * An identity already linked signs in to its account. Else a verified
 * email from the provider makes a new account, or links to the account
 * with that email if that account's email is verified too; if it is not,
 * its password must be given once first.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <string.h>

#include "milk-server-config.h"
#include "milk-server-db-accounts.h"
#include "milk-server-db-identity.h"
#include "milk-server-error.h"
#include "milk-server-external.h"
#include "milk-server-http.h"
#include "milk-server-request.h"
#include "milk-server-routes.h"
#include "milk-server-secret.h"
#include "milk-server-session.h"

#define LOGIN_COOKIE "milk_login"
#define LOGIN_TTL_S 600
#define CLOCK_LEEWAY_S 120

static MilkIdProvider *
find_provider (MilkRequest *request,
               const char  *name)
{
  GPtrArray *providers = request->config->providers;

  for (guint i = 0; name && i < providers->len; i++)
    {
      MilkIdProvider *provider = g_ptr_array_index (providers, i);

      if (g_str_equal (provider->name, name))
        return provider;
    }
  return NULL;
}

static const char *
string_member (JsonObject *obj,
               const char *name)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;

  if (node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

/* The provider's endpoints, from its discovery document on first use. */
static gboolean
discover (MilkIdProvider  *provider,
          GError         **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&provider->lock);
  g_autofree char *url = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *doc;
  const char *authorize, *token, *userinfo;

  if (provider->kind == MILK_ID_GITHUB)
    {
      if (provider->token_endpoint == NULL)
        {
          provider->authorization_endpoint = g_strconcat (provider->issuer, "/login/oauth/authorize", NULL);
          provider->token_endpoint = g_strconcat (provider->issuer, "/login/oauth/access_token", NULL);
        }
      return TRUE;
    }
  if (provider->token_endpoint)
    return TRUE;

  url = g_strconcat (provider->issuer, "/.well-known/openid-configuration", NULL);
  if ((node = milk_http_json (url, NULL, NULL, NULL, NULL, error)) == NULL)
    return FALSE;
  doc = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  authorize = string_member (doc, "authorization_endpoint");
  token = string_member (doc, "token_endpoint");
  userinfo = string_member (doc, "userinfo_endpoint");
  /* OpenID Connect Discovery 4.3: the issuer is exactly the one asked. */
  if (g_strcmp0 (string_member (doc, "issuer"), provider->issuer) != 0 ||
      !milk_http_url_allowed (authorize) || !milk_http_url_allowed (token) ||
      (userinfo && !milk_http_url_allowed (userinfo)))
    {
      g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_UPSTREAM,
                   "%s: the discovery document names another issuer or non-https endpoints", url);
      return FALSE;
    }
  provider->authorization_endpoint = g_strdup (authorize);
  provider->userinfo_endpoint = g_strdup (userinfo);
  provider->token_endpoint = g_strdup (token);
  return TRUE;
}

/* The sign-in page's buttons, one per provider (HTML). */
char *
milk_external_buttons_html (MilkRequest *request,
                            const char  *return_to)
{
  GPtrArray *providers = request->config->providers;
  g_autofree char *back = g_uri_escape_string (return_to, NULL, FALSE);
  GString *html;

  if (providers->len == 0)
    return g_strdup ("");
  html = g_string_new ("<div class=\"providers\">\n");
  for (guint i = 0; i < providers->len; i++)
    {
      MilkIdProvider *provider = g_ptr_array_index (providers, i);
      g_autofree char *label = g_markup_escape_text (provider->label, -1);

      g_string_append_printf (html, "<a class=\"button\" href=\"/signin/external?provider=%s&amp;"
                                    "return_to=%s\">Sign in with %s</a>\n", provider->name, back, label);
    }
  g_string_append (html, "</div>\n");
  return g_string_free (html, FALSE);
}

static void
respond_problem (MilkRequest *request,
                 guint        status,
                 const char  *title,
                 const char  *message)
{
  milk_respond_page (request, status, "message", "title", title, "message", message,
                     "link", "/signin", "link_label", "Sign in", NULL);
}

static char *
callback_uri (MilkRequest *request)
{
  return g_strconcat (request->config->base_url ? request->config->base_url : "", "/signin/external/callback", NULL);
}

/* GET /signin/external?provider=…&return_to=…: off to the provider. */
void
milk_route_external_start (MilkRequest *request,
                           PGconn      *conn)
{
  MilkIdProvider *provider = find_provider (request, g_hash_table_lookup (request->query, "provider"));
  const char *return_to = _milk_server_safe_return_to (g_hash_table_lookup (request->query, "return_to"));
  g_autoptr(GError) error = NULL;
  g_autofree char *state = milk_token_new ();
  g_autofree char *nonce = milk_token_new ();
  g_autofree char *verifier = milk_token_new ();
  g_autofree char *challenge = milk_pkce_s256 (verifier);
  g_autofree char *redirect_uri = callback_uri (request);
  g_autofree char *query = NULL;
  g_autofree char *location = NULL;

  if (provider == NULL)
    {
      respond_problem (request, SOUP_STATUS_NOT_FOUND, "Unknown provider",
                       "This service does not sign in with that provider.");
      return;
    }
  if (!discover (provider, &error))
    {
      g_warning ("Sign-in through %s: %s", provider->name, error->message);
      respond_problem (request, SOUP_STATUS_BAD_GATEWAY, "Sign-in is not available",
                       "The provider did not answer. Try again later, or sign in with your password.");
      return;
    }
  if (!milk_db_login_begin (conn, state, provider->name, nonce, verifier, return_to, &error))
    {
      milk_respond_db_error (request, error);
      return;
    }
  if (provider->kind == MILK_ID_GITHUB)
    query = soup_form_encode ("client_id", provider->client_id, "redirect_uri", redirect_uri,
                              "scope", "read:user user:email", "state", state, "code_challenge", challenge,
                              "code_challenge_method", "S256", "allow_signup", "false", NULL);
  else
    query = soup_form_encode ("response_type", "code", "client_id", provider->client_id,
                              "redirect_uri", redirect_uri, "scope", "openid email", "state", state,
                              "nonce", nonce, "code_challenge", challenge, "code_challenge_method", "S256", NULL);
  location = g_strconcat (provider->authorization_endpoint,
                          strchr (provider->authorization_endpoint, '?') ? "&" : "?", query, NULL);
  milk_request_set_cookie (request, LOGIN_COOKIE, state, LOGIN_TTL_S);
  request->log_note = g_strdup_printf ("sign-in through %s", provider->name);
  milk_respond_redirect (request, location);
}

/* The base64url JSON in the middle of a JWT. */
static JsonObject *
jwt_claims (const char *jwt)
{
  g_auto(GStrv) parts = jwt ? g_strsplit (jwt, ".", -1) : NULL;
  g_autoptr(GString) text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree guchar *decoded = NULL;
  gsize length;

  if (parts == NULL || g_strv_length (parts) != 3)
    return NULL;
  text = g_string_new (parts[1]);
  g_strdelimit (text->str, "-", '+');
  g_strdelimit (text->str, "_", '/');
  while (text->len % 4)
    g_string_append_c (text, '=');
  decoded = g_base64_decode (text->str, &length);
  if (decoded == NULL || !json_parser_load_from_data (parser, (const char *) decoded, length, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static gboolean
audience_is (JsonObject *claims,
             const char *client_id)
{
  JsonNode *aud = json_object_get_member (claims, "aud");
  const char *azp = string_member (claims, "azp");

  if (aud && JSON_NODE_HOLDS_VALUE (aud))
    return g_strcmp0 (string_member (claims, "aud"), client_id) == 0 && (azp == NULL || g_str_equal (azp, client_id));
  if (aud && JSON_NODE_HOLDS_ARRAY (aud))
    {
      JsonArray *array = json_node_get_array (aud);
      gboolean found = FALSE;

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *one = json_array_get_element (array, i);

          found |= JSON_NODE_HOLDS_VALUE (one) && json_node_get_value_type (one) == G_TYPE_STRING &&
                   g_str_equal (json_node_get_string (one), client_id);
        }
      /* Several audiences: the token must have been given to us. */
      return found && (json_array_get_length (array) == 1 || g_strcmp0 (azp, client_id) == 0);
    }
  return FALSE;
}

static gboolean
claim_true (JsonObject *claims,
            const char *name)
{
  JsonNode *node = claims ? json_object_get_member (claims, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node);
  return json_node_get_value_type (node) == G_TYPE_STRING && g_str_equal (json_node_get_string (node), "true");
}

typedef struct
{
  char *subject;
  char *email;
  gboolean email_verified;
} Person;

static void
person_clear (Person *person)
{
  g_clear_pointer (&person->subject, g_free);
  g_clear_pointer (&person->email, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Person, person_clear)

static gboolean
fail (GError    **error,
      const char *message)
{
  g_set_error_literal (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_UPSTREAM, message);
  return FALSE;
}

static JsonNode *
redeem_code (MilkRequest     *request,
             MilkIdProvider  *provider,
             const char      *code,
             const MilkLogin *login,
             GError         **error)
{
  g_autofree char *redirect_uri = callback_uri (request);
  g_autofree char *form = NULL;

  if (provider->kind == MILK_ID_GITHUB)
    form = soup_form_encode ("client_id", provider->client_id, "client_secret", provider->client_secret,
                             "code", code, "redirect_uri", redirect_uri, "code_verifier", login->verifier, NULL);
  else
    form = soup_form_encode ("grant_type", "authorization_code", "code", code, "redirect_uri", redirect_uri,
                             "code_verifier", login->verifier, NULL);
  return milk_http_json (provider->token_endpoint, form, NULL,
                         provider->kind == MILK_ID_OIDC ? provider->client_id : NULL,
                         provider->kind == MILK_ID_OIDC ? provider->client_secret : NULL, error);
}

static gboolean
identify_oidc (MilkIdProvider  *provider,
               JsonObject      *tokens,
               const MilkLogin *login,
               Person          *person,
               GError         **error)
{
  g_autoptr(JsonObject) claims = jwt_claims (string_member (tokens, "id_token"));
  JsonNode *exp = claims ? json_object_get_member (claims, "exp") : NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *sub;

  if (claims == NULL)
    return fail (error, "The provider gave no readable ID token");
  if (g_strcmp0 (string_member (claims, "iss"), provider->issuer) != 0)
    return fail (error, "The ID token is from another issuer");
  if (!audience_is (claims, provider->client_id))
    return fail (error, "The ID token is for another client");
  if (exp == NULL || !JSON_NODE_HOLDS_VALUE (exp) || json_node_get_value_type (exp) != G_TYPE_INT64 ||
      json_node_get_int (exp) + CLOCK_LEEWAY_S < now)
    return fail (error, "The ID token has expired");
  if (!milk_secret_equal (string_member (claims, "nonce"), login->nonce))
    return fail (error, "The ID token's nonce is not this sign-in's");
  if ((sub = string_member (claims, "sub")) == NULL || *sub == '\0')
    return fail (error, "The ID token names no one");
  person->subject = g_strdup (sub);

  /* Some providers put the email in the ID token, others only in the
   * user info (for the same subject). */
  if (string_member (claims, "email") == NULL && provider->userinfo_endpoint &&
      string_member (tokens, "access_token"))
    {
      g_autoptr(JsonNode) info = milk_http_json (provider->userinfo_endpoint, NULL,
                                                 string_member (tokens, "access_token"), NULL, NULL, error);
      JsonObject *obj = info && JSON_NODE_HOLDS_OBJECT (info) ? json_node_get_object (info) : NULL;

      if (obj == NULL)
        return FALSE;
      if (g_strcmp0 (string_member (obj, "sub"), sub) != 0)
        return fail (error, "The user info is for someone else");
      person->email = g_strdup (string_member (obj, "email"));
      person->email_verified = claim_true (obj, "email_verified");
      return TRUE;
    }
  person->email = g_strdup (string_member (claims, "email"));
  person->email_verified = claim_true (claims, "email_verified");
  return TRUE;
}

/* GitHub: the user's id, and the primary email if it is verified. */
static gboolean
identify_github (MilkIdProvider  *provider,
                 JsonObject      *tokens,
                 Person          *person,
                 GError         **error)
{
  const char *token = string_member (tokens, "access_token");
  g_autofree char *user_url = g_strconcat (provider->api_url, "/user", NULL);
  g_autofree char *emails_url = g_strconcat (provider->api_url, "/user/emails", NULL);
  g_autoptr(JsonNode) user = NULL;
  g_autoptr(JsonNode) emails = NULL;
  JsonNode *id;

  if (token == NULL)
    return fail (error, "GitHub gave no access token");
  if ((user = milk_http_json (user_url, NULL, token, NULL, NULL, error)) == NULL ||
      (emails = milk_http_json (emails_url, NULL, token, NULL, NULL, error)) == NULL)
    return FALSE;
  id = JSON_NODE_HOLDS_OBJECT (user) ? json_object_get_member (json_node_get_object (user), "id") : NULL;
  if (id == NULL || !JSON_NODE_HOLDS_VALUE (id) || json_node_get_value_type (id) != G_TYPE_INT64 ||
      !JSON_NODE_HOLDS_ARRAY (emails))
    return fail (error, "GitHub's answer about the user is not readable");
  person->subject = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (id));
  for (guint i = 0; i < json_array_get_length (json_node_get_array (emails)); i++)
    {
      JsonNode *one = json_array_get_element (json_node_get_array (emails), i);
      JsonObject *email = JSON_NODE_HOLDS_OBJECT (one) ? json_node_get_object (one) : NULL;

      if (claim_true (email, "primary") && string_member (email, "email"))
        {
          person->email = g_strdup (string_member (email, "email"));
          person->email_verified = claim_true (email, "verified");
        }
    }
  return TRUE;
}

static gboolean
identify (MilkRequest     *request,
          MilkIdProvider  *provider,
          const char      *code,
          const MilkLogin *login,
          Person          *person,
          GError         **error)
{
  g_autoptr(JsonNode) tokens = redeem_code (request, provider, code, login, error);
  JsonObject *obj = tokens && JSON_NODE_HOLDS_OBJECT (tokens) ? json_node_get_object (tokens) : NULL;

  if (obj == NULL)
    return tokens == NULL ? FALSE : fail (error, "The token answer is not an object");
  return provider->kind == MILK_ID_GITHUB ? identify_github (provider, obj, person, error)
                                          : identify_oidc (provider, obj, login, person, error);
}

/* The sign-in form for an identity waiting for the account's password. */
static void
render_signin (MilkRequest    *request,
               guint           status,
               MilkWebSession *session,
               const char     *email,
               const char     *return_to,
               const char     *link,
               const char     *notice)
{
  const char *back = _milk_server_safe_return_to (return_to);
  g_autofree char *back_query = g_uri_escape_string (back, NULL, FALSE);

  milk_respond_page (request, status, "signin", "title", "Sign in", "csrf", milk_page_form_csrf (request, session),
                     "email", email, "return_to", back, "return_to_query", back_query, "link", link,
                     "notice", notice, "error", "", NULL);
}

/* The account holder proves the password once: the sign-in form, with
 * the email filled in and the identity waiting under a link token. */
static void
ask_password (MilkRequest    *request,
              PGconn         *conn,
              MilkWebSession *session,
              MilkIdProvider *provider,
              MilkLogin      *login,
              const Person   *person)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *link = milk_token_new ();
  g_autofree char *message = NULL;

  login->subject = g_strdup (person->subject);
  login->email = g_strdup (person->email);
  if (!milk_db_login_await_password (conn, link, login, &error))
    {
      milk_respond_db_error (request, error);
      return;
    }
  message = g_strdup_printf ("An account with %s exists. Enter its password once to sign in with %s from now on.",
                             person->email, provider->label);
  render_signin (request, SOUP_STATUS_OK, session, person->email, login->return_to, link, message);
}

/* GET /signin/external/callback?code=…&state=…: who the provider says the
 * person is, and into which account. */
void
milk_route_external_callback (MilkRequest *request,
                              PGconn      *conn)
{
  const char *state = g_hash_table_lookup (request->query, "state");
  g_autofree char *cookie = milk_request_cookie (request, LOGIN_COOKIE);
  g_autoptr(MilkWebSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(MilkLogin) login = { 0 };
  g_auto(Person) person = { 0 };
  MilkIdProvider *provider;
  gint64 account_id;
  gboolean verified;

  milk_request_set_cookie (request, LOGIN_COOKIE, "", 0);
  if (state == NULL || !milk_secret_equal (state, cookie))
    {
      request->log_note = g_strdup ("external sign-in: state not this browser's");
      respond_problem (request, SOUP_STATUS_BAD_REQUEST, "This sign-in did not start here",
                       "Start again from the sign-in page, in this browser.");
      return;
    }
  if (!milk_db_login_take (conn, state, FALSE, &login, &error) ||
      (provider = find_provider (request, login.provider)) == NULL)
    {
      if (error)
        milk_respond_db_error (request, error);
      else
        respond_problem (request, SOUP_STATUS_BAD_REQUEST, "This sign-in has expired",
                         "It was started more than ten minutes ago, or used already. Start again.");
      return;
    }
  /* RFC 9207: a provider that names itself must be the one asked. */
  if (provider->kind == MILK_ID_OIDC && g_hash_table_lookup (request->query, "iss") &&
      g_strcmp0 (g_hash_table_lookup (request->query, "iss"), provider->issuer) != 0)
    {
      request->log_note = g_strdup ("external sign-in: answer from another issuer");
      respond_problem (request, SOUP_STATUS_BAD_REQUEST, "Not signed in",
                       "The answer came from another provider than the one asked. Start again.");
      return;
    }
  if (g_hash_table_lookup (request->query, "code") == NULL)
    {
      request->log_note = g_strdup_printf ("external sign-in: %s said no", provider->name);
      respond_problem (request, SOUP_STATUS_FORBIDDEN, "Not signed in",
                       "The provider did not sign you in. You can try again, or sign in with your password.");
      return;
    }
  if (!identify (request, provider, g_hash_table_lookup (request->query, "code"), &login, &person, &error))
    {
      g_warning ("Sign-in through %s failed: %s", provider->name, error->message);
      respond_problem (request, SOUP_STATUS_BAD_GATEWAY, "Not signed in",
                       "The provider's answer could not be checked. Try again, or sign in with your password.");
      return;
    }
  if ((session = milk_page_session (request, conn, &error)) == NULL)
    {
      milk_respond_db_error (request, error);
      return;
    }

  account_id = milk_db_identity_account (conn, provider->name, person.subject, &error);
  if (account_id == 0 && error == NULL)
    {
      if (person.email == NULL || !person.email_verified || !_milk_server_email_is_valid (person.email))
        {
          respond_problem (request, SOUP_STATUS_FORBIDDEN, "No verified email",
                           "The provider did not vouch for an email address. Create an account with a password "
                           "instead.");
          return;
        }
      if (!milk_db_account_by_email (conn, person.email, &account_id, &verified, &error))
        {
          milk_respond_db_error (request, error);
          return;
        }
      if (account_id == 0)
        account_id = milk_db_account_create_external (conn, person.email, provider->name, person.subject, &error);
      else if (verified)
        {
          if (!milk_db_identity_link (conn, account_id, provider->name, person.subject, person.email, &error))
            account_id = 0;
        }
      else
        {
          ask_password (request, conn, session, provider, &login, &person);
          return;
        }
    }
  if (account_id == 0)
    {
      if (error)
        milk_respond_db_error (request, error);
      else
        respond_problem (request, SOUP_STATUS_CONFLICT, "Not signed in",
                         "Another account took this email a moment ago. Sign in to it instead.");
      return;
    }
  request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT " signed in through %s", account_id,
                                       provider->name);
  if (!milk_page_sign_in_as (request, conn, session, account_id, login.return_to, &error))
    milk_respond_db_error (request, error);
}

/* After a right password with a link token from ask_password: the
 * identity is linked if it vouched for this account's email. */
void
milk_external_link_after_password (MilkRequest *request,
                                   PGconn      *conn,
                                   const char  *link,
                                   gint64       account_id,
                                   const char  *email)
{
  g_autoptr(GError) error = NULL;
  g_auto(MilkLogin) login = { 0 };

  if (link == NULL || *link == '\0' || !milk_db_login_take (conn, link, TRUE, &login, &error))
    return;
  if (login.email == NULL || g_ascii_strcasecmp (login.email, email) != 0 ||
      !milk_db_identity_link (conn, account_id, login.provider, login.subject, login.email, &error))
    {
      if (error)
        g_warning ("An identity could not be linked: %s", error->message);
      return;
    }
  g_free (request->log_note);
  request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT " signed in, %s linked", account_id,
                                       login.provider);
}

/* The account page's list of providers linked, each with its Unlink
 * button (HTML); "" when there are none. */
char *
milk_external_identities_html (MilkRequest    *request,
                               PGconn         *conn,
                               MilkWebSession *session)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) identities = NULL;
  gboolean has_password;
  GString *html;

  identities = milk_db_identities_list (conn, session->account_id, &has_password, &error);
  if (identities == NULL || identities->len == 0)
    return g_strdup ("");
  html = g_string_new ("<h3>Sign-in providers</h3>\n<ul class=\"identities\">\n");
  for (guint i = 0; i < identities->len; i++)
    {
      MilkIdentity *identity = g_ptr_array_index (identities, i);
      MilkIdProvider *provider = find_provider (request, identity->provider);
      g_autofree char *label = g_markup_escape_text (provider ? provider->label : identity->provider, -1);
      g_autofree char *email = g_markup_escape_text (identity->email, -1);
      g_autofree char *name = g_markup_escape_text (identity->provider, -1);
      g_autofree char *subject = g_markup_escape_text (identity->subject, -1);
      g_autofree char *csrf = g_markup_escape_text (session->csrf, -1);

      g_string_append_printf (html, "<li>%s (%s)", label, email);
      if (has_password || identities->len > 1)
        g_string_append_printf (html,
                                " <form method=\"post\" action=\"/account/identity/unlink\" class=\"inline\">"
                                "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
                                "<input type=\"hidden\" name=\"provider\" value=\"%s\">"
                                "<input type=\"hidden\" name=\"subject\" value=\"%s\">"
                                "<button type=\"submit\" class=\"secondary\">Unlink %s</button></form>",
                                csrf, name, subject, label);
      g_string_append (html, "</li>\n");
    }
  g_string_append (html, "</ul>\n");
  return g_string_free (html, FALSE);
}
