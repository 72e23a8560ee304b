/* milk-sync-service.c — keeps the diary in step with the sync server
 *
 * When rounds run: on request, a moment after a local edit, periodically,
 * and again after a failure, with backoff. What a round does is
 * milk-sync-round.c's. Offline is a normal state: retried with backoff,
 * never an error dialog.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-sync"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "milk-account-switch.h"
#include "milk-sync-enums.h"
#include "milk-sync-service.h"

#define DEBOUNCE_MS 2000
#define PERIODIC_S (10 * 60)
#define BACKOFF_FIRST_MS 5000
#define BACKOFF_MAX_MS (15 * 60 * 1000)
#define NETWORK_BACK_MS 1000

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
  MilkSyncRound *round;                      /* the round in flight, or NULL */
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

/* The asker's cancellable cancels the round too. */
typedef struct
{
  GCancellable *caller;
  gulong caller_id;
} Asker;

static void
asker_free (Asker *asker)
{
  if (asker->caller)
    g_cancellable_disconnect (asker->caller, asker->caller_id);
  g_clear_object (&asker->caller);
  g_free (asker);
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

/* Over this object's life, with the round in flight. */
static void
add_round_counts (MilkSyncService *self,
                  MilkSyncRound   *round)
{
  guint sent, received, refused, replaced;

  milk_sync_round_get_counts (round, &sent, &received, &refused, &replaced);
  self->requests += milk_sync_round_get_requests (round);
  self->sent += sent;
  self->received += received;
  self->refused += refused;
  self->replaced += replaced;
}

static void
round_ended (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(MilkSyncService) self = user_data;
  MilkSyncRound *round = MILK_SYNC_ROUND (source);
  GError *error = NULL;
  MilkSyncStatus status;
  guint retry_after_s = 0;

  add_round_counts (self, round);
  if (self->round == round)
    g_clear_object (&self->round);
  if (!milk_sync_round_run_finish (round, result, &status, &retry_after_s, &error))
    set_status (self, status,
                status == MILK_SYNC_OFFLINE ? _("Offline; changes are kept and will be sent later") : error->message);
  finish_round (self, error, retry_after_s);
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
  Asker *asker = g_new0 (Asker, 1);

  g_assert (self->running != NULL);

  g_task_set_task_data (self->running, asker, (GDestroyNotify) asker_free);
  if (g_task_get_cancellable (self->running))
    {
      asker->caller = g_object_ref (g_task_get_cancellable (self->running));
      asker->caller_id = g_cancellable_connect (asker->caller, G_CALLBACK (caller_cancelled),
                                                self->cancellable, NULL);
    }
  set_status (self, MILK_SYNC_SYNCING, NULL);
  self->round = milk_sync_round_new (self->store, self->account);
  milk_sync_round_run_async (self->round, self->cancellable, round_ended, g_object_ref (self));
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
  if (self->round != NULL)
    milk_sync_round_stop (self->round);
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

MilkStore *
milk_sync_service_get_store (MilkSyncService *self)
{
  g_return_val_if_fail (MILK_IS_SYNC_SERVICE (self), NULL);

  return self->store;
}

MilkAccount *
milk_sync_service_get_account (MilkSyncService *self)
{
  g_return_val_if_fail (MILK_IS_SYNC_SERVICE (self), NULL);

  return self->account;
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
  return self->requests + (self->round ? milk_sync_round_get_requests (self->round) : 0);
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
  if (self->round != NULL)
    {
      guint round_sent, round_received, round_refused, round_replaced;

      milk_sync_round_get_counts (self->round, &round_sent, &round_received, &round_refused, &round_replaced);
      *sent += round_sent;
      *received += round_received;
      *refused += round_refused;
      *replaced += round_replaced;
    }
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
  g_clear_object (&self->round);
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
