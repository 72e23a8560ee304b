/* milk-server-connections.c — the service's connections: accepted, read,
 * answered, kept alive, closed when the client hangs up or takes too long
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The service speaks HTTP/1.1 itself, on the main loop. It used libsoup's
 * server, which cost more than the routes behind it (a new SoupServer
 * connection, message and stream wrappers for every request, to work
 * around libsoup 3.2's leaks of kept-alive connections) and was lenient
 * where leniency lets one request hide another behind a proxy that reads
 * it differently: the last of two Content-Lengths wins, "+5" is 5, a header
 * line with a space before its colon is dropped, bare LF ends lines, folded
 * lines are joined. Here every request head is checked on its raw bytes
 * (milk-server-head.c); anything ambiguous gets a 400 and the connection is
 * closed. A sound request goes to the service (MilkConnectionsHandler) with
 * its body, and its answer goes out in one write.
 *
 * Here too a client's hold on the service is bounded (issue 15): the head
 * must come within the header timeout, the next request within the idle
 * timeout; a body is admitted against the body budget (milk-server-limits.c)
 * before it is read, and cut when it stalls; an address may have so
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

#define SWEEP_INTERVAL_MS 250

static void more_of_the_head (MilkHttpStream *self);
static void serve_next (MilkHttpStream *self);

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

/* ---- a request's body, and the request to the service ---- */

static void
take (MilkHttpStream *self,
      gsize           length)
{
  self->input->offset += length;
  self->input->consumed += length;
  self->input->last_read = g_get_monotonic_time ();
}

static void
request_complete (MilkHttpStream *self)
{
  g_autoptr(GByteArray) body = g_steal_pointer (&self->body);

  _milk_http_stream_stop_waiting (self);
  self->state = STATE_HANDLING;
  self->owner->handler.request (self, g_steal_pointer (&self->head),
                                body->len > 0 ? g_byte_array_free_to_bytes (g_steal_pointer (&body)) : NULL,
                                self->address, self->owner->handler.data);
}

/* Read straight into the body, never more than it: what follows is the
 * next request's, read when its turn comes. */
static void
more_of_the_body (MilkHttpStream *self)
{
  GByteArray *body = self->body;
  gsize had = body->len, wanted = self->body_end - self->input->consumed;
  g_autoptr(GError) error = NULL;
  gssize n;

  g_byte_array_set_size (body, had + wanted);
  n = g_pollable_input_stream_read_nonblocking (_milk_http_stream_socket_input (self), body->data + had, wanted,
                                                NULL, &error);
  g_byte_array_set_size (body, had + MAX (n, 0));
  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return;   /* a spurious wake-up */
  if (n <= 0)
    {
      /* The client went, or its connection failed, before the whole body. */
      g_io_stream_close (G_IO_STREAM (self), NULL, NULL);
      return;
    }
  self->input->consumed += n;
  self->input->last_read = g_get_monotonic_time ();
  if (self->input->consumed >= self->body_end)
    request_complete (self);
}

/* A sound head: its body, if any, must fit what the route takes and what
 * the service holds at once before a byte of it is read. */
static void
hand_over (MilkHttpStream        *self,
           const MilkHeadFraming *framing,
           gsize                  head_length)
{
  MilkInput *input = self->input;
  g_autoptr(MilkHead) head = milk_http_head_parse ((const char *) input->buffer->data + input->offset, head_length);
  gsize buffered;

  g_clear_pointer (&self->method, g_free);
  g_clear_pointer (&self->path, g_free);
  if (head == NULL)
    {
      _milk_http_stream_refuse (self, MILK_HEAD_BAD, "request target not on this service, or no Host");
      return;
    }
  self->method = g_strdup (head->method);
  self->path = g_strndup (head->path, 1000);
  if (framing->transfer_encoding)
    {
      /* No route takes a body whose size is not known before it comes. */
      _milk_http_stream_refuse_with (self, SOUP_STATUS_LENGTH_REQUIRED, soup_status_get_phrase (SOUP_STATUS_LENGTH_REQUIRED),
                                     "length_required", "Send the body with a Content-Length", NULL, "chunked body");
      return;
    }
  if (framing->length > self->owner->handler.body_limit (head, self->owner->handler.data))
    {
      _milk_http_stream_refuse (self, MILK_HEAD_BODY_TOO_LARGE, "body larger than the route takes");
      return;
    }
  if (framing->length > 0 && !milk_limits_body_reserve (self->owner->limits, framing->length))
    {
      _milk_http_stream_refuse_busy (self, "too many bodies at once");
      return;
    }
  self->reserved = framing->length;
  take (self, head_length);
  self->state = STATE_BODY;
  self->body_started = g_get_monotonic_time ();
  self->body_from = input->consumed;
  self->body_end = self->body_from + framing->length;
  self->body = g_byte_array_sized_new (framing->length);
  self->head = g_steal_pointer (&head);

  /* What came with the head. */
  buffered = MIN (_milk_input_buffered (input), framing->length);
  g_byte_array_append (self->body, input->buffer->data + input->offset, buffered);
  take (self, buffered);
  if (self->body->len == framing->length)
    {
      request_complete (self);
      return;
    }
  /* A client that asks first is told to go on (RFC 9110 10.1.1). */
  if (milk_http_head_has_token (self->head->headers, "expect", "100-continue"))
    g_socket_send_with_blocking (g_socket_connection_get_socket (self->connection), "HTTP/1.1 100 Continue\r\n\r\n",
                                 25, FALSE, NULL, NULL);
  _milk_http_stream_wait_for (self, more_of_the_body);
}

/* The next request's head, once it is all in: to the service when it is
 * sound, refused when not. */
static void
serve_next (MilkHttpStream *self)
{
  MilkInput *input = self->input;
  MilkHeadVerdict verdict;
  MilkHeadFraming framing;
  const char *problem;
  gsize skip, head_length;

  verdict = milk_http_head_frame ((const char *) input->buffer->data + input->offset, _milk_input_buffered (input), &skip,
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

/* ---- the answer ---- */

static void send_more (MilkHttpStream *self);

static gboolean
writable (GSocket      *socket,
          GIOCondition  condition,
          gpointer      user_data)
{
  MilkHttpStream *self = user_data;

  g_clear_pointer (&self->write_source, g_source_unref);
  send_more (self);
  return G_SOURCE_REMOVE;
}

static gboolean
serve_pipelined (gpointer data)
{
  MilkHttpStream *self = data;

  if (self->state == STATE_HEAD)
    serve_next (self);
  return G_SOURCE_REMOVE;
}

static void
response_done (MilkHttpStream *self,
               gboolean        sent)
{
  GDestroyNotify written = g_steal_pointer (&self->written);
  MilkInput *input = self->input;

  g_clear_pointer (&self->response, g_bytes_unref);
  if (written)
    written (self->written_data);
  if (self->state == STATE_CLOSING)
    return;
  if (!sent)
    {
      g_io_stream_close (G_IO_STREAM (self), NULL, NULL);
      return;
    }
  _milk_http_stream_release_body (self);
  if (!self->keep_alive)
    {
      _milk_http_stream_linger (self);
      return;
    }
  /* A large head may have grown the buffer: what is left, in a new one. */
  if (input->buffer->len > 4096)
    {
      GByteArray *left = g_byte_array_sized_new (_milk_input_buffered (input));

      g_byte_array_append (left, input->buffer->data + input->offset, _milk_input_buffered (input));
      g_byte_array_unref (input->buffer);
      input->buffer = left;
      input->offset = 0;
    }
  await_head (self, _milk_input_buffered (input) == 0);
  if (_milk_input_buffered (input) == 0)
    serve_next (self);
  else
    {
      /* A pipelined request, on a turn of its own: answers made at once
       * (a 404) must not nest one call per request in the buffer. */
      g_idle_add_full (G_PRIORITY_DEFAULT, serve_pipelined, g_object_ref (self), g_object_unref);
    }
}

static void
send_more (MilkHttpStream *self)
{
  GSocket *socket = g_socket_connection_get_socket (self->connection);
  gsize length;
  const char *data = g_bytes_get_data (self->response, &length);

  while (self->response_sent < length)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_send_with_blocking (socket, data + self->response_sent, length - self->response_sent,
                                              FALSE, NULL, &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          self->write_source = g_socket_create_source (socket, G_IO_OUT, NULL);
          g_source_set_callback (self->write_source, G_SOURCE_FUNC (writable), g_object_ref (self), g_object_unref);
          g_source_attach (self->write_source, g_main_context_get_thread_default ());
          return;
        }
      if (n < 0)
        {
          response_done (self, FALSE);   /* the client went */
          return;
        }
      self->response_sent += n;
      self->last_written = g_get_monotonic_time ();
    }
  response_done (self, TRUE);
}

/* The service's answer to the request it was handed, head and body in one
 * piece: sent (in one write, unless the client reads slowly), then the
 * next request read, or the connection closed when !keep_alive. written
 * runs once it is out or cannot be. */
void
milk_http_stream_respond (MilkHttpStream *self,
                          GBytes         *response,
                          gboolean        keep_alive,
                          GDestroyNotify  written,
                          gpointer        written_data)
{
  g_return_if_fail (self->response == NULL);

  self->response = response;
  self->response_sent = 0;
  self->keep_alive = keep_alive;
  self->written = written;
  self->written_data = written_data;
  self->last_written = g_get_monotonic_time ();
  if (self->state != STATE_HANDLING)
    {
      response_done (self, FALSE);
      return;
    }
  send_more (g_object_ref (self));
  g_object_unref (self);
}

static void
incoming (MilkConnections   *owner,
          GSocketConnection *connection)
{
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  g_autoptr(MilkHttpStream) stream = NULL;

  if (remote == NULL)
    return;   /* already gone */
  stream = _milk_http_stream_new (owner, connection, remote);
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
  /* An answer larger than one write would otherwise wait for the
   * client's delayed ACK between its parts, up to 200 ms. */
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
milk_server_connections_serve (const MilkConnectionsHandler *handler,
                               const MilkServerConfig       *config,
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
  owner->handler = *handler;
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
