/* milk-server-head.c — a request head checked on its raw bytes, then read
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <string.h>

#include "milk-protocol.h"
#include "milk-server-head.h"

/* RFC 9110 5.6.2: the characters of a method or a header name. */
static gboolean
is_tchar (guchar c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("!#$%&'*+-.^_`|~", c) != NULL);
}

static MilkHeadVerdict
bad (const char **problem,
     const char  *why)
{
  *problem = why;
  return MILK_HEAD_BAD;
}

/* method SP request-target SP HTTP-version, with single spaces and no
 * control characters (RFC 9112 3). */
static MilkHeadVerdict
check_request_line (const guchar *text,
                    gsize         length,
                    const char  **problem)
{
  gsize i = 0, target;

  while (i < length && is_tchar (text[i]))
    i++;
  if (i == 0 || i == length || text[i] != ' ')
    return bad (problem, "malformed method");
  target = ++i;
  while (i < length && text[i] > ' ' && text[i] < 0x7f)
    i++;
  if (i == target || i == length || text[i] != ' ')
    return bad (problem, "malformed request target");
  i++;
  if (length - i != 8 || (memcmp (text + i, "HTTP/1.1", 8) != 0 && memcmp (text + i, "HTTP/1.0", 8) != 0))
    return bad (problem, "malformed HTTP version");
  return MILK_HEAD_OK;
}

/* name ":" OWS value OWS (RFC 9112 5), and the fields that frame the body
 * each at most once, in the one form that cannot be read two ways. */
static MilkHeadVerdict
check_field_line (const guchar    *text,
                  gsize            length,
                  MilkHeadFraming *seen,
                  const char     **problem)
{
  gsize name_end = 0, start, end;

  if (text[0] == ' ' || text[0] == '\t')
    return bad (problem, "folded header line");
  while (name_end < length && is_tchar (text[name_end]))
    name_end++;
  if (name_end == 0 || name_end == length || text[name_end] != ':')
    return bad (problem, "malformed header name");
  start = name_end + 1;
  end = length;
  while (start < end && (text[start] == ' ' || text[start] == '\t'))
    start++;
  while (end > start && (text[end - 1] == ' ' || text[end - 1] == '\t'))
    end--;
  for (gsize i = start; i < end; i++)
    if ((text[i] < ' ' && text[i] != '\t') || text[i] == 0x7f)
      return bad (problem, "control character in a header value");

  if (name_end == 14 && g_ascii_strncasecmp ((const char *) text, "Content-Length", 14) == 0)
    {
      if (seen->content_length)
        return bad (problem, "more than one Content-Length");
      seen->content_length = TRUE;
      if (start == end)
        return bad (problem, "empty Content-Length");
      for (gsize i = start; i < end; i++)
        if (!g_ascii_isdigit (text[i]))
          return bad (problem, "Content-Length is not a number");
      /* More than any route takes: refused now, before waiting for a body
       * that may never come (or whose length does not fit a goffset). */
      while (start < end - 1 && text[start] == '0')
        start++;
      if (end - start > 10 || g_ascii_strtoull ((const char *) text + start, NULL, 10) > MILK_PROTOCOL_MAX_BYTES)
        {
          *problem = "Content-Length too large";
          return MILK_HEAD_BODY_TOO_LARGE;
        }
      seen->length = g_ascii_strtoull ((const char *) text + start, NULL, 10);
    }
  else if (name_end == 17 && g_ascii_strncasecmp ((const char *) text, "Transfer-Encoding", 17) == 0)
    {
      if (seen->transfer_encoding)
        return bad (problem, "more than one Transfer-Encoding");
      seen->transfer_encoding = TRUE;
      if (end - start != 7 || memcmp (text + start, "chunked", 7) != 0)
        return bad (problem, "Transfer-Encoding other than chunked");
    }
  else if (name_end == 4 && g_ascii_strncasecmp ((const char *) text, "Host", 4) == 0)
    {
      if (seen->host)
        return bad (problem, "more than one Host");
      seen->host = TRUE;
    }
  return MILK_HEAD_OK;
}

/* Whether data starts with a request head that every reader frames the same
 * way. *skip: empty lines before it (RFC 9112 2.2 lets a server ignore
 * them); *head_length: the head after them, blank line included; *seen: its
 * framing. */
MilkHeadVerdict
milk_http_head_frame (const char      *data,
                      gsize            length,
                      gsize           *skip,
                      gsize           *head_length,
                      const char     **problem,
                      MilkHeadFraming *seen_out)
{
  const guchar *bytes = (const guchar *) data;
  MilkHeadFraming seen = { FALSE, FALSE, FALSE, 0 };
  gsize start = 0, line;

  *skip = 0;
  *head_length = 0;
  *problem = NULL;
  if (length == 0)
    return MILK_HEAD_INCOMPLETE;
  while (start + 2 <= length && bytes[start] == '\r' && bytes[start + 1] == '\n' && start < MILK_HEAD_MAX_BYTES)
    start += 2;
  *skip = start;

  for (line = start;;)
    {
      const guchar *eol = memchr (bytes + line, '\n', length - line);
      const guchar *nul = memchr (bytes + line, '\0', (eol ? (gsize) (eol - bytes) : length) - line);
      MilkHeadVerdict verdict;
      gsize text_length;

      if (nul != NULL)
        return bad (problem, "NUL byte in the head");
      if (eol == NULL)
        {
          if (length - start > MILK_HEAD_MAX_BYTES)
            {
              *problem = "request head too large";
              return MILK_HEAD_TOO_LARGE;
            }
          return MILK_HEAD_INCOMPLETE;
        }
      if ((gsize) (eol - bytes) + 1 - start > MILK_HEAD_MAX_BYTES)
        {
          *problem = "request head too large";
          return MILK_HEAD_TOO_LARGE;
        }
      if (eol == bytes + line || eol[-1] != '\r')
        return bad (problem, "line ending in a bare LF");
      text_length = eol - 1 - (bytes + line);
      if (memchr (bytes + line, '\r', text_length) != NULL)
        return bad (problem, "bare CR in the head");
      if (text_length == 0)
        {
          if (line == start)
            return bad (problem, "empty request line");
          line = eol + 1 - bytes;
          break;
        }
      if (line == start)
        verdict = check_request_line (bytes + line, text_length, problem);
      else
        verdict = check_field_line (bytes + line, text_length, &seen, problem);
      if (verdict != MILK_HEAD_OK)
        return verdict;
      line = eol + 1 - bytes;
    }

  if (seen.content_length && seen.transfer_encoding)
    return bad (problem, "both Content-Length and Transfer-Encoding");
  *head_length = line - start;
  *seen_out = seen;
  return MILK_HEAD_OK;
}

MilkHeadVerdict
milk_http_head_check (const char  *data,
                      gsize        length,
                      gsize       *skip,
                      gsize       *head_length,
                      const char **problem)
{
  MilkHeadFraming seen;

  return milk_http_head_frame (data, length, skip, head_length, problem, &seen);
}

/* ---- a sound head, read ---- */

void
milk_http_head_free (MilkHead *head)
{
  if (head == NULL)
    return;
  g_free (head->method);
  g_free (head->path);
  g_free (head->query);
  g_clear_pointer (&head->headers, g_hash_table_unref);
  g_free (head);
}

/* Whether a path has a "." or ".." segment, which a reader could resolve
 * to another route than the one it names. */
static gboolean
has_dot_segment (const char *path)
{
  for (const char *p = strstr (path, "/."); p != NULL; p = strstr (p + 1, "/."))
    if (p[2] == '/' || p[2] == '\0' || (p[2] == '.' && (p[3] == '/' || p[3] == '\0')))
      return TRUE;
  return FALSE;
}

/* The parts of a head that milk_http_head_frame() found sound (data holds
 * it, blank line included): NULL when its target is not a path on this
 * service ("origin-form", or "absolute-form" for a proxy's sake) or an
 * HTTP/1.1 request has no Host. Field names are lower-cased; a repeated
 * field's values are joined with ", " (a Cookie's with "; "). */
MilkHead *
milk_http_head_parse (const char *data,
                      gsize       head_length)
{
  g_autoptr(MilkHead) head = g_new0 (MilkHead, 1);
  const char *end = data + head_length, *line, *eol, *target, *space, *question;
  g_autofree char *encoded = NULL;
  gboolean host = FALSE;

  eol = memchr (data, '\r', head_length);
  space = memchr (data, ' ', eol - data);
  head->method = g_strndup (data, space - data);
  target = space + 1;
  space = memchr (target, ' ', eol - target);
  head->http_1_0 = memcmp (space + 1, "HTTP/1.0", 8) == 0;
  if (space - target > 8 && g_ascii_strncasecmp (target, "http://", 7) == 0)
    target = memchr (target + 7, '/', space - target - 7);
  else if (space - target > 9 && g_ascii_strncasecmp (target, "https://", 8) == 0)
    target = memchr (target + 8, '/', space - target - 8);
  if (target == NULL || *target != '/')
    return NULL;
  question = memchr (target, '?', space - target);
  encoded = g_strndup (target, (question ? question : space) - target);
  if (question)
    head->query = g_strndup (question + 1, space - question - 1);
  /* Routes see the path decoded; one that will not decode (or holds a
   * NUL) is no path here, and neither is one with dot segments. */
  head->path = g_uri_unescape_string (encoded, NULL);
  if (head->path == NULL || has_dot_segment (head->path))
    return NULL;

  head->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (line = eol + 2; line < end && *line != '\r'; line = eol + 2)
    {
      const char *colon, *value, *value_end;
      char *name, *before;

      eol = memchr (line, '\r', end - line);
      colon = memchr (line, ':', eol - line);
      value = colon + 1;
      value_end = eol;
      while (value < value_end && (*value == ' ' || *value == '\t'))
        value++;
      while (value_end > value && (value_end[-1] == ' ' || value_end[-1] == '\t'))
        value_end--;
      name = g_ascii_strdown (line, colon - line);
      host |= g_str_equal (name, "host");
      before = g_hash_table_lookup (head->headers, name);
      if (before)
        g_hash_table_replace (head->headers, name,
                              g_strdup_printf ("%s%s%.*s", before, g_str_equal (name, "cookie") ? "; " : ", ",
                                               (int) (value_end - value), value));
      else
        g_hash_table_replace (head->headers, name, g_strndup (value, value_end - value));
    }
  if (!host && !head->http_1_0)
    return NULL;
  return g_steal_pointer (&head);
}

/* Whether a field (of lower-case name) lists a token, in any case:
 * "Connection: keep-alive, Close". */
gboolean
milk_http_head_has_token (GHashTable *headers,
                          const char *name,
                          const char *token)
{
  const char *value = g_hash_table_lookup (headers, name);
  g_auto(GStrv) tokens = NULL;

  if (value == NULL)
    return FALSE;
  tokens = g_strsplit (value, ",", -1);
  for (guint i = 0; tokens[i]; i++)
    if (g_ascii_strcasecmp (g_strstrip (tokens[i]), token) == 0)
      return TRUE;
  return FALSE;
}
