/* test-server-pages.c — the account pages in a real headless Chromium,
 * driven by playwright-core (tests/browser/pages.mjs); one test case a check
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "milk-server-test.h"

typedef struct
{
  gboolean ok;
  char *why;
} Check;

static void
report (gconstpointer data)
{
  const Check *check = data;

  if (!check->ok)
    g_test_fail_printf ("%s", check->why);
}

static void
skip (gconstpointer data)
{
  g_test_skip (data);
}

/* What the browser run needs besides PostgreSQL; NULL when all is there. */
static char *
missing_browser (const char *dir,
                 const char *chromium)
{
  g_autofree char *modules = g_build_filename (dir, "node_modules", "playwright-core", NULL);
  g_autofree char *node = g_find_program_in_path ("node");

  if (node == NULL)
    return g_strdup ("Node.js is not installed");
  if (!g_file_test (chromium, G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup_printf ("Chromium is not installed (%s)", chromium);
  if (!g_file_test (modules, G_FILE_TEST_IS_DIR))
    return g_strdup_printf ("playwright-core is not installed; run npm ci in %s", dir);
  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = NULL;
  g_autofree char *script = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *missing = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) checks = g_ptr_array_new ();
  const char *chromium = g_getenv ("MILK_TEST_CHROMIUM") ? g_getenv ("MILK_TEST_CHROMIUM") : "/usr/bin/chromium";
  MilkTestServer *server;
  int wait_status = 0;
  int status;

  if (!milk_test_init (&argc, &argv))
    return milk_test_run_skipped ("/server/pages/skipped");

  dir = g_test_build_filename (G_TEST_DIST, "..", "browser", NULL);
  if ((missing = missing_browser (dir, chromium)) != NULL)
    {
      /* The browser run is optional outside build-aux/dev test, which
       * installs Chromium and playwright-core. */
      g_test_add_data_func ("/server/pages/browser", missing, skip);
      status = g_test_run ();
      milk_test_cleanup ();
      return status;
    }

  server = milk_test_server_start (NULL);
  script = g_build_filename (dir, "pages.mjs", NULL);
  env = g_get_environ ();
  env = g_environ_setenv (env, "MILK_TEST_URL", server->url, TRUE);
  env = g_environ_setenv (env, "MILK_TEST_CHROMIUM", chromium, TRUE);
  env = g_environ_setenv (env, "MILK_TEST_SCREENSHOTS", g_test_get_dir (G_TEST_BUILT), FALSE);
  {
    const char *args[] = { "node", script, NULL };

    g_spawn_sync (dir, (char **) args, env, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &wait_status, &error);
  }
  g_assert_no_error (error);

  lines = g_strsplit (out ? out : "", "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      Check *check;
      g_autofree char *path = NULL;
      const char *name;
      char *colon;

      if (g_str_has_prefix (lines[i], "ok "))
        name = lines[i] + 3;
      else if (g_str_has_prefix (lines[i], "not ok "))
        name = lines[i] + 7;
      else
        continue;
      check = g_new0 (Check, 1);
      check->ok = lines[i][0] == 'o';
      colon = strchr (name, ':');
      check->why = g_strdup (colon ? colon + 2 : "");
      if (colon)
        *colon = '\0';
      path = g_strconcat ("/server/pages/", name, NULL);
      g_test_add_data_func (path, check, report);
      g_ptr_array_add (checks, check);
    }
  if (checks->len == 0)
    {
      Check *check = g_new0 (Check, 1);

      check->why = g_strdup_printf ("The browser run reported nothing:\n%s", err ? err : "");
      g_test_add_data_func ("/server/pages/browser", check, report);
      g_ptr_array_add (checks, check);
    }
  else if (err && *err && !g_spawn_check_wait_status (wait_status, NULL))
    g_printerr ("%s", err);

  status = g_test_run ();
  for (guint i = 0; i < checks->len; i++)
    {
      Check *check = g_ptr_array_index (checks, i);
      g_free (check->why);
      g_free (check);
    }
  milk_test_server_stop (server, SIGTERM);
  milk_test_cleanup ();
  return status;
}
