/* milk-server-connections-limits.c — refusing a request, and the limits in
 * time of every open connection
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <string.h>

#include "milk-protocol.h"
#include "milk-server-connections-private.h"
#include "milk-server-connections.h"
#include "milk-server-head.h"
#include "milk-server-log.h"
#include "milk-server-policy.h"

/* ---- refusing a request ---- */

/* After a refusal, what the client still sends (a body it sends whole
 * before it reads an answer) is read and dropped for a moment before
 * closing: closing on unread bytes makes the kernel reset the connection,
 * which can destroy the answer before the client reads it. */
static void
end_lingering (MilkHttpStream *self)
{
  _milk_http_stream_unwatch (self);
  g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
}

/* Until linger_until, when the sweep ends it. */
static void
linger (MilkHttpStream *self)
{
  char scrap[16 * 1024];
  gssize n = 0;

  /* A few reads a turn: a fast sender must not hold up the main loop. */
  for (guint reads = 0; reads < 4; reads++)
    if ((n = g_pollable_input_stream_read_nonblocking (_milk_http_stream_socket_input (self), scrap, sizeof scrap, NULL, NULL)) <= 0)
      break;
  if (n != 0 && g_get_monotonic_time () < self->linger_until &&
      (n > 0 || g_pollable_input_stream_is_readable (_milk_http_stream_socket_input (self)) == FALSE))
    return;   /* more to drop, or would block: wait on */
  end_lingering (self);
}

static void
refusal_written (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(MilkHttpStream) self = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    {
      g_io_stream_close (G_IO_STREAM (self), NULL, NULL);
      return;
    }
  _milk_http_stream_linger (self);
}

/* Our side is done: the client reads to the end, then may go. */
void
_milk_http_stream_linger (MilkHttpStream *self)
{
  self->state = STATE_CLOSING;
  g_socket_shutdown (g_socket_connection_get_socket (self->connection), FALSE, TRUE, NULL);
  self->linger_until = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  _milk_http_stream_wait_for (self, linger);
}

/* An answer of the service's own, then the connection closed. */
void
_milk_http_stream_refuse_with (MilkHttpStream *self,
                               guint           status,
                               const char     *phrase,
                               const char     *code,
                               const char     *message,
                               const char     *extra_header,
                               const char     *problem)
{
  gsize available = _milk_input_buffered (self->input);
  g_autofree char *line = available == 0 ? g_strdup ("") :
                          g_strndup ((const char *) self->input->buffer->data + self->input->offset, MIN (available, 200));
  gsize length;
  char *body = milk_protocol_error_encode (code, message, &length);
  GString *text = g_string_new (NULL);
  GBytes *response;

  g_string_append_printf (text,
                          "HTTP/1.1 %u %s\r\n"
                          "Connection: close\r\n"
                          "Content-Type: application/json\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                          "X-Content-Type-Options: nosniff\r\n"
                          "%s"
                          "\r\n",
                          status, phrase, length, extra_header ? extra_header : "");
  g_string_append_len (text, body, length);
  g_free (body);
  response = g_string_free_to_bytes (text);

  /* Never the query, where codes travel. */
  line[strcspn (line, "?\r\n")] = '\0';
  milk_log_request (self->address, "-", line, status, 0, problem);

  _milk_http_stream_stop_waiting (self);
  /* Still counted against its address until it is closed. */
  _milk_http_stream_release_body (self);
  self->state = STATE_CLOSING;
  g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (self->connection)),
                                   g_bytes_get_data (response, NULL), g_bytes_get_size (response),
                                   G_PRIORITY_DEFAULT, NULL, refusal_written, g_object_ref (self));
  /* The data must outlive the write. */
  g_object_set_data_full (G_OBJECT (self), "milk-refusal", response, (GDestroyNotify) g_bytes_unref);
}

void
_milk_http_stream_refuse (MilkHttpStream *self,
                          MilkHeadVerdict verdict,
                          const char     *problem)
{
  switch (verdict)
    {
    case MILK_HEAD_TOO_LARGE:
      /* RFC 6585; not in libsoup 3.2's list */
      _milk_http_stream_refuse_with (self, 431, "Request Header Fields Too Large", "too_large",
                                     "The request head is larger than the service accepts", NULL, problem);
      break;
    case MILK_HEAD_BODY_TOO_LARGE:
      _milk_http_stream_refuse_with (self, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                                     soup_status_get_phrase (SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE), "too_large",
                                     "The request body is larger than this endpoint accepts", NULL, problem);
      break;
    default:
      _milk_http_stream_refuse_with (self, SOUP_STATUS_BAD_REQUEST, soup_status_get_phrase (SOUP_STATUS_BAD_REQUEST), "bad_request",
                                     "The request is not well-formed HTTP/1.1", NULL, problem);
      break;
    }
}

/* More clients are sending bodies, or from this address, than the service
 * takes at once; this one may come back shortly. */
void
_milk_http_stream_refuse_busy (MilkHttpStream *self,
                               const char     *problem)
{
  _milk_http_stream_refuse_with (self, SOUP_STATUS_SERVICE_UNAVAILABLE, soup_status_get_phrase (SOUP_STATUS_SERVICE_UNAVAILABLE),
                                 "unavailable", "The service is busy; try again shortly", "Retry-After: 5\r\n", problem);
}

/* ---- the limits in time: one look a while at every open connection ---- */

/* Cut a body that has stopped coming, or comes slower than anyone with a
 * working connection sends. */
static void
cut_body (MilkHttpStream *self,
          const char     *problem)
{
  static const char timeout[] = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
  GSocket *socket = g_socket_connection_get_socket (self->connection);

  milk_log_request (self->address, self->method, self->path, SOUP_STATUS_REQUEST_TIMEOUT, self->body_started, problem);
  _milk_http_stream_release_body (self);
  self->state = STATE_CLOSING;
  g_socket_send_with_blocking (socket, timeout, sizeof timeout - 1, FALSE, NULL, NULL);
  g_socket_shutdown (socket, TRUE, TRUE, NULL);
}

static void
check_connection (MilkHttpStream *self,
                  gint64          now)
{
  MilkInput *input = self->input;
  gint64 allowed;

  switch (self->state)
    {
    case STATE_HEAD:
      if (now < self->deadline)
        return;
      if (_milk_input_buffered (input) > 0)
        _milk_http_stream_refuse_with (self, SOUP_STATUS_REQUEST_TIMEOUT, soup_status_get_phrase (SOUP_STATUS_REQUEST_TIMEOUT),
                                       "timeout", "The request head came too slowly", NULL, "request head too slow");
      else
        {
          /* Nothing asked, or nothing more: closed without a word. */
          _milk_http_stream_unwatch (self);
          g_io_stream_close (G_IO_STREAM (self), NULL, NULL);
        }
      break;
    case STATE_BODY:
      if (input->consumed >= self->body_end)
        {
          self->state = STATE_HANDLING;
          return;
        }
      /* Once the first timeout has passed, at least MILK_BODY_MIN_RATE. */
      allowed = self->owner->body_timeout +
                (gint64) ((input->consumed - self->body_from) * G_USEC_PER_SEC / MILK_BODY_MIN_RATE);
      if (now - input->last_read >= self->owner->body_timeout)
        cut_body (self, "request body stalled");
      else if (now - self->body_started > allowed)
        cut_body (self, "request body too slow");
      break;
    case STATE_HANDLING:
      /* A client that stops reading its answer: the write fails, and the
       * connection goes with the answer it held. */
      if (self->response != NULL && now - self->last_written >= self->owner->body_timeout)
        g_socket_shutdown (g_socket_connection_get_socket (self->connection), TRUE, TRUE, NULL);
      break;
    case STATE_CLOSING:
      if (self->waiting == linger && now >= self->linger_until)
        end_lingering (self);
      break;
    default:
      break;
    }
}

gboolean
_milk_connections_sweep (gpointer data)
{
  MilkConnections *self = data;
  g_autoptr(GPtrArray) streams = g_ptr_array_new_full (g_hash_table_size (self->streams), g_object_unref);
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  gpointer stream;

  /* Checking may close a connection, which leaves the table. */
  g_hash_table_iter_init (&iter, self->streams);
  while (g_hash_table_iter_next (&iter, &stream, NULL))
    g_ptr_array_add (streams, g_object_ref (stream));
  for (guint i = 0; i < streams->len; i++)
    check_connection (g_ptr_array_index (streams, i), now);
  return G_SOURCE_CONTINUE;
}
