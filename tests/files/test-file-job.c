/* test-file-job.c — import, export and the bill in a thread, with
 * progress told in the window's thread
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "milk-file-job.h"
#include "milk-test-util.h"

#define N_DAYS 3000  /* two products: 6,000 entries, twelve progress steps */

typedef struct
{
  MilkTestDir dir;
  MilkStore *store;   /* the window's: its own connection, this thread only */
  char *csv;
  GThread *main_thread;
  GArray *seen_done;  /* guint: "done" as the job told it, while running */
  guint total;
  gboolean told_elsewhere;
  GAsyncResult *result;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  milk_test_dir_init (&f->dir);
  f->store = milk_test_store_new (&f->dir);
  f->csv = g_build_filename (f->dir.dir, "years.csv", NULL);
  f->main_thread = g_thread_self ();
  f->seen_done = g_array_new (FALSE, FALSE, sizeof (guint));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->result);
  g_clear_object (&f->store);
  g_array_unref (f->seen_done);
  g_free (f->csv);
  milk_test_dir_clear (&f->dir);
}

/* 1.5 L of Milk and 0.5 L of Curd a day from 2010-01-01. */
static void
write_csv (Fixture *f)
{
  g_autoptr(GString) csv = g_string_new ("day,product,litres,price,amount,note\n");
  g_autoptr(GError) error = NULL;
  MilkDay first = milk_test_day ("2010-01-01");

  for (MilkDay day = first; day < first + N_DAYS; day++)
    {
      char iso[11];

      milk_day_format_iso (day, iso);

      g_string_append_printf (csv, "%s,Milk,1.5,56.50,,\n%s,Curd,0.5,80,,\n", iso, iso);
    }
  g_file_set_contents (f->csv, csv->str, csv->len, &error);
  g_assert_no_error (error);
}

static void
progress_told (MilkFileJob *job,
               GParamSpec  *pspec,
               Fixture     *f)
{
  guint done = milk_file_job_get_done (job);

  if (g_thread_self () != f->main_thread)
    f->told_elsewhere = TRUE;
  if (milk_file_job_get_running (job))
    g_array_append_val (f->seen_done, done);
  f->total = milk_file_job_get_total (job);
}

static void
job_finished (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Fixture *f = user_data;

  f->result = g_object_ref (result);
}

static MilkFileJob *
new_job (Fixture *f)
{
  MilkFileJob *job = milk_file_job_new (milk_store_get_path (f->store));

  g_signal_connect (job, "notify::done", G_CALLBACK (progress_told), f);
  return job;
}

static void
wait_for_result (Fixture     *f,
                 MilkFileJob *job)
{
  g_assert_true (milk_file_job_get_running (job));
  while (f->result == NULL)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_import_in_thread (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(MilkFileJob) job = new_job (f);
  g_autoptr(MilkImportReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  MilkTotals totals = { 0 };

  write_csv (f);
  milk_file_job_import_async (job, f->csv, NULL, NULL, job_finished, f);
  /* Nothing is written before the main loop runs again: the import is
   * not done in this call. */
  g_assert_false (milk_store_has_entries (f->store));
  wait_for_result (f, job);
  report = milk_file_job_import_finish (job, f->result, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (report->imported, ==, 2 * N_DAYS);
  g_assert_cmpuint (report->entries_written, ==, 2 * N_DAYS);
  g_assert_false (milk_file_job_get_running (job));
  /* Told in this thread, step by step, while the import ran. */
  g_assert_false (f->told_elsewhere);
  g_assert_cmpuint (f->total, >=, 2 * N_DAYS);
  g_assert_cmpuint (f->seen_done->len, >=, 10);
  for (guint i = 1; i < f->seen_done->len; i++)
    g_assert_cmpuint (g_array_index (f->seen_done, guint, i), >, g_array_index (f->seen_done, guint, i - 1));
  g_assert_cmpuint (g_array_index (f->seen_done, guint, f->seen_done->len - 1), ==, f->total);

  /* The window's store reads what the job's connection wrote. */
  entries = milk_store_list_entries (f->store, milk_test_day ("2010-01-01"),
                                     milk_test_day ("2030-01-01"), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2 * N_DAYS);
  g_assert_true (milk_store_all_time_totals (f->store, &totals, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (totals.qty_ml, ==, (gint64) N_DAYS * 2000);
  g_assert_cmpint (totals.amount, ==, (gint64) N_DAYS * (8475 + 4000));
  milk_totals_clear (&totals);
}

static void
test_import_bad_file (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(MilkFileJob) job = new_job (f);
  g_autoptr(MilkImportReport) report = NULL;
  g_autoptr(GError) error = NULL;

  g_file_set_contents (f->csv, "when,how much\n2026-11-01,1\n", -1, &error);
  g_assert_no_error (error);
  milk_file_job_import_async (job, f->csv, NULL, NULL, job_finished, f);
  wait_for_result (f, job);
  report = milk_file_job_import_finish (job, f->result, &error);

  g_assert_null (report);
  g_assert_error (error, MILK_IMPORT_ERROR, MILK_IMPORT_ERROR_BAD_HEADER);
  g_assert_false (milk_file_job_get_running (job));
  g_assert_false (milk_store_has_entries (f->store));
}

static void
test_export_in_thread (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(MilkFileJob) job = new_job (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = g_build_filename (f->dir.dir, "out.csv", NULL);
  g_autofree char *text = NULL;
  g_autoptr(MilkImportReport) report = NULL;
  g_auto(GStrv) lines = NULL;

  write_csv (f);
  report = milk_import_file (f->store, f->csv, NULL, &error);
  g_assert_no_error (error);
  milk_file_job_export_csv_async (job, out, NULL, job_finished, f);
  wait_for_result (f, job);
  g_assert_true (milk_file_job_export_csv_finish (job, f->result, &error));
  g_assert_no_error (error);
  g_assert_false (milk_file_job_get_running (job));

  g_assert_true (g_file_get_contents (out, &text, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (text, "\r\n", -1);
  g_assert_cmpstr (lines[0], ==, "day,product,litres,price,amount,note");
  g_assert_cmpstr (lines[1], ==, "2010-01-01,Milk,1.5,56.50,84.75,");
  g_assert_cmpstr (lines[2], ==, "2010-01-01,Curd,0.5,80.00,40.00,");
  g_assert_cmpstr (lines[2 * N_DAYS], ==, "2018-03-19,Curd,0.5,80.00,40.00,");
  g_assert_cmpstr (lines[2 * N_DAYS + 1], ==, "");
}

static void
test_bill_in_thread (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(MilkFileJob) job = new_job (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *pdf = g_build_filename (f->dir.dir, "bill.pdf", NULL);
  g_autofree char *text = NULL;
  g_autoptr(MilkImportReport) report = NULL;
  gsize len = 0;

  write_csv (f);
  report = milk_import_file (f->store, f->csv, NULL, &error);
  g_assert_no_error (error);
  milk_file_job_save_bill_async (job, 2010, 1, pdf, NULL, job_finished, f);
  wait_for_result (f, job);
  g_assert_true (milk_file_job_save_bill_finish (job, f->result, &error));
  g_assert_no_error (error);
  g_assert_false (milk_file_job_get_running (job));

  /* A whole PDF file; test-bill-pdf.c reads what it says. */
  g_assert_true (g_file_get_contents (pdf, &text, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (len, >, 1000);
  g_assert_true (g_str_has_prefix (text, "%PDF-"));
  g_assert_nonnull (g_strrstr_len (text + len - 32, 32, "%%EOF"));
}

/* A folder that is not there: the error comes back, and the job ends. */
static void
test_bill_unwritable (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(MilkFileJob) job = new_job (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *pdf = g_build_filename (f->dir.dir, "gone", "bill.pdf", NULL);

  milk_file_job_save_bill_async (job, 2010, 1, pdf, NULL, job_finished, f);
  wait_for_result (f, job);
  g_assert_false (milk_file_job_save_bill_finish (job, f->result, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "bill.pdf"));
  g_assert_false (milk_file_job_get_running (job));
  g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/file-job/import-in-a-thread", Fixture, NULL, fixture_setup, test_import_in_thread, fixture_teardown);
  g_test_add ("/file-job/import-bad-file", Fixture, NULL, fixture_setup, test_import_bad_file, fixture_teardown);
  g_test_add ("/file-job/export-in-a-thread", Fixture, NULL, fixture_setup, test_export_in_thread, fixture_teardown);
  g_test_add ("/file-job/bill-in-a-thread", Fixture, NULL, fixture_setup, test_bill_in_thread, fixture_teardown);
  g_test_add ("/file-job/bill-unwritable", Fixture, NULL, fixture_setup, test_bill_unwritable, fixture_teardown);

  return g_test_run ();
}
