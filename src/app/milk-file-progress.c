/* milk-file-progress.c — how far the window's import or export has come
 *
 * A thin bar along the top of the window's content, as GNOME's browsers
 * and file manager show a load: shown while a job runs, a fraction once
 * the job knows how much it has to write, a pulse before that. Screen
 * readers hear what is being done ("Importing diary.csv") and the value.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include "milk-file-progress.h"

#define PULSE_MS 100

struct _MilkFileProgress
{
  GtkWidget parent_instance;

  GtkProgressBar *bar;
  MilkFileJob *job;
  guint pulse_id;
};

G_DEFINE_FINAL_TYPE (MilkFileProgress, milk_file_progress, GTK_TYPE_WIDGET)

static gboolean
pulse (gpointer user_data)
{
  MilkFileProgress *self = MILK_FILE_PROGRESS (user_data);

  gtk_progress_bar_pulse (self->bar);
  return G_SOURCE_CONTINUE;
}

static void
job_changed (MilkFileProgress *self)
{
  MilkFileJob *job = self->job;
  gboolean running = job != NULL && milk_file_job_get_running (job);
  guint total = job ? milk_file_job_get_total (job) : 0;
  gboolean pulsing = running && total == 0;

  gtk_widget_set_visible (GTK_WIDGET (self->bar), running);
  if (total > 0)
    gtk_progress_bar_set_fraction (self->bar, (double) milk_file_job_get_done (job) / total);
  if (pulsing && self->pulse_id == 0)
    self->pulse_id = g_timeout_add (PULSE_MS, pulse, self);
  else if (!pulsing)
    g_clear_handle_id (&self->pulse_id, g_source_remove);
}

static void
milk_file_progress_dispose (GObject *object)
{
  MilkFileProgress *self = MILK_FILE_PROGRESS (object);

  g_clear_handle_id (&self->pulse_id, g_source_remove);
  if (self->job != NULL)
    g_signal_handlers_disconnect_by_data (self->job, self);
  g_clear_object (&self->job);
  if (self->bar != NULL)
    gtk_widget_unparent (GTK_WIDGET (self->bar));
  self->bar = NULL;

  G_OBJECT_CLASS (milk_file_progress_parent_class)->dispose (object);
}

static void
milk_file_progress_class_init (MilkFileProgressClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = milk_file_progress_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "milkfileprogress");
}

static void
milk_file_progress_init (MilkFileProgress *self)
{
  self->bar = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_widget_add_css_class (GTK_WIDGET (self->bar), "osd");
  gtk_widget_set_parent (GTK_WIDGET (self->bar), GTK_WIDGET (self));
  gtk_widget_set_valign (GTK_WIDGET (self), GTK_ALIGN_START);
  gtk_widget_set_can_target (GTK_WIDGET (self), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->bar), FALSE);
}

/**
 * milk_file_progress_follow:
 * @job: a job about to start
 * @what: what it does, for screen readers: "Importing diary.csv"
 *
 * Shows @job's progress from now on, instead of the last job's.
 */
void
milk_file_progress_follow (MilkFileProgress *self,
                           MilkFileJob      *job,
                           const char       *what)
{
  g_return_if_fail (MILK_IS_FILE_PROGRESS (self));
  g_return_if_fail (MILK_IS_FILE_JOB (job));

  gtk_progress_bar_set_fraction (self->bar, 0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->bar), GTK_ACCESSIBLE_PROPERTY_LABEL, what, -1);
  if (self->job != NULL)
    g_signal_handlers_disconnect_by_data (self->job, self);
  g_set_object (&self->job, job);
  g_signal_connect_swapped (job, "notify", G_CALLBACK (job_changed), self);
  job_changed (self);
}
