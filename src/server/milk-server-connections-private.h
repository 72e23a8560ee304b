/* milk-server-connections-private.h — what the files of the connections
 * share: the owner of every open connection, and a connection as libsoup
 * sees it (milk-server-connections.c tells why)
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "milk-server-connections.h"
#include "milk-server-head.h"
#include "milk-server-limits.h"
#include "milk-server-replay-stream.h"

G_BEGIN_DECLS

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

/* milk-server-http-stream.c */
MilkConnections *_milk_connections_ref  (MilkConnections *self);
void        _milk_connections_unref     (MilkConnections *self);
gboolean    _milk_connections_clients_sent (int          fd,
                                            GIOCondition condition,
                                            gpointer     user_data);
MilkHttpStream *_milk_http_stream_new   (MilkConnections   *owner,
                                         GSocketConnection *connection,
                                         GSocketAddress    *local,
                                         GSocketAddress    *remote);
char       *_milk_http_stream_remote_host (MilkHttpStream *self);
GPollableInputStream *_milk_http_stream_socket_input (MilkHttpStream *self);
void        _milk_http_stream_wait_for  (MilkHttpStream *self,
                                         void          (*func) (MilkHttpStream *self));
void        _milk_http_stream_stop_waiting (MilkHttpStream *self);
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
gboolean    _milk_connections_sweep     (gpointer        data);

G_END_DECLS
