/* milk-dialogs.h — choose a file, answer a question: the dialogs of the
 * GTK and libadwaita the app is built with
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

typedef struct
{
  const char            *id;
  const char            *label;
  AdwResponseAppearance  appearance;
} MilkResponse;

void   milk_choose_file_to_open_async (GtkWindow           *parent,
                                       const char          *title,
                                       const char          *accept_label,
                                       GtkFileFilter       *filter,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
void   milk_choose_file_to_save_async (GtkWindow           *parent,
                                       const char          *title,
                                       const char          *accept_label,
                                       const char          *initial_name,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
GFile *milk_choose_file_finish        (GtkWindow           *parent,
                                       GAsyncResult        *result,
                                       GError             **error);

void   milk_ask_async                 (GtkWindow           *parent,
                                       const char          *heading,
                                       const char          *body,
                                       GtkWidget           *extra_child,
                                       const MilkResponse  *responses,
                                       guint                n_responses,
                                       const char          *default_response,
                                       const char          *close_response,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
char  *milk_ask_finish                (GtkWindow           *parent,
                                       GAsyncResult        *result,
                                       GError             **error);

G_END_DECLS
