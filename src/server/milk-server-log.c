/* milk-server-log.c — the service's log: one line a request
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <string.h>

#include "milk-server-log.h"

/* ---- the log ---- */

/* Request data in a log line: control characters, backslashes and bytes
 * beyond ASCII as \xNN, so that nothing a client sends can end a line,
 * forge another one or drive a terminal. */
char *
milk_log_escape (const char *text)
{
  GString *out;

  if (text == NULL)
    return g_strdup ("-");
  out = g_string_sized_new (strlen (text));
  for (const guchar *p = (const guchar *) text; *p; p++)
    if (*p < 0x20 || *p >= 0x7f || *p == '\\')
      g_string_append_printf (out, "\\x%02x", *p);
    else
      g_string_append_c (out, *p);
  return g_string_free (out, FALSE);
}

/* One line a request: never the query, a header or a body, which is where
 * codes, tokens, passwords and cookies travel. */
void
milk_log_request (const char *remote,
                  const char *method,
                  const char *path,
                  guint       status,
                  gint64      started_us,
                  const char *note)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *iso = g_date_time_format (now, "%FT%TZ");
  g_autofree char *safe_remote = milk_log_escape (remote);
  g_autofree char *safe_method = milk_log_escape (method);
  g_autofree char *safe_path = milk_log_escape (path);
  g_autofree char *safe_note = note ? milk_log_escape (note) : NULL;
  char ms[32] = "-";

  if (started_us > 0)
    g_snprintf (ms, sizeof ms, "%.1fms", (g_get_monotonic_time () - started_us) / 1000.0);
  g_printerr ("%s %s %s %s %u %s%s%s\n", iso, safe_remote, safe_method, safe_path, status, ms,
              safe_note ? " " : "", safe_note ? safe_note : "");
}
