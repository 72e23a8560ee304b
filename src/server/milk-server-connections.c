/* milk-server-connections.c — the service's connections: accepted, kept alive,
 * closed when the client hangs up or takes too long
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
 *
 * libsoup's parser is lenient where leniency lets one request hide another
 * behind a proxy that reads it differently: the last of two Content-Lengths
 * wins, "+5" is 5, a header line with a space before its colon is dropped
 * (so "Transfer-Encoding : chunked" means no body), NUL bytes are deleted,
 * bare LF ends lines and folded lines are joined. So every request head is
 * read here first, checked on its raw bytes, and only a well-formed one is
 * passed on, ahead of the rest of the stream; anything ambiguous gets a 400
 * and the connection is closed.
 *
 * Here too a client's hold on the service is bounded (issue 15): the head
 * must come within the header timeout, the next request within the idle
 * timeout; a body is admitted against the body budget (milk-server-limits.c)
 * before libsoup reads it, and cut when it stalls; an address may have so
 * many connections open. Time limits are checked by one sweep a quarter
 * second, and connections waiting for their client are watched in one epoll
 * set, so that thousands of idle ones cost the main loop nothing.
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>

#include <glib-unix.h>

#include "milk-server-config.h"
#include "milk-server-connections-private.h"
#include "milk-server-connections.h"
#include "milk-server-head.h"
#include "milk-server-limits.h"
#include "milk-server-replay-stream.h"

#define SWEEP_INTERVAL_MS 250

/* ---- handing requests to libsoup ---- */

static void
accept_stream (MilkHttpStream *self)
{
  g_autoptr(GError) error = NULL;

  if (!soup_server_accept_iostream (self->owner->soup, G_IO_STREAM (self), self->local, self->remote, &error))
    {
      g_warning ("Could not take a connection: %s", error->message);
      g_io_stream_close (G_IO_STREAM (self), NULL, NULL);
    }
}

static void more_of_the_head (MilkHttpStream *self);

/* Waiting for a request: a new connection's first, or the next on a kept
 * one, which may be slow to come (idle) but not slow to arrive. */
static void
await_head (MilkHttpStream *self,
            gboolean        idle)
{
  self->state = STATE_HEAD;
  self->idle = idle;
  self->deadline = g_get_monotonic_time () + (idle ? self->owner->idle_timeout : self->owner->header_timeout);
}

/* A sound head: its body, if any, must fit what the service holds at once
 * before libsoup reads a byte of it. */
static void
hand_over (MilkHttpStream        *self,
           const MilkHeadFraming *framing,
           gsize                  head_length)
{
  MilkReplayInputStream *input = self->input;
  const char *head = (const char *) input->buffer->data + input->offset;
  gsize method = strcspn (head, " "), target = strcspn (head + method + 1, " ?");

  /* The request line is sound: "METHOD SP target SP version CRLF". */
  g_free (self->method);
  g_free (self->path);
  self->method = g_strndup (head, method);
  self->path = g_strndup (head + method + 1, MIN (target, 1000));
  if (framing->transfer_encoding)
    {
      /* No route takes a body whose size is not known before it comes. */
      _milk_http_stream_refuse_with (self, SOUP_STATUS_LENGTH_REQUIRED, soup_status_get_phrase (SOUP_STATUS_LENGTH_REQUIRED),
                                     "length_required", "Send the body with a Content-Length", NULL, "chunked body");
      return;
    }
  if (framing->length > 0 && !milk_limits_body_reserve (self->owner->limits, framing->length))
    {
      _milk_http_stream_refuse_busy (self, "too many bodies at once");
      return;
    }
  self->reserved = framing->length;
  self->state = framing->length > 0 ? STATE_BODY : STATE_HANDLING;
  self->body_started = input->last_read = g_get_monotonic_time ();
  self->body_from = input->consumed + head_length;
  self->body_end = self->body_from + framing->length;
  _milk_http_stream_stop_waiting (self);
  accept_stream (self);
}

/* The next request's head, once it is all in: to libsoup when it is sound,
 * refused when not. */
static void
serve_next (MilkHttpStream *self)
{
  MilkReplayInputStream *input = self->input;
  MilkHeadVerdict verdict;
  MilkHeadFraming framing;
  const char *problem;
  gsize skip, head_length;

  verdict = milk_http_head_frame ((const char *) input->buffer->data + input->offset, milk_replay_input_stream_buffered (input), &skip,
                                  &head_length, &problem, &framing);
  input->offset += skip;
  switch (verdict)
    {
    case MILK_HEAD_INCOMPLETE:
      _milk_http_stream_wait_for (self, more_of_the_head);
      break;
    case MILK_HEAD_OK:
      hand_over (self, &framing, head_length);
      break;
    default:
      _milk_http_stream_refuse (self, verdict, problem);
      break;
    }
}

static void
more_of_the_head (MilkHttpStream *self)
{
  GByteArray *buffer = self->input->buffer;
  guint8 chunk[16 * 1024];
  gssize n;

  if (self->input->offset > 0)
    {
      g_byte_array_remove_range (buffer, 0, self->input->offset);
      self->input->offset = 0;
    }
  /* Read into the stack: a connection that sent a few bytes holds a few. */
  n = g_pollable_input_stream_read_nonblocking (_milk_http_stream_socket_input (self), chunk, sizeof chunk, NULL, NULL);
  if (n < 0 && g_pollable_input_stream_is_readable (_milk_http_stream_socket_input (self)) == FALSE)
    return;   /* a spurious wake-up */
  if (n <= 0)
    {
      /* The client went, or its connection failed, before a whole head. */
      g_io_stream_close (G_IO_STREAM (self), NULL, NULL);
      return;
    }
  g_byte_array_append (buffer, chunk, n);
  if (self->idle)
    await_head (self, FALSE);
  /* Checked again when a line may have ended: a head sent a byte at a time
   * must not cost a pass over all of it per byte. */
  if (memchr (chunk, '\n', n) != NULL || buffer->len > MILK_HEAD_MAX_BYTES)
    serve_next (self);
}

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

/* Our stream under libsoup's wrappers. */
static MilkHttpStream *
find_http_stream (GIOStream *stream)
{
  while (stream != NULL && !MILK_IS_HTTP_STREAM (stream))
    {
      GIOStream *base = NULL;

      if (g_object_class_find_property (G_OBJECT_GET_CLASS (stream), "base-iostream") == NULL)
        return NULL;
      g_object_get (stream, "base-iostream", &base, NULL);
      /* The wrapper holds its base: a borrowed pointer is enough. */
      if (base != NULL)
        g_object_unref (base);
      stream = base;
    }
  return stream ? MILK_HTTP_STREAM (stream) : NULL;
}

/* What libsoup read ahead and did not use (a pipelining client's next
 * request) goes back in front of the socket, in order. */
static gboolean
take_back (GIOStream      *stolen,
           MilkHttpStream *self)
{
  GInputStream *outer = g_io_stream_get_input_stream (stolen);
  g_autoptr(GByteArray) unread = g_byte_array_new ();
  gboolean ok = TRUE;

  if (G_IO_STREAM (self) == stolen)
    return TRUE;
  if (!G_IS_POLLABLE_INPUT_STREAM (outer))
    return FALSE;
  self->input->hold = TRUE;
  for (;;)
    {
      guint8 chunk[8192];
      g_autoptr(GError) error = NULL;
      gssize n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (outer), chunk, sizeof chunk,
                                                           NULL, &error);

      if (n > 0)
        g_byte_array_append (unread, chunk, n);
      else
        {
          ok = n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
          break;
        }
    }
  self->input->hold = FALSE;
  /* A new buffer: the old one may have grown with a large head. */
  g_byte_array_unref (self->input->buffer);
  self->input->buffer = g_byte_array_sized_new (unread->len);
  self->input->offset = 0;
  g_byte_array_append (self->input->buffer, unread->data, unread->len);
  return ok;
}

static void
wrote_body (SoupServerMessage *msg,
            gpointer           user_data)
{
  g_autoptr(GIOStream) stolen = NULL;
  g_autoptr(MilkHttpStream) self = NULL;

  /* Otherwise libsoup closes the connection once the response is out. */
  if (!keeps_alive (msg))
    return;

  stolen = soup_server_message_steal_connection (msg);
  if (stolen == NULL)
    return;
  self = find_http_stream (stolen);
  if (self == NULL)
    {
      g_io_stream_close (stolen, NULL, NULL);
      return;
    }
  g_object_ref (self);
  if (!take_back (stolen, self))
    {
      g_io_stream_close (G_IO_STREAM (self), NULL, NULL);
      return;
    }
  g_clear_object (&stolen);
  _milk_http_stream_release_body (self);
  await_head (self, milk_replay_input_stream_buffered (self->input) == 0);
  serve_next (self);
}

static void
request_started (SoupServer        *soup,
                 SoupServerMessage *msg,
                 gpointer           user_data)
{
  /* After the server's own handlers, which may still look at the message. */
  g_signal_connect_object (msg, "wrote-body", G_CALLBACK (wrote_body), soup, G_CONNECT_AFTER);
}

static void
incoming (MilkConnections   *owner,
          GSocketConnection *connection)
{
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  g_autoptr(MilkHttpStream) stream = NULL;

  if (local == NULL || remote == NULL)
    return;   /* already gone */
  stream = _milk_http_stream_new (owner, connection, local, remote);
  stream->address = _milk_http_stream_remote_host (stream);
  switch (milk_limits_connection_open (owner->limits, stream->address))
    {
    case MILK_CONNECTION_SERVICE_FULL:
      /* Descriptors are nearly out: no word, no lingering. */
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return;
    case MILK_CONNECTION_ADDRESS_FULL:
      g_hash_table_add (owner->streams, stream);
      _milk_http_stream_refuse_busy (stream, "too many connections from this address");
      return;
    default:
      break;
    }
  stream->counted = TRUE;
  g_hash_table_add (owner->streams, stream);
  /* Headers and body go out in separate writes; with Nagle's algorithm the
   * second waits for the client's delayed ACK, up to 200 ms. */
  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  await_head (stream, FALSE);
  serve_next (stream);
}

static gboolean accept_waiting (GSocket      *listener,
                                GIOCondition  condition,
                                gpointer      user_data);

static void
start_accepting (MilkConnections *owner)
{
  g_autoptr(GSource) source = g_socket_create_source (owner->listener, G_IO_IN, NULL);

  g_source_set_callback (source, G_SOURCE_FUNC (accept_waiting), owner, NULL);
  owner->accepting = g_source_attach (source, g_main_context_get_thread_default ());
}

static gboolean
resume_accepting (gpointer data)
{
  MilkConnections *owner = data;

  owner->accepting = 0;
  start_accepting (owner);
  return G_SOURCE_REMOVE;
}

/* Every connection waiting to be accepted, up to a bound a turn:
 * GSocketService took one a turn of the main loop, and a burst of clients
 * queued ahead of everyone else for as many turns. */
static gboolean
accept_waiting (GSocket      *listener,
                GIOCondition  condition,
                gpointer      user_data)
{
  MilkConnections *owner = user_data;

  for (guint i = 0; i < 256; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) socket = g_socket_accept (listener, NULL, &error);
      g_autoptr(GSocketConnection) connection = NULL;

      if (socket == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        break;
      if (socket == NULL)
        {
          /* Out of descriptors, say: the queue stays, and so would this
           * error, every turn; a pause instead. */
          g_warning ("Could not accept a connection: %s", error->message);
          owner->accepting = g_timeout_add (100, resume_accepting, owner);
          return G_SOURCE_REMOVE;
        }
      connection = g_socket_connection_factory_create_connection (socket);
      incoming (owner, connection);
    }
  return G_SOURCE_CONTINUE;
}


MilkConnections *
milk_server_connections_serve (SoupServer             *soup,
                               const MilkServerConfig *config,
                               GSocket                *socket,
                               GError                **error)
{
  MilkConnections *owner;
  int epoll = epoll_create1 (EPOLL_CLOEXEC);

  if (epoll < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "epoll: %s", g_strerror (errno));
      return NULL;
    }
  owner = g_atomic_rc_box_new0 (MilkConnections);
  owner->epoll = epoll;
  owner->soup = g_object_ref (soup);
  owner->limits = milk_limits_new (config);
  owner->header_timeout = config->header_timeout_s * G_USEC_PER_SEC;
  owner->body_timeout = config->body_timeout_s * G_USEC_PER_SEC;
  owner->idle_timeout = config->idle_timeout_s * G_USEC_PER_SEC;
  owner->streams = g_hash_table_new (NULL, NULL);
  owner->sweep = g_timeout_add (SWEEP_INTERVAL_MS, _milk_connections_sweep, owner);
  owner->epoll_source = g_unix_fd_add (owner->epoll, G_IO_IN, _milk_connections_clients_sent, owner);
  owner->listener = g_object_ref (socket);
  g_socket_set_blocking (socket, FALSE);
  start_accepting (owner);
  g_signal_connect (soup, "request-started", G_CALLBACK (request_started), NULL);
  return owner;
}

/* No more connections; those open finish as they would. */
void
milk_server_connections_stop (MilkConnections *owner)
{
  g_clear_handle_id (&owner->sweep, g_source_remove);
  g_clear_handle_id (&owner->epoll_source, g_source_remove);
  g_clear_handle_id (&owner->accepting, g_source_remove);
  g_socket_close (owner->listener, NULL);
  _milk_connections_unref (owner);
}
