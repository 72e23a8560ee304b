/* test-e2e-api.c — a script's writes through /api/v1 reach the app, and
 * the API's bill is the app's
 *
 * Issue 17's bar, as a person and a script do it: the built milk-diary
 * signs in (--sign-in), records deliveries, prices and a payment and syncs;
 * a script with a personal access token made on the account page records
 * and deletes days with curl's requests; the diary's next --sync brings
 * them, and `milk-diary --month` prints the amount and balance that
 * GET /api/v1/months/{month} gives.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "milk-e2e-util.h"
#include "milk-store.h"
#include "milk-test-util.h"

#define MILK MILK_DEFAULT_PRODUCT_ID
#define ENTRY_PATH "/api/v1/entries/" MILK "/"

static MilkTestServer *server;
static MilkTestDir diary;

/* Runs milk-diary on the diary; its standard output. */
static char *
run (int expected_status,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (char *) g_getenv ("MILK_DIARY_BIN"));
  va_start (args, expected_status);
  while ((arg = va_arg (args, const char *)))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_setenv (launcher, "MILK_DIARY_PATH", diary.path, TRUE);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("milk-diary %s: %s%s", (char *) argv->pdata[1], out, err);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, expected_status);
  return g_steal_pointer (&out);
}

/* A personal access token made on the account page, as a person does. */
static char *
make_token (MilkTestAccount *account,
            const char      *scope)
{
  g_autofree char *csrf = NULL;
  const char *at;

  g_assert_cmpuint (milk_test_request (account->browser, server, "GET", "/account", NULL, NULL, 0, NULL), ==, 200);
  csrf = milk_test_page_csrf (account->browser);
  milk_test_form (account->browser, server, "/account/tokens", "csrf", csrf, "name", "script", "scope", scope, NULL);
  g_assert_cmpuint (account->browser->status, ==, 200);
  at = strstr (milk_test_body (account->browser), "value=\"milkpat_");
  g_assert_nonnull (at);
  at += strlen ("value=\"");
  return g_strndup (at, strspn (at, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"));
}

/* The figure on a line of `--month` that is @label and then the table's
 * gap, as minor units: its digits ("₹310.00" is 31000). */
static gint64
printed_figure (const char *bill,
                const char *label)
{
  g_auto(GStrv) lines = g_strsplit (bill, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], label) && g_str_has_prefix (lines[i] + strlen (label), "  "))
      {
        gint64 value = 0;

        for (const char *p = lines[i] + strlen (label); *p; p++)
          if (g_ascii_isdigit (*p))
            value = value * 10 + (*p - '0');
        return value;
      }
  g_error ("no line “%s” in:\n%s", label, bill);
}

/* The money on a line of `--month` that is @label: "₹310.00". */
static char *
printed_text (const char *bill,
              const char *label)
{
  g_auto(GStrv) lines = g_strsplit (bill, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], label) && g_str_has_prefix (lines[i] + strlen (label), "  "))
      return g_strstrip (g_strdup (lines[i] + strlen (label)));
  g_error ("no line “%s” in:\n%s", label, bill);
}

/* The month on the web, in headless Chromium at a phone's and a desktop's
 * width (tests/browser/diary-page.mjs); the screenshots stay in the build
 * folder to look at. */
static JsonObject *
web_month (const char *month,
           const char *email)
{
  g_autofree char *node = g_find_program_in_path ("node");
  g_autofree char *script = g_build_filename (g_getenv ("MILK_TEST_BROWSER_DIR"), "diary-page.mjs", NULL);
  g_autofree char *shots = g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "web-shots", NULL);
  const char *argv[] = { node, script, server->url, month, email, MILK_TEST_PASSWORD, shots, NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (node);
  g_mkdir_with_parents (shots, 0755);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                               NULL, &error));
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_script_and_app (void)
{
  g_autofree char *email = g_strdup_printf ("api-e2e-%d@example.org", (int) getpid ());
  g_autoptr(MilkTestAccount) owner = milk_test_account_new (server, email);
  g_autoptr(MilkTestClient) script = milk_test_client_new ();
  g_autofree char *token = make_token (owner, "write");
  g_autofree char *bill = NULL;
  g_autoptr(MilkStore) store = NULL;
  g_autoptr(MilkRecord) put = NULL, deleted = NULL;
  JsonObject *month;

  g_setenv ("MILK_TEST_EMAIL", email, TRUE);
  g_setenv ("MILK_TEST_PASSWORD", MILK_TEST_PASSWORD, TRUE);

  /* The person: prices, three days, a payment, and a sync. */
  g_free (run (0, "--sign-in", server->url, NULL));
  g_free (run (0, "--price", "50", "--date", "2026-10-01", NULL));
  g_free (run (0, "--price", "56", "--date", "2026-10-16", NULL));
  g_free (run (0, "--add", "1", "--date", "2026-10-01", NULL));        /* 50.00 */
  g_free (run (0, "--add", "1.5", "--date", "2026-10-02", NULL));      /* the script deletes it */
  g_free (run (0, "--add", "1+0.5", "--date", "2026-10-16", NULL));    /* 84.00 */
  g_free (run (0, "--pay", "100", "--date", "2026-10-20", "--for", "2026-10", NULL));
  g_free (run (0, "--sync", NULL));

  /* The script: a day at its own price, a morning and an evening, and a
   * day taken back. */
  /* With curl itself, as the README shows it. */
  {
    g_autofree char *url = g_strconcat (server->url, ENTRY_PATH "2026-10-03", NULL);
    g_autofree char *auth = g_strconcat ("Authorization: Bearer ", token, NULL);
    g_autofree char *out = NULL;
    g_autoptr(GError) error = NULL;
    const char *argv[] = { "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT", "-H", auth,
                           "-H", "Content-Type: application/json",
                           "-d", "{\"qty_ml\": 2000, \"price_override\": 6000}", url, NULL };   /* 120.00 */

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, NULL,
                                 &error));
    g_assert_no_error (error);
    g_assert_cmpstr (out, ==, "201");
  }
  g_assert_cmpuint (milk_test_request (script, server, "PUT", ENTRY_PATH "2026-10-17", "application/json",
                                       "{\"morning_ml\": 500, \"evening_ml\": 500}", -1, token), ==, 201);   /* 56.00 */
  g_assert_cmpuint (milk_test_request (script, server, "DELETE", ENTRY_PATH "2026-10-02", NULL, NULL, 0, token),
                    ==, 204);

  /* The app's next sync brings them. */
  bill = run (0, "--sync", NULL);
  g_assert_nonnull (strstr (bill, "Synced with"));
  g_clear_pointer (&bill, g_free);
  store = milk_test_store_new (&diary);
  put = milk_store_get_entry (store, MILK, milk_test_day ("2026-10-03"), NULL);
  g_assert_nonnull (put);
  g_assert_cmpint (put->qty_ml, ==, 2000);
  g_assert_cmpint (put->price_override, ==, 6000);
  deleted = milk_store_get_entry (store, MILK, milk_test_day ("2026-10-02"), NULL);
  g_assert_null (deleted);
  g_clear_object (&store);

  /* The same bill on both sides: 50.00 + 120.00 + 84.00 + 56.00. */
  bill = run (0, "--month", "2026-10", NULL);
  g_assert_cmpuint (milk_test_request (script, server, "GET", "/api/v1/months/2026-10", NULL, NULL, 0, token), ==, 200);
  month = milk_test_json (script);
  g_assert_cmpint (json_object_get_int_member (month, "amount"), ==, 31000);
  g_assert_cmpint (printed_figure (bill, "Amount"), ==, json_object_get_int_member (month, "amount"));
  g_assert_cmpint (json_object_get_int_member (month, "balance_due"), ==, 21000);
  g_assert_cmpint (printed_figure (bill, "Balance due"), ==, json_object_get_int_member (month, "balance_due"));
  g_assert_cmpint (printed_figure (bill, "Paid"), ==, json_object_get_int_member (month, "paid"));

  /* And the diary on the web says the same, on a phone and a desktop. */
  {
    g_autoptr(JsonObject) web = web_month ("2026-10", email);
    g_autofree char *amount = printed_text (bill, "Amount");
    g_autofree char *due = printed_text (bill, "Balance due");

    g_assert_true (json_object_has_member (web, "ok"));
    for (guint i = 0; i < 2; i++)
      {
        const char *width = i ? "desktop" : "phone";
        JsonObject *shown = json_object_get_object_member (json_object_get_object_member (web, "widths"), width);
        JsonObject *rows = json_object_get_object_member (shown, "rows");

        g_assert_cmpstr (json_object_get_string_member (rows, "Amount"), ==, amount);
        g_assert_cmpstr (json_object_get_string_member (rows, "Balance due"), ==, due);
        g_assert_cmpstr (json_object_get_string_member (rows, "Milk delivered"), ==, "5.5 L");
        g_assert_cmpint (json_object_get_int_member (shown, "days"), ==, 31);
        g_assert_false (json_object_get_boolean_member (shown, "overflow"));
      }
  }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_free (milk_e2e_register_browser ());
  if (!milk_test_init (&argc, &argv))
    return milk_test_run_skipped ("/e2e/api");
  server = milk_test_server_start (NULL);
  milk_test_dir_init (&diary);

  g_test_add_func ("/e2e/api/script-and-app", test_script_and_app);
  status = g_test_run ();

  milk_test_dir_clear (&diary);
  milk_test_server_stop (server, SIGTERM);
  milk_test_cleanup ();
  return status;
}
