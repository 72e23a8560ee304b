/* test-command-line.c — `milk-diary` without a window
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sqlite3.h>

#include "milk-test-util.h"

typedef struct
{
  MilkTestDir dir;
} Fixture;

typedef struct
{
  int status;
  char *out;
  char *err;
} Result;

static void
result_clear (Result *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  milk_test_dir_init (&f->dir);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  milk_test_dir_clear (&f->dir);
}

static Result
run (Fixture *f,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GError) error = NULL;
  Result r = { 0 };
  const char *arg;
  va_list args;
  int wait_status = 0;

  g_ptr_array_add (argv, (char *) g_getenv ("MILK_DIARY_BIN"));
  va_start (args, f);
  while ((arg = va_arg (args, const char *)))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  envp = g_environ_setenv (envp, "MILK_DIARY_PATH", f->dir.path, TRUE);
  g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                &r.out, &r.err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  r.status = WEXITSTATUS (wait_status);
  g_test_message ("status %d\nstdout: %s\nstderr: %s", r.status, r.out, r.err);
  return r;
}

static void
test_help_and_version (Fixture       *f,
                       gconstpointer  data)
{
  Result help = run (f, "--help", NULL);
  Result version = run (f, "--version", NULL);

  g_assert_cmpint (help.status, ==, 0);
  g_assert_nonnull (strstr (help.out, "--add=QUANTITY"));
  g_assert_nonnull (strstr (help.out, "--month=YYYY-MM"));
  g_assert_cmpint (version.status, ==, 0);
  g_assert_cmpstr (version.out, ==, "Milk Diary " PACKAGE_VERSION "\n");
  result_clear (&help);
  result_clear (&version);
}

/* The bar of the issue: add on a day, then the month's bill shows it. */
static void
test_add_then_month (Fixture       *f,
                     gconstpointer  data)
{
  Result price = run (f, "--price", "56.50", "--date", "2026-11-01", NULL);
  Result add = run (f, "--add", "1.5", "--date", "2026-11-03", NULL);
  Result skip = run (f, "--add", "0", "--date", "2026-11-04", NULL);
  Result ml = run (f, "--add", "750 ml", "--date", "2026-11-05", NULL);
  Result month = run (f, "--month", "2026-11", NULL);

  g_assert_cmpint (price.status, ==, 0);
  g_assert_cmpint (add.status, ==, 0);
  g_assert_cmpstr (add.out, ==, "Recorded 1.5 L of Milk on 2026-11-03\n");
  g_assert_cmpint (skip.status, ==, 0);
  g_assert_cmpint (ml.status, ==, 0);
  g_assert_cmpint (month.status, ==, 0);

  /* 1.5 L × ₹56.50 = ₹84.75; 0.75 L = ₹42.375 → ₹42.38; total ₹127.13 */
  g_assert_nonnull (strstr (month.out, "bill for November 2026"));
  g_assert_nonnull (strstr (month.out, "2026-11-03  Milk                1.5 L        ₹84.75"));
  g_assert_nonnull (strstr (month.out, "2026-11-04  Milk            no delivery"));
  g_assert_nonnull (strstr (month.out, "₹42.38"));
  g_assert_nonnull (strstr (month.out, "2 delivery days"));
  g_assert_nonnull (strstr (month.out, "2.25 L"));
  g_assert_nonnull (strstr (month.out, "₹127.13"));

  result_clear (&price);
  result_clear (&add);
  result_clear (&skip);
  result_clear (&ml);
  result_clear (&month);
}

static void
test_month_without_price (Fixture       *f,
                          gconstpointer  data)
{
  Result add = run (f, "--add", "1", "--date", "2026-10-10", NULL);
  Result month = run (f, "--month", "2026-10", NULL);

  g_assert_cmpint (month.status, ==, 0);
  g_assert_nonnull (strstr (month.out, "no price"));
  g_assert_nonnull (strstr (month.out, "(1 delivery day has no price)"));
  result_clear (&add);
  result_clear (&month);
}

typedef struct
{
  const char *args[6];
  const char *message;
} BadCase;

static void
test_bad_arguments (Fixture       *f,
                    gconstpointer  data)
{
  static const BadCase cases[] = {
    { { "--add", "two", NULL }, "not a quantity" },
    { { "--add", "150", NULL }, "100 litres" },
    { { "--add", "1", "--date", "2026-02-30", NULL }, "not a day in the calendar" },
    { { "--add", "1", "--date", "30-11-2026", NULL }, "YYYY-MM-DD" },
    { { "--add", "1", "--date", "2999-01-01", NULL }, "has not happened yet" },
    { { "--add", "1", "--product", "Camel milk", NULL }, "no product called" },
    { { "--month", "2026-13", NULL }, "YYYY-MM" },
    { { "--month", "November", NULL }, "YYYY-MM" },
    { { "--date", "2026-11-01", NULL }, "go with --add" },
    { { "--price", "56.505", NULL }, "2 digits" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char * const *a = cases[i].args;
      Result r = run (f, a[0], a[1], a[2], a[3], a[4], a[5], NULL);

      g_assert_cmpint (r.status, ==, 2);
      g_assert_nonnull (strstr (r.err, cases[i].message));
      result_clear (&r);
    }

  /* None of them wrote anything. */
  {
    Result month = run (f, "--month", "2026-11", NULL);
    g_assert_nonnull (strstr (month.out, "Nothing recorded this month."));
    result_clear (&month);
  }
}

static void
test_damaged_diary (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *after = NULL;
  Result r;

  g_assert_true (g_file_set_contents (f->dir.path, "not a database, just text", -1, NULL));
  r = run (f, "--month", "2026-11", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "damaged or is not a Milk Diary database"));
  after = milk_test_read_file (f->dir.path, NULL);
  g_assert_cmpstr (after, ==, "not a database, just text");
  result_clear (&r);
}

static char *
make_legacy_database (Fixture    *f,
                      const char *fixture)
{
  g_autofree char *sql_path = g_test_build_filename (G_TEST_DIST, "import", "fixtures", fixture, NULL);
  g_autofree char *sql = milk_test_read_file (sql_path, NULL);
  char *path = g_build_filename (f->dir.dir, "milk-calculation.db", NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  return path;
}

/* Home Milk Calculator's database comes in by --import, with its totals
 * (October 2025: 1 + 0.5 + 1.5 L at ₹50 = ₹150.00) and a report. */
static void
test_import_export_bill (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *legacy = make_legacy_database (f, "legacy-shape1.sql");
  g_autofree char *csv = g_build_filename (f->dir.dir, "entries.csv", NULL);
  g_autofree char *pdf = g_build_filename (f->dir.dir, "bill.pdf", NULL);
  g_autofree char *csv_text = NULL;
  Result import = run (f, "--import", legacy, NULL);
  Result again = run (f, "--import", legacy, NULL);
  Result month = run (f, "--month", "2025-10", NULL);
  Result export = run (f, "--export-csv", csv, NULL);
  Result bill = run (f, "--bill", "2025-10", "--pdf", pdf, NULL);
  g_autofree char *text = NULL;
  g_autofree char *pdftotext = NULL;
  int status = 0;

  g_assert_cmpint (import.status, ==, 0);
  g_assert_cmpint (again.status, ==, 0);
  g_assert_nonnull (strstr (month.out, "₹150.00"));
  g_assert_nonnull (strstr (month.out, "2025-10-30  Milk            no delivery"));

  g_assert_cmpint (export.status, ==, 0);
  csv_text = milk_test_read_file (csv, NULL);
  g_assert_true (g_str_has_prefix (csv_text, "day,product,litres,price,amount,note"));
  g_assert_nonnull (strstr (csv_text, "2025-10-31,Milk,1.5,50.00,75.00,"));

  g_assert_cmpint (bill.status, ==, 0);
  pdftotext = g_find_program_in_path ("pdftotext");
  if (pdftotext)
    {
      const char *argv[] = { pdftotext, "-layout", pdf, "-", NULL };

      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                   &text, NULL, &status, NULL));
      g_assert_nonnull (strstr (text, "150.00"));
    }
  else
    g_assert_true (g_file_test (pdf, G_FILE_TEST_IS_REGULAR));

  result_clear (&import);
  result_clear (&again);
  result_clear (&month);
  result_clear (&export);
  result_clear (&bill);
}

static void
test_import_bad_arguments (Fixture       *f,
                           gconstpointer  data)
{
  Result no_pdf = run (f, "--bill", "2025-10", NULL);
  Result no_bill = run (f, "--pdf", "/tmp/x.pdf", NULL);
  Result user_alone = run (f, "--user", "a@example.org", NULL);
  Result missing = run (f, "--import", "/nonexistent/milk.db", NULL);

  g_assert_cmpint (no_pdf.status, ==, 2);
  g_assert_nonnull (strstr (no_pdf.err, "go together"));
  g_assert_cmpint (no_bill.status, ==, 2);
  g_assert_cmpint (user_alone.status, ==, 2);
  g_assert_nonnull (strstr (user_alone.err, "--user goes with --import"));
  g_assert_cmpint (missing.status, ==, 1);
  g_assert_nonnull (strstr (missing.err, "milk-diary:"));
  result_clear (&no_pdf);
  result_clear (&no_bill);
  result_clear (&user_alone);
  result_clear (&missing);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ("/cli/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("help-and-version", test_help_and_version);
  ADD ("add-then-month", test_add_then_month);
  ADD ("month-without-price", test_month_without_price);
  ADD ("bad-arguments", test_bad_arguments);
  ADD ("damaged-diary", test_damaged_diary);
  ADD ("import-export-bill", test_import_export_bill);
  ADD ("import-bad-arguments", test_import_bad_arguments);
#undef ADD

  return g_test_run ();
}
