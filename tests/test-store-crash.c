/* test-store-crash.c — the diary survives its writer being killed
 *
 * 100 times: a child process opens the diary and writes entries in a loop,
 * each write one committed transaction, telling the parent through a pipe
 * after every write that returned; the parent kills it with SIGKILL at a
 * random moment (while it opens, creates or writes), then opens the diary
 * itself: PRAGMA integrity_check must say "ok" and every entry whose write
 * had returned must be there with its value.  The one write that was in
 * flight may or may not have landed; nothing else may differ.  The same
 * diary file is used all through, so each run also opens what the
 * previous kill left behind.
 *
 * The seed is printed; MILK_CRASH_SEED=<n> replays a run.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "milk-store-private.h"
#include "milk-test-util.h"

#define ROUNDS 100
#define DAYS 400             /* days the writes spread over: many overwrites */
#define MAX_DELAY_US 30000   /* the kill comes within this */

static MilkDay first_day;

/* Write number i of round r: which day, and how much. */
static MilkDay
write_day (guint round,
           guint i)
{
  return first_day + (round * 7919u + i * 31u) % DAYS;
}

static gint64
write_qty (guint round,
           guint i)
{
  return 1 + (round * 1000003u + i * 7u) % (MILK_QTY_MAX_ML - 1);
}

static void G_GNUC_NORETURN
child_write (const char *path,
             guint       round,
             int         fd)
{
  g_autoptr(GError) error = NULL;
  MilkStore *store = milk_store_new (path, &error);

  if (store == NULL)
    {
      g_printerr ("child: %s\n", error->message);
      _exit (2);
    }
  {
    guint32 opened = 0;

    if (write (fd, &opened, sizeof opened) != sizeof opened)
      _exit (4);
  }
  for (guint32 i = 0;; i++)
    {
      guint32 done = i + 1;

      if (!milk_store_set_entry (store, MILK_DEFAULT_PRODUCT_ID, write_day (round, i), write_qty (round, i),
                                 MILK_NO_PRICE, NULL, &error))
        {
          g_printerr ("child: write %u: %s\n", i, error->message);
          _exit (3);
        }
      /* Only now has the write returned. */
      if (write (fd, &done, sizeof done) != sizeof done)
        _exit (4);
    }
}

/* How many writes returned, as the child said before it died. */
static guint32
read_count (int fd)
{
  guint32 count = 0, value;
  ssize_t n;

  while ((n = read (fd, &value, sizeof value)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      g_assert_cmpint (n, ==, sizeof value);
      count = value;
    }
  return count;
}

static void
check_integrity (MilkStore *store)
{
  sqlite3 *db = _milk_store_get_db (store);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
}

static void
test_kill_writer (void)
{
  const char *env_seed = g_getenv ("MILK_CRASH_SEED");
  guint32 seed = env_seed ? (guint32) g_ascii_strtoull (env_seed, NULL, 10) : (guint32) g_test_rand_int ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  gint64 expected[DAYS] = { 0 };  /* 0: no entry yet */
  guint64 total_writes = 0, in_flight_landed = 0, killed_before_first = 0;
  MilkTestDir dir;

  g_test_message ("seed %u (replay with MILK_CRASH_SEED=%u)", seed, seed);
  g_printerr ("# test-store-crash: seed %u\n", seed);
  first_day = milk_test_day ("2025-01-01");
  milk_test_dir_init (&dir);

  for (guint round = 0; round < ROUNDS; round++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MilkStore) store = NULL;
      int fds[2];
      pid_t pid;
      int status;
      guint32 returned;

      g_assert_cmpint (pipe (fds), ==, 0);
      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          close (fds[0]);
          child_write (dir.path, round, fds[1]);
        }
      close (fds[1]);

      /* One kill in five may come while the child opens (or creates) the
       * diary; the others come while it writes. */
      if (g_rand_int_range (rand, 0, 5) != 0)
        {
          guint32 opened;

          g_assert_cmpint (read (fds[0], &opened, sizeof opened), ==, sizeof opened);
          g_assert_cmpuint (opened, ==, 0);
        }
      g_usleep (g_rand_int_range (rand, 0, MAX_DELAY_US));
      g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      if (!(WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL))
        g_error ("round %u (seed %u): the writer failed on its own (status %d)", round, seed, status);
      returned = read_count (fds[0]);
      close (fds[0]);

      store = milk_store_new (dir.path, &error);
      if (store == NULL)
        g_error ("round %u (seed %u): the diary does not open after the kill: %s", round, seed, error->message);
      check_integrity (store);

      /* Every write that returned is there, unless the one in flight
       * (write number `returned`) landed on the same day after it. */
      for (guint32 i = 0; i < returned; i++)
        expected[write_day (round, i) - first_day] = write_qty (round, i);

      for (guint d = 0; d < DAYS; d++)
        {
          g_autoptr(MilkRecord) entry = milk_store_get_entry (store, MILK_DEFAULT_PRODUCT_ID, first_day + d, &error);
          gint64 have;

          g_assert_no_error (error);
          have = entry && !entry->deleted ? entry->qty_ml : 0;
          if (have != expected[d])
            {
              if (write_day (round, returned) - first_day == d && have == write_qty (round, returned))
                {
                  expected[d] = have;   /* the write in flight had committed */
                  in_flight_landed++;
                  continue;
                }
              g_error ("round %u (seed %u): day %u holds %" G_GINT64_FORMAT " ml, expected %" G_GINT64_FORMAT
                       " after %u returned writes", round, seed, d, have, expected[d], returned);
            }
        }
      total_writes += returned;
      if (returned == 0)
        killed_before_first++;
    }

  g_test_message ("%u kills, %" G_GUINT64_FORMAT " writes returned, %" G_GUINT64_FORMAT
                  " in-flight writes found committed, %" G_GUINT64_FORMAT " kills before the first write returned",
                  ROUNDS, total_writes, in_flight_landed, killed_before_first);
  g_printerr ("# test-store-crash: %u kills, %" G_GUINT64_FORMAT " writes returned, %" G_GUINT64_FORMAT
              " in flight found committed, %" G_GUINT64_FORMAT " killed before the first write\n",
              ROUNDS, total_writes, in_flight_landed, killed_before_first);
  milk_test_dir_clear (&dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/crash/kill-writer", test_kill_writer);
  return g_test_run ();
}
