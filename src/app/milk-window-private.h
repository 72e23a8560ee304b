/* milk-window-private.h — what the window's own files share
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "milk-file-progress.h"
#include "milk-window.h"

G_BEGIN_DECLS

MilkStore *_milk_window_get_store  (MilkWindow *self);
MilkFileProgress *_milk_window_get_file_progress (MilkWindow *self);

/* milk-window-actions.c */
void       _milk_window_import     (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter);
void       _milk_window_export_csv (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter);
/* milk-window-backup.c */
void       _milk_window_backup     (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter);
void       _milk_window_restore    (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter);

void       _milk_window_print_bill (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter);
void       _milk_window_save_bill  (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter);
void       _milk_window_mark_leave (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter);
void       _milk_window_fill_month (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter);
void       _milk_window_show_shortcuts (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *parameter);

G_END_DECLS
