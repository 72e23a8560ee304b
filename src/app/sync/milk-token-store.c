/* milk-token-store.c — the account's tokens, kept in the keyring only
 *
 * The tokens are one secret item per server in the user's keyring (the
 * Secret portal inside Flatpak): never a file, GSettings or a log line.
 * Errors name the keyring's problem, never the secret.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-sync"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsecret/secret.h>

#include "milk-token-store.h"

/* One item per server and diary: the sign-in belongs to the diary (its
 * node id), so two diaries on one computer are two devices. */
const SecretSchema *
milk_token_store_get_schema (void)
{
  static const SecretSchema schema = {
    "io.github.milkdiary.MilkDiary.Tokens", SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "diary", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };
  return &schema;
}

MilkTokens *
milk_tokens_new (const char *access_token,
                 const char *refresh_token,
                 gint64      expires_at)
{
  MilkTokens *tokens = g_new0 (MilkTokens, 1);

  tokens->access_token = g_strdup (access_token);
  tokens->refresh_token = g_strdup (refresh_token);
  tokens->expires_at = expires_at;
  return tokens;
}

void
milk_tokens_free (MilkTokens *tokens)
{
  if (tokens == NULL)
    return;
  /* Secrets do not linger in freed memory. */
  if (tokens->access_token)
    explicit_bzero (tokens->access_token, strlen (tokens->access_token));
  if (tokens->refresh_token)
    explicit_bzero (tokens->refresh_token, strlen (tokens->refresh_token));
  g_free (tokens->access_token);
  g_free (tokens->refresh_token);
  g_free (tokens->account);
  g_free (tokens);
}

/* A cancelled call stays a cancellation, not a keyring problem. */
static GError *
keyring_error (const GError *cause)
{
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (cause);
  /* The Secret Service's own words are for the log, not for the person. */
  g_message ("Keyring: %s", cause ? cause->message : "no secret service");
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                              _("The system keyring is not available or is locked, so the sign-in cannot be kept. "
                                "Milk Diary keeps working on this device; sign in again once the keyring can be used."));
}

static void
saved (GObject      *source,
       GAsyncResult *result,
       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    {
      g_task_return_error (task, keyring_error (error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
milk_token_store_save_async (const char          *server,
                             const char          *diary,
                             const MilkTokens    *tokens,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *label = g_strdup_printf (_("Milk Diary sync account on %s"), server);
  g_autofree char *secret = NULL;

  g_task_set_source_tag (task, milk_token_store_save_async);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "access_token");
  json_builder_add_string_value (builder, tokens->access_token);
  json_builder_set_member_name (builder, "refresh_token");
  json_builder_add_string_value (builder, tokens->refresh_token);
  json_builder_set_member_name (builder, "expires_at");
  json_builder_add_int_value (builder, tokens->expires_at);
  /* Kept, so that a diary that was another account's (a backup restored
   * after switching) is not sent to this one unasked. */
  if (tokens->account)
    {
      json_builder_set_member_name (builder, "account");
      json_builder_add_string_value (builder, tokens->account);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  secret = json_generator_to_data (generator, NULL);

  secret_password_store (milk_token_store_get_schema (), SECRET_COLLECTION_DEFAULT, label, secret, cancellable,
                         saved, task, "server", server, "diary", diary, NULL);
  explicit_bzero (secret, strlen (secret));
}

gboolean
milk_token_store_save_finish (GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static MilkTokens *
parse_secret (const char *secret)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *obj;
  const char *access, *refresh;
  MilkTokens *tokens;

  /* A blank secret parses, to no root at all. */
  if (secret == NULL || !json_parser_load_from_data (parser, secret, -1, NULL) ||
      json_parser_get_root (parser) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  obj = json_node_get_object (json_parser_get_root (parser));
  /* Signed in means both tokens are there: anything else is signed out. */
  access = json_object_get_string_member_with_default (obj, "access_token", NULL);
  refresh = json_object_get_string_member_with_default (obj, "refresh_token", NULL);
  if (access == NULL || refresh == NULL)
    return NULL;
  tokens = milk_tokens_new (access, refresh, json_object_get_int_member_with_default (obj, "expires_at", 0));
  tokens->account = g_strdup (json_object_get_string_member_with_default (obj, "account", NULL));
  return tokens;
}

static void
loaded (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *secret = secret_password_lookup_finish (result, &error);

  if (error)
    {
      g_task_return_error (task, keyring_error (error));
      return;
    }
  /* NULL without an error: signed out on this device. */
  g_task_return_pointer (task, parse_secret (secret), (GDestroyNotify) milk_tokens_free);
  if (secret)
    secret_password_free (secret);
}

void
milk_token_store_load_async (const char          *server,
                             const char          *diary,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, milk_token_store_load_async);
  secret_password_lookup (milk_token_store_get_schema (), cancellable, loaded, task, "server", server, "diary", diary, NULL);
}

MilkTokens *
milk_token_store_load_finish (GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
cleared (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  secret_password_clear_finish (result, &error);
  if (error)
    {
      g_task_return_error (task, keyring_error (error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
milk_token_store_clear_async (const char          *server,
                              const char          *diary,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, milk_token_store_clear_async);
  secret_password_clear (milk_token_store_get_schema (), cancellable, cleared, task, "server", server, "diary", diary, NULL);
}

gboolean
milk_token_store_clear_finish (GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
