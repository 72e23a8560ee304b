/* test-server-external.c — signing in through a provider, against a
 * stand-in for GitHub that implements its documented endpoints
 * (tests/browser/github-stand-in.mjs; GitHub itself cannot be reached)
 *
 * The OpenID Connect path is driven end to end in Chromium against a real
 * provider (tests/e2e/test-e2e-external.c); what the two share (new
 * accounts, linking, the password asked first, unlinking) is tested here.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "milk-server-test.h"
#include "milk-smtp-test.h"

static MilkTestServer *server;
static GSubprocess *github;
static char *github_url;

/* From the sign-in page's button to the service's answer to the callback:
 * GitHub's page is "approved" with primary email `email`. */
static guint
github_sign_in (MilkTestClient *browser,
                const char     *email)
{
  g_autofree char *authorize = NULL;
  g_autofree char *approved = NULL;
  g_autofree char *escaped = g_uri_escape_string (email, NULL, FALSE);
  const char *callback;

  g_assert_cmpuint (milk_test_request (browser, server, "GET", "/signin/external?provider=github&return_to=%2Faccount",
                                       NULL, NULL, 0, NULL), ==, 303);
  authorize = g_strdup (milk_test_header (browser, "Location"));
  g_assert_true (g_str_has_prefix (authorize, github_url));
  g_assert_nonnull (strstr (authorize, "code_challenge_method=S256"));
  approved = g_strdup_printf ("%s&approve=1&email=%s", authorize, escaped);
  g_assert_cmpuint (milk_test_request (browser, server, "GET", approved, NULL, NULL, 0, NULL), ==, 302);
  callback = milk_test_header (browser, "Location");
  g_assert_true (g_str_has_prefix (callback, server->url));
  return milk_test_request (browser, server, "GET", callback, NULL, NULL, 0, NULL);
}

static guint
password_sign_in (MilkTestClient *browser,
                  const char     *email,
                  const char     *password,
                  const char     *link)
{
  g_autofree char *csrf = NULL;

  g_assert_cmpuint (milk_test_request (browser, server, "GET", "/signin", NULL, NULL, 0, NULL), ==, 200);
  csrf = milk_test_page_csrf (browser);
  return milk_test_form (browser, server, "/signin", "csrf", csrf, "email", email, "password", password,
                         "return_to", "/account", "link", link ? link : "", NULL);
}

static char *
hidden_value (MilkTestClient *browser,
              const char     *name)
{
  g_autofree char *marker = g_strdup_printf ("name=\"%s\" value=\"", name);
  const char *at = strstr (milk_test_body (browser), marker);

  if (at == NULL)
    return NULL;
  at += strlen (marker);
  return g_strndup (at, strchr (at, '"') - at);
}

static char *
query (const char *sql,
       const char *param)
{
  PGconn *db = milk_test_db_connect (server);
  PGresult *result = PQexecParams (db, sql, 1, NULL, &param, NULL, NULL, 0);
  char *value;

  g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
  value = g_strdup (PQntuples (result) ? PQgetvalue (result, 0, 0) : "");
  PQclear (result);
  PQfinish (db);
  return value;
}

/* A new person: an account with the verified email, no password, signed
 * in; the same identity later signs in to the same account. */
static void
test_new_account (void)
{
  g_autoptr(MilkTestClient) browser = milk_test_client_new ();
  g_autoptr(MilkTestClient) again = milk_test_client_new ();
  g_autofree char *accounts = NULL;
  g_autofree char *verified = NULL;

  g_assert_cmpuint (milk_test_request (browser, server, "GET", "/signin", NULL, NULL, 0, NULL), ==, 200);
  g_assert_nonnull (strstr (milk_test_body (browser), "Sign in with GitHub"));

  g_assert_cmpuint (github_sign_in (browser, "octo@example.com"), ==, 303);
  g_assert_cmpstr (milk_test_header (browser, "Location"), ==, "/account");
  g_assert_cmpuint (milk_test_request (browser, server, "GET", "/account", NULL, NULL, 0, NULL), ==, 200);
  g_assert_nonnull (strstr (milk_test_body (browser), "Signed in as <strong>octo@example.com"));
  g_assert_nonnull (strstr (milk_test_body (browser), "GitHub (octo@example.com)"));
  /* The only way in: no Unlink button. */
  g_assert_null (strstr (milk_test_body (browser), "Unlink"));
  verified = query ("SELECT email_verified_at IS NOT NULL FROM accounts WHERE email = $1", "octo@example.com");
  g_assert_cmpstr (verified, ==, "t");

  /* No password to guess. */
  g_assert_cmpuint (password_sign_in (again, "octo@example.com", "", NULL), ==, 401);
  g_assert_cmpuint (password_sign_in (again, "octo@example.com", MILK_TEST_PASSWORD, NULL), ==, 401);

  g_assert_cmpuint (github_sign_in (again, "octo@example.com"), ==, 303);
  accounts = query ("SELECT count (*) FROM accounts WHERE email = $1", "octo@example.com");
  g_assert_cmpstr (accounts, ==, "1");
}

/* An account made with a password, whose email nobody verified: the
 * identity waits until its password is given once, then signs in alone. */
static void
test_password_first (void)
{
  g_autoptr(MilkTestAccount) account = milk_test_account_new (server, "mine@example.com");
  g_autoptr(MilkTestClient) intruder = milk_test_client_new ();
  g_autoptr(MilkTestClient) owner = milk_test_client_new ();
  g_autoptr(MilkTestClient) later = milk_test_client_new ();
  g_autofree char *link = NULL;
  g_autofree char *wrong_link = NULL;
  g_autofree char *linked = NULL;

  /* Someone whose GitHub says mine@example.com, without the password. */
  g_assert_cmpuint (github_sign_in (intruder, "mine@example.com"), ==, 200);
  g_assert_nonnull (strstr (milk_test_body (intruder), "Enter its password once"));
  wrong_link = hidden_value (intruder, "link");
  g_assert_nonnull (wrong_link);
  g_assert_cmpuint (strlen (wrong_link), ==, 43);
  g_assert_cmpuint (password_sign_in (intruder, "mine@example.com", "not the password", wrong_link), ==, 401);
  linked = query ("SELECT count (*) FROM identities i JOIN accounts a ON a.id = i.account_id WHERE a.email = $1",
                  "mine@example.com");
  g_assert_cmpstr (linked, ==, "0");
  g_assert_cmpuint (milk_test_request (intruder, server, "GET", "/account", NULL, NULL, 0, NULL), ==, 303);

  /* The owner gives it. */
  g_assert_cmpuint (github_sign_in (owner, "mine@example.com"), ==, 200);
  link = hidden_value (owner, "link");
  g_assert_cmpuint (password_sign_in (owner, "mine@example.com", MILK_TEST_PASSWORD, link), ==, 303);
  g_free (linked);
  linked = query ("SELECT count (*) FROM identities i JOIN accounts a ON a.id = i.account_id WHERE a.email = $1",
                  "mine@example.com");
  g_assert_cmpstr (linked, ==, "1");

  /* From now on GitHub alone signs in; the link worked once. */
  g_assert_cmpuint (github_sign_in (later, "mine@example.com"), ==, 303);
  g_assert_cmpuint (milk_test_request (later, server, "GET", "/account", NULL, NULL, 0, NULL), ==, 200);
  g_assert_nonnull (strstr (milk_test_body (later), "Signed in as <strong>mine@example.com"));
}

/* An account whose email is verified is linked at once. */
static void
test_verified_account_linked (void)
{
  g_autoptr(MilkTestAccount) account = milk_test_account_new (server, "checked@example.com");
  g_autoptr(MilkTestClient) browser = milk_test_client_new ();
  PGconn *db = milk_test_db_connect (server);

  PQclear (PQexec (db, "UPDATE accounts SET email_verified_at = now () WHERE email = 'checked@example.com'"));
  PQfinish (db);
  g_assert_cmpuint (github_sign_in (browser, "checked@example.com"), ==, 303);
  g_assert_cmpuint (milk_test_request (browser, server, "GET", "/account", NULL, NULL, 0, NULL), ==, 200);
  g_assert_nonnull (strstr (milk_test_body (browser), "GitHub (checked@example.com)"));
}

/* A provider that does not vouch for the email makes no account. */
static void
test_unverified_email_refused (void)
{
  g_autoptr(MilkTestClient) browser = milk_test_client_new ();
  g_autofree char *accounts = NULL;

  g_assert_cmpuint (github_sign_in (browser, "unverified@example.com"), ==, 403);
  g_assert_nonnull (strstr (milk_test_body (browser), "No verified email"));
  accounts = query ("SELECT count (*) FROM accounts WHERE email = $1", "unverified@example.com");
  g_assert_cmpstr (accounts, ==, "0");
}

/* A callback must come back to the browser that started the sign-in, and
 * only once. */
static void
test_state_bound_to_browser (void)
{
  g_autoptr(MilkTestClient) victim = milk_test_client_new ();
  g_autoptr(MilkTestClient) attacker = milk_test_client_new ();
  g_autofree char *authorize = NULL;
  g_autofree char *approved = NULL;
  g_autofree char *callback = NULL;

  g_assert_cmpuint (milk_test_request (attacker, server, "GET", "/signin/external?provider=github", NULL, NULL, 0,
                                       NULL), ==, 303);
  authorize = g_strdup (milk_test_header (attacker, "Location"));
  approved = g_strconcat (authorize, "&approve=1&email=attacker%40example.com", NULL);
  g_assert_cmpuint (milk_test_request (attacker, server, "GET", approved, NULL, NULL, 0, NULL), ==, 302);
  callback = g_strdup (milk_test_header (attacker, "Location"));

  /* The attacker's callback, opened by the victim's browser. */
  g_assert_cmpuint (milk_test_request (victim, server, "GET", callback, NULL, NULL, 0, NULL), ==, 400);
  g_assert_nonnull (strstr (milk_test_body (victim), "did not start here"));
  g_assert_cmpuint (milk_test_request (victim, server, "GET", "/account", NULL, NULL, 0, NULL), ==, 303);

  /* Unknown providers are not followed. */
  g_assert_cmpuint (milk_test_request (victim, server, "GET", "/signin/external?provider=nope", NULL, NULL, 0, NULL),
                    ==, 404);
}

/* Unlinking keeps another way in. */
static void
test_unlink (void)
{
  g_autoptr(MilkTestClient) only = milk_test_client_new ();
  g_autoptr(MilkTestAccount) account = milk_test_account_new (server, "both@example.com");
  g_autoptr(MilkTestClient) browser = milk_test_client_new ();
  g_autofree char *csrf = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *link = NULL;

  /* A GitHub-only account cannot unlink its only way in. */
  g_assert_cmpuint (github_sign_in (only, "only@example.com"), ==, 303);
  g_assert_cmpuint (milk_test_request (only, server, "GET", "/account", NULL, NULL, 0, NULL), ==, 200);
  csrf = milk_test_page_csrf (only);
  subject = query ("SELECT subject FROM identities WHERE email = $1", "only@example.com");
  g_assert_cmpuint (milk_test_form (only, server, "/account/identity/unlink", "csrf", csrf, "provider", "github",
                                    "subject", subject, NULL), ==, 409);
  g_assert_nonnull (strstr (milk_test_body (only), "only way in"));

  /* With a password it can. */
  g_assert_cmpuint (github_sign_in (browser, "both@example.com"), ==, 200);
  link = hidden_value (browser, "link");
  g_assert_cmpuint (password_sign_in (browser, "both@example.com", MILK_TEST_PASSWORD, link), ==, 303);
  g_assert_cmpuint (milk_test_request (browser, server, "GET", "/account", NULL, NULL, 0, NULL), ==, 200);
  g_assert_nonnull (strstr (milk_test_body (browser), "Unlink GitHub"));
  g_free (csrf);
  g_free (subject);
  csrf = milk_test_page_csrf (browser);
  subject = hidden_value (browser, "subject");
  g_assert_cmpuint (milk_test_form (browser, server, "/account/identity/unlink", "csrf", csrf, "provider", "github",
                                    "subject", subject, NULL), ==, 200);
  g_assert_null (strstr (milk_test_body (browser), "GitHub (both@example.com)"));
}

int
main (int   argc,
      char *argv[])
{
  int status;
  guint port;
  g_autofree char *port_text = NULL;

  if (!milk_test_init (&argc, &argv))
    return milk_test_run_skipped ("/server/external/skipped");
  port = milk_test_free_port ();
  port_text = g_strdup_printf ("%u", port);
  github_url = g_strdup_printf ("http://127.0.0.1:%u", port);
  {
    const char *args[] = { port_text, "gh-client", "gh-secret", "octocat", "octo@example.com", NULL };

    github = milk_test_node_start ("github-stand-in.mjs", args);
  }
  g_assert_nonnull (github);   /* build-aux/dev test installs node */
  {
    const char *env[] = { "MILK_GITHUB_CLIENT_ID", "gh-client", "MILK_GITHUB_CLIENT_SECRET", "gh-secret",
                          "MILK_GITHUB_URL", github_url, "MILK_GITHUB_API_URL", github_url, NULL };

    server = milk_test_server_start (env);
  }

  g_test_add_func ("/server/external/new-account", test_new_account);
  g_test_add_func ("/server/external/password-first", test_password_first);
  g_test_add_func ("/server/external/verified-account-linked", test_verified_account_linked);
  g_test_add_func ("/server/external/unverified-email-refused", test_unverified_email_refused);
  g_test_add_func ("/server/external/state-bound-to-browser", test_state_bound_to_browser);
  g_test_add_func ("/server/external/unlink", test_unlink);
  status = g_test_run ();

  milk_test_server_stop (server, SIGTERM);
  milk_test_node_stop (github);
  milk_test_cleanup ();
  return status;
}
