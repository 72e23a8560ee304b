/* milk-server-connections.c — the service's connections: accepted, kept alive,
 * closed when the client hangs up
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The service accepts its connections itself and gives each to libsoup,
 * because libsoup 3.2 (Debian 12) leaks on both ends of a connection:
 *
 * - its listener keeps a reference to every socket it accepts, so each
 *   connection ever made leaves its GSocket behind (344 bytes);
 * - it never disconnects a kept-alive connection whose client hangs up
 *   between two requests: after a response it creates the message that waits
 *   for the next request without telling the server, and when that message
 *   fails on the client's end-of-file nobody closes the connection. Its
 *   socket, descriptor and buffers stay until the process runs out of
 *   descriptors. (Fixed upstream in libsoup 3.3.)
 *
 * The first message of a connection is announced properly and ends the
 * connection when it fails. So once a response is written we take the
 * connection back from libsoup and hand it over again as a new connection,
 * whose waiting message is a first one. Connections stay alive as long as the
 * client wants; a hang-up between requests closes the socket.
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

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

static gboolean
readable (GIOStream *stream)
{
  GInputStream *input = g_io_stream_get_input_stream (stream);

  return G_IS_POLLABLE_INPUT_STREAM (input) && g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (input));
}

/* The socket's own connection under libsoup's buffering wrappers, unless a
 * wrapper holds bytes already read (a pipelining client's next request): then
 * that wrapper, so that nothing the client sent is lost. */
static GIOStream *
unwrap (GIOStream *stream)
{
  while (!G_IS_SOCKET_CONNECTION (stream) &&
         g_object_class_find_property (G_OBJECT_GET_CLASS (stream), "base-iostream") != NULL)
    {
      g_autoptr(GIOStream) base = NULL;

      if (readable (stream))
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
accept_stream (SoupServer     *soup,
               GIOStream      *stream,
               GSocketAddress *local,
               GSocketAddress *remote)
{
  g_autoptr(GError) error = NULL;

  if (!soup_server_accept_iostream (soup, stream, local, remote, &error))
    {
      g_warning ("Could not take a connection: %s", error->message);
      g_io_stream_close (stream, NULL, NULL);
    }
}

static void
wrote_body (SoupServerMessage *msg,
            gpointer           user_data)
{
  SoupServer *soup = user_data;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  GIOStream *stream;

  /* Otherwise libsoup closes the connection once the response is out. */
  if (!keeps_alive (msg) ||
      soup_server_message_get_local_address (msg) == NULL ||
      soup_server_message_get_remote_address (msg) == NULL)
    return;

  /* Stealing may free the message and, with it, the addresses. */
  local = g_object_ref (soup_server_message_get_local_address (msg));
  remote = g_object_ref (soup_server_message_get_remote_address (msg));
  stream = soup_server_message_steal_connection (msg);
  if (stream == NULL)
    return;
  stream = unwrap (stream);
  if (G_IS_SOCKET_CONNECTION (stream) || readable (stream))
    accept_stream (soup, stream, local, remote);
  else
    {
      /* A libsoup whose wrapper hides the socket: rather than a wrapper more
       * with every request, close; a server may close an idle connection. */
      g_io_stream_close (stream, NULL, NULL);
    }
  g_object_unref (stream);
}

static void
request_started (SoupServer        *soup,
                 SoupServerMessage *msg,
                 gpointer           user_data)
{
  /* After the server's own handlers, which may still look at the message. */
  g_signal_connect_object (msg, "wrote-body", G_CALLBACK (wrote_body), soup, G_CONNECT_AFTER);
}

static gboolean
incoming (GSocketService    *service,
          GSocketConnection *connection,
          GObject           *source,
          gpointer           user_data)
{
  SoupServer *soup = user_data;
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);

  if (local == NULL || remote == NULL)
    return TRUE;   /* already gone */
  /* Headers and body go out in separate writes; with Nagle's algorithm the
   * second waits for the client's delayed ACK, up to 200 ms. */
  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  accept_stream (soup, G_IO_STREAM (connection), local, remote);
  return TRUE;
}

GSocketService *
milk_server_connections_serve (SoupServer *soup,
                               GSocket    *socket,
                               GError    **error)
{
  g_autoptr(GSocketService) service = g_socket_service_new ();

  if (!g_socket_listener_add_socket (G_SOCKET_LISTENER (service), socket, NULL, error))
    return NULL;
  g_signal_connect_object (service, "incoming", G_CALLBACK (incoming), soup, 0);
  g_signal_connect (soup, "request-started", G_CALLBACK (request_started), NULL);
  return g_steal_pointer (&service);
}
