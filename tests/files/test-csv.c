/* test-csv.c — entries and payments as CSV: round trip and bad rows
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "milk-csv.h"
#include "milk-test-util.h"

#define MILK MILK_DEFAULT_PRODUCT_ID

typedef struct
{
  MilkTestDir dir;
  MilkStore *store;
  MilkStore *other;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *other = NULL;
  g_autoptr(GError) error = NULL;

  milk_test_dir_init (&f->dir);
  f->store = milk_test_store_new (&f->dir);
  other = g_build_filename (f->dir.dir, "other.sqlite", NULL);
  f->other = milk_store_new (other, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->store);
  g_clear_object (&f->other);
  milk_test_dir_clear (&f->dir);
}

static void
entry (MilkStore  *store,
       const char *product,
       const char *day,
       gint64      qty_ml,
       const char *note)
{
  g_autoptr(GError) error = NULL;

  milk_store_set_entry (store, product, milk_test_day (day), qty_ml, MILK_NO_PRICE, note, &error);
  g_assert_no_error (error);
}

static void
price (MilkStore  *store,
       const char *product,
       const char *day,
       gint64      price_per_l)
{
  g_autoptr(GError) error = NULL;

  milk_store_set_price (store, product, milk_test_day (day), price_per_l, &error);
  g_assert_no_error (error);
}

static gint64
month_amount (MilkStore *store,
              int        year,
              int        month)
{
  g_autoptr(GError) error = NULL;
  MilkTotals totals = { 0 };
  gint64 amount;

  milk_store_month_totals (store, year, month, &totals, NULL, &error);
  g_assert_no_error (error);
  amount = totals.amount;
  milk_totals_clear (&totals);
  return amount;
}

static char *
export_all (MilkStore *store)
{
  g_autoptr(GError) error = NULL;
  char *text = milk_csv_format_entries (store, milk_test_day ("1900-01-01"),
                                        milk_test_day ("9999-12-31"), NULL, &error);

  g_assert_no_error (error);
  return text;
}

/* A diary with two products, a price change, a skipped day and notes that
 * need quoting, and what it comes to:
 *   Milk    Oct 31: 1 L at 50.00 = 50.00
 *           Nov 1: 1.5 L at 50.00 = 75.00; Nov 2: 0 L; Nov 3: 0.75 L at
 *           56.00 = 42.00                       → November Milk 117.00
 *   Buffalo Nov 1: 0.5 L at 70.00 = 35.00       → November total 152.00
 */
static void
fill_diary (MilkStore *store,
            char     **buffalo_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkRecord) buffalo = milk_store_add_product (store, "Buffalo, Murrah", 500, &error);

  g_assert_no_error (error);
  price (store, MILK, "2025-10-31", 5000);
  price (store, MILK, "2025-11-03", 5600);
  price (store, buffalo->id, "2025-11-01", 7000);
  entry (store, MILK, "2025-10-31", 1000, "");
  entry (store, MILK, "2025-11-01", 1500, "said “fresh”, \"quoted\"");
  entry (store, MILK, "2025-11-02", 0, "away\nat Nani’s");
  entry (store, MILK, "2025-11-03", 750, " दूध ");
  entry (store, buffalo->id, "2025-11-01", 500, "");
  *buffalo_id = g_strdup (buffalo->id);
}

static void
test_export_format (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *buffalo = NULL;
  g_autofree char *text = NULL;

  fill_diary (f->store, &buffalo);
  text = export_all (f->store);
  g_assert_cmpstr (text, ==,
                   "day,product,litres,price,amount,note\r\n"
                   "2025-10-31,Milk,1,50.00,50.00,\r\n"
                   "2025-11-01,Milk,1.5,50.00,75.00,\"said “fresh”, \"\"quoted\"\"\"\r\n"
                   "2025-11-01,\"Buffalo, Murrah\",0.5,70.00,35.00,\r\n"
                   "2025-11-02,Milk,0,50.00,0.00,\"away\nat Nani’s\"\r\n"
                   "2025-11-03,Milk,0.75,56.00,42.00,\" दूध \"\r\n");
}

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *buffalo = NULL;
  g_autofree char *text = NULL;
  g_autofree char *again = NULL;
  g_autofree char *path = g_build_filename (f->dir.dir, "entries.csv", NULL);
  g_autoptr(MilkImportReport) report = NULL;
  g_autoptr(MilkImportReport) second = NULL;
  g_autoptr(GPtrArray) products = NULL;
  g_autoptr(GPtrArray) a = NULL;
  g_autoptr(GPtrArray) b = NULL;
  g_autoptr(GError) error = NULL;
  const char *other_buffalo = NULL;
  guint pending;

  fill_diary (f->store, &buffalo);
  g_assert_cmpint (month_amount (f->store, 2025, 11), ==, 15200);
  g_assert_true (milk_csv_export_entries (f->store, path, &error));
  g_assert_no_error (error);

  report = milk_csv_import_entries (f->other, path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->problems->len, ==, 0);
  g_assert_cmpuint (report->imported, ==, 5);
  g_assert_cmpuint (report->skipped_days, ==, 1);
  g_assert_cmpuint (report->products_written, ==, 1);
  g_assert_cmpuint (report->prices_written, ==, 3);

  /* Same entries, prices and bills; the new product has its own id. */
  products = milk_store_list_products (f->other, FALSE, NULL);
  g_assert_cmpuint (products->len, ==, 2);
  for (guint i = 0; i < products->len; i++)
    if (g_str_equal (((MilkRecord *) g_ptr_array_index (products, i))->name, "Buffalo, Murrah"))
      other_buffalo = ((MilkRecord *) g_ptr_array_index (products, i))->id;
  g_assert_nonnull (other_buffalo);

  a = milk_store_list_entries (f->store, milk_test_day ("2025-01-01"), milk_test_day ("2025-12-31"), NULL);
  b = milk_store_list_entries (f->other, milk_test_day ("2025-01-01"), milk_test_day ("2025-12-31"), NULL);
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      MilkRecord *x = g_ptr_array_index (a, i);
      MilkRecord *y = NULL;

      for (guint j = 0; j < b->len && y == NULL; j++)
        {
          MilkRecord *candidate = g_ptr_array_index (b, j);
          const char *expected = g_str_equal (x->id, MILK) ? MILK : other_buffalo;

          if (candidate->day == x->day && g_str_equal (candidate->id, expected))
            y = candidate;
        }
      if (y == NULL)
        g_error ("no entry for %s on day %u in the copy", x->id, x->day);
      g_assert_cmpint (y->qty_ml, ==, x->qty_ml);
      g_assert_cmpint (y->price_override, ==, x->price_override);
      g_assert_cmpstr (y->note, ==, x->note);
    }
  {
    g_autoptr(MilkPriceSchedule) sa = milk_store_get_price_schedule (f->store, MILK, NULL);
    g_autoptr(MilkPriceSchedule) sb = milk_store_get_price_schedule (f->other, MILK, NULL);

    g_assert_cmpuint (milk_price_schedule_get_n_changes (sa), ==, milk_price_schedule_get_n_changes (sb));
    for (guint i = 0; i < milk_price_schedule_get_n_changes (sa); i++)
      {
        MilkDay da, db;
        gint64 pa, pb;

        milk_price_schedule_get_change (sa, i, &da, &pa);
        milk_price_schedule_get_change (sb, i, &db, &pb);
        g_assert_cmpuint (da, ==, db);
        g_assert_cmpint (pa, ==, pb);
      }
  }
  g_assert_cmpint (month_amount (f->other, 2025, 10), ==, 5000);
  g_assert_cmpint (month_amount (f->other, 2025, 11), ==, 15200);

  /* Exporting the copy gives the same file. */
  text = export_all (f->store);
  again = export_all (f->other);
  g_assert_cmpstr (again, ==, text);

  /* Importing it again changes nothing. */
  pending = milk_store_count_pending (f->other);
  second = milk_csv_import_entries (f->other, path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (milk_import_report_get_n_written (second), ==, 0);
  g_assert_cmpuint (milk_store_count_pending (f->other), ==, pending);
}

static gboolean
has_problem (const MilkImportReport *report,
             gint64                  line,
             MilkImportProblemKind   kind)
{
  for (guint i = 0; i < report->problems->len; i++)
    {
      const MilkImportProblem *problem = g_ptr_array_index (report->problems, i);

      if (problem->row == line && problem->kind == kind)
        return TRUE;
    }
  return FALSE;
}

/* fixtures/entries-bad.csv, line by line:
 *    1 header
 *    2 2025-11-01 1 L, good, but line 17 is the same day again → duplicate
 *    3 bad date (Nov 31)        4 litres "abc"          5 litres 1.2345
 *    6 price 56.001             7 amount 50.00 ≠ 56.00  8 too few fields
 *    9 negative litres
 *   10 good: quoted day, a note with a comma and doubled quotes
 *   11-12 good: a note across two lines
 *   13 a quote inside an unquoted field
 *   14 101 litres               15 blank: not a row at all
 *   16 good: 0 L, a skipped day
 *   17 good: 2 L on 1 November, kept over line 2
 *   18-19 a quoted field never closed
 * Imported: 1 Nov 2 L (112.00), 8 Nov 1 L (56.00), 9 Nov 1 L (56.00),
 * 12 Nov 0 L → November 224.00.
 */
static void
test_bad_corpus (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "files", "fixtures", "entries-bad.csv", NULL);
  g_autoptr(MilkImportReport) report = NULL;
  g_autoptr(MilkRecord) quoted = NULL;
  g_autoptr(MilkRecord) multiline = NULL;
  g_autoptr(MilkRecord) first = NULL;
  g_autoptr(GError) error = NULL;
  static const gint64 bad_lines[] = { 3, 4, 5, 6, 7, 8, 9, 13, 14, 18 };
  g_autofree char *summary = NULL;

  report = milk_csv_import_entries (f->store, path, &error);
  g_assert_no_error (error);
  summary = milk_import_report_to_string (report);
  g_test_message ("%s", summary);

  g_assert_cmpuint (report->rows_read, ==, 15);
  g_assert_cmpuint (report->bad_rows, ==, G_N_ELEMENTS (bad_lines));
  g_assert_cmpuint (report->duplicates, ==, 1);
  g_assert_cmpuint (report->problems->len, ==, G_N_ELEMENTS (bad_lines) + 1);
  g_assert_true (has_problem (report, 3, MILK_IMPORT_PROBLEM_BAD_DATE));
  for (guint i = 1; i < G_N_ELEMENTS (bad_lines); i++)
    g_assert_true (has_problem (report, bad_lines[i], MILK_IMPORT_PROBLEM_BAD_VALUE));
  g_assert_true (has_problem (report, 2, MILK_IMPORT_PROBLEM_DUPLICATE));

  g_assert_cmpuint (report->imported, ==, 4);
  g_assert_cmpuint (report->skipped_days, ==, 1);
  g_assert_cmpint (month_amount (f->store, 2025, 11), ==, 22400);

  first = milk_store_get_entry (f->store, MILK, milk_test_day ("2025-11-01"), NULL);
  g_assert_cmpint (first->qty_ml, ==, 2000);
  quoted = milk_store_get_entry (f->store, MILK, milk_test_day ("2025-11-08"), NULL);
  g_assert_cmpstr (quoted->note, ==, "quoted, with comma and \"quotes\"");
  multiline = milk_store_get_entry (f->store, MILK, milk_test_day ("2025-11-09"), NULL);
  g_assert_cmpstr (multiline->note, ==, "multi\nline note");
  g_assert_null (milk_store_get_entry (f->store, MILK, milk_test_day ("2025-11-10"), NULL));
  g_assert_null (milk_store_get_entry (f->store, MILK, milk_test_day ("2025-11-13"), NULL));
}

static void
test_header (Fixture       *f,
             gconstpointer  data)
{
  static const char * const bad[] = {
    "",
    "2025-11-01,Milk,1,56.00,56.00,\r\n",
    "date,qty\r\n2025-11-01,1\r\n",
  };
  g_autoptr(MilkImportReport) report = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      MilkImportReport *none = milk_csv_import_entries_data (f->store, bad[i], strlen (bad[i]), &error);

      g_assert_error (error, MILK_IMPORT_ERROR, MILK_IMPORT_ERROR_BAD_HEADER);
      g_assert_null (none);
      g_clear_error (&error);
    }
  g_assert_cmpuint (milk_store_count_pending (f->store), ==, 0);

  /* Columns found by name, in any order, with a BOM and LF endings; a
   * missing note column keeps the note there is. */
  entry (f->store, MILK, "2025-11-02", 500, "kept");
  report = milk_csv_import_entries_data (f->store,
                                         "\xEF\xBB\xBFLitres,Day\n1.5,2025-11-01\n1,2025-11-02\n", -1 + sizeof "\xEF\xBB\xBFLitres,Day\n1.5,2025-11-01\n1,2025-11-02\n",
                                         &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->imported, ==, 2);
  g_assert_cmpuint (report->problems->len, ==, 0);
  {
    g_autoptr(MilkRecord) e = milk_store_get_entry (f->store, MILK, milk_test_day ("2025-11-02"), NULL);

    g_assert_cmpint (e->qty_ml, ==, 1000);
    g_assert_cmpstr (e->note, ==, "kept");
  }
}

static void
test_payments (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = milk_store_add_payment (f->store, milk_test_day ("2025-11-30"), 25550, "cash, to Ramesh", &error);
  g_autofree char *b = milk_store_add_payment (f->store, milk_test_day ("2025-10-31"), 5, "", &error);
  g_autofree char *text = milk_csv_format_payments (f->store, milk_test_day ("2025-01-01"),
                                                    milk_test_day ("2025-12-31"), NULL, &error);
  g_autofree char *path = g_build_filename (f->dir.dir, "payments.csv", NULL);
  g_autofree char *file = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (text, ==,
                   "day,amount,note,bill\r\n"
                   "2025-10-31,0.05,,\r\n"
                   "2025-11-30,255.50,\"cash, to Ramesh\",\r\n");
  g_assert_true (milk_csv_export_payments (f->store, path, &error));
  g_assert_no_error (error);
  file = milk_test_read_file (path, NULL);
  g_assert_cmpstr (file, ==, text);
}

static void
split_entry (MilkStore  *store,
             const char *product,
             const char *day,
             gint64      morning_ml,
             gint64      evening_ml)
{
  g_autoptr(MilkRecord) record = milk_record_new (MILK_RECORD_ENTRY);
  g_autoptr(GError) error = NULL;

  record->id = g_strdup (product);
  record->day = milk_test_day (day);
  record->note = g_strdup ("");
  milk_entry_set_split (record, morning_ml, evening_ml);
  g_assert_true (milk_store_put (store, record, &error));
  g_assert_no_error (error);
}

static void
assert_split (MilkStore  *store,
              const char *day,
              gint64      morning_ml,
              gint64      evening_ml)
{
  g_autoptr(MilkRecord) got = milk_store_get_entry (store, MILK, milk_test_day (day), NULL);

  g_assert_nonnull (got);
  g_assert_true (milk_entry_is_split (got));
  g_assert_cmpint (got->morning_ml, ==, morning_ml);
  g_assert_cmpint (got->evening_ml, ==, evening_ml);
  g_assert_cmpint (got->qty_ml, ==, morning_ml + evening_ml);
}

static void
assert_once (MilkStore  *store,
             const char *day,
             gint64      qty_ml)
{
  g_autoptr(MilkRecord) got = milk_store_get_entry (store, MILK, milk_test_day (day), NULL);

  g_assert_nonnull (got);
  g_assert_false (milk_entry_is_split (got));
  g_assert_cmpint (got->qty_ml, ==, qty_ml);
}

/* A day delivered morning and evening is written with its parts, after
 * the columns there always were; the other days leave them empty. */
static void
test_split_round_trip (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir.dir, "entries.csv", NULL);
  g_autoptr(MilkImportReport) report = NULL;
  g_autoptr(MilkImportReport) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *again = NULL;

  price (f->store, MILK, "2025-11-01", 5000);
  split_entry (f->store, MILK, "2025-11-01", 1000, 500);
  entry (f->store, MILK, "2025-11-02", 1000, "");
  split_entry (f->store, MILK, "2025-11-03", 250, 0);
  text = export_all (f->store);
  g_assert_cmpstr (text, ==,
                   "day,product,litres,price,amount,note,morning,evening\r\n"
                   "2025-11-01,Milk,1.5,50.00,75.00,,1,0.5\r\n"
                   "2025-11-02,Milk,1,50.00,50.00,,,\r\n"
                   "2025-11-03,Milk,0.25,50.00,12.50,,0.25,0\r\n");
  g_assert_true (milk_csv_export_diary (f->store, path, &error));
  g_assert_no_error (error);

  report = milk_csv_import_entries (f->other, path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->problems->len, ==, 0);
  g_assert_cmpuint (report->imported, ==, 3);
  assert_split (f->other, "2025-11-01", 1000, 500);
  assert_once (f->other, "2025-11-02", 1000);
  assert_split (f->other, "2025-11-03", 250, 0);
  g_assert_cmpint (month_amount (f->other, 2025, 11), ==, 13750);

  again = export_all (f->other);
  g_assert_cmpstr (again, ==, text);
  second = milk_csv_import_entries (f->other, path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (milk_import_report_get_n_written (second), ==, 0);
}

/* Parts that are not both there, or do not add up to the day, are the
 * row's problem: reported by line, nothing of the row imported. */
static void
test_split_bad_rows (Fixture       *f,
                     gconstpointer  data)
{
  static const char file[] =
    "day,litres,morning,evening\r\n"
    "2025-11-01,1.5,1,\r\n"
    "2025-11-02,1.5,1,0.25\r\n"
    "2025-11-03,1.5,1,x\r\n"
    "2025-11-04,1.5,1,0.5\r\n"
    "2025-11-05,1,,\r\n";
  g_autoptr(MilkImportReport) report = NULL;
  g_autoptr(GError) error = NULL;
  const MilkImportProblem *problem;

  report = milk_csv_import_entries_data (f->store, file, sizeof file - 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->bad_rows, ==, 3);
  g_assert_true (has_problem (report, 2, MILK_IMPORT_PROBLEM_BAD_VALUE));
  g_assert_true (has_problem (report, 3, MILK_IMPORT_PROBLEM_BAD_VALUE));
  g_assert_true (has_problem (report, 4, MILK_IMPORT_PROBLEM_BAD_VALUE));
  problem = g_ptr_array_index (report->problems, 1);
  g_assert_cmpint (problem->row, ==, 3);
  g_assert_nonnull (strstr (problem->message, "do not add up"));
  g_assert_null (milk_store_get_entry (f->store, MILK, milk_test_day ("2025-11-01"), NULL));
  g_assert_null (milk_store_get_entry (f->store, MILK, milk_test_day ("2025-11-02"), NULL));
  g_assert_null (milk_store_get_entry (f->store, MILK, milk_test_day ("2025-11-03"), NULL));
  assert_split (f->store, "2025-11-04", 1000, 500);
  assert_once (f->store, "2025-11-05", 1000);
}

/* A file from before the parts says nothing about them: a day it gives
 * the same keeps its parts; a day it changes is one delivery of the
 * file's quantity. A file with the columns says the day came once. */
static void
test_split_older_file (Fixture       *f,
                       gconstpointer  data)
{
  static const char older[] =
    "day,product,litres,price,amount,note\r\n"
    "2025-11-01,Milk,1.5,,,\r\n"
    "2025-11-02,Milk,2,,,\r\n";
  static const char once[] =
    "day,litres,morning,evening\r\n"
    "2025-11-03,1.5,,\r\n";
  g_autoptr(MilkImportReport) report = NULL;
  g_autoptr(MilkImportReport) second = NULL;
  g_autoptr(GError) error = NULL;

  split_entry (f->store, MILK, "2025-11-01", 1000, 500);
  split_entry (f->store, MILK, "2025-11-02", 1000, 500);
  split_entry (f->store, MILK, "2025-11-03", 1000, 500);
  report = milk_csv_import_entries_data (f->store, older, sizeof older - 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->problems->len, ==, 0);
  g_assert_cmpuint (report->entries_written, ==, 1);
  assert_split (f->store, "2025-11-01", 1000, 500);
  assert_once (f->store, "2025-11-02", 2000);

  second = milk_csv_import_entries_data (f->store, once, sizeof once - 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (second->entries_written, ==, 1);
  assert_once (f->store, "2025-11-03", 1500);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ("/import/csv/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("export-format", test_export_format);
  ADD ("round-trip", test_round_trip);
  ADD ("bad-corpus", test_bad_corpus);
  ADD ("header", test_header);
  ADD ("payments", test_payments);
  ADD ("split-round-trip", test_split_round_trip);
  ADD ("split-bad-rows", test_split_bad_rows);
  ADD ("split-older-file", test_split_older_file);
#undef ADD

  return g_test_run ();
}
