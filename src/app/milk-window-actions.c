/* milk-window-actions.c — the window's file actions: import, export, print
 *
 * Files are chosen through milk-dialogs.c (portal-backed inside Flatpak);
 * printing goes through GtkPrintOperation, which also saves to PDF.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <glib/gi18n.h>

#include "milk-bill-pdf.h"
#include "milk-dialogs.h"
#include "milk-file-job.h"
#include "milk-window-private.h"

static void
show_report (MilkWindow             *self,
             const char             *title,
             const MilkImportReport *report)
{
  g_autofree char *text = milk_import_report_to_string (report);
  GtkWidget *label = gtk_label_new (text);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  MilkResponse responses[] = { { "close", _("_Close"), ADW_RESPONSE_DEFAULT } };

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), label);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 320);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  milk_ask_async (GTK_WINDOW (self), title, NULL, scrolled, responses, G_N_ELEMENTS (responses),
                  NULL, "close", NULL, NULL, NULL);
}

/* While a file job runs, the diary's other file actions wait. */
static void
job_running_changed (MilkWindow  *self,
                     GParamSpec  *pspec,
                     MilkFileJob *job)
{
  static const char * const actions[] = {
    "win.import", "win.export-csv", "win.save-bill", "win.backup", "win.restore",
  };
  gboolean running = milk_file_job_get_running (job);

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), actions[i], !running);
}

/* A job on the window's diary, shown by its progress bar. The
 * application stays while it runs, though the window be closed. */
static MilkFileJob *
start_job (MilkWindow *self,
           const char *what)
{
  MilkFileJob *job = milk_file_job_new (milk_store_get_path (_milk_window_get_store (self)));

  g_signal_connect_object (job, "notify::running", G_CALLBACK (job_running_changed), self, G_CONNECT_SWAPPED);
  milk_file_progress_follow (_milk_window_get_file_progress (self), job, what);
  g_application_hold (g_application_get_default ());
  return job;
}

typedef struct
{
  MilkWindow *window;
  char *path;
  char *saved;     /* what a job that writes @path says when it has */
} JobDone;

static JobDone *
job_done_new (MilkWindow *self,
              const char *path,
              char       *saved)
{
  JobDone *done = g_new (JobDone, 1);

  done->window = g_object_ref (self);
  done->path = g_strdup (path);
  done->saved = saved;
  return done;
}

static void
job_done_free (JobDone *done)
{
  g_application_release (g_application_get_default ());
  g_object_unref (done->window);
  g_free (done->path);
  g_free (done->saved);
  g_free (done);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JobDone, job_done_free)

/* A window closed while its job ran has no one to tell. */
static gboolean
window_is_open (MilkWindow *self)
{
  return gtk_widget_get_realized (GTK_WIDGET (self));
}

static void ask_for_user (MilkWindow *self,
                          const char *path);

static void
import_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(JobDone) done = user_data;
  MilkWindow *self = done->window;
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkImportReport) report = milk_file_job_import_finish (MILK_FILE_JOB (source), result, &error);

  if (!window_is_open (self))
    return;
  if (g_error_matches (error, MILK_IMPORT_ERROR, MILK_IMPORT_ERROR_CHOOSE_USER))
    ask_for_user (self, done->path);
  else if (report == NULL)
    milk_window_show_message (self, error->message);
  else
    show_report (self, _("Import Finished"), report);
}

static void
import_with_user (MilkWindow *self,
                  const char *path,
                  const char *email)
{
  g_autofree char *name = g_path_get_basename (path);
  /* TRANSLATORS: %s is a file's name, "milk-diary.csv" */
  g_autofree char *what = g_strdup_printf (_("Importing %s"), name);
  g_autoptr(MilkFileJob) job = start_job (self, what);

  milk_file_job_import_async (job, path, email, NULL, import_done, job_done_new (self, path, NULL));
}

static void
user_chosen (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autofree char *path = user_data;
  g_autofree char *response = milk_ask_finish (GTK_WINDOW (source), result, NULL);

  if (response != NULL && g_strcmp0 (response, "cancel") != 0)
    import_with_user (MILK_WINDOW (source), path, response);
}

/* A database of several people: ask whose diary this is. */
static void
ask_for_user (MilkWindow *self,
              const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkLegacyDb) db = milk_legacy_db_open (path, &error);
  g_autoptr(GPtrArray) users = db ? milk_legacy_db_list_users (db, &error) : NULL;
  g_autoptr(GArray) responses = g_array_new (FALSE, FALSE, sizeof (MilkResponse));
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  MilkResponse cancel = { "cancel", _("_Cancel"), ADW_RESPONSE_DEFAULT };

  if (users == NULL)
    {
      milk_window_show_message (self, error->message);
      return;
    }
  g_array_append_val (responses, cancel);
  for (guint i = 0; i < users->len; i++)
    {
      MilkLegacyUser *user = g_ptr_array_index (users, i);
      MilkResponse response = { user->email, NULL, ADW_RESPONSE_DEFAULT };

      if (user->email == NULL)
        continue;
      response.label = g_strdup_printf (ngettext ("%s (%u record)", "%s (%u records)", user->n_records),
                                        user->email, user->n_records);
      g_ptr_array_add (labels, (char *) response.label);
      g_array_append_val (responses, response);
    }
  milk_ask_async (GTK_WINDOW (self), _("Whose Diary?"),
                  _("This Home Milk Calculator database holds the records of several people. "
                    "Choose whose records to bring into this diary."),
                  NULL, (MilkResponse *) (gpointer) responses->data, responses->len, NULL, "cancel",
                  NULL, user_chosen, g_strdup (path));
}

static void
import_file_chosen (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GFile) file = milk_choose_file_finish (GTK_WINDOW (source), result, NULL);
  g_autofree char *path = file ? g_file_get_path (file) : NULL;

  if (path != NULL)
    import_with_user (MILK_WINDOW (source), path, NULL);
}

void
_milk_window_import (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Home Milk Calculator databases and CSV files"));
  gtk_file_filter_add_pattern (filter, "*.db");
  gtk_file_filter_add_pattern (filter, "*.sqlite");
  gtk_file_filter_add_pattern (filter, "*.sqlite3");
  gtk_file_filter_add_mime_type (filter, "text/csv");
  gtk_file_filter_add_mime_type (filter, "application/vnd.sqlite3");
  milk_choose_file_to_open_async (GTK_WINDOW (widget), _("Import Milk Records"), _("_Import"), filter,
                                  NULL, import_file_chosen, NULL);
}

/* A job that wrote a file ended: a toast says so, or why not. */
static void
tell_saved (JobDone      *done,
            gboolean      saved,
            const GError *error)
{
  if (window_is_open (done->window))
    milk_window_show_message (done->window, saved ? done->saved : error->message);
}

static void
export_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(JobDone) done = user_data;
  g_autoptr(GError) error = NULL;
  gboolean saved = milk_file_job_export_csv_finish (MILK_FILE_JOB (source), result, &error);

  tell_saved (done, saved, error);
}

static void
export_file_chosen (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  MilkWindow *self = MILK_WINDOW (source);
  g_autoptr(GFile) file = milk_choose_file_finish (GTK_WINDOW (source), result, NULL);
  g_autofree char *path = file ? g_file_get_path (file) : NULL;
  g_autofree char *name = NULL;
  g_autofree char *what = NULL;
  g_autoptr(MilkFileJob) job = NULL;

  if (path == NULL)
    return;
  name = g_path_get_basename (path);
  /* TRANSLATORS: %s is a file's name, "milk-diary.csv" */
  what = g_strdup_printf (_("Exporting to %s"), name);
  job = start_job (self, what);
  milk_file_job_export_csv_async (job, path, NULL, export_done,
                                  /* TRANSLATORS: %s is a file's name, "milk-diary.csv" */
                                  job_done_new (self, path, g_strdup_printf (_("Saved the diary as %s"), name)));
}

void
_milk_window_export_csv (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  milk_choose_file_to_save_async (GTK_WINDOW (widget), _("Export Entries"), _("_Export"), _("milk-diary.csv"),
                                  NULL, export_file_chosen, NULL);
}

static void
bill_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(JobDone) done = user_data;
  g_autoptr(GError) error = NULL;
  gboolean saved = milk_file_job_save_bill_finish (MILK_FILE_JOB (source), result, &error);

  tell_saved (done, saved, error);
}

/* @user_data: the first day of the bill's month */
static void
bill_file_chosen (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  MilkWindow *self = MILK_WINDOW (source);
  g_autoptr(GFile) file = milk_choose_file_finish (GTK_WINDOW (source), result, NULL);
  g_autofree char *path = file ? g_file_get_path (file) : NULL;
  g_autofree char *name = NULL;
  g_autofree char *what = NULL;
  g_autoptr(MilkFileJob) job = NULL;
  char *saved;
  int year, month;

  if (path == NULL || !milk_day_get_ymd ((MilkDay) GPOINTER_TO_UINT (user_data), &year, &month, NULL))
    return;
  name = g_path_get_basename (path);
  what = g_strdup_printf (_("Exporting to %s"), name);
  job = start_job (self, what);
  /* TRANSLATORS: %s is a file's name, "milk-bill-2026-11.pdf" */
  saved = g_strdup_printf (_("Saved the bill as %s"), name);
  milk_file_job_save_bill_async (job, year, month, path, NULL, bill_done, job_done_new (self, path, saved));
}

/* The bill of the month shown in the calendar, as a PDF file to share:
 * a file chooser, no print dialog. */
void
_milk_window_save_bill (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  MilkCalendarView *calendar = milk_window_get_calendar_view (MILK_WINDOW (widget));
  int year = milk_calendar_view_get_year (calendar);
  int month = milk_calendar_view_get_month (calendar);
  /* TRANSLATORS: a bill's file name; %04d-%02d is its year and month */
  g_autofree char *name = g_strdup_printf (_("milk-bill-%04d-%02d.pdf"), year, month);

  milk_choose_file_to_save_async (GTK_WINDOW (widget), _("Save Bill as PDF"), _("_Save"), name, NULL,
                                  bill_file_chosen, GUINT_TO_POINTER (milk_day_month_first (year, month)));
}

typedef struct
{
  MilkStore *store;
  int year;
  int month;
} PrintJob;

static void
print_job_free (gpointer data)
{
  PrintJob *job = data;

  g_object_unref (job->store);
  g_free (job);
}

static void
draw_bill (GtkPrintOperation *operation,
           GtkPrintContext   *context,
           int                page,
           PrintJob          *job)
{
  g_autoptr(GError) error = NULL;

  if (!milk_bill_draw (job->store, job->year, job->month, gtk_print_context_get_cairo_context (context),
                       gtk_print_context_get_width (context), gtk_print_context_get_height (context), &error))
    g_warning ("The bill could not be drawn: %s", error->message);
}

/* The bill of the month shown in the calendar: printed, or saved as PDF
 * from the print dialog. */
void
_milk_window_print_bill (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  MilkWindow *self = MILK_WINDOW (widget);
  MilkCalendarView *calendar = milk_window_get_calendar_view (self);
  g_autoptr(GtkPrintOperation) operation = gtk_print_operation_new ();
  g_autoptr(GError) error = NULL;
  PrintJob *job = g_new0 (PrintJob, 1);
  g_autofree char *name = NULL;

  job->store = g_object_ref (_milk_window_get_store (self));
  job->year = milk_calendar_view_get_year (calendar);
  job->month = milk_calendar_view_get_month (calendar);
  name = g_strdup_printf ("milk-bill-%04d-%02d", job->year, job->month);

  gtk_print_operation_set_n_pages (operation, 1);
  gtk_print_operation_set_job_name (operation, name);
  gtk_print_operation_set_embed_page_setup (operation, TRUE);
  g_signal_connect_data (operation, "draw-page", G_CALLBACK (draw_bill), job,
                         (GClosureNotify) (void (*) (void)) print_job_free, 0);
  if (gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG, GTK_WINDOW (self), &error)
      == GTK_PRINT_OPERATION_RESULT_ERROR)
    milk_window_show_message (self, error->message);
}

/* Leave and the usual days ----------------------------------------------- */

typedef struct
{
  GPtrArray *plan;
  char *message;
} Pending;

static void
pending_free (Pending *pending)
{
  g_ptr_array_unref (pending->plan);
  g_free (pending->message);
  g_free (pending);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pending, pending_free)

static void
apply_plan (MilkWindow *self,
            GPtrArray  *plan,
            const char *message)
{
  MilkStore *store = _milk_window_get_store (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) before = milk_store_snapshot_entries (store, plan, &error);

  if (before == NULL || !milk_store_put_many (store, plan, &error))
    {
      milk_window_show_message (self, error->message);
      return;
    }
  milk_window_offer_undo (self, message, before);
}

static void
leave_confirmed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(Pending) pending = user_data;
  g_autofree char *response = milk_ask_finish (GTK_WINDOW (source), result, NULL);

  if (g_strcmp0 (response, "change") == 0)
    apply_plan (MILK_WINDOW (source), pending->plan, pending->message);
}

static char *
describe_entry (MilkRecord *entry)
{
  int y, m, d;
  g_autoptr(GDateTime) date = NULL;
  g_autofree char *day = NULL;
  g_autofree char *qty = NULL;

  milk_day_get_ymd (entry->day, &y, &m, &d);
  date = g_date_time_new_local (y, m, d, 0, 0, 0);
  day = g_date_time_format (date, _("%a %-d %b"));
  qty = entry->qty_ml ? milk_quantity_format (entry->qty_ml) : g_strdup (_("no delivery"));
  return g_strdup_printf ("%s: %s", day, qty);
}

/* Takes @plan and @message, to apply if the person agrees. */
static void
ask_to_replace_days (MilkWindow *self,
                     GPtrArray  *recorded,
                     GPtrArray  *plan,
                     char       *message)
{
  g_autoptr(GString) list = g_string_new (NULL);
  g_autofree char *body = NULL;
  Pending *pending = g_new0 (Pending, 1);
  MilkResponse responses[] = {
    { "cancel", _("_Cancel"), ADW_RESPONSE_DEFAULT },
    { "change", _("_Mark as Leave"), ADW_RESPONSE_DESTRUCTIVE },
  };

  for (guint i = 0; i < recorded->len && i < 12; i++)
    {
      g_autofree char *line = describe_entry (g_ptr_array_index (recorded, i));
      g_string_append_printf (list, "%s\n", line);
    }
  if (recorded->len > 12)
    g_string_append_printf (list, ngettext ("and %u more\n", "and %u more\n", recorded->len - 12),
                            recorded->len - 12);
  body = g_strdup_printf (ngettext ("This day is already recorded and will become “no delivery”:\n\n%s",
                                    "These days are already recorded and will become “no delivery”:\n\n%s",
                                    recorded->len),
                          list->str);
  pending->plan = plan;
  pending->message = message;
  milk_ask_async (GTK_WINDOW (self), _("Change Recorded Days?"), body, NULL,
                  responses, G_N_ELEMENTS (responses), NULL, "cancel", NULL, leave_confirmed, pending);
}

/* Marks every day from first to last "no delivery", in one step that one
 * Undo takes back. Days already recorded are listed first, to confirm. */
void
milk_window_mark_leave (MilkWindow *self,
                        MilkDay     first,
                        MilkDay     last)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) recorded = NULL;
  g_autoptr(GPtrArray) plan = NULL;
  g_autofree char *message = NULL;
  guint days;
  MilkDay a = MIN (first, last), b = MAX (first, last);

  if (!milk_day_is_valid (a) || !milk_day_is_valid (b) || b - a > 366)
    {
      milk_window_show_message (self, _("Leave can be at most a year, between two days of the calendar"));
      return;
    }
  plan = milk_store_plan_leave (_milk_window_get_store (self), a, b, &recorded, &error);
  if (plan == NULL)
    {
      milk_window_show_message (self, error->message);
      return;
    }
  days = b - a + 1;
  message = g_strdup_printf (ngettext ("Marked %u day as leave", "Marked %u days as leave", days), days);

  if (recorded->len > 0)
    {
      ask_to_replace_days (self, recorded, g_steal_pointer (&plan), g_steal_pointer (&message));
      return;
    }

  apply_plan (self, plan, message);
}

/* @user_data: the box of the two days, a reference */
static void
leave_dialog_response (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  MilkWindow *self = MILK_WINDOW (source);
  g_autoptr(GtkWidget) box = user_data;
  g_autofree char *response = milk_ask_finish (GTK_WINDOW (source), result, NULL);
  GtkEditable *from = GTK_EDITABLE (gtk_widget_get_first_child (box));
  GtkEditable *to = GTK_EDITABLE (gtk_widget_get_last_child (box));
  g_autoptr(GError) error = NULL;
  MilkDay first, last;

  if (g_strcmp0 (response, "mark") != 0)
    return;
  if ((first = milk_day_parse (gtk_editable_get_text (from), &error)) == MILK_DAY_INVALID ||
      (last = milk_day_parse (gtk_editable_get_text (to), &error)) == MILK_DAY_INVALID)
    {
      milk_window_show_message (self, error->message);
      return;
    }
  milk_window_mark_leave (self, first, last);
}

static GtkWidget *
day_entry (const char *label,
           MilkDay     day)
{
  GtkWidget *entry = gtk_entry_new ();
  g_autofree char *text = milk_day_to_string (day);

  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), "YYYY-MM-DD");
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_widget_set_tooltip_text (entry, label);
  gtk_widget_set_hexpand (entry, TRUE);
  return entry;
}

void
_milk_window_mark_leave (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  MilkWindow *self = MILK_WINDOW (widget);
  MilkDay first = milk_day_today (), last = first;
  GtkWidget *box;
  MilkResponse responses[] = {
    { "cancel", _("_Cancel"), ADW_RESPONSE_DEFAULT },
    { "mark", _("_Mark Leave"), ADW_RESPONSE_SUGGESTED },
  };

  milk_calendar_view_get_selection (milk_window_get_calendar_view (self), &first, &last);
  box = g_object_ref_sink (gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6));
  gtk_widget_add_css_class (box, "linked");
  gtk_box_append (GTK_BOX (box), day_entry (_("First day of leave"), first));
  gtk_box_append (GTK_BOX (box), day_entry (_("Last day of leave"), last));
  milk_ask_async (GTK_WINDOW (self), _("Mark Leave"),
                  _("No delivery on every day from the first day to the last, "
                    "for every product. Undo takes it all back."),
                  box, responses, G_N_ELEMENTS (responses), "mark", "cancel",
                  NULL, leave_dialog_response, box);
}

/* Every unrecorded day of the shown month up to today gets each product's
 * usual quantity for its weekday; recorded days are never touched. */
void
_milk_window_fill_month (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  MilkWindow *self = MILK_WINDOW (widget);
  MilkCalendarView *calendar = milk_window_get_calendar_view (self);
  int year = milk_calendar_view_get_year (calendar), month = milk_calendar_view_get_month (calendar);
  MilkDay first = milk_day_month_first (year, month);
  MilkDay last = MIN (milk_day_month_last (year, month), milk_day_today ());
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) plan = NULL;
  g_autoptr(GHashTable) days = g_hash_table_new (NULL, NULL);
  g_autofree char *message = NULL;

  if (first > last)
    {
      milk_window_show_message (self, _("This month has not begun yet"));
      return;
    }
  plan = milk_store_plan_usual_days (_milk_window_get_store (self), first, last, &error);
  if (plan == NULL)
    {
      milk_window_show_message (self, error->message);
      return;
    }
  if (plan->len == 0)
    {
      milk_window_show_message (self, _("Every day so far is already recorded"));
      return;
    }
  for (guint i = 0; i < plan->len; i++)
    g_hash_table_add (days, GUINT_TO_POINTER (((MilkRecord *) plan->pdata[i])->day));
  message = g_strdup_printf (ngettext ("Filled %u day with the usual quantities",
                                       "Filled %u days with the usual quantities", g_hash_table_size (days)),
                             g_hash_table_size (days));
  apply_plan (self, plan, message);
}

/* GtkShortcutLabel names Page Up and Page Down through GTK's own
 * catalogue, whose answer is the raw key name "Page_Up" where a language
 * has no better one (Hindi, and the C locale): those key caps are
 * relabelled the way the keys are printed. */
static void
relabel_key_caps (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && GTK_IS_SHORTCUT_LABEL (gtk_widget_get_parent (widget)))
    {
      const char *text = gtk_label_get_label (GTK_LABEL (widget));

      if (g_str_equal (text, "Page_Up"))
        gtk_label_set_label (GTK_LABEL (widget), C_("keyboard key", "Page Up"));
      else if (g_str_equal (text, "Page_Down"))
        gtk_label_set_label (GTK_LABEL (widget), C_("keyboard key", "Page Down"));
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    relabel_key_caps (child);
}

/* The keyboard shortcuts window is built when asked for, not with every
 * main window as GtkApplication does with gtk/help-overlay.ui. */
void
_milk_window_show_shortcuts (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  g_autoptr(GtkBuilder) builder =
    gtk_builder_new_from_resource ("/io/github/milkdiary/MilkDiary/ui/milk-shortcuts-window.ui");
  GtkWindow *shortcuts = GTK_WINDOW (gtk_builder_get_object (builder, "help_overlay"));

  relabel_key_caps (GTK_WIDGET (shortcuts));

  gtk_window_set_application (shortcuts, gtk_window_get_application (GTK_WINDOW (widget)));
  gtk_window_set_transient_for (shortcuts, GTK_WINDOW (widget));
  gtk_window_present (shortcuts);
}
