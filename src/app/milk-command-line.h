/* milk-command-line.h — what `milk-diary` does without a window
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void  milk_command_line_add_options (GApplication *application);
int   milk_command_line_run         (GVariantDict *options,
                                     const char   *diary_path);

G_END_DECLS
