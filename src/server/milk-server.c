/* milk-server.c — the HTTP front: routing, worker pool, answers, draining
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <string.h>

#include <signal.h>

#include <glib-unix.h>

#include "milk-protocol.h"
#include "milk-server.h"
#include "milk-server-config.h"
#include "milk-server-connections.h"
#include "milk-server-db.h"
#include "milk-server-error.h"
#include "milk-server-log.h"
#include "milk-server-mail.h"
#include "milk-server-policy.h"
#include "milk-server-request.h"
#include "milk-server-routes.h"
#include "milk-server-fuzz.h"

#define DRAIN_TIMEOUT_S 30

/* The most requests a worker takes at once (milk-server-sync-batch.c). */
#define BATCH_MAX 16

struct _MilkServer
{
  MilkServerConfig *config;
  MilkDb *db;
  MilkMailer *mailer;   /* NULL: no mail, no verification */
  MilkConnections *connections;
  GMainContext *context;
  GMainLoop *loop;
  GAsyncQueue *waiting;    /* MilkRequest *, for the workers */
  GPtrArray *workers;      /* GThread * */
  guint n_workers;
  GAsyncQueue *answered;   /* MilkRequest *, from the workers */
  GSource *answers;
  guint in_flight;
  gboolean draining;
  guint drain_timeout;
  guint sigterm;
  guint sigint;
};

typedef struct
{
  const char *method;
  const char *path;
  MilkRouteFunc func;
  gsize max_body;
  gboolean prefix;   /* the path and anything after it; the handler reads the rest strictly */
} Route;

#define API_MAX_BODY (16 * 1024)

static const Route routes[] = {
  { "GET", "/healthz", milk_route_healthz, 0 },
  { "POST", "/api/v1/sync", milk_route_sync, MILK_PROTOCOL_MAX_BYTES },
  { "GET", "/api/v1/openapi.json", milk_route_openapi, 0 },
  { "GET", "/.well-known/oauth-authorization-server", milk_route_metadata, 0 },
  { "GET", "/oauth/authorize", milk_route_authorize, 0 },
  { "POST", "/oauth/authorize", milk_route_authorize, MILK_FORM_MAX_BYTES },
  { "POST", "/oauth/token", milk_route_token, MILK_FORM_MAX_BYTES },
  { "POST", "/oauth/revoke", milk_route_revoke, MILK_FORM_MAX_BYTES },
  { "GET", "/", milk_route_home, 0 },
  { "GET", "/style.css", milk_route_style, 0 },
  { "GET", "/signup", milk_route_signup, 0 },
  { "POST", "/signup", milk_route_signup, MILK_FORM_MAX_BYTES },
  { "GET", "/signin", milk_route_signin, 0 },
  { "POST", "/signin", milk_route_signin, MILK_FORM_MAX_BYTES },
  { "POST", "/signout", milk_route_signout, MILK_FORM_MAX_BYTES },
  { "GET", "/account", milk_route_account, 0 },
  { "GET", "/diary", milk_route_diary, 0 },
  { "POST", "/account/password", milk_route_password, MILK_FORM_MAX_BYTES },
  { "POST", "/account/delete", milk_route_delete, MILK_FORM_MAX_BYTES },
  { "GET", "/account/verify", milk_route_verify, 0 },
  { "POST", "/account/verify", milk_route_verify, MILK_FORM_MAX_BYTES },
  { "POST", "/account/verify/send", milk_route_verify_send, MILK_FORM_MAX_BYTES },
  { "POST", "/account/email", milk_route_email, MILK_FORM_MAX_BYTES },
  { "GET", "/account/email/confirm", milk_route_email_confirm, 0 },
  { "POST", "/account/email/confirm", milk_route_email_confirm, MILK_FORM_MAX_BYTES },
  { "GET", "/signin/external", milk_route_external_start, 0 },
  { "GET", "/signin/external/callback", milk_route_external_callback, 0 },
  { "POST", "/account/identity/unlink", milk_route_identity_unlink, MILK_FORM_MAX_BYTES },
  { "GET", "/password/forgot", milk_route_forgot, 0 },
  { "POST", "/password/forgot", milk_route_forgot, MILK_FORM_MAX_BYTES },
  { "GET", "/password/reset", milk_route_reset, 0 },
  { "POST", "/password/reset", milk_route_reset, MILK_FORM_MAX_BYTES },
  { "POST", "/account/tokens", milk_route_tokens_create, MILK_FORM_MAX_BYTES },
  { "POST", "/account/tokens/revoke", milk_route_tokens_revoke, MILK_FORM_MAX_BYTES },
  { "GET", "/api/v1/products", milk_route_api_products, 0 },
  { "GET", "/api/v1/payments", milk_route_api_payments, 0 },
  { "POST", "/api/v1/payments", milk_route_api_payments, API_MAX_BODY },
  { "GET", "/api/v1/months/", milk_route_api_month, 0, TRUE },
  { "GET", "/api/v1/entries/", milk_route_api_entry, 0, TRUE },
  { "PUT", "/api/v1/entries/", milk_route_api_entry, API_MAX_BODY, TRUE },
  { "DELETE", "/api/v1/entries/", milk_route_api_entry, 0, TRUE },
};

static gboolean
route_matches (const Route *route,
               const char  *path)
{
  if (route->prefix)
    return g_str_has_prefix (path, route->path) && path[strlen (route->path)] != '\0';
  return g_str_equal (route->path, path);
}

static const Route *
find_route (const char *method,
            const char *path,
            gboolean   *path_known)
{
  *path_known = FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    if (route_matches (&routes[i], path))
      {
        *path_known = TRUE;
        if (g_str_equal (routes[i].method, method) ||
            (g_str_equal (method, "HEAD") && g_str_equal (routes[i].method, "GET")))
          return &routes[i];
      }
  return NULL;
}

MilkRouteFunc
_milk_server_find_route (const char *method,
                         const char *path,
                         gsize      *max_body,
                         gboolean   *path_known)
{
  const Route *route = find_route (method, path, path_known);

  *max_body = route ? route->max_body : 0;
  return route ? route->func : NULL;
}

/* ---- requests ---- */

static void
milk_request_free (MilkRequest *request)
{
  g_clear_object (&request->stream);
  g_free (request->method);
  g_free (request->path);
  g_free (request->remote);
  g_clear_pointer (&request->query, g_hash_table_unref);
  g_clear_pointer (&request->headers, g_hash_table_unref);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_free (request->content_type);
  g_clear_pointer (&request->response, g_bytes_unref);
  g_clear_pointer (&request->response_headers, g_ptr_array_unref);
  g_free (request->log_note);
  g_free (request);
}

void
_milk_server_request_free (MilkRequest *request)
{
  milk_request_free (request);
}

/* ---- answers ---- */

static void
answer_written (gpointer data)
{
  MilkServer *self = data;

  self->in_flight--;
  if (self->draining && self->in_flight == 0)
    g_main_loop_quit (self->loop);
}

static gboolean
is_field_value (const char *value)
{
  return strpbrk (value, "\r\n") == NULL;
}

/* The request's answer as it goes on the wire, head and body in one piece,
 * then the request is done with. */
static void
send_answer (MilkRequest *request)
{
  static MilkSecondText date;   /* the Date field; the main loop's alone */
  MilkServer *self = request->server;
  guint status = request->status ? request->status : SOUP_STATUS_INTERNAL_SERVER_ERROR;
  gboolean keep_alive = request->keep_alive && !self->draining;
  gsize length = 0;
  const char *body = request->response ? g_bytes_get_data (request->response, &length) : NULL;
  GString *out = g_string_sized_new (512 + length);

  g_string_append_printf (out, "HTTP/1.1 %u %s\r\nDate: %s\r\nServer: milk-diary-server\r\n", status,
                          status == 431 ? "Request Header Fields Too Large" : soup_status_get_phrase (status),
                          milk_second_text (&date, "%a, %d %b %Y %H:%M:%S GMT"));
  /* A value with a line break would end the head early: not sent. */
  for (guint i = 0; i + 1 < request->response_headers->len; i += 2)
    if (is_field_value (g_ptr_array_index (request->response_headers, i + 1)))
      g_string_append_printf (out, "%s: %s\r\n", (char *) g_ptr_array_index (request->response_headers, i),
                              (char *) g_ptr_array_index (request->response_headers, i + 1));
  g_string_append (out, "X-Content-Type-Options: nosniff\r\n");
  /* Behind https, browsers are to come back only over https (two years). */
  if (milk_server_config_is_https (self->config))
    g_string_append (out, "Strict-Transport-Security: max-age=63072000\r\n");
  if (!keep_alive)
    g_string_append (out, "Connection: close\r\n");
  if (request->content_type && is_field_value (request->content_type))
    g_string_append_printf (out, "Content-Type: %s\r\n", request->content_type);
  if (status >= 200 && status != SOUP_STATUS_NO_CONTENT && status != SOUP_STATUS_NOT_MODIFIED)
    g_string_append_printf (out, "Content-Length: %" G_GSIZE_FORMAT "\r\n", length);
  g_string_append (out, "\r\n");
  if (body && !g_str_equal (request->method, "HEAD"))
    g_string_append_len (out, body, length);

  milk_log_request (request->remote, request->method, request->path, status, request->started_us,
                    request->log_note);
  milk_http_stream_respond (request->stream, g_string_free_to_bytes (out), keep_alive, answer_written, self);
  milk_request_free (request);
}

/* The workers' answers come back through one queue, which one source
 * empties: no source made and attached per answer, and the answers that
 * came while the loop was busy all go out in one turn (issue 18). */
typedef struct
{
  GSource source;
  MilkServer *server;
} AnswersSource;

static gboolean
answers_ready (GSource *source)
{
  return g_async_queue_length (((AnswersSource *) source)->server->answered) > 0;
}

static gboolean
answers_prepare (GSource *source,
                 int     *timeout)
{
  *timeout = -1;
  return answers_ready (source);
}

static gboolean
answers_dispatch (GSource     *source,
                  GSourceFunc  callback,
                  gpointer     user_data)
{
  MilkServer *self = ((AnswersSource *) source)->server;
  MilkRequest *request;

  while ((request = g_async_queue_try_pop (self->answered)) != NULL)
    send_answer (request);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs answers_funcs = { answers_prepare, answers_ready, answers_dispatch, NULL, NULL, NULL };

/* The main loop is woken only when the queue was empty: one that holds
 * answers has a wakeup on its way already, and answers_dispatch() empties
 * the whole queue. Under load that is one write to the context's eventfd
 * per turn of the main loop, not one per answer (issue 18). */
static void
queue_answer (MilkServer  *self,
              MilkRequest *request)
{
  gboolean was_empty;

  g_async_queue_lock (self->answered);
  was_empty = g_async_queue_length_unlocked (self->answered) <= 0;
  g_async_queue_push_unlocked (self->answered, request);
  g_async_queue_unlock (self->answered);
  if (was_empty)
    g_main_context_wakeup (self->context);
}

/* ---- the worker side ---- */

/* Queued once per worker after the last request: the worker stops there. */
static MilkRequest stop_marker;

static void
answered (MilkRequest *request,
          gpointer     user_data)
{
  queue_answer (user_data, request);
}

/* The requests a worker took at once, on one connection: the syncs
 * together (milk_route_sync_batch, which puts the no-op ones' statements
 * in one pipeline), every other request on its own. Each answer goes to
 * the main loop as soon as it is ready. */
static void
run_batch (MilkServer   *self,
           MilkRequest **batch,
           guint         n)
{
  g_autoptr(GError) error = NULL;
  PGconn *conn = milk_db_acquire (self->db, &error);
  MilkRequest *syncs[BATCH_MAX];
  guint n_syncs = 0;

  for (guint i = 0; i < n; i++)
    {
      if (conn != NULL && batch[i]->func == milk_route_sync)
        {
          syncs[n_syncs++] = batch[i];
          continue;
        }
      if (conn == NULL)
        milk_respond_db_error (batch[i], error);
      else
        batch[i]->func (batch[i], conn);
      queue_answer (self, batch[i]);
    }
  if (n_syncs > 0)
    milk_route_sync_batch (syncs, n_syncs, conn, answered, self);
  milk_db_release (self->db, conn);
}

/* A worker takes the request that waited longest and, under load, the
 * no-op syncs right behind it, its share of those waiting (the other
 * workers take theirs) and at most BATCH_MAX: one wakeup, one connection
 * and one pipeline for them all. Anything else is left for the next free
 * worker: a push waits on its commit, and pushes that run side by side
 * commit together (PostgreSQL flushes its log for all that wait at once). */
static gpointer
worker_main (gpointer data)
{
  MilkServer *self = data;
  MilkRequest *batch[BATCH_MAX];

  for (;;)
    {
      MilkRequest *next = g_async_queue_pop (self->waiting);
      int behind;
      guint n = 0, share;

      if (next == &stop_marker)
        return NULL;
      batch[n++] = next;
      /* Read once: the queue changes meanwhile (and MIN and MAX would read
       * it twice), and it is negative while workers wait on it. */
      behind = g_async_queue_length (self->waiting);
      share = MIN (BATCH_MAX, 1 + (guint) MAX (behind, 0) / self->n_workers);
      while (n < share && (next = g_async_queue_try_pop (self->waiting)) != NULL)
        {
          if (next == &stop_marker || !milk_route_sync_looks_noop (next))
            {
              g_async_queue_push_front (self->waiting, next);
              break;
            }
          batch[n++] = next;
        }
      run_batch (self, batch, n);
    }
}

/* ---- the main-loop side ---- */

/* The largest body the request's route takes: more is refused unread. */
static gsize
body_limit (MilkHead *head,
            gpointer  user_data)
{
  gboolean known;
  const Route *route = find_route (head->method, head->path, &known);

  return route ? route->max_body : 0;
}

static GHashTable *
copy_headers (SoupMessageHeaders *headers)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  SoupMessageHeadersIter iter;
  const char *name, *value;

  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      char *lower = g_ascii_strdown (name, -1);
      const char *before = g_hash_table_lookup (table, lower);

      if (before)
        g_hash_table_replace (table, lower, g_strconcat (before, g_str_equal (lower, "cookie") ? "; " : ", ",
                                                         value, NULL));
      else
        g_hash_table_replace (table, lower, g_strdup (value));
    }
  return table;
}

GHashTable *
_milk_server_copy_headers (SoupMessageHeaders *headers)
{
  return copy_headers (headers);
}

static char *
remote_address (MilkServer *self,
                const char *address,
                GHashTable *headers)
{
  const char *forwarded = g_hash_table_lookup (headers, "x-forwarded-for");

  if (self->config->trust_forwarded && forwarded != NULL)
    {
      /* The last entry is the one our own proxy added. */
      const char *last = strrchr (forwarded, ',');
      g_autofree char *forwarded_address = g_strdup (last ? last + 1 : forwarded);

      g_strstrip (forwarded_address);
      if (*forwarded_address && strlen (forwarded_address) <= 64 && g_utf8_validate (forwarded_address, -1, NULL))
        return g_steal_pointer (&forwarded_address);
    }
  return g_strdup (address);
}

static GHashTable *
decode_query (const char *query)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) form = query ? soup_form_decode (query) : NULL;
  GHashTableIter iter;
  gpointer k, v;

  if (form == NULL)
    return table;
  g_hash_table_iter_init (&iter, form);
  while (g_hash_table_iter_next (&iter, &k, &v))
    g_hash_table_insert (table, g_strdup (k), g_strdup (v));
  return table;
}

static MilkRequest *
request_new (MilkServer     *self,
             MilkHttpStream *stream,
             MilkHead       *head,
             GBytes         *body,
             const char     *address)
{
  MilkRequest *request = g_new0 (MilkRequest, 1);

  request->server = self;
  request->config = self->config;
  request->mailer = self->mailer;
  request->stream = g_object_ref (stream);
  request->started_us = g_get_monotonic_time ();
  request->method = g_steal_pointer (&head->method);
  request->path = g_steal_pointer (&head->path);
  request->headers = g_steal_pointer (&head->headers);
  /* HTTP/1.1 keeps the connection unless either side says "close". */
  request->keep_alive = !head->http_1_0 && !milk_http_head_has_token (request->headers, "connection", "close");
  request->remote = remote_address (self, address, request->headers);
  request->query = decode_query (head->query);
  request->body = body;
  request->response_headers = g_ptr_array_new_with_free_func (g_free);
  return request;
}

static void
incoming_request (MilkHttpStream *stream,
                  MilkHead       *head,
                  GBytes         *body,
                  const char     *address,
                  gpointer        user_data)
{
  MilkServer *self = user_data;
  g_autoptr(MilkHead) owned = head;
  MilkRequest *request = request_new (self, stream, head, body, address);
  const Route *route;
  gboolean known;

  self->in_flight++;
  if (self->draining)
    {
      milk_request_add_header (request, "Retry-After", "1");
      milk_respond_error (request, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable", "The service is shutting down");
      send_answer (request);
      return;
    }
  route = find_route (request->method, request->path, &known);
  if (route == NULL)
    {
      if (known)
        milk_respond_error (request, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed",
                            "This method is not allowed here");
      else
        milk_respond_error (request, SOUP_STATUS_NOT_FOUND, "not_found", "There is nothing here");
      request->log_note = g_strdup (known ? "method_not_allowed" : "not_found");
      send_answer (request);
      return;
    }
  request->func = route->func;
  g_async_queue_push (self->waiting, request);
}

static gboolean
drain_timeout (gpointer data)
{
  MilkServer *self = data;

  g_printerr ("milk-diary-server: %u requests still running after %d s; stopping anyway\n",
              self->in_flight, DRAIN_TIMEOUT_S);
  self->drain_timeout = 0;
  g_main_loop_quit (self->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
on_signal (gpointer data)
{
  MilkServer *self = data;

  if (!self->draining)
    {
      g_printerr ("milk-diary-server: draining %u requests, then stopping\n", self->in_flight);
      self->draining = TRUE;
      self->drain_timeout = g_timeout_add_seconds (DRAIN_TIMEOUT_S, drain_timeout, self);
    }
  if (self->in_flight == 0)
    g_main_loop_quit (self->loop);
  return G_SOURCE_CONTINUE;
}

MilkServer *
milk_server_new (MilkServerConfig *config,
                 MilkDb           *db)
{
  MilkServer *self = g_new0 (MilkServer, 1);

  self->config = config;
  self->db = db;
  self->mailer = milk_mailer_new (config);
  self->context = g_main_context_ref_thread_default ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->waiting = g_async_queue_new ();
  self->workers = g_ptr_array_new ();
  self->n_workers = MAX (config->workers, 1);
  for (guint i = 0; i < self->n_workers; i++)
    g_ptr_array_add (self->workers, g_thread_new ("milk-worker", worker_main, self));
  self->answered = g_async_queue_new ();
  self->answers = g_source_new (&answers_funcs, sizeof (AnswersSource));
  ((AnswersSource *) self->answers)->server = self;
  g_source_attach (self->answers, self->context);
  /* Before listening: a SIGTERM right after start must drain, not kill. */
  self->sigterm = g_unix_signal_add (SIGTERM, on_signal, self);
  self->sigint = g_unix_signal_add (SIGINT, on_signal, self);
  return self;
}

void
milk_server_free (MilkServer *self)
{
  MilkRequest *request;

  if (self == NULL)
    return;
  /* Every request queued before is answered first. */
  for (guint i = 0; i < self->workers->len; i++)
    g_async_queue_push (self->waiting, &stop_marker);
  for (guint i = 0; i < self->workers->len; i++)
    g_thread_join (g_ptr_array_index (self->workers, i));
  g_ptr_array_unref (self->workers);
  g_async_queue_unref (self->waiting);
  /* Answers the workers finished after the loop stopped: no one to send
   * them to now. */
  g_source_destroy (self->answers);
  g_source_unref (self->answers);
  while ((request = g_async_queue_try_pop (self->answered)) != NULL)
    milk_request_free (request);
  g_async_queue_unref (self->answered);
  if (self->sigterm)
    g_source_remove (self->sigterm);
  if (self->sigint)
    g_source_remove (self->sigint);
  /* Removing the sources restored the default action; a second SIGTERM
   * while closing down must not cut the exit short. */
  signal (SIGTERM, SIG_IGN);
  signal (SIGINT, SIG_IGN);
  if (self->drain_timeout)
    g_source_remove (self->drain_timeout);
  g_clear_pointer (&self->connections, milk_server_connections_stop);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  milk_mailer_free (self->mailer);
  g_free (self);
}

gboolean
milk_server_listen (MilkServer  *self,
                    GError     **error)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (self->config->listen_host);
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) sock = NULL;
  g_autofree char *host = NULL;
  g_autofree char *url = NULL;
  MilkConnectionsHandler handler = { body_limit, incoming_request, self };
  gboolean ipv6;

  if (address == NULL)
    {
      g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_CONFIG,
                   "The listen host “%s” is not an IP address", self->config->listen_host);
      return FALSE;
    }
  socket_address = g_inet_socket_address_new (address, self->config->listen_port);

  /* A listen backlog that takes a burst of clients (soup_server_listen's
   * is 10: the rest are reset). */
  sock = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (sock == NULL || !g_socket_bind (sock, socket_address, TRUE, error))
    return FALSE;
  g_socket_set_listen_backlog (sock, 1024);
  if (!g_socket_listen (sock, error) ||
      (bound = g_socket_get_local_address (sock, error)) == NULL ||
      (self->connections = milk_server_connections_serve (&handler, self->config, sock, error)) == NULL)
    return FALSE;

  ipv6 = g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6;
  host = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (bound)));
  url = g_strdup_printf ("http://%s%s%s:%u/", ipv6 ? "[" : "", host, ipv6 ? "]" : "",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  if (self->config->base_url == NULL)
    self->config->base_url = g_strndup (url, strlen (url) - 1);
  g_printerr ("milk-diary-server: listening on %s (public URL %s)\n", url, self->config->base_url);
  if (self->mailer)
    g_printerr ("milk-diary-server: mail goes through %s; new accounts verify their email\n",
                self->config->smtp_url);
  else
    g_printerr ("milk-diary-server: no MILK_SMTP_URL: no mail is sent and emails are not verified\n");
  return TRUE;
}

int
milk_server_run (MilkServer *self)
{
  g_main_loop_run (self->loop);
  milk_log_flush ();
  g_printerr ("milk-diary-server: stopped\n");
  return 0;
}
