/* test-bill-pdf.c — the monthly bill as PDF, read back with pdftotext
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include "milk-bill-pdf.h"
#include "milk-import-report.h"
#include "milk-test-util.h"

#define MILK MILK_DEFAULT_PRODUCT_ID

typedef struct
{
  MilkTestDir dir;
  MilkStore *store;
  char *pdf;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  milk_test_dir_init (&f->dir);
  f->store = milk_test_store_new (&f->dir);
  f->pdf = g_build_filename (f->dir.dir, "bill.pdf", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->store);
  g_clear_pointer (&f->pdf, g_free);
  milk_test_dir_clear (&f->dir);
}

static void
entry (MilkStore  *store,
       const char *day,
       gint64      qty_ml)
{
  g_autoptr(GError) error = NULL;

  milk_store_set_entry (store, MILK, milk_test_day (day), qty_ml, MILK_NO_PRICE, NULL, &error);
  g_assert_no_error (error);
}

static void
price (MilkStore  *store,
       const char *day,
       gint64      price_per_l)
{
  g_autoptr(GError) error = NULL;

  milk_store_set_price (store, MILK, milk_test_day (day), price_per_l, &error);
  g_assert_no_error (error);
}

/* The PDF's text, or NULL (and the test skipped) without pdftotext. */
static char *
pdf_text (const char *path)
{
  g_autofree char *tool = g_find_program_in_path ("pdftotext");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { NULL, "-layout", "-enc", "UTF-8", path, "-", NULL };
  int status = 0;

  if (tool == NULL)
    {
      g_test_skip ("pdftotext (poppler-utils) is not installed");
      return NULL;
    }
  argv[0] = tool;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_steal_pointer (&out);
}

static void
assert_contains (const char *text,
                 const char *needle)
{
  if (strstr (text, needle) == NULL)
    g_error ("“%s” is not in the bill's text:\n%s", needle, text);
}

/* The same, whitespace aside: pdftotext may drop the space in "4 L". */
static void
assert_contains_squeezed (const char *text,
                          const char *needle)
{
  g_autoptr(GString) a = g_string_new (NULL);
  g_autoptr(GString) b = g_string_new (NULL);

  for (const char *p = text; *p; p++)
    if (!g_ascii_isspace (*p))
      g_string_append_c (a, *p);
  for (const char *p = needle; *p; p++)
    if (!g_ascii_isspace (*p))
      g_string_append_c (b, *p);
  if (strstr (a->str, b->str) == NULL)
    g_error ("“%s” is not in the bill's text:\n%s", needle, text);
}

/* November 2026, at 56.50 from 1 Nov and 58.00 from 15 Nov:
 *   Nov 1  1 L     56.50
 *   Nov 2  0.5 L   28.25
 *   Nov 3  0 L     (no delivery)
 *   Nov 15 1.5 L   87.00
 *   Nov 16 1 L     58.00      total 229.75
 * October: Oct 31 1 L at 54.00 = 54.00, unpaid → brought forward.
 * Paid 100.00 on 5 Nov for November's bill. Balance due 54.00 + 229.75
 * − 100.00 = 183.75; 4 L on 4 delivery days.
 */
static void
test_bill (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *payment = NULL;
  g_autofree char *text = NULL;
  g_autofree char *pdf = NULL;
  gsize length = 0;

  price (f->store, "2026-10-01", 5400);
  price (f->store, "2026-11-01", 5650);
  price (f->store, "2026-11-15", 5800);
  entry (f->store, "2026-10-31", 1000);
  entry (f->store, "2026-11-01", 1000);
  entry (f->store, "2026-11-02", 500);
  entry (f->store, "2026-11-03", 0);
  entry (f->store, "2026-11-15", 1500);
  entry (f->store, "2026-11-16", 1000);
  payment = milk_store_record_payment (f->store, milk_test_day ("2026-11-05"), 10000, "cash",
                                       milk_test_day ("2026-11-01"), NULL, &error);
  g_assert_no_error (error);
  milk_store_set_setting (f->store, MILK_BILL_SETTING_HOUSEHOLD, "Sharma family, flat 4B", &error);
  g_assert_no_error (error);

  g_assert_true (milk_bill_pdf_write (f->store, 2026, 11, f->pdf, &error));
  g_assert_no_error (error);
  pdf = milk_test_read_file (f->pdf, &length);
  g_assert_true (g_str_has_prefix (pdf, "%PDF-"));

  /* MILK_TEST_KEEP_PDF=path keeps a copy to look at. */
  if (g_getenv ("MILK_TEST_KEEP_PDF"))
    g_assert_true (g_file_set_contents (g_getenv ("MILK_TEST_KEEP_PDF"), pdf, length, NULL));

  text = pdf_text (f->pdf);
  if (text == NULL)
    return;
  g_test_message ("%s", text);
  assert_contains (text, "November 2026");
  assert_contains (text, "Sharma family, flat 4B");
  assert_contains (text, "Total this month");
  assert_contains (text, "₹229.75");
  assert_contains (text, "Balance brought forward");
  assert_contains (text, "₹54.00");
  assert_contains (text, "−₹100.00");
  assert_contains (text, "Balance due");
  assert_contains (text, "₹183.75");
  assert_contains (text, "₹87.00");
  assert_contains (text, "No delivery");
  assert_contains (text, "₹58.00 per litre");
  assert_contains_squeezed (text, "Milk delivered 4 L");
  assert_contains_squeezed (text, "Delivery days 4");
  assert_contains (text, "Paid 05/11/2026 (cash)");
  assert_contains (text, "Partly paid");
}

/* A price that began on 1 October heads November's bill from 1 October,
 * the day first; a payment's long note is there in full; a payment made
 * in November without a bill named pays October's, the oldest open. */
static void
test_price_from_and_notes (Fixture       *f,
                           gconstpointer  data)
{
  const char *note = "October, part (UPI from Sunita's phone, reference 4471 0933 2210, "
                     "the rest in cash on Sunday when the milkman comes for the cans)";
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) words = NULL;

  price (f->store, "2026-10-01", 5650);
  entry (f->store, "2026-10-30", 2000);
  entry (f->store, "2026-11-02", 1000);
  id = milk_store_record_payment (f->store, milk_test_day ("2026-11-05"), 5000, note, MILK_DAY_INVALID, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (milk_bill_pdf_write (f->store, 2026, 11, f->pdf, &error));
  g_assert_no_error (error);
  text = pdf_text (f->pdf);
  if (text == NULL)
    return;
  g_test_message ("%s", text);
  assert_contains (text, "₹56.50 per litre from 01/10/2026");
  /* October's ₹113.00 less the ₹50.00 paid on it. */
  assert_contains (text, "Balance brought forward");
  assert_contains (text, "₹63.00");
  g_assert_null (strstr (text, "Paid 05/11/2026"));

  g_assert_true (milk_bill_pdf_write (f->store, 2026, 10, f->pdf, &error));
  g_clear_pointer (&text, g_free);
  text = pdf_text (f->pdf);
  /* Every word of the note, wrapped over lines but not cut. */
  g_test_message ("%s", text);
  words = g_strsplit (note, " ", -1);
  for (guint i = 0; words[i]; i++)
    assert_contains (text, words[i]);
  assert_contains (text, "cans)");
  /* Wrapped within the summary, not run past the amounts. */
  {
    g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

    for (guint i = 0; lines[i]; i++)
      g_assert_false (strstr (lines[i], "October, part") && strstr (lines[i], "cans)"));
  }
}

/* A month of two products every day still fits its one page. */
static void
test_full_month (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkRecord) buffalo = milk_store_add_product (f->store, "Buffalo", 500, &error);
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  price (f->store, "2026-01-01", 5000);
  milk_store_set_price (f->store, buffalo->id, milk_test_day ("2026-01-01"), 7000, &error);
  g_assert_no_error (error);
  for (int d = 1; d <= 31; d++)
    for (int p = 0; p < 2; p++)
      {
        MilkRecord *e = milk_record_new (MILK_RECORD_ENTRY);

        e->id = g_strdup (p ? buffalo->id : MILK);
        e->day = milk_day_from_ymd (2026, 1, d);
        e->qty_ml = 1000;
        e->note = g_strdup ("");
        g_ptr_array_add (records, e);
      }
  milk_store_put_many (f->store, records, &error);
  g_assert_no_error (error);

  /* 31 × (50.00 + 70.00) = 3,720.00 */
  g_assert_true (milk_bill_pdf_write (f->store, 2026, 1, f->pdf, &error));
  g_assert_no_error (error);
  text = pdf_text (f->pdf);
  if (text == NULL)
    return;
  assert_contains (text, "₹3,720.00");
  assert_contains (text, "Buffalo");
  g_assert_null (strchr (text, '\f') == NULL ? NULL : strchr (strchr (text, '\f') + 1, '\f'));
}

static void
test_empty_and_bad (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *nowhere = g_build_filename (f->dir.dir, "no", "such", "dir", "bill.pdf", NULL);

  g_assert_false (milk_bill_pdf_write (f->store, 2026, 13, f->pdf, &error));
  g_assert_error (error, MILK_IMPORT_ERROR, MILK_IMPORT_ERROR_FAILED);
  g_clear_error (&error);

  g_assert_false (milk_bill_pdf_write (f->store, 2026, 2, nowhere, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  g_assert_true (milk_bill_pdf_write (f->store, 2026, 2, f->pdf, &error));
  g_assert_no_error (error);
  text = pdf_text (f->pdf);
  if (text == NULL)
    return;
  assert_contains (text, "Nothing was recorded this month.");
  assert_contains (text, "₹0.00");
}

/* A day delivered morning and evening reads "1 + 0.5 L" in the daily
 * lines, and the summary says what came in the mornings, the evenings
 * and on the days delivered once; with two products, for the one that
 * had such days, under its name. */
static void
test_morning_evening (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkRecord) day = milk_record_new (MILK_RECORD_ENTRY);
  g_autoptr(MilkRecord) buffalo = NULL;
  g_autofree char *text = NULL;

  price (f->store, "2026-11-01", 5650);
  day->id = g_strdup (MILK);
  day->day = milk_test_day ("2026-11-02");
  day->note = g_strdup ("");
  milk_entry_set_split (day, 1000, 500);
  g_assert_true (milk_store_put (f->store, day, &error));
  g_assert_no_error (error);
  entry (f->store, "2026-11-03", 2000);

  g_assert_true (milk_bill_pdf_write (f->store, 2026, 11, f->pdf, &error));
  g_assert_no_error (error);
  text = pdf_text (f->pdf);
  if (text == NULL)
    return;
  g_test_message ("%s", text);
  assert_contains_squeezed (text, "1 + 0.5 L ₹56.50 ₹84.75");
  assert_contains_squeezed (text, "Milk delivered 3.5 L");
  assert_contains_squeezed (text, "Morning 1 L");
  assert_contains_squeezed (text, "Evening 0.5 L");
  assert_contains_squeezed (text, "Delivered once 2 L");

  buffalo = milk_store_add_product (f->store, "Buffalo", 500, &error);
  g_assert_no_error (error);
  g_assert_true (milk_store_set_entry (f->store, buffalo->id, milk_test_day ("2026-11-02"), 500, MILK_NO_PRICE, NULL,
                                       &error));
  g_assert_true (milk_bill_pdf_write (f->store, 2026, 11, f->pdf, &error));
  g_assert_no_error (error);
  g_clear_pointer (&text, g_free);
  text = pdf_text (f->pdf);
  g_test_message ("%s", text);
  assert_contains_squeezed (text, "Milk delivered 4 L Milk 3.5 L Morning 1 L Evening 0.5 L Delivered once 2 L "
                                  "Delivery days 2");
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ("/files/bill/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("morning-evening", test_morning_evening);
  ADD ("pdf", test_bill);
  ADD ("full-month", test_full_month);
  ADD ("price-from-and-notes", test_price_from_and_notes);
  ADD ("empty-and-bad", test_empty_and_bad);
#undef ADD

  return g_test_run ();
}
