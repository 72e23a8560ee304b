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

/* Lines wait here for the end of the main loop's turn and go out in one
 * write: a write a request, and a wake-up of whoever reads the log, cost
 * the service a fifth of its rate under load (issue 18). */
static GString *pending;
static MilkSecondText line_time;
static guint flush_source;
G_LOCK_DEFINE_STATIC (pending);

#define PENDING_MAX (64 * 1024)

void
milk_log_flush (void)
{
  g_autoptr(GString) out = NULL;

  G_LOCK (pending);
  out = g_steal_pointer (&pending);
  flush_source = 0;
  G_UNLOCK (pending);
  if (out != NULL && out->len > 0)
    g_printerr ("%s", out->str);
}

static gboolean
flush_now (gpointer data)
{
  milk_log_flush ();
  return G_SOURCE_REMOVE;
}

/* The time now in a strftime format, remade only when the second
 * changes: a GDateTime and a format a request were measurable. Each
 * MilkSecondText is used from one thread, or under a lock. */
const char *
milk_second_text (MilkSecondText *self,
                  const char     *format)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (now != self->second || self->text[0] == '\0')
    {
      g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (now);
      g_autofree char *text = g_date_time_format (time, format);

      g_strlcpy (self->text, text, sizeof self->text);
      self->second = now;
    }
  return self->text;
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
  g_autofree char *safe_remote = milk_log_escape (remote);
  g_autofree char *safe_method = milk_log_escape (method);
  g_autofree char *safe_path = milk_log_escape (path);
  g_autofree char *safe_note = note ? milk_log_escape (note) : NULL;
  char ms[32] = "-";
  gboolean full;

  if (started_us > 0)
    g_snprintf (ms, sizeof ms, "%.1fms", (g_get_monotonic_time () - started_us) / 1000.0);
  G_LOCK (pending);
  if (pending == NULL)
    pending = g_string_sized_new (4096);
  g_string_append (pending, milk_second_text (&line_time, "%FT%TZ"));
  g_string_append_printf (pending, " %s %s %s %u %s%s%s\n", safe_remote, safe_method, safe_path, status, ms,
                          safe_note ? " " : "", safe_note ? safe_note : "");
  full = pending->len >= PENDING_MAX;
  if (!full && flush_source == 0)
    flush_source = g_idle_add_full (G_PRIORITY_DEFAULT, flush_now, NULL, NULL);
  G_UNLOCK (pending);
  if (full)
    milk_log_flush ();
}
