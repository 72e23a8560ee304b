/* test-e2e-tokens.c — token refresh that survives the real world
 *
 * Issue 14, problem 7: every way a refresh could go wrong signed the
 * person out. Here the app's own MilkAccount and MilkSyncService, with
 * their tokens in the session's real gnome-keyring, refresh against a real
 * milk-diary-server on a real PostgreSQL, through a small loopback proxy
 * that can lose the service's answer on the way back (the service has
 * rotated the token by then). Each test ends signed in and syncing.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <libpq-fe.h>

#include "milk-account.h"
#include "milk-async-test-util.h"
#include "milk-server-test.h"
#include "milk-store-private.h"
#include "milk-sync-service.h"
#include "milk-e2e-proxy.h"
#include "milk-e2e-util.h"
#include "milk-test-util.h"
#include "milk-token-store.h"

#define MILK MILK_DEFAULT_PRODUCT_ID
#define N_AT_ONCE 8

/* ---- the proxy: forwards each request on a connection of its own ---- */

static GMutex lock;
static guint token_requests;       /* POST /oauth/token seen */
static guint lose_token_answers;   /* how many of their answers to lose */
static char *proxy_url;

/* Counts token requests and loses the answers it was told to lose (the
 * service has rotated the token by then). */
static MilkE2eVerdict
decide (GByteArray  *request,
        GByteArray **answer)
{
  gboolean lose = FALSE;

  if (milk_e2e_request_is (request, "POST /oauth/token"))
    {
      g_mutex_lock (&lock);
      token_requests++;
      lose = lose_token_answers > 0;
      lose_token_answers -= lose ? 1 : 0;
      g_mutex_unlock (&lock);
    }
  return lose ? MILK_E2E_LOSE_ANSWER : MILK_E2E_FORWARD;
}

static const MilkE2eProxyHooks proxy_hooks = { decide, NULL };

static guint
token_requests_seen (void)
{
  guint n;

  g_mutex_lock (&lock);
  n = token_requests;
  g_mutex_unlock (&lock);
  return n;
}

static void
lose_next_token_answers (guint n)
{
  g_mutex_lock (&lock);
  lose_token_answers = n;
  g_mutex_unlock (&lock);
}

/* ---- a device of the app, signed in through the proxy ---- */

typedef struct
{
  MilkTestServer *server;
  MilkTestAccount *owner;
  MilkTestDir dir;
  MilkStore *store;
  MilkAccount *account;
  MilkSyncService *sync;
} Fixture;

static char *xdg_root;
static guint account_serial;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *email = g_strdup_printf ("tokens-%u-%d@example.org", ++account_serial, (int) getpid ());
  g_autoptr(GUri) uri = NULL;
  const char *env[] = { "MILK_BASE_URL", proxy_url, NULL };

  f->server = milk_test_server_start (env);
  uri = g_uri_parse (f->server->url, G_URI_FLAGS_NONE, NULL);
  milk_e2e_proxy_set_upstream (g_uri_get_port (uri));
  g_mutex_lock (&lock);
  token_requests = 0;
  lose_token_answers = 0;
  g_mutex_unlock (&lock);
  f->owner = milk_test_account_new (f->server, email);
  g_setenv ("MILK_TEST_EMAIL", email, TRUE);
  g_setenv ("MILK_TEST_PASSWORD", MILK_TEST_PASSWORD, TRUE);
  milk_test_dir_init (&f->dir);
  f->store = milk_test_store_new (&f->dir);
  f->account = milk_account_new (proxy_url, milk_store_get_node (f->store));
  f->sync = milk_sync_service_new (f->store, f->account);
}

static void lock_keyring (gboolean locked);

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *log = NULL;
  g_autofree char *secret = NULL;

  /* A test that failed with the keyring locked leaves it as it found it. */
  lock_keyring (FALSE);
  log = milk_test_server_log (f->server);
  secret = secret_password_lookup_sync (milk_token_store_get_schema (), NULL, NULL,
                                        "server", proxy_url, "diary", milk_store_get_node (f->store), NULL);

  /* The service's log holds none of the tokens the device ended with. */
  if (secret != NULL)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *tokens;

      g_assert_true (json_parser_load_from_data (parser, secret, -1, NULL));
      tokens = json_node_get_object (json_parser_get_root (parser));
      g_assert_null (strstr (log, json_object_get_string_member (tokens, "access_token")));
      g_assert_null (strstr (log, json_object_get_string_member (tokens, "refresh_token")));
    }
  g_clear_object (&f->sync);
  g_clear_object (&f->account);
  g_clear_object (&f->store);
  milk_test_dir_clear (&f->dir);
  milk_test_account_free (f->owner);
  milk_test_server_stop (f->server, SIGTERM);
}

static void
sign_in (Fixture *f)
{
  MilkTestWait w = { 0 };

  milk_account_sign_in_async (f->account, NULL, milk_test_wait_done, &w);
  milk_test_wait (&w);
  g_assert_no_error (w.error);
  g_assert_true (milk_account_get_signed_in (f->account));
  g_assert_true (milk_store_reset_sync_state (f->store, NULL));
}

static void
sync_ok (Fixture *f)
{
  MilkTestWait w = { 0 };

  milk_sync_service_sync_async (f->sync, NULL, milk_test_wait_done, &w);
  milk_test_wait (&w);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  g_assert_cmpint (milk_sync_service_get_status (f->sync), ==, MILK_SYNC_IDLE);
}

static void
set_entry (Fixture    *f,
           const char *day,
           gint64      qty_ml)
{
  g_autoptr(GError) error = NULL;

  milk_store_set_entry (f->store, MILK, milk_test_day (day), qty_ml, MILK_NO_PRICE, NULL, &error);
  g_assert_no_error (error);
}

static void
run_sql (Fixture    *f,
         const char *sql)
{
  PGconn *conn = milk_test_db_connect (f->server);
  PGresult *result = PQexec (conn, sql);

  g_assert_cmpint (PQresultStatus (result), ==, PGRES_COMMAND_OK);
  PQclear (result);
  PQfinish (conn);
}

/* The keyring's item for the device: one of its tokens. */
static char *
keyring_token (Fixture    *f,
               const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *secret = secret_password_lookup_sync (milk_token_store_get_schema (), NULL, &error,
                                                         "server", proxy_url,
                                                         "diary", milk_store_get_node (f->store), NULL);

  g_assert_no_error (error);
  g_assert_nonnull (secret);
  g_assert_true (json_parser_load_from_data (parser, secret, -1, NULL));
  return g_strdup (json_object_get_string_member_with_default (json_node_get_object (json_parser_get_root (parser)),
                                                              name, NULL));
}

/* What the keyring holds is what the service takes: the device's entry
 * for day is on the service, read with the keyring's access token. */
static void
assert_keyring_syncs (Fixture    *f,
                      const char *day,
                      gint64      qty_ml)
{
  g_autofree char *access = keyring_token (f, "access_token");
  g_autoptr(MilkTestClient) client = milk_test_client_new ();
  g_autoptr(MilkSyncMessage) response = milk_test_sync (f->server, client, access, NULL, "00000000000000ff", NULL);
  gboolean found = FALSE;

  g_assert_nonnull (response);
  for (guint i = 0; i < response->changes->len; i++)
    {
      MilkRecord *record = g_ptr_array_index (response->changes, i);

      if (record->type == MILK_RECORD_ENTRY && record->day == milk_test_day (day))
        {
          g_assert_cmpint (record->qty_ml, ==, qty_ml);
          found = TRUE;
        }
    }
  g_assert_true (found);
}

typedef struct
{
  guint done;
  char *tokens[N_AT_ONCE];
  GError *errors[N_AT_ONCE];
} Many;

static void
got_access_token (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Many *many = user_data;
  guint i = many->done++;

  many->tokens[i] = milk_account_get_access_token_finish (MILK_ACCOUNT (source), result, &many->errors[i]);
}

static void
wait_many (Many *many)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (many->done < N_AT_ONCE)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (200);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
  for (guint i = 0; i < N_AT_ONCE; i++)
    {
      g_assert_no_error (many->errors[i]);
      g_assert_nonnull (many->tokens[i]);
      g_assert_cmpstr (many->tokens[i], ==, many->tokens[0]);
    }
}

static void
many_clear (Many *many)
{
  for (guint i = 0; i < N_AT_ONCE; i++)
    {
      g_free (many->tokens[i]);
      g_clear_error (&many->errors[i]);
    }
}

/* The bar: eight refreshes at once with one refresh token leave the app
 * signed in. The old app sent eight requests with the one token; the
 * service answered the first and revoked the sign-in for the others. */
static void
test_eight_refreshes_at_once (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *before = NULL;
  g_autofree char *saved = NULL;
  Many many = { 0 };
  guint seen;

  sign_in (f);
  set_entry (f, "2026-11-20", 1250);
  before = keyring_token (f, "refresh_token");
  seen = token_requests_seen ();

  for (guint i = 0; i < N_AT_ONCE; i++)
    milk_account_get_access_token_async (f->account, TRUE, NULL, got_access_token, &many);
  wait_many (&many);

  /* One refresh reached the service, and its pair is the keyring's. */
  g_assert_cmpuint (token_requests_seen (), ==, seen + 1);
  saved = keyring_token (f, "access_token");
  g_assert_cmpstr (saved, ==, many.tokens[0]);
  g_assert_true (milk_account_get_signed_in (f->account));
  sync_ok (f);
  assert_keyring_syncs (f, "2026-11-20", 1250);
  many_clear (&many);
}

static void
loaded (MilkAccount *account)
{
  MilkTestWait w = { 0 };

  milk_account_load_async (account, NULL, milk_test_wait_done, &w);
  milk_test_wait (&w);
  g_assert_no_error (w.error);
  g_assert_true (milk_account_get_signed_in (account));
}

/* The service's account id is kept with the tokens, through a refresh:
 * a sign-in loaded from the keyring knows its account, so that a diary
 * that is another account's (a backup restored after switching) is not
 * synced into it unasked (tests/sim restores such backups). */
static void
test_account_kept (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(MilkAccount) again = milk_account_new (proxy_url, milk_store_get_node (f->store));
  g_autofree char *kept = NULL;
  g_autofree char *refreshed = NULL;
  Many many = { 0 };

  sign_in (f);
  g_assert_nonnull (milk_account_get_account_id (f->account));
  kept = keyring_token (f, "account");
  g_assert_cmpstr (kept, ==, milk_account_get_account_id (f->account));

  for (guint i = 0; i < N_AT_ONCE; i++)
    milk_account_get_access_token_async (f->account, TRUE, NULL, got_access_token, &many);
  wait_many (&many);
  refreshed = keyring_token (f, "account");
  g_assert_cmpstr (refreshed, ==, kept);

  loaded (again);
  g_assert_cmpstr (milk_account_get_account_id (again), ==, kept);
  many_clear (&many);
}

/* Eight copies of the app on one keyring item (the app and `milk-diary
 * --sync`, say) each refresh at once: eight requests with one token reach
 * the service, and all end with the same pair, signed in. */
static void
test_eight_processes_refresh_at_once (Fixture       *f,
                                      gconstpointer  data)
{
  MilkAccount *copies[N_AT_ONCE];
  Many many = { 0 };
  guint seen;

  sign_in (f);
  set_entry (f, "2026-11-21", 500);
  sync_ok (f);
  for (guint i = 0; i < N_AT_ONCE; i++)
    {
      copies[i] = milk_account_new (proxy_url, milk_store_get_node (f->store));
      loaded (copies[i]);
    }
  seen = token_requests_seen ();
  for (guint i = 0; i < N_AT_ONCE; i++)
    milk_account_get_access_token_async (copies[i], TRUE, NULL, got_access_token, &many);
  wait_many (&many);
  g_assert_cmpuint (token_requests_seen (), ==, seen + N_AT_ONCE);

  for (guint i = 0; i < N_AT_ONCE; i++)
    {
      g_assert_true (milk_account_get_signed_in (copies[i]));
      g_object_unref (copies[i]);
    }
  /* The device's own account still holds the spent token (and an access
   * token the rotation retired): within the grace it gets the same pair
   * too, and syncs. */
  set_entry (f, "2026-11-21", 750);
  sync_ok (f);
  g_assert_true (milk_account_get_signed_in (f->account));
  assert_keyring_syncs (f, "2026-11-21", 750);
  many_clear (&many);
}

/* The service rotates the token, and its answer is lost on the way back.
 * The old app kept the spent token, and its next refresh revoked the
 * sign-in; now the app asks again at once and gets the same pair. */
static void
test_lost_refresh_answer (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *access = NULL;
  guint seen;

  sign_in (f);
  set_entry (f, "2026-11-22", 1000);
  sync_ok (f);

  /* The access token runs out: the next sync refreshes. */
  run_sql (f, "UPDATE oauth_tokens SET expires_at = now () - interval '1 hour' WHERE kind = 'access'");
  set_entry (f, "2026-11-23", 2000);
  seen = token_requests_seen ();
  lose_next_token_answers (1);
  sync_ok (f);
  g_assert_cmpuint (token_requests_seen (), ==, seen + 2);
  g_assert_true (milk_account_get_signed_in (f->account));
  assert_keyring_syncs (f, "2026-11-23", 2000);

  /* and the pair rotates on as any other */
  run_sql (f, "UPDATE oauth_tokens SET expires_at = now () - interval '1 hour' WHERE kind = 'access'");
  set_entry (f, "2026-11-24", 3000);
  sync_ok (f);
  assert_keyring_syncs (f, "2026-11-24", 3000);
}

/* The app crashed after the service rotated its token and before the new
 * pair reached the keyring: it starts again with the spent token. The old
 * service revoked the sign-in; within the grace it gets the same pair. */
static void
test_crash_before_save (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(MilkTestClient) client = milk_test_client_new ();
  g_autofree char *spent = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *given = NULL;

  sign_in (f);
  set_entry (f, "2026-11-25", 1500);
  spent = keyring_token (f, "refresh_token");

  /* The refresh the app sent before it died, answered by the service. */
  g_assert_cmpuint (milk_test_form (client, f->server, "/oauth/token", "grant_type", "refresh_token",
                                    "refresh_token", spent, "client_id", MILK_TEST_CLIENT_ID, NULL), ==, 200);
  given = g_strdup (json_object_get_string_member (milk_test_json (client), "refresh_token"));

  /* The app starts again: a new account object from the keyring. */
  g_clear_object (&f->sync);
  g_clear_object (&f->account);
  f->account = milk_account_new (proxy_url, milk_store_get_node (f->store));
  f->sync = milk_sync_service_new (f->store, f->account);
  loaded (f->account);
  sync_ok (f);
  g_assert_true (milk_account_get_signed_in (f->account));
  saved = keyring_token (f, "refresh_token");
  g_assert_cmpstr (saved, ==, given);
  assert_keyring_syncs (f, "2026-11-25", 1500);
}

/* Locks or unlocks the session gnome-keyring's default collection (the
 * "login" one build-aux/dev creates with the password "milk"). */
static void
lock_keyring (gboolean locked)
{
  g_autoptr(GError) error = NULL;

  if (locked)
    {
      /* Neither the service's collections nor their items are loaded: an
       * item that an earlier sign-in's clean-up deletes meanwhile made
       * loading them fail ("No such secret item", seen in CI). */
      g_autoptr(SecretService) service = secret_service_get_sync (SECRET_SERVICE_NONE, NULL, &error);
      g_autoptr(SecretCollection) collection = NULL;
      GList *objects;

      g_assert_no_error (error);
      if (error != NULL)
        return;
      collection = secret_collection_for_alias_sync (service, SECRET_COLLECTION_DEFAULT,
                                                     SECRET_COLLECTION_NONE, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (collection);
      if (collection == NULL)
        return;
      objects = g_list_append (NULL, collection);
      g_assert_cmpint (secret_service_lock_sync (service, objects, NULL, NULL, &error), ==, 1);
      g_assert_no_error (error);
      g_list_free (objects);
    }
  else
    {
      /* gnome-keyring's own call for unlocking with the password, in a
       * plain session: no prompt in a headless session. */
      g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
      g_autoptr(GVariant) opened = NULL;
      g_autoptr(GVariant) unlocked = NULL;
      const char *session = NULL;
      const char *password = "milk";   /* build-aux/dev's */

      g_assert_no_error (error);
      opened = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                            "org.freedesktop.Secret.Service", "OpenSession",
                                            g_variant_new ("(sv)", "plain", g_variant_new_string ("")),
                                            G_VARIANT_TYPE ("(vo)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
      g_assert_no_error (error);
      g_variant_get (opened, "(v&o)", NULL, &session);
      unlocked = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                              "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
                                              "UnlockWithMasterPassword",
                                              g_variant_new ("(o(o@ay@ays))", "/org/freedesktop/secrets/collection/login",
                                                             session,
                                                             g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, "", 0, 1),
                                                             g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, password,
                                                                                        strlen (password), 1),
                                                             "text/plain"),
                                              NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
      g_assert_no_error (error);
    }
}

/* The keyring refuses the new pair (locked meanwhile). The old app used the
 * pair anyway and only logged the failure, so the keyring kept a spent
 * token and the next start was signed out. Now the sync says so, the pair
 * is kept unspent, and once the keyring is back it is saved, without a
 * second refresh, and the app syncs with it. */
static void
test_keyring_refuses_new_pair (Fixture       *f,
                               gconstpointer  data)
{
  MilkTestWait w = { 0 };
  g_autofree char *spent = NULL;
  g_autofree char *saved = NULL;
  guint seen;

  sign_in (f);
  set_entry (f, "2026-11-26", 900);
  sync_ok (f);
  spent = keyring_token (f, "refresh_token");

  run_sql (f, "UPDATE oauth_tokens SET expires_at = now () - interval '1 hour' WHERE kind = 'access'");
  lock_keyring (TRUE);
  seen = token_requests_seen ();
  milk_sync_service_sync_async (f->sync, NULL, milk_test_wait_done, &w);
  milk_test_wait (&w);
  g_assert_false (w.ok);
  g_assert_error (w.error, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_KEYRING);
  g_clear_error (&w.error);
  g_assert_cmpint (milk_sync_service_get_status (f->sync), ==, MILK_SYNC_ERROR);
  g_assert_nonnull (strstr (milk_sync_service_get_message (f->sync), "keyring"));
  g_assert_true (milk_account_get_signed_in (f->account));
  g_assert_cmpuint (token_requests_seen (), ==, seen + 1);

  lock_keyring (FALSE);
  saved = keyring_token (f, "refresh_token");
  g_assert_cmpstr (saved, ==, spent);
  sync_ok (f);
  g_assert_cmpuint (token_requests_seen (), ==, seen + 1);
  g_free (saved);
  saved = keyring_token (f, "refresh_token");
  g_assert_cmpstr (saved, !=, spent);
  assert_keyring_syncs (f, "2026-11-26", 900);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  xdg_root = milk_e2e_register_browser ();
  if (!milk_test_init (&argc, &argv))
    return milk_test_run_skipped ("/e2e/tokens");
  proxy_url = milk_e2e_proxy_start (&proxy_hooks);

#define ADD(path, func) g_test_add ("/e2e/tokens/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("eight-refreshes-at-once", test_eight_refreshes_at_once);
  ADD ("eight-processes-refresh-at-once", test_eight_processes_refresh_at_once);
  ADD ("lost-refresh-answer", test_lost_refresh_answer);
  ADD ("crash-before-save", test_crash_before_save);
  ADD ("keyring-refuses-new-pair", test_keyring_refuses_new_pair);
  ADD ("account-kept", test_account_kept);
#undef ADD

  status = g_test_run ();
  milk_test_cleanup ();
  return status;
}
