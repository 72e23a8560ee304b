/* milk-file-job.h — an import, an export or a bill, off the UI thread
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "milk-import.h"

G_BEGIN_DECLS

#define MILK_TYPE_FILE_JOB (milk_file_job_get_type ())

G_DECLARE_FINAL_TYPE (MilkFileJob, milk_file_job, MILK, FILE_JOB, GObject)

MilkFileJob      *milk_file_job_new                (const char          *diary_path);
gboolean          milk_file_job_get_running        (MilkFileJob         *self);
guint             milk_file_job_get_done           (MilkFileJob         *self);
guint             milk_file_job_get_total          (MilkFileJob         *self);

void              milk_file_job_import_async       (MilkFileJob         *self,
                                                    const char          *path,
                                                    const char          *user_email,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
MilkImportReport *milk_file_job_import_finish      (MilkFileJob         *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
void              milk_file_job_export_csv_async   (MilkFileJob         *self,
                                                    const char          *path,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean          milk_file_job_export_csv_finish  (MilkFileJob         *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
void              milk_file_job_save_bill_async    (MilkFileJob         *self,
                                                    int                  year,
                                                    int                  month,
                                                    const char          *path,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean          milk_file_job_save_bill_finish   (MilkFileJob         *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

G_END_DECLS
