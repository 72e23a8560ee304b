/* test-command-line.c — `milk-diary` without a window
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _XOPEN_SOURCE 700
#include "config.h"

#include <locale.h>
#include <sqlite3.h>
#include <wchar.h>

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
run_valist (Fixture    *f,
            const char *locale,
            va_list     args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GError) error = NULL;
  Result r = { 0 };
  const char *arg;
  int wait_status = 0;

  g_ptr_array_add (argv, (char *) g_getenv ("MILK_DIARY_BIN"));
  while ((arg = va_arg (args, const char *)))
    g_ptr_array_add (argv, (char *) arg);
  g_ptr_array_add (argv, NULL);

  envp = g_environ_setenv (envp, "MILK_DIARY_PATH", f->dir.path, TRUE);
  if (locale)
    {
      envp = g_environ_setenv (envp, "LC_ALL", locale, TRUE);
      envp = g_environ_setenv (envp, "MILK_LOCALEDIR", g_getenv ("MILK_TEST_LOCALEDIR"), TRUE);
    }
  g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                &r.out, &r.err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  r.status = WEXITSTATUS (wait_status);
  g_test_message ("status %d\nstdout: %s\nstderr: %s", r.status, r.out, r.err);
  return r;
}

static Result
run (Fixture *f,
     ...)
{
  va_list args;
  Result r;

  va_start (args, f);
  r = run_valist (f, NULL, args);
  va_end (args);
  return r;
}

/* In another language, translated from the build tree. */
static Result
run_in (Fixture    *f,
        const char *locale,
        ...)
{
  va_list args;
  Result r;

  va_start (args, locale);
  r = run_valist (f, locale, args);
  va_end (args);
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

/* The line of @out that starts with @prefix, or NULL. */
static char *
line_with (const char *out,
           const char *prefix)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_strdup (lines[i]);
  return NULL;
}

/* Whether the line starting with @prefix ends with @value. */
static gboolean
line_ends_with (const char *out,
                const char *prefix,
                const char *value)
{
  g_autofree char *line = line_with (out, prefix);

  if (line == NULL)
    return FALSE;
  g_test_message ("%s", line);
  return g_str_has_suffix (line, value);
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
  g_assert_true (line_ends_with (month.out, "2026-11-03  Milk", "1.5 L  ₹56.50  ₹84.75"));
  g_assert_true (line_ends_with (month.out, "2026-11-04  Milk", "no delivery"));
  g_assert_true (line_ends_with (month.out, "2026-11-05  Milk", "0.75 L  ₹56.50  ₹42.38"));
  g_assert_true (line_ends_with (month.out, "Delivery days", " 2"));
  g_assert_true (line_ends_with (month.out, "Milk delivered", " 2.25 L"));
  g_assert_true (line_ends_with (month.out, "Amount", " ₹127.13"));
  g_assert_true (line_ends_with (month.out, "Balance due", " ₹127.13"));

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
    { { "--date", "2026-11-01", NULL }, "with --add" },
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
  g_autofree char *sql_path = g_test_build_filename (G_TEST_DIST, "files", "fixtures", fixture, NULL);
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
  g_assert_true (line_ends_with (month.out, "2025-10-30  Milk", "no delivery"));

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


/* The bars of the issue: a month after an unpaid one brings it forward,
 * and --pay on 5 October for September's amount settles September. */
static void
test_pay_settles_bill (Fixture       *f,
                       gconstpointer  data)
{
  Result price = run (f, "--price", "56.50", "--date", "2026-09-01", NULL);
  Result a = run (f, "--add", "1.5", "--date", "2026-09-01", NULL);
  Result b = run (f, "--add", "1.5", "--date", "2026-09-02", NULL);
  Result c = run (f, "--add", "1.5", "--date", "2026-09-03", NULL);
  Result d = run (f, "--add", "2", "--date", "2026-10-01", NULL);
  Result october = run (f, "--month", "2026-10", NULL);
  Result pay = run (f, "--pay", "254.25", "--date", "2026-10-05", "--for", "2026-09", NULL);
  Result september = run (f, "--month", "2026-09", NULL);
  Result october_after = run (f, "--month", "2026-10", NULL);
  Result by_rule = run (f, "--pay", "50", "--date", "2026-10-06", NULL);

  /* September: 3 × 1.5 L × ₹56.50 = ₹254.25, unpaid; October ₹113.00. */
  g_assert_cmpint (october.status, ==, 0);
  g_assert_true (line_ends_with (october.out, "Brought forward", " ₹254.25"));
  g_assert_true (line_ends_with (october.out, "Amount", " ₹113.00"));
  g_assert_true (line_ends_with (october.out, "Balance due", " ₹367.25"));
  g_assert_true (line_ends_with (october.out, "Status", " Due"));

  g_assert_cmpint (pay.status, ==, 0);
  g_assert_nonnull (strstr (pay.out, "for the bill for September 2026"));
  g_assert_nonnull (strstr (pay.out, "September 2026: Settled; balance due ₹0.00"));

  g_assert_true (line_ends_with (september.out, "Paid 2026-10-05", " ₹254.25"));
  g_assert_true (line_ends_with (september.out, "Paid ", " ₹254.25"));
  g_assert_true (line_ends_with (september.out, "Balance due", " ₹0.00"));
  g_assert_true (line_ends_with (september.out, "Status", " Settled"));

  g_assert_null (line_with (october_after.out, "Brought forward"));
  g_assert_true (line_ends_with (october_after.out, "Balance due", " ₹113.00"));

  /* No month named: September is settled, so October's bill. */
  g_assert_cmpint (by_rule.status, ==, 0);
  g_assert_nonnull (strstr (by_rule.out, "for the bill for October 2026"));
  g_assert_nonnull (strstr (by_rule.out, "October 2026: Partly paid; balance due ₹63.00"));

  result_clear (&price);
  result_clear (&a);
  result_clear (&b);
  result_clear (&c);
  result_clear (&d);
  result_clear (&october);
  result_clear (&pay);
  result_clear (&september);
  result_clear (&october_after);
  result_clear (&by_rule);
}

/* A bad amount, month or day is refused with a reason and stores nothing. */
static void
test_pay_refuses (Fixture       *f,
                  gconstpointer  data)
{
  const struct { const char *args[7]; const char *message; } cases[] = {
    { { "--pay", "0", NULL }, "more than zero" },
    { { "--pay", "-5", NULL }, "not a price" },
    { { "--pay", "₹12x", NULL }, "not a price" },
    { { "--pay", "12.345", NULL }, "--pay" },
    { { "--pay", "100", "--for", "2026-13", NULL }, "YYYY-MM" },
    { { "--pay", "100", "--for", "September", NULL }, "YYYY-MM" },
    { { "--for", "2026-09", NULL }, "--for goes with --pay" },
    { { "--pay", "100", "--date", "2999-01-01", NULL }, "has not happened yet" },
  };
  g_autoptr(MilkStore) store = NULL;
  g_autoptr(GPtrArray) payments = NULL;
  Result created = run (f, "--month", "2026-10", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char * const *a = cases[i].args;
      Result r = run (f, a[0], a[1], a[2], a[3], a[4], a[5], a[6], NULL);

      g_assert_cmpint (r.status, ==, 2);
      g_assert_nonnull (strstr (r.err, cases[i].message));
      result_clear (&r);
    }
  store = milk_store_new (f->dir.path, NULL);
  payments = milk_store_list_payments (store, milk_test_day ("1900-01-01"), milk_test_day ("9999-12-31"), NULL);
  g_assert_cmpuint (payments->len, ==, 0);
  result_clear (&created);
}

/* What a terminal shows: wcswidth counts a Devanagari vowel sign as no
 * column, whatever its bytes. */
static int
terminal_width (const char *line)
{
  gsize n = mbstowcs (NULL, line, 0);
  g_autofree wchar_t *wide = NULL;

  g_assert_cmpuint (n, !=, (gsize) -1);
  wide = g_new0 (wchar_t, n + 1);
  mbstowcs (wide, line, n + 1);
  return wcswidth (wide, n);
}

/* Columns line up with product names in Hindi, and the average has two
 * decimals at most. */
static void
test_month_aligns (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(MilkStore) store = milk_test_store_new (&f->dir);
  g_autoptr(MilkRecord) buffalo = milk_store_add_product (store, "भैंस का दूध", 500, NULL);
  g_auto(GStrv) lines = NULL;
  Result month;
  int day_width = -1, summary_width = -1;

  g_assert_true (milk_store_set_price (store, MILK_DEFAULT_PRODUCT_ID, milk_test_day ("2026-11-01"), 5650, NULL));
  g_assert_true (milk_store_set_price (store, buffalo->id, milk_test_day ("2026-11-01"), 7000, NULL));
  for (int d = 1; d <= 6; d++)
    {
      g_autofree char *iso = g_strdup_printf ("2026-11-%02d", d);

      g_assert_true (milk_store_set_entry (store, MILK_DEFAULT_PRODUCT_ID, milk_test_day (iso), 1000, MILK_NO_PRICE, NULL, NULL));
      g_assert_true (milk_store_set_entry (store, buffalo->id, milk_test_day (iso), 500, MILK_NO_PRICE, NULL, NULL));
    }
  g_assert_true (milk_store_set_entry (store, MILK_DEFAULT_PRODUCT_ID, milk_test_day ("2026-11-07"), 2020, MILK_NO_PRICE,
                                       "दूध वाला देर से आया", NULL));
  g_clear_object (&store);

  /* 6 × 1.5 L + 2.02 L = 11.02 L on 7 days: 1.5743 L a day. */
  month = run (f, "--month", "2026-11", NULL);
  g_assert_cmpint (month.status, ==, 0);
  g_assert_true (line_ends_with (month.out, "Average per delivery day", " 1.57 L"));

  lines = g_strsplit (month.out, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      const char *line = lines[i];

      if (g_str_has_prefix (line, "2026-11-0") && !g_str_has_prefix (line, "2026-11-07"))
        {
          if (day_width < 0)
            day_width = terminal_width (line);
          g_assert_cmpint (terminal_width (line), ==, day_width);
        }
      if (g_str_has_prefix (line, "Milk delivered") || g_str_has_prefix (line, "Amount") ||
          g_str_has_prefix (line, "Balance due"))
        {
          if (summary_width < 0)
            summary_width = terminal_width (line);
          g_assert_cmpint (terminal_width (line), ==, summary_width);
        }
    }
  g_assert_cmpint (day_width, >, 0);
  g_assert_cmpint (summary_width, >, 0);
  result_clear (&month);
}

/* --add 1+0.5 records the morning's and the evening's; the bill shows the
 * day as both, and what came in the mornings, in the evenings and on the
 * days delivered once, adding up to the month's litres. */
static void
test_add_morning_evening (Fixture       *f,
                          gconstpointer  data)
{
  Result price = run (f, "--price", "56.50", "--date", "2026-11-01", NULL);
  Result add = run (f, "--add", "1+0.5", "--date", "2026-11-02", NULL);
  Result ml = run (f, "--add", "750 ml + 250ml", "--date", "2026-11-03", NULL);
  Result once = run (f, "--add", "2", "--date", "2026-11-04", NULL);
  Result bad = run (f, "--add", "1+", "--date", "2026-11-05", NULL);
  Result three = run (f, "--add", "1+1+1", "--date", "2026-11-05", NULL);
  Result month = run (f, "--month", "2026-11", NULL);
  g_autoptr(MilkStore) store = NULL;
  g_autoptr(MilkRecord) day = NULL;

  g_assert_cmpint (price.status, ==, 0);
  g_assert_cmpint (add.status, ==, 0);
  g_assert_cmpstr (add.out, ==, "Recorded 1 + 0.5 L of Milk on 2026-11-02\n");
  g_assert_cmpint (ml.status, ==, 0);
  g_assert_cmpint (once.status, ==, 0);
  g_assert_cmpint (bad.status, ==, 2);
  g_assert_cmpint (three.status, ==, 2);
  g_assert_nonnull (strstr (three.err, "1+0.5"));

  store = milk_test_store_new (&f->dir);
  day = milk_store_get_entry (store, MILK_DEFAULT_PRODUCT_ID, milk_test_day ("2026-11-02"), NULL);
  g_assert_true (milk_entry_is_split (day));
  g_assert_cmpint (day->morning_ml, ==, 1000);
  g_assert_cmpint (day->evening_ml, ==, 500);
  g_assert_null (milk_store_get_entry (store, MILK_DEFAULT_PRODUCT_ID, milk_test_day ("2026-11-05"), NULL));
  g_clear_object (&store);

  /* 1.5 L + 1 L + 2 L at ₹56.50: ₹84.75 + ₹56.50 + ₹113.00 = ₹254.25 */
  g_assert_cmpint (month.status, ==, 0);
  g_assert_true (line_ends_with (month.out, "2026-11-02  Milk", "     1 + 0.5 L  ₹56.50   ₹84.75"));
  g_assert_true (line_ends_with (month.out, "2026-11-03  Milk", "0.75 + 0.25 L  ₹56.50   ₹56.50"));
  g_assert_true (line_ends_with (month.out, "2026-11-04  Milk", "          2 L  ₹56.50  ₹113.00"));
  g_assert_true (line_ends_with (month.out, "Milk delivered", " 4.5 L"));
  g_assert_true (line_ends_with (month.out, "  Morning", " 1.75 L"));
  g_assert_true (line_ends_with (month.out, "  Evening", " 0.75 L"));
  g_assert_true (line_ends_with (month.out, "  Delivered once", " 2 L"));
  g_assert_true (line_ends_with (month.out, "Amount", " ₹254.25"));

  /* A day recorded again as one quantity is one delivery. */
  result_clear (&once);
  once = run (f, "--add", "1.5", "--date", "2026-11-02", NULL);
  result_clear (&month);
  month = run (f, "--month", "2026-11", NULL);
  g_assert_true (line_ends_with (month.out, "2026-11-02  Milk", " 1.5 L  ₹56.50   ₹84.75"));
  g_assert_true (line_ends_with (month.out, "  Morning", " 0.75 L"));
  g_assert_true (line_ends_with (month.out, "  Delivered once", " 3.5 L"));

  result_clear (&price);
  result_clear (&add);
  result_clear (&ml);
  result_clear (&once);
  result_clear (&bad);
  result_clear (&three);
  result_clear (&month);
}

/* The lines of @out's last block (after its last blank line). */
static GStrv
last_block (const char *out)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  g_autoptr(GStrvBuilder) block = g_strv_builder_new ();
  guint start = 0;

  for (guint i = 0; lines[i]; i++)
    if (lines[i][0] == '\0' && lines[i + 1] && lines[i + 1][0] != '\0')
      start = i + 1;
  for (guint i = start; lines[i] && lines[i][0]; i++)
    g_strv_builder_add (block, lines[i]);
  return g_strv_builder_end (block);
}

/* The morning and evening rows line up with the rest of the summary in
 * German and Hindi, as the split days line up with the others. */
static void
test_morning_evening_aligns (Fixture       *f,
                             gconstpointer  data)
{
  static const char * const locales[] = { "de_DE.UTF-8", "hi_IN.UTF-8", "C.UTF-8" };
  Result add[4];

  add[3] = run (f, "--price", "56.50", "--date", "2026-11-01", NULL);
  add[0] = run (f, "--add", "1+0.5", "--date", "2026-11-02", NULL);
  add[1] = run (f, "--add", "0.75+0.25", "--date", "2026-11-03", NULL);
  add[2] = run (f, "--add", "2", "--date", "2026-11-04", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (add); i++)
    {
      g_assert_cmpint (add[i].status, ==, 0);
      result_clear (&add[i]);
    }
  for (guint l = 0; l < G_N_ELEMENTS (locales); l++)
    {
      Result month = run_in (f, locales[l], "--month", "2026-11", NULL);
      g_auto(GStrv) lines = g_strsplit (month.out, "\n", -1);
      g_auto(GStrv) summary = last_block (month.out);
      int day_width = -1;

      g_assert_cmpint (month.status, ==, 0);
      for (guint i = 0; lines[i]; i++)
        if (g_str_has_prefix (lines[i], "2026-11-0"))
          {
            if (day_width < 0)
              day_width = terminal_width (lines[i]);
            g_assert_cmpint (terminal_width (lines[i]), ==, day_width);
          }
      g_assert_cmpint (day_width, >, 0);
      /* Milk delivered, morning, evening, once, days, average, amount,
       * paid, balance, status. */
      g_assert_cmpuint (g_strv_length (summary), ==, 10);
      for (guint i = 1; summary[i]; i++)
        g_assert_cmpint (terminal_width (summary[i]), ==, terminal_width (summary[0]));
      g_assert_true (g_str_has_prefix (summary[1], "  "));
      if (l < 2)
        g_assert_false (g_str_has_prefix (summary[1], "  Morning"));
      result_clear (&month);
    }
}

/* With several products, each product's mornings and evenings are under
 * its own line of the products' table, in its columns; a product without
 * such days has none. */
static void
test_products_morning_evening (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(MilkStore) store = milk_test_store_new (&f->dir);
  g_autoptr(MilkRecord) buffalo = milk_store_add_product (store, "Buffalo", 500, NULL);
  g_autoptr(MilkRecord) day = milk_record_new (MILK_RECORD_ENTRY);
  g_auto(GStrv) lines = NULL;
  Result month;
  guint at = 0;

  day->id = g_strdup (buffalo->id);
  day->day = milk_test_day ("2026-11-03");
  day->note = g_strdup ("");
  milk_entry_set_split (day, 500, 250);
  g_assert_true (milk_store_put (store, day, NULL));
  g_assert_true (milk_store_set_entry (store, MILK_DEFAULT_PRODUCT_ID, milk_test_day ("2026-11-03"), 1000,
                                       MILK_NO_PRICE, NULL, NULL));
  g_clear_object (&store);

  month = run (f, "--month", "2026-11", NULL);
  g_assert_cmpint (month.status, ==, 0);
  lines = g_strsplit (month.out, "\n", -1);
  while (lines[at] && !g_str_has_prefix (lines[at], "Milk   "))
    at++;
  g_assert_nonnull (lines[at]);
  g_assert_true (g_str_has_prefix (lines[at + 1], "Buffalo "));
  g_assert_cmpstr (lines[at + 2], ==, "  Morning   0.5 L  1 day");
  g_assert_cmpstr (lines[at + 3], ==, "  Evening  0.25 L  1 day");
  g_assert_cmpstr (lines[at + 4], ==, "");
  result_clear (&month);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ("/cli/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("help-and-version", test_help_and_version);
  ADD ("add-then-month", test_add_then_month);
  ADD ("month-without-price", test_month_without_price);
  ADD ("bad-arguments", test_bad_arguments);
  ADD ("damaged-diary", test_damaged_diary);
  ADD ("import-export-bill", test_import_export_bill);
  ADD ("import-bad-arguments", test_import_bad_arguments);
  ADD ("pay-settles-bill", test_pay_settles_bill);
  ADD ("pay-refuses", test_pay_refuses);
  ADD ("month-aligns", test_month_aligns);
  ADD ("add-morning-evening", test_add_morning_evening);
  ADD ("morning-evening-aligns", test_morning_evening_aligns);
  ADD ("products-morning-evening", test_products_morning_evening);
#undef ADD

  return g_test_run ();
}
