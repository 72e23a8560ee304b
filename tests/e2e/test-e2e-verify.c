/* test-e2e-verify.c — a new account on a service that verifies emails,
 * from the app's sign-in to a synced record
 *
 * The app (a real MilkStore, MilkAccount and MilkSyncService) signs in the
 * way it does, through "the browser": headless Chromium, driven by
 * tests/browser/sign-up-verify.mjs, which creates the account, is stopped
 * at "Verify your email", reads the mail that a real SMTP server (aiosmtpd)
 * received, opens its link and allows the app.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>

#include <glib/gstdio.h>
#include <libpq-fe.h>

#include "milk-account.h"
#include "milk-async-test-util.h"
#include "milk-e2e-util.h"
#include "milk-server-test.h"
#include "milk-smtp-test.h"
#include "milk-store-private.h"
#include "milk-sync-service.h"
#include "milk-test-util.h"

#define MILK MILK_DEFAULT_PRODUCT_ID

static MilkTestSmtp *smtp;

static void
test_sign_up_verify_sync (void)
{
  const char *env[] = { "MILK_SMTP_URL", milk_test_smtp_url (smtp), "MILK_SMTP_TLS", "none",
                        "MILK_SMTP_FROM", "milk-diary@example.org", NULL };
  MilkTestServer *server = milk_test_server_start (env);
  g_autofree char *email = g_strdup_printf ("verify-%d@example.org", (int) getpid ());
  g_autofree char *outcome_path = NULL;
  g_autofree char *verified = NULL;
  g_autofree char *records = NULL;
  g_autoptr(MilkStore) store = NULL;
  g_autoptr(MilkAccount) account = NULL;
  g_autoptr(MilkSyncService) sync = NULL;
  g_autoptr(GError) error = NULL;
  MilkTestDir dir;
  g_autoptr(JsonObject) outcome = NULL;
  MilkTestWait w = { 0 };

  milk_test_dir_init (&dir);
  outcome_path = g_build_filename (dir.dir, "browser-outcome.json", NULL);
  g_setenv ("MILK_TEST_EMAIL", email, TRUE);
  g_setenv ("MILK_TEST_PASSWORD", MILK_TEST_PASSWORD, TRUE);
  g_setenv ("MILK_TEST_MAILDIR", milk_test_smtp_maildir (smtp), TRUE);
  g_setenv ("MILK_TEST_OUTCOME", outcome_path, TRUE);

  store = milk_test_store_new (&dir);
  account = milk_account_new (server->url, milk_store_get_node (store));
  sync = milk_sync_service_new (store, account);
  milk_account_sign_in_async (account, NULL, milk_test_wait_done, &w);
  milk_test_wait (&w);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  g_assert_true (milk_account_get_signed_in (account));

  /* What the browser saw on the way. */
  outcome = milk_e2e_browser_outcome (outcome_path);
  g_assert_nonnull (outcome);
  if (outcome == NULL)
    return;
  g_assert_cmpstr (json_object_get_string_member (outcome, "after_signup"), ==, "Check your email");
  g_assert_cmpstr (json_object_get_string_member (outcome, "before_verifying"), ==, "Verify your email");
  g_assert_false (json_object_get_boolean_member (outcome, "consent_offered_before"));
  g_assert_true (json_object_get_boolean_member (outcome, "ok"));

  /* Signed in to the account with that email, now verified: a record
   * recorded here reaches it. */
  g_assert_true (milk_store_set_entry (store, MILK, milk_test_day ("2026-11-24"), 1500, MILK_NO_PRICE, NULL, &error));
  g_assert_no_error (error);
  {
    MilkTestWait s = { 0 };

    milk_sync_service_sync_async (sync, NULL, milk_test_wait_done, &s);
    milk_test_wait (&s);
    g_assert_no_error (s.error);
    g_assert_true (s.ok);
  }
  verified = milk_e2e_query (server, "SELECT count (*) FROM accounts a JOIN account_emails e ON e.account_id = a.id "
                                "WHERE e.email = lower ($1) AND a.email_verified_at IS NOT NULL", email);
  g_assert_cmpstr (verified, ==, "1");
  records = milk_e2e_query (server, "SELECT count (*) FROM records r JOIN account_emails e ON e.account_id = r.account_id "
                               "WHERE e.email = lower ($1) AND r.key LIKE '%/2026-11-24'", email);
  g_assert_cmpstr (records, ==, "1");

  /* Forgot password? in Chromium: a new password, and the app's sign-in
   * (its tokens in the keyring) no longer works. */
  {
    g_autofree char *node = g_find_program_in_path ("node");
    g_autofree char *script = g_build_filename (g_getenv ("MILK_TEST_BROWSER_DIR"), "reset-password.mjs", NULL);
    const char *new_password = "a new password from the mail";
    const char *argv[] = { node, script, server->url, email, new_password, milk_test_smtp_maildir (smtp), NULL };
    g_autoptr(JsonParser) reset_parser = json_parser_new ();
    g_autoptr(MilkTestClient) browser = milk_test_client_new ();
    g_autofree char *out = NULL;
    g_autofree char *csrf = NULL;
    JsonObject *seen;
    MilkTestWait again = { 0 };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                                 NULL, &error));
    g_assert_no_error (error);
    g_assert_true (json_parser_load_from_data (reset_parser, out, -1, NULL));
    seen = json_node_get_object (json_parser_get_root (reset_parser));
    g_assert_cmpstr (json_object_get_string_member (seen, "after_asking"), ==, "Check your email");
    g_assert_cmpstr (json_object_get_string_member (seen, "after_reset"), ==, "Password changed");

    g_assert_true (milk_store_set_entry (store, MILK, milk_test_day ("2026-11-25"), 1000, MILK_NO_PRICE, NULL,
                                         &error));
    milk_sync_service_sync_async (sync, NULL, milk_test_wait_done, &again);
    milk_test_wait (&again);
    g_assert_false (again.ok);
    g_clear_error (&again.error);
    g_assert_cmpuint (milk_test_request (browser, server, "GET", "/signin", NULL, NULL, 0, NULL), ==, 200);
    csrf = milk_test_page_csrf (browser);
    g_assert_cmpuint (milk_test_form (browser, server, "/signin", "csrf", csrf, "email", email,
                                      "password", MILK_TEST_PASSWORD, "return_to", "/account", NULL), ==, 401);
    g_assert_cmpuint (milk_test_form (browser, server, "/signin", "csrf", csrf, "email", email,
                                      "password", new_password, "return_to", "/account", NULL), ==, 303);
  }

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
  int status;

  xdg_root = milk_e2e_register_browser ();
  if (!milk_test_init (&argc, &argv))
    return milk_test_run_skipped ("/e2e/verify");
  smtp = milk_test_smtp_start ();
  g_assert_nonnull (smtp);   /* build-aux/dev test installs python3-aiosmtpd */

  g_test_add_func ("/e2e/verify/sign-up-verify-sync-reset", test_sign_up_verify_sync);
  status = g_test_run ();
  milk_test_smtp_stop (smtp);
  milk_test_cleanup ();
  return status;
}
