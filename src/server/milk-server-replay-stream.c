/* milk-server-replay-stream.c — a connection's input: bytes read ahead,
 * then the socket
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <string.h>

#include "milk-server-replay-stream.h"

static void milk_replay_input_stream_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MilkReplayInputStream, milk_replay_input_stream, G_TYPE_FILTER_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      milk_replay_input_stream_pollable_init))

gsize
milk_replay_input_stream_buffered (MilkReplayInputStream *self)
{
  return self->buffer->len - self->offset;
}

static gssize
take_buffered (MilkReplayInputStream *self,
               void                  *out,
               gsize                  count)
{
  gsize n = MIN (count, milk_replay_input_stream_buffered (self));

  memcpy (out, self->buffer->data + self->offset, n);
  self->offset += n;
  return n;
}

static gssize
count_read (MilkReplayInputStream *self,
            gssize                 n)
{
  if (n > 0)
    {
      self->consumed += n;
      self->last_read = g_get_monotonic_time ();
    }
  return n;
}

static GInputStream *
base_stream (MilkReplayInputStream *self)
{
  return g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (self));
}

static gssize
milk_replay_input_stream_read (GInputStream  *stream,
                               void          *out,
                               gsize          count,
                               GCancellable  *cancellable,
                               GError       **error)
{
  MilkReplayInputStream *self = MILK_REPLAY_INPUT_STREAM (stream);

  if (milk_replay_input_stream_buffered (self) > 0 || count == 0)
    return count_read (self, take_buffered (self, out, count));
  return count_read (self, g_input_stream_read (base_stream (self), out, count, cancellable, error));
}

static gboolean
milk_replay_input_stream_can_poll (GPollableInputStream *stream)
{
  return TRUE;
}

static gboolean
milk_replay_input_stream_is_readable (GPollableInputStream *stream)
{
  MilkReplayInputStream *self = MILK_REPLAY_INPUT_STREAM (stream);

  return milk_replay_input_stream_buffered (self) > 0 ||
         (!self->hold && g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (base_stream (self))));
}

static GSource *
milk_replay_input_stream_create_source (GPollableInputStream *stream,
                                        GCancellable         *cancellable)
{
  MilkReplayInputStream *self = MILK_REPLAY_INPUT_STREAM (stream);
  g_autoptr(GSource) child = NULL;

  if (milk_replay_input_stream_buffered (self) > 0)
    child = g_timeout_source_new (0);
  else
    child = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (base_stream (self)), NULL);
  return g_pollable_source_new_full (stream, child, cancellable);
}

static gssize
milk_replay_input_stream_read_nonblocking (GPollableInputStream  *stream,
                                           void                  *out,
                                           gsize                  count,
                                           GError               **error)
{
  MilkReplayInputStream *self = MILK_REPLAY_INPUT_STREAM (stream);

  if (milk_replay_input_stream_buffered (self) > 0 || count == 0)
    return count_read (self, take_buffered (self, out, count));
  if (self->hold)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "Held back");
      return -1;
    }
  return count_read (self, g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (base_stream (self)),
                                                                     out, count, NULL, error));
}

static void
milk_replay_input_stream_finalize (GObject *object)
{
  MilkReplayInputStream *self = MILK_REPLAY_INPUT_STREAM (object);

  g_byte_array_unref (self->buffer);
  G_OBJECT_CLASS (milk_replay_input_stream_parent_class)->finalize (object);
}

static void
milk_replay_input_stream_class_init (MilkReplayInputStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = milk_replay_input_stream_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = milk_replay_input_stream_read;
}

static void
milk_replay_input_stream_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = milk_replay_input_stream_can_poll;
  iface->is_readable = milk_replay_input_stream_is_readable;
  iface->create_source = milk_replay_input_stream_create_source;
  iface->read_nonblocking = milk_replay_input_stream_read_nonblocking;
}

static void
milk_replay_input_stream_init (MilkReplayInputStream *self)
{
  self->buffer = g_byte_array_new ();
}
