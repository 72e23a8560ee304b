/* milk-file-progress.h — how far the window's import or export has come
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "milk-file-job.h"

G_BEGIN_DECLS

#define MILK_TYPE_FILE_PROGRESS (milk_file_progress_get_type ())

G_DECLARE_FINAL_TYPE (MilkFileProgress, milk_file_progress, MILK, FILE_PROGRESS, GtkWidget)

void milk_file_progress_follow (MilkFileProgress *self,
                                MilkFileJob      *job,
                                const char       *what);

G_END_DECLS
