/* milk-auth-server.c — the sync server's OAuth endpoints
 *
 * Found by discovery (RFC 8414) on the server the person chose, and only
 * there: an endpoint on another origin is not used. The token endpoint
 * answers an authorization code or a refresh token with a new pair; the
 * revocation endpoint (RFC 7009) ends a sign-in. Knows nothing of who
 * keeps the tokens.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-sync"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "milk-account.h"
#include "milk-auth-server.h"

struct _MilkAuthServer
{
  GObject parent_instance;

  char *server;
  SoupSession *session;
  char *authorization_endpoint;
  char *token_endpoint;
  char *revocation_endpoint;
  char *issuer;
  gboolean iss_required;
};

G_DEFINE_FINAL_TYPE (MilkAuthServer, milk_auth_server, G_TYPE_OBJECT)

static void
milk_auth_server_finalize (GObject *object)
{
  MilkAuthServer *self = MILK_AUTH_SERVER (object);

  g_clear_pointer (&self->server, g_free);
  g_clear_object (&self->session);
  g_clear_pointer (&self->authorization_endpoint, g_free);
  g_clear_pointer (&self->token_endpoint, g_free);
  g_clear_pointer (&self->revocation_endpoint, g_free);
  g_clear_pointer (&self->issuer, g_free);

  G_OBJECT_CLASS (milk_auth_server_parent_class)->finalize (object);
}

static void
milk_auth_server_class_init (MilkAuthServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = milk_auth_server_finalize;
}

static void
milk_auth_server_init (MilkAuthServer *self)
{
}

/* @server is a normalized address (milk_account_normalize_server). */
MilkAuthServer *
milk_auth_server_new (const char  *server,
                      SoupSession *session)
{
  MilkAuthServer *self = g_object_new (MILK_TYPE_AUTH_SERVER, NULL);

  self->server = g_strdup (server);
  self->session = g_object_ref (session);
  return self;
}

const char *
milk_auth_server_get_server (MilkAuthServer *self)
{
  return self->server;
}

/* Known once discovered. */
const char *
milk_auth_server_get_authorization_endpoint (MilkAuthServer *self)
{
  return self->authorization_endpoint;
}

/* RFC 9207: whether an authorization answer naming @iss (or none) came
 * from this server; another one's answer is a mix-up. */
gboolean
milk_auth_server_check_issuer (MilkAuthServer *self,
                               const char     *iss)
{
  if (self->issuer == NULL)
    return TRUE;
  return iss != NULL ? g_strcmp0 (iss, self->issuer) == 0 : !self->iss_required;
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
same_origin_endpoint (MilkAuthServer *self,
                      JsonObject     *metadata,
                      const char     *name)
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
  MilkAuthServer *self = g_task_get_source_object (task);
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

/* Asks once: what an earlier discovery found is used again. */
void
milk_auth_server_discover_async (MilkAuthServer      *self,
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

gboolean
milk_auth_server_discover_finish (MilkAuthServer  *self,
                                  GAsyncResult    *result,
                                  GError         **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The token endpoint --------------------------------------------------- */

/* The token endpoint's answer: the new tokens, or an error that says
 * whether signing in again is what it takes. */
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

/* Posts @form, which it takes, to the token endpoint; call it once
 * discovered. */
void
milk_auth_server_request_tokens_async (MilkAuthServer      *self,
                                       char                *form,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(SoupMessage) msg = soup_message_new_from_encoded_form ("POST", self->token_endpoint, form);

  soup_message_headers_append (soup_message_get_request_headers (msg), "Accept", "application/json");
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable, token_answered, task);
}

MilkTokens *
milk_auth_server_request_tokens_finish (MilkAuthServer  *self,
                                        GAsyncResult    *result,
                                        GError         **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Revocation (RFC 7009) ------------------------------------------------ */

/* Whether the server, discovered, takes revocations. */
gboolean
milk_auth_server_can_revoke (MilkAuthServer *self)
{
  return self->revocation_endpoint != NULL;
}

static void
revoked (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

  if (body == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* Revoking the refresh token revokes its whole family. Not cancellable:
 * a sign-out is seen through. */
void
milk_auth_server_revoke_async (MilkAuthServer      *self,
                               const char          *refresh_token,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);
  g_autoptr(SoupMessage) msg = NULL;

  msg = soup_message_new_from_encoded_form ("POST", self->revocation_endpoint,
                                            soup_form_encode ("token", refresh_token,
                                                              "token_type_hint", "refresh_token",
                                                              "client_id", MILK_CLIENT_ID,
                                                              NULL));
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, NULL, revoked, task);
}

gboolean
milk_auth_server_revoke_finish (MilkAuthServer  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
