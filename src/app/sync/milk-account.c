/* milk-account.c — signing in to a sync server with the system browser
 *
 * The app is an OAuth 2.0 native public client (RFC 8252): it listens on
 * 127.0.0.1 on an ephemeral port, opens the system browser (the OpenURI
 * portal inside Flatpak) at the server's authorize page with PKCE S256 and
 * a random state, receives the code on the loopback and exchanges it.
 * Tokens go to the keyring only; none is ever logged or put in a message.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-sync"

#include "config.h"

#include <string.h>
#include <errno.h>
#include <sys/random.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "milk-account.h"
#include "milk-token-store.h"

#define DEFAULT_BROWSER_TIMEOUT_S (5 * 60)
#define REFRESH_MARGIN_S 60

struct _MilkAccount
{
  GObject parent_instance;

  char *server;
  char *diary;
  SoupSession *session;
  MilkTokens *tokens;
  char *authorization_endpoint;
  char *token_endpoint;
  char *revocation_endpoint;
  char *issuer;
  gboolean iss_required;
  guint browser_timeout_s;
  char *account_id;             /* as the service named it at sign-in; kept with the tokens */

  struct _Refresh *refresh;     /* the one refresh in flight, or NULL */
  GPtrArray *refresh_waiters;   /* GTasks sharing its result */
  MilkTokens *unsaved;          /* refreshed, refused by the keyring: kept unspent */
};

G_DEFINE_FINAL_TYPE (MilkAccount, milk_account, G_TYPE_OBJECT)

G_DEFINE_QUARK (milk-account-error-quark, milk_account_error)

enum {
  PROP_0,
  PROP_SERVER,
  PROP_SIGNED_IN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Only https:// servers, except on this machine's loopback. */
char *
milk_account_normalize_server (const char  *url,
                               GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (url ? url : ""));
  const char *scheme, *host;
  gsize len;

  uri = g_uri_parse (stripped, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_INVALID_SERVER,
                   _("Enter the server’s address, such as https://sync.example.org"));
      return NULL;
    }
  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  if (g_strcmp0 (scheme, "https") != 0 &&
      !(g_strcmp0 (scheme, "http") == 0 &&
        (g_str_equal (host, "127.0.0.1") || g_str_equal (host, "localhost") || g_str_equal (host, "::1"))))
    {
      g_set_error (error, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_INVALID_SERVER,
                   _("Only secure (https://) sync servers can be used"));
      return NULL;
    }
  if (g_uri_get_query (uri) || g_uri_get_fragment (uri) || g_uri_get_userinfo (uri))
    {
      g_set_error (error, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_INVALID_SERVER,
                   _("The server’s address cannot have a query, a fragment or a user name"));
      return NULL;
    }

  len = strlen (stripped);
  while (len > 0 && stripped[len - 1] == '/')
    stripped[--len] = '\0';
  return g_steal_pointer (&stripped);
}

static void
milk_account_finalize (GObject *object)
{
  MilkAccount *self = MILK_ACCOUNT (object);

  g_clear_pointer (&self->server, g_free);
  g_clear_pointer (&self->diary, g_free);
  g_clear_pointer (&self->account_id, g_free);
  g_clear_object (&self->session);
  g_clear_pointer (&self->tokens, milk_tokens_free);
  g_clear_pointer (&self->unsaved, milk_tokens_free);
  g_clear_pointer (&self->refresh_waiters, g_ptr_array_unref);
  g_clear_pointer (&self->authorization_endpoint, g_free);
  g_clear_pointer (&self->token_endpoint, g_free);
  g_clear_pointer (&self->revocation_endpoint, g_free);
  g_clear_pointer (&self->issuer, g_free);

  G_OBJECT_CLASS (milk_account_parent_class)->finalize (object);
}

static void
milk_account_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  MilkAccount *self = MILK_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      g_value_set_string (value, self->server);
      break;
    case PROP_SIGNED_IN:
      g_value_set_boolean (value, self->tokens != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
milk_account_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  MilkAccount *self = MILK_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      self->server = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
milk_account_class_init (MilkAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = milk_account_finalize;
  object_class->get_property = milk_account_get_property;
  object_class->set_property = milk_account_set_property;

  properties[PROP_SERVER] =
    g_param_spec_string ("server", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SIGNED_IN] =
    g_param_spec_boolean ("signed-in", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
milk_account_init (MilkAccount *self)
{
  g_autofree char *agent = g_strdup_printf ("MilkDiary/%s", PACKAGE_VERSION);

  self->session = soup_session_new_with_options ("user-agent", agent, "timeout", 30, NULL);
  self->browser_timeout_s = DEFAULT_BROWSER_TIMEOUT_S;
  self->refresh_waiters = g_ptr_array_new_with_free_func (g_object_unref);
}

MilkAccount *
milk_account_new (const char *server,
                  const char *diary)
{
  MilkAccount *self = g_object_new (MILK_TYPE_ACCOUNT, "server", server, NULL);

  self->diary = g_strdup (diary);
  return self;
}

const char *
milk_account_get_server (MilkAccount *self)
{
  return self->server;
}

/* The service's opaque name for the account the last sign-in on this
 * object chose, or NULL (loaded from the keyring, or an older service). */
const char *
milk_account_get_account_id (MilkAccount *self)
{
  g_return_val_if_fail (MILK_IS_ACCOUNT (self), NULL);

  return self->account_id;
}

gboolean
milk_account_get_signed_in (MilkAccount *self)
{
  return self->tokens != NULL;
}

SoupSession *
milk_account_get_session (MilkAccount *self)
{
  return self->session;
}

void
milk_account_set_browser_timeout (MilkAccount *self,
                                  guint        seconds)
{
  self->browser_timeout_s = seconds;
}

static void
set_tokens (MilkAccount *self,
            MilkTokens  *tokens)
{
  gboolean was = self->tokens != NULL;

  g_clear_pointer (&self->tokens, milk_tokens_free);
  g_clear_pointer (&self->unsaved, milk_tokens_free);
  self->tokens = tokens;
  if (was != (tokens != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNED_IN]);
}

/* JSON from the server ------------------------------------------------- */

static JsonObject *
parse_object (GBytes  *body,
              GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len = 0;
  const char *data = body ? g_bytes_get_data (body, &len) : NULL;

  /* A blank body parses, to no root at all. */
  if (data == NULL || !json_parser_load_from_data (parser, data, len, NULL) ||
      json_parser_get_root (parser) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_SERVER,
                   _("The sync server sent an answer Milk Diary does not understand"));
      return NULL;
    }
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static const char *
string_member (JsonObject *obj,
               const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* An endpoint must live on the server the person chose. */
static char *
same_origin_endpoint (MilkAccount *self,
                      JsonObject  *metadata,
                      const char  *name)
{
  const char *value = string_member (metadata, name);

  if (value == NULL || !g_str_has_prefix (value, self->server) ||
      (value[strlen (self->server)] != '/' && value[strlen (self->server)] != '\0'))
    return NULL;
  return g_strdup (value);
}

/* Discovery (RFC 8414) ------------------------------------------------- */

static void
discovered (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MilkAccount *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_autoptr(JsonObject) metadata = NULL;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);

  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (soup_message_get_status (msg) != SOUP_STATUS_OK || (metadata = parse_object (body, &error)) == NULL)
    {
      g_task_return_new_error (task, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_INVALID_SERVER,
                               _("%s is not a Milk Diary sync server (no sign-in metadata)"), self->server);
      return;
    }

  g_free (self->authorization_endpoint);
  g_free (self->token_endpoint);
  g_free (self->revocation_endpoint);
  self->authorization_endpoint = same_origin_endpoint (self, metadata, "authorization_endpoint");
  self->token_endpoint = same_origin_endpoint (self, metadata, "token_endpoint");
  self->revocation_endpoint = same_origin_endpoint (self, metadata, "revocation_endpoint");
  g_free (self->issuer);
  self->issuer = g_strdup (string_member (metadata, "issuer"));
  self->iss_required = json_object_get_boolean_member_with_default (metadata,
                                                                    "authorization_response_iss_parameter_supported",
                                                                    FALSE);
  if (self->authorization_endpoint == NULL || self->token_endpoint == NULL)
    {
      g_task_return_new_error (task, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_INVALID_SERVER,
                               _("The sync server’s sign-in metadata is incomplete"));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
discover_async (MilkAccount         *self,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *url = g_strconcat (self->server, "/.well-known/oauth-authorization-server", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);

  if (self->token_endpoint != NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable, discovered, task);
}

/* The token endpoint --------------------------------------------------- */

/* Posts a form to the token endpoint; returns the new tokens, or an error
 * that says whether signing in again is what it takes. */
static void
token_answered (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(JsonObject) obj = NULL;
  const char *access, *refresh, *oauth_error;
  MilkTokens *tokens;
  gint64 expires_in = 3600;
  guint status;

  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  status = soup_message_get_status (msg);
  obj = parse_object (body, NULL);
  oauth_error = obj ? string_member (obj, "error") : NULL;

  if (status == SOUP_STATUS_BAD_REQUEST && g_strcmp0 (oauth_error, "invalid_grant") == 0)
    {
      g_task_return_new_error (task, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_SIGN_IN_AGAIN,
                               _("The sign-in has expired or was revoked; sign in again"));
      return;
    }
  if (status != SOUP_STATUS_OK || obj == NULL ||
      (access = string_member (obj, "access_token")) == NULL ||
      (refresh = string_member (obj, "refresh_token")) == NULL)
    {
      g_task_return_new_error (task, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_SERVER,
                               _("The sync server refused to sign in (%u %s)"), status,
                               oauth_error ? oauth_error : soup_message_get_reason_phrase (msg));
      return;
    }
  if (json_object_has_member (obj, "expires_in"))
    expires_in = CLAMP (json_object_get_int_member (obj, "expires_in"), 10, 24 * 3600);

  tokens = milk_tokens_new (access, refresh, g_get_real_time () / G_USEC_PER_SEC + expires_in);
  tokens->account = g_strdup (string_member (obj, "account"));
  g_task_return_pointer (task, tokens, (GDestroyNotify) milk_tokens_free);
}

static void
post_token_form (MilkAccount  *self,
                 char         *form,
                 GCancellable *cancellable,
                 GTask        *task)
{
  g_autoptr(SoupMessage) msg = soup_message_new_from_encoded_form ("POST", self->token_endpoint, form);

  soup_message_headers_append (soup_message_get_request_headers (msg), "Accept", "application/json");
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable, token_answered, task);
}

/* Loading tokens from the keyring ------------------------------------- */

static void
tokens_loaded (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MilkAccount *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  MilkTokens *tokens = milk_token_store_load_finish (result, &error);

  if (error)
    {
      g_task_return_new_error (task, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_KEYRING, "%s", error->message);
      return;
    }
  /* No tokens is a successful load too: the device is signed out, which
   * is what "signed-in" says. */
  g_free (self->account_id);
  self->account_id = tokens ? g_strdup (tokens->account) : NULL;
  set_tokens (self, tokens);
  g_task_return_boolean (task, TRUE);
}

void
milk_account_load_async (MilkAccount         *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  milk_token_store_load_async (self->server, self->diary, cancellable, tokens_loaded, task);
}

gboolean
milk_account_load_finish (MilkAccount   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Signing in ----------------------------------------------------------- */

typedef struct
{
  char *verifier;
  char *state;
  char *redirect_uri;
  SoupServer *loopback;
  guint timeout_id;
  GCancellable *cancellable;
  gulong cancelled_id;
  gboolean answered;
  MilkTokens *tokens;
} SignIn;

static void
sign_in_free (SignIn *s)
{
  if (s->verifier)
    explicit_bzero (s->verifier, strlen (s->verifier));
  g_free (s->verifier);
  g_free (s->state);
  g_free (s->redirect_uri);
  g_clear_handle_id (&s->timeout_id, g_source_remove);
  if (s->cancellable)
    g_cancellable_disconnect (s->cancellable, s->cancelled_id);
  g_clear_object (&s->cancellable);
  if (s->loopback)
    soup_server_disconnect (s->loopback);
  g_clear_object (&s->loopback);
  milk_tokens_free (s->tokens);
  g_free (s);
}

static char *
base64url (const guint8 *data,
           gsize         len)
{
  char *text = g_base64_encode (data, len);

  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  for (char *p = text + strlen (text); p > text && p[-1] == '='; )
    *--p = '\0';
  return text;
}

/* 256 bits from the kernel's CSPRNG, for the PKCE verifier and state. */
static char *
random_token (void)
{
  guint8 bytes[32];
  gsize got = 0;

  while (got < sizeof bytes)
    {
      ssize_t n = getrandom (bytes + got, sizeof bytes - got, 0);

      if (n > 0)
        got += n;
      else if (errno != EINTR)
        g_error ("The kernel gave no random bytes: %s", g_strerror (errno));
    }
  return base64url (bytes, sizeof bytes);
}

static char *
s256 (const char *verifier)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize n = sizeof digest;

  g_checksum_update (sum, (const guchar *) verifier, strlen (verifier));
  g_checksum_get_digest (sum, digest, &n);
  return base64url (digest, n);
}

static void
finish_sign_in_error (GTask  *task,
                      GError *error)
{
  SignIn *s = g_task_get_task_data (task);

  if (g_task_get_completed (task) || s->answered)
    {
      g_error_free (error);
      return;
    }
  s->answered = TRUE;
  g_clear_handle_id (&s->timeout_id, g_source_remove);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
tokens_saved (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MilkAccount *self = g_task_get_source_object (task);
  SignIn *s = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!milk_token_store_save_finish (result, &error))
    {
      g_task_return_new_error (task, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_KEYRING, "%s", error->message);
      return;
    }
  g_free (self->account_id);
  self->account_id = g_strdup (s->tokens->account);
  set_tokens (self, g_steal_pointer (&s->tokens));
  g_task_return_boolean (task, TRUE);
}

static void
code_exchanged (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SignIn *s = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  MilkAccount *self = g_task_get_source_object (task);
  GCancellable *cancellable;

  s->tokens = g_task_propagate_pointer (G_TASK (result), &error);
  if (s->tokens == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  cancellable = g_task_get_cancellable (task);
  milk_token_store_save_async (self->server, self->diary, s->tokens, cancellable,
                               tokens_saved, g_steal_pointer (&task));
}

static const char closed_page[] =
  "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Milk Diary</title>"
  "<style>body{font-family:sans-serif;text-align:center;margin-top:20vh;color:#333}</style></head>"
  "<body><h1>%s</h1><p>%s</p></body></html>";

static void
respond_page (SoupServerMessage *msg,
              guint              status,
              const char        *title,
              const char        *text)
{
  g_autofree char *t = g_markup_escape_text (title, -1);
  g_autofree char *x = g_markup_escape_text (text, -1);
  g_autofree char *html = g_strdup_printf (closed_page, t, x);

  soup_server_message_set_status (msg, status, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Cache-Control", "no-store");
  soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_COPY, html, strlen (html));
}

static void
loopback_callback (SoupServer        *server,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  GTask *task = user_data;
  SignIn *s = g_task_get_task_data (task);
  MilkAccount *self = g_task_get_source_object (task);
  const char *state = query ? g_hash_table_lookup (query, "state") : NULL;
  const char *code = query ? g_hash_table_lookup (query, "code") : NULL;
  const char *oauth_error = query ? g_hash_table_lookup (query, "error") : NULL;
  const char *iss = query ? g_hash_table_lookup (query, "iss") : NULL;
  GTask *exchange;

  if (s->answered || g_task_get_completed (task))
    {
      respond_page (msg, SOUP_STATUS_GONE, _("Already Done"), _("You can close this window."));
      return;
    }
  /* A request without our state is not the server's answer: ignore it,
   * keep waiting for the real one. */
  if (state == NULL || g_strcmp0 (state, s->state) != 0)
    {
      respond_page (msg, SOUP_STATUS_BAD_REQUEST, _("Not Signed In"),
                    _("This sign-in link is not the one Milk Diary opened."));
      return;
    }
  /* RFC 9207: the answer names the server that gave it; another one's
   * answer (a mix-up) ends the sign-in. */
  if (self->issuer != NULL &&
      (iss != NULL ? g_strcmp0 (iss, self->issuer) != 0 : self->iss_required))
    {
      respond_page (msg, SOUP_STATUS_BAD_REQUEST, _("Not Signed In"),
                    _("This answer did not come from the server Milk Diary asked."));
      finish_sign_in_error (task, g_error_new (MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_DENIED,
                                               _("The sign-in answer came from another server; try again")));
      return;
    }
  if (oauth_error != NULL || code == NULL)
    {
      respond_page (msg, SOUP_STATUS_OK, _("Not Signed In"), _("You can close this window and try again in Milk Diary."));
      finish_sign_in_error (task, g_error_new (MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_DENIED,
                                               _("Signing in was cancelled or refused in the browser")));
      return;
    }

  respond_page (msg, SOUP_STATUS_OK, _("Signed In to Milk Diary"), _("You can close this window and go back to Milk Diary."));
  s->answered = TRUE;
  g_clear_handle_id (&s->timeout_id, g_source_remove);

  exchange = g_task_new (self, g_task_get_cancellable (task), code_exchanged, task);
  post_token_form (self,
                   soup_form_encode ("grant_type", "authorization_code",
                                     "code", code,
                                     "redirect_uri", s->redirect_uri,
                                     "client_id", MILK_CLIENT_ID,
                                     "code_verifier", s->verifier,
                                     NULL),
                   g_task_get_cancellable (task), exchange);
}

static gboolean
browser_timed_out (gpointer user_data)
{
  GTask *task = user_data;
  SignIn *s = g_task_get_task_data (task);

  s->timeout_id = 0;
  finish_sign_in_error (task, g_error_new (MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_BROWSER_TIMEOUT,
                                           _("The browser did not come back; try signing in again")));
  return G_SOURCE_REMOVE;
}

static gboolean
cancel_in_idle (gpointer user_data)
{
  GTask *task = user_data;

  finish_sign_in_error (task, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Signing in was cancelled")));
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

/* Runs in whichever thread cancelled; the task ends in its own context. */
static void
sign_in_cancelled (GCancellable *cancellable,
                   GTask        *task)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_callback (source, cancel_in_idle, g_object_ref (task), NULL);
  g_source_attach (source, g_task_get_context (task));
}

static void
browser_opened (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    finish_sign_in_error (task, g_error_new (MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_DENIED,
                                             _("No web browser could be opened: %s"), error->message));
}

static void
discovered_for_sign_in (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GTask *task = user_data;
  MilkAccount *self = MILK_ACCOUNT (source);
  SignIn *s = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;
  g_autofree char *challenge = NULL;
  g_autofree char *url = NULL;
  g_autofree char *escaped_redirect = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      finish_sign_in_error (task, g_steal_pointer (&error));
      return;
    }

  s->loopback = soup_server_new (NULL, NULL);
  soup_server_add_handler (s->loopback, MILK_REDIRECT_PATH, loopback_callback, task, NULL);
  if (!soup_server_listen_local (s->loopback, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      finish_sign_in_error (task, g_steal_pointer (&error));
      return;
    }
  uris = soup_server_get_uris (s->loopback);
  s->redirect_uri = g_strdup_printf ("http://127.0.0.1:%d%s", g_uri_get_port (uris->data), MILK_REDIRECT_PATH);

  s->verifier = random_token ();
  s->state = random_token ();
  challenge = s256 (s->verifier);
  escaped_redirect = g_uri_escape_string (s->redirect_uri, NULL, FALSE);
  url = g_strdup_printf ("%s%sresponse_type=code&client_id=%s&redirect_uri=%s"
                         "&code_challenge=%s&code_challenge_method=S256&state=%s",
                         self->authorization_endpoint,
                         strchr (self->authorization_endpoint, '?') ? "&" : "?",
                         MILK_CLIENT_ID, escaped_redirect, challenge, s->state);

  s->timeout_id = g_timeout_add_seconds (self->browser_timeout_s, browser_timed_out, task);
  if (cancellable)
    {
      s->cancellable = g_object_ref (cancellable);
      s->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (sign_in_cancelled), task, NULL);
    }

  g_debug ("Opening the browser to sign in at %s", self->server);
  g_app_info_launch_default_for_uri_async (url, NULL, NULL, browser_opened, g_object_ref (task));
}

static void
sign_in_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  g_autoptr(GError) error = NULL;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_boolean (outer, TRUE);
  else
    g_task_return_error (outer, g_steal_pointer (&error));
}

/* The keyring is asked first: without one the sign-in could not be kept,
 * and the person would go through the browser for nothing. */
static void
keyring_checked (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  MilkAccount *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  MilkTokens *tokens = milk_token_store_load_finish (result, &error);

  milk_tokens_free (tokens);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      finish_sign_in_error (task, g_steal_pointer (&error));
      return;
    }
  if (error != NULL)
    {
      finish_sign_in_error (task, g_error_new_literal (MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_KEYRING, error->message));
      return;
    }
  discover_async (self, g_task_get_cancellable (task), discovered_for_sign_in, task);
}

void
milk_account_sign_in_async (MilkAccount         *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *outer = g_task_new (self, cancellable, callback, user_data);
  GTask *task = g_task_new (self, cancellable, sign_in_done, outer);

  g_task_set_source_tag (outer, milk_account_sign_in_async);
  g_task_set_task_data (task, g_new0 (SignIn, 1), (GDestroyNotify) sign_in_free);
  g_task_set_check_cancellable (task, FALSE);
  milk_token_store_load_async (self->server, self->diary, cancellable, keyring_checked, task);
}

gboolean
milk_account_sign_in_finish (MilkAccount   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Access tokens, refreshed when due ------------------------------------
 *
 * A refresh spends the refresh token: the service rotates it and answers
 * with a new pair, and revokes the whole sign-in when a spent token comes
 * back (except a repeat within a short grace, which gets the same pair).
 * So there is one refresh at a time; callers that ask while it runs wait
 * for it and share its result. The new pair is written to the keyring
 * before anything uses it: the keyring is what the next start signs in
 * with, and a pair in use but not saved would be rotated on while the
 * keyring still held a spent token. A pair the keyring refuses is kept in
 * memory, unspent, and saved again at the next request; until then the
 * person is told, and nothing syncs with it (a restart in between finds the
 * old token, which within the grace brings the same pair back). A refresh
 * whose answer never came (a connection cut after the service rotated) is
 * asked again at once with the same token, for the same reason. */

typedef struct _Refresh
{
  char *spent;          /* the refresh token this refresh spends */
  guint attempts;
  MilkTokens *pair;     /* the new pair, while the keyring writes it */
} Refresh;

static void
refresh_free (Refresh *refresh)
{
  if (refresh->spent)
    explicit_bzero (refresh->spent, strlen (refresh->spent));
  g_free (refresh->spent);
  milk_tokens_free (refresh->pair);
  g_free (refresh);
}

/* Every waiter gets the result. Takes error. */
static void
finish_refresh (MilkAccount *self,
                GError      *error)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->refresh_waiters);

  self->refresh_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  g_clear_pointer (&self->refresh, refresh_free);
  if (error == NULL && self->tokens == NULL)
    error = g_error_new_literal (MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_SIGNED_OUT, _("Not signed in"));
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);

      if (error)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_pointer (task, g_strdup (self->tokens->access_token), g_free);
    }
  g_clear_error (&error);
}

/* Signed out, or in anew, while the refresh ran: its pair is not ours. */
static gboolean
refresh_is_current (MilkAccount *self)
{
  return self->tokens != NULL && g_str_equal (self->tokens->refresh_token, self->refresh->spent);
}

static void
pair_saved (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(MilkAccount) self = user_data;
  g_autoptr(GError) error = NULL;
  MilkTokens *pair = g_steal_pointer (&self->refresh->pair);
  gboolean saved = milk_token_store_save_finish (result, &error);

  if (!refresh_is_current (self))
    {
      /* The keyring may now hold this pair over the new state: say it again. */
      milk_tokens_free (pair);
      if (saved && self->tokens == NULL)
        milk_token_store_clear_async (self->server, self->diary, NULL, NULL, NULL);
      else if (saved)
        milk_token_store_save_async (self->server, self->diary, self->tokens, NULL, NULL, NULL);
      finish_refresh (self, NULL);
      return;
    }
  if (!saved)
    {
      /* Not used, not lost: kept unspent, and saved at the next request. */
      g_clear_pointer (&self->unsaved, milk_tokens_free);
      self->unsaved = pair;
      finish_refresh (self, g_error_new_literal (MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_KEYRING,
                                                 _("The renewed sign-in could not be saved: the system keyring is "
                                                   "not available or is locked. Syncing waits until it can be "
                                                   "saved; the diary keeps working on this device.")));
      return;
    }
  set_tokens (self, pair);
  finish_refresh (self, NULL);
}

static void
save_pair (MilkAccount *self,
           MilkTokens  *pair)
{
  self->refresh->pair = pair;
  if (pair->account == NULL && self->account_id != NULL)
    pair->account = g_strdup (self->account_id);
  milk_token_store_save_async (self->server, self->diary, pair, NULL, pair_saved, g_object_ref (self));
}

static void post_refresh (MilkAccount *self);

static void
refresh_answered (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  MilkAccount *self = MILK_ACCOUNT (source);
  g_autoptr(GError) error = NULL;
  MilkTokens *pair = g_task_propagate_pointer (G_TASK (result), &error);

  if (!refresh_is_current (self))
    {
      milk_tokens_free (pair);
      finish_refresh (self, NULL);
      return;
    }
  if (pair == NULL && error->domain != MILK_ACCOUNT_ERROR &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->refresh->attempts < 2)
    {
      /* No answer: perhaps the service rotated and the answer was lost.
       * The same token again gets the same pair within the grace. */
      g_debug ("The refresh got no answer (%s); asking again", error->message);
      post_refresh (self);
      return;
    }
  if (pair == NULL)
    {
      if (g_error_matches (error, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_SIGN_IN_AGAIN))
        {
          /* The refresh token is spent or revoked: forget it. */
          set_tokens (self, NULL);
          milk_token_store_clear_async (self->server, self->diary, NULL, NULL, NULL);
        }
      finish_refresh (self, g_steal_pointer (&error));
      return;
    }
  save_pair (self, pair);
}

static void
post_refresh (MilkAccount *self)
{
  /* No cancellable: a refresh the service may have carried out is seen
   * through, so that its pair is saved; the waiters may stop waiting. */
  GTask *post = g_task_new (self, NULL, refresh_answered, NULL);

  self->refresh->attempts++;
  post_token_form (self,
                   soup_form_encode ("grant_type", "refresh_token",
                                     "refresh_token", self->refresh->spent,
                                     "client_id", MILK_CLIENT_ID,
                                     NULL),
                   NULL, post);
}

static void
discovered_for_refresh (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  MilkAccount *self = MILK_ACCOUNT (source);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    finish_refresh (self, error);
  else if (!refresh_is_current (self))
    finish_refresh (self, NULL);
  else
    post_refresh (self);
}

static void
start_refresh (MilkAccount *self)
{
  self->refresh = g_new0 (Refresh, 1);
  self->refresh->spent = g_strdup (self->tokens->refresh_token);
  /* A pair the keyring refused before is saved, not fetched anew: its
   * refresh token is the live one now. */
  if (self->unsaved != NULL)
    save_pair (self, g_steal_pointer (&self->unsaved));
  else
    discover_async (self, NULL, discovered_for_refresh, NULL);
}

void
milk_account_get_access_token_async (MilkAccount         *self,
                                     gboolean             force_refresh,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (self->tokens == NULL)
    {
      g_task_return_new_error (task, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_SIGNED_OUT, _("Not signed in"));
      g_object_unref (task);
      return;
    }
  if (self->refresh == NULL && self->unsaved == NULL && !force_refresh &&
      self->tokens->expires_at > now + REFRESH_MARGIN_S)
    {
      g_task_return_pointer (task, g_strdup (self->tokens->access_token), g_free);
      g_object_unref (task);
      return;
    }
  g_ptr_array_add (self->refresh_waiters, task);
  if (self->refresh == NULL)
    start_refresh (self);
}

char *
milk_account_get_access_token_finish (MilkAccount   *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Signing out ---------------------------------------------------------- */

static void
cleared_for_sign_out (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!milk_token_store_clear_finish (result, &error))
    g_task_return_new_error (task, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_KEYRING, "%s", error->message);
  else
    g_task_return_boolean (task, TRUE);
}

static void
revoked (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MilkAccount *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

  /* Offline or not, the device forgets the sign-in. */
  if (body == NULL)
    g_warning ("The server could not be told of the sign-out: %s", error->message);
  set_tokens (self, NULL);
  milk_token_store_clear_async (self->server, self->diary, NULL, cleared_for_sign_out, g_steal_pointer (&task));
}

static void
discovered_for_sign_out (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MilkAccount *self = MILK_ACCOUNT (source);
  g_autoptr(SoupMessage) msg = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), NULL) || self->revocation_endpoint == NULL ||
      self->tokens == NULL)
    {
      set_tokens (self, NULL);
      milk_token_store_clear_async (self->server, self->diary, NULL, cleared_for_sign_out, g_steal_pointer (&task));
      return;
    }
  /* RFC 7009: revoking the refresh token revokes its whole family. */
  msg = soup_message_new_from_encoded_form ("POST", self->revocation_endpoint,
                                            soup_form_encode ("token", self->tokens->refresh_token,
                                                              "token_type_hint", "refresh_token",
                                                              "client_id", MILK_CLIENT_ID,
                                                              NULL));
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, NULL, revoked, g_steal_pointer (&task));
}

void
milk_account_sign_out_async (MilkAccount         *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  discover_async (self, cancellable, discovered_for_sign_out, task);
}

gboolean
milk_account_sign_out_finish (MilkAccount   *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
