/* test-server-instances.c — the instance tokens that tell a copied diary
 * (issue 14, problem 2) when writing them fails or races: found by the
 * convergence simulator with two service instances and PostgreSQL
 * restarted under them
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "milk-server-test.h"

static MilkTestServer *server;
static gint64 base_ms;

#define NODE_A "00000000000000a1"
#define NODE_B "00000000000000b2"
#define NODE_C "00000000000000c3"

static void
exec_sql (const char *sql)
{
  PGconn *db = milk_test_db_connect (server);
  PGresult *result = PQexec (db, sql);

  g_assert_cmpint (PQresultStatus (result), ==, PGRES_COMMAND_OK);
  PQclear (result);
  PQfinish (db);
}

/* A sync as this version of the app sends it, with its instance token
 * (NULL: none yet); the answer's status, and the answer when 200. */
static guint
sync_with_instance (MilkTestClient   *client,
                    const char       *token,
                    const char       *node,
                    const char       *instance,
                    const char       *day,
                    MilkSyncMessage **response)
{
  g_autoptr(MilkSyncMessage) request = milk_sync_message_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  gsize length;

  request->node = g_strdup (node);
  request->instance = g_strdup (instance);
  request->has_instance = TRUE;
  g_ptr_array_add (request->changes, milk_test_entry (MILK_DEFAULT_PRODUCT_ID, day, 1000, base_ms, 0, 0xa1));
  body = milk_sync_request_encode (request, &length);
  milk_test_request (client, server, "POST", "/api/v1/sync", "application/json", body, length, token);
  *response = NULL;
  if (client->status == 200)
    {
      *response = milk_sync_response_decode (g_bytes_get_data (client->body, NULL),
                                             g_bytes_get_size (client->body), &error);
      g_assert_no_error (error);
    }
  return client->status;
}

/* When the new token could not be stored (here a trigger refuses it; in
 * the simulator PostgreSQL was restarted under the request), the request
 * is answered with an error and the service goes on. It freed the node's
 * tokens twice and aborted. */
static void
test_failed_write_answers (void)
{
  g_autoptr(MilkTestAccount) account = milk_test_account_new (server, "instance-fails@example.com");
  g_autoptr(MilkTestClient) app = milk_test_client_new ();
  g_autoptr(MilkSyncMessage) first = NULL, refused = NULL, later = NULL;

  g_assert_cmpuint (sync_with_instance (app, account->access_token, NODE_A, NULL, "2026-11-01", &first), ==, 200);
  g_assert_nonnull (first->instance);

  exec_sql ("CREATE FUNCTION test_refuse_instance () RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$");
  exec_sql ("CREATE TRIGGER test_refuse_instance BEFORE UPDATE ON sync_instances FOR EACH ROW"
            " WHEN (NEW.node = '" NODE_A "') EXECUTE FUNCTION test_refuse_instance ()");
  g_assert_cmpuint (sync_with_instance (app, account->access_token, NODE_A, first->instance, "2026-11-02", &refused),
                    >=, 500);
  exec_sql ("DROP TRIGGER test_refuse_instance ON sync_instances");
  exec_sql ("DROP FUNCTION test_refuse_instance ()");

  /* The same service answers the retry. */
  g_assert_cmpuint (sync_with_instance (app, account->access_token, NODE_A, first->instance, "2026-11-02", &later),
                    ==, 200);
  g_assert_nonnull (later->instance);
}

typedef struct
{
  const char *token;
  guint status;
  MilkSyncMessage *response;
} Twin;

static gpointer
twin_thread (gpointer data)
{
  Twin *twin = data;
  g_autoptr(MilkTestClient) client = milk_test_client_new ();

  twin->status = sync_with_instance (client, twin->token, NODE_B, NULL, "2026-11-03", &twin->response);
  return NULL;
}

/* A node's first sync sent twice at once (a resend, to another instance
 * behind the load balancer): both see no row and both insert it. The
 * second was answered 500 (a duplicate key); now it gets the first's
 * token, as a request sent twice does. */
static void
test_first_sync_twice_at_once (void)
{
  g_autoptr(MilkTestAccount) account = milk_test_account_new (server, "instance-twins@example.com");
  Twin twins[2] = { { account->access_token, 0, NULL }, { account->access_token, 0, NULL } };
  GThread *threads[2];

  /* Both requests are between their look and their insert at once. */
  exec_sql ("CREATE FUNCTION test_slow_instance () RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN PERFORM pg_sleep (0.5); RETURN NEW; END $$");
  exec_sql ("CREATE TRIGGER test_slow_instance BEFORE INSERT ON sync_instances FOR EACH ROW"
            " WHEN (NEW.node = '" NODE_B "') EXECUTE FUNCTION test_slow_instance ()");
  for (guint i = 0; i < 2; i++)
    threads[i] = g_thread_new ("twin", twin_thread, &twins[i]);
  for (guint i = 0; i < 2; i++)
    g_thread_join (threads[i]);
  exec_sql ("DROP TRIGGER test_slow_instance ON sync_instances");
  exec_sql ("DROP FUNCTION test_slow_instance ()");

  g_assert_cmpuint (twins[0].status, ==, 200);
  g_assert_cmpuint (twins[1].status, ==, 200);
  if (twins[0].response && twins[1].response)
    {
      g_assert_nonnull (twins[0].response->instance);
      g_assert_cmpstr (twins[0].response->instance, ==, twins[1].response->instance);
    }
  for (guint i = 0; i < 2; i++)
    g_clear_pointer (&twins[i].response, milk_sync_message_free);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  if (!milk_test_init (&argc, &argv))
    return milk_test_run_skipped ("/server/instances/skipped");
  server = milk_test_server_start (NULL);
  base_ms = g_get_real_time () / 1000 - 3600 * 1000;

  g_test_add_func ("/server/instances/failed-write-answers", test_failed_write_answers);
  g_test_add_func ("/server/instances/first-sync-twice-at-once", test_first_sync_twice_at_once);
  status = g_test_run ();

  milk_test_server_stop (server, SIGTERM);
  milk_test_cleanup ();
  return status;
}
