/* milk-sync-round.c — one round of pushing and pulling with the sync server
 *
 * Push what is pending and pull what changed since the cursor, in the same
 * request, page after page until the server says there is no more. A
 * record's pending mark is cleared only if it did not change while the
 * request was in flight; the cursor moves only after a page is stored.
 * When and how often a round runs is milk-sync-service.c's concern.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-sync"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "milk-sync-round.h"

#define MAX_PAGES 10000

struct _MilkSyncRound
{
  GObject parent_instance;

  MilkStore *store;
  MilkAccount *account;
  GCancellable *cancellable;
  gboolean stopped;       /* stores nothing more */

  GPtrArray *sent;
  gboolean refreshed;
  char *token;
  guint pages;
  gint64 sent_at;         /* monotonic µs */
  char *replica;          /* the node the page was sent as */
  gboolean renewed;       /* became a new replica in this round */

  MilkSyncStatus status;  /* what a failed round leaves the service in */
  guint retry_after_s;
  guint requests;
  guint sent_count, received, refused, replaced;
};

G_DEFINE_FINAL_TYPE (MilkSyncRound, milk_sync_round, G_TYPE_OBJECT)

static void got_token (GObject *source, GAsyncResult *result, gpointer user_data);

static void
milk_sync_round_finalize (GObject *object)
{
  MilkSyncRound *self = MILK_SYNC_ROUND (object);

  g_clear_object (&self->store);
  g_clear_object (&self->account);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->sent, g_ptr_array_unref);
  if (self->token)
    explicit_bzero (self->token, strlen (self->token));
  g_clear_pointer (&self->token, g_free);
  g_clear_pointer (&self->replica, g_free);

  G_OBJECT_CLASS (milk_sync_round_parent_class)->finalize (object);
}

static void
milk_sync_round_class_init (MilkSyncRoundClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = milk_sync_round_finalize;
}

static void
milk_sync_round_init (MilkSyncRound *self)
{
  self->status = MILK_SYNC_IDLE;
}

MilkSyncRound *
milk_sync_round_new (MilkStore   *store,
                     MilkAccount *account)
{
  MilkSyncRound *self = g_object_new (MILK_TYPE_SYNC_ROUND, NULL);

  self->store = g_object_ref (store);
  self->account = g_object_ref (account);
  return self;
}

/* Ends the round with @error, which it takes; the service is left in
 * @status. */
static void
fail_with (GTask          *task,
           MilkSyncStatus  status,
           GError         *error,
           guint           retry_after_s)
{
  MilkSyncRound *self = g_task_get_source_object (task);

  self->status = status;
  self->retry_after_s = retry_after_s;
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
fail_stopped (GTask *task)
{
  fail_with (task, MILK_SYNC_IDLE, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Syncing was stopped")), 0);
}

static gboolean
is_network_error (const GError *error)
{
  return error->domain == G_RESOLVER_ERROR ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT) ||
         error->domain == SOUP_SESSION_ERROR;
}

static guint
retry_after (SoupMessage *msg)
{
  const char *value = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After");
  guint64 seconds;

  if (value && g_ascii_string_to_unsigned (value, 10, 0, 24 * 3600, &seconds, NULL))
    return (guint) seconds;
  return 0;
}

static char *
server_error_message (SoupMessage *msg,
                      GBytes      *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len = 0;
  const char *data = body ? g_bytes_get_data (body, &len) : NULL;

  /* A blank body (a proxy's 502, say) parses, to no root at all. */
  if (data && json_parser_load_from_data (parser, data, len, NULL) &&
      json_parser_get_root (parser) != NULL &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      JsonObject *obj = json_node_get_object (json_parser_get_root (parser));
      const char *text = json_object_get_string_member_with_default (obj, "message", NULL);
      const char *code = json_object_get_string_member_with_default (obj, "error", NULL);

      if (text || code)
        return g_strdup_printf (_("The sync server refused the changes: %s (%s)"),
                                text ? text : "", code ? code : "");
    }
  return g_strdup_printf (_("The sync server answered %u %s"), soup_message_get_status (msg),
                          soup_message_get_reason_phrase (msg));
}

/* Whether an error answer carries the error code @code. */
static gboolean
answer_says (GBytes     *body,
             const char *code)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len = 0;
  const char *data = body ? g_bytes_get_data (body, &len) : NULL;
  JsonNode *root;

  if (data == NULL || !json_parser_load_from_data (parser, data, len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  return g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (root), "error", NULL),
                    code) == 0;
}

/* Stores one page: the server's verdict on what was sent, then what it
 * sent back, then the cursor — so a crash in between re-pulls, harmlessly. */
static gboolean
store_page (MilkSyncRound    *self,
            MilkSyncMessage  *response,
            GError          **error)
{
  g_autoptr(GPtrArray) accepted = g_ptr_array_new ();
  g_autofree gboolean *rejected = g_new0 (gboolean, self->sent->len + 1);

  for (guint i = 0; i < response->rejected->len; i++)
    {
      MilkRejection *rejection = g_ptr_array_index (response->rejected, i);

      if (rejection->index >= self->sent->len)
        continue;
      rejected[rejection->index] = TRUE;
      g_message ("The server rejected a change (%s): %s", rejection->code, rejection->message);
      if (!milk_store_mark_rejected (self->store, g_ptr_array_index (self->sent, rejection->index),
                                     rejection->code, rejection->message, error))
        return FALSE;
    }
  for (guint i = 0; i < self->sent->len; i++)
    if (!rejected[i])
      g_ptr_array_add (accepted, g_ptr_array_index (self->sent, i));

  /* Pulled changes this version cannot read are kept, so the cursor may
   * pass them: they are never a verdict on what was pushed. */
  if (response->unreadable->len > 0)
    g_message ("%u pulled changes need a newer version; kept", response->unreadable->len);
  self->sent_count += accepted->len;
  for (guint i = 0; i < response->rejected->len; i++)
    {
      MilkRejection *rejection = g_ptr_array_index (response->rejected, i);

      if (rejection->index >= self->sent->len)
        continue;
      if (g_strcmp0 (rejection->code, "superseded") == 0)
        self->replaced++;
      else
        self->refused++;
    }
  self->received += response->changes->len;
  return milk_store_mark_synced (self->store, accepted, error) &&
         milk_store_apply_remote (self->store, response->changes, error) &&
         milk_store_keep_unreadable (self->store, response->unreadable, error) &&
         (response->cursor == NULL || milk_store_set_cursor (self->store, response->cursor, error)) &&
         (response->instance == NULL || milk_store_set_instance (self->store, response->instance, error));
}

/* No answer came: cancelled, offline, or something else went wrong. */
static void
not_answered (GTask  *task,
              GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    fail_with (task, MILK_SYNC_IDLE, error, 0);
  else if (is_network_error (error))
    fail_with (task, MILK_SYNC_OFFLINE, error, 0);
  else
    fail_with (task, MILK_SYNC_ERROR, error, 0);
}

/* An answer other than 200: the round goes on (a new token, a new
 * replica) or ends. */
static void
answered_otherwise (GTask       *task,
                    SoupMessage *msg,
                    GBytes      *body)
{
  MilkSyncRound *self = g_task_get_source_object (task);
  guint status = soup_message_get_status (msg);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (status == SOUP_STATUS_UNAUTHORIZED && !self->refreshed)
    {
      /* The access token expired or was revoked: refresh once, retry. */
      self->refreshed = TRUE;
      milk_account_get_access_token_async (self->account, TRUE, self->cancellable, got_token, task);
      return;
    }
  if (status == SOUP_STATUS_UNAUTHORIZED)
    {
      fail_with (task, MILK_SYNC_SIGN_IN_AGAIN,
                 g_error_new (MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_SIGN_IN_AGAIN,
                              _("The server no longer accepts this device’s sign-in; sign in again")), 0);
      return;
    }
  if ((status == SOUP_STATUS_BAD_REQUEST || status == 426) && answer_says (body, "upgrade_required"))
    {
      /* The service no longer takes this version's changes: say so, and
       * do not retry on a timer (DESIGN "Versions mix"). */
      fail_with (task, MILK_SYNC_ERROR,
                 g_error_new_literal (MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_UPDATE_REQUIRED,
                                      _("Update Milk Diary to keep syncing")), 0);
      return;
    }
  /* A 409 "replica_reused": another copy of this diary synced as this node. */
  if (status == SOUP_STATUS_CONFLICT && !self->renewed && answer_says (body, "replica_reused"))
    {
      /* Another copy of this diary file synced as this device: this one
       * becomes a new device and pulls everything, in this same round. */
      self->renewed = TRUE;
      if (!milk_store_become_new_replica (self->store, &error))
        {
          fail_with (task, MILK_SYNC_ERROR, g_steal_pointer (&error), 0);
          return;
        }
      milk_account_get_access_token_async (self->account, FALSE, self->cancellable, got_token, task);
      return;
    }
  text = server_error_message (msg, body);
  fail_with (task, MILK_SYNC_ERROR, g_error_new_literal (MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_SERVER, text),
             status == 429 || status == SOUP_STATUS_SERVICE_UNAVAILABLE || status >= 500 ? retry_after (msg) : 0);
}

static void
answered (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask *task = user_data;
  MilkSyncRound *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(MilkSyncMessage) response = NULL;
  gsize len = 0;
  const char *data;

  if (self->stopped)
    {
      /* The answer may have been read before the stop: it is not stored,
       * for the diary may have been cleared or moved to another account. */
      fail_stopped (task);
      return;
    }
  if (body == NULL)
    {
      not_answered (task, g_steal_pointer (&error));
      return;
    }
  if (soup_message_get_status (msg) != SOUP_STATUS_OK)
    {
      answered_otherwise (task, msg, body);
      return;
    }

  data = g_bytes_get_data (body, &len);
  response = milk_sync_response_decode (data, len, &error);
  if (response == NULL ||
      (response->time > 0 &&
       !milk_store_set_service_time (self->store,
                                     /* its clock when the answer arrived */
                                     response->time + (g_get_monotonic_time () - self->sent_at) / 2000,
                                     &error)) ||
      !store_page (self, response, &error))
    {
      fail_with (task, MILK_SYNC_ERROR, g_steal_pointer (&error), 0);
      return;
    }

  /* More to pull, or more to push: another page of the same round. A diary
   * that has just become a new replica (its clock had been far ahead) has
   * stamped its refused changes again: they go now. */
  if ((response->more || self->sent->len == MILK_SYNC_PAGE_CHANGES ||
       g_strcmp0 (self->replica, milk_store_get_replica_node (self->store)) != 0) &&
      ++self->pages < MAX_PAGES)
    {
      milk_account_get_access_token_async (self->account, FALSE, self->cancellable, got_token, task);
      return;
    }

  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
send_page (GTask *task)
{
  MilkSyncRound *self = g_task_get_source_object (task);
  g_autoptr(MilkSyncMessage) request = milk_sync_message_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *url = g_strconcat (milk_account_get_server (self->account), "/api/v1/sync", NULL);
  g_autofree char *auth = NULL;
  g_autoptr(GBytes) body = NULL;
  GPtrArray *pending;
  gsize len = 0;
  char *json;

  pending = milk_store_list_pending (self->store, MILK_SYNC_PAGE_CHANGES, &error);
  if (pending == NULL)
    {
      fail_with (task, MILK_SYNC_ERROR, g_steal_pointer (&error), 0);
      return;
    }
  g_clear_pointer (&self->sent, g_ptr_array_unref);
  self->sent = pending;

  request->cursor = milk_store_dup_cursor (self->store);
  request->node = g_strdup (milk_store_get_replica_node (self->store));
  request->instance = milk_store_dup_instance (self->store);
  request->has_instance = TRUE;
  g_free (self->replica);
  self->replica = g_strdup (request->node);
  for (guint i = 0; i < pending->len; i++)
    g_ptr_array_add (request->changes, milk_record_copy (g_ptr_array_index (pending, i)));
  json = milk_sync_request_encode (request, &len);
  body = g_bytes_new_take (json, len);

  msg = soup_message_new ("POST", url);
  /* A push can be sent twice (invariant 1), so libsoup may reuse the kept
   * connection instead of opening one per request as it does for POST. */
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
  auth = g_strconcat ("Bearer ", self->token, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  explicit_bzero (auth, strlen (auth));
  soup_message_set_request_body_from_bytes (msg, "application/json", body);

  self->requests++;
  self->sent_at = g_get_monotonic_time ();
  soup_session_send_and_read_async (milk_account_get_session (self->account), msg, G_PRIORITY_DEFAULT,
                                    self->cancellable, answered, task);
}

static void
got_token (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  MilkSyncRound *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  char *token = milk_account_get_access_token_finish (MILK_ACCOUNT (source), result, &error);

  if (token != NULL && self->stopped)
    {
      explicit_bzero (token, strlen (token));
      g_free (token);
      fail_stopped (task);
      return;
    }
  if (token == NULL)
    {
      if (g_error_matches (error, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_SIGN_IN_AGAIN))
        fail_with (task, MILK_SYNC_SIGN_IN_AGAIN, g_steal_pointer (&error), 0);
      else if (g_error_matches (error, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_SIGNED_OUT))
        fail_with (task, MILK_SYNC_SIGNED_OUT, g_steal_pointer (&error), 0);
      else if (error->domain != MILK_ACCOUNT_ERROR && is_network_error (error))
        fail_with (task, MILK_SYNC_OFFLINE, g_steal_pointer (&error), 0);
      else
        fail_with (task, MILK_SYNC_ERROR, g_steal_pointer (&error), 0);
      return;
    }
  if (self->token)
    explicit_bzero (self->token, strlen (self->token));
  g_free (self->token);
  self->token = token;
  send_page (task);
}

/* Runs the round once. @cancellable stops what is in flight; the round
 * ends as its last answer says even if it fires after that answer came. */
void
milk_sync_round_run_async (MilkSyncRound       *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);

  g_return_if_fail (MILK_IS_SYNC_ROUND (self));

  g_task_set_source_tag (task, milk_sync_round_run_async);
  g_set_object (&self->cancellable, cancellable);
  milk_account_get_access_token_async (self->account, FALSE, self->cancellable, got_token, task);
}

/* FALSE with @error when the round failed; @status is then what the
 * service is left in (offline, asked to sign in again...), and
 * @retry_after_s what the server asked it to wait, or 0. */
gboolean
milk_sync_round_run_finish (MilkSyncRound   *self,
                            GAsyncResult    *result,
                            MilkSyncStatus  *status,
                            guint           *retry_after_s,
                            GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  *status = self->status;
  *retry_after_s = self->retry_after_s;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* What comes after this stores nothing: the diary may be cleared or moved
 * to another account meanwhile. */
void
milk_sync_round_stop (MilkSyncRound *self)
{
  g_return_if_fail (MILK_IS_SYNC_ROUND (self));

  self->stopped = TRUE;
}

guint
milk_sync_round_get_requests (MilkSyncRound *self)
{
  g_return_val_if_fail (MILK_IS_SYNC_ROUND (self), 0);

  return self->requests;
}

void
milk_sync_round_get_counts (MilkSyncRound *self,
                            guint         *sent,
                            guint         *received,
                            guint         *refused,
                            guint         *replaced)
{
  g_return_if_fail (MILK_IS_SYNC_ROUND (self));

  *sent = self->sent_count;
  *received = self->received;
  *refused = self->refused;
  *replaced = self->replaced;
}
