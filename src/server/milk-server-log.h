/* milk-server-log.h — the service's log lines
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char       *milk_log_escape             (const char  *text);
void        milk_log_request            (const char  *remote,
                                         const char  *method,
                                         const char  *path,
                                         guint        status,
                                         gint64       started_us,
                                         const char  *note);
void        milk_log_flush              (void);

typedef struct
{
  gint64 second;
  char text[64];
} MilkSecondText;

const char *milk_second_text            (MilkSecondText *self,
                                         const char     *format);

G_END_DECLS
