/* milk-server-http-stream.c — a connection as a GIOStream, and the
 * epoll set of those waiting for their client
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "milk-server-connections-private.h"
#include "milk-server-connections.h"
#include "milk-server-limits.h"

/* ---- the owner lives as long as its last connection ---- */

MilkConnections *
_milk_connections_ref (MilkConnections *self)
{
  return g_atomic_rc_box_acquire (self);
}

static void
connections_clear (MilkConnections *self)
{
  g_clear_handle_id (&self->sweep, g_source_remove);
  g_clear_handle_id (&self->epoll_source, g_source_remove);
  g_clear_handle_id (&self->accepting, g_source_remove);
  g_clear_object (&self->listener);
  if (self->epoll >= 0)
    close (self->epoll);
  milk_limits_free (self->limits);
  g_hash_table_unref (self->streams);
}

void
_milk_connections_unref (MilkConnections *self)
{
  g_atomic_rc_box_release_full (self, (GDestroyNotify) connections_clear);
}

/* ---- a connection ---- */

G_DEFINE_FINAL_TYPE (MilkHttpStream, milk_http_stream, G_TYPE_IO_STREAM)

static GInputStream *
milk_http_stream_get_input_stream (GIOStream *stream)
{
  return g_io_stream_get_input_stream (G_IO_STREAM (MILK_HTTP_STREAM (stream)->connection));
}

static GOutputStream *
milk_http_stream_get_output_stream (GIOStream *stream)
{
  return g_io_stream_get_output_stream (G_IO_STREAM (MILK_HTTP_STREAM (stream)->connection));
}

void
_milk_http_stream_release_body (MilkHttpStream *self)
{
  if (self->reserved > 0)
    milk_limits_body_release (self->owner->limits, self->reserved);
  self->reserved = 0;
}

/* Once, however the connection ends. */
static void
forget (MilkHttpStream *self)
{
  self->state = STATE_CLOSING;
  _milk_http_stream_release_body (self);
  if (g_hash_table_remove (self->owner->streams, self) && self->counted)
    milk_limits_connection_closed (self->owner->limits, self->address);
}


static gboolean
milk_http_stream_close (GIOStream     *stream,
                        GCancellable  *cancellable,
                        GError       **error)
{
  MilkHttpStream *self = MILK_HTTP_STREAM (stream);

  _milk_http_stream_unwatch (self);
  forget (self);
  return g_io_stream_close (G_IO_STREAM (self->connection), cancellable, error);
}

static void
milk_http_stream_dispose (GObject *object)
{
  MilkHttpStream *self = MILK_HTTP_STREAM (object);

  _milk_http_stream_unwatch (self);
  if (self->write_source)
    g_source_destroy (self->write_source);
  g_clear_pointer (&self->write_source, g_source_unref);
  G_OBJECT_CLASS (milk_http_stream_parent_class)->dispose (object);
}

static void
milk_http_stream_finalize (GObject *object)
{
  MilkHttpStream *self = MILK_HTTP_STREAM (object);

  forget (self);
  g_byte_array_unref (self->input->buffer);
  g_free (self->input);
  g_clear_object (&self->connection);
  g_clear_object (&self->remote);
  g_free (self->address);
  g_free (self->method);
  g_free (self->path);
  g_clear_pointer (&self->head, milk_http_head_free);
  g_clear_pointer (&self->body, g_byte_array_unref);
  g_clear_pointer (&self->response, g_bytes_unref);
  _milk_connections_unref (self->owner);
  G_OBJECT_CLASS (milk_http_stream_parent_class)->finalize (object);
}

static void
milk_http_stream_class_init (MilkHttpStreamClass *klass)
{
  GIOStreamClass *stream_class = G_IO_STREAM_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = milk_http_stream_dispose;
  G_OBJECT_CLASS (klass)->finalize = milk_http_stream_finalize;
  stream_class->get_input_stream = milk_http_stream_get_input_stream;
  stream_class->get_output_stream = milk_http_stream_get_output_stream;
  stream_class->close_fn = milk_http_stream_close;
}

static void
milk_http_stream_init (MilkHttpStream *self)
{
}

MilkHttpStream *
_milk_http_stream_new (MilkConnections   *owner,
                       GSocketConnection *connection,
                       GSocketAddress    *remote)
{
  MilkHttpStream *self = g_object_new (MILK_TYPE_HTTP_STREAM, NULL);

  self->connection = g_object_ref (connection);
  self->input = g_new0 (MilkInput, 1);
  self->input->buffer = g_byte_array_sized_new (1024);
  self->owner = _milk_connections_ref (owner);
  self->remote = g_object_ref (remote);
  return self;
}

char *
_milk_http_stream_remote_host (MilkHttpStream *self)
{
  if (!G_IS_INET_SOCKET_ADDRESS (self->remote))
    return g_strdup ("-");
  return g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (self->remote)));
}

GPollableInputStream *
_milk_http_stream_socket_input (MilkHttpStream *self)
{
  return G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (G_IO_STREAM (self->connection)));
}

static int
socket_fd (MilkHttpStream *self)
{
  return g_socket_get_fd (g_socket_connection_get_socket (self->connection));
}

/* func runs each time the client has sent something (or gone), until
 * stop_waiting; the set holds a reference while it watches. */
void
_milk_http_stream_wait_for (MilkHttpStream *self,
                            void          (*func) (MilkHttpStream *self))
{
  struct epoll_event event = { .events = EPOLLIN, .data.ptr = self };

  if (!self->watched)
    {
      if (epoll_ctl (self->owner->epoll, EPOLL_CTL_ADD, socket_fd (self), &event) != 0)
        {
          g_warning ("Could not watch a connection: %s", g_strerror (errno));
          g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
          return;
        }
      self->watched = TRUE;
      g_object_ref (self);
    }
  self->waiting = func;
}

/* The set keeps watching, lazily: a client waits for its answer before it
 * sends again, so the next wait costs no system call (two a request were a
 * tenth of the service's time). Should it send or go meanwhile, the set
 * lets go of it then (_milk_connections_clients_sent). */
void
_milk_http_stream_stop_waiting (MilkHttpStream *self)
{
  self->waiting = NULL;
}

/* Out of the set for good, before its socket closes. */
void
_milk_http_stream_unwatch (MilkHttpStream *self)
{
  self->waiting = NULL;
  if (!self->watched)
    return;
  self->watched = FALSE;
  epoll_ctl (self->owner->epoll, EPOLL_CTL_DEL, socket_fd (self), NULL);
  g_object_unref (self);
}

gboolean
_milk_connections_clients_sent (int          fd,
                                GIOCondition condition,
                                gpointer     user_data)
{
  struct epoll_event events[128];
  MilkHttpStream *ready[G_N_ELEMENTS (events)];
  int n = epoll_wait (fd, events, G_N_ELEMENTS (events), 0);

  /* Each may end another's wait (or life) before its turn. */
  for (int i = 0; i < n; i++)
    ready[i] = g_object_ref (events[i].data.ptr);
  for (int i = 0; i < n; i++)
    {
      if (ready[i]->waiting)
        ready[i]->waiting (ready[i]);
      else
        _milk_http_stream_unwatch (ready[i]);   /* not now: it would wake the loop every turn */
      g_object_unref (ready[i]);
    }
  return G_SOURCE_CONTINUE;
}
