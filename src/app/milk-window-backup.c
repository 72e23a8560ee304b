/* milk-window-backup.c — the window's Back Up Diary… and Restore Diary…
 *
 * Restoring reads and checks the whole backup before anything else; over
 * a diary with records it asks first; and it waits for a sync round in
 * flight to stop, so that nothing from before the restore is stored after
 * it (the restored diary then pulls the account's history afresh).
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <glib/gi18n.h>

#include "milk-application.h"
#include "milk-backup.h"
#include "milk-dialogs.h"
#include "milk-sync-service.h"
#include "milk-window-private.h"

static void
backup_file_chosen (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  MilkWindow *self = MILK_WINDOW (source);
  g_autoptr(GFile) file = milk_choose_file_finish (GTK_WINDOW (source), result, NULL);
  g_autofree char *path = file ? g_file_get_path (file) : NULL;
  g_autofree char *name = NULL;
  g_autofree char *message = NULL;
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    return;
  if (!milk_backup_write (_milk_window_get_store (self), path, &error))
    {
      milk_window_show_message (self, error->message);
      return;
    }
  name = g_file_get_basename (file);
  /* TRANSLATORS: %s is a file name */
  message = g_strdup_printf (_("Backed up the whole diary to %s"), name);
  milk_window_show_message (self, message);
}

void
_milk_window_backup (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d");
  /* TRANSLATORS: the suggested backup file name; %s is today, 2026-12-02 */
  g_autofree char *name = g_strdup_printf (_("milk-diary-%s.milkbackup"), date);

  milk_choose_file_to_save_async (GTK_WINDOW (widget), _("Back Up Diary"), _("_Back Up"), name, NULL,
                                  backup_file_chosen, NULL);
}

typedef struct
{
  MilkWindow *window;
  MilkBackup *backup;
  MilkSyncService *sync;
} Restore;

static void
restore_free (Restore *restore)
{
  g_object_unref (restore->window);
  milk_backup_free (restore->backup);
  g_clear_object (&restore->sync);
  g_free (restore);
}

static void
restore_now (Restore *restore)
{
  MilkWindow *self = restore->window;
  g_autoptr(GError) error = NULL;
  g_autofree char *what = milk_backup_describe (restore->backup);
  g_autofree char *message = NULL;

  if (!milk_backup_restore (_milk_window_get_store (self), restore->backup, TRUE, &error))
    milk_window_show_message (self, error->message);
  else
    {
      /* TRANSLATORS: %s is "120 entries, 3 prices, 4 payments" */
      message = g_strdup_printf (_("Restored the diary: %s"), what);
      milk_window_show_message (self, message);
    }
  if (restore->sync)
    {
      milk_sync_service_resume (restore->sync);
      milk_sync_service_sync_now (restore->sync);
    }
  restore_free (restore);
}

static void
sync_stopped (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  milk_sync_service_stop_finish (MILK_SYNC_SERVICE (source), result, NULL);
  restore_now (user_data);
}

static void
restore_start (Restore *restore)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (restore->window));
  MilkSyncService *sync = MILK_IS_APPLICATION (app) ? milk_application_get_sync (MILK_APPLICATION (app)) : NULL;

  if (sync == NULL)
    {
      restore_now (restore);
      return;
    }
  restore->sync = g_object_ref (sync);
  milk_sync_service_stop_async (sync, sync_stopped, restore);
}

static void
replace_confirmed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Restore *restore = user_data;
  g_autofree char *response = milk_ask_finish (GTK_WINDOW (source), result, NULL);

  if (g_strcmp0 (response, "replace") == 0)
    restore_start (restore);
  else
    restore_free (restore);
}

static void
ask_to_replace (Restore *restore)
{
  g_autofree char *what = milk_backup_describe (restore->backup);
  g_autofree char *created = NULL;
  g_autoptr(GDateTime) when = g_date_time_new_from_iso8601 (restore->backup->created, NULL);
  g_autoptr(GDateTime) local = when ? g_date_time_to_local (when) : NULL;
  g_autofree char *body = NULL;
  MilkResponse responses[] = {
    { "cancel", _("_Cancel"), ADW_RESPONSE_DEFAULT },
    { "replace", _("_Replace Diary"), ADW_RESPONSE_DESTRUCTIVE },
  };

  created = local ? g_date_time_format (local, "%x %X") : g_strdup (restore->backup->created);
  /* TRANSLATORS: the first %s is a date and time, the second
   * "120 entries, 3 prices, 4 payments" */
  body = g_strdup_printf (_("Every entry, price and payment in this diary is replaced by the "
                            "backup’s, made %s: %s.\n\nIf the diary syncs, changes your other "
                            "devices made after the backup come back at the next sync."),
                          created, what);
  milk_ask_async (GTK_WINDOW (restore->window), _("Replace the Diary?"), body, NULL,
                  responses, G_N_ELEMENTS (responses), "cancel", "cancel",
                  NULL, replace_confirmed, restore);
}

static void
restore_file_chosen (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  MilkWindow *self = MILK_WINDOW (source);
  g_autoptr(GFile) file = milk_choose_file_finish (GTK_WINDOW (source), result, NULL);
  g_autofree char *path = file ? g_file_get_path (file) : NULL;
  g_autoptr(GError) error = NULL;
  Restore *restore;

  if (path == NULL)
    return;

  restore = g_new0 (Restore, 1);
  restore->window = g_object_ref (self);
  restore->backup = milk_backup_read (path, &error);
  if (restore->backup == NULL)
    {
      milk_window_show_message (self, error->message);
      restore_free (restore);
      return;
    }
  if (milk_store_has_records (_milk_window_get_store (self)))
    ask_to_replace (restore);
  else
    restore_start (restore);
}

void
_milk_window_restore (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Milk Diary backups"));
  gtk_file_filter_add_pattern (filter, "*.milkbackup");
  milk_choose_file_to_open_async (GTK_WINDOW (widget), _("Restore Diary"), _("_Restore"), filter, NULL,
                                  restore_file_chosen, NULL);
}
