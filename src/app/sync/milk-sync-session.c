/* milk-sync-session.c — this device's sign-in and the syncing that goes with it
 *
 * Which server the device is signed in to, its account and its sync
 * service, replaced together when the server changes; signing in (and, when
 * the diary was last synced with another account, what becomes of it) and
 * signing out. What it has to say goes out as ::message; a choice only the
 * person can make as ::ask-account-switch. Knows nothing of windows.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-sync"

#include "config.h"

#include <glib/gi18n.h>

#include "milk-sync-session.h"

struct _MilkSyncSession
{
  GObject parent_instance;

  MilkStore *store;
  GSettings *settings;
  MilkAccount *account;
  MilkSyncService *sync;
  GCancellable *sign_in_cancellable;
  gboolean signing_in;
  gboolean keyring_missing;   /* the last load or sign-in could not use it */
};

G_DEFINE_FINAL_TYPE (MilkSyncSession, milk_sync_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SYNC,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  MESSAGE,
  ASK_ACCOUNT_SWITCH,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
say (MilkSyncSession *self,
     const char      *message)
{
  g_signal_emit (self, signals[MESSAGE], 0, message);
}

static void
changed (MilkSyncSession *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
milk_sync_session_dispose (GObject *object)
{
  MilkSyncSession *self = MILK_SYNC_SESSION (object);

  g_cancellable_cancel (self->sign_in_cancellable);
  g_clear_object (&self->sign_in_cancellable);
  if (self->sync)
    g_signal_handlers_disconnect_by_data (self->sync, self);
  g_clear_object (&self->sync);
  g_clear_object (&self->account);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (milk_sync_session_parent_class)->dispose (object);
}

static void
milk_sync_session_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  MilkSyncSession *self = MILK_SYNC_SESSION (object);

  switch (prop_id)
    {
    case PROP_SYNC:
      g_value_set_object (value, self->sync);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
milk_sync_session_class_init (MilkSyncSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = milk_sync_session_dispose;
  object_class->get_property = milk_sync_session_get_property;

  /* The sync service of the server in use, NULL when there is none. */
  properties[PROP_SYNC] =
    g_param_spec_object ("sync", NULL, NULL, MILK_TYPE_SYNC_SERVICE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* What signing in and out can do, or the sync status, changed. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* Something to tell the person. */
  signals[MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* Signed in to another account than the diary's: the person chooses,
   * then milk_sync_session_adopt_diary() or milk_sync_session_undo_sign_in(). */
  signals[ASK_ACCOUNT_SWITCH] = g_signal_new ("ask-account-switch", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                              0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
milk_sync_session_init (MilkSyncSession *self)
{
}

/* @settings keeps the server's address ("sync-server"). */
MilkSyncSession *
milk_sync_session_new (MilkStore *store,
                       GSettings *settings)
{
  MilkSyncSession *self = g_object_new (MILK_TYPE_SYNC_SESSION, NULL);

  self->store = g_object_ref (store);
  self->settings = g_object_ref (settings);
  return self;
}

MilkAccount *
milk_sync_session_get_account (MilkSyncSession *self)
{
  g_return_val_if_fail (MILK_IS_SYNC_SESSION (self), NULL);

  return self->account;
}

MilkSyncService *
milk_sync_session_get_sync (MilkSyncSession *self)
{
  g_return_val_if_fail (MILK_IS_SYNC_SESSION (self), NULL);

  return self->sync;
}

/* Waiting for the browser to come back. */
gboolean
milk_sync_session_get_signing_in (MilkSyncSession *self)
{
  g_return_val_if_fail (MILK_IS_SYNC_SESSION (self), FALSE);

  return self->signing_in;
}

gboolean
milk_sync_session_get_keyring_missing (MilkSyncSession *self)
{
  g_return_val_if_fail (MILK_IS_SYNC_SESSION (self), FALSE);

  return self->keyring_missing;
}

static void
account_loaded (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(MilkSyncSession) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean loaded = milk_account_load_finish (MILK_ACCOUNT (source), result, &error);

  /* Signed out or moved to another server meanwhile. */
  if (MILK_ACCOUNT (source) != self->account)
    return;
  self->keyring_missing = g_error_matches (error, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_KEYRING);
  changed (self);

  /* A missing or locked keyring is said once; the diary works offline. */
  if (!loaded)
    {
      g_message ("%s", error->message);
      say (self, error->message);
    }
}

/* The device's account on a server, if it has one (none for NULL or ""):
 * the sign-in itself is in the keyring, read from there when load is TRUE. */
void
milk_sync_session_use_server (MilkSyncSession *self,
                              const char      *server,
                              gboolean         load)
{
  g_return_if_fail (MILK_IS_SYNC_SESSION (self));

  /* A sign-in under way belongs to the account it started on. */
  g_cancellable_cancel (self->sign_in_cancellable);
  g_clear_object (&self->sign_in_cancellable);
  self->signing_in = FALSE;

  if (self->sync)
    {
      /* A round in flight for the old account stores nothing more. */
      milk_sync_service_stop_async (self->sync, NULL, NULL);
      g_signal_handlers_disconnect_by_data (self->sync, self);
    }
  g_clear_object (&self->sync);
  g_clear_object (&self->account);
  if (server && *server)
    {
      self->account = milk_account_new (server, milk_store_get_node (self->store));
      self->sync = milk_sync_service_new (self->store, self->account);
      g_signal_connect_swapped (self->sync, "notify::status", G_CALLBACK (changed), self);
      milk_sync_service_set_automatic (self->sync, TRUE);
      if (load)
        milk_account_load_async (self->account, NULL, account_loaded, g_object_ref (self));
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC]);
  changed (self);
}

/* The diary becomes the account's, as chosen, and syncs. */
void
milk_sync_session_adopt_diary (MilkSyncSession         *self,
                               MilkAccountSwitchChoice  choice)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;

  g_return_if_fail (MILK_IS_SYNC_SESSION (self));
  g_return_if_fail (self->sync != NULL);

  if (!milk_account_switch_apply (self->store, milk_account_get_server (self->account),
                                  milk_account_get_account_id (self->account), choice, &saved, &error))
    say (self, error->message);
  milk_sync_service_resume (self->sync);
  if (saved)
    {
      /* TRANSLATORS: %s is a file name */
      g_autofree char *text = g_strdup_printf (_("Your diary as it was is saved as %s"), saved);

      say (self, text);
    }
  else
    say (self, _("Signed in; syncing your diary"));
  milk_sync_service_sync_now (self->sync);
}

static void
undone_sign_in (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(MilkSyncSession) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!milk_sync_service_sign_out_finish (MILK_SYNC_SERVICE (source), result, &error))
    g_message ("%s", error->message);
  if (MILK_SYNC_SERVICE (source) != self->sync)
    return;
  g_settings_set_string (self->settings, "sync-server", "");
  milk_sync_session_use_server (self, NULL, FALSE);
  say (self, _("Not signed in; nothing was sent"));
}

/* The sign-in is undone, its tokens revoked; the diary stays as it was. */
void
milk_sync_session_undo_sign_in (MilkSyncSession *self)
{
  g_return_if_fail (MILK_IS_SYNC_SESSION (self));
  g_return_if_fail (self->sync != NULL);

  milk_sync_service_sign_out_async (self->sync, TRUE, undone_sign_in, g_object_ref (self));
}

/* The diary is the sign-in's to change: no round runs. */
static void
stopped_for_sign_in (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(MilkSyncSession) self = user_data;

  milk_sync_service_stop_finish (MILK_SYNC_SERVICE (source), result, NULL);
  if (MILK_SYNC_SERVICE (source) != self->sync)
    return;
  if (milk_account_switch_needs_asking (self->store, milk_account_get_server (self->account),
                                        milk_account_get_account_id (self->account)))
    g_signal_emit (self, signals[ASK_ACCOUNT_SWITCH], 0);
  else
    /* Everything on this device goes to the account, merged by natural key. */
    milk_sync_session_adopt_diary (self, MILK_ACCOUNT_SWITCH_MERGE);
}

static void
signed_in (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(MilkSyncSession) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = milk_account_sign_in_finish (MILK_ACCOUNT (source), result, &error);

  /* A newer sign-in or a sign-out took over: the state is theirs. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || MILK_ACCOUNT (source) != self->account)
    return;
  self->signing_in = FALSE;
  self->keyring_missing = g_error_matches (error, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_KEYRING);
  changed (self);
  if (!ok)
    {
      milk_sync_service_resume (self->sync);
      say (self, error->message);
      return;
    }
  milk_sync_service_stop_async (self->sync, stopped_for_sign_in, g_object_ref (self));
}

/* Signs in to @server through the browser; the address is kept. */
void
milk_sync_session_sign_in (MilkSyncSession *self,
                           const char      *server)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;

  g_return_if_fail (MILK_IS_SYNC_SESSION (self));

  normalized = milk_account_normalize_server (server, &error);
  if (normalized == NULL)
    {
      say (self, error->message);
      return;
    }
  g_settings_set_string (self->settings, "sync-server", normalized);
  /* Not loaded from the keyring: the sign-in replaces what is there, and
   * asks the keyring first itself. */
  if (self->account == NULL || g_strcmp0 (milk_account_get_server (self->account), normalized) != 0)
    milk_sync_session_use_server (self, normalized, FALSE);

  g_cancellable_cancel (self->sign_in_cancellable);
  g_clear_object (&self->sign_in_cancellable);
  self->sign_in_cancellable = g_cancellable_new ();
  self->signing_in = TRUE;
  /* No round starts when the account signs in, before the diary is ready
   * for it (signed_in); the sign-in resumes syncing. */
  milk_sync_service_stop_async (self->sync, NULL, NULL);
  changed (self);
  say (self, _("Continue in your web browser"));
  milk_account_sign_in_async (self->account, self->sign_in_cancellable, signed_in, g_object_ref (self));
}

typedef struct
{
  MilkSyncSession *self;
  gboolean keep;
} SignOut;

/* The sync service stopped its round, waited for it, signed out and
 * cleared the diary if asked: nothing in flight can put records back. */
static void
signed_out (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  SignOut *sign_out = user_data;
  g_autoptr(MilkSyncSession) self = sign_out->self;
  g_autoptr(GError) error = NULL;

  if (!milk_sync_service_sign_out_finish (MILK_SYNC_SERVICE (source), result, &error))
    say (self, error->message);
  g_settings_set_string (self->settings, "sync-server", "");
  if (MILK_SYNC_SERVICE (source) == self->sync)
    milk_sync_session_use_server (self, NULL, FALSE);
  say (self, sign_out->keep ? _("Signed out; the diary stays on this device")
                            : _("Signed out; the diary was removed from this device"));
  g_free (sign_out);
}

/* Signs out, keeping a copy of the diary on this device or not; nothing
 * when not signed in. */
void
milk_sync_session_sign_out (MilkSyncSession *self,
                            gboolean         keep_diary)
{
  SignOut *sign_out;

  g_return_if_fail (MILK_IS_SYNC_SESSION (self));

  if (self->sync == NULL)
    return;
  sign_out = g_new0 (SignOut, 1);
  sign_out->self = g_object_ref (self);
  sign_out->keep = keep_diary;
  milk_sync_service_sign_out_async (self->sync, keep_diary, signed_out, sign_out);
}
