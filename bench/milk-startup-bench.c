/* milk-startup-bench.c — cold start to first frame: Milk Diary on ten years
 * of two products, against a minimal libadwaita window
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "milk-store.h"

#define RUNS 7

typedef struct
{
  double median_ms;
  double best_ms;
  long peak_rss_kb;
} Result;

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
make_diary (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkStore) store = milk_store_new (path, &error);
  g_autoptr(MilkRecord) buffalo = NULL;
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  MilkDay first = milk_day_today () - 3652;

  g_assert_no_error (error);
  buffalo = milk_store_add_product (store, "Buffalo milk", 500, &error);
  for (MilkDay day = first; day <= milk_day_today (); day++)
    for (int p = 0; p < 2; p++)
      {
        MilkRecord *entry = milk_record_new (MILK_RECORD_ENTRY);

        entry->id = g_strdup (p == 0 ? MILK_DEFAULT_PRODUCT_ID : buffalo->id);
        entry->day = day;
        entry->qty_ml = 500 + (day % 3) * 250;
        g_ptr_array_add (batch, entry);
      }
  if (!milk_store_put_many (store, batch, &error))
    g_error ("%s", error->message);
  milk_store_set_price (store, MILK_DEFAULT_PRODUCT_ID, first, 5000, NULL);
  milk_store_set_price (store, buffalo->id, first, 7000, NULL);
  g_print ("diary: %u entries over ten years, two products\n", batch->len);
}

static Result
measure (const char *program,
         const char *diary)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));
  Result result = { 0 };

  for (int run = 0; run < RUNS; run++)
    {
      int out[2];
      pid_t pid;
      gint64 start;
      char buf[256] = { 0 };
      ssize_t n, total = 0;
      int status;
      struct rusage usage;
      gint64 painted = 0;
      double ms;

      g_assert_cmpint (pipe (out), ==, 0);
      start = g_get_monotonic_time ();
      pid = fork ();
      if (pid == 0)
        {
          dup2 (out[1], STDOUT_FILENO);
          close (out[0]);
          g_setenv ("MILK_DIARY_PATH", diary, TRUE);
          g_setenv ("MILK_DIARY_EXIT_AFTER_FIRST_FRAME", "1", TRUE);
          execl (program, program, NULL);
          _exit (127);
        }
      close (out[1]);
      while ((n = read (out[0], buf + total, sizeof buf - 1 - total)) > 0)
        total += n;
      close (out[0]);
      wait4 (pid, &status, 0, &usage);

      if (sscanf (buf, "first-frame %" G_GINT64_FORMAT, &painted) != 1)
        g_error ("%s did not report its first frame (status %d): %s", program, status, buf);
      ms = (painted - start) / 1000.0;
      g_array_append_val (samples, ms);
      result.peak_rss_kb = MAX (result.peak_rss_kb, usage.ru_maxrss);
    }

  g_array_sort (samples, compare_double);
  result.best_ms = g_array_index (samples, double, 0);
  result.median_ms = g_array_index (samples, double, RUNS / 2);
  return result;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = g_dir_make_tmp ("milk-startup-XXXXXX", NULL);
  g_autofree char *diary = g_build_filename (dir, "diary.sqlite", NULL);
  g_autofree char *empty = g_build_filename (dir, "unused.sqlite", NULL);
  Result app, minimal;

  if (argc != 3)
    {
      g_printerr ("usage: %s MILK-DIARY MINIMAL-WINDOW\n", argv[0]);
      return 2;
    }

  make_diary (diary);
  minimal = measure (argv[2], empty);
  app = measure (argv[1], diary);

  g_print ("%-34s %10s %10s %14s\n", "cold start to first frame", "median ms", "best ms", "peak RSS MiB");
  g_print ("%-34s %10.1f %10.1f %14.1f\n", "minimal libadwaita window", minimal.median_ms, minimal.best_ms,
           minimal.peak_rss_kb / 1024.0);
  g_print ("%-34s %10.1f %10.1f %14.1f\n", "Milk Diary, 10 years x 2 products", app.median_ms, app.best_ms,
           app.peak_rss_kb / 1024.0);
  g_print ("ratio (median): %.2f   goal: under 1.3   %s\n", app.median_ms / minimal.median_ms,
           app.median_ms / minimal.median_ms < 1.3 ? "ok" : "OVER");

  {
    const char *files[] = { "diary.sqlite", "diary.sqlite-wal", "diary.sqlite-shm",
                            "unused.sqlite", "unused.sqlite-wal", "unused.sqlite-shm" };
    for (guint i = 0; i < G_N_ELEMENTS (files); i++)
      {
        g_autofree char *file = g_build_filename (dir, files[i], NULL);
        g_unlink (file);
      }
    g_rmdir (dir);
  }
  return 0;
}
