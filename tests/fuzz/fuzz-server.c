/* fuzz-server.c — the service's request handling: request line, headers,
 * cookies, bearer tokens, form posts and sync bodies
 *
 * The input is a raw HTTP/1.1 request.  libsoup's own parser reads its
 * head (as SoupServer does), the service's routing table picks the route,
 * and the route runs in-process exactly as a worker runs it, against a
 * database connection that is down: everything a request can make the
 * service do before it reaches PostgreSQL is exercised, and the answer
 * must be a 4xx or the 503 of an unavailable database, never a 500 and
 * never nothing.  The static parsers behind the routes (bearer token,
 * cursor, redirect URI, PKCE, e-mail, password, return_to, CSRF) are then
 * run on the same request's values, past the point a route would stop
 * at the database.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "milk-fuzz.h"

#include <string.h>

#include <sodium.h>

#include "milk-protocol.h"
#include "milk-server-config.h"
#include "milk-server-fuzz.h"
#include "milk-server-head.h"
#include "milk-server-session.h"

static MilkServerConfig *config;
static PGconn *dead_conn;

static void
set_up (void)
{
  if (config)
    return;
  if (sodium_init () < 0)
    g_error ("libsodium did not start");
  config = milk_server_config_new ();
  config->base_url = g_strdup ("https://milk.example");
  /* A connection that never was: every query fails as when PostgreSQL
   * is down, without a server to talk to. */
  dead_conn = PQconnectdb ("host=/nonexistent/milk-fuzz dbname=none connect_timeout=1");
  g_assert (PQstatus (dead_conn) == CONNECTION_BAD);
}

static MilkRequest *
request_new (const char         *method,
             const char         *path,
             SoupMessageHeaders *headers,
             GHashTable         *query,
             const char         *body,
             gsize               body_len)
{
  MilkRequest *request = g_new0 (MilkRequest, 1);

  request->config = config;
  request->started_us = g_get_monotonic_time ();
  request->method = g_strdup (method);
  request->path = g_strdup (path);
  request->headers = _milk_server_copy_headers (headers);
  request->remote = g_strdup ("192.0.2.1");
  request->query = query ? g_hash_table_ref (query) : g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (body_len > 0)
    request->body = g_bytes_new (body, body_len);
  request->response_headers = g_ptr_array_new_with_free_func (g_free);
  return request;
}

static void
check_answer (MilkRequest *request)
{
  /* Every route answers, and bad input is never a server error. */
  g_assert_cmpuint (request->status, >=, 200);
  g_assert (request->status < 500 || request->status == SOUP_STATUS_SERVICE_UNAVAILABLE);
  g_assert (request->response != NULL);
  g_assert (request->response_headers->len % 2 == 0);
}

static void
check_values (MilkRequest *request,
              GHashTable  *params)
{
  const char *redirect_uri = g_hash_table_lookup (params, "redirect_uri");
  const char *back = _milk_server_safe_return_to (g_hash_table_lookup (params, "return_to"));
  MilkWebSession session = { .csrf = (char *) "0123456789abcdef0123456789abcdef0123456789a" };
  const char *csrf = g_hash_table_lookup (params, "csrf");

  g_assert (back[0] == '/' && back[1] != '/' && back[1] != '\\');
  /* Registered: plain http (the scheme in any case, as RFC 3986 allows)
   * to a loopback literal, with no userinfo, query or fragment. */
  if (_milk_server_redirect_uri_is_registered (redirect_uri))
    g_assert (g_ascii_strncasecmp (redirect_uri, "http://", 7) == 0 && !strpbrk (redirect_uri, "@?#"));
  if (_milk_server_is_base64url (g_hash_table_lookup (params, "code_challenge"), 43, 43, FALSE))
    g_assert_cmpuint (strlen (g_hash_table_lookup (params, "code_challenge")), ==, 43);
  _milk_server_is_base64url (g_hash_table_lookup (params, "code_verifier"), 43, 128, TRUE);
  _milk_server_email_is_valid (g_hash_table_lookup (params, "email"));
  _milk_server_password_problem (g_hash_table_lookup (params, "password"),
                                 g_hash_table_lookup (params, "confirm"));
  if (milk_page_check_csrf (request, &session, params))
    g_assert_cmpstr (csrf, ==, session.csrf);
}

static void
check_sync_body (MilkRequest *request)
{
  g_autoptr(MilkSyncMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  const char *data = "";
  gsize length = 0;
  gint64 seq;

  if (_milk_server_bearer_token (request) == NULL)
    g_assert_cmpuint (request->status, ==, SOUP_STATUS_UNAUTHORIZED);
  if (request->body)
    data = g_bytes_get_data (request->body, &length);
  message = milk_sync_request_decode (data, length, &error);
  if (message && _milk_server_parse_cursor (message->cursor, &seq))
    g_assert_cmpint (seq, >=, 0);
}

/* A head the service's framing check lets through is one libsoup reads
 * the same way: one body length, or chunked, never both, never a guess;
 * and the service reads the same method, path and length from it. */
static void
check_framing (const char *text,
               gsize       size)
{
  g_autoptr(SoupMessageHeaders) headers = NULL;
  g_autoptr(MilkHead) parsed = NULL;
  g_autofree char *method = NULL;
  g_autofree char *target = NULL;
  const char *problem;
  gsize skip, head_length;
  SoupHTTPVersion version;
  SoupEncoding encoding;

  if (milk_http_head_check (text, size, &skip, &head_length, &problem) != MILK_HEAD_OK)
    return;
  g_assert_cmpuint (skip + head_length, <=, size);
  g_assert_true (memcmp (text + skip + head_length - 4, "\r\n\r\n", 4) == 0);
  g_assert_null (memchr (text + skip, '\0', head_length));
  headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  if (soup_headers_parse_request (text + skip, head_length - 2, headers, &method, &target, &version) != SOUP_STATUS_OK)
    return;
  encoding = soup_message_headers_get_encoding (headers);
  g_assert_true (encoding == SOUP_ENCODING_NONE || encoding == SOUP_ENCODING_CONTENT_LENGTH ||
                 encoding == SOUP_ENCODING_CHUNKED);
  if (encoding == SOUP_ENCODING_CONTENT_LENGTH)
    {
      g_assert_null (soup_message_headers_get_one (headers, "Transfer-Encoding"));
      g_assert_null (strchr (soup_message_headers_get_list (headers, "Content-Length"), ','));
      g_assert_cmpint (soup_message_headers_get_content_length (headers), <=, MILK_PROTOCOL_MAX_BYTES);
    }
  if (encoding == SOUP_ENCODING_CHUNKED)
    g_assert_null (soup_message_headers_get_one (headers, "Content-Length"));

  parsed = milk_http_head_parse (text + skip, head_length);
  if (parsed == NULL)
    return;   /* not a path here, or no Host: 400 */
  g_assert_cmpstr (parsed->method, ==, method);
  g_assert_cmpstr (g_hash_table_lookup (parsed->headers, "content-length"), ==,
                   soup_message_headers_get_one (headers, "Content-Length"));
  g_assert_true (parsed->path[0] == '/');
  g_assert_true (version == SOUP_HTTP_1_0 ? parsed->http_1_0 : !parsed->http_1_0);
}

int
milk_fuzz_one_input (const uint8_t *data,
                     size_t         size)
{
  const char *text = (const char *) data;
  const char *end, *body, *question;
  g_autoptr(SoupMessageHeaders) headers = NULL;
  g_autoptr(GHashTable) query = NULL;
  g_autofree char *method = NULL;
  g_autofree char *target = NULL;
  g_autofree char *path = NULL;
  SoupHTTPVersion version;
  MilkRouteFunc func;
  MilkRequest *request;
  gsize max_body, body_len;
  gboolean known;

  set_up ();
  check_framing (text, size);

  end = g_strstr_len (text, size, "\r\n\r\n");
  if (end == NULL)
    return 0;
  body = end + 4;
  body_len = size - (body - text);

  headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  if (soup_headers_parse_request (text, end + 2 - text, headers, &method, &target, &version) != SOUP_STATUS_OK)
    return 0;

  question = strchr (target, '?');
  path = question ? g_strndup (target, question - target) : g_strdup (target);
  if (question)
    query = soup_form_decode (question + 1);

  func = _milk_server_find_route (method, path, &max_body, &known);
  if (func == NULL || body_len > max_body)
    return 0;  /* answered before a route runs: 404, 405 or 413 */

  request = request_new (method, path, headers, query, body, body_len);
  milk_request_header (request, "Content-Type");
  g_free (milk_request_cookie (request, "milk_session"));

  func (request, dead_conn);
  check_answer (request);
  _milk_server_request_free (request);

  /* The same request again, through the parsers the route would reach
   * only with a working database. */
  request = request_new (method, path, headers, query, body, body_len);
  {
    g_autoptr(GHashTable) form = milk_request_form (request);

    if (form)
      check_values (request, form);
    /* A route checks one table once; each check notes its verdict. */
    g_clear_pointer (&request->log_note, g_free);
    if (query && milk_table_is_utf8 (query))
      check_values (request, query);
  }
  check_sync_body (request);
  _milk_server_request_free (request);
  return 0;
}
