/* milk-application.c — the application: one instance, one diary
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "milk-application.h"
#include "milk-command-line.h"
#include "milk-preferences-window.h"
#include "milk-window.h"

struct _MilkApplication
{
  AdwApplication parent_instance;

  MilkStore *store;
};

G_DEFINE_FINAL_TYPE (MilkApplication, milk_application, ADW_TYPE_APPLICATION)

MilkApplication *
milk_application_new (void)
{
  return g_object_new (MILK_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/milkdiary/MilkDiary",
                       NULL);
}

MilkStore *
milk_application_get_store (MilkApplication *self)
{
  g_return_val_if_fail (MILK_IS_APPLICATION (self), NULL);

  return self->store;
}

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
show_open_error (MilkApplication *self,
                 const GError    *error)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (NULL, _("The Diary Could Not Be Opened"), error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (dialog));
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
milk_application_activate (GApplication *app)
{
  MilkApplication *self = MILK_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL && self->store == NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = milk_application_dup_diary_path ();

      self->store = milk_store_new (path, &error);
      if (self->store == NULL)
        {
          /* Nothing is touched: the file stays as it was for the person
           * (or a newer version) to deal with. */
          g_warning ("%s", error->message);
          show_open_error (self, error);
          return;
        }
    }

  if (window == NULL)
    {
      window = GTK_WINDOW (milk_window_new (self, self->store));
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
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  MilkPreferencesWindow *window;

  if (self->store == NULL)
    return;
  window = milk_preferences_window_new (parent, self->store);
  gtk_window_present (GTK_WINDOW (window));
}

static const GActionEntry app_actions[] = {
  { "preferences", preferences_action },
  { "about", about_action },
  { "quit", quit_action },
};

static void
milk_application_startup (GApplication *app)
{
  G_APPLICATION_CLASS (milk_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", (const char *[]) { "<Control>q", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", (const char *[]) { "<Control>comma", NULL });
}

static int
milk_application_handle_local_options (GApplication *app,
                                       GVariantDict *options)
{
  g_autofree char *path = milk_application_dup_diary_path ();

  return milk_command_line_run (options, path);
}

static void
milk_application_finalize (GObject *object)
{
  MilkApplication *self = MILK_APPLICATION (object);

  g_clear_object (&self->store);

  G_OBJECT_CLASS (milk_application_parent_class)->finalize (object);
}

static void
milk_application_class_init (MilkApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = milk_application_finalize;
  app_class->activate = milk_application_activate;
  app_class->startup = milk_application_startup;
  app_class->handle_local_options = milk_application_handle_local_options;
}

static void
milk_application_init (MilkApplication *self)
{
  milk_command_line_add_options (G_APPLICATION (self));
}
