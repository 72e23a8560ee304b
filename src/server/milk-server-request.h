/* milk-server-request.h — a request as a route sees it, and its answer
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libpq-fe.h>
#include <libsoup/soup.h>

#include "milk-server-config.h"
#include "milk-server-mail.h"

G_BEGIN_DECLS

typedef struct _MilkServer MilkServer;
typedef struct _MilkRequest MilkRequest;

typedef void (*MilkRouteFunc) (MilkRequest *request,
                               PGconn      *conn);

struct _MilkRequest
{
  MilkServer *server;
  const MilkServerConfig *config;
  MilkMailer *mailer;    /* NULL: no mail, no verification (and outside a server) */
  struct _MilkHttpStream *stream;   /* NULL outside a server */
  gboolean keep_alive;
  MilkRouteFunc func;

  char *method;
  char *path;
  char *remote;
  GHashTable *query;     /* name → value */
  GHashTable *headers;   /* lower-case name → value */
  GBytes *body;
  gint64 started_us;

  guint status;
  char *content_type;
  GBytes *response;
  GPtrArray *response_headers;  /* name, value, name, value, ... */
  char *log_note;        /* what the log line may say of the request */
};

const char *milk_request_header         (MilkRequest  *request,
                                         const char   *name);
GHashTable *milk_request_form           (MilkRequest  *request);
gboolean    milk_table_is_utf8          (GHashTable   *table);
char       *milk_request_cookie         (MilkRequest  *request,
                                         const char   *name);
void        milk_request_add_header     (MilkRequest  *request,
                                         const char   *name,
                                         const char   *value);
void        milk_request_set_cookie     (MilkRequest  *request,
                                         const char   *name,
                                         const char   *value,
                                         gint64        max_age);
void        milk_respond_json           (MilkRequest  *request,
                                         guint         status,
                                         JsonNode     *node);
void        milk_respond_bytes          (MilkRequest  *request,
                                         guint         status,
                                         const char   *content_type,
                                         char         *data,
                                         gsize         length);
void        milk_respond_error          (MilkRequest  *request,
                                         guint         status,
                                         const char   *code,
                                         const char   *message);
void        milk_respond_redirect       (MilkRequest  *request,
                                         const char   *location);
void        milk_respond_page           (MilkRequest  *request,
                                         guint         status,
                                         const char   *page,
                                         ...) G_GNUC_NULL_TERMINATED;
void        milk_respond_db_error       (MilkRequest  *request,
                                         const GError *error);

G_END_DECLS
