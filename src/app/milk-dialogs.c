/* milk-dialogs.c — choose a file, answer a question: the dialogs of the
 * GTK and libadwaita the app is built with
 *
 * GtkFileChooserNative and AdwMessageDialog are deprecated in the GTK
 * (4.10) and libadwaita (1.6) of the Flatpak runtime, yet they are the only
 * such dialogs in Debian 12's GTK 4.8 and libadwaita 1.2. This file uses
 * GtkFileDialog and AdwAlertDialog where the build has them, the old ones
 * otherwise, and is the one place that silences deprecation warnings.
 *
 * Every answer comes through a GTask whose source object is the parent
 * window. A parent destroyed while its dialog is up, or a cancelled
 * cancellable, answers G_IO_ERROR_CANCELLED, which callers ignore: no
 * callback acts on a window that is gone.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <glib/gi18n.h>

#include "milk-dialogs.h"

#define NEW_FILE_DIALOG GTK_CHECK_VERSION (4, 10, 0)
#define NEW_ALERT_DIALOG ADW_CHECK_VERSION (1, 5, 0)

typedef struct
{
  GtkWidget *parent;       /* held by the task, its source object */
  GCancellable *cancel;    /* the caller's cancellable, or the parent's end */
  GCancellable *caller;
  gulong caller_id;
  gulong unrealize_id;
  gulong destroy_id;
  gulong cancel_id;
  GObject *dialog;
  gulong response_id;
  gboolean done;
} Op;

static void
op_free (gpointer data)
{
  Op *op = data;

  g_clear_object (&op->dialog);
  g_clear_object (&op->cancel);
  g_clear_object (&op->caller);
  g_free (op);
}

static void
cancel_op (GCancellable *cancel)
{
  g_cancellable_cancel (cancel);
}

static void
caller_cancelled (GCancellable *caller,
                  GCancellable *cancel)
{
  g_cancellable_cancel (cancel);
}

/* The task answers once: the first of the dialog's answer, the caller's
 * cancellable and the parent's end takes it, and disconnects the others.
 * (g_signal_handler_disconnect, not g_cancellable_disconnect, which waits
 * for a handler that may be the one running.) */
static gboolean
op_end (GTask *task)
{
  Op *op = g_task_get_task_data (task);

  if (op->done)
    return FALSE;
  op->done = TRUE;
  g_clear_signal_handler (&op->caller_id, op->caller);
  g_clear_signal_handler (&op->unrealize_id, op->parent);
  g_clear_signal_handler (&op->destroy_id, op->parent);
  g_clear_signal_handler (&op->cancel_id, op->cancel);
  g_clear_signal_handler (&op->response_id, op->dialog);
  return TRUE;
}

static void
return_cancelled (GTask *task)
{
  /* Never shown: callers ignore a cancelled answer. */
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The dialog was dismissed");
}

static GTask *
op_start (GtkWindow           *parent,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data,
          gpointer             source_tag)
{
  GTask *task = g_task_new (parent, cancellable, callback, user_data);
  Op *op = g_new0 (Op, 1);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, op, op_free);
  op->parent = GTK_WIDGET (parent);
  op->cancel = g_cancellable_new ();
  if (cancellable)
    {
      op->caller = g_object_ref (cancellable);
      op->caller_id = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled), op->cancel, NULL);
    }
  /* gtk_window_destroy () unrealizes the window; it is disposed, and says
   * "destroy", only when its last reference goes, and the task holds one. */
  if (parent)
    {
      op->unrealize_id = g_signal_connect_swapped (parent, "unrealize", G_CALLBACK (cancel_op), op->cancel);
      op->destroy_id = g_signal_connect_swapped (parent, "destroy", G_CALLBACK (cancel_op), op->cancel);
    }
  return task;
}

/* Files ------------------------------------------------------------------ */

#if NEW_FILE_DIALOG

static void
file_dialog_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Op *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;

  if (g_task_get_source_tag (task) == milk_choose_file_to_open_async)
    file = gtk_file_dialog_open_finish (GTK_FILE_DIALOG (source), result, &error);
  else
    file = gtk_file_dialog_save_finish (GTK_FILE_DIALOG (source), result, &error);
  op_end (task);
  if (file == NULL || g_cancellable_is_cancelled (op->cancel))
    return_cancelled (task);
  else
    g_task_return_pointer (task, g_steal_pointer (&file), g_object_unref);
}

static void
choose_file (GTask         *task,
             const char    *title,
             const char    *accept_label,
             const char    *initial_name,
             GtkFileFilter *filter)
{
  Op *op = g_task_get_task_data (task);
  GtkFileDialog *dialog = gtk_file_dialog_new ();

  op->dialog = G_OBJECT (dialog);
  gtk_file_dialog_set_title (dialog, title);
  gtk_file_dialog_set_accept_label (dialog, accept_label);
  if (initial_name)
    gtk_file_dialog_set_initial_name (dialog, initial_name);
  if (filter)
    {
      g_autoptr(GListStore) filters = g_list_store_new (GTK_TYPE_FILE_FILTER);

      g_list_store_append (filters, filter);
      gtk_file_dialog_set_filters (dialog, G_LIST_MODEL (filters));
      gtk_file_dialog_set_default_filter (dialog, filter);
    }
  if (g_task_get_source_tag (task) == milk_choose_file_to_open_async)
    gtk_file_dialog_open (dialog, GTK_WINDOW (op->parent), op->cancel, file_dialog_done, task);
  else
    gtk_file_dialog_save (dialog, GTK_WINDOW (op->parent), op->cancel, file_dialog_done, task);
}

#else /* GtkFileChooserNative */

G_GNUC_BEGIN_IGNORE_DEPRECATIONS

static void
chooser_response (GtkNativeDialog *chooser,
                  int              response,
                  GTask           *task)
{
  g_autoptr(GFile) file = NULL;

  if (!op_end (task))
    return;
  /* Let go of the parent, which may go before the chooser does. */
  gtk_native_dialog_set_transient_for (chooser, NULL);
  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (file == NULL)
    return_cancelled (task);
  else
    g_task_return_pointer (task, g_steal_pointer (&file), g_object_unref);
  g_object_unref (task);
}

static void
chooser_cancelled (GTask *task)
{
  Op *op = g_task_get_task_data (task);

  if (!op_end (task))
    return;
  gtk_native_dialog_hide (GTK_NATIVE_DIALOG (op->dialog));
  gtk_native_dialog_set_transient_for (GTK_NATIVE_DIALOG (op->dialog), NULL);
  return_cancelled (task);
  g_object_unref (task);
}

static void
choose_file (GTask         *task,
             const char    *title,
             const char    *accept_label,
             const char    *initial_name,
             GtkFileFilter *filter)
{
  Op *op = g_task_get_task_data (task);
  gboolean open = g_task_get_source_tag (task) == milk_choose_file_to_open_async;
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (op->parent),
                                         open ? GTK_FILE_CHOOSER_ACTION_OPEN : GTK_FILE_CHOOSER_ACTION_SAVE,
                                         accept_label, _("_Cancel"));
  op->dialog = G_OBJECT (chooser);
  if (initial_name)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), initial_name);
  if (filter)
    gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  op->response_id = g_signal_connect (chooser, "response", G_CALLBACK (chooser_response), task);
  op->cancel_id = g_signal_connect_swapped (op->cancel, "cancelled", G_CALLBACK (chooser_cancelled), task);
  if (g_cancellable_is_cancelled (op->cancel))
    chooser_cancelled (task);
  else
    gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

G_GNUC_END_IGNORE_DEPRECATIONS

#endif

/* Asks for a file to read, of those @filter (or NULL) lets through. */
void
milk_choose_file_to_open_async (GtkWindow           *parent,
                                const char          *title,
                                const char          *accept_label,
                                GtkFileFilter       *filter,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (filter == NULL || GTK_IS_FILE_FILTER (filter));

  choose_file (op_start (parent, cancellable, callback, user_data, milk_choose_file_to_open_async),
               title, accept_label, NULL, filter);
}

/* Asks where to write a file, suggesting @initial_name. */
void
milk_choose_file_to_save_async (GtkWindow           *parent,
                                const char          *title,
                                const char          *accept_label,
                                const char          *initial_name,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));

  choose_file (op_start (parent, cancellable, callback, user_data, milk_choose_file_to_save_async),
               title, accept_label, initial_name, NULL);
}

/* The file chosen; NULL with G_IO_ERROR_CANCELLED when the person
 * dismissed the chooser or its window is gone. */
GFile *
milk_choose_file_finish (GtkWindow     *parent,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, parent), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Questions -------------------------------------------------------------- */

#if NEW_ALERT_DIALOG

static void
alert_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Op *op = g_task_get_task_data (task);
  const char *response = adw_alert_dialog_choose_finish (ADW_ALERT_DIALOG (source), result);

  op_end (task);
  if (g_cancellable_is_cancelled (op->cancel))
    return_cancelled (task);
  else
    g_task_return_pointer (task, g_strdup (response), g_free);
}

static void
ask (GTask              *task,
     const char         *heading,
     const char         *body,
     GtkWidget          *extra_child,
     const MilkResponse *responses,
     guint               n_responses,
     const char         *default_response,
     const char         *close_response)
{
  Op *op = g_task_get_task_data (task);
  AdwAlertDialog *dialog = ADW_ALERT_DIALOG (adw_alert_dialog_new (heading, body));

  op->dialog = g_object_ref_sink (G_OBJECT (dialog));
  if (extra_child)
    adw_alert_dialog_set_extra_child (dialog, extra_child);
  for (guint i = 0; i < n_responses; i++)
    {
      adw_alert_dialog_add_response (dialog, responses[i].id, responses[i].label);
      adw_alert_dialog_set_response_appearance (dialog, responses[i].id, responses[i].appearance);
    }
  if (default_response)
    adw_alert_dialog_set_default_response (dialog, default_response);
  if (close_response)
    adw_alert_dialog_set_close_response (dialog, close_response);
  adw_alert_dialog_choose (dialog, op->parent, op->cancel, alert_done, task);
}

#else /* AdwMessageDialog */

G_GNUC_BEGIN_IGNORE_DEPRECATIONS

static void
message_response (AdwMessageDialog *dialog,
                  const char       *response,
                  GTask            *task)
{
  if (!op_end (task))
    return;
  /* A response given other than by a button leaves the dialog up. Let
   * go of the parent, which may go before the dialog does. */
  if (gtk_widget_get_visible (GTK_WIDGET (dialog)))
    gtk_window_close (GTK_WINDOW (dialog));
  gtk_window_set_transient_for (GTK_WINDOW (dialog), NULL);
  g_task_return_pointer (task, g_strdup (response), g_free);
  g_object_unref (task);
}

static void
message_cancelled (GTask *task)
{
  Op *op = g_task_get_task_data (task);

  if (!op_end (task))
    return;
  gtk_window_set_transient_for (GTK_WINDOW (op->dialog), NULL);
  gtk_window_destroy (GTK_WINDOW (op->dialog));
  return_cancelled (task);
  g_object_unref (task);
}

static void
ask (GTask              *task,
     const char         *heading,
     const char         *body,
     GtkWidget          *extra_child,
     const MilkResponse *responses,
     guint               n_responses,
     const char         *default_response,
     const char         *close_response)
{
  Op *op = g_task_get_task_data (task);
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (op->parent), heading, body);

  op->dialog = g_object_ref (G_OBJECT (dialog));
  if (extra_child)
    adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), extra_child);
  for (guint i = 0; i < n_responses; i++)
    {
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), responses[i].id, responses[i].label);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), responses[i].id,
                                                  responses[i].appearance);
    }
  if (default_response)
    adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), default_response);
  if (close_response)
    adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), close_response);
  op->response_id = g_signal_connect (dialog, "response", G_CALLBACK (message_response), task);
  op->cancel_id = g_signal_connect_swapped (op->cancel, "cancelled", G_CALLBACK (message_cancelled), task);
  if (g_cancellable_is_cancelled (op->cancel))
    message_cancelled (task);
  else
    gtk_window_present (GTK_WINDOW (dialog));
}

G_GNUC_END_IGNORE_DEPRECATIONS

#endif

/* Asks @heading, with @body (plain text) and @extra_child under it, and
 * answers the id of the response chosen; Escape and closing choose
 * @close_response. */
void
milk_ask_async (GtkWindow           *parent,
                const char          *heading,
                const char          *body,
                GtkWidget           *extra_child,
                const MilkResponse  *responses,
                guint                n_responses,
                const char          *default_response,
                const char          *close_response,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (heading != NULL);
  g_return_if_fail (responses != NULL || n_responses == 0);

  ask (op_start (parent, cancellable, callback, user_data, milk_ask_async),
       heading, body, extra_child, responses, n_responses, default_response, close_response);
}

/* The id of the response chosen; NULL with G_IO_ERROR_CANCELLED when the
 * parent is gone or the cancellable was cancelled. */
char *
milk_ask_finish (GtkWindow     *parent,
                 GAsyncResult  *result,
                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, parent), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
