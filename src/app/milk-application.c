/* milk-application.c — the application: one instance, one diary
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "milk-application-private.h"
#include "milk-application.h"
#include "milk-command-line.h"
#include "milk-dialogs.h"
#include "milk-diary-opener.h"
#include "milk-preferences-window.h"
#include "milk-reminder.h"
#include "milk-store-monitor.h"
#include "milk-sync-session.h"
#include "milk-window.h"

struct _MilkApplication
{
  AdwApplication parent_instance;

  MilkDiaryOpener *opener;  /* the diary being opened, from startup until the store is asked for */
  MilkStore *store;
  MilkStoreMonitor *store_monitor;
  GSettings *settings;
  MilkSyncSession *session;   /* with the store */
  char *sync_description;
  MilkReminder *reminder;
  gboolean background;   /* started at login for the reminder: no window */
  guint diary_export;    /* the diary's path on the session bus */
};

G_DEFINE_FINAL_TYPE (MilkApplication, milk_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_SYNC_DESCRIPTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

MilkApplication *
milk_application_new (void)
{
  return g_object_new (MILK_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       /* None: GtkApplication would add its icons to the
                        * icon theme at start-up (see milk_application_add_icon). */
                       "resource-base-path", NULL,
                       NULL);
}

/**
 * milk_application_add_icon:
 * @display: where the icon is to be shown
 *
 * Makes the application's icon, for the welcome page and About, one the
 * icon theme of @display finds: the installed icon, or before Milk Diary
 * is installed, the copy in its resources.
 *
 * GtkApplication adds <resource-base-path>/icons to the icon theme while it
 * starts. Adding a path makes the theme forget what it has read, and GTK
 * had just begun reading it on a thread of its own: the first icon of the
 * window read it all again, 10 ms of the first frame (issue 18). So the
 * path is added only here, when the icon is wanted and not installed.
 */
void
milk_application_add_icon (GdkDisplay *display)
{
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (display);

  if (!gtk_icon_theme_has_icon (theme, APPLICATION_ID))
    gtk_icon_theme_add_resource_path (theme, "/io/github/milkdiary/MilkDiary/icons");
}

MilkStore *
milk_application_get_store (MilkApplication *self)
{
  g_return_val_if_fail (MILK_IS_APPLICATION (self), NULL);

  return self->store;
}

MilkSyncService *
milk_application_get_sync (MilkApplication *self)
{
  g_return_val_if_fail (MILK_IS_APPLICATION (self), NULL);

  return self->session ? milk_sync_session_get_sync (self->session) : NULL;
}

/* The diary's window, whichever window is in front. */
static MilkWindow *
main_window (MilkApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (MILK_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

static void
toast (MilkApplication *self,
       const char      *message)
{
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (self));
  MilkWindow *window;

  /* Said where the person is: in the preferences when they signed in
   * from there. */
  if (ADW_IS_PREFERENCES_WINDOW (active))
    {
      milk_preferences_window_show_message (MILK_PREFERENCES_WINDOW (active), message);
      return;
    }
  window = main_window (self);
  if (window != NULL)
    milk_window_show_message (window, message);
}

/* What signing in and out can do now, as the sync button shows it: sign
 * in while signed out or asked to sign in again, sign out while an account
 * is in use; and, for the preferences, why not. */
static void
update_sync_state (MilkApplication *self)
{
  MilkSyncService *sync = milk_application_get_sync (self);
  MilkAccount *account = self->session ? milk_sync_session_get_account (self->session) : NULL;
  MilkSyncStatus status = sync ? milk_sync_service_get_status (sync) : MILK_SYNC_SIGNED_OUT;
  const char *server = account ? milk_account_get_server (account) : NULL;
  g_autofree char *description = NULL;
  GAction *action;

  if (self->session && milk_sync_session_get_signing_in (self->session) && server != NULL)
    /* TRANSLATORS: %s is the sync server's address */
    description = g_strdup_printf (_("Signing in to %s: continue in your web browser"), server);
  else if (status == MILK_SYNC_SIGN_IN_AGAIN && server != NULL)
    /* TRANSLATORS: %s is the sync server's address */
    description = g_strdup_printf (_("The sign-in to %s has ended: sign in again to sync"), server);
  else if (status != MILK_SYNC_SIGNED_OUT && server != NULL)
    /* TRANSLATORS: %s is the sync server's address */
    description = g_strdup_printf (_("Signed in to %s"), server);
  else if (self->session && milk_sync_session_get_keyring_missing (self->session))
    description = g_strdup (_("Not signed in: the system keyring is not available or is locked"));
  else
    description = g_strdup (_("Not signed in: the diary is on this device only"));

  action = g_action_map_lookup_action (G_ACTION_MAP (self), "sign-in");
  if (action)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (action),
                                 status == MILK_SYNC_SIGNED_OUT || status == MILK_SYNC_SIGN_IN_AGAIN);
  action = g_action_map_lookup_action (G_ACTION_MAP (self), "sign-out");
  if (action)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (action), status != MILK_SYNC_SIGNED_OUT);

  if (g_strcmp0 (description, self->sync_description) != 0)
    {
      g_free (self->sync_description);
      self->sync_description = g_steal_pointer (&description);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC_DESCRIPTION]);
    }
}

const char *
milk_application_get_sync_description (MilkApplication *self)
{
  g_return_val_if_fail (MILK_IS_APPLICATION (self), NULL);

  return self->sync_description;
}

static void
sync_replaced (MilkApplication *self)
{
  MilkWindow *window = main_window (self);

  if (window != NULL)
    milk_window_set_sync (window, milk_application_get_sync (self));
}

static void ask_account_switch (MilkApplication *self);

/* The diary lives in the user's data folder ($XDG_DATA_HOME, which the
 * Flatpak sandbox maps to the app's own). MILK_DIARY_PATH overrides it for
 * tests and for keeping a second diary. */
char *
milk_application_dup_diary_path (void)
{
  const char *override = g_getenv ("MILK_DIARY_PATH");
  g_autofree char *dir = NULL;

  if (override && *override)
    return g_strdup (override);
  dir = g_build_filename (g_get_user_data_dir (), "milk-diary", NULL);
  g_mkdir_with_parents (dir, 0700);
  return g_build_filename (dir, "diary.sqlite", NULL);
}

static void
open_error_closed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GApplication) app = user_data;
  g_autofree char *response = milk_ask_finish (GTK_WINDOW (source), result, NULL);

  g_application_release (app);
}

/* With no window, the question holds the application until it is
 * answered. */
static void
show_open_error (MilkApplication *self,
                 const GError    *error)
{
  MilkResponse responses[] = { { "close", _("_Close"), ADW_RESPONSE_DEFAULT } };

  g_application_hold (G_APPLICATION (self));
  milk_ask_async (NULL, _("The Diary Could Not Be Opened"), error->message, NULL,
                  responses, G_N_ELEMENTS (responses), "close", "close", NULL,
                  open_error_closed, g_object_ref (self));
}

/**
 * milk_application_mark_startup:
 * @phase: the phase of starting that ends now: "store", "templates"…
 *
 * For the start-up benchmark (MILK_DIARY_EXIT_AFTER_FIRST_FRAME): when a
 * phase of starting ended, so that it can say where the time goes.
 */
void
milk_application_mark_startup (const char *phase)
{
  if (g_getenv ("MILK_DIARY_EXIT_AFTER_FIRST_FRAME"))
    g_print ("mark %s %" G_GINT64_FORMAT "\n", phase, g_get_monotonic_time ());
}


/* For the start-up benchmark: report when the first frame is painted, then
 * quit. Nothing else reads this variable. */
static void
first_frame_painted (GdkFrameClock *clock,
                     GApplication  *app)
{
  g_signal_handlers_disconnect_by_func (clock, first_frame_painted, app);
  g_print ("first-frame %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  g_application_quit (app);
}

static void
window_mapped (GtkWidget    *window,
               GApplication *app)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  g_signal_connect (clock, "after-paint", G_CALLBACK (first_frame_painted), app);
}

static void
reminder_settings_changed (MilkApplication *self)
{
  g_autofree char *time = g_settings_get_string (self->settings, "reminder-time");
  gboolean enabled = g_settings_get_boolean (self->settings, "reminder-enabled");
  g_autoptr(GError) error = NULL;
  int minutes = -1;

  if (!milk_reminder_parse_time (time, &minutes))
    minutes = 20 * 60;
  milk_reminder_schedule (self->reminder, enabled ? minutes : -1);
  if (!milk_reminder_set_autostart (enabled, &error))
    g_warning ("The reminder could not be set to start at login: %s", error->message);
}

static gboolean
ensure_store (MilkApplication *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  if (self->store != NULL)
    return TRUE;

  if (self->opener != NULL)
    self->store = milk_diary_opener_finish (g_steal_pointer (&self->opener), &error);
  else
    {
      path = milk_application_dup_diary_path ();
      self->store = milk_store_new (path, &error);
    }
  if (self->store == NULL)
    {
      /* Nothing is touched: the file stays as it was for the person
       * (or a newer version) to deal with. */
      g_warning ("%s", error->message);
      show_open_error (self, error);
      return FALSE;
    }

  self->session = milk_sync_session_new (self->store, self->settings);
  g_signal_connect_object (self->session, "notify::sync", G_CALLBACK (sync_replaced), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "changed", G_CALLBACK (update_sync_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "message", G_CALLBACK (toast), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "ask-account-switch", G_CALLBACK (ask_account_switch), self,
                           G_CONNECT_SWAPPED);

  /* What `milk-diary --add` in a terminal writes shows at once. */
  self->store_monitor = milk_store_monitor_new (self->store);
  self->reminder = milk_reminder_new (self->store, G_APPLICATION (self));
  milk_reminder_add_actions (self->reminder, G_ACTION_MAP (self));
  g_signal_connect_object (self->settings, "changed::reminder-enabled",
                           G_CALLBACK (reminder_settings_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::reminder-time",
                           G_CALLBACK (reminder_settings_changed), self, G_CONNECT_SWAPPED);
  if (g_settings_get_boolean (self->settings, "reminder-enabled"))
    reminder_settings_changed (self);
  return TRUE;
}

static void
milk_application_activate (GApplication *app)
{
  MilkApplication *self = MILK_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (!ensure_store (self))
    return;
  milk_application_mark_startup ("store");

  /* Started at login for the reminder: stay in the background, without
   * a window, until the person opens one. */
  if (self->background)
    {
      self->background = FALSE;
      g_application_hold (app);
      return;
    }

  if (window == NULL)
    {
      g_autofree char *server = g_settings_get_string (self->settings, "sync-server");

      window = GTK_WINDOW (milk_window_new (self, self->store));
      milk_application_mark_startup ("window");
      if (milk_sync_session_get_account (self->session) == NULL)
        milk_sync_session_use_server (self->session, server, TRUE);
      milk_window_set_sync (MILK_WINDOW (window), milk_application_get_sync (self));
      milk_application_mark_startup ("sync");
      if (g_getenv ("MILK_DIARY_EXIT_AFTER_FIRST_FRAME"))
        g_signal_connect (window, "map", G_CALLBACK (window_mapped), app);
    }
  gtk_window_present (window);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  MilkApplication *self = user_data;
  const char *developers[] = { "The Milk Diary authors", NULL };

  milk_application_add_icon (gdk_display_get_default ());

  adw_show_about_window (gtk_application_get_active_window (GTK_APPLICATION (self)),
                         "application-name", _("Milk Diary"),
                         "application-icon", APPLICATION_ID,
                         "developer-name", _("The Milk Diary authors"),
                         "version", PACKAGE_VERSION,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "developers", developers,
                         "comments", _("Record daily milk deliveries and check the monthly bill"),
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  MilkApplication *self = user_data;
  MilkPreferencesWindow *window;

  if (self->store == NULL)
    return;
  window = milk_preferences_window_new (GTK_WINDOW (main_window (self)), self->store);
  /* One of the application's windows: its buttons reach app.sign-in and
   * app.sign-out, which a window outside the application cannot. */
  gtk_window_set_application (GTK_WINDOW (window), GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (window));
}

static void
sync_now_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  MilkSyncService *sync = milk_application_get_sync (user_data);

  if (sync)
    milk_sync_service_sync_now (sync);
}

static void
switch_chosen (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(MilkApplication) self = user_data;
  g_autofree char *response = milk_ask_finish (GTK_WINDOW (source), result, NULL);

  if (self->session == NULL)
    return;
  if (g_strcmp0 (response, "merge") == 0)
    milk_sync_session_adopt_diary (self->session, MILK_ACCOUNT_SWITCH_MERGE);
  else if (g_strcmp0 (response, "replace") == 0)
    milk_sync_session_adopt_diary (self->session, MILK_ACCOUNT_SWITCH_REPLACE);
  else
    milk_sync_session_undo_sign_in (self->session);
}

/* Signed in to another account than the diary's: merge, or start from
 * the account's diary; starting afresh uploads nothing and keeps this
 * diary as a file, so it is the default. Escape undoes the sign-in. */
static void
ask_account_switch (MilkApplication *self)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autofree char *dir = g_path_get_dirname (milk_store_get_path (self->store));
  g_autofree char *body = NULL;
  MilkResponse responses[] = {
    { "cancel", _("_Cancel Sign-In"), ADW_RESPONSE_DEFAULT },
    { "merge", _("_Merge This Diary Into It"), ADW_RESPONSE_DEFAULT },
    { "replace", _("_Start From the Account’s Diary"), ADW_RESPONSE_SUGGESTED },
  };

  /* TRANSLATORS: the first %s is the sync server's address, the second a folder */
  body = g_strdup_printf (_("This diary was last synced with another account than the one you signed in to on %s. "
                            "Its records may have come from that account’s other devices.\n\n"
                            "Starting from this account’s diary first saves this diary as a file in %s."),
                          milk_account_get_server (milk_sync_session_get_account (self->session)), dir);
  milk_ask_async (parent, _("Another Account"), body, NULL, responses, G_N_ELEMENTS (responses),
                  "replace", "cancel", NULL, switch_chosen, g_object_ref (self));
}

void
milk_application_sign_in (MilkApplication *self,
                          const char      *server)
{
  g_return_if_fail (MILK_IS_APPLICATION (self));

  /* The diary could not be opened: there is nothing to sync. */
  if (self->store == NULL)
    return;
  milk_sync_session_sign_in (self->session, server);
}

typedef struct
{
  MilkApplication *app;
  GtkEditable *entry;
} ServerQuestion;

static void
server_chosen (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  ServerQuestion *question = user_data;
  g_autofree char *response = milk_ask_finish (GTK_WINDOW (source), result, NULL);

  if (g_strcmp0 (response, "sign-in") == 0)
    milk_application_sign_in (question->app, gtk_editable_get_text (question->entry));
  g_object_unref (question->app);
  g_object_unref (question->entry);
  g_free (question);
}

static void
sign_in_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  MilkApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autofree char *server = g_settings_get_string (self->settings, "sync-server");
  MilkResponse responses[] = {
    { "cancel", _("_Cancel"), ADW_RESPONSE_DEFAULT },
    { "sign-in", _("_Sign In"), ADW_RESPONSE_SUGGESTED },
  };
  ServerQuestion *question = g_new0 (ServerQuestion, 1);
  GtkWidget *entry;

  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), "https://");
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_URL);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (entry), *server ? server : DEFAULT_SYNC_SERVER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Server address"), -1);
  question->app = g_object_ref (self);
  question->entry = GTK_EDITABLE (g_object_ref (entry));
  milk_ask_async (parent, _("Sign In to Sync"),
                  _("Your diary stays on this device and is kept in step with your other "
                    "devices through the sync server. Signing in continues in your web browser."),
                  entry, responses, G_N_ELEMENTS (responses), "sign-in", "cancel", NULL,
                  server_chosen, question);
}

static void
sign_out_chosen (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(MilkApplication) self = user_data;
  g_autofree char *response = milk_ask_finish (GTK_WINDOW (source), result, NULL);

  if (response == NULL || self->session == NULL || g_strcmp0 (response, "cancel") == 0)
    return;
  milk_sync_session_sign_out (self->session, g_strcmp0 (response, "keep") == 0);
}

static void
sign_out_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  MilkApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  MilkResponse responses[] = {
    { "cancel", _("_Cancel"), ADW_RESPONSE_DEFAULT },
    { "remove", _("_Remove from Device"), ADW_RESPONSE_DESTRUCTIVE },
    { "keep", _("_Keep Diary"), ADW_RESPONSE_DEFAULT },
  };

  milk_ask_async (parent, _("Sign Out?"),
                  _("This device stops syncing. Keep a copy of the diary on this device? "
                    "Your account keeps everything that was synced."),
                  NULL, responses, G_N_ELEMENTS (responses), "keep", "cancel", NULL,
                  sign_out_chosen, g_object_ref (self));
}

static void
activate_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  g_application_activate (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { "activate", activate_action },
  { "sync-now", sync_now_action },
  { "sign-in", sign_in_action },
  { "sign-out", sign_out_action },
  { "preferences", preferences_action },
  { "about", about_action },
  { "quit", quit_action },
};

static void
milk_application_startup (GApplication *app)
{
  g_autofree char *path = milk_application_dup_diary_path ();

  /* On another core while GTK starts (milk-diary-opener.c) */
  MILK_APPLICATION (app)->opener = milk_diary_opener_start (path);
  G_APPLICATION_CLASS (milk_application_parent_class)->startup (app);

  MILK_APPLICATION (app)->settings = g_settings_new (APPLICATION_ID);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  update_sync_state (MILK_APPLICATION (app));
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", (const char *[]) { "<Control>q", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", (const char *[]) { "<Control>comma", NULL });
  milk_application_mark_startup ("startup");
}

static int
milk_application_handle_local_options (GApplication *app,
                                       GVariantDict *options)
{
  g_autofree char *path = milk_application_dup_diary_path ();
  int status;

  if (g_variant_dict_contains (options, "background"))
    {
      g_autoptr(GError) error = NULL;

      if (!g_application_register (app, NULL, &error))
        {
          g_printerr ("milk-diary: %s\n", error->message);
          return 1;
        }
      /* An instance already runs, and reminds: nothing more to do. */
      if (g_application_get_is_remote (app))
        return 0;
      MILK_APPLICATION (app)->background = TRUE;
      return -1;
    }
  status = milk_command_line_run (options, path);
  /* The window, for a diary that another running instance does not have:
   * this one opens it on its own. */
  if (status == -1 && _milk_application_other_diary_runs (path))
    g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);
  return status;
}

static gboolean
milk_application_dbus_register (GApplication     *app,
                                GDBusConnection  *connection,
                                const char       *object_path,
                                GError          **error)
{
  MilkApplication *self = MILK_APPLICATION (app);
  g_autofree char *path = milk_application_dup_diary_path ();
  g_autoptr(GError) local_error = NULL;

  if (!G_APPLICATION_CLASS (milk_application_parent_class)->dbus_register (app, connection, object_path, error))
    return FALSE;
  /* Without it a second start could not tell which diary runs here, and
   * would join this instance as before: no reason not to start. */
  self->diary_export = _milk_application_export_diary (connection, object_path, path, &local_error);
  if (self->diary_export == 0)
    g_warning ("The diary's path is not on the session bus: %s", local_error->message);
  return TRUE;
}

static void
milk_application_dbus_unregister (GApplication    *app,
                                  GDBusConnection *connection,
                                  const char      *object_path)
{
  MilkApplication *self = MILK_APPLICATION (app);

  if (self->diary_export != 0)
    g_dbus_connection_unregister_object (connection, self->diary_export);
  self->diary_export = 0;
  G_APPLICATION_CLASS (milk_application_parent_class)->dbus_unregister (app, connection, object_path);
}

static void
milk_application_finalize (GObject *object)
{
  MilkApplication *self = MILK_APPLICATION (object);

  g_clear_object (&self->session);
  g_clear_pointer (&self->sync_description, g_free);
  g_clear_object (&self->reminder);
  g_clear_object (&self->settings);
  g_clear_object (&self->store_monitor);
  g_clear_object (&self->store);
  /* Started, but no window nor reminder ever asked for the diary */
  if (self->opener != NULL)
    {
      g_autoptr(MilkStore) unused = milk_diary_opener_finish (g_steal_pointer (&self->opener), NULL);
    }

  G_OBJECT_CLASS (milk_application_parent_class)->finalize (object);
}

static void
milk_application_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  MilkApplication *self = MILK_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_SYNC_DESCRIPTION:
      g_value_set_string (value, self->sync_description);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
milk_application_class_init (MilkApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = milk_application_finalize;
  object_class->get_property = milk_application_get_property;

  /* Whether this device is signed in, and to where; or why it cannot be. */
  properties[PROP_SYNC_DESCRIPTION] =
    g_param_spec_string ("sync-description", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  app_class->activate = milk_application_activate;
  app_class->startup = milk_application_startup;
  app_class->handle_local_options = milk_application_handle_local_options;
  app_class->dbus_register = milk_application_dbus_register;
  app_class->dbus_unregister = milk_application_dbus_unregister;
}

static void
milk_application_init (MilkApplication *self)
{
  milk_command_line_add_options (G_APPLICATION (self));
}
