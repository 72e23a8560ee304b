/* test-gui-dialogs.c — milk-dialogs.c: a question and a file chooser
 * answer once, and answer "cancelled" when their window goes first
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "milk-dialogs.h"
#include "milk-gui-test-util.h"

typedef struct
{
  gboolean answered;
  char *response;
  GFile *file;
  GError *error;
} Answer;

static void
answer_clear (Answer *answer)
{
  g_clear_pointer (&answer->response, g_free);
  g_clear_object (&answer->file);
  g_clear_error (&answer->error);
  answer->answered = FALSE;
}

static GtkWindow *
find_visible (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return GTK_WINDOW (window);
    }
  return NULL;
}

static void
answered (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Answer *answer = user_data;

  answer->answered = TRUE;
  answer->response = milk_ask_finish (GTK_WINDOW (source), result, &answer->error);
}

static void
file_chosen (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Answer *answer = user_data;

  answer->answered = TRUE;
  answer->file = milk_choose_file_finish (GTK_WINDOW (source), result, &answer->error);
}

static GtkWindow *
new_parent (void)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  gtk_window_present (window);
  milk_gui_test_drain ();
  return window;
}

/* The response chosen comes back, once, and the question goes. */
static void
test_question_answers (void)
{
  MilkResponse responses[] = {
    { "cancel", "_Cancel", ADW_RESPONSE_DEFAULT },
    { "go", "_Go", ADW_RESPONSE_SUGGESTED },
  };
  GtkWindow *window = new_parent ();
  Answer answer = { 0 };

  milk_ask_async (window, "Go?", "Somewhere", NULL, responses, G_N_ELEMENTS (responses), "go", "cancel",
                  NULL, answered, &answer);
  milk_gui_test_drain ();
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (find_visible (ADW_TYPE_MESSAGE_DIALOG)), "go");
  milk_gui_test_drain ();
  g_assert_true (answer.answered);
  g_assert_no_error (answer.error);
  g_assert_cmpstr (answer.response, ==, "go");
  g_assert_null (find_visible (ADW_TYPE_MESSAGE_DIALOG));
  answer_clear (&answer);
  gtk_window_destroy (window);
  milk_gui_test_drain ();
}

/* A window destroyed while its question is up: the answer is "cancelled",
 * not a response the caller would act on with a window that is gone, and
 * the question goes with the window. */
static void
test_question_outlived (void)
{
  MilkResponse responses[] = { { "cancel", "_Cancel", ADW_RESPONSE_DEFAULT } };
  GtkWindow *window = new_parent ();
  Answer answer = { 0 };

  milk_ask_async (window, "Go?", NULL, NULL, responses, G_N_ELEMENTS (responses), NULL, "cancel",
                  NULL, answered, &answer);
  milk_gui_test_drain ();
  g_assert_nonnull (find_visible (ADW_TYPE_MESSAGE_DIALOG));
  gtk_window_destroy (window);
  milk_gui_test_drain ();
  g_assert_true (answer.answered);
  g_assert_error (answer.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (answer.response);
  g_assert_null (find_visible (ADW_TYPE_MESSAGE_DIALOG));
  answer_clear (&answer);
}

/* The file the person chose comes back. */
static void
test_chooser_answers (void)
{
  GtkWindow *window = new_parent ();
  g_autofree char *dir = g_dir_make_tmp ("milk-dialogs-XXXXXX", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autofree char *path = NULL;
  Answer answer = { 0 };
  GtkWindow *chooser;

  milk_choose_file_to_save_async (window, "Save", "_Save", "a.csv", NULL, file_chosen, &answer);
  milk_gui_test_drain ();
  chooser = find_visible (GTK_TYPE_FILE_CHOOSER_DIALOG);
  g_assert_nonnull (chooser);
  g_assert_true (gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "b.csv");
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
  milk_gui_test_wait (1000);
  g_assert_true (answer.answered);
  g_assert_no_error (answer.error);
  g_assert_nonnull (answer.file);
  path = g_file_get_basename (answer.file);
  g_assert_cmpstr (path, ==, "b.csv");
  answer_clear (&answer);
  gtk_window_destroy (window);
  milk_gui_test_drain ();
  g_rmdir (dir);
}

/* The same for a file chooser; and a cancelled cancellable closes it. */
static void
test_chooser_outlived (void)
{
  GtkWindow *window = new_parent ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Answer answer = { 0 };

  milk_choose_file_to_save_async (window, "Save", "_Save", "a.csv", cancellable, file_chosen, &answer);
  milk_gui_test_drain ();
  g_assert_nonnull (find_visible (GTK_TYPE_FILE_CHOOSER_DIALOG));
  g_cancellable_cancel (cancellable);
  milk_gui_test_drain ();
  g_assert_true (answer.answered);
  g_assert_error (answer.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (find_visible (GTK_TYPE_FILE_CHOOSER_DIALOG));
  answer_clear (&answer);

  milk_choose_file_to_open_async (window, "Open", "_Open", NULL, NULL, file_chosen, &answer);
  milk_gui_test_drain ();
  g_assert_nonnull (find_visible (GTK_TYPE_FILE_CHOOSER_DIALOG));
  gtk_window_destroy (window);
  milk_gui_test_drain ();
  g_assert_true (answer.answered);
  g_assert_error (answer.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (answer.file);
  g_assert_null (find_visible (GTK_TYPE_FILE_CHOOSER_DIALOG));
  answer_clear (&answer);
}

int
main (int   argc,
      char *argv[])
{
  if (!milk_gui_test_init (&argc, &argv))
    {
      g_print ("1..0 # SKIP no display to run the dialogs on\n");
      return 0;
    }

  g_test_add_func ("/gui/dialogs/question-answers", test_question_answers);
  g_test_add_func ("/gui/dialogs/question-outlived", test_question_outlived);
  g_test_add_func ("/gui/dialogs/chooser-answers", test_chooser_answers);
  g_test_add_func ("/gui/dialogs/chooser-outlived", test_chooser_outlived);

  return g_test_run ();
}
