/* milk-protocol-json.c — a sync document's text, read strictly: the JSON
 * grammar checked before json-glib sees it, and each change's text as it came
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-core"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "milk-error.h"
#include "milk-protocol.h"
#include "milk-protocol-private.h"

/* json-glib is lenient (single quotes, hex numbers), parses recursively and
 * wraps integers too large for 64 bits. So every document is first checked
 * against the JSON grammar (RFC 8259) here: nesting depth, number size, no
 * NUL characters in strings. Only then is it handed to json-glib. */
typedef struct
{
  const char *p;
  const char *end;
  guint depth;
  const char *problem;
  int code;
} Scanner;

#define MAX_NUMBER_DIGITS 16
#define MAX_FRACTION_DIGITS 40

static void
skip_space (Scanner *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    s->p++;
}

static gboolean
fail (Scanner    *s,
      int         code,
      const char *problem)
{
  if (s->problem == NULL)
    {
      s->problem = problem;
      s->code = code;
    }
  return FALSE;
}

static gboolean scan_value (Scanner *s);

/* The four hex digits after "\u"; FALSE when there are not four. */
static gboolean
scan_hex4 (Scanner *s,
           guint   *value)
{
  *value = 0;
  if (s->end - s->p < 4)
    return FALSE;
  for (int i = 0; i < 4; i++)
    {
      int v = g_ascii_xdigit_value (s->p[i]);

      if (v < 0)
        return FALSE;
      *value = *value * 16 + v;
    }
  s->p += 4;
  return TRUE;
}

static gboolean
scan_string (Scanner *s)
{
  s->p++; /* opening quote */
  while (s->p < s->end)
    {
      unsigned char c = *s->p++;

      if (c == '"')
        return TRUE;
      if (c < 0x20)
        return fail (s, MILK_ERROR_INVALID_JSON, N_("a control character inside a string"));
      if (c == '\\')
        {
          if (s->p >= s->end)
            break;
          c = *s->p++;
          if (c == 'u')
            {
              guint value, low;

              if (!scan_hex4 (s, &value))
                return fail (s, MILK_ERROR_INVALID_JSON, N_("a bad \\u escape"));
              if (value == 0)
                return fail (s, MILK_ERROR_INVALID_JSON, N_("a NUL character inside a string"));
              /* A surrogate only as the first half of a pair (RFC 8259 8.2):
               * a lone one has no UTF-8 form and would not encode again. */
              if (value >= 0xDC00 && value <= 0xDFFF)
                return fail (s, MILK_ERROR_INVALID_JSON, N_("a bad \\u escape"));
              if (value >= 0xD800 && value <= 0xDBFF)
                {
                  if (s->end - s->p < 2 || s->p[0] != '\\' || s->p[1] != 'u')
                    return fail (s, MILK_ERROR_INVALID_JSON, N_("a bad \\u escape"));
                  s->p += 2;
                  if (!scan_hex4 (s, &low) || low < 0xDC00 || low > 0xDFFF)
                    return fail (s, MILK_ERROR_INVALID_JSON, N_("a bad \\u escape"));
                }
            }
          else if (!strchr ("\"\\/bfnrt", c))
            return fail (s, MILK_ERROR_INVALID_JSON, N_("a bad escape inside a string"));
        }
    }
  return fail (s, MILK_ERROR_INVALID_JSON, N_("an unterminated string"));
}

/* Whole numbers are limited to what a field can hold (json-glib would
 * wrap a larger one). A number with a fraction or an exponent is no field
 * of this version's but may be a newer version's, kept and sent back:
 * json-glib writes doubles with 17 significant digits, so those may be
 * longer, within bounds. */
static gboolean
scan_number (Scanner *s)
{
  guint digits = 0, exponent_digits = 0;
  gboolean whole = TRUE;

  if (*s->p == '-')
    s->p++;
  if (s->p >= s->end || !g_ascii_isdigit (*s->p))
    return fail (s, MILK_ERROR_INVALID_JSON, N_("a malformed number"));
  if (*s->p == '0' && s->p + 1 < s->end && g_ascii_isdigit (s->p[1]))
    return fail (s, MILK_ERROR_INVALID_JSON, N_("a number with a leading zero"));
  while (s->p < s->end && g_ascii_isdigit (*s->p))
    {
      s->p++;
      digits++;
    }
  if (s->p < s->end && *s->p == '.')
    {
      s->p++;
      whole = FALSE;
      if (s->p >= s->end || !g_ascii_isdigit (*s->p))
        return fail (s, MILK_ERROR_INVALID_JSON, N_("a malformed number"));
      while (s->p < s->end && g_ascii_isdigit (*s->p))
        {
          s->p++;
          digits++;
        }
    }
  if (s->p < s->end && (*s->p == 'e' || *s->p == 'E'))
    {
      s->p++;
      whole = FALSE;
      if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
        s->p++;
      if (s->p >= s->end || !g_ascii_isdigit (*s->p))
        return fail (s, MILK_ERROR_INVALID_JSON, N_("a malformed number"));
      while (s->p < s->end && g_ascii_isdigit (*s->p))
        {
          s->p++;
          exponent_digits++;
        }
    }
  if (digits > (whole ? MAX_NUMBER_DIGITS : MAX_FRACTION_DIGITS) || exponent_digits > 3)
    return fail (s, MILK_ERROR_INVALID_JSON, N_("a number too large to be any field’s value"));
  return TRUE;
}

static gboolean
scan_literal (Scanner    *s,
              const char *word)
{
  gsize n = strlen (word);

  if ((gsize) (s->end - s->p) < n || memcmp (s->p, word, n) != 0)
    return fail (s, MILK_ERROR_INVALID_JSON, N_("an unexpected character"));
  s->p += n;
  return TRUE;
}

static gboolean
scan_container (Scanner *s,
                char     close)
{
  gboolean first = TRUE;

  if (++s->depth > MILK_PROTOCOL_MAX_DEPTH)
    return fail (s, MILK_ERROR_TOO_DEEP, NULL);
  s->p++;
  skip_space (s);
  if (s->p < s->end && *s->p == close)
    {
      s->p++;
      s->depth--;
      return TRUE;
    }
  for (;;)
    {
      if (!first)
        {
          skip_space (s);
          if (s->p < s->end && *s->p == close)
            {
              s->p++;
              s->depth--;
              return TRUE;
            }
          if (s->p >= s->end || *s->p != ',')
            return fail (s, MILK_ERROR_INVALID_JSON, N_("a missing comma"));
          s->p++;
        }
      first = FALSE;
      skip_space (s);
      if (close == '}')
        {
          if (s->p >= s->end || *s->p != '"')
            return fail (s, MILK_ERROR_INVALID_JSON, N_("a member name that is not a string"));
          if (!scan_string (s))
            return FALSE;
          skip_space (s);
          if (s->p >= s->end || *s->p != ':')
            return fail (s, MILK_ERROR_INVALID_JSON, N_("a missing colon"));
          s->p++;
        }
      if (!scan_value (s))
        return FALSE;
    }
}

static gboolean
scan_value (Scanner *s)
{
  skip_space (s);
  if (s->p >= s->end)
    return fail (s, MILK_ERROR_INVALID_JSON, N_("an unexpected end"));
  switch (*s->p)
    {
    case '{': return scan_container (s, '}');
    case '[': return scan_container (s, ']');
    case '"': return scan_string (s);
    case 't': return scan_literal (s, "true");
    case 'f': return scan_literal (s, "false");
    case 'n': return scan_literal (s, "null");
    default:
      if (*s->p == '-' || g_ascii_isdigit (*s->p))
        return scan_number (s);
      return fail (s, MILK_ERROR_INVALID_JSON, N_("an unexpected character"));
    }
}

static gboolean
check_grammar (const char  *data,
               gsize        length,
               GError     **error)
{
  Scanner s = { data, data + length, 0, NULL, 0 };

  if (scan_value (&s))
    {
      skip_space (&s);
      if (s.p == s.end)
        return TRUE;
      fail (&s, MILK_ERROR_INVALID_JSON, N_("text after the document"));
    }

  if (s.code == MILK_ERROR_TOO_DEEP)
    g_set_error (error, MILK_ERROR, MILK_ERROR_TOO_DEEP, _("The document is nested too deeply"));
  else
    g_set_error (error, MILK_ERROR, s.code, _("The document is not valid JSON: %s at byte %zu"),
                 _(s.problem), (gsize) (s.p - data));
  return FALSE;
}

/* The same check for another document of records (a backup): JSON by the
 * grammar, nested no deeper than a sync document, before json-glib's
 * recursive parser sees it. */
gboolean
milk_protocol_check_json (const char  *data,
                          gsize        length,
                          GError     **error)
{
  return check_grammar (data, length, error);
}

typedef struct
{
  const char *start;
  const char *end;
} Span;

/* Where each element of the document's "changes" list is in the text, so
 * that a change this version cannot read is kept as the service sent it.
 * The document has passed check_grammar. NULL when the list is not found
 * under its plain name (an escaped member name, say); the caller checks
 * each span against what json-glib parsed and re-encodes when in doubt. */
GArray *
_milk_protocol_find_change_spans (const char *data,
                                  gsize       length)
{
  Scanner s = { data, data + length, 0, NULL, 0 };
  g_autoptr(GArray) spans = NULL;

  skip_space (&s);
  if (s.p >= s.end || *s.p != '{')
    return NULL;
  s.p++;
  for (;;)
    {
      const char *name;
      gboolean is_changes;

      skip_space (&s);
      if (s.p >= s.end || *s.p != '"')
        break;
      name = s.p;
      if (!scan_string (&s))
        return NULL;
      is_changes = s.p - name == 9 && memcmp (name, "\"changes\"", 9) == 0;
      skip_space (&s);
      if (s.p >= s.end || *s.p != ':')
        return NULL;
      s.p++;
      skip_space (&s);
      if (is_changes && s.p < s.end && *s.p == '[')
        {
          /* of two members of one name the last counts; the spans are
           * checked against what json-glib parsed all the same */
          g_clear_pointer (&spans, g_array_unref);
          spans = g_array_new (FALSE, FALSE, sizeof (Span));
          s.p++;
          for (;;)
            {
              Span span;

              skip_space (&s);
              if (s.p >= s.end)
                return NULL;
              if (*s.p == ']')
                break;
              span.start = s.p;
              s.depth = 2;
              if (!scan_value (&s))
                return NULL;
              span.end = s.p;
              g_array_append_val (spans, span);
              skip_space (&s);
              if (s.p < s.end && *s.p == ',')
                s.p++;
            }
          s.p++;
        }
      else
        {
          s.depth = 1;
          if (!scan_value (&s))
            return NULL;
        }
      skip_space (&s);
      if (s.p >= s.end || *s.p != ',')
        break;
      s.p++;
    }
  return g_steal_pointer (&spans);
}

/* The text of change @i as it came, when the spans found match what
 * json-glib parsed and it is not padded past what a page of changes can
 * hold; otherwise the element encoded again (same meaning, compact). */
char *
_milk_protocol_dup_change_text (GArray     *spans,
                                guint       n,
                                guint       i,
                                JsonNode   *element)
{
  if (spans != NULL && spans->len == n &&
      g_array_index (spans, Span, i).end - g_array_index (spans, Span, i).start <= MILK_PROTOCOL_MAX_CHANGE_TEXT)
    {
      Span *span = &g_array_index (spans, Span, i);
      g_autofree char *text = g_strndup (span->start, span->end - span->start);
      g_autoptr(JsonNode) again = json_from_string (text, NULL);

      if (again != NULL && json_node_equal (again, element))
        return g_steal_pointer (&text);
    }
  return json_to_string (element, FALSE);
}

JsonObject *
_milk_protocol_parse_document (JsonParser  *parser,
                               const char  *data,
                               gsize        length,
                               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (length > MILK_PROTOCOL_MAX_BYTES)
    {
      g_set_error (error, MILK_ERROR, MILK_ERROR_TOO_LARGE, _("The document is larger than %d bytes"),
                   MILK_PROTOCOL_MAX_BYTES);
      return NULL;
    }
  if (!g_utf8_validate_len (data, length, NULL))
    {
      g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_UTF8, _("The document is not valid UTF-8"));
      return NULL;
    }
  if (!check_grammar (data, length, error))
    return NULL;
  if (!json_parser_load_from_data (parser, data, length, &local_error))
    {
      g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_JSON, _("The document is not valid JSON: %s"),
                   local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_DOCUMENT, _("The document must be a JSON object"));
      return NULL;
    }
  return json_node_get_object (root);
}
