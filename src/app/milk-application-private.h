/* milk-application-private.h — what only the application's own files see
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* milk-application-instance.c */
guint    _milk_application_export_diary     (GDBusConnection  *connection,
                                             const char       *object_path,
                                             const char       *diary_path,
                                             GError          **error);
gboolean _milk_application_other_diary_runs (const char       *diary_path);

G_END_DECLS
