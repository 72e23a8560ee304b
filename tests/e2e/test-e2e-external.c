/* test-e2e-external.c — the app signs in through a provider: a real OpenID
 * Connect provider (the npm oidc-provider) or GitHub's stand-in, in
 * headless Chromium, from the app's sign-in to a synced record
 *
 * The app (a real MilkStore, MilkAccount and MilkSyncService) opens "the
 * browser": tests/browser/sign-in-provider.mjs, which clicks the
 * provider's button on the service's sign-in page, signs in at the
 * provider and allows the app.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>

#include "milk-account.h"
#include "milk-async-test-util.h"
#include "milk-e2e-util.h"
#include "milk-server-test.h"
#include "milk-smtp-test.h"
#include "milk-store-private.h"
#include "milk-sync-service.h"
#include "milk-test-util.h"

#define MILK MILK_DEFAULT_PRODUCT_ID

typedef struct
{
  const char *label;      /* the button: "Sign in with <label>" */
  const char *provider;   /* its name in the database */
} Case;

static const Case oidc_case = { "Local OpenID", "local" };
static const Case github_case = { "GitHub", "github" };

static GSubprocess *oidc;
static GSubprocess *github;
static char *oidc_url;
static char *github_url;

/* Signs in through the provider as a new person, syncs a record, and
 * checks it reached the account the provider's verified email names. */
static void
test_sign_in (gconstpointer data)
{
  const Case *c = data;
  const char *env[] = { "MILK_OIDC_PROVIDERS", "local", "MILK_OIDC_LOCAL_ISSUER", oidc_url,
                        "MILK_OIDC_LOCAL_CLIENT_ID", "milk-client", "MILK_OIDC_LOCAL_CLIENT_SECRET", "milk-secret",
                        "MILK_OIDC_LOCAL_LABEL", "Local OpenID",
                        "MILK_GITHUB_CLIENT_ID", "gh-client", "MILK_GITHUB_CLIENT_SECRET", "gh-secret",
                        "MILK_GITHUB_URL", github_url, "MILK_GITHUB_API_URL", github_url,
                        "MILK_BASE_URL", g_getenv ("MILK_TEST_SERVICE_URL"), NULL };
  MilkTestServer *server = milk_test_server_start (env);
  g_autofree char *email = g_strdup_printf ("%s-%d@example.org", c->provider, (int) getpid ());
  g_autofree char *outcome_path = NULL;
  g_autofree char *verified = NULL;
  g_autofree char *identity = NULL;
  g_autofree char *records = NULL;
  g_autoptr(JsonObject) outcome = NULL;
  g_autoptr(MilkStore) store = NULL;
  g_autoptr(MilkAccount) account = NULL;
  g_autoptr(MilkSyncService) sync = NULL;
  g_autoptr(GError) error = NULL;
  MilkTestDir dir;
  MilkTestWait w = { 0 };
  MilkTestWait s = { 0 };

  milk_test_dir_init (&dir);
  outcome_path = g_build_filename (dir.dir, "browser-outcome.json", NULL);
  g_setenv ("MILK_TEST_EMAIL", email, TRUE);
  g_setenv ("MILK_TEST_PROVIDER", c->label, TRUE);
  g_setenv ("MILK_TEST_OUTCOME", outcome_path, TRUE);

  store = milk_test_store_new (&dir);
  account = milk_account_new (server->url, milk_store_get_node (store));
  sync = milk_sync_service_new (store, account);
  milk_account_sign_in_async (account, NULL, milk_test_wait_done, &w);
  milk_test_wait (&w);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  g_assert_true (milk_account_get_signed_in (account));

  outcome = milk_e2e_browser_outcome (outcome_path);
  g_assert_nonnull (outcome);
  if (outcome == NULL)
    return;
  g_assert_true (json_object_get_boolean_member (outcome, "ok"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (outcome, "provider_pages")), >, 0);
  g_assert_nonnull (strstr (json_object_get_string_member (outcome, "consent_for"), email));

  /* The account is the provider's verified email's, linked to it, and the
   * app syncs into it. */
  g_assert_true (milk_store_set_entry (store, MILK, milk_test_day ("2026-11-24"), 1500, MILK_NO_PRICE, NULL, &error));
  g_assert_no_error (error);
  milk_sync_service_sync_async (sync, NULL, milk_test_wait_done, &s);
  milk_test_wait (&s);
  g_assert_no_error (s.error);
  g_assert_true (s.ok);
  verified = milk_e2e_query (server, "SELECT count (*) FROM accounts WHERE lower (email) = lower ($1) "
                                     "AND email_verified_at IS NOT NULL", email);
  g_assert_cmpstr (verified, ==, "1");
  identity = milk_e2e_query (server, "SELECT i.provider FROM identities i JOIN accounts a ON a.id = i.account_id "
                                     "WHERE lower (a.email) = lower ($1)", email);
  g_assert_cmpstr (identity, ==, c->provider);
  records = milk_e2e_query (server, "SELECT count (*) FROM records r JOIN accounts a ON a.id = r.account_id "
                                    "WHERE lower (a.email) = lower ($1) AND r.key LIKE '%/2026-11-24'", email);
  g_assert_cmpstr (records, ==, "1");

  g_clear_object (&sync);
  g_clear_object (&account);
  g_clear_object (&store);
  milk_test_dir_clear (&dir);
  milk_test_server_stop (server, SIGTERM);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *xdg_root = NULL;
  g_autofree char *oidc_port = NULL;
  g_autofree char *github_port = NULL;
  g_autofree char *service_port = NULL;
  g_autofree char *callback = NULL;
  int status;

  xdg_root = milk_e2e_register_browser ();
  if (!milk_test_init (&argc, &argv))
    return milk_test_run_skipped ("/e2e/external");

  /* The provider knows the service's callback before the service starts:
   * the service gets a port chosen here. */
  service_port = g_strdup_printf ("%u", milk_test_free_port ());
  g_setenv ("MILK_TEST_SERVICE_URL", g_strdup_printf ("http://127.0.0.1:%s", service_port), TRUE);
  g_setenv ("MILK_TEST_LISTEN", g_strdup_printf ("127.0.0.1:%s", service_port), TRUE);
  callback = g_strdup_printf ("http://127.0.0.1:%s/signin/external/callback", service_port);
  oidc_port = g_strdup_printf ("%u", milk_test_free_port ());
  oidc_url = g_strdup_printf ("http://127.0.0.1:%s", oidc_port);
  github_port = g_strdup_printf ("%u", milk_test_free_port ());
  github_url = g_strdup_printf ("http://127.0.0.1:%s", github_port);
  {
    const char *oidc_args[] = { oidc_port, "milk-client", "milk-secret", callback, NULL };
    const char *github_args[] = { github_port, "gh-client", "gh-secret", "octocat", "", NULL };

    oidc = milk_test_node_start ("oidc-provider.mjs", oidc_args);
    github = milk_test_node_start ("github-stand-in.mjs", github_args);
  }

  g_test_add_data_func ("/e2e/external/openid-connect", &oidc_case, test_sign_in);
  g_test_add_data_func ("/e2e/external/github", &github_case, test_sign_in);
  status = g_test_run ();
  milk_test_node_stop (oidc);
  milk_test_node_stop (github);
  milk_test_cleanup ();
  return status;
}
