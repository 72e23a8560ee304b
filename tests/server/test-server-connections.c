/* test-server-connections.c — the service's HTTP connections over real
 * loopback sockets: kept alive while the client wants, answered in order when
 * pipelined, and let go when the client hangs up; ambiguous framing refused
 * with a 400 and a closed connection, and nothing from a request in the log
 * unescaped
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "milk-server-test.h"

static MilkTestServer *server;

static GSocketConnection *
connect_to_server (void)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = g_uri_parse (server->url, G_URI_FLAGS_NONE, &error);
  GSocketConnection *connection;

  g_assert_no_error (error);
  connection = g_socket_client_connect_to_host (client, g_uri_get_host (uri), g_uri_get_port (uri), NULL, &error);
  g_assert_no_error (error);
  return connection;
}

static void
send_text (GSocketConnection *connection,
           const char        *text)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), text, strlen (text), NULL,
                             NULL, &error);
  g_assert_no_error (error);
}

/* One response's head read off the connection: its status line, and the
 * length its Content-Length gives. */
static char *
read_head (GDataInputStream *input,
           gsize            *length)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *status = g_data_input_stream_read_line (input, NULL, NULL, &error);
  char *line;

  *length = 0;
  g_assert_no_error (error);
  g_assert_nonnull (status);
  while ((line = g_data_input_stream_read_line (input, NULL, NULL, &error)) != NULL && strcmp (line, "\r") != 0)
    {
      if (g_ascii_strncasecmp (line, "Content-Length:", 15) == 0)
        *length = strtoul (line + 15, NULL, 10);
      g_free (line);
    }
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_free (line);
  g_strchomp (status);
  return g_steal_pointer (&status);
}

/* One response read off the connection: its status line, and its body. */
static char *
read_response (GDataInputStream *input,
               char            **body)
{
  g_autoptr(GError) error = NULL;
  gsize length;
  char *status = read_head (input, &length);

  *body = g_malloc0 (length + 1);
  g_input_stream_read_all (G_INPUT_STREAM (input), *body, length, NULL, NULL, &error);
  g_assert_no_error (error);
  return status;
}

static GDataInputStream *
response_reader (GSocketConnection *connection)
{
  GDataInputStream *input = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));

  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (input), FALSE);
  return input;
}

static void
wait_for_client_connections (guint expected)
{
  for (guint tries = 0; tries < 100 && milk_test_server_client_count (server) != expected; tries++)
    g_usleep (50 * 1000);
  g_assert_cmpuint (milk_test_server_client_count (server), ==, expected);
}

/* A client keeps one connection for many requests, as browsers, proxies and
 * the app do; every answer comes back on it. */
static void
test_keep_alive (void)
{
  g_autoptr(GSocketConnection) connection = connect_to_server ();
  g_autoptr(GDataInputStream) input = response_reader (connection);

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *body = NULL;
      g_autofree char *status = NULL;

      send_text (connection, "GET /healthz HTTP/1.1\r\nHost: milk\r\n\r\n");
      status = read_response (input, &body);
      g_assert_cmpstr (status, ==, "HTTP/1.1 200 OK");
      g_assert_nonnull (strstr (body, "ok"));
    }
  wait_for_client_connections (1);
}

/* Requests sent back to back before any answer are all answered, in order:
 * none is lost between two responses. */
static void
test_pipelined (void)
{
  g_autoptr(GSocketConnection) connection = connect_to_server ();
  g_autoptr(GDataInputStream) input = response_reader (connection);
  const char *paths[] = { "/healthz", "/nowhere", "/healthz", "/.well-known/oauth-authorization-server", "/nowhere" };
  const char *expected[] = { "HTTP/1.1 200 OK", "HTTP/1.1 404 Not Found", "HTTP/1.1 200 OK", "HTTP/1.1 200 OK",
                             "HTTP/1.1 404 Not Found" };
  g_autoptr(GString) requests = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    g_string_append_printf (requests, "GET %s HTTP/1.1\r\nHost: milk\r\n\r\n", paths[i]);
  send_text (connection, requests->str);
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *body = NULL;
      g_autofree char *status = read_response (input, &body);

      g_assert_cmpstr (status, ==, expected[i]);
    }
}

/* Clients that hang up between requests leave nothing open behind them: a
 * service that kept their sockets would run out of file descriptors after a
 * thousand devices. */
static void
test_hang_up_releases (void)
{
  wait_for_client_connections (0);
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(GSocketConnection) connection = connect_to_server ();
      g_autoptr(GDataInputStream) input = response_reader (connection);

      for (guint j = 0; j < 1 + i % 3; j++)
        {
          g_autofree char *body = NULL;
          g_autofree char *status = NULL;

          send_text (connection, "GET /healthz HTTP/1.1\r\nHost: milk\r\n\r\n");
          status = read_response (input, &body);
          g_assert_cmpstr (status, ==, "HTTP/1.1 200 OK");
        }
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
    }
  wait_for_client_connections (0);

  /* And the service still answers. */
  {
    g_autoptr(MilkTestClient) client = milk_test_client_new ();

    g_assert_cmpuint (milk_test_request (client, server, "GET", "/healthz", NULL, NULL, 0, NULL), ==, 200);
  }
}

/* ---- framing: one raw request for each way of reading a request twice ---- */

/* Sent after each trick on the same connection: served, it would show in
 * the log. */
#define SMUGGLED "GET /smuggled HTTP/1.1\r\nHost: milk\r\n\r\n"

typedef struct
{
  const char *name;
  const char *head;     /* up to and including the blank line */
  const char *body;
  guint status;
} Trick;

static const Trick tricks[] = {
  /* The first Content-Length covers the smuggled request, the last does not:
   * libsoup took the last. */
  { "content-length-differing", "POST /signin HTTP/1.1\r\nHost: milk\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    "Content-Length: 38\r\nContent-Length: 0\r\n\r\n", SMUGGLED, 400 },
  { "content-length-twice", "POST /signin HTTP/1.1\r\nHost: milk\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    "Content-Length: 3\r\nContent-Length: 3\r\n\r\n", "a=b", 400 },
  { "content-length-list", "POST /signin HTTP/1.1\r\nHost: milk\r\nContent-Length: 3, 3\r\n\r\n", "a=b", 400 },
  { "content-length-plus", "POST /signin HTTP/1.1\r\nHost: milk\r\nContent-Length: +3\r\n\r\n", "a=b", 400 },
  { "content-length-minus", "POST /signin HTTP/1.1\r\nHost: milk\r\nContent-Length: -1\r\n\r\n", "", 400 },
  { "content-length-space-inside", "POST /signin HTTP/1.1\r\nHost: milk\r\nContent-Length: 1 3\r\n\r\n", "a=b", 400 },
  { "content-length-empty", "POST /signin HTTP/1.1\r\nHost: milk\r\nContent-Length:\r\n\r\n", "", 400 },
  { "content-length-hex", "POST /signin HTTP/1.1\r\nHost: milk\r\nContent-Length: 0x3\r\n\r\n", "a=b", 400 },
  { "content-length-space-before-colon", "POST /signin HTTP/1.1\r\nHost: milk\r\nContent-Length : 3\r\n\r\n", "a=b",
    400 },
  { "transfer-encoding-space-before-colon", "POST /signin HTTP/1.1\r\nHost: milk\r\nTransfer-Encoding : chunked\r\n\r\n",
    "0\r\n\r\n", 400 },
  { "transfer-encoding-tab-before-colon", "POST /signin HTTP/1.1\r\nHost: milk\r\nTransfer-Encoding\t: chunked\r\n\r\n",
    "0\r\n\r\n", 400 },
  { "transfer-encoding-and-content-length", "POST /signin HTTP/1.1\r\nHost: milk\r\nContent-Length: 5\r\n"
    "Transfer-Encoding: chunked\r\n\r\n", "0\r\n\r\n", 400 },
  { "transfer-encoding-not-chunked", "POST /signin HTTP/1.1\r\nHost: milk\r\nTransfer-Encoding: chunked, identity\r\n\r\n",
    "0\r\n\r\n", 400 },
  { "transfer-encoding-twice", "POST /signin HTTP/1.1\r\nHost: milk\r\nTransfer-Encoding: chunked\r\n"
    "Transfer-Encoding: chunked\r\n\r\n", "0\r\n\r\n", 400 },
  { "header-name-bad-character", "GET /healthz HTTP/1.1\r\nHost: milk\r\nX-Milk(1): yes\r\n\r\n", "", 400 },
  { "header-name-control-character", "GET /healthz HTTP/1.1\r\nHost: milk\r\nX-Mi\x01lk: yes\r\n\r\n", "", 400 },
  { "header-name-nul", "POST /signin HTTP/1.1\r\nHost: milk\r\nContent-Len\\0gth: 3\r\n\r\n", "a=b", 400 },
  { "header-value-control-character", "GET /healthz HTTP/1.1\r\nHost: milk\r\nX-Milk: a\x1b[2Jb\r\n\r\n", "", 400 },
  { "header-value-bare-cr", "GET /healthz HTTP/1.1\r\nHost: milk\r\nX-Milk: a\rb\r\n\r\n", "", 400 },
  { "obs-fold", "GET /healthz HTTP/1.1\r\nHost: milk\r\nX-Milk: a\r\n b\r\n\r\n", "", 400 },
  { "obs-fold-first-line", "GET /healthz HTTP/1.1\r\n Host: milk\r\n\r\n", "", 400 },
  { "bare-lf", "GET /healthz HTTP/1.1\nHost: milk\n\n", "", 400 },
  { "bare-lf-one-line", "GET /healthz HTTP/1.1\r\nHost: milk\nX-Milk: a\r\n\r\n", "", 400 },
  { "request-line-tab", "GET\t/healthz HTTP/1.1\r\nHost: milk\r\n\r\n", "", 400 },
  { "request-line-two-spaces", "GET  /healthz HTTP/1.1\r\nHost: milk\r\n\r\n", "", 400 },
  { "host-twice", "GET /healthz HTTP/1.1\r\nHost: milk\r\nHost: evil.example\r\n\r\n", "", 400 },
  { "content-length-huge", "POST /api/v1/sync HTTP/1.1\r\nHost: milk\r\nContent-Length: 99999999999999999999999999\r\n\r\n",
    "", 413 },
};

/* Bytes off a connection until the service closes it; NULL if it does not
 * within five seconds. */
static GByteArray *
read_until_closed (GSocketConnection *connection)
{
  GSocket *socket = g_socket_connection_get_socket (connection);
  GByteArray *all = g_byte_array_new ();

  g_socket_set_timeout (socket, 5);
  for (;;)
    {
      guint8 chunk[4096];
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_receive (socket, (char *) chunk, sizeof chunk, NULL, &error);

      if (n == 0 || (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)))
        return all;
      if (n < 0)
        {
          g_test_message ("no end of connection: %s", error->message);
          g_byte_array_unref (all);
          return NULL;
        }
      g_byte_array_append (all, chunk, n);
    }
}

static guint
count (const char *text,
       const char *needle)
{
  guint n = 0;

  for (const char *at = strstr (text, needle); at; at = strstr (at + 1, needle))
    n++;
  return n;
}

/* The service's log so far: no line a request wrote, no warning. */
static void
assert_log_clean (void)
{
  g_autofree char *log = milk_test_server_log (server);

  g_assert_null (strchr (log, '\r'));
  g_assert_null (strstr (log, "\nFORGED"));
  g_assert_null (strstr (log, "WARNING"));
  g_assert_null (strstr (log, "CRITICAL"));
  g_assert_null (strstr (log, "/smuggled"));
}

static void
test_trick (gconstpointer data)
{
  const Trick *trick = data;
  g_autoptr(GSocketConnection) connection = connect_to_server ();
  g_autoptr(GString) request = g_string_new (NULL);
  g_autoptr(GByteArray) answer = NULL;
  g_autofree char *text = NULL;
  g_autofree char *status = g_strdup_printf ("HTTP/1.1 %u ", trick->status);
  const char *nul = strstr (trick->head, "\\0");

  /* \0 in a head stands for a NUL byte, which a C string cannot hold. */
  if (nul)
    {
      g_string_append_len (request, trick->head, nul - trick->head);
      g_string_append_c (request, '\0');
      g_string_append (request, nul + 2);
    }
  else
    g_string_append (request, trick->head);
  g_string_append (request, trick->body);
  g_string_append (request, SMUGGLED);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), request->str, request->len,
                             NULL, NULL, NULL);

  answer = read_until_closed (connection);
  g_assert_nonnull (answer);
  text = g_strndup ((const char *) answer->data, answer->len);
  g_test_message ("%s answered: %s", trick->name, text);
  /* One answer, the refusal, and the connection closed after it. */
  g_assert_true (g_str_has_prefix (text, status));
  g_assert_cmpuint (count (text, "HTTP/1.1 "), ==, 1);
  g_assert_nonnull (strstr (text, "Connection: close\r\n"));

  /* Nothing ran that the trick hid. */
  g_usleep (20 * 1000);
  assert_log_clean ();
}

/* Request data in the log is escaped: a line break in a path cannot start a
 * line of its own, and a huge Content-Length leaves no warning. */
static void
test_log_escaped (void)
{
  const char *requests[] = {
    "GET /%0d%0aFORGED%20200%20OK HTTP/1.1\r\nHost: milk\r\n\r\n",
    "GET /%1b%5b2J%5c HTTP/1.1\r\nHost: milk\r\n\r\n",
    "POST /api/v1/sync HTTP/1.1\r\nHost: milk\r\nContent-Length: 9223372036854775807\r\n\r\n",
    "POST /api/v1/sync HTTP/1.1\r\nHost: milk\r\nContent-Length: 18446744073709551615\r\n\r\n",
    "POST /api/v1/sync HTTP/1.1\r\nHost: milk\r\nContent-Length: 999999999999999\r\n\r\n",
    "POST /api/v1/sync HTTP/1.1\r\nHost: milk\r\nContent-Length: 4194305000\r\n\r\n",
  };
  g_autofree char *log = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      g_autoptr(GSocketConnection) connection = connect_to_server ();
      g_autoptr(GDataInputStream) input = response_reader (connection);
      g_autofree char *body = NULL;
      g_autofree char *status = NULL;

      g_socket_set_timeout (g_socket_connection_get_socket (connection), 5);
      send_text (connection, requests[i]);
      status = read_response (input, &body);
      g_test_message ("%s: %s", requests[i], status);
      g_assert_true (g_str_has_prefix (status, "HTTP/1.1 404 ") || g_str_has_prefix (status, "HTTP/1.1 413 "));
    }
  g_usleep (100 * 1000);
  log = milk_test_server_log (server);
  g_assert_nonnull (strstr (log, "/\\x0d\\x0aFORGED 200 OK 404"));
  g_assert_nonnull (strstr (log, "/\\x1b[2J\\x5c 404"));
  assert_log_clean ();
}

/* What is well-formed still works: a body with one Content-Length, several
 * such requests pipelined with their bodies, a head that arrives in pieces,
 * empty lines before a request, and a chunked body, which the service
 * answers as before (411: no route takes one). */
static void
test_legitimate_framing (void)
{
  g_autoptr(GSocketConnection) connection = connect_to_server ();
  g_autoptr(GDataInputStream) input = response_reader (connection);
  g_autoptr(GString) requests = g_string_new (NULL);
  const char *form = "token=nothing-at-all&token_type_hint=refresh_token";

  for (guint i = 0; i < 3; i++)
    g_string_append_printf (requests,
                            "POST /oauth/revoke HTTP/1.1\r\nHost: milk\r\n"
                            "Content-Type: application/x-www-form-urlencoded\r\n"
                            "Content-Length: %zu\r\n\r\n%s",
                            strlen (form), form);
  g_string_append (requests, "\r\nGET /healthz HTTP/1.1\r\nHost: milk\r\n\r\n");
  send_text (connection, requests->str);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *body = NULL;
      g_autofree char *status = read_response (input, &body);

      /* Framed right: each body read as the form it is (a revocation
       * without client credentials), none as a request. */
      g_assert_cmpstr (status, ==, "HTTP/1.1 401 Unauthorized");
    }
  {
    g_autofree char *body = NULL;
    g_autofree char *status = read_response (input, &body);

    g_assert_cmpstr (status, ==, "HTTP/1.1 200 OK");
    g_assert_nonnull (strstr (body, "ok"));
  }

  /* A head in pieces, the break inside a line ending. */
  send_text (connection, "GET /heal");
  g_usleep (50 * 1000);
  send_text (connection, "thz HTTP/1.1\r\nHo");
  g_usleep (50 * 1000);
  send_text (connection, "st: milk\r");
  g_usleep (50 * 1000);
  send_text (connection, "\n\r\n");
  {
    g_autofree char *body = NULL;
    g_autofree char *status = read_response (input, &body);

    g_assert_cmpstr (status, ==, "HTTP/1.1 200 OK");
  }

  send_text (connection, "POST /api/v1/sync HTTP/1.1\r\nHost: milk\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "3\r\n{}\n\r\n0\r\n\r\n");
  {
    g_autofree char *body = NULL;
    g_autofree char *status = read_response (input, &body);

    g_assert_cmpstr (status, ==, "HTTP/1.1 411 Length Required");
  }
  assert_log_clean ();
}

/* A client that asks before it sends its body (curl does, past 1 KiB) is
 * told to go on, and what it sends then is read as that body; a HEAD is
 * answered with the head alone, and the connection goes on. */
static void
test_expect_and_head (void)
{
  g_autoptr(GSocketConnection) connection = connect_to_server ();
  g_autoptr(GDataInputStream) input = response_reader (connection);
  const char *form = "token=nothing-at-all&token_type_hint=refresh_token";
  g_autofree char *head = g_strdup_printf ("POST /oauth/revoke HTTP/1.1\r\nHost: milk\r\nExpect: 100-continue\r\n"
                                           "Content-Type: application/x-www-form-urlencoded\r\n"
                                           "Content-Length: %zu\r\n\r\n", strlen (form));
  gsize length = 0;

  send_text (connection, head);
  {
    g_autofree char *body = NULL;
    g_autofree char *status = read_response (input, &body);

    g_assert_cmpstr (status, ==, "HTTP/1.1 100 Continue");
  }
  send_text (connection, form);
  {
    g_autofree char *body = NULL;
    g_autofree char *status = read_response (input, &body);

    g_assert_cmpstr (status, ==, "HTTP/1.1 401 Unauthorized");
  }

  send_text (connection, "HEAD /healthz HTTP/1.1\r\nHost: milk\r\n\r\nGET /healthz HTTP/1.1\r\nHost: milk\r\n\r\n");
  {
    g_autofree char *status = read_head (input, &length);

    g_assert_cmpstr (status, ==, "HTTP/1.1 200 OK");
  }
  /* The length the GET's body has, and no body: the next answer follows. */
  g_assert_cmpuint (length, >, 0);
  {
    g_autofree char *body = NULL;
    g_autofree char *status = read_response (input, &body);

    g_assert_cmpstr (status, ==, "HTTP/1.1 200 OK");
    g_assert_cmpuint (strlen (body), ==, length);
  }
  assert_log_clean ();
}

int
main (int   argc,
      char *argv[])
{
  int status;

  if (!milk_test_init (&argc, &argv))
    return milk_test_run_skipped ("/server/connections/skipped");
  server = milk_test_server_start (NULL);

  g_test_add_func ("/server/connections/keep-alive", test_keep_alive);
  g_test_add_func ("/server/connections/pipelined", test_pipelined);
  g_test_add_func ("/server/connections/hang-up-releases", test_hang_up_releases);
  g_test_add_func ("/server/connections/legitimate-framing", test_legitimate_framing);
  g_test_add_func ("/server/connections/expect-and-head", test_expect_and_head);
  for (guint i = 0; i < G_N_ELEMENTS (tricks); i++)
    {
      g_autofree char *path = g_strconcat ("/server/framing/", tricks[i].name, NULL);

      g_test_add_data_func (path, &tricks[i], test_trick);
    }
  g_test_add_func ("/server/framing/log-escaped", test_log_escaped);
  status = g_test_run ();

  milk_test_server_stop (server, SIGTERM);
  milk_test_cleanup ();
  return status;
}
