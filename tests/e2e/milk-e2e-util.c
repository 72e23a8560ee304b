/* milk-e2e-util.c — what the end-to-end tests share
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <libpq-fe.h>

#include "milk-e2e-util.h"

/* The desktop's handler for http:// links is the test browser, through the
 * same GIO lookup the app uses for the real one: XDG_DATA_HOME and
 * XDG_CONFIG_HOME point into a new folder, which is returned. */
char *
milk_e2e_register_browser (void)
{
  char *root = g_dir_make_tmp ("milk-e2e-XXXXXX", NULL);
  g_autofree char *apps = g_build_filename (root, "data", "applications", NULL);
  g_autofree char *config = g_build_filename (root, "config", NULL);
  g_autofree char *data_home = g_build_filename (root, "data", NULL);
  g_autofree char *desktop = g_build_filename (apps, "milk-test-browser.desktop", NULL);
  g_autofree char *mimeapps = g_build_filename (config, "mimeapps.list", NULL);
  g_autofree char *entry = NULL;

  g_mkdir_with_parents (apps, 0700);
  g_mkdir_with_parents (config, 0700);
  /* MILK_TEST_BROWSER_EXEC: a command line such as "node …/sign-in.mjs"
   * for headless Chromium; otherwise the C stand-in. */
  entry = g_strdup_printf ("[Desktop Entry]\nType=Application\nName=Milk Test Browser\nExec=%s %%u\n"
                           "MimeType=x-scheme-handler/http;x-scheme-handler/https;\nNoDisplay=true\n",
                           g_getenv ("MILK_TEST_BROWSER_EXEC") ? g_getenv ("MILK_TEST_BROWSER_EXEC")
                                                               : g_getenv ("MILK_TEST_BROWSER"));
  g_assert_true (g_file_set_contents (desktop, entry, -1, NULL));
  g_assert_true (g_file_set_contents (mimeapps,
                                      "[Default Applications]\n"
                                      "x-scheme-handler/http=milk-test-browser.desktop\n"
                                      "x-scheme-handler/https=milk-test-browser.desktop\n", -1, NULL));
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  return root;
}

/* Every live record the server holds for the account, by type and key. */
GHashTable *
milk_e2e_server_records (MilkTestServer *server,
                         const char     *token)
{
  g_autoptr(MilkTestClient) client = milk_test_client_new ();
  GHashTable *records = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) milk_record_free);
  g_autofree char *cursor = NULL;

  for (int page = 0; page < 100; page++)
    {
      g_autoptr(MilkSyncMessage) response = milk_test_sync (server, client, token, cursor,
                                                            "00000000000000ff", NULL);

      g_assert_nonnull (response);
      for (guint i = 0; i < response->changes->len; i++)
        {
          MilkRecord *record = g_ptr_array_index (response->changes, i);
          g_autofree char *key = milk_record_dup_key (record);

          if (!record->deleted)
            g_hash_table_insert (records, g_strdup_printf ("%s/%s", milk_record_type_to_string (record->type), key),
                                 milk_record_copy (record));
        }
      g_free (cursor);
      cursor = g_strdup (response->cursor);
      if (!response->more)
        break;
    }
  return records;
}


/* One value from the test's database (as its superuser), "" for no row. */
char *
milk_e2e_query (MilkTestServer *server,
                const char     *sql,
                const char     *param)
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

/* What a browser script (tests/browser) saw, as it wrote it on closing,
 * which may be a moment after the app has its code. */
JsonObject *
milk_e2e_browser_outcome (const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;

  for (guint i = 0; i < 300 && !g_file_test (path, G_FILE_TEST_EXISTS); i++)
    g_usleep (100 * 1000);
  if (!g_file_get_contents (path, &text, NULL, NULL) || !json_parser_load_from_data (parser, text, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}
