/* test-server-connections.c — the service's HTTP connections over real
 * loopback sockets: kept alive while the client wants, answered in order when
 * pipelined, and let go when the client hangs up
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

/* One response read off the connection: its status line, and its body. */
static char *
read_response (GDataInputStream *input,
               char            **body)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *status = g_data_input_stream_read_line (input, NULL, NULL, &error);
  gsize length = 0;
  char *line;

  g_assert_no_error (error);
  g_assert_nonnull (status);
  while ((line = g_data_input_stream_read_line (input, NULL, NULL, &error)) != NULL && strcmp (line, "\r") != 0)
    {
      if (g_ascii_strncasecmp (line, "Content-Length:", 15) == 0)
        length = strtoul (line + 15, NULL, 10);
      g_free (line);
    }
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_free (line);
  *body = g_malloc0 (length + 1);
  g_input_stream_read_all (G_INPUT_STREAM (input), *body, length, NULL, NULL, &error);
  g_assert_no_error (error);
  g_strchomp (status);
  return g_steal_pointer (&status);
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
  status = g_test_run ();

  milk_test_server_stop (server, SIGTERM);
  milk_test_cleanup ();
  return status;
}
