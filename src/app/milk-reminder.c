/* milk-reminder.c — the daily "Record today's milk?" notification
 *
 * A background instance of the app (started at login: an autostart entry,
 * or the Background portal inside Flatpak) waits for the time the person
 * chose. If nothing is recorded for today by then, it sends a notification
 * with "Usual" (records each product's usual quantity, no window) and
 * "Open". When today is already recorded, nothing is shown.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "milk-reminder.h"

#define NOTIFICATION_ID "daily-reminder"

struct _MilkReminder
{
  GObject parent_instance;

  MilkStore *store;
  GApplication *application;   /* weak: the application owns the reminder */
  guint timeout_id;
  int minutes;
};

G_DEFINE_FINAL_TYPE (MilkReminder, milk_reminder, G_TYPE_OBJECT)

enum {
  REMIND,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* True when every active product has an entry for today ("no delivery"
 * counts: the day is recorded). */
gboolean
milk_reminder_today_recorded (MilkReminder *self)
{
  g_autoptr(GPtrArray) products = milk_store_list_products (self->store, FALSE, NULL);
  MilkDay today = milk_day_today ();

  for (guint i = 0; products && i < products->len; i++)
    {
      g_autoptr(MilkRecord) entry = milk_store_get_entry (self->store,
                                                          ((MilkRecord *) products->pdata[i])->id, today, NULL);
      if (entry == NULL)
        return FALSE;
    }
  return products != NULL;
}

/* Reminds now if today is not recorded; returns whether it did. */
gboolean
milk_reminder_check (MilkReminder *self)
{
  g_autoptr(GNotification) notification = NULL;

  if (milk_reminder_today_recorded (self))
    {
      if (self->application)
        g_application_withdraw_notification (self->application, NOTIFICATION_ID);
      return FALSE;
    }

  notification = g_notification_new (_("Record today’s milk?"));
  g_notification_set_body (notification, _("Nothing is recorded for today yet."));
  g_notification_set_icon (notification, g_themed_icon_new (APPLICATION_ID));
  g_notification_set_default_action (notification, "app.activate");
  g_notification_add_button (notification, _("Usual"), "app.record-usual");
  g_notification_add_button (notification, _("Open"), "app.activate");
  g_signal_emit (self, signals[REMIND], 0, notification);
  if (self->application)
    g_application_send_notification (self->application, NOTIFICATION_ID, notification);
  return TRUE;
}

/* "Usual": each product's usual quantity for today's weekday, recorded
 * without opening a window; days already recorded stay as they are. */
static void
record_usual (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  MilkReminder *self = user_data;
  MilkDay today = milk_day_today ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) plan = milk_store_plan_usual_days (self->store, today, today, &error);

  if (plan == NULL || !milk_store_put_many (self->store, plan, &error))
    {
      g_warning ("Today’s usual quantities could not be recorded: %s", error->message);
      return;
    }
  if (self->application)
    g_application_withdraw_notification (self->application, NOTIFICATION_ID);
}

void
milk_reminder_add_actions (MilkReminder *self,
                           GActionMap   *map)
{
  const GActionEntry entries[] = {
    { "record-usual", record_usual },
  };

  g_action_map_add_action_entries (map, entries, G_N_ELEMENTS (entries), self);
}

gboolean
milk_reminder_parse_time (const char *text,
                          int        *minutes)
{
  guint h, m;
  char extra;

  if (text == NULL || sscanf (text, "%u:%u%c", &h, &m, &extra) != 2 || h > 23 || m > 59)
    return FALSE;
  *minutes = h * 60 + m;
  return TRUE;
}

static void arm (MilkReminder *self);

static gboolean
due (gpointer user_data)
{
  MilkReminder *self = user_data;

  self->timeout_id = 0;
  milk_reminder_check (self);
  arm (self);
  return G_SOURCE_REMOVE;
}

/* Seconds until the next reminder time, today or tomorrow. */
static void
arm (MilkReminder *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  int now_s = g_date_time_get_hour (now) * 3600 + g_date_time_get_minute (now) * 60 + g_date_time_get_second (now);
  int at_s = self->minutes * 60;
  int wait_s = at_s > now_s ? at_s - now_s : 24 * 3600 - now_s + at_s;

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->minutes >= 0)
    self->timeout_id = g_timeout_add_seconds (MAX (wait_s, 1), due, self);
}

/* Reminds at the given time every day (a negative time stops it); past the
 * time already today, it checks at once. */
void
milk_reminder_schedule (MilkReminder *self,
                        int           minutes_after_midnight)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  self->minutes = minutes_after_midnight;
  arm (self);
  if (minutes_after_midnight >= 0 &&
      g_date_time_get_hour (now) * 60 + g_date_time_get_minute (now) >= minutes_after_midnight)
    milk_reminder_check (self);
}

static char *
autostart_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "autostart", APPLICATION_ID "-reminder.desktop", NULL);
}

/* Inside Flatpak the Background portal asks the person, once, and starts
 * the app at login; elsewhere an autostart entry does. */
gboolean
milk_reminder_set_autostart (gboolean   enabled,
                             GError   **error)
{
  g_autofree char *path = autostart_path ();

  if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    {
      g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, error);
      GVariantBuilder options;
      const char *commandline[] = { "milk-diary", "--background", NULL };

      if (bus == NULL)
        return FALSE;
      g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&options, "{sv}", "reason",
                             g_variant_new_string (_("To remind you to record the day’s milk")));
      g_variant_builder_add (&options, "{sv}", "autostart", g_variant_new_boolean (enabled));
      g_variant_builder_add (&options, "{sv}", "commandline", g_variant_new_strv (commandline, -1));
      g_dbus_connection_call (bus, "org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop",
                              "org.freedesktop.portal.Background", "RequestBackground",
                              g_variant_new ("(sa{sv})", "", &options), NULL, G_DBUS_CALL_FLAGS_NONE,
                              -1, NULL, NULL, NULL);
      return TRUE;
    }

  if (!enabled)
    {
      g_unlink (path);
      return TRUE;
    }
  {
    g_autofree char *dir = g_path_get_dirname (path);
    g_autofree char *contents = g_strdup_printf ("[Desktop Entry]\nType=Application\nName=%s\n"
                                                 "Exec=milk-diary --background\nIcon=%s\nNoDisplay=true\n"
                                                 "X-GNOME-Autostart-enabled=true\n",
                                                 _("Milk Diary reminder"), APPLICATION_ID);

    g_mkdir_with_parents (dir, 0700);
    return g_file_set_contents (path, contents, -1, error);
  }
}

static void
milk_reminder_dispose (GObject *object)
{
  MilkReminder *self = MILK_REMINDER (object);

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (milk_reminder_parent_class)->dispose (object);
}

static void
milk_reminder_class_init (MilkReminderClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = milk_reminder_dispose;

  /**
   * MilkReminder::remind:
   * @notification: the notification being sent
   */
  signals[REMIND] = g_signal_new ("remind", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 1, G_TYPE_NOTIFICATION);
}

static void
milk_reminder_init (MilkReminder *self)
{
  self->minutes = -1;
}

MilkReminder *
milk_reminder_new (MilkStore    *store,
                   GApplication *application)
{
  MilkReminder *self = g_object_new (MILK_TYPE_REMINDER, NULL);

  self->store = g_object_ref (store);
  self->application = application;
  return self;
}
