/* test-server-oauth.c — the OAuth 2.0 code flow with PKCE and its refusals
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "milk-server-test.h"

static MilkTestServer *server;

#define VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

typedef struct
{
  MilkTestClient *browser;
  char *code;
} Flow;

/* Signs a new account in and gets a code for VERIFIER. */
static void
flow_start (Flow       *flow,
            const char *email)
{
  g_autofree char *csrf = NULL;
  g_autofree char *location = NULL;
  g_autofree char *state = NULL;
  g_autofree char *iss = NULL;

  flow->browser = milk_test_client_new ();
  milk_test_request (flow->browser, server, "GET", "/signup", NULL, NULL, 0, NULL);
  csrf = milk_test_page_csrf (flow->browser);
  milk_test_form (flow->browser, server, "/signup", "csrf", csrf, "email", email, "password", MILK_TEST_PASSWORD,
                  "confirm", MILK_TEST_PASSWORD, NULL);
  g_assert_cmpuint (flow->browser->status, ==, 303);

  location = milk_test_authorize (server, flow->browser, MILK_TEST_REDIRECT, VERIFIER, "xyz-state");
  g_assert_true (g_str_has_prefix (location, "http://127.0.0.1:49152/oauth/callback?"));
  state = milk_test_query_param (location, "state");
  g_assert_cmpstr (state, ==, "xyz-state");
  iss = milk_test_query_param (location, "iss");
  g_assert_cmpstr (iss, ==, server->url);
  flow->code = milk_test_query_param (location, "code");
  g_assert_nonnull (flow->code);
  g_assert_cmpuint (strlen (flow->code), ==, 43);
}

static void
flow_clear (Flow *flow)
{
  milk_test_client_free (flow->browser);
  g_free (flow->code);
}

static guint
exchange (MilkTestClient *client,
          const char     *code,
          const char     *redirect_uri,
          const char     *verifier)
{
  return milk_test_form (client, server, "/oauth/token", "grant_type", "authorization_code", "code", code,
                         "redirect_uri", redirect_uri, "client_id", MILK_TEST_CLIENT_ID,
                         "code_verifier", verifier, NULL);
}

static guint
refresh (MilkTestClient *client,
         const char     *token)
{
  return milk_test_form (client, server, "/oauth/token", "grant_type", "refresh_token", "refresh_token", token,
                         "client_id", MILK_TEST_CLIENT_ID, NULL);
}

static guint
sync_status (MilkTestClient *client,
             const char     *access_token)
{
  const char *body = "{\"cursor\":null,\"node\":\"00000000000000aa\",\"changes\":[]}";

  return milk_test_request (client, server, "POST", "/api/v1/sync", "application/json", body, -1, access_token);
}

static void
test_metadata (void)
{
  g_autoptr(MilkTestClient) client = milk_test_client_new ();
  g_autofree char *token = NULL;
  JsonObject *doc;
  JsonArray *methods;

  g_assert_cmpuint (milk_test_request (client, server, "GET", "/.well-known/oauth-authorization-server",
                                       NULL, NULL, 0, NULL), ==, 200);
  doc = milk_test_json (client);
  g_assert_cmpstr (json_object_get_string_member (doc, "issuer"), ==, server->url);
  token = g_strconcat (server->url, "/oauth/token", NULL);
  g_assert_cmpstr (json_object_get_string_member (doc, "token_endpoint"), ==, token);
  g_assert_true (json_object_has_member (doc, "authorization_endpoint"));
  g_assert_true (json_object_has_member (doc, "revocation_endpoint"));
  methods = json_object_get_array_member (doc, "code_challenge_methods_supported");
  g_assert_cmpuint (json_array_get_length (methods), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (methods, 0), ==, "S256");
}

static void
test_full_flow (void)
{
  Flow flow = { 0 };
  g_autoptr(MilkTestClient) app = milk_test_client_new ();
  g_autofree char *access = NULL;
  g_autofree char *refresh_token = NULL;
  JsonObject *tokens;

  flow_start (&flow, "flow@example.com");
  g_assert_cmpuint (exchange (app, flow.code, MILK_TEST_REDIRECT, VERIFIER), ==, 200);
  g_assert_cmpstr (milk_test_header (app, "Cache-Control"), ==, "no-store");
  tokens = milk_test_json (app);
  g_assert_cmpstr (json_object_get_string_member (tokens, "token_type"), ==, "Bearer");
  g_assert_cmpint (json_object_get_int_member (tokens, "expires_in"), >, 0);
  g_assert_cmpint (json_object_get_int_member (tokens, "expires_in"), <=, 3600);
  access = g_strdup (json_object_get_string_member (tokens, "access_token"));
  refresh_token = g_strdup (json_object_get_string_member (tokens, "refresh_token"));
  g_assert_cmpuint (strlen (access), ==, 43);   /* 256 bits, base64url */
  g_assert_cmpstr (access, !=, refresh_token);

  g_assert_cmpuint (sync_status (app, access), ==, 200);

  /* The loopback port may differ from the one of the request: no, it must
   * be the same URI at the token endpoint. Any port works at authorize. */
  {
    g_autofree char *location = milk_test_authorize (server, flow.browser, "http://127.0.0.1:61000/oauth/callback",
                                                     VERIFIER, "p2");
    g_autofree char *code = milk_test_query_param (location, "code");

    g_assert_true (g_str_has_prefix (location, "http://127.0.0.1:61000/oauth/callback?"));
    g_assert_cmpuint (exchange (app, code, "http://127.0.0.1:61000/oauth/callback", VERIFIER), ==, 200);
  }

  /* Tokens are kept only as hashes. */
  {
    PGconn *db = milk_test_db_connect (server);
    const char *params[] = { access };
    PGresult *result = PQexecParams (db, "SELECT count(*) FROM oauth_tokens WHERE token_hash = $1",
                                     1, NULL, params, NULL, NULL, 0);

    g_assert_cmpstr (PQgetvalue (result, 0, 0), ==, "0");
    PQclear (result);
    PQfinish (db);
  }
  flow_clear (&flow);
}

static void
test_wrong_verifier (void)
{
  Flow flow = { 0 };
  g_autoptr(MilkTestClient) app = milk_test_client_new ();

  flow_start (&flow, "verifier@example.com");
  exchange (app, flow.code, MILK_TEST_REDIRECT, "x" VERIFIER);
  milk_test_assert_error (app, 400, "invalid_grant");
  /* Nor can the right verifier use the code afterwards: it is spent. */
  exchange (app, flow.code, MILK_TEST_REDIRECT, VERIFIER);
  milk_test_assert_error (app, 400, "invalid_grant");
  /* A malformed verifier is a malformed request. */
  exchange (app, flow.code, MILK_TEST_REDIRECT, "short");
  milk_test_assert_error (app, 400, "invalid_request");
  flow_clear (&flow);
}

static void
test_wrong_redirect (void)
{
  Flow flow = { 0 };
  g_autoptr(MilkTestClient) app = milk_test_client_new ();
  g_autofree char *challenge = milk_test_pkce_challenge (VERIFIER);
  const char *bad[] = {
    "https://evil.example/oauth/callback",
    "http://127.0.0.1:49152/other",
    "http://localhost:49152/oauth/callback",
    "http://127.0.0.1:49152/oauth/callback?x=1",
    "http://127.0.0.2:49152/oauth/callback",
    /* Compared as a string: no case, encoding, odd port or extra part. */
    "HTTP://127.0.0.1:49152/oauth/callback",
    "http://127.0.0.1:0/oauth/callback",
    "http://127.0.0.1:049152/oauth/callback",
    "http://127.0.0.1:65536/oauth/callback",
    "http://127.0.0.1/oauth/callback",
    "http://127.0.0.1:49152/oauth/%63allback",
    "http://127.0.0.1:49152/oauth/callback#x",
    "http://127.0.0.1:49152/oauth/callback/",
    "http://user@127.0.0.1:49152/oauth/callback",
    "http://127.0.0.1:49152@evil.example/oauth/callback",
  };

  flow_start (&flow, "redirect@example.com");
  /* At the token endpoint: a different port is a different URI. */
  exchange (app, flow.code, "http://127.0.0.1:49153/oauth/callback", VERIFIER);
  milk_test_assert_error (app, 400, "invalid_grant");

  /* At authorize: never redirected to, an error page instead. */
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *query = soup_form_encode ("response_type", "code", "client_id", MILK_TEST_CLIENT_ID,
                                                 "redirect_uri", bad[i], "code_challenge", challenge,
                                                 "code_challenge_method", "S256", "state", "s", NULL);
      g_autofree char *path = g_strconcat ("/oauth/authorize?", query, NULL);

      g_assert_cmpuint (milk_test_request (flow.browser, server, "GET", path, NULL, NULL, 0, NULL), ==, 400);
      g_assert_null (milk_test_header (flow.browser, "Location"));
    }

  /* An unknown client: the same. */
  {
    g_autofree char *query = soup_form_encode ("response_type", "code", "client_id", "someone-else",
                                               "redirect_uri", MILK_TEST_REDIRECT, "code_challenge", challenge,
                                               "code_challenge_method", "S256", NULL);
    g_autofree char *path = g_strconcat ("/oauth/authorize?", query, NULL);

    g_assert_cmpuint (milk_test_request (flow.browser, server, "GET", path, NULL, NULL, 0, NULL), ==, 400);
  }
  flow_clear (&flow);
}

static void
test_pkce_required (void)
{
  Flow flow = { 0 };
  const char *cases[][2] = {
    { NULL, NULL },          /* no challenge at all */
    { "plain", VERIFIER },   /* plain is not offered */
  };

  flow_start (&flow, "pkce@example.com");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *query = soup_form_encode ("response_type", "code", "client_id", MILK_TEST_CLIENT_ID,
                                                 "redirect_uri", MILK_TEST_REDIRECT, "state", "abc",
                                                 cases[i][0] ? "code_challenge_method" : NULL, cases[i][0],
                                                 "code_challenge", cases[i][1], NULL);
      g_autofree char *path = g_strconcat ("/oauth/authorize?", query, NULL);
      g_autofree char *error = NULL;
      g_autofree char *state = NULL;
      const char *location;

      milk_test_request (flow.browser, server, "GET", path, NULL, NULL, 0, NULL);
      g_assert_cmpuint (flow.browser->status, ==, 303);
      location = milk_test_header (flow.browser, "Location");
      error = milk_test_query_param (location, "error");
      state = milk_test_query_param (location, "state");
      g_assert_cmpstr (error, ==, "invalid_request");
      g_assert_cmpstr (state, ==, "abc");
    }

  /* response_type=token is not offered (RFC 9700: no implicit grant). */
  {
    g_autofree char *challenge = milk_test_pkce_challenge (VERIFIER);
    g_autofree char *query = soup_form_encode ("response_type", "token", "client_id", MILK_TEST_CLIENT_ID,
                                               "redirect_uri", MILK_TEST_REDIRECT, "code_challenge", challenge,
                                               "code_challenge_method", "S256", NULL);
    g_autofree char *path = g_strconcat ("/oauth/authorize?", query, NULL);
    g_autofree char *error = NULL;

    milk_test_request (flow.browser, server, "GET", path, NULL, NULL, 0, NULL);
    error = milk_test_query_param (milk_test_header (flow.browser, "Location"), "error");
    g_assert_cmpstr (error, ==, "unsupported_response_type");
  }
  flow_clear (&flow);
}

static void
test_reused_code (void)
{
  Flow flow = { 0 };
  g_autoptr(MilkTestClient) app = milk_test_client_new ();
  g_autofree char *access = NULL;

  flow_start (&flow, "reuse@example.com");
  g_assert_cmpuint (exchange (app, flow.code, MILK_TEST_REDIRECT, VERIFIER), ==, 200);
  access = g_strdup (json_object_get_string_member (milk_test_json (app), "access_token"));
  g_assert_cmpuint (sync_status (app, access), ==, 200);

  exchange (app, flow.code, MILK_TEST_REDIRECT, VERIFIER);
  milk_test_assert_error (app, 400, "invalid_grant");
  /* RFC 6749 4.1.2: what the code granted is revoked too. */
  g_assert_cmpuint (sync_status (app, access), ==, 401);
  flow_clear (&flow);
}

static void
test_expired_code (void)
{
  Flow flow = { 0 };
  g_autoptr(MilkTestClient) app = milk_test_client_new ();
  PGconn *db = milk_test_db_connect (server);
  PGresult *result;

  flow_start (&flow, "expired@example.com");
  /* Two minutes pass (codes live about one). */
  result = PQexec (db, "UPDATE oauth_codes SET expires_at = expires_at - interval '2 minutes'");
  g_assert_cmpint (PQresultStatus (result), ==, PGRES_COMMAND_OK);
  PQclear (result);
  PQfinish (db);

  exchange (app, flow.code, MILK_TEST_REDIRECT, VERIFIER);
  milk_test_assert_error (app, 400, "invalid_grant");
  flow_clear (&flow);
}

/* A minute and more goes by since the token was rotated: past the grace
 * in which a repeat gets the same pair. */
static void
pass_grace (const char *refresh_token)
{
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, refresh_token, -1);
  PGconn *db = milk_test_db_connect (server);
  const char *params[] = { hash };
  PGresult *result = PQexecParams (db, "UPDATE oauth_tokens SET used_at = used_at - interval '61 seconds'"
                                       " WHERE token_hash = $1 AND used_at IS NOT NULL",
                                   1, NULL, params, NULL, NULL, 0);

  g_assert_cmpint (PQresultStatus (result), ==, PGRES_COMMAND_OK);
  g_assert_cmpstr (PQcmdTuples (result), ==, "1");
  PQclear (result);
  PQfinish (db);
}

/* A new sign-in's pair. */
static void
sign_in_pair (const char  *email,
              char       **access,
              char       **refresh_token)
{
  Flow flow = { 0 };
  g_autoptr(MilkTestClient) app = milk_test_client_new ();

  flow_start (&flow, email);
  g_assert_cmpuint (exchange (app, flow.code, MILK_TEST_REDIRECT, VERIFIER), ==, 200);
  *access = g_strdup (json_object_get_string_member (milk_test_json (app), "access_token"));
  *refresh_token = g_strdup (json_object_get_string_member (milk_test_json (app), "refresh_token"));
  flow_clear (&flow);
}

/* Refreshes with token; the new pair. */
static void
refresh_ok (MilkTestClient *app,
            const char     *token,
            char          **access,
            char          **refresh_token)
{
  g_assert_cmpuint (refresh (app, token), ==, 200);
  g_assert_cmpstr (milk_test_header (app, "Cache-Control"), ==, "no-store");
  *access = g_strdup (json_object_get_string_member (milk_test_json (app), "access_token"));
  *refresh_token = g_strdup (json_object_get_string_member (milk_test_json (app), "refresh_token"));
}

/* No table row and no log line holds the token itself. */
static void
assert_token_kept_secret (const char *token)
{
  PGconn *db = milk_test_db_connect (server);
  const char *params[] = { token };
  PGresult *result = PQexecParams (db, "SELECT count(*) FROM oauth_tokens WHERE strpos (token_hash || ' '"
                                       " || coalesce (successor_hash, '') || ' ' || coalesce (successor_box, ''),"
                                       " $1) > 0",
                                   1, NULL, params, NULL, NULL, 0);
  g_autofree char *log = milk_test_server_log (server);

  g_assert_cmpstr (PQgetvalue (result, 0, 0), ==, "0");
  PQclear (result);
  PQfinish (db);
  g_assert_null (strstr (log, token));
}

static void
test_refresh_rotation (void)
{
  Flow flow = { 0 };
  g_autoptr(MilkTestClient) app = milk_test_client_new ();
  g_autofree char *access1 = NULL, *refresh1 = NULL, *access2 = NULL, *refresh2 = NULL;

  flow_start (&flow, "rotate@example.com");
  g_assert_cmpuint (exchange (app, flow.code, MILK_TEST_REDIRECT, VERIFIER), ==, 200);
  access1 = g_strdup (json_object_get_string_member (milk_test_json (app), "access_token"));
  refresh1 = g_strdup (json_object_get_string_member (milk_test_json (app), "refresh_token"));

  g_assert_cmpuint (refresh (app, refresh1), ==, 200);
  access2 = g_strdup (json_object_get_string_member (milk_test_json (app), "access_token"));
  refresh2 = g_strdup (json_object_get_string_member (milk_test_json (app), "refresh_token"));
  g_assert_cmpstr (refresh1, !=, refresh2);
  g_assert_cmpuint (sync_status (app, access2), ==, 200);

  /* The spent refresh token comes back after the grace: the whole family
   * goes (a repeat within it is /server/oauth/refresh-repeat-in-grace). */
  pass_grace (refresh1);
  refresh (app, refresh1);
  milk_test_assert_error (app, 400, "invalid_grant");
  g_assert_cmpuint (sync_status (app, access2), ==, 401);
  g_assert_cmpstr (milk_test_header (app, "WWW-Authenticate"), ==,
                   "Bearer realm=\"milk-diary\", error=\"invalid_token\"");
  refresh (app, refresh2);
  milk_test_assert_error (app, 400, "invalid_grant");

  /* Garbage and the wrong grant type. */
  refresh (app, "not-a-token");
  milk_test_assert_error (app, 400, "invalid_grant");
  milk_test_form (app, server, "/oauth/token", "grant_type", "password", "client_id", MILK_TEST_CLIENT_ID, NULL);
  milk_test_assert_error (app, 400, "unsupported_grant_type");
  milk_test_form (app, server, "/oauth/token", "grant_type", "refresh_token", "refresh_token", refresh2,
                  "client_id", "someone-else", NULL);
  milk_test_assert_error (app, 401, "invalid_client");
  flow_clear (&flow);
}

/* Issue 14: the app's answer was lost (or the app crashed before saving
 * it) and it asks again with the same refresh token, a moment later. The
 * old service revoked the sign-in; now the repeat gets the same pair, and
 * both its tokens keep working. */
static void
test_refresh_repeat_in_grace (void)
{
  g_autoptr(MilkTestClient) app = milk_test_client_new ();
  g_autofree char *access1 = NULL, *refresh1 = NULL, *access2 = NULL, *refresh2 = NULL;
  g_autofree char *again_access = NULL, *again_refresh = NULL, *access3 = NULL, *refresh3 = NULL;

  sign_in_pair ("repeat@example.com", &access1, &refresh1);
  refresh_ok (app, refresh1, &access2, &refresh2);
  refresh_ok (app, refresh1, &again_access, &again_refresh);
  g_assert_cmpstr (again_access, ==, access2);
  g_assert_cmpstr (again_refresh, ==, refresh2);
  g_assert_cmpint (json_object_get_int_member (milk_test_json (app), "expires_in"), >, 3500);
  g_assert_cmpuint (sync_status (app, access2), ==, 200);
  /* The old access token was retired by the rotation, not brought back. */
  g_assert_cmpuint (sync_status (app, access1), ==, 401);

  /* The pair given twice is an ordinary pair: it rotates as any other. */
  refresh_ok (app, refresh2, &access3, &refresh3);
  g_assert_cmpstr (refresh3, !=, refresh2);
  g_assert_cmpuint (sync_status (app, access3), ==, 200);

  /* What the repeat could be answered with is not kept in the clear. */
  assert_token_kept_secret (refresh1);
  assert_token_kept_secret (refresh2);
  assert_token_kept_secret (access2);
  assert_token_kept_secret (refresh3);
  assert_token_kept_secret (access3);
}

/* After the grace, the same repeat is what RFC 9700 4.14.2 says it is: a
 * copy in someone else's hands. The whole sign-in is revoked. */
static void
test_refresh_reuse_after_grace (void)
{
  g_autoptr(MilkTestClient) app = milk_test_client_new ();
  g_autofree char *access1 = NULL, *refresh1 = NULL, *access2 = NULL, *refresh2 = NULL;

  sign_in_pair ("after-grace@example.com", &access1, &refresh1);
  refresh_ok (app, refresh1, &access2, &refresh2);
  pass_grace (refresh1);

  refresh (app, refresh1);
  milk_test_assert_error (app, 400, "invalid_grant");
  g_assert_cmpuint (sync_status (app, access2), ==, 401);
  refresh (app, refresh2);
  milk_test_assert_error (app, 400, "invalid_grant");
  /* and the repeat stays refused */
  refresh (app, refresh1);
  milk_test_assert_error (app, 400, "invalid_grant");
}

/* Within the grace too, only the token just rotated is forgiven: one two
 * rotations back, or one whose successor was already used, is reuse. */
static void
test_refresh_older_token_revokes (void)
{
  g_autoptr(MilkTestClient) app = milk_test_client_new ();
  g_autofree char *access1 = NULL, *refresh1 = NULL, *access2 = NULL, *refresh2 = NULL;
  g_autofree char *access3 = NULL, *refresh3 = NULL;

  sign_in_pair ("older@example.com", &access1, &refresh1);
  refresh_ok (app, refresh1, &access2, &refresh2);
  refresh_ok (app, refresh2, &access3, &refresh3);
  g_assert_cmpuint (sync_status (app, access3), ==, 200);

  refresh (app, refresh1);
  milk_test_assert_error (app, 400, "invalid_grant");
  g_assert_cmpuint (sync_status (app, access3), ==, 401);
  refresh (app, refresh3);
  milk_test_assert_error (app, 400, "invalid_grant");
  refresh (app, refresh2);
  milk_test_assert_error (app, 400, "invalid_grant");
}

/* MILK_REFRESH_GRACE_S=0 turns the grace off: a repeat at once revokes. */
static void
test_refresh_grace_off (void)
{
  MilkTestServer *shared = server;
  const char *env[] = { "MILK_REFRESH_GRACE_S", "0", NULL };
  g_autoptr(MilkTestClient) app = milk_test_client_new ();
  g_autofree char *access1 = NULL, *refresh1 = NULL, *access2 = NULL, *refresh2 = NULL;

  server = milk_test_server_start (env);
  sign_in_pair ("grace-off@example.com", &access1, &refresh1);
  refresh_ok (app, refresh1, &access2, &refresh2);
  refresh (app, refresh1);
  milk_test_assert_error (app, 400, "invalid_grant");
  g_assert_cmpuint (sync_status (app, access2), ==, 401);
  milk_test_server_stop (server, SIGTERM);
  server = shared;
}

typedef struct
{
  const char *token;
  GMutex *lock;
  GCond *cond;
  gboolean *go;
  guint status;
  char *access;
  char *refresh_token;
} Racer;

static gpointer
race_refresh (gpointer data)
{
  Racer *r = data;
  g_autoptr(MilkTestClient) app = milk_test_client_new ();

  g_mutex_lock (r->lock);
  while (!*r->go)
    g_cond_wait (r->cond, r->lock);
  g_mutex_unlock (r->lock);
  r->status = refresh (app, r->token);
  if (r->status == 200)
    {
      r->access = g_strdup (json_object_get_string_member (milk_test_json (app), "access_token"));
      r->refresh_token = g_strdup (json_object_get_string_member (milk_test_json (app), "refresh_token"));
    }
  return NULL;
}

/* Eight refreshes with one token, sent at once, each on its own connection
 * (the app and `milk-diary --sync` on one keyring item). The old service
 * answered one and revoked the sign-in for the other seven; now all eight
 * get the one new pair. */
static void
test_refresh_parallel_same_pair (void)
{
  g_autoptr(MilkTestClient) app = milk_test_client_new ();
  g_autofree char *access1 = NULL, *refresh1 = NULL, *access3 = NULL, *refresh3 = NULL;
  Racer racers[8] = { 0 };
  GThread *threads[8];
  GMutex lock;
  GCond cond;
  gboolean go = FALSE;

  g_mutex_init (&lock);
  g_cond_init (&cond);
  sign_in_pair ("parallel@example.com", &access1, &refresh1);
  for (guint i = 0; i < G_N_ELEMENTS (racers); i++)
    {
      racers[i] = (Racer) { refresh1, &lock, &cond, &go };
      threads[i] = g_thread_new ("refresh", race_refresh, &racers[i]);
    }
  g_mutex_lock (&lock);
  go = TRUE;
  g_cond_broadcast (&cond);
  g_mutex_unlock (&lock);
  for (guint i = 0; i < G_N_ELEMENTS (racers); i++)
    g_thread_join (threads[i]);

  for (guint i = 0; i < G_N_ELEMENTS (racers); i++)
    {
      g_assert_cmpuint (racers[i].status, ==, 200);
      g_assert_cmpstr (racers[i].access, ==, racers[0].access);
      g_assert_cmpstr (racers[i].refresh_token, ==, racers[0].refresh_token);
    }
  g_assert_cmpstr (racers[0].refresh_token, !=, refresh1);
  g_assert_cmpuint (sync_status (app, racers[0].access), ==, 200);
  refresh_ok (app, racers[0].refresh_token, &access3, &refresh3);
  g_assert_cmpuint (sync_status (app, access3), ==, 200);

  for (guint i = 0; i < G_N_ELEMENTS (racers); i++)
    {
      g_free (racers[i].access);
      g_free (racers[i].refresh_token);
    }
  g_mutex_clear (&lock);
  g_cond_clear (&cond);
}

static void
test_revoke (void)
{
  Flow flow = { 0 };
  g_autoptr(MilkTestClient) app = milk_test_client_new ();
  g_autofree char *access = NULL, *refresh_token = NULL;

  flow_start (&flow, "revoke@example.com");
  g_assert_cmpuint (exchange (app, flow.code, MILK_TEST_REDIRECT, VERIFIER), ==, 200);
  access = g_strdup (json_object_get_string_member (milk_test_json (app), "access_token"));
  refresh_token = g_strdup (json_object_get_string_member (milk_test_json (app), "refresh_token"));

  /* Revoking the refresh token ends the sign-in: its access token too. */
  g_assert_cmpuint (milk_test_form (app, server, "/oauth/revoke", "token", refresh_token,
                                    "token_type_hint", "refresh_token", "client_id", MILK_TEST_CLIENT_ID, NULL),
                    ==, 200);
  g_assert_cmpuint (sync_status (app, access), ==, 401);
  refresh (app, refresh_token);
  milk_test_assert_error (app, 400, "invalid_grant");

  /* RFC 7009 2.2: an unknown token is answered the same way. */
  g_assert_cmpuint (milk_test_form (app, server, "/oauth/revoke", "token", "never-issued",
                                    "client_id", MILK_TEST_CLIENT_ID, NULL), ==, 200);
  milk_test_form (app, server, "/oauth/revoke", "client_id", MILK_TEST_CLIENT_ID, NULL);
  milk_test_assert_error (app, 400, "invalid_request");
  flow_clear (&flow);
}

static void
test_revoke_access_only (void)
{
  Flow flow = { 0 };
  g_autoptr(MilkTestClient) app = milk_test_client_new ();
  g_autofree char *access = NULL, *refresh_token = NULL;

  flow_start (&flow, "revoke-access@example.com");
  g_assert_cmpuint (exchange (app, flow.code, MILK_TEST_REDIRECT, VERIFIER), ==, 200);
  access = g_strdup (json_object_get_string_member (milk_test_json (app), "access_token"));
  refresh_token = g_strdup (json_object_get_string_member (milk_test_json (app), "refresh_token"));
  g_assert_cmpuint (milk_test_form (app, server, "/oauth/revoke", "token", access,
                                    "client_id", MILK_TEST_CLIENT_ID, NULL), ==, 200);
  g_assert_cmpuint (sync_status (app, access), ==, 401);
  g_assert_cmpuint (refresh (app, refresh_token), ==, 200);
  flow_clear (&flow);
}

static void
test_consent_denied (void)
{
  Flow flow = { 0 };
  g_autofree char *challenge = milk_test_pkce_challenge (VERIFIER);
  g_autofree char *csrf = NULL;
  g_autofree char *error = NULL;
  g_autofree char *query = NULL;
  g_autofree char *path = NULL;

  flow_start (&flow, "deny@example.com");
  query = soup_form_encode ("response_type", "code", "client_id", MILK_TEST_CLIENT_ID,
                            "redirect_uri", MILK_TEST_REDIRECT, "code_challenge", challenge,
                            "code_challenge_method", "S256", "state", "d", NULL);
  path = g_strconcat ("/oauth/authorize?", query, NULL);
  g_assert_cmpuint (milk_test_request (flow.browser, server, "GET", path, NULL, NULL, 0, NULL), ==, 200);
  csrf = milk_test_page_csrf (flow.browser);
  milk_test_form (flow.browser, server, "/oauth/authorize", "response_type", "code", "client_id", MILK_TEST_CLIENT_ID,
                  "redirect_uri", MILK_TEST_REDIRECT, "code_challenge", challenge, "code_challenge_method", "S256",
                  "state", "d", "csrf", csrf, "decision", "deny", NULL);
  g_assert_cmpuint (flow.browser->status, ==, 303);
  error = milk_test_query_param (milk_test_header (flow.browser, "Location"), "error");
  g_assert_cmpstr (error, ==, "access_denied");

  /* Approving without the form's token is a forged request. */
  milk_test_form (flow.browser, server, "/oauth/authorize", "response_type", "code", "client_id", MILK_TEST_CLIENT_ID,
                  "redirect_uri", MILK_TEST_REDIRECT, "code_challenge", challenge, "code_challenge_method", "S256",
                  "state", "d", "csrf", "forged", "decision", "allow", NULL);
  g_assert_cmpuint (flow.browser->status, ==, 403);
  flow_clear (&flow);
}

static void
test_signed_out_authorize (void)
{
  g_autoptr(MilkTestClient) browser = milk_test_client_new ();
  g_autofree char *challenge = milk_test_pkce_challenge (VERIFIER);
  g_autofree char *query = soup_form_encode ("response_type", "code", "client_id", MILK_TEST_CLIENT_ID,
                                             "redirect_uri", MILK_TEST_REDIRECT, "code_challenge", challenge,
                                             "code_challenge_method", "S256", "state", "so", NULL);
  g_autofree char *path = g_strconcat ("/oauth/authorize?", query, NULL);

  g_assert_cmpuint (milk_test_request (browser, server, "GET", path, NULL, NULL, 0, NULL), ==, 303);
  g_assert_true (g_str_has_prefix (milk_test_header (browser, "Location"), "/signin?return_to=%2Foauth%2Fauthorize"));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  if (!milk_test_init (&argc, &argv))
    return milk_test_run_skipped ("/server/oauth/skipped");
  server = milk_test_server_start (NULL);

  g_test_add_func ("/server/oauth/metadata", test_metadata);
  g_test_add_func ("/server/oauth/full-flow", test_full_flow);
  g_test_add_func ("/server/oauth/wrong-verifier", test_wrong_verifier);
  g_test_add_func ("/server/oauth/wrong-redirect", test_wrong_redirect);
  g_test_add_func ("/server/oauth/pkce-required", test_pkce_required);
  g_test_add_func ("/server/oauth/reused-code", test_reused_code);
  g_test_add_func ("/server/oauth/expired-code", test_expired_code);
  g_test_add_func ("/server/oauth/refresh-rotation", test_refresh_rotation);
  g_test_add_func ("/server/oauth/refresh-repeat-in-grace", test_refresh_repeat_in_grace);
  g_test_add_func ("/server/oauth/refresh-reuse-after-grace", test_refresh_reuse_after_grace);
  g_test_add_func ("/server/oauth/refresh-older-token-revokes", test_refresh_older_token_revokes);
  g_test_add_func ("/server/oauth/refresh-parallel-same-pair", test_refresh_parallel_same_pair);
  g_test_add_func ("/server/oauth/refresh-grace-off", test_refresh_grace_off);
  g_test_add_func ("/server/oauth/revoke", test_revoke);
  g_test_add_func ("/server/oauth/revoke-access-only", test_revoke_access_only);
  g_test_add_func ("/server/oauth/consent-denied", test_consent_denied);
  g_test_add_func ("/server/oauth/signed-out-authorize", test_signed_out_authorize);
  status = g_test_run ();

  milk_test_server_stop (server, SIGTERM);
  milk_test_cleanup ();
  return status;
}
