/* milk-e2e-proxy.c — a loopback HTTP proxy between the app and the service
 *
 * Each request goes to the service on a connection of its own, read whole
 * both ways, so a test can lose an answer after the service acted on the
 * request, hold it, answer in the service's place, or close the
 * connection. It runs on a thread and a main context of its own: the
 * tests' main thread blocks in the app's waits.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "milk-e2e-proxy.h"

static GMutex lock;
static guint upstream_port;
static char *proxy_url;
static const MilkE2eProxyHooks *hooks;

static gssize
find_head_end (GByteArray *b)
{
  for (gsize i = 0; i + 3 < b->len; i++)
    if (memcmp (b->data + i, "\r\n\r\n", 4) == 0)
      return i + 4;
  return -1;
}

static gsize
content_length (const guint8 *head,
                gsize         len)
{
  g_autofree char *text = g_strndup ((const char *) head, len);
  g_auto(GStrv) lines = g_strsplit (text, "\r\n", -1);

  for (guint i = 1; lines[i]; i++)
    if (g_ascii_strncasecmp (lines[i], "Content-Length:", 15) == 0)
      return g_ascii_strtoull (lines[i] + 15, NULL, 10);
  return 0;
}

/* One message, head and body; what came after it stays in carry. */
static GByteArray *
read_message (GInputStream *in,
              GByteArray   *carry)
{
  g_autoptr(GByteArray) m = g_byte_array_new ();
  guint8 buf[8192];
  gssize end, n;
  gsize total;

  g_byte_array_append (m, carry->data, carry->len);
  g_byte_array_set_size (carry, 0);
  while ((end = find_head_end (m)) < 0)
    {
      if ((n = g_input_stream_read (in, buf, sizeof buf, NULL, NULL)) <= 0)
        return NULL;
      g_byte_array_append (m, buf, n);
    }
  total = end + content_length (m->data, end);
  while (m->len < total)
    {
      if ((n = g_input_stream_read (in, buf, sizeof buf, NULL, NULL)) <= 0)
        return NULL;
      g_byte_array_append (m, buf, n);
    }
  if (m->len > total)
    {
      g_byte_array_append (carry, m->data + total, m->len - total);
      g_byte_array_set_size (m, total);
    }
  return g_steal_pointer (&m);
}

static gboolean
write_message (GIOStream  *stream,
               GByteArray *m)
{
  return g_output_stream_write_all (g_io_stream_get_output_stream (stream), m->data, m->len, NULL, NULL, NULL);
}

GByteArray *
milk_e2e_busy_answer (guint retry_after_s)
{
  const char *body = "{\"error\":\"unavailable\",\"message\":\"Try again later\"}";
  g_autofree char *extra = retry_after_s ? g_strdup_printf ("Retry-After: %u\r\n", retry_after_s) : g_strdup ("");
  g_autofree char *text = g_strdup_printf ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                                           "%sContent-Length: %zu\r\n\r\n%s", extra, strlen (body), body);
  GByteArray *answer = g_byte_array_new ();

  g_byte_array_append (answer, (const guint8 *) text, strlen (text));
  return answer;
}

gboolean
milk_e2e_request_is (GByteArray *request,
                     const char *method_and_path)
{
  gsize len = strlen (method_and_path);

  return request->len > len && memcmp (request->data, method_and_path, len) == 0 && request->data[len] == ' ';
}

void
milk_e2e_proxy_set_upstream (guint port)
{
  g_mutex_lock (&lock);
  upstream_port = port;
  g_mutex_unlock (&lock);
}

/* The answer to give, or NULL to close the connection. */
static GByteArray *
forward (GByteArray *request)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) upstream = NULL;
  g_autoptr(GByteArray) carry = g_byte_array_new ();
  g_autoptr(GByteArray) answer = NULL;
  MilkE2eVerdict verdict = hooks->decide ? hooks->decide (request, &answer) : MILK_E2E_FORWARD;
  guint port;

  if (verdict == MILK_E2E_DROP || verdict == MILK_E2E_ANSWER)
    return g_steal_pointer (&answer);
  g_clear_pointer (&answer, g_byte_array_unref);
  g_mutex_lock (&lock);
  port = upstream_port;
  g_mutex_unlock (&lock);
  upstream = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
  if (upstream == NULL || !write_message (G_IO_STREAM (upstream), request))
    return NULL;
  /* Read whole: the service has acted on the request (stored a push,
   * rotated a token) before the test decides what the app sees. */
  answer = read_message (g_io_stream_get_input_stream (G_IO_STREAM (upstream)), carry);
  if (verdict == MILK_E2E_HOLD && hooks->hold)
    hooks->hold ();
  return verdict == MILK_E2E_LOSE_ANSWER ? NULL : g_steal_pointer (&answer);
}

static gboolean
proxy_run (GThreadedSocketService *service,
           GSocketConnection      *connection,
           GObject                *source,
           gpointer                user_data)
{
  GIOStream *client = G_IO_STREAM (connection);
  g_autoptr(GByteArray) carry = g_byte_array_new ();

  for (;;)
    {
      g_autoptr(GByteArray) request = read_message (g_io_stream_get_input_stream (client), carry);
      g_autoptr(GByteArray) answer = request ? forward (request) : NULL;

      if (answer == NULL || !write_message (client, answer))
        break;
    }
  g_io_stream_close (client, NULL, NULL);
  return TRUE;
}

static gpointer
proxy_thread (gpointer data)
{
  GMainContext *context = g_main_context_new ();
  GSocketService *service;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (context);
  service = g_threaded_socket_service_new (64);
  g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "run", G_CALLBACK (proxy_run), NULL);
  g_socket_service_start (service);
  g_mutex_lock (&lock);
  proxy_url = g_strdup_printf ("http://127.0.0.1:%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_mutex_unlock (&lock);
  for (;;)
    g_main_context_iteration (context, TRUE);
  return NULL;
}

/* Starts the proxy (once per test program); its URL. */
char *
milk_e2e_proxy_start (const MilkE2eProxyHooks *proxy_hooks)
{
  hooks = proxy_hooks;
  g_thread_unref (g_thread_new ("proxy", proxy_thread, NULL));
  for (gboolean started = FALSE; !started; g_usleep (1000))
    {
      g_mutex_lock (&lock);
      started = proxy_url != NULL;
      g_mutex_unlock (&lock);
    }
  return g_strdup (proxy_url);
}
