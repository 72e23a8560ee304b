/* test-store-migrate.c — opening diaries of older and newer formats
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "milk-store-private.h"
#include "milk-test-util.h"

#define MILK MILK_DEFAULT_PRODUCT_ID

static void
make_database (const char *path,
               const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("fixture: %s", message);
  sqlite3_close (db);
}

static void
load_fixture (const char *path,
              const char *name)
{
  g_autofree char *fixture = g_test_build_filename (G_TEST_DIST, "fixtures", name, NULL);
  g_autofree char *sql = milk_test_read_file (fixture, NULL);

  make_database (path, sql);
}

static void
test_from_version_1 (void)
{
  MilkTestDir dir;
  g_autoptr(MilkStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkRecord) skipped = NULL;
  g_autoptr(GPtrArray) rejected = NULL;
  MilkTotals october;
  gint64 balance;

  milk_test_dir_init (&dir);
  load_fixture (dir.path, "store-v1.sql");

  store = milk_store_new (dir.path, &error);
  g_assert_no_error (error);

  /* Every record and mark survives: the bill, the skipped day, the
   * currency, the device's identity and what was still to be sent. */
  g_assert_true (milk_store_month_totals (store, 2025, 10, &october, NULL, NULL));
  g_assert_cmpint (october.amount, ==, 16500);
  g_assert_cmpint (october.qty_ml, ==, 3000);
  g_assert_cmpuint (october.skipped_days, ==, 1);
  skipped = milk_store_get_entry (store, MILK, milk_test_day ("2025-10-26"), NULL);
  g_assert_cmpstr (skipped->note, ==, "away");
  g_assert_true (milk_store_balance_due (store, milk_test_day ("2025-10-31"), &balance, NULL));
  g_assert_cmpint (balance, ==, 6500);
  g_assert_cmpstr (milk_currency_get_code (milk_store_get_currency (store)), ==, "INR");
  g_assert_cmpstr (milk_store_get_node (store), ==, "1a2b3c4d5e6f7a8b");
  g_assert_cmpuint (milk_store_count_pending (store), ==, 6);

  /* What version 2 added works on the migrated file. */
  rejected = milk_store_list_rejected (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rejected->len, ==, 0);

  /* And the clock carries on after the last stamp the old version made. */
  g_assert_true (milk_store_set_entry (store, MILK, milk_test_day ("2025-10-28"), 1000, MILK_NO_PRICE, NULL, NULL));
  {
    g_autoptr(MilkRecord) fresh = milk_store_get_entry (store, MILK, milk_test_day ("2025-10-28"), NULL);
    g_assert_cmpstr (fresh->hlc, >, "1761955200000-0006-1a2b3c4d5e6f7a8b");
  }

  g_clear_object (&store);
  milk_test_dir_clear (&dir);
}

/* A diary of version 3 (the last before pulled changes this version cannot
 * read were kept) gains the table for them, in one step, and keeps all it
 * had. */
static void
test_from_version_3 (void)
{
  MilkTestDir dir;
  g_autoptr(MilkStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) kept = NULL;
  g_autoptr(GPtrArray) unreadable = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_unreadable_change_free);
  g_autofree char *v3 = NULL;
  MilkUnreadableChange *change;
  sqlite3_stmt *stmt;
  MilkTotals october;

  milk_test_dir_init (&dir);
  load_fixture (dir.path, "store-v1.sql");
  v3 = g_strconcat (_milk_store_migration (1), _milk_store_migration (2), "PRAGMA user_version = 3;", NULL);
  make_database (dir.path, v3);

  store = milk_store_new (dir.path, &error);
  g_assert_no_error (error);
  stmt = _milk_store_prepare (store, "PRAGMA user_version", NULL);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, MILK_STORE_SCHEMA_VERSION);
  sqlite3_reset (stmt);

  g_assert_true (milk_store_month_totals (store, 2025, 10, &october, NULL, NULL));
  g_assert_cmpint (october.amount, ==, 16500);
  g_assert_cmpuint (milk_store_count_pending (store), ==, 6);
  g_assert_cmpuint (milk_store_count_unreadable (store), ==, 0);

  change = g_new0 (MilkUnreadableChange, 1);
  change->type = g_strdup ("delivery_slot");
  change->key = g_strdup ("morning");
  change->hlc = g_strdup ("1761955200000-0009-1a2b3c4d5e6f7a8b");
  change->json = g_strdup ("{\"type\":\"delivery_slot\"}");
  change->code = g_strdup ("invalid_type");
  g_ptr_array_add (unreadable, change);
  g_assert_true (milk_store_keep_unreadable (store, unreadable, &error));
  g_assert_no_error (error);
  kept = milk_store_list_unreadable (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (kept->len, ==, 1);
  change = g_ptr_array_index (kept, 0);
  g_assert_cmpstr (change->type, ==, "delivery_slot");
  g_assert_cmpstr (change->key, ==, "morning");
  g_assert_cmpstr (change->json, ==, "{\"type\":\"delivery_slot\"}");

  g_clear_object (&store);
  milk_test_dir_clear (&dir);
}

/* 5 → 6: a diary from before records kept what they did not know opens,
 * keeps its records, and from then on keeps a newer app's fields. */
static void
test_from_version_5 (void)
{
  MilkTestDir dir;
  g_autoptr(MilkStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  g_autoptr(MilkRecord) entry = NULL;
  g_autoptr(MilkRecord) kept = NULL;
  g_autofree char *v5 = NULL;
  sqlite3_stmt *stmt;
  MilkTotals october;

  milk_test_dir_init (&dir);
  load_fixture (dir.path, "store-v1.sql");
  v5 = g_strconcat (_milk_store_migration (1), _milk_store_migration (2), _milk_store_migration (3),
                    _milk_store_migration (4), "PRAGMA user_version = 5;", NULL);
  make_database (dir.path, v5);

  store = milk_store_new (dir.path, &error);
  g_assert_no_error (error);
  stmt = _milk_store_prepare (store, "PRAGMA user_version", NULL);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, MILK_STORE_SCHEMA_VERSION);
  sqlite3_reset (stmt);
  g_assert_true (milk_store_month_totals (store, 2025, 10, &october, NULL, NULL));
  g_assert_cmpint (october.amount, ==, 16500);
  g_assert_cmpuint (milk_store_count_pending (store), ==, 6);

  entry = milk_record_new (MILK_RECORD_SETTING);
  g_assert_true (milk_record_set_key (entry, "theme", NULL));
  entry->hlc = g_strdup ("1761955200000-0009-1a2b3c4d5e6f7a8b");
  entry->value = g_strdup ("dark");
  g_assert_true (milk_record_set_extra_text (entry, "{\"scope\":\"device\",\"data\":{\"contrast\":2}}"));
  g_ptr_array_add (records, milk_record_copy (entry));
  g_assert_true (milk_store_apply_remote (store, records, &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  store = milk_store_new (dir.path, &error);
  g_assert_no_error (error);
  kept = milk_store_get (store, MILK_RECORD_SETTING, "theme", &error);
  g_assert_no_error (error);
  g_assert_nonnull (kept);
  g_assert_true (milk_record_equal (kept, entry));
  {
    g_autofree char *extra = milk_record_dup_extra_text (kept);
    g_autoptr(JsonNode) got = json_from_string (extra, NULL);
    g_autoptr(JsonNode) want = json_from_string ("{\"scope\":\"device\",\"data\":{\"contrast\":2}}", NULL);

    g_assert_nonnull (got);
    g_assert_true (json_node_equal (got, want));
  }

  g_clear_object (&store);
  milk_test_dir_clear (&dir);
}

/* The index the ledger reads at every start is made when a diary is
 * opened, whatever its age, without changing its format number: an older
 * Milk Diary still opens the file. The ledger's query reads the index
 * alone, not the table (issue 18). */
static void
test_ledger_index_outside_format (void)
{
  MilkTestDir dir;
  g_autoptr(MilkStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) plan = g_string_new (NULL);
  g_autofree char *v6 = NULL;
  sqlite3_stmt *stmt;

  milk_test_dir_init (&dir);
  load_fixture (dir.path, "store-v1.sql");
  v6 = g_strconcat (_milk_store_migration (1), _milk_store_migration (2), _milk_store_migration (3),
                    _milk_store_migration (4), _milk_store_migration (5), "PRAGMA user_version = 6;", NULL);
  make_database (dir.path, v6);

  store = milk_store_new (dir.path, &error);
  g_assert_no_error (error);
  stmt = _milk_store_prepare (store, "PRAGMA user_version", NULL);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 6);
  sqlite3_reset (stmt);

  stmt = _milk_store_prepare (store, "EXPLAIN QUERY PLAN " MILK_STORE_LEDGER_QUERY, NULL);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (plan, "%s\n", (const char *) sqlite3_column_text (stmt, 3));
  sqlite3_reset (stmt);
  g_assert_nonnull (strstr (plan->str, "COVERING INDEX entries_ledger"));

  g_clear_object (&store);
  milk_test_dir_clear (&dir);
}

static void
test_newer_refused_untouched (void)
{
  MilkTestDir dir;
  g_autoptr(MilkStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *wal = NULL;
  gsize before_len, after_len;

  milk_test_dir_init (&dir);
  make_database (dir.path,
                 "CREATE TABLE future (x); INSERT INTO future VALUES (1); PRAGMA user_version = 99;");
  before = milk_test_read_file (dir.path, &before_len);

  store = milk_store_new (dir.path, &error);
  g_assert_null (store);
  g_assert_error (error, MILK_STORE_ERROR, MILK_STORE_ERROR_TOO_NEW);
  g_assert_nonnull (strstr (error->message, "newer Milk Diary"));

  after = milk_test_read_file (dir.path, &after_len);
  g_assert_cmpmem (before, before_len, after, after_len);
  wal = g_strconcat (dir.path, "-wal", NULL);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));

  milk_test_dir_clear (&dir);
}

static void
test_not_a_diary_refused (void)
{
  MilkTestDir dir;
  g_autoptr(MilkStore) store = NULL;
  g_autoptr(GError) error = NULL;

  milk_test_dir_init (&dir);
  g_assert_true (g_file_set_contents (dir.path, "date,litres\n2026-11-24,1.5\n", -1, NULL));
  store = milk_store_new (dir.path, &error);
  g_assert_null (store);
  g_assert_error (error, MILK_STORE_ERROR, MILK_STORE_ERROR_CORRUPT);
  milk_test_dir_clear (&dir);
}

static void
test_unwritable_place (void)
{
  g_autoptr(MilkStore) store = NULL;
  g_autoptr(GError) error = NULL;

  store = milk_store_new ("/nonexistent-milk-dir/diary.sqlite", &error);
  g_assert_null (store);
  g_assert_error (error, MILK_STORE_ERROR, MILK_STORE_ERROR_OPEN);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/migrate/from-version-1", test_from_version_1);
  g_test_add_func ("/store/migrate/from-version-3", test_from_version_3);
  g_test_add_func ("/store/migrate/from-version-5", test_from_version_5);
  g_test_add_func ("/store/migrate/ledger-index-outside-format", test_ledger_index_outside_format);
  g_test_add_func ("/store/migrate/newer-refused-untouched", test_newer_refused_untouched);
  g_test_add_func ("/store/migrate/not-a-diary-refused", test_not_a_diary_refused);
  g_test_add_func ("/store/migrate/unwritable-place", test_unwritable_place);

  return g_test_run ();
}
