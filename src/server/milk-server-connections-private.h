/* milk-server-connections-private.h — what the files of the connections
 * share: the owner of every open connection, and a connection
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>   /* its status codes and phrases */

#include "milk-server-connections.h"
#include "milk-server-head.h"
#include "milk-server-limits.h"

G_BEGIN_DECLS

/* Connections waiting for their client (for a head, or to go) are watched
 * in one epoll set, which is one descriptor to GLib's main loop: thousands
 * of idle connections, each its own GSource, made every turn of the loop
 * walk and poll them all, and the service slowed to a crawl (slowloris). */
struct _MilkConnections
{
  MilkConnectionsHandler handler;
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

/* What has been read of a connection and not used yet. */
typedef struct
{
  GByteArray *buffer;
  gsize offset;         /* used up to here */
  guint64 consumed;     /* bytes used, ever */
  gint64 last_read;     /* when bytes were last used */
} MilkInput;

static inline gsize
_milk_input_buffered (MilkInput *input)
{
  return input->buffer->len - input->offset;
}

typedef enum
{
  STATE_HEAD,       /* waiting for a request head */
  STATE_BODY,       /* reading its body */
  STATE_HANDLING,   /* the service has the request, until its answer is out */
  STATE_CLOSING,    /* refused, or closed */
} ConnectionState;

struct _MilkHttpStream
{
  GIOStream parent_instance;
  GSocketConnection *connection;
  MilkInput *input;
  MilkConnections *owner;
  GSocketAddress *remote;
  char *address;        /* the remote IP */
  gboolean counted;     /* in the owner's limits */
  void (*waiting) (MilkHttpStream *self);   /* when the client sends */
  gboolean watched;     /* in the epoll set, which holds a reference */
  gint64 linger_until;

  ConnectionState state;
  gboolean idle;        /* STATE_HEAD between requests, nothing sent yet */
  gint64 deadline;      /* STATE_HEAD: the head must be in by then */
  gint64 body_started;  /* STATE_BODY: when its head was in */
  guint64 body_from;    /* input->consumed then, and when all is read */
  guint64 body_end;
  guint64 reserved;     /* of the owner's body memory */
  char *method;         /* of the request being read, for the log */
  char *path;           /* without the query, which may hold a code */
  MilkHead *head;       /* STATE_BODY: the request's head */
  GByteArray *body;     /* STATE_BODY: what has come of it */

  GBytes *response;     /* STATE_HANDLING: the answer going out */
  gsize response_sent;
  gint64 last_written;  /* when the client last took some of it */
  gboolean keep_alive;  /* after it */
  GSource *write_source;
  GDestroyNotify written;
  gpointer written_data;
};

/* milk-server-http-stream.c */
MilkConnections *_milk_connections_ref  (MilkConnections *self);
void        _milk_connections_unref     (MilkConnections *self);
gboolean    _milk_connections_clients_sent (int          fd,
                                            GIOCondition condition,
                                            gpointer     user_data);
MilkHttpStream *_milk_http_stream_new   (MilkConnections   *owner,
                                         GSocketConnection *connection,
                                         GSocketAddress    *remote);
char       *_milk_http_stream_remote_host (MilkHttpStream *self);
GPollableInputStream *_milk_http_stream_socket_input (MilkHttpStream *self);
void        _milk_http_stream_wait_for  (MilkHttpStream *self,
                                         void          (*func) (MilkHttpStream *self));
void        _milk_http_stream_stop_waiting (MilkHttpStream *self);
void        _milk_http_stream_unwatch   (MilkHttpStream *self);
void        _milk_http_stream_release_body (MilkHttpStream *self);

/* milk-server-connections-limits.c */
void        _milk_http_stream_refuse_with (MilkHttpStream *self,
                                           guint           status,
                                           const char     *phrase,
                                           const char     *code,
                                           const char     *message,
                                           const char     *extra_header,
                                           const char     *problem);
void        _milk_http_stream_refuse    (MilkHttpStream *self,
                                         MilkHeadVerdict verdict,
                                         const char     *problem);
void        _milk_http_stream_refuse_busy (MilkHttpStream *self,
                                           const char     *problem);
void        _milk_http_stream_linger    (MilkHttpStream *self);
gboolean    _milk_connections_sweep     (gpointer        data);

G_END_DECLS
