/* test-hlc.c — the hybrid logical clock: monotonic stamps, drift, string form
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "milk-core.h"

#define NODE_A G_GUINT64_CONSTANT (0x0123456789abcdef)
#define NODE_B G_GUINT64_CONSTANT (0xfedcba9876543210)

/* 2026-11-24T00:00:00Z in milliseconds */
#define T0 G_GINT64_CONSTANT (1795478400000)

static gint64
fake_clock (gpointer user_data)
{
  return *(gint64 *) user_data;
}

static void
assert_stamp_after (const MilkHlcStamp *later,
                    const MilkHlcStamp *earlier)
{
  char a[MILK_HLC_STRING_LEN + 1];
  char b[MILK_HLC_STRING_LEN + 1];

  milk_hlc_stamp_format (later, a);
  milk_hlc_stamp_format (earlier, b);
  if (milk_hlc_stamp_compare (later, earlier) <= 0)
    g_error ("stamp %s does not sort after %s", a, b);
  /* What gets stored and synced is the string, so it must order too. */
  g_assert_cmpint (strcmp (a, b), >, 0);
}

static void
test_fixed_clock (void)
{
  gint64 now = T0;
  g_autoptr(MilkHlc) hlc = milk_hlc_new (NODE_A, fake_clock, &now);
  MilkHlcStamp prev, stamp;

  g_assert_cmpuint (milk_hlc_get_node (hlc), ==, NODE_A);

  milk_hlc_now (hlc, &prev);
  g_assert_cmpint (prev.wall_ms, ==, T0);
  g_assert_cmpuint (prev.counter, ==, 0);
  g_assert_cmpuint (prev.node, ==, NODE_A);

  for (guint i = 1; i <= 1000; i++)
    {
      milk_hlc_now (hlc, &stamp);
      assert_stamp_after (&stamp, &prev);
      g_assert_cmpint (stamp.wall_ms, ==, T0);
      g_assert_cmpuint (stamp.counter, ==, i);
      g_assert_cmpuint (stamp.node, ==, NODE_A);
      prev = stamp;
    }

  /* When the wall clock moves on, the stamp follows it and the counter
   * starts again. */
  now = T0 + 5;
  milk_hlc_now (hlc, &stamp);
  assert_stamp_after (&stamp, &prev);
  g_assert_cmpint (stamp.wall_ms, ==, T0 + 5);
  g_assert_cmpuint (stamp.counter, ==, 0);

  milk_hlc_get_last (hlc, &prev);
  g_assert_cmpint (milk_hlc_stamp_compare (&prev, &stamp), ==, 0);
}

static void
test_clock_backwards (void)
{
  gint64 now = T0;
  g_autoptr(MilkHlc) hlc = milk_hlc_new (NODE_A, fake_clock, &now);
  MilkHlcStamp prev, stamp;
  /* NTP corrections, a manual change of the date, a dead RTC battery
   * (1970, and a clock that reads before 1970). */
  const gint64 times[] = { T0, T0 - 1, T0 - 1000, T0 - 3600000, T0 - 3599990, T0 - 86400000,
                           T0 + 1, 0, -5000, T0 - 2 };

  milk_hlc_now (hlc, &prev);
  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      now = times[i];
      for (guint j = 0; j < 3; j++)
        {
          milk_hlc_now (hlc, &stamp);
          assert_stamp_after (&stamp, &prev);
          /* Never behind the last stamp issued, even when the clock is. */
          g_assert_cmpint (stamp.wall_ms, >=, T0);
          prev = stamp;
        }
    }

  /* Once the clock catches up again, the stamps track it again. */
  now = T0 + 60000;
  milk_hlc_now (hlc, &stamp);
  assert_stamp_after (&stamp, &prev);
  g_assert_cmpint (stamp.wall_ms, ==, T0 + 60000);
  g_assert_cmpuint (stamp.counter, ==, 0);
}

static void
test_counter_overflow (void)
{
  gint64 now = T0;
  g_autoptr(MilkHlc) hlc = milk_hlc_new (NODE_A, fake_clock, &now);
  MilkHlcStamp prev, stamp;
  gboolean borrowed = FALSE;

  milk_hlc_now (hlc, &prev);
  /* 0x10000 stamps in one frozen millisecond fill the four hex digits. */
  for (guint i = 0; i < 0x10000 + 10; i++)
    {
      milk_hlc_now (hlc, &stamp);
      g_assert_cmpuint (stamp.counter, <=, 0xffff);
      if (milk_hlc_stamp_compare (&stamp, &prev) <= 0)
        g_error ("stamp %u did not increase", i);
      if (stamp.wall_ms != prev.wall_ms)
        {
          /* The borrow happens exactly once, right after 0xffff. */
          g_assert_false (borrowed);
          g_assert_cmpint (prev.wall_ms, ==, T0);
          g_assert_cmpuint (prev.counter, ==, 0xffff);
          g_assert_cmpint (stamp.wall_ms, ==, T0 + 1);
          g_assert_cmpuint (stamp.counter, ==, 0);
          assert_stamp_after (&stamp, &prev);
          borrowed = TRUE;
        }
      prev = stamp;
    }
  g_assert_true (borrowed);

  /* The borrowed millisecond is not handed out twice when the real clock
   * reaches it. */
  now = T0 + 1;
  milk_hlc_now (hlc, &stamp);
  assert_stamp_after (&stamp, &prev);
  g_assert_cmpint (stamp.wall_ms, ==, T0 + 1);
}

static void
test_receive_ahead (void)
{
  gint64 now = T0;
  g_autoptr(MilkHlc) hlc = milk_hlc_new (NODE_B, fake_clock, &now);
  g_autoptr(GError) error = NULL;
  MilkHlcStamp remote, stamp, local;

  milk_hlc_now (hlc, &local);

  /* Another phone, an hour ahead. */
  remote = (MilkHlcStamp) { T0 + 3600000, 7, NODE_A };
  g_assert_true (milk_hlc_receive (hlc, &remote, &error));
  g_assert_no_error (error);
  milk_hlc_now (hlc, &stamp);
  assert_stamp_after (&stamp, &remote);
  g_assert_cmpuint (stamp.node, ==, NODE_B);

  /* Same millisecond and counter as our last stamp, higher node: the next
   * stamp still beats it on the counter, not only the node. */
  milk_hlc_get_last (hlc, &local);
  remote = (MilkHlcStamp) { local.wall_ms, local.counter, G_MAXUINT64 };
  g_assert_true (milk_hlc_receive (hlc, &remote, &error));
  g_assert_no_error (error);
  milk_hlc_now (hlc, &stamp);
  assert_stamp_after (&stamp, &remote);
  g_assert_cmpuint (stamp.counter, >, remote.counter);

  /* Same millisecond, further along in its counter. */
  milk_hlc_get_last (hlc, &local);
  remote = (MilkHlcStamp) { local.wall_ms, local.counter + 50, 0 };
  g_assert_true (milk_hlc_receive (hlc, &remote, &error));
  g_assert_no_error (error);
  milk_hlc_now (hlc, &stamp);
  assert_stamp_after (&stamp, &remote);

  /* A remote at the very top of its counter. */
  remote = (MilkHlcStamp) { T0 + 7200000, 0xffff, NODE_A };
  g_assert_true (milk_hlc_receive (hlc, &remote, &error));
  g_assert_no_error (error);
  milk_hlc_now (hlc, &stamp);
  assert_stamp_after (&stamp, &remote);
  g_assert_cmpuint (stamp.counter, <=, 0xffff);

  /* A stamp from the past changes nothing but still never goes back. */
  milk_hlc_get_last (hlc, &local);
  remote = (MilkHlcStamp) { T0 - 1000, 3, NODE_A };
  g_assert_true (milk_hlc_receive (hlc, &remote, &error));
  g_assert_no_error (error);
  milk_hlc_now (hlc, &stamp);
  assert_stamp_after (&stamp, &local);
}

static void
test_receive_drift (void)
{
  gint64 now = T0;
  g_autoptr(MilkHlc) hlc = milk_hlc_new (NODE_B, fake_clock, &now);
  MilkHlcStamp before, after, remote, stamp;
  /* Just over a day ahead, a device whose clock is set a year ahead, and
   * the largest stamp there is. */
  const gint64 walls[] = { T0 + MILK_HLC_MAX_DRIFT_MS + 1, T0 + 365 * MILK_HLC_MAX_DRIFT_MS,
                           G_GINT64_CONSTANT (9999999999999) };

  milk_hlc_now (hlc, &stamp);
  milk_hlc_get_last (hlc, &before);

  for (guint i = 0; i < G_N_ELEMENTS (walls); i++)
    {
      g_autoptr(GError) error = NULL;

      remote = (MilkHlcStamp) { walls[i], 0, NODE_A };
      g_assert_false (milk_hlc_receive (hlc, &remote, &error));
      g_assert_error (error, MILK_ERROR, MILK_ERROR_CLOCK_DRIFT);
      g_assert_cmpstr (milk_error_code_name (error->code), ==, "clock_drift");

      milk_hlc_get_last (hlc, &after);
      g_assert_cmpint (milk_hlc_stamp_compare (&after, &before), ==, 0);
    }

  /* The next local stamp is still near the real time. */
  milk_hlc_now (hlc, &stamp);
  g_assert_cmpint (stamp.wall_ms, ==, T0);
  g_assert_cmpuint (stamp.counter, ==, 1);

  /* Exactly a day ahead is still accepted. */
  {
    g_autoptr(GError) error = NULL;

    remote = (MilkHlcStamp) { T0 + MILK_HLC_MAX_DRIFT_MS, 0, NODE_A };
    g_assert_true (milk_hlc_receive (hlc, &remote, &error));
    g_assert_no_error (error);
    milk_hlc_now (hlc, &stamp);
    assert_stamp_after (&stamp, &remote);
  }
}

#define DAY_MS (G_GINT64_CONSTANT (24) * 3600 * 1000)

/* A device two days slow that knows the service's time stamps with the
 * corrected clock and folds in what others stamped today; the drift limit
 * is measured from the corrected clock, not its own. */
static void
test_receive_with_offset (void)
{
  gint64 now = T0 - 2 * DAY_MS;
  g_autoptr(MilkHlc) hlc = milk_hlc_new (NODE_B, fake_clock, &now);
  g_autoptr(GError) error = NULL;
  MilkHlcStamp remote = { T0 + 3600 * 1000, 5, NODE_A };
  MilkHlcStamp stamp, before, after;

  g_assert_cmpint (milk_hlc_get_local_time (hlc), ==, T0 - 2 * DAY_MS);
  milk_hlc_set_offset (hlc, 2 * DAY_MS);
  g_assert_cmpint (milk_hlc_get_offset (hlc), ==, 2 * DAY_MS);
  milk_hlc_now (hlc, &stamp);
  g_assert_cmpint (stamp.wall_ms, ==, T0);

  /* An hour ahead of the service, two days and an hour ahead of this
   * device's own clock: folded. */
  g_assert_true (milk_hlc_receive (hlc, &remote, &error));
  g_assert_no_error (error);
  milk_hlc_now (hlc, &stamp);
  assert_stamp_after (&stamp, &remote);

  /* More than a day ahead of the service is still refused. */
  milk_hlc_get_last (hlc, &before);
  remote = (MilkHlcStamp) { T0 + MILK_HLC_MAX_DRIFT_MS + 1, 0, NODE_A };
  g_assert_false (milk_hlc_receive (hlc, &remote, &error));
  g_assert_error (error, MILK_ERROR, MILK_ERROR_CLOCK_DRIFT);
  milk_hlc_get_last (hlc, &after);
  g_assert_cmpint (milk_hlc_stamp_compare (&after, &before), ==, 0);
}

/* A write stamps above the version it replaces, whatever the clock says;
 * the clock keeps past a version it could fold, and is not dragged along
 * by one too far ahead to fold. */
static void
test_now_above (void)
{
  gint64 now = T0;
  g_autoptr(MilkHlc) hlc = milk_hlc_new (NODE_A, fake_clock, &now);
  MilkHlcStamp replaced = { T0 + 2 * 3600 * 1000, 7, NODE_B };
  MilkHlcStamp stamp, next;

  milk_hlc_now_above (hlc, &replaced, &stamp);
  assert_stamp_after (&stamp, &replaced);
  g_assert_cmpuint (stamp.node, ==, NODE_A);
  milk_hlc_now (hlc, &next);
  assert_stamp_after (&next, &stamp);

  /* Three days ahead: above it for this edit, the clock stays near now. */
  replaced = (MilkHlcStamp) { T0 + 3 * DAY_MS, 0xffff, NODE_B };
  milk_hlc_now_above (hlc, &replaced, &stamp);
  assert_stamp_after (&stamp, &replaced);
  g_assert_cmpuint (stamp.node, ==, NODE_A);
  milk_hlc_now (hlc, &next);
  g_assert_cmpint (next.wall_ms, <, T0 + DAY_MS);

  /* An older version changes nothing. */
  replaced = (MilkHlcStamp) { T0 - DAY_MS, 0, NODE_B };
  milk_hlc_now_above (hlc, &replaced, &stamp);
  assert_stamp_after (&stamp, &next);
}

static void
test_string_round_trip (void)
{
  const MilkHlcStamp stamps[] = {
    { 0, 0, 0 },
    { T0, 0, NODE_A },
    { T0, 0xffff, NODE_B },
    { G_GINT64_CONSTANT (9999999999999), 0xffff, G_MAXUINT64 },
    { 1, 1, 1 },
  };
  const char *expected[] = {
    "0000000000000-0000-0000000000000000",
    "1795478400000-0000-0123456789abcdef",
    "1795478400000-ffff-fedcba9876543210",
    "9999999999999-ffff-ffffffffffffffff",
    "0000000000001-0001-0000000000000001",
  };

  for (guint i = 0; i < G_N_ELEMENTS (stamps); i++)
    {
      g_autoptr(GError) error = NULL;
      char buf[MILK_HLC_STRING_LEN + 1];
      MilkHlcStamp parsed;

      milk_hlc_stamp_format (&stamps[i], buf);
      g_assert_cmpstr (buf, ==, expected[i]);
      g_assert_cmpuint (strlen (buf), ==, MILK_HLC_STRING_LEN);

      g_assert_true (milk_hlc_stamp_parse (buf, &parsed, &error));
      g_assert_no_error (error);
      g_assert_cmpint (parsed.wall_ms, ==, stamps[i].wall_ms);
      g_assert_cmpuint (parsed.counter, ==, stamps[i].counter);
      g_assert_cmpuint (parsed.node, ==, stamps[i].node);
      g_assert_cmpint (milk_hlc_stamp_compare (&parsed, &stamps[i]), ==, 0);
    }
}

static int
sign (int v)
{
  return (v > 0) - (v < 0);
}

static void
test_string_order (void)
{
  g_autoptr(GArray) stamps = g_array_new (FALSE, FALSE, sizeof (MilkHlcStamp));
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  const guint64 nodes[] = { 0, 1, 0xf, 0x10, NODE_A, NODE_B, G_MAXUINT64, G_GUINT64_CONSTANT (0x8000000000000000) };
  const gint64 walls[] = { 0, 9, 10, 999, 1000, T0 - 1, T0, T0 + 1, G_GINT64_CONSTANT (9999999999999) };
  const guint32 counters[] = { 0, 1, 9, 0xa, 0xf, 0x10, 0xff, 0x100, 0xfff, 0x1000, 0xffff };

  /* Clocks on three devices, interleaved, with stalls that run the
   * counters up. */
  for (guint d = 0; d < 3; d++)
    {
      gint64 now = T0;
      g_autoptr(MilkHlc) hlc = milk_hlc_new (nodes[d + 4], fake_clock, &now);

      for (guint i = 0; i < 100; i++)
        {
          MilkHlcStamp stamp;

          if (i % 7 == 0)
            now += g_test_rand_int_range (0, 3);
          milk_hlc_now (hlc, &stamp);
          g_array_append_val (stamps, stamp);
        }
    }

  /* Edge values of every field, mixed. */
  for (guint i = 0; i < 200; i++)
    {
      MilkHlcStamp stamp = {
        walls[g_test_rand_int_range (0, G_N_ELEMENTS (walls))],
        counters[g_test_rand_int_range (0, G_N_ELEMENTS (counters))],
        nodes[g_test_rand_int_range (0, G_N_ELEMENTS (nodes))],
      };

      g_array_append_val (stamps, stamp);
    }

  for (guint i = 0; i < stamps->len; i++)
    {
      char *buf = g_malloc (MILK_HLC_STRING_LEN + 1);

      milk_hlc_stamp_format (&g_array_index (stamps, MilkHlcStamp, i), buf);
      g_ptr_array_add (strings, buf);
    }

  for (guint i = 0; i < stamps->len; i++)
    for (guint j = 0; j < stamps->len; j++)
      {
        int by_value = milk_hlc_stamp_compare (&g_array_index (stamps, MilkHlcStamp, i),
                                               &g_array_index (stamps, MilkHlcStamp, j));
        int by_text = strcmp (g_ptr_array_index (strings, i), g_ptr_array_index (strings, j));

        if (sign (by_value) != sign (by_text))
          g_error ("%s vs %s: compare says %d, strcmp says %d",
                   (char *) g_ptr_array_index (strings, i), (char *) g_ptr_array_index (strings, j),
                   by_value, by_text);
        /* Antisymmetric, and equal only to itself. */
        g_assert_cmpint (sign (by_value), ==,
                         -sign (milk_hlc_stamp_compare (&g_array_index (stamps, MilkHlcStamp, j),
                                                        &g_array_index (stamps, MilkHlcStamp, i))));
      }
}

static void
test_parse_invalid (void)
{
  const char *bad[] = {
    "",
    "1795478400000-0000-0123456789abcde",      /* 34 characters */
    "1795478400000-0000-0123456789abcdef0",    /* 36 characters */
    "795478400000-0000-0123456789abcdef",      /* short wall */
    "1795478400000-00000-123456789abcdef",     /* dash moved */
    "1795478400000-000A-0123456789abcdef",     /* uppercase counter */
    "1795478400000-0000-0123456789ABCDEF",     /* uppercase node */
    "1795478400000-0000-0123456789aBcdef",
    "1795478400000_0000-0123456789abcdef",     /* missing dashes */
    "1795478400000-0000_0123456789abcdef",
    "1795478400000000000123456789abcdef0",
    "179547840000a-0000-0123456789abcdef",     /* non-digits in the wall */
    "-795478400000-0000-0123456789abcdef",
    "+795478400000-0000-0123456789abcdef",
    " 795478400000-0000-0123456789abcdef",
    "1795478400000-000g-0123456789abcdef",     /* not hex */
    "1795478400000-0000-0123456789abcdeg",
    "1795478400000-0000-0x23456789abcdef",
    "1795478400000- 000-0123456789abcdef",
    "１795478400000-0000-0123456789abcd",       /* a full-width digit */
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      MilkHlcStamp stamp = { 42, 42, 42 };

      g_test_message ("'%s'", bad[i]);
      g_assert_false (milk_hlc_stamp_parse (bad[i], &stamp, &error));
      g_assert_error (error, MILK_ERROR, MILK_ERROR_INVALID_HLC);
      g_assert_cmpstr (milk_error_code_name (error->code), ==, "invalid_hlc");
      /* The output is left alone on failure. */
      g_assert_cmpint (stamp.wall_ms, ==, 42);
    }

  {
    g_autoptr(GError) error = NULL;
    MilkHlcStamp stamp;

    g_assert_false (milk_hlc_stamp_parse (NULL, &stamp, &error));
    g_assert_error (error, MILK_ERROR, MILK_ERROR_INVALID_HLC);
  }
}

static void
test_node_parse (void)
{
  guint64 node = 0;

  g_assert_true (milk_hlc_node_parse ("0123456789abcdef", &node));
  g_assert_cmpuint (node, ==, NODE_A);
  g_assert_false (milk_hlc_node_parse ("0123456789ABCDEF", &node));
  g_assert_false (milk_hlc_node_parse ("0123456789abcde", &node));
  g_assert_false (milk_hlc_node_parse ("0123456789abcdef0", &node));
  g_assert_false (milk_hlc_node_parse ("0123456789abcdeg", &node));
  g_assert_false (milk_hlc_node_parse ("", &node));
  g_assert_false (milk_hlc_node_parse (NULL, &node));
}

static void
test_restore (void)
{
  gint64 now = T0;
  g_autoptr(MilkHlc) hlc = milk_hlc_new (NODE_A, fake_clock, &now);
  MilkHlcStamp last, stamp, saved;
  /* Older stamps, including ones that differ only in the counter. */
  const MilkHlcStamp older[] = {
    { 0, 0, NODE_A },
    { T0 - 1, 0xffff, NODE_A },
    { T0, 3, NODE_A },
    { T0, 4, NODE_A },
  };

  for (guint i = 0; i < 5; i++)
    milk_hlc_now (hlc, &stamp);
  milk_hlc_get_last (hlc, &last);
  g_assert_cmpuint (last.counter, ==, 4);

  /* None of them moves the clock back. */
  for (guint i = 0; i < G_N_ELEMENTS (older); i++)
    {
      milk_hlc_restore (hlc, &older[i]);
      milk_hlc_get_last (hlc, &stamp);
      g_assert_cmpint (milk_hlc_stamp_compare (&stamp, &last), ==, 0);
    }
  milk_hlc_now (hlc, &stamp);
  assert_stamp_after (&stamp, &last);

  /* After a restart with the clock behind what was saved, stamps carry on
   * from the saved one. */
  saved = (MilkHlcStamp) { T0 + 3600000, 12, NODE_A };
  {
    g_autoptr(MilkHlc) restarted = milk_hlc_new (NODE_A, fake_clock, &now);

    milk_hlc_restore (restarted, &saved);
    milk_hlc_get_last (restarted, &stamp);
    g_assert_cmpint (stamp.wall_ms, ==, saved.wall_ms);
    g_assert_cmpuint (stamp.counter, ==, saved.counter);
    g_assert_cmpuint (stamp.node, ==, NODE_A);

    milk_hlc_now (restarted, &stamp);
    assert_stamp_after (&stamp, &saved);

    /* Restoring the same stamp again, or an older one, changes nothing. */
    milk_hlc_get_last (restarted, &last);
    milk_hlc_restore (restarted, &saved);
    milk_hlc_get_last (restarted, &stamp);
    g_assert_cmpint (milk_hlc_stamp_compare (&stamp, &last), ==, 0);
  }

  /* A newer stamp with the same millisecond moves the counter up. */
  milk_hlc_get_last (hlc, &last);
  saved = (MilkHlcStamp) { last.wall_ms, last.counter + 100, NODE_A };
  milk_hlc_restore (hlc, &saved);
  milk_hlc_now (hlc, &stamp);
  assert_stamp_after (&stamp, &saved);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/hlc/fixed-clock", test_fixed_clock);
  g_test_add_func ("/core/hlc/clock-backwards", test_clock_backwards);
  g_test_add_func ("/core/hlc/counter-overflow", test_counter_overflow);
  g_test_add_func ("/core/hlc/receive-ahead", test_receive_ahead);
  g_test_add_func ("/core/hlc/receive-drift", test_receive_drift);
  g_test_add_func ("/core/hlc/receive-with-offset", test_receive_with_offset);
  g_test_add_func ("/core/hlc/now-above", test_now_above);
  g_test_add_func ("/core/hlc/string-round-trip", test_string_round_trip);
  g_test_add_func ("/core/hlc/string-order", test_string_order);
  g_test_add_func ("/core/hlc/parse-invalid", test_parse_invalid);
  g_test_add_func ("/core/hlc/node-parse", test_node_parse);
  g_test_add_func ("/core/hlc/restore", test_restore);

  return g_test_run ();
}
