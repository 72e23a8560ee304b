/* milk-sync-service.c — keeps the diary in step with the sync server
 *
 * One round: push what is pending and pull what changed since the cursor,
 * in the same request, page after page until the server says there is no
 * more. A record's pending mark is cleared only if it did not change while
 * the request was in flight; the cursor moves only after a page is stored.
 * Offline is a normal state: retried with backoff, never an error dialog.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-sync"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "milk-account-switch.h"
#include "milk-sync-enums.h"
#include "milk-sync-service.h"

#define DEBOUNCE_MS 2000
#define PERIODIC_S (10 * 60)
#define BACKOFF_FIRST_MS 5000
#define BACKOFF_MAX_MS (15 * 60 * 1000)
#define NETWORK_BACK_MS 1000
#define MAX_PAGES 10000

struct _MilkSyncService
{
  GObject parent_instance;

  MilkStore *store;
  MilkAccount *account;
  MilkSyncStatus status;
  char *message;
  gint64 last_synced;
  guint requests;
  guint sent, received, refused, replaced;   /* changes, over this object's life */
  gboolean automatic;
  guint debounce_ms;
  guint backoff_first_ms;

  /* Cancels the round in flight; stopped: no round starts, and one that
   * was in flight stores nothing more (sign-in, sign-out, another server). */
  GCancellable *cancellable;
  gboolean stopped;
  GPtrArray *stopping;    /* stop tasks waiting for the round to end */

  GTask *running;
  GPtrArray *waiting;     /* tasks that asked while a round ran */
  gboolean again;
  guint failures;
  guint debounce_id;
  guint periodic_id;
  guint retry_id;
  gulong changed_id;
  gulong network_id;
  gulong signed_in_id;
};

G_DEFINE_FINAL_TYPE (MilkSyncService, milk_sync_service, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATUS,
  PROP_MESSAGE,
  PROP_LAST_SYNCED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  GPtrArray *sent;
  gboolean refreshed;
  char *token;
  guint pages;
  gint64 sent_at;         /* monotonic µs */
  char *replica;          /* the node the page was sent as */
  gboolean renewed;       /* became a new replica in this round */
  GCancellable *caller;   /* the asker's, which cancels the round too */
  gulong caller_id;
} Round;

static void
round_free (Round *round)
{
  if (round->caller)
    g_cancellable_disconnect (round->caller, round->caller_id);
  g_clear_object (&round->caller);
  g_clear_pointer (&round->sent, g_ptr_array_unref);
  if (round->token)
    explicit_bzero (round->token, strlen (round->token));
  g_free (round->token);
  g_free (round->replica);
  g_free (round);
}

static void start_round (MilkSyncService *self);
static void schedule (MilkSyncService *self, guint delay_ms);

/* Said after every good sync for as long as the diary keeps changes this
 * version cannot read; NULL when there are none. */
static char *
describe_unreadable (MilkSyncService *self)
{
  guint n = milk_store_count_unreadable (self->store);

  if (n == 0)
    return NULL;
  return g_strdup_printf (ngettext ("%u change from another device needs a newer Milk Diary; it is kept until then",
                                    "%u changes from other devices need a newer Milk Diary; they are kept until then",
                                    n), n);
}

static void
set_status (MilkSyncService *self,
            MilkSyncStatus   status,
            const char      *message)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (self->status != status)
    {
      self->status = status;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
    }
  if (g_strcmp0 (self->message, message) != 0)
    {
      g_free (self->message);
      self->message = g_strdup (message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/* A stop waits for the round in flight: that has ended now, and nobody
 * who asked for a sync meanwhile gets one. */
static void
stopped_round_ended (MilkSyncService *self)
{
  g_autoptr(GPtrArray) waiting = g_steal_pointer (&self->waiting);
  g_autoptr(GPtrArray) stopping = g_steal_pointer (&self->stopping);

  self->waiting = g_ptr_array_new_with_free_func (g_object_unref);
  self->stopping = g_ptr_array_new_with_free_func (g_object_unref);
  self->again = FALSE;
  for (guint i = 0; i < waiting->len; i++)
    g_task_return_new_error (g_ptr_array_index (waiting, i), G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             "%s", _("Syncing was stopped"));
  for (guint i = 0; i < stopping->len; i++)
    g_task_return_boolean (g_ptr_array_index (stopping, i), TRUE);
}

/* Ends the round. Whoever asked for a sync while it ran gets a round of
 * their own, which starts now: their changes may not have been in this one. */
static void
finish_round (MilkSyncService *self,
              GError          *error,
              guint            retry_after_s)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->running);

  if (self->stopped && error == NULL)
    error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Syncing was stopped"));
  if (error == NULL)
    {
      g_autofree char *unreadable = describe_unreadable (self);

      self->failures = 0;
      self->last_synced = g_get_real_time () / G_USEC_PER_SEC;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SYNCED]);
      set_status (self, MILK_SYNC_IDLE, unreadable);
    }
  else if (self->automatic && self->status != MILK_SYNC_SIGN_IN_AGAIN && self->status != MILK_SYNC_SIGNED_OUT &&
           !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
           !g_error_matches (error, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_UPDATE_REQUIRED))
    {
      /* Exponential backoff with jitter, or what the server asked for. */
      guint64 delay_ms = MIN ((guint64) self->backoff_first_ms << MIN (self->failures, 10), BACKOFF_MAX_MS);

      self->failures++;
      delay_ms = delay_ms / 2 + g_random_int_range (0, delay_ms + 1);
      if (retry_after_s > 0)
        delay_ms = (guint64) retry_after_s * 1000;
      schedule (self, delay_ms);
    }

  if (error && self->waiting->len > 0)
    {
      g_autoptr(GPtrArray) waiting = g_steal_pointer (&self->waiting);

      self->waiting = g_ptr_array_new_with_free_func (g_object_unref);
      for (guint i = 0; i < waiting->len; i++)
        g_task_return_error (g_ptr_array_index (waiting, i), g_error_copy (error));
    }

  if (error)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);

  if (self->stopped)
    {
      stopped_round_ended (self);
      return;
    }
  if (g_cancellable_is_cancelled (self->cancellable))
    {
      /* Only the asker's cancellable fired: the next round may run. */
      g_clear_object (&self->cancellable);
      self->cancellable = g_cancellable_new ();
    }
  if (self->waiting->len > 0)
    {
      self->again = FALSE;
      self->running = g_ptr_array_steal_index (self->waiting, 0);
      start_round (self);
    }
  else if (self->again && self->status == MILK_SYNC_IDLE)
    {
      self->again = FALSE;
      schedule (self, 0);
    }
}

static void got_token (GObject *source, GAsyncResult *result, gpointer user_data);

static void
fail_offline (MilkSyncService *self,
              GError          *error)
{
  set_status (self, MILK_SYNC_OFFLINE, _("Offline; changes are kept and will be sent later"));
  finish_round (self, error, 0);
}

static void
fail_with (MilkSyncService *self,
           MilkSyncStatus   status,
           GError          *error,
           guint            retry_after_s)
{
  set_status (self, status, error->message);
  finish_round (self, error, retry_after_s);
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
store_page (MilkSyncService  *self,
            Round            *round,
            MilkSyncMessage  *response,
            GError          **error)
{
  g_autoptr(GPtrArray) accepted = g_ptr_array_new ();
  g_autofree gboolean *rejected = g_new0 (gboolean, round->sent->len + 1);

  for (guint i = 0; i < response->rejected->len; i++)
    {
      MilkRejection *rejection = g_ptr_array_index (response->rejected, i);

      if (rejection->index >= round->sent->len)
        continue;
      rejected[rejection->index] = TRUE;
      g_message ("The server rejected a change (%s): %s", rejection->code, rejection->message);
      if (!milk_store_mark_rejected (self->store, g_ptr_array_index (round->sent, rejection->index),
                                     rejection->code, rejection->message, error))
        return FALSE;
    }
  for (guint i = 0; i < round->sent->len; i++)
    if (!rejected[i])
      g_ptr_array_add (accepted, g_ptr_array_index (round->sent, i));

  /* Pulled changes this version cannot read are kept, so the cursor may
   * pass them: they are never a verdict on what was pushed. */
  if (response->unreadable->len > 0)
    g_message ("%u pulled changes need a newer version; kept", response->unreadable->len);
  self->sent += accepted->len;
  for (guint i = 0; i < response->rejected->len; i++)
    {
      MilkRejection *rejection = g_ptr_array_index (response->rejected, i);

      if (rejection->index >= round->sent->len)
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

static void
answered (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  MilkSyncService *self = user_data;
  Round *round = g_task_get_task_data (self->running);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(MilkSyncMessage) response = NULL;
  gsize len = 0;
  const char *data;
  guint status;

  if (self->stopped)
    {
      /* The answer may have been read before the stop: it is not stored,
       * for the diary may have been cleared or moved to another account. */
      fail_with (self, MILK_SYNC_IDLE,
                 g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Syncing was stopped")), 0);
      g_object_unref (self);
      return;
    }
  if (body == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail_with (self, MILK_SYNC_IDLE, g_steal_pointer (&error), 0);
      else if (is_network_error (error))
        fail_offline (self, g_steal_pointer (&error));
      else
        fail_with (self, MILK_SYNC_ERROR, g_steal_pointer (&error), 0);
      g_object_unref (self);
      return;
    }

  status = soup_message_get_status (msg);
  if (status == SOUP_STATUS_UNAUTHORIZED && !round->refreshed)
    {
      /* The access token expired or was revoked: refresh once, retry. */
      round->refreshed = TRUE;
      milk_account_get_access_token_async (self->account, TRUE, self->cancellable,
                                           got_token, self);
      return;
    }
  if (status == SOUP_STATUS_UNAUTHORIZED)
    {
      fail_with (self, MILK_SYNC_SIGN_IN_AGAIN,
                 g_error_new (MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_SIGN_IN_AGAIN,
                              _("The server no longer accepts this device’s sign-in; sign in again")), 0);
      g_object_unref (self);
      return;
    }
  if ((status == SOUP_STATUS_BAD_REQUEST || status == 426) && answer_says (body, "upgrade_required"))
    {
      /* The service no longer takes this version's changes: say so, and
       * do not retry on a timer (DESIGN "Versions mix"). */
      fail_with (self, MILK_SYNC_ERROR,
                 g_error_new_literal (MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_UPDATE_REQUIRED,
                                      _("Update Milk Diary to keep syncing")), 0);
      g_object_unref (self);
      return;
    }
  /* A 409 "replica_reused": another copy of this diary synced as this node. */
  if (status == SOUP_STATUS_CONFLICT && !round->renewed && answer_says (body, "replica_reused"))
    {
      /* Another copy of this diary file synced as this device: this one
       * becomes a new device and pulls everything, in this same round. */
      round->renewed = TRUE;
      if (!milk_store_become_new_replica (self->store, &error))
        {
          fail_with (self, MILK_SYNC_ERROR, g_steal_pointer (&error), 0);
          g_object_unref (self);
          return;
        }
      milk_account_get_access_token_async (self->account, FALSE, self->cancellable,
                                           got_token, self);
      return;
    }
  if (status == 429 || status == SOUP_STATUS_SERVICE_UNAVAILABLE ||
      status >= 500)
    {
      g_autofree char *text = server_error_message (msg, body);

      fail_with (self, MILK_SYNC_ERROR, g_error_new_literal (MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_SERVER, text),
                 retry_after (msg));
      g_object_unref (self);
      return;
    }
  if (status != SOUP_STATUS_OK)
    {
      g_autofree char *text = server_error_message (msg, body);

      fail_with (self, MILK_SYNC_ERROR, g_error_new_literal (MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_SERVER, text), 0);
      g_object_unref (self);
      return;
    }

  data = g_bytes_get_data (body, &len);
  response = milk_sync_response_decode (data, len, &error);
  if (response == NULL ||
      (response->time > 0 &&
       !milk_store_set_service_time (self->store,
                                     /* its clock when the answer arrived */
                                     response->time + (g_get_monotonic_time () - round->sent_at) / 2000,
                                     &error)) ||
      !store_page (self, round, response, &error))
    {
      fail_with (self, MILK_SYNC_ERROR, g_steal_pointer (&error), 0);
      g_object_unref (self);
      return;
    }

  /* More to pull, or more to push: another page of the same round. A diary
   * that has just become a new replica (its clock had been far ahead) has
   * stamped its refused changes again: they go now. */
  if ((response->more || round->sent->len == MILK_SYNC_PAGE_CHANGES ||
       g_strcmp0 (round->replica, milk_store_get_replica_node (self->store)) != 0) &&
      ++round->pages < MAX_PAGES)
    {
      milk_account_get_access_token_async (self->account, FALSE, self->cancellable,
                                           got_token, self);
      return;
    }

  finish_round (self, NULL, 0);
  g_object_unref (self);
}

static void
send_page (MilkSyncService *self,
           Round           *round)
{
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
      fail_with (self, MILK_SYNC_ERROR, g_steal_pointer (&error), 0);
      g_object_unref (self);
      return;
    }
  g_clear_pointer (&round->sent, g_ptr_array_unref);
  round->sent = pending;

  request->cursor = milk_store_dup_cursor (self->store);
  request->node = g_strdup (milk_store_get_replica_node (self->store));
  request->instance = milk_store_dup_instance (self->store);
  request->has_instance = TRUE;
  g_free (round->replica);
  round->replica = g_strdup (request->node);
  for (guint i = 0; i < pending->len; i++)
    g_ptr_array_add (request->changes, milk_record_copy (g_ptr_array_index (pending, i)));
  json = milk_sync_request_encode (request, &len);
  body = g_bytes_new_take (json, len);

  msg = soup_message_new ("POST", url);
  /* A push can be sent twice (invariant 1), so libsoup may reuse the kept
   * connection instead of opening one per request as it does for POST. */
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
  auth = g_strconcat ("Bearer ", round->token, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  explicit_bzero (auth, strlen (auth));
  soup_message_set_request_body_from_bytes (msg, "application/json", body);

  self->requests++;
  round->sent_at = g_get_monotonic_time ();
  soup_session_send_and_read_async (milk_account_get_session (self->account), msg, G_PRIORITY_DEFAULT,
                                    self->cancellable, answered, self);
}

static void
got_token (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  MilkSyncService *self = user_data;
  Round *round = g_task_get_task_data (self->running);
  g_autoptr(GError) error = NULL;
  char *token = milk_account_get_access_token_finish (MILK_ACCOUNT (source), result, &error);

  if (token != NULL && self->stopped)
    {
      explicit_bzero (token, strlen (token));
      g_free (token);
      fail_with (self, MILK_SYNC_IDLE,
                 g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Syncing was stopped")), 0);
      g_object_unref (self);
      return;
    }
  if (token == NULL)
    {
      if (g_error_matches (error, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_SIGN_IN_AGAIN))
        fail_with (self, MILK_SYNC_SIGN_IN_AGAIN, g_steal_pointer (&error), 0);
      else if (g_error_matches (error, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_SIGNED_OUT))
        fail_with (self, MILK_SYNC_SIGNED_OUT, g_steal_pointer (&error), 0);
      else if (error->domain != MILK_ACCOUNT_ERROR && is_network_error (error))
        fail_offline (self, g_steal_pointer (&error));
      else
        fail_with (self, MILK_SYNC_ERROR, g_steal_pointer (&error), 0);
      g_object_unref (self);
      return;
    }
  if (round->token)
    explicit_bzero (round->token, strlen (round->token));
  g_free (round->token);
  round->token = token;
  send_page (self, round);
}

static void
caller_cancelled (GCancellable *caller,
                  gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static void
start_round (MilkSyncService *self)
{
  Round *round = g_new0 (Round, 1);

  g_assert (self->running != NULL);

  g_task_set_task_data (self->running, round, (GDestroyNotify) round_free);
  if (g_task_get_cancellable (self->running))
    {
      round->caller = g_object_ref (g_task_get_cancellable (self->running));
      round->caller_id = g_cancellable_connect (round->caller, G_CALLBACK (caller_cancelled),
                                                self->cancellable, NULL);
    }
  set_status (self, MILK_SYNC_SYNCING, NULL);
  milk_account_get_access_token_async (self->account, FALSE, self->cancellable,
                                       got_token, g_object_ref (self));
}

void
milk_sync_service_sync_async (MilkSyncService     *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_return_if_fail (MILK_IS_SYNC_SERVICE (self));

  if (self->stopped)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s", _("Syncing was stopped"));
      g_object_unref (task);
      return;
    }
  if (!milk_account_get_signed_in (self->account))
    {
      set_status (self, MILK_SYNC_SIGNED_OUT, NULL);
      g_task_return_new_error (task, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_SIGNED_OUT, _("Not signed in"));
      g_object_unref (task);
      return;
    }
  if (milk_account_switch_is_other (self->store, milk_account_get_server (self->account),
                                    milk_account_get_account_id (self->account)))
    {
      const char *text = _("This diary was last synced with another account than the one signed in, and "
                           "nothing was sent. Sign in again to choose whether to merge it into this account "
                           "or to start from the account’s diary.");

      set_status (self, MILK_SYNC_ERROR, text);
      g_task_return_new_error (task, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_OTHER_ACCOUNT, "%s", text);
      g_object_unref (task);
      return;
    }
  if (self->running)
    {
      /* Answered by a round that starts after this request. */
      g_ptr_array_add (self->waiting, task);
      return;
    }
  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  self->running = task;
  start_round (self);
}

gboolean
milk_sync_service_sync_finish (MilkSyncService  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
background_sync_done (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!milk_sync_service_sync_finish (MILK_SYNC_SERVICE (source), result, &error))
    g_debug ("Sync did not complete: %s", error->message);
}

void
milk_sync_service_sync_now (MilkSyncService *self)
{
  milk_sync_service_sync_async (self, NULL, background_sync_done, NULL);
}

static gboolean
scheduled (gpointer user_data)
{
  MilkSyncService *self = user_data;

  self->retry_id = 0;
  milk_sync_service_sync_now (self);
  return G_SOURCE_REMOVE;
}

static void
schedule (MilkSyncService *self,
          guint            delay_ms)
{
  if (!self->automatic || self->stopped || !milk_account_get_signed_in (self->account))
    return;
  g_clear_handle_id (&self->retry_id, g_source_remove);
  self->retry_id = g_timeout_add (delay_ms, scheduled, self);
}

static gboolean
debounced (gpointer user_data)
{
  MilkSyncService *self = user_data;

  self->debounce_id = 0;
  milk_sync_service_sync_now (self);
  return G_SOURCE_REMOVE;
}

/* A local edit syncs a moment later, so that a burst of edits is one
 * request; changes that came from the server leave nothing pending. */
static void
store_changed (MilkSyncService *self)
{
  if (!self->automatic || self->stopped || !milk_account_get_signed_in (self->account) ||
      milk_store_count_pending (self->store) == 0)
    return;
  if (self->running)
    {
      self->again = TRUE;
      return;
    }
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  self->debounce_id = g_timeout_add (self->debounce_ms, debounced, self);
}

static void
network_changed (MilkSyncService *self,
                 gboolean         available,
                 GNetworkMonitor *monitor)
{
  if (available && self->status == MILK_SYNC_OFFLINE)
    schedule (self, NETWORK_BACK_MS);
}

static gboolean
periodic (gpointer user_data)
{
  MilkSyncService *self = user_data;

  if (self->running == NULL && !self->stopped && self->status != MILK_SYNC_SIGN_IN_AGAIN)
    milk_sync_service_sync_now (self);
  return G_SOURCE_CONTINUE;
}

static void
signed_in_changed (MilkSyncService *self)
{
  if (self->stopped)
    return;
  if (milk_account_get_signed_in (self->account))
    {
      set_status (self, MILK_SYNC_IDLE, NULL);
      schedule (self, 0);
    }
  else if (self->status != MILK_SYNC_SIGN_IN_AGAIN)
    set_status (self, MILK_SYNC_SIGNED_OUT, NULL);
}

void
milk_sync_service_set_automatic (MilkSyncService *self,
                                 gboolean         automatic)
{
  self->automatic = automatic;
  g_clear_handle_id (&self->periodic_id, g_source_remove);
  if (automatic)
    {
      self->periodic_id = g_timeout_add_seconds (PERIODIC_S, periodic, self);
      schedule (self, 0);
    }
  else
    {
      g_clear_handle_id (&self->retry_id, g_source_remove);
      g_clear_handle_id (&self->debounce_id, g_source_remove);
    }
}

/* Stops syncing: the round in flight is cancelled, and whatever it had
 * not stored yet is never stored; no round starts until resumed. Finishes
 * once the round has ended, so that the diary is the caller's to change. */
void
milk_sync_service_stop_async (MilkSyncService     *self,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  g_return_if_fail (MILK_IS_SYNC_SERVICE (self));

  g_task_set_source_tag (task, milk_sync_service_stop_async);
  self->stopped = TRUE;
  self->again = FALSE;
  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  if (self->running == NULL)
    g_task_return_boolean (task, TRUE);
  else
    g_ptr_array_add (self->stopping, g_steal_pointer (&task));
}

gboolean
milk_sync_service_stop_finish (MilkSyncService  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  gboolean keep_diary;
  GError *sign_out_error;
} SignOut;

static void
sign_out_free (SignOut *sign_out)
{
  g_clear_error (&sign_out->sign_out_error);
  g_free (sign_out);
}

static void
signed_out (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MilkSyncService *self = g_task_get_source_object (task);
  SignOut *sign_out = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* The tokens may not have been revoked (offline): the keyring is
   * cleared all the same, and the diary is still the person's choice. */
  milk_account_sign_out_finish (MILK_ACCOUNT (source), result, &sign_out->sign_out_error);
  if (!sign_out->keep_diary && !milk_store_clear_diary (self->store, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else if (sign_out->sign_out_error)
    g_task_return_error (task, g_steal_pointer (&sign_out->sign_out_error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
stopped_for_sign_out (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MilkSyncService *self = MILK_SYNC_SERVICE (source);

  milk_sync_service_stop_finish (self, result, NULL);
  milk_account_sign_out_async (self->account, NULL, signed_out, g_object_ref (task));
}

/* Signs out, and clears the diary unless it is to be kept — only after
 * the round in flight has ended, which then has stored nothing more.
 * Syncing stays stopped. */
void
milk_sync_service_sign_out_async (MilkSyncService     *self,
                                  gboolean             keep_diary,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);
  SignOut *sign_out = g_new0 (SignOut, 1);

  g_return_if_fail (MILK_IS_SYNC_SERVICE (self));

  g_task_set_source_tag (task, milk_sync_service_sign_out_async);
  sign_out->keep_diary = keep_diary;
  g_task_set_task_data (task, sign_out, (GDestroyNotify) sign_out_free);
  milk_sync_service_stop_async (self, stopped_for_sign_out, task);
}

gboolean
milk_sync_service_sign_out_finish (MilkSyncService  *self,
                                   GAsyncResult     *result,
                                   GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Syncs again after a stop, automatically too if it did before; the
 * caller asks for the first round. */
void
milk_sync_service_resume (MilkSyncService *self)
{
  g_return_if_fail (MILK_IS_SYNC_SERVICE (self));

  if (!self->stopped)
    return;
  self->stopped = FALSE;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  if (milk_account_get_signed_in (self->account))
    {
      g_autofree char *unreadable = describe_unreadable (self);

      set_status (self, MILK_SYNC_IDLE, unreadable);
    }
}

gboolean
milk_sync_service_get_stopped (MilkSyncService *self)
{
  g_return_val_if_fail (MILK_IS_SYNC_SERVICE (self), FALSE);

  return self->stopped;
}

/* How long an edit waits for more before it is sent, and the first wait
 * after a failure (doubled per failure, with jitter, up to 15 minutes).
 * Tests shorten them; the app keeps the defaults. */
void
milk_sync_service_set_timings (MilkSyncService *self,
                               guint            debounce_ms,
                               guint            backoff_first_ms)
{
  g_return_if_fail (MILK_IS_SYNC_SERVICE (self));

  self->debounce_ms = debounce_ms;
  self->backoff_first_ms = MAX (backoff_first_ms, 1);
}

MilkSyncStatus
milk_sync_service_get_status (MilkSyncService *self)
{
  return self->status;
}

const char *
milk_sync_service_get_message (MilkSyncService *self)
{
  return self->message;
}

gint64
milk_sync_service_get_last_synced (MilkSyncService *self)
{
  return self->last_synced;
}

guint
milk_sync_service_get_requests (MilkSyncService *self)
{
  return self->requests;
}

/* How many changes this service has sent (and the server accepted),
 * received, seen refused, and seen replaced by a newer one from another
 * device, since it was made. */
void
milk_sync_service_get_counts (MilkSyncService *self,
                              guint           *sent,
                              guint           *received,
                              guint           *refused,
                              guint           *replaced)
{
  g_return_if_fail (MILK_IS_SYNC_SERVICE (self));

  *sent = self->sent;
  *received = self->received;
  *refused = self->refused;
  *replaced = self->replaced;
}

static void
milk_sync_service_dispose (GObject *object)
{
  MilkSyncService *self = MILK_SYNC_SERVICE (object);

  g_clear_handle_id (&self->debounce_id, g_source_remove);
  g_clear_handle_id (&self->periodic_id, g_source_remove);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  if (self->store)
    g_clear_signal_handler (&self->changed_id, self->store);
  if (self->account)
    g_clear_signal_handler (&self->signed_in_id, self->account);
  g_clear_signal_handler (&self->network_id, g_network_monitor_get_default ());
  g_clear_object (&self->store);
  g_clear_object (&self->account);

  G_OBJECT_CLASS (milk_sync_service_parent_class)->dispose (object);
}

static void
milk_sync_service_finalize (GObject *object)
{
  MilkSyncService *self = MILK_SYNC_SERVICE (object);

  g_clear_pointer (&self->message, g_free);
  g_clear_pointer (&self->waiting, g_ptr_array_unref);
  g_clear_pointer (&self->stopping, g_ptr_array_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (milk_sync_service_parent_class)->finalize (object);
}

static void
milk_sync_service_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  MilkSyncService *self = MILK_SYNC_SERVICE (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    case PROP_LAST_SYNCED:
      g_value_set_int64 (value, self->last_synced);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
milk_sync_service_class_init (MilkSyncServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = milk_sync_service_dispose;
  object_class->finalize = milk_sync_service_finalize;
  object_class->get_property = milk_sync_service_get_property;

  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, MILK_TYPE_SYNC_STATUS, MILK_SYNC_SIGNED_OUT,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MESSAGE] =
    g_param_spec_string ("message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_SYNCED] =
    g_param_spec_int64 ("last-synced", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
milk_sync_service_init (MilkSyncService *self)
{
  self->waiting = g_ptr_array_new_with_free_func (g_object_unref);
  self->stopping = g_ptr_array_new_with_free_func (g_object_unref);
  self->cancellable = g_cancellable_new ();
  self->debounce_ms = DEBOUNCE_MS;
  self->backoff_first_ms = BACKOFF_FIRST_MS;
}

MilkSyncService *
milk_sync_service_new (MilkStore   *store,
                       MilkAccount *account)
{
  MilkSyncService *self = g_object_new (MILK_TYPE_SYNC_SERVICE, NULL);

  self->store = g_object_ref (store);
  self->account = g_object_ref (account);
  self->status = milk_account_get_signed_in (account) ? MILK_SYNC_IDLE : MILK_SYNC_SIGNED_OUT;
  if (self->status == MILK_SYNC_IDLE)
    self->message = describe_unreadable (self);
  self->changed_id = g_signal_connect_swapped (store, "changed", G_CALLBACK (store_changed), self);
  self->signed_in_id = g_signal_connect_swapped (account, "notify::signed-in", G_CALLBACK (signed_in_changed), self);
  self->network_id = g_signal_connect_swapped (g_network_monitor_get_default (), "network-changed",
                                               G_CALLBACK (network_changed), self);
  return self;
}
