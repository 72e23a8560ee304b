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
#include <unistd.h>

#include <glib-unix.h>

#include "milk-protocol.h"
#include "milk-server-config.h"
#include "milk-server-connections.h"
#include "milk-server-limits.h"
#include "milk-server-log.h"
#include "milk-server-policy.h"

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
  guint64 length;       /* the Content-Length, when there is one */
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
      seen->length = g_ascii_strtoull ((const char *) text + start, NULL, 10);
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
 * them); *head_length: the head after them, blank line included; *seen: its
 * framing. */
static MilkHeadVerdict
check_head (const char  *data,
            gsize        length,
            gsize       *skip,
            gsize       *head_length,
            const char **problem,
            SeenFields  *seen_out)
{
  const guchar *bytes = (const guchar *) data;
  SeenFields seen = { FALSE, FALSE, FALSE, 0 };
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
  *seen_out = seen;
  return MILK_HEAD_OK;
}

MilkHeadVerdict
milk_http_head_check (const char  *data,
                      gsize        length,
                      gsize       *skip,
                      gsize       *head_length,
                      const char **problem)
{
  SeenFields seen;

  return check_head (data, length, skip, head_length, problem, &seen);
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
  guint64 consumed;     /* bytes passed on, ever */
  gint64 last_read;     /* when bytes were last passed on */
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

  if (buffered (self) > 0 || count == 0)
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

/* ---- the service's side: every open connection, and their limits ---- */

/* Connections waiting for their client (for a head, or to go) are watched
 * in one epoll set, which is one descriptor to GLib's main loop: thousands
 * of idle connections, each its own GSource, made every turn of the loop
 * walk and poll them all, and the service slowed to a crawl (slowloris). */
struct _MilkConnections
{
  SoupServer *soup;
  MilkLimits *limits;
  gint64 header_timeout;   /* microseconds */
  gint64 body_timeout;
  gint64 idle_timeout;
  GHashTable *streams;     /* MilkHttpStream *, open ones, not referenced */
  guint sweep;
  int epoll;
  guint epoll_source;
  GSocket *listener;
  guint accepting;
};

static MilkConnections *
connections_ref (MilkConnections *self)
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
  g_clear_object (&self->soup);
  milk_limits_free (self->limits);
  g_hash_table_unref (self->streams);
}

static void
connections_unref (MilkConnections *self)
{
  g_atomic_rc_box_release_full (self, (GDestroyNotify) connections_clear);
}

/* ---- a connection as libsoup sees it ---- */

typedef enum
{
  STATE_HEAD,       /* waiting for a request head */
  STATE_BODY,       /* libsoup is reading its body */
  STATE_HANDLING,   /* the request is libsoup's and the route's */
  STATE_CLOSING,    /* refused, or closed */
} ConnectionState;

#define MILK_TYPE_HTTP_STREAM (milk_http_stream_get_type ())
G_DECLARE_FINAL_TYPE (MilkHttpStream, milk_http_stream, MILK, HTTP_STREAM, GIOStream)

struct _MilkHttpStream
{
  GIOStream parent_instance;
  GSocketConnection *connection;
  MilkReplayInputStream *input;
  MilkConnections *owner;
  GSocketAddress *local;
  GSocketAddress *remote;
  char *address;        /* the remote IP */
  gboolean counted;     /* in the owner's limits */
  void (*waiting) (MilkHttpStream *self);   /* when the client sends, in the epoll set */
  gint64 linger_until;

  ConnectionState state;
  gboolean idle;        /* STATE_HEAD between requests, nothing sent yet */
  gint64 deadline;      /* STATE_HEAD: the head must be in by then */
  gint64 body_started;  /* STATE_BODY: when it was handed to libsoup */
  guint64 body_from;    /* input->consumed then, and when all is read */
  guint64 body_end;
  guint64 reserved;     /* of the owner's body memory */
  char *method;         /* of the request being read, for the log */
  char *path;           /* without the query, which may hold a code */
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

static void
release_body (MilkHttpStream *self)
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
  release_body (self);
  if (g_hash_table_remove (self->owner->streams, self) && self->counted)
    milk_limits_connection_closed (self->owner->limits, self->address);
}

static void stop_waiting (MilkHttpStream *self);

static gboolean
milk_http_stream_close (GIOStream     *stream,
                        GCancellable  *cancellable,
                        GError       **error)
{
  MilkHttpStream *self = MILK_HTTP_STREAM (stream);

  stop_waiting (self);
  forget (self);
  g_input_stream_close (G_INPUT_STREAM (self->input), NULL, NULL);
  return g_io_stream_close (G_IO_STREAM (self->connection), cancellable, error);
}

static void
milk_http_stream_dispose (GObject *object)
{
  MilkHttpStream *self = MILK_HTTP_STREAM (object);

  stop_waiting (self);
  G_OBJECT_CLASS (milk_http_stream_parent_class)->dispose (object);
}

static void
milk_http_stream_finalize (GObject *object)
{
  MilkHttpStream *self = MILK_HTTP_STREAM (object);

  forget (self);
  g_clear_object (&self->input);
  g_clear_object (&self->connection);
  g_clear_object (&self->local);
  g_clear_object (&self->remote);
  g_free (self->address);
  g_free (self->method);
  g_free (self->path);
  connections_unref (self->owner);
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
milk_http_stream_new (MilkConnections   *owner,
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
  self->owner = connections_ref (owner);
  self->local = g_object_ref (local);
  self->remote = g_object_ref (remote);
  return self;
}

static char *
remote_host (MilkHttpStream *self)
{
  if (!G_IS_INET_SOCKET_ADDRESS (self->remote))
    return g_strdup ("-");
  return g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (self->remote)));
}

static GPollableInputStream *
socket_input (MilkHttpStream *self)
{
  return G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (G_IO_STREAM (self->connection)));
}

static int
socket_fd (MilkHttpStream *self)
{
  return g_socket_get_fd (g_socket_connection_get_socket (self->connection));
}

/* func runs each time the client has sent something (or gone), until
 * stop_waiting; the set holds a reference meanwhile. */
static void
wait_for (MilkHttpStream *self,
          void          (*func) (MilkHttpStream *self))
{
  struct epoll_event event = { .events = EPOLLIN, .data.ptr = self };

  if (self->waiting == NULL)
    {
      if (epoll_ctl (self->owner->epoll, EPOLL_CTL_ADD, socket_fd (self), &event) != 0)
        {
          g_warning ("Could not watch a connection: %s", g_strerror (errno));
          g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
          return;
        }
      g_object_ref (self);
    }
  self->waiting = func;
}

static void
stop_waiting (MilkHttpStream *self)
{
  if (self->waiting == NULL)
    return;
  self->waiting = NULL;
  epoll_ctl (self->owner->epoll, EPOLL_CTL_DEL, socket_fd (self), NULL);
  g_object_unref (self);
}

static gboolean
clients_sent (int          fd,
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
      g_object_unref (ready[i]);
    }
  return G_SOURCE_CONTINUE;
}

/* ---- refusing a request ---- */

/* After a refusal, what the client still sends (a body it sends whole
 * before it reads an answer) is read and dropped for a moment before
 * closing: closing on unread bytes makes the kernel reset the connection,
 * which can destroy the answer before the client reads it. */
static void
end_lingering (MilkHttpStream *self)
{
  stop_waiting (self);
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
    if ((n = g_pollable_input_stream_read_nonblocking (socket_input (self), scrap, sizeof scrap, NULL, NULL)) <= 0)
      break;
  if (n != 0 && g_get_monotonic_time () < self->linger_until &&
      (n > 0 || g_pollable_input_stream_is_readable (socket_input (self)) == FALSE))
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
      g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
      return;
    }
  g_socket_shutdown (g_socket_connection_get_socket (self->connection), FALSE, TRUE, NULL);
  self->linger_until = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  wait_for (self, linger);
}

/* An answer of the service's own, then the connection closed. */
static void
refuse_with (MilkHttpStream *self,
             guint           status,
             const char     *phrase,
             const char     *code,
             const char     *message,
             const char     *extra_header,
             const char     *problem)
{
  gsize available = buffered (self->input);
  g_autofree char *line = available == 0 ? g_strdup ("") :
                          g_strndup ((const char *) self->input->buffer->data + self->input->offset, MIN (available, 200));
  g_autofree char *remote = remote_host (self);
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
  milk_log_request (remote, "-", line, status, 0, problem);

  stop_waiting (self);
  /* Still counted against its address until it is closed. */
  release_body (self);
  self->state = STATE_CLOSING;
  g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (self->connection)),
                                   g_bytes_get_data (response, NULL), g_bytes_get_size (response),
                                   G_PRIORITY_DEFAULT, NULL, refusal_written, g_object_ref (self));
  /* The data must outlive the write. */
  g_object_set_data_full (G_OBJECT (self), "milk-refusal", response, (GDestroyNotify) g_bytes_unref);
}

static void
refuse (MilkHttpStream *self,
        MilkHeadVerdict verdict,
        const char     *problem)
{
  switch (verdict)
    {
    case MILK_HEAD_TOO_LARGE:
      /* RFC 6585; not in libsoup 3.2's list */
      refuse_with (self, 431, "Request Header Fields Too Large", "too_large",
                   "The request head is larger than the service accepts", NULL, problem);
      break;
    case MILK_HEAD_BODY_TOO_LARGE:
      refuse_with (self, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                   soup_status_get_phrase (SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE), "too_large",
                   "The request body is larger than this endpoint accepts", NULL, problem);
      break;
    default:
      refuse_with (self, SOUP_STATUS_BAD_REQUEST, soup_status_get_phrase (SOUP_STATUS_BAD_REQUEST), "bad_request",
                   "The request is not well-formed HTTP/1.1", NULL, problem);
      break;
    }
}

/* More clients are sending bodies, or from this address, than the service
 * takes at once; this one may come back shortly. */
static void
refuse_busy (MilkHttpStream *self,
             const char     *problem)
{
  refuse_with (self, SOUP_STATUS_SERVICE_UNAVAILABLE, soup_status_get_phrase (SOUP_STATUS_SERVICE_UNAVAILABLE),
               "unavailable", "The service is busy; try again shortly", "Retry-After: 5\r\n", problem);
}

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
hand_over (MilkHttpStream   *self,
           const SeenFields *framing,
           gsize             head_length)
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
      refuse_with (self, SOUP_STATUS_LENGTH_REQUIRED, soup_status_get_phrase (SOUP_STATUS_LENGTH_REQUIRED),
                   "length_required", "Send the body with a Content-Length", NULL, "chunked body");
      return;
    }
  if (framing->length > 0 && !milk_limits_body_reserve (self->owner->limits, framing->length))
    {
      refuse_busy (self, "too many bodies at once");
      return;
    }
  self->reserved = framing->length;
  self->state = framing->length > 0 ? STATE_BODY : STATE_HANDLING;
  self->body_started = input->last_read = g_get_monotonic_time ();
  self->body_from = input->consumed + head_length;
  self->body_end = self->body_from + framing->length;
  stop_waiting (self);
  accept_stream (self);
}

/* The next request's head, once it is all in: to libsoup when it is sound,
 * refused when not. */
static void
serve_next (MilkHttpStream *self)
{
  MilkReplayInputStream *input = self->input;
  MilkHeadVerdict verdict;
  SeenFields framing;
  const char *problem;
  gsize skip, head_length;

  verdict = check_head ((const char *) input->buffer->data + input->offset, buffered (input), &skip,
                        &head_length, &problem, &framing);
  input->offset += skip;
  switch (verdict)
    {
    case MILK_HEAD_INCOMPLETE:
      wait_for (self, more_of_the_head);
      break;
    case MILK_HEAD_OK:
      hand_over (self, &framing, head_length);
      break;
    default:
      refuse (self, verdict, problem);
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
  n = g_pollable_input_stream_read_nonblocking (socket_input (self), chunk, sizeof chunk, NULL, NULL);
  if (n < 0 && g_pollable_input_stream_is_readable (socket_input (self)) == FALSE)
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
  release_body (self);
  await_head (self, buffered (self->input) == 0);
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

/* ---- the limits in time: one look a while at every open connection ---- */

#define SWEEP_INTERVAL_MS 250

/* Cut a body that has stopped coming, or comes slower than anyone with a
 * working connection sends: libsoup reads end of file and lets go. */
static void
cut_body (MilkHttpStream *self,
          const char     *problem)
{
  static const char timeout[] = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
  GSocket *socket = g_socket_connection_get_socket (self->connection);
  g_autofree char *remote = remote_host (self);

  milk_log_request (remote, self->method, self->path, SOUP_STATUS_REQUEST_TIMEOUT, self->body_started, problem);
  release_body (self);
  self->state = STATE_CLOSING;
  g_socket_send_with_blocking (socket, timeout, sizeof timeout - 1, FALSE, NULL, NULL);
  g_socket_shutdown (socket, TRUE, TRUE, NULL);
}

static void
check_connection (MilkHttpStream *self,
                  gint64          now)
{
  MilkReplayInputStream *input = self->input;
  gint64 allowed;

  switch (self->state)
    {
    case STATE_HEAD:
      if (now < self->deadline)
        return;
      if (buffered (input) > 0)
        refuse_with (self, SOUP_STATUS_REQUEST_TIMEOUT, soup_status_get_phrase (SOUP_STATUS_REQUEST_TIMEOUT),
                     "timeout", "The request head came too slowly", NULL, "request head too slow");
      else
        {
          /* Nothing asked, or nothing more: closed without a word. */
          stop_waiting (self);
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
    case STATE_CLOSING:
      if (self->waiting == linger && now >= self->linger_until)
        end_lingering (self);
      break;
    default:
      break;
    }
}

static gboolean
sweep (gpointer data)
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

static void
incoming (MilkConnections   *owner,
          GSocketConnection *connection)
{
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  g_autoptr(MilkHttpStream) stream = NULL;

  if (local == NULL || remote == NULL)
    return;   /* already gone */
  stream = milk_http_stream_new (owner, connection, local, remote);
  stream->address = remote_host (stream);
  switch (milk_limits_connection_open (owner->limits, stream->address))
    {
    case MILK_CONNECTION_SERVICE_FULL:
      /* Descriptors are nearly out: no word, no lingering. */
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return;
    case MILK_CONNECTION_ADDRESS_FULL:
      g_hash_table_add (owner->streams, stream);
      refuse_busy (stream, "too many connections from this address");
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
  owner->sweep = g_timeout_add (SWEEP_INTERVAL_MS, sweep, owner);
  owner->epoll_source = g_unix_fd_add (owner->epoll, G_IO_IN, clients_sent, owner);
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
  connections_unref (owner);
}
