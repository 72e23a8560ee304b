/* milk-server-replay-stream.h — a connection's input: bytes read ahead,
 * then the socket
 *
 * The connections read a request head into the buffer before libsoup sees
 * it, and take back into it what libsoup read ahead and did not use: the
 * fields are theirs to read and adjust.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define MILK_TYPE_REPLAY_INPUT_STREAM (milk_replay_input_stream_get_type ())
G_DECLARE_FINAL_TYPE (MilkReplayInputStream, milk_replay_input_stream, MILK, REPLAY_INPUT_STREAM, GFilterInputStream)

struct _MilkReplayInputStream
{
  GFilterInputStream parent_instance;
  GByteArray *buffer;   /* read from the socket, not yet passed on */
  gsize offset;
  gboolean hold;        /* while taking back what libsoup has not used */
  guint64 consumed;     /* bytes passed on, ever */
  gint64 last_read;     /* when bytes were last passed on */
};

gsize       milk_replay_input_stream_buffered (MilkReplayInputStream *self);

G_END_DECLS
