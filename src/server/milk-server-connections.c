/* milk-server-connections.c — kept-alive connections that close when the client hangs up
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libsoup before 3.3 (Debian 12 ships 3.2) never closes a kept-alive
 * connection whose client hangs up between two requests: after a response it
 * creates the message that waits for the next request without telling the
 * server, so when that message fails on the client's end-of-file nobody
 * disconnects the connection. Its socket, file descriptor and buffers stay
 * until the service stops: one of each for every client that ever kept a
 * connection open, until the process runs out of descriptors. (Upstream fixed
 * it in commit d20c6601.)
 *
 * The first message of a connection is announced properly and ends the
 * connection when it fails. So once a response is written we take the
 * connection back from libsoup and hand it over again as a new connection,
 * whose waiting message is a first one. Persistent connections keep working;
 * a hang-up between requests closes the socket.
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include "milk-server-private.h"

static gboolean
keeps_alive (SoupServerMessage *msg)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);

  /* libsoup's own rule for HTTP/1.1 (we never offer HTTP/1.0 keep-alive). */
  return soup_server_message_get_http_version (msg) == SOUP_HTTP_1_1 &&
         soup_message_headers_get_encoding (response) != SOUP_ENCODING_EOF &&
         !soup_message_headers_header_contains (request, "Connection", "close") &&
         !soup_message_headers_header_contains (response, "Connection", "close");
}

/* The socket's own stream under libsoup's buffering wrapper, unless the
 * wrapper holds bytes already read (a pipelining client's next request):
 * then the wrapper itself, so that nothing the client sent is lost. */
static GIOStream *
unwrap (GIOStream *stream)
{
  while (!G_IS_SOCKET_CONNECTION (stream) &&
         g_object_class_find_property (G_OBJECT_GET_CLASS (stream), "base-iostream") != NULL)
    {
      GInputStream *input = g_io_stream_get_input_stream (stream);
      g_autoptr(GIOStream) base = NULL;

      if (G_IS_POLLABLE_INPUT_STREAM (input) &&
          g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (input)))
        break;
      g_object_get (stream, "base-iostream", &base, NULL);
      if (base == NULL)
        break;
      g_object_unref (stream);
      stream = g_steal_pointer (&base);
    }
  return stream;
}

static void
wrote_body (SoupServerMessage *msg,
            gpointer           user_data)
{
  SoupServer *soup = user_data;
  GSocketAddress *local = soup_server_message_get_local_address (msg);
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);
  g_autoptr(GError) error = NULL;
  GIOStream *stream;

  if (!keeps_alive (msg) || local == NULL || remote == NULL)
    return;   /* libsoup closes it itself */

  /* Stealing may free the message and, with it, the addresses. */
  g_object_ref (local);
  g_object_ref (remote);
  stream = soup_server_message_steal_connection (msg);
  if (stream != NULL)
    {
      stream = unwrap (stream);
      if (!soup_server_accept_iostream (soup, stream, local, remote, &error))
        {
          g_warning ("Could not keep a connection open: %s", error->message);
          g_io_stream_close (stream, NULL, NULL);
        }
      g_object_unref (stream);
    }
  g_object_unref (local);
  g_object_unref (remote);
}

static void
request_started (SoupServer        *soup,
                 SoupServerMessage *msg,
                 gpointer           user_data)
{
  /* After the server's own handlers, which may still look at the message. */
  g_signal_connect_object (msg, "wrote-body", G_CALLBACK (wrote_body), soup, G_CONNECT_AFTER);
}

void
milk_server_connections_init (SoupServer *soup)
{
  if (soup_check_version (3, 3, 0))
    return;
  g_signal_connect (soup, "request-started", G_CALLBACK (request_started), NULL);
}
