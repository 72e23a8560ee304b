/* milk-file-job.c — an import, an export or a bill, off the UI thread
 *
 * A large file takes a second or more to read and write, and a bill's
 * fonts must be found and laid out; the window must go on drawing
 * meanwhile. The job runs in a GTask thread with a
 * connection of its own to the diary file, as the command line does: the
 * window's store never leaves the UI thread, and it learns of the import
 * as of any other process's write (milk-store-monitor.c). How far the
 * write has come is told in the thread that made the job, through the
 * "done" and "total" properties.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-files"

#include "config.h"

#include <gio/gio.h>

#include "milk-bill-pdf.h"
#include "milk-file-job.h"

struct _MilkFileJob
{
  GObject parent_instance;

  char *diary_path;
  GMainContext *context;  /* where progress is told */
  gboolean running;
  guint done;
  guint total;            /* 0 while how much there is to do is not known */
};

G_DEFINE_FINAL_TYPE (MilkFileJob, milk_file_job, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_RUNNING,
  PROP_DONE,
  PROP_TOTAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  char *path;
  char *user_email;
  int year;   /* of a bill */
  int month;  /* of a bill; 0 for the CSV export */
} JobData;

static JobData *
job_data_new (const char *path,
              const char *user_email)
{
  JobData *data = g_new0 (JobData, 1);

  data->path = g_strdup (path);
  data->user_email = g_strdup (user_email);
  return data;
}

static void
job_data_free (JobData *data)
{
  g_free (data->path);
  g_free (data->user_email);
  g_free (data);
}

typedef struct
{
  MilkFileJob *job;
  gboolean running;
  guint done;
  guint total;
} Progress;

static void
progress_free (Progress *progress)
{
  g_object_unref (progress->job);
  g_free (progress);
}

static gboolean
tell_progress (gpointer user_data)
{
  Progress *progress = user_data;
  MilkFileJob *self = progress->job;

  g_object_freeze_notify (G_OBJECT (self));
  if (self->done != progress->done)
    {
      self->done = progress->done;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DONE]);
    }
  if (self->total != progress->total)
    {
      self->total = progress->total;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
    }
  if (self->running != progress->running)
    {
      self->running = progress->running;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
    }
  g_object_thaw_notify (G_OBJECT (self));
  return G_SOURCE_REMOVE;
}

/* How far milk_store_put_many() has come, from the task's thread; told
 * in order, in the job's own thread. Not g_main_context_invoke(), which
 * runs the function at once in a thread that can acquire the context, as
 * a pool thread can the default one. */
static void
write_progress (guint    done,
                guint    total,
                gpointer user_data)
{
  MilkFileJob *self = MILK_FILE_JOB (user_data);
  Progress *progress = g_new (Progress, 1);
  g_autoptr(GSource) source = g_idle_source_new ();

  progress->job = g_object_ref (self);
  progress->running = TRUE;
  progress->done = done;
  progress->total = total;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, tell_progress, progress, (GDestroyNotify) progress_free);
  g_source_set_static_name (source, "[milk] file job progress");
  g_source_attach (source, self->context);
}

static MilkStore *
open_diary (MilkFileJob  *self,
            GError      **error)
{
  MilkStore *store = milk_store_new (self->diary_path, error);

  if (store != NULL)
    milk_store_set_progress_func (store, write_progress, self);
  return store;
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  MilkFileJob *self = MILK_FILE_JOB (source_object);
  JobData *data = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkStore) store = open_diary (self, &error);
  MilkImportReport *report = store ? milk_import_file (store, data->path, data->user_email, &error) : NULL;

  if (report == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, report, (GDestroyNotify) milk_import_report_free);
}

/* A file written from the diary: the CSV export, or a month's bill when
 * @data has a month. Pango's font map is the thread's own, so a bill is
 * laid out here as it would be in the UI thread. */
static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  MilkFileJob *self = MILK_FILE_JOB (source_object);
  JobData *data = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkStore) store = open_diary (self, &error);
  gboolean written = store != NULL &&
                     (data->month ? milk_bill_pdf_write (store, data->year, data->month, data->path, &error)
                                  : milk_csv_export_diary (store, data->path, &error));

  if (written)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

/* @data: (transfer full) */
static void
start (MilkFileJob         *self,
       GTaskThreadFunc      thread,
       gpointer             source_tag,
       JobData             *data,
       GCancellable        *cancellable,
       GAsyncReadyCallback  callback,
       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, (GDestroyNotify) job_data_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  tell_progress (&(Progress) { self, TRUE, 0, 0 });
  g_task_run_in_thread (task, thread);
}

/* The progress the thread told comes first: write_progress()
 * and the task's return are idle sources of one priority on one context,
 * dispatched in the order they were added. */
static gboolean
finish (MilkFileJob  *self,
        GAsyncResult *result,
        gpointer      source_tag)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  tell_progress (&(Progress) { self, FALSE, self->done, self->total });
  return TRUE;
}

static void
milk_file_job_finalize (GObject *object)
{
  MilkFileJob *self = MILK_FILE_JOB (object);

  g_free (self->diary_path);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (milk_file_job_parent_class)->finalize (object);
}

static void
milk_file_job_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  MilkFileJob *self = MILK_FILE_JOB (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_DONE:
      g_value_set_uint (value, self->done);
      break;
    case PROP_TOTAL:
      g_value_set_uint (value, self->total);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
milk_file_job_class_init (MilkFileJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = milk_file_job_finalize;
  object_class->get_property = milk_file_job_get_property;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DONE] =
    g_param_spec_uint ("done", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOTAL] =
    g_param_spec_uint ("total", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
milk_file_job_init (MilkFileJob *self)
{
}

/**
 * milk_file_job_new:
 * @diary_path: the diary file the window's store has open
 */
MilkFileJob *
milk_file_job_new (const char *diary_path)
{
  MilkFileJob *self;

  g_return_val_if_fail (diary_path != NULL, NULL);

  self = g_object_new (MILK_TYPE_FILE_JOB, NULL);
  self->diary_path = g_strdup (diary_path);
  return self;
}

gboolean
milk_file_job_get_running (MilkFileJob *self)
{
  g_return_val_if_fail (MILK_IS_FILE_JOB (self), FALSE);

  return self->running;
}

guint
milk_file_job_get_done (MilkFileJob *self)
{
  g_return_val_if_fail (MILK_IS_FILE_JOB (self), 0);

  return self->done;
}

guint
milk_file_job_get_total (MilkFileJob *self)
{
  g_return_val_if_fail (MILK_IS_FILE_JOB (self), 0);

  return self->total;
}

/**
 * milk_file_job_import_async:
 * @user_email: (nullable): as for milk_import_file()
 *
 * Imports @path into the diary, as milk_import_file() does.
 */
void
milk_file_job_import_async (MilkFileJob         *self,
                            const char          *path,
                            const char          *user_email,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (MILK_IS_FILE_JOB (self));
  g_return_if_fail (path != NULL);

  start (self, import_thread, milk_file_job_import_async, job_data_new (path, user_email),
         cancellable, callback, user_data);
}

MilkImportReport *
milk_file_job_import_finish (MilkFileJob   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  if (!finish (self, result, milk_file_job_import_async))
    return NULL;
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Writes the whole diary to @path, as milk_csv_export_diary() does. */
void
milk_file_job_export_csv_async (MilkFileJob         *self,
                                const char          *path,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (MILK_IS_FILE_JOB (self));
  g_return_if_fail (path != NULL);

  start (self, write_thread, milk_file_job_export_csv_async, job_data_new (path, NULL),
         cancellable, callback, user_data);
}

gboolean
milk_file_job_export_csv_finish (MilkFileJob   *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  if (!finish (self, result, milk_file_job_export_csv_async))
    return FALSE;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Writes the bill of @year's @month to @path as a PDF, as
 * milk_bill_pdf_write() does. */
void
milk_file_job_save_bill_async (MilkFileJob         *self,
                               int                  year,
                               int                  month,
                               const char          *path,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  JobData *data;

  g_return_if_fail (MILK_IS_FILE_JOB (self));
  g_return_if_fail (path != NULL);

  data = job_data_new (path, NULL);
  data->year = year;
  data->month = month;
  start (self, write_thread, milk_file_job_save_bill_async, data, cancellable, callback, user_data);
}

gboolean
milk_file_job_save_bill_finish (MilkFileJob   *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  if (!finish (self, result, milk_file_job_save_bill_async))
    return FALSE;
  return g_task_propagate_boolean (G_TASK (result), error);
}
