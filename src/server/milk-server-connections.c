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
 *
 * libsoup's parser is lenient where leniency lets one request hide another
 * behind a proxy that reads it differently: the last of two Content-Lengths
 * wins, "+5" is 5, a header line with a space before its colon is dropped
 * (so "Transfer-Encoding : chunked" means no body), NUL bytes are deleted,
 * bare LF ends lines and folded lines are joined. So every request head is
 * read here first, checked on its raw bytes, and only a well-formed one is
 * passed on, ahead of the rest of the stream; anything ambiguous gets a 400
 * and the connection is closed.
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "milk-protocol.h"
#include "milk-server-private.h"

/* ---- the request head, on its raw bytes ---- */

/* RFC 9110 5.6.2: the characters of a method or a header name. */
static gboolean
is_tchar (guchar c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("!#$%&'*+-.^_`|~", c) != NULL);
}

static MilkHeadVerdict
bad (const char **problem,
     const char  *why)
{
  *problem = why;
  return MILK_HEAD_BAD;
}

/* method SP request-target SP HTTP-version, with single spaces and no
 * control characters (RFC 9112 3). */
static MilkHeadVerdict
check_request_line (const guchar *text,
                    gsize         length,
                    const char  **problem)
{
  gsize i = 0, target;

  while (i < length && is_tchar (text[i]))
    i++;
  if (i == 0 || i == length || text[i] != ' ')
    return bad (problem, "malformed method");
  target = ++i;
  while (i < length && text[i] > ' ' && text[i] < 0x7f)
    i++;
  if (i == target || i == length || text[i] != ' ')
    return bad (problem, "malformed request target");
  i++;
  if (length - i != 8 || (memcmp (text + i, "HTTP/1.1", 8) != 0 && memcmp (text + i, "HTTP/1.0", 8) != 0))
    return bad (problem, "malformed HTTP version");
  return MILK_HEAD_OK;
}

typedef struct
{
  gboolean content_length;
  gboolean transfer_encoding;
  gboolean host;
} SeenFields;

/* name ":" OWS value OWS (RFC 9112 5), and the fields that frame the body
 * each at most once, in the one form that cannot be read two ways. */
static MilkHeadVerdict
check_field_line (const guchar *text,
                  gsize         length,
                  SeenFields   *seen,
                  const char  **problem)
{
  gsize name_end = 0, start, end;

  if (text[0] == ' ' || text[0] == '\t')
    return bad (problem, "folded header line");
  while (name_end < length && is_tchar (text[name_end]))
    name_end++;
  if (name_end == 0 || name_end == length || text[name_end] != ':')
    return bad (problem, "malformed header name");
  start = name_end + 1;
  end = length;
  while (start < end && (text[start] == ' ' || text[start] == '\t'))
    start++;
  while (end > start && (text[end - 1] == ' ' || text[end - 1] == '\t'))
    end--;
  for (gsize i = start; i < end; i++)
    if ((text[i] < ' ' && text[i] != '\t') || text[i] == 0x7f)
      return bad (problem, "control character in a header value");

  if (name_end == 14 && g_ascii_strncasecmp ((const char *) text, "Content-Length", 14) == 0)
    {
      if (seen->content_length)
        return bad (problem, "more than one Content-Length");
      seen->content_length = TRUE;
      if (start == end)
        return bad (problem, "empty Content-Length");
      for (gsize i = start; i < end; i++)
        if (!g_ascii_isdigit (text[i]))
          return bad (problem, "Content-Length is not a number");
      /* More than any route takes: refused now, before libsoup waits for a
       * body that may never come (or whose length does not fit a goffset). */
      while (start < end - 1 && text[start] == '0')
        start++;
      if (end - start > 10 || g_ascii_strtoull ((const char *) text + start, NULL, 10) > MILK_PROTOCOL_MAX_BYTES)
        {
          *problem = "Content-Length too large";
          return MILK_HEAD_BODY_TOO_LARGE;
        }
    }
  else if (name_end == 17 && g_ascii_strncasecmp ((const char *) text, "Transfer-Encoding", 17) == 0)
    {
      if (seen->transfer_encoding)
        return bad (problem, "more than one Transfer-Encoding");
      seen->transfer_encoding = TRUE;
      if (end - start != 7 || memcmp (text + start, "chunked", 7) != 0)
        return bad (problem, "Transfer-Encoding other than chunked");
    }
  else if (name_end == 4 && g_ascii_strncasecmp ((const char *) text, "Host", 4) == 0)
    {
      if (seen->host)
        return bad (problem, "more than one Host");
      seen->host = TRUE;
    }
  return MILK_HEAD_OK;
}

/* Whether data starts with a request head that every reader frames the same
 * way. *skip: empty lines before it (RFC 9112 2.2 lets a server ignore
 * them); *head_length: the head after them, blank line included. */
MilkHeadVerdict
milk_http_head_check (const char  *data,
                      gsize        length,
                      gsize       *skip,
                      gsize       *head_length,
                      const char **problem)
{
  const guchar *bytes = (const guchar *) data;
  SeenFields seen = { FALSE, FALSE, FALSE };
  gsize start = 0, line;

  *skip = 0;
  *head_length = 0;
  *problem = NULL;
  while (start + 2 <= length && bytes[start] == '\r' && bytes[start + 1] == '\n' && start < MILK_HEAD_MAX_BYTES)
    start += 2;
  *skip = start;

  for (line = start;;)
    {
      const guchar *eol = memchr (bytes + line, '\n', length - line);
      const guchar *nul = memchr (bytes + line, '\0', (eol ? (gsize) (eol - bytes) : length) - line);
      MilkHeadVerdict verdict;
      gsize text_length;

      if (nul != NULL)
        return bad (problem, "NUL byte in the head");
      if (eol == NULL)
        {
          if (length - start > MILK_HEAD_MAX_BYTES)
            {
              *problem = "request head too large";
              return MILK_HEAD_TOO_LARGE;
            }
          return MILK_HEAD_INCOMPLETE;
        }
      if ((gsize) (eol - bytes) + 1 - start > MILK_HEAD_MAX_BYTES)
        {
          *problem = "request head too large";
          return MILK_HEAD_TOO_LARGE;
        }
      if (eol == bytes + line || eol[-1] != '\r')
        return bad (problem, "line ending in a bare LF");
      text_length = eol - 1 - (bytes + line);
      if (memchr (bytes + line, '\r', text_length) != NULL)
        return bad (problem, "bare CR in the head");
      if (text_length == 0)
        {
          if (line == start)
            return bad (problem, "empty request line");
          line = eol + 1 - bytes;
          break;
        }
      if (line == start)
        verdict = check_request_line (bytes + line, text_length, problem);
      else
        verdict = check_field_line (bytes + line, text_length, &seen, problem);
      if (verdict != MILK_HEAD_OK)
        return verdict;
      line = eol + 1 - bytes;
    }

  if (seen.content_length && seen.transfer_encoding)
    return bad (problem, "both Content-Length and Transfer-Encoding");
  *head_length = line - start;
  return MILK_HEAD_OK;
}

/* ---- a connection's input: bytes read ahead, then the socket ---- */

#define MILK_TYPE_REPLAY_INPUT_STREAM (milk_replay_input_stream_get_type ())
G_DECLARE_FINAL_TYPE (MilkReplayInputStream, milk_replay_input_stream, MILK, REPLAY_INPUT_STREAM, GFilterInputStream)

struct _MilkReplayInputStream
{
  GFilterInputStream parent_instance;
  GByteArray *buffer;   /* read from the socket, not yet passed on */
  gsize offset;
  gboolean hold;        /* while taking back what libsoup has not used */
};

static void milk_replay_input_stream_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MilkReplayInputStream, milk_replay_input_stream, G_TYPE_FILTER_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      milk_replay_input_stream_pollable_init))

static gsize
buffered (MilkReplayInputStream *self)
{
  return self->buffer->len - self->offset;
}

static gssize
take_buffered (MilkReplayInputStream *self,
               void                  *out,
               gsize                  count)
{
  gsize n = MIN (count, buffered (self));

  memcpy (out, self->buffer->data + self->offset, n);
  self->offset += n;
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

  if (buffered (self) > 0 || count == 0)
    return take_buffered (self, out, count);
  return g_input_stream_read (base_stream (self), out, count, cancellable, error);
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

  return buffered (self) > 0 ||
         (!self->hold && g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (base_stream (self))));
}

static GSource *
milk_replay_input_stream_create_source (GPollableInputStream *stream,
                                        GCancellable         *cancellable)
{
  MilkReplayInputStream *self = MILK_REPLAY_INPUT_STREAM (stream);
  g_autoptr(GSource) child = NULL;

  if (buffered (self) > 0)
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

  if (buffered (self) > 0 || count == 0)
    return take_buffered (self, out, count);
  if (self->hold)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "Held back");
      return -1;
    }
  return g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (base_stream (self)), out, count, NULL,
                                                   error);
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

/* ---- a connection as libsoup sees it ---- */

#define MILK_TYPE_HTTP_STREAM (milk_http_stream_get_type ())
G_DECLARE_FINAL_TYPE (MilkHttpStream, milk_http_stream, MILK, HTTP_STREAM, GIOStream)

struct _MilkHttpStream
{
  GIOStream parent_instance;
  GSocketConnection *connection;
  MilkReplayInputStream *input;
  SoupServer *soup;
  GSocketAddress *local;
  GSocketAddress *remote;
  GSource *waiting;     /* for more of a head, or for the client to go */
  gint64 linger_until;
};

G_DEFINE_FINAL_TYPE (MilkHttpStream, milk_http_stream, G_TYPE_IO_STREAM)

static GInputStream *
milk_http_stream_get_input_stream (GIOStream *stream)
{
  return G_INPUT_STREAM (MILK_HTTP_STREAM (stream)->input);
}

static GOutputStream *
milk_http_stream_get_output_stream (GIOStream *stream)
{
  return g_io_stream_get_output_stream (G_IO_STREAM (MILK_HTTP_STREAM (stream)->connection));
}

static gboolean
milk_http_stream_close (GIOStream     *stream,
                        GCancellable  *cancellable,
                        GError       **error)
{
  MilkHttpStream *self = MILK_HTTP_STREAM (stream);

  if (self->waiting)
    {
      g_source_destroy (self->waiting);
      g_clear_pointer (&self->waiting, g_source_unref);
    }
  g_input_stream_close (G_INPUT_STREAM (self->input), NULL, NULL);
  return g_io_stream_close (G_IO_STREAM (self->connection), cancellable, error);
}

static void
milk_http_stream_dispose (GObject *object)
{
  MilkHttpStream *self = MILK_HTTP_STREAM (object);

  if (self->waiting)
    {
      g_source_destroy (self->waiting);
      g_clear_pointer (&self->waiting, g_source_unref);
    }
  G_OBJECT_CLASS (milk_http_stream_parent_class)->dispose (object);
}

static void
milk_http_stream_finalize (GObject *object)
{
  MilkHttpStream *self = MILK_HTTP_STREAM (object);

  g_clear_object (&self->input);
  g_clear_object (&self->connection);
  g_clear_object (&self->local);
  g_clear_object (&self->remote);
  g_clear_object (&self->soup);
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

static MilkHttpStream *
milk_http_stream_new (SoupServer        *soup,
                      GSocketConnection *connection,
                      GSocketAddress    *local,
                      GSocketAddress    *remote)
{
  MilkHttpStream *self = g_object_new (MILK_TYPE_HTTP_STREAM, NULL);

  self->connection = g_object_ref (connection);
  self->input = g_object_new (MILK_TYPE_REPLAY_INPUT_STREAM,
                              "base-stream", g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                              "close-base-stream", FALSE,
                              NULL);
  self->soup = g_object_ref (soup);
  self->local = g_object_ref (local);
  self->remote = g_object_ref (remote);
  return self;
}

static GPollableInputStream *
socket_input (MilkHttpStream *self)
{
  return G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (G_IO_STREAM (self->connection)));
}

static void
wait_for (MilkHttpStream    *self,
          GPollableSourceFunc func,
          gint64             ready_time)
{
  if (self->waiting)
    {
      g_source_destroy (self->waiting);
      g_source_unref (self->waiting);
    }
  self->waiting = g_pollable_input_stream_create_source (socket_input (self), NULL);
  g_source_set_callback (self->waiting, G_SOURCE_FUNC (func), g_object_ref (self), g_object_unref);
  if (ready_time >= 0)
    g_source_set_ready_time (self->waiting, ready_time);
  g_source_attach (self->waiting, g_main_context_get_thread_default ());
}

static void
stop_waiting (MilkHttpStream *self)
{
  if (self->waiting)
    {
      g_source_destroy (self->waiting);
      g_clear_pointer (&self->waiting, g_source_unref);
    }
}

/* ---- refusing a request ---- */

/* After a refusal, what the client still sends (a body it sends whole
 * before it reads an answer) is read and dropped for a moment before
 * closing: closing on unread bytes makes the kernel reset the connection,
 * which can destroy the answer before the client reads it. */
static gboolean
linger (GObject  *pollable,
        gpointer  user_data)
{
  MilkHttpStream *self = user_data;
  char scrap[16 * 1024];
  gssize n = 0;

  /* A few reads a turn: a fast sender must not hold up the main loop. */
  for (guint reads = 0; reads < 16; reads++)
    if ((n = g_pollable_input_stream_read_nonblocking (socket_input (self), scrap, sizeof scrap, NULL, NULL)) <= 0)
      break;
  if (n != 0 && g_get_monotonic_time () < self->linger_until &&
      (n > 0 || g_pollable_input_stream_is_readable (socket_input (self)) == FALSE))
    return G_SOURCE_CONTINUE;   /* more to drop, or would block: wait on */
  g_clear_pointer (&self->waiting, g_source_unref);
  g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
  return G_SOURCE_REMOVE;
}

static void
refusal_written (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(MilkHttpStream) self = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    {
      g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
      return;
    }
  g_socket_shutdown (g_socket_connection_get_socket (self->connection), FALSE, TRUE, NULL);
  self->linger_until = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  wait_for (self, linger, self->linger_until);
}

static void
refuse (MilkHttpStream *self,
        MilkHeadVerdict verdict,
        const char     *problem)
{
  const guchar *head = self->input->buffer->data + self->input->offset;
  gsize available = buffered (self->input);
  g_autofree char *line = g_strndup ((const char *) head, MIN (available, 200));
  g_autofree char *remote = NULL;
  guint status;
  const char *code, *phrase;
  char *body;
  gsize length;
  GBytes *response;
  GString *text;

  switch (verdict)
    {
    case MILK_HEAD_TOO_LARGE:
      status = 431;   /* RFC 6585; not in libsoup 3.2's list */
      phrase = "Request Header Fields Too Large";
      code = "too_large";
      body = milk_protocol_error_encode (code, "The request head is larger than the service accepts", &length);
      break;
    case MILK_HEAD_BODY_TOO_LARGE:
      status = SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE;
      phrase = soup_status_get_phrase (status);
      code = "too_large";
      body = milk_protocol_error_encode (code, "The request body is larger than this endpoint accepts", &length);
      break;
    default:
      status = SOUP_STATUS_BAD_REQUEST;
      phrase = soup_status_get_phrase (status);
      code = "bad_request";
      body = milk_protocol_error_encode (code, "The request is not well-formed HTTP/1.1", &length);
      break;
    }
  text = g_string_new (NULL);
  g_string_append_printf (text,
                          "HTTP/1.1 %u %s\r\n"
                          "Connection: close\r\n"
                          "Content-Type: application/json\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                          "X-Content-Type-Options: nosniff\r\n"
                          "\r\n",
                          status, phrase, length);
  g_string_append_len (text, body, length);
  g_free (body);
  response = g_string_free_to_bytes (text);

  line[strcspn (line, "\r\n")] = '\0';
  if (G_IS_INET_SOCKET_ADDRESS (self->remote))
    remote = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (self->remote)));
  milk_log_request (remote, "-", line, status, 0, problem);

  stop_waiting (self);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (self->connection)),
                                   g_bytes_get_data (response, NULL), g_bytes_get_size (response),
                                   G_PRIORITY_DEFAULT, NULL, refusal_written, g_object_ref (self));
  /* The data must outlive the write. */
  g_object_set_data_full (G_OBJECT (self), "milk-refusal", response, (GDestroyNotify) g_bytes_unref);
}

/* ---- handing requests to libsoup ---- */

static void
accept_stream (MilkHttpStream *self)
{
  g_autoptr(GError) error = NULL;

  if (!soup_server_accept_iostream (self->soup, G_IO_STREAM (self), self->local, self->remote, &error))
    {
      g_warning ("Could not take a connection: %s", error->message);
      g_io_stream_close (G_IO_STREAM (self), NULL, NULL);
    }
}

static gboolean more_of_the_head (GObject  *pollable,
                                  gpointer  user_data);

/* The next request's head, once it is all in: to libsoup when it is sound,
 * refused when not. */
static void
serve_next (MilkHttpStream *self)
{
  MilkReplayInputStream *input = self->input;
  MilkHeadVerdict verdict;
  const char *problem;
  gsize skip, head_length;

  verdict = milk_http_head_check ((const char *) input->buffer->data + input->offset, buffered (input), &skip,
                                  &head_length, &problem);
  input->offset += skip;
  switch (verdict)
    {
    case MILK_HEAD_INCOMPLETE:
      wait_for (self, more_of_the_head, -1);
      break;
    case MILK_HEAD_OK:
      stop_waiting (self);
      accept_stream (self);
      break;
    default:
      refuse (self, verdict, problem);
      break;
    }
}

static gboolean
more_of_the_head (GObject  *pollable,
                  gpointer  user_data)
{
  MilkHttpStream *self = user_data;
  GByteArray *buffer = self->input->buffer;
  gsize before;
  gssize n;

  if (self->input->offset > 0)
    {
      g_byte_array_remove_range (buffer, 0, self->input->offset);
      self->input->offset = 0;
    }
  before = buffer->len;
  g_byte_array_set_size (buffer, before + 16 * 1024);
  n = g_pollable_input_stream_read_nonblocking (socket_input (self), buffer->data + before, 16 * 1024, NULL, NULL);
  g_byte_array_set_size (buffer, before + MAX (n, 0));
  if (n < 0 && g_pollable_input_stream_is_readable (socket_input (self)) == FALSE)
    return G_SOURCE_CONTINUE;   /* a spurious wake-up */
  if (n <= 0)
    {
      /* The client went, or its connection failed, before a whole head. */
      g_clear_pointer (&self->waiting, g_source_unref);
      g_io_stream_close (G_IO_STREAM (self), NULL, NULL);
      return G_SOURCE_REMOVE;
    }
  g_object_ref (self);
  serve_next (self);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
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
  g_byte_array_set_size (self->input->buffer, 0);
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

static gboolean
incoming (GSocketService    *service,
          GSocketConnection *connection,
          GObject           *source,
          gpointer           user_data)
{
  SoupServer *soup = user_data;
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  g_autoptr(MilkHttpStream) stream = NULL;

  if (local == NULL || remote == NULL)
    return TRUE;   /* already gone */
  /* Headers and body go out in separate writes; with Nagle's algorithm the
   * second waits for the client's delayed ACK, up to 200 ms. */
  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  stream = milk_http_stream_new (soup, connection, local, remote);
  serve_next (stream);
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
