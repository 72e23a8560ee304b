/* test-legacy-import.c — Home Milk Calculator databases in all three shapes
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sqlite3.h>

#include "milk-import.h"
#include "milk-test-util.h"

#define MILK MILK_DEFAULT_PRODUCT_ID

typedef struct
{
  MilkTestDir dir;
  MilkStore *store;
  char *legacy;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  milk_test_dir_init (&f->dir);
  f->store = milk_test_store_new (&f->dir);
  f->legacy = g_build_filename (f->dir.dir, "milk-calculation.db", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->store);
  g_clear_pointer (&f->legacy, g_free);
  milk_test_dir_clear (&f->dir);
}

/* Builds the old app's database from a fixture's SQL text. */
static MilkLegacyDb *
open_fixture (Fixture    *f,
              const char *name)
{
  g_autofree char *sql_path = g_test_build_filename (G_TEST_DIST, "files", "fixtures", name, NULL);
  g_autofree char *sql = milk_test_read_file (sql_path, NULL);
  g_autoptr(GError) error = NULL;
  MilkLegacyDb *db;
  sqlite3 *out = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (f->legacy, &out), ==, SQLITE_OK);
  sqlite3_exec (out, sql, NULL, NULL, &message);
  g_assert_cmpstr (message, ==, NULL);
  sqlite3_close (out);

  db = milk_legacy_db_open (f->legacy, &error);
  g_assert_no_error (error);
  g_assert_nonnull (db);
  return db;
}

static void
assert_month (MilkStore *store,
              int        year,
              int        month,
              gint64     amount,
              gint64     qty_ml,
              guint      delivered,
              guint      skipped)
{
  g_autoptr(GError) error = NULL;
  MilkTotals totals = { 0 };

  milk_store_month_totals (store, year, month, &totals, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (totals.amount, ==, amount);
  g_assert_cmpint (totals.qty_ml, ==, qty_ml);
  g_assert_cmpuint (totals.delivered_days, ==, delivered);
  g_assert_cmpuint (totals.skipped_days, ==, skipped);
  g_assert_cmpuint (totals.unpriced_days, ==, 0);
  milk_totals_clear (&totals);
}

static void
assert_price (MilkPriceSchedule *schedule,
              guint              n,
              const char        *from,
              gint64             price)
{
  MilkDay day;
  gint64 value;

  milk_price_schedule_get_change (schedule, n, &day, &value);
  g_assert_cmpuint (day, ==, milk_test_day (from));
  g_assert_cmpint (value, ==, price);
}

static const MilkImportProblem *
find_problem (const MilkImportReport *report,
              gint64                  row)
{
  for (guint i = 0; i < report->problems->len; i++)
    {
      const MilkImportProblem *problem = g_ptr_array_index (report->problems, i);

      if (problem->row == row)
        return problem;
    }
  return NULL;
}

static const MilkImportProblem *
require_problem (const MilkImportReport *report,
                 gint64                  row)
{
  const MilkImportProblem *problem = find_problem (report, row);

  if (problem == NULL)
    g_error ("no problem reported for row %" G_GINT64_FORMAT, row);
  return problem;
}

/* Alice's rows are the same in every shape (see legacy-shape1.sql):
 *
 *   row  date         litres  cost
 *    1   28-10-2025   1.0     50.0   50.00/L: the first price, from 28 Oct
 *    2   29-10-2025   0.5     25.0
 *    3   30-10-2025   0.0     0.0    a skipped day
 *    4   31-10-2025   1.5     75.0
 *    5   01-11-2025   1.0     50.0
 *    6   02-11-2025   1.0     50.0   duplicate: row 7 is later and kept
 *    7   02-11-2025   0.75    37.5
 *    8   03-11-2025   1.0     56.0   56.00/L: a price change from 3 Nov
 *    9   2025-11-04   1.0     56.0   bad date
 *   10   05-11-2025   0.5     28.0
 *   11   31-11-2025   1.0     56.0   bad date (November has 30 days)
 *   12   06-11-2025   0.25    14.0
 *   13   07-11-2025   1.25    70.0
 *
 * October 2025: 50.00 + 25.00 + 0 + 75.00 = 150.00 → 15000; 3.0 L over
 *   3 delivered days and 1 skipped.
 * November 2025: 50.00 + 37.50 + 56.00 + 28.00 + 14.00 + 70.00 = 255.50
 *   → 25550; 1 + 0.75 + 1 + 0.5 + 0.25 + 1.25 = 4.75 L over 6 days.
 */
static void
assert_alice (Fixture                *f,
              const MilkImportReport *report)
{
  g_autoptr(MilkPriceSchedule) schedule = milk_store_get_price_schedule (f->store, MILK, NULL);
  g_autoptr(MilkRecord) duplicate = NULL;
  g_autoptr(MilkRecord) skipped = NULL;
  const MilkImportProblem *problem;

  g_assert_cmpuint (report->rows_read, ==, 13);
  g_assert_cmpuint (report->imported, ==, 10);
  g_assert_cmpuint (report->skipped_days, ==, 1);
  g_assert_cmpuint (report->price_changes, ==, 2);
  g_assert_cmpuint (report->bad_rows, ==, 2);
  g_assert_cmpuint (report->duplicates, ==, 1);
  g_assert_cmpuint (report->entries_written, ==, 10);
  g_assert_cmpuint (report->prices_written, ==, 2);
  g_assert_cmpuint (report->problems->len, ==, 3);

  problem = require_problem (report, 9);
  g_assert_cmpint (problem->kind, ==, MILK_IMPORT_PROBLEM_BAD_DATE);
  g_assert_nonnull (strstr (problem->message, "2025-11-04"));
  problem = require_problem (report, 11);
  g_assert_cmpint (problem->kind, ==, MILK_IMPORT_PROBLEM_BAD_DATE);
  problem = require_problem (report, 6);
  g_assert_cmpint (problem->kind, ==, MILK_IMPORT_PROBLEM_DUPLICATE);
  g_assert_cmpuint (problem->day, ==, milk_test_day ("2025-11-02"));

  assert_month (f->store, 2025, 10, 15000, 3000, 3, 1);
  assert_month (f->store, 2025, 11, 25550, 4750, 6, 0);

  g_assert_cmpuint (milk_price_schedule_get_n_changes (schedule), ==, 2);
  assert_price (schedule, 0, "2025-10-28", 5000);
  assert_price (schedule, 1, "2025-11-03", 5600);

  duplicate = milk_store_get_entry (f->store, MILK, milk_test_day ("2025-11-02"), NULL);
  g_assert_cmpint (duplicate->qty_ml, ==, 750);
  skipped = milk_store_get_entry (f->store, MILK, milk_test_day ("2025-10-30"), NULL);
  g_assert_nonnull (skipped);
  g_assert_cmpint (skipped->qty_ml, ==, 0);
}

/* The second import finds everything in place and writes nothing: no new
 * clock stamps, no more pending records. */
static void
assert_reimport_changes_nothing (Fixture      *f,
                                 MilkLegacyDb *db,
                                 gint64        user)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) before = milk_store_list_pending (f->store, 0, NULL);
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(MilkImportReport) plan = NULL;
  g_autoptr(MilkImportReport) report = NULL;
  guint pending = milk_store_count_pending (f->store);

  plan = milk_legacy_db_plan (db, f->store, user, &records, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 0);

  report = milk_legacy_db_import (db, f->store, user, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (milk_import_report_get_n_written (report), ==, 0);
  g_assert_cmpuint (report->entries_written, ==, 0);
  g_assert_cmpuint (report->prices_written, ==, 0);
  g_assert_false (report->currency_set);
  g_assert_cmpuint (milk_store_count_pending (f->store), ==, pending);

  after = milk_store_list_pending (f->store, 0, NULL);
  g_assert_cmpuint (after->len, ==, before->len);
  for (guint i = 0; i < after->len; i++)
    g_assert_true (milk_record_equal (g_ptr_array_index (before, i), g_ptr_array_index (after, i)));
}

static void
test_shape1 (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(MilkLegacyDb) db = open_fixture (f, "legacy-shape1.sql");
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(MilkImportReport) report = NULL;
  g_autoptr(GError) error = NULL;
  MilkLegacyUser *user;

  g_assert_cmpint (milk_legacy_db_get_shape (db), ==, MILK_LEGACY_SHAPE_SINGLE);
  users = milk_legacy_db_list_users (db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (users->len, ==, 1);
  user = g_ptr_array_index (users, 0);
  g_assert_null (user->email);
  g_assert_cmpuint (user->n_records, ==, 13);

  report = milk_legacy_db_import (db, f->store, MILK_LEGACY_ONLY_USER, &error);
  g_assert_no_error (error);
  assert_alice (f, report);
  g_assert_false (report->currency_set);
  g_assert_cmpstr (report->currency, ==, "INR");

  assert_reimport_changes_nothing (f, db, MILK_LEGACY_ONLY_USER);
  assert_alice (f, report);
}

static void
test_shape2 (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(MilkLegacyDb) db = open_fixture (f, "legacy-shape2.sql");
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(MilkImportReport) report = NULL;
  g_autoptr(MilkImportReport) none = NULL;
  g_autoptr(GError) error = NULL;
  MilkLegacyUser *alice, *bob;

  g_assert_cmpint (milk_legacy_db_get_shape (db), ==, MILK_LEGACY_SHAPE_USERS);
  users = milk_legacy_db_list_users (db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (users->len, ==, 2);
  alice = g_ptr_array_index (users, 0);
  bob = g_ptr_array_index (users, 1);
  g_assert_cmpint (alice->id, ==, 1);
  g_assert_cmpstr (alice->email, ==, "alice@example.com");
  g_assert_cmpstr (alice->username, ==, "alice");
  g_assert_null (alice->currency);
  g_assert_cmpuint (alice->n_records, ==, 13);
  g_assert_cmpstr (bob->email, ==, "bob@example.com");
  g_assert_cmpuint (bob->n_records, ==, 4);

  /* Two users: the caller must choose, and nothing is written until then. */
  none = milk_legacy_db_import (db, f->store, MILK_LEGACY_ONLY_USER, &error);
  g_assert_error (error, MILK_IMPORT_ERROR, MILK_IMPORT_ERROR_CHOOSE_USER);
  g_assert_null (none);
  g_assert_nonnull (strstr (error->message, "bob@example.com"));
  g_clear_error (&error);
  none = milk_legacy_db_import (db, f->store, 99, &error);
  g_assert_error (error, MILK_IMPORT_ERROR, MILK_IMPORT_ERROR_NO_SUCH_USER);
  g_clear_error (&error);
  g_assert_cmpuint (milk_store_count_pending (f->store), ==, 0);

  report = milk_legacy_db_import (db, f->store, alice->id, &error);
  g_assert_no_error (error);
  assert_alice (f, report);
  g_assert_false (report->currency_set);
  assert_reimport_changes_nothing (f, db, alice->id);
}

static void
test_shape3 (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(MilkLegacyDb) db = open_fixture (f, "legacy-shape3.sql");
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(MilkImportReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *currency = NULL;

  g_assert_cmpint (milk_legacy_db_get_shape (db), ==, MILK_LEGACY_SHAPE_SETTINGS);
  users = milk_legacy_db_list_users (db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (users->len, ==, 2);
  g_assert_cmpstr (((MilkLegacyUser *) g_ptr_array_index (users, 0))->currency, ==, "INR");
  g_assert_cmpstr (((MilkLegacyUser *) g_ptr_array_index (users, 1))->currency, ==, "USD");

  report = milk_legacy_db_import (db, f->store, 1, &error);
  g_assert_no_error (error);
  assert_alice (f, report);
  /* The diary had no currency set; the user's settings name one. */
  g_assert_true (report->currency_set);
  currency = milk_store_dup_setting (f->store, "currency");
  g_assert_cmpstr (currency, ==, "INR");
  assert_reimport_changes_nothing (f, db, 1);
}

/* Bob, in shape 3, keeps his prices in US dollars:
 *
 *   row  date         litres  cost                  price
 *   20   01-11-2025   2.0     3.0                   1.50/L from 1 Nov
 *   21   02-11-2025   2.0     3.0                   1.50
 *   22   10-11-2025   1.0     1.6                   1.60/L from 10 Nov
 *   23   16-11-2025   0.1     0.30000000000000004   3.00/L from 16 Nov
 *
 * The last cost is 0.1 × 3.0 as binary floating point stores it; SQLite
 * prints it to 15 digits as "0.3", which gives 3.00 exactly.
 * November 2025: 3.00 + 3.00 + 1.60 + 0.30 = 7.90 → 790 cents; 5.1 L.
 */
static void
test_shape3_second_user (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(MilkLegacyDb) db = open_fixture (f, "legacy-shape3.sql");
  g_autoptr(MilkImportReport) report = NULL;
  g_autoptr(MilkPriceSchedule) schedule = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *currency = NULL;

  report = milk_legacy_db_import (db, f->store, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->rows_read, ==, 4);
  g_assert_cmpuint (report->imported, ==, 4);
  g_assert_cmpuint (report->price_changes, ==, 3);
  g_assert_cmpuint (report->problems->len, ==, 0);
  g_assert_true (report->currency_set);
  g_assert_cmpstr (report->currency, ==, "USD");
  currency = milk_store_dup_setting (f->store, "currency");
  g_assert_cmpstr (currency, ==, "USD");

  assert_month (f->store, 2025, 11, 790, 5100, 4, 0);
  assert_month (f->store, 2025, 10, 0, 0, 0, 0);
  schedule = milk_store_get_price_schedule (f->store, MILK, NULL);
  g_assert_cmpuint (milk_price_schedule_get_n_changes (schedule), ==, 3);
  assert_price (schedule, 0, "2025-11-01", 150);
  assert_price (schedule, 1, "2025-11-10", 160);
  assert_price (schedule, 2, "2025-11-16", 300);

  assert_reimport_changes_nothing (f, db, 2);
}

/* An entry edited after an import is put back by the next, alone. */
static void
test_reimport_repairs_only_what_differs (Fixture       *f,
                                         gconstpointer  data)
{
  g_autoptr(MilkLegacyDb) db = open_fixture (f, "legacy-shape1.sql");
  g_autoptr(MilkImportReport) first = NULL;
  g_autoptr(MilkImportReport) second = NULL;
  g_autoptr(GError) error = NULL;

  first = milk_legacy_db_import (db, f->store, MILK_LEGACY_ONLY_USER, &error);
  g_assert_no_error (error);
  milk_store_set_entry (f->store, MILK, milk_test_day ("2025-11-05"), 2000, MILK_NO_PRICE, "", &error);
  g_assert_no_error (error);

  second = milk_legacy_db_import (db, f->store, MILK_LEGACY_ONLY_USER, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (second->entries_written, ==, 1);
  g_assert_cmpuint (second->prices_written, ==, 0);
  assert_month (f->store, 2025, 11, 25550, 4750, 6, 0);
}

static void
test_bad_rows_never_crash (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(MilkLegacyDb) db = NULL;
  g_autoptr(MilkImportReport) report = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *out = NULL;

  /* NULLs, text in number columns, negatives, huge and inexact values. */
  g_assert_cmpint (sqlite3_open (f->legacy, &out), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (out,
      "CREATE TABLE milk (id INTEGER PRIMARY KEY, date VARCHAR(250), milk_qty FLOAT, cost FLOAT,"
      " total_cost FLOAT, month_year VARCHAR(50));"
      "INSERT INTO milk VALUES (1, NULL, 1.0, 50.0, NULL, NULL);"
      "INSERT INTO milk VALUES (2, '01-01-2026', NULL, 50.0, NULL, NULL);"
      "INSERT INTO milk VALUES (3, '02-01-2026', 'lots', 50.0, NULL, NULL);"
      "INSERT INTO milk VALUES (4, '03-01-2026', -1.0, -50.0, NULL, NULL);"
      "INSERT INTO milk VALUES (5, '04-01-2026', 1000.0, 50.0, NULL, NULL);"
      "INSERT INTO milk VALUES (6, '05-01-2026', 1.0, NULL, NULL, NULL);"
      "INSERT INTO milk VALUES (7, '06-01-2026', 3.0, 100.0, NULL, NULL);"
      "INSERT INTO milk VALUES (8, X'3031', 1.0, 50.0, NULL, NULL);"
      "INSERT INTO milk VALUES (9, '07-01-2026', 1.0, 1e300, NULL, NULL);",
      NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (out);

  db = milk_legacy_db_open (f->legacy, &error);
  g_assert_no_error (error);
  report = milk_legacy_db_import (db, f->store, MILK_LEGACY_ONLY_USER, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->rows_read, ==, 9);
  g_assert_cmpuint (report->bad_rows, ==, 8);
  /* 100.00 for 3 L is 33.333… a litre: imported at 33.33, which comes
   * to 99.99, and said so. */
  g_assert_cmpuint (report->imported, ==, 1);
  g_assert_cmpint (require_problem (report, 7)->kind, ==, MILK_IMPORT_PROBLEM_INEXACT);
  assert_month (f->store, 2026, 1, 9999, 3000, 1, 0);
  for (gint64 row = 1; row <= 9; row++)
    if (row != 7)
      g_assert_nonnull (find_problem (report, row));
}

static void
test_not_legacy (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_build_filename (f->dir.dir, "notes.txt", NULL);
  g_autofree char *missing = g_build_filename (f->dir.dir, "missing.db", NULL);
  MilkLegacyDb *db;

  /* A Milk Diary cache is SQLite, but not the old app's. */
  db = milk_legacy_db_open (f->dir.path, &error);
  g_assert_error (error, MILK_IMPORT_ERROR, MILK_IMPORT_ERROR_NOT_LEGACY);
  g_assert_null (db);
  g_clear_error (&error);

  g_file_set_contents (text, "day,litres\n2026-01-01,1\n and some more text to fill a page", -1, NULL);
  db = milk_legacy_db_open (text, &error);
  g_assert_error (error, MILK_IMPORT_ERROR, MILK_IMPORT_ERROR_NOT_LEGACY);
  g_assert_null (db);
  g_clear_error (&error);

  db = milk_legacy_db_open (missing, &error);
  g_assert_error (error, MILK_IMPORT_ERROR, MILK_IMPORT_ERROR_FAILED);
  g_assert_null (db);
}

/* The command line's entry point: tells a database from a CSV file and
 * picks a user by email. */
static void
test_import_file (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(MilkLegacyDb) db = open_fixture (f, "legacy-shape3.sql");
  g_autofree char *csv = g_build_filename (f->dir.dir, "entries.csv", NULL);
  g_autoptr(MilkImportReport) report = NULL;
  g_autoptr(MilkImportReport) from_csv = NULL;
  g_autoptr(GError) error = NULL;
  MilkImportReport *none;

  none = milk_import_file (f->store, f->legacy, NULL, &error);
  g_assert_error (error, MILK_IMPORT_ERROR, MILK_IMPORT_ERROR_CHOOSE_USER);
  g_assert_null (none);
  g_clear_error (&error);
  none = milk_import_file (f->store, f->legacy, "carol@example.com", &error);
  g_assert_error (error, MILK_IMPORT_ERROR, MILK_IMPORT_ERROR_NO_SUCH_USER);
  g_assert_null (none);
  g_clear_error (&error);

  report = milk_import_file (f->store, f->legacy, "Alice@Example.com", &error);
  g_assert_no_error (error);
  assert_alice (f, report);

  g_file_set_contents (csv, "day,litres,price\n2025-12-01,1,56.00\n", -1, NULL);
  from_csv = milk_import_file (f->store, csv, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (from_csv->imported, ==, 1);
  g_assert_true (from_csv->by_line);
  assert_month (f->store, 2025, 12, 5600, 1000, 1, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ("/import/legacy/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("shape1", test_shape1);
  ADD ("shape2", test_shape2);
  ADD ("shape3", test_shape3);
  ADD ("shape3-second-user", test_shape3_second_user);
  ADD ("reimport-repairs-only-what-differs", test_reimport_repairs_only_what_differs);
  ADD ("bad-rows-never-crash", test_bad_rows_never_crash);
  ADD ("not-legacy", test_not_legacy);
  ADD ("import-file", test_import_file);
#undef ADD

  return g_test_run ();
}
