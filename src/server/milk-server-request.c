/* milk-server-request.c — what a route reads of its request, and how it answers
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <string.h>

#include "milk-protocol.h"
#include "milk-server-config.h"
#include "milk-server-log.h"
#include "milk-server-request.h"

#define PAGES_PATH "/io/github/milkdiary/MilkDiary/server/pages/"

const char *
milk_request_header (MilkRequest *request,
                     const char  *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  return g_hash_table_lookup (request->headers, lower);
}

void
milk_request_add_header (MilkRequest *request,
                         const char  *name,
                         const char  *value)
{
  g_ptr_array_add (request->response_headers, g_strdup (name));
  g_ptr_array_add (request->response_headers, g_strdup (value));
}

/* Form bodies and query strings must be UTF-8 all through: anything else
 * is refused as a whole. */
gboolean
milk_table_is_utf8 (GHashTable *table)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_utf8_validate (key, -1, NULL) || !g_utf8_validate (value, -1, NULL))
      return FALSE;
  return TRUE;
}

GHashTable *
milk_request_form (MilkRequest *request)
{
  const char *type = milk_request_header (request, "Content-Type");
  g_autofree char *text = NULL;
  GHashTable *form;
  gsize length;
  const char *data;

  if (type == NULL || !g_str_has_prefix (type, "application/x-www-form-urlencoded") || request->body == NULL)
    return NULL;
  data = g_bytes_get_data (request->body, &length);
  if (memchr (data, '\0', length) != NULL)
    return NULL;
  text = g_strndup (data, length);
  form = soup_form_decode (text);
  if (!milk_table_is_utf8 (form))
    {
      g_hash_table_unref (form);
      return NULL;
    }
  return form;
}

char *
milk_request_cookie (MilkRequest *request,
                     const char  *name)
{
  const char *header = milk_request_header (request, "Cookie");
  g_auto(GStrv) parts = NULL;
  gsize name_len = strlen (name);

  if (header == NULL)
    return NULL;
  parts = g_strsplit (header, ";", -1);
  for (guint i = 0; parts[i]; i++)
    {
      const char *part = parts[i];

      while (*part == ' ')
        part++;
      if (strncmp (part, name, name_len) == 0 && part[name_len] == '=')
        return g_strdup (part + name_len + 1);
    }
  return NULL;
}

void
milk_request_set_cookie (MilkRequest *request,
                         const char  *name,
                         const char  *value,
                         gint64       max_age)
{
  g_autofree char *cookie = NULL;

  cookie = g_strdup_printf ("%s=%s; Path=/; Max-Age=%" G_GINT64_FORMAT "; HttpOnly; SameSite=Lax%s",
                            name, value, max_age,
                            milk_server_config_is_https (request->config) ? "; Secure" : "");
  milk_request_add_header (request, "Set-Cookie", cookie);
}

void
milk_respond_bytes (MilkRequest *request,
                    guint        status,
                    const char  *content_type,
                    char        *data,
                    gsize        length)
{
  request->status = status;
  g_free (request->content_type);
  request->content_type = g_strdup (content_type);
  g_clear_pointer (&request->response, g_bytes_unref);
  request->response = g_bytes_new_take (data, length);
}

void
milk_respond_json (MilkRequest *request,
                   guint        status,
                   JsonNode    *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize length;
  char *data;

  json_generator_set_root (generator, node);
  data = json_generator_to_data (generator, &length);
  milk_respond_bytes (request, status, "application/json", data, length);
}

void
milk_respond_error (MilkRequest *request,
                    guint        status,
                    const char  *code,
                    const char  *message)
{
  gsize length;
  char *data = milk_protocol_error_encode (code, message, &length);

  milk_respond_bytes (request, status, "application/json", data, length);
}

void
milk_respond_db_error (MilkRequest  *request,
                       const GError *error)
{
  /* The database's words stay in the log; the client learns only that
   * it may try again. */
  g_autofree char *words = milk_log_escape (error ? error->message : "unknown error");

  g_warning ("database: %s", words);
  milk_request_add_header (request, "Retry-After", "5");
  milk_respond_error (request, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable",
                      "The service is briefly unavailable; try again");
}

void
milk_respond_redirect (MilkRequest *request,
                       const char  *location)
{
  milk_request_add_header (request, "Location", location);
  milk_respond_bytes (request, SOUP_STATUS_SEE_OTHER, "text/plain", g_strdup (""), 0);
}

static char *
load_page (const char *name)
{
  g_autofree char *path = g_strconcat (PAGES_PATH, name, NULL);
  g_autoptr(GBytes) bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);

  g_assert (bytes != NULL);
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/* {{name}} becomes the named value, HTML-escaped; {{{name}}} as it is. */
static char *
fill_template (const char *template,
               GHashTable *values)
{
  GString *out = g_string_new (NULL);
  const char *p = template;

  while (*p)
    {
      const char *open = strstr (p, "{{");
      const char *close;
      gboolean raw;
      g_autofree char *name = NULL;
      const char *value;

      if (open == NULL)
        break;
      raw = open[2] == '{';
      close = strstr (open, raw ? "}}}" : "}}");
      if (close == NULL)
        break;
      g_string_append_len (out, p, open - p);
      name = g_strndup (open + (raw ? 3 : 2), close - open - (raw ? 3 : 2));
      value = g_hash_table_lookup (values, name);
      if (value && raw)
        g_string_append (out, value);
      else if (value)
        {
          g_autofree char *escaped = g_markup_escape_text (value, -1);
          g_string_append (out, escaped);
        }
      p = close + (raw ? 3 : 2);
    }
  g_string_append (out, p);
  return g_string_free (out, FALSE);
}

void
milk_respond_page (MilkRequest *request,
                   guint        status,
                   const char  *page,
                   ...)
{
  g_autoptr(GHashTable) values = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *file = g_strconcat (page, ".html", NULL);
  g_autofree char *body_template = load_page (file);
  g_autofree char *layout = load_page ("layout.html");
  g_autofree char *body = NULL;
  char *html;
  va_list args;
  const char *key;

  va_start (args, page);
  while ((key = va_arg (args, const char *)) != NULL)
    g_hash_table_insert (values, (gpointer) key, va_arg (args, char *));
  va_end (args);

  body = fill_template (body_template, values);
  g_hash_table_insert (values, "content", body);
  html = fill_template (layout, values);

  milk_request_add_header (request, "Cache-Control", "no-store");
  milk_request_add_header (request, "Content-Security-Policy",
                           "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'");
  milk_request_add_header (request, "X-Frame-Options", "DENY");
  milk_request_add_header (request, "Referrer-Policy", "no-referrer");
  milk_respond_bytes (request, status, "text/html; charset=utf-8", html, strlen (html));
}
