/* test-store-sync.c — pending marks, the merge rule and convergence
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "milk-store-private.h"
#include "milk-test-util.h"

#define MILK MILK_DEFAULT_PRODUCT_ID

typedef struct
{
  MilkTestDir dir_a, dir_b;
  MilkStore *a, *b;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  milk_test_dir_init (&f->dir_a);
  milk_test_dir_init (&f->dir_b);
  f->a = milk_test_store_new (&f->dir_a);
  f->b = milk_test_store_new (&f->dir_b);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->a);
  g_clear_object (&f->b);
  milk_test_dir_clear (&f->dir_a);
  milk_test_dir_clear (&f->dir_b);
}

static void
set_entry (MilkStore  *store,
           const char *day,
           gint64      qty_ml)
{
  g_autoptr(GError) error = NULL;

  milk_store_set_entry (store, MILK, milk_test_day (day), qty_ml, MILK_NO_PRICE, NULL, &error);
  g_assert_no_error (error);
}

/* Stamps from two devices within one millisecond order by node id alone;
 * a test that means "later" waits long enough for the clock to say so. */
static void
later (void)
{
  g_usleep (3000);
}

static gint64
qty_on (MilkStore  *store,
        const char *day)
{
  g_autoptr(MilkRecord) record = milk_store_get_entry (store, MILK, milk_test_day (day), NULL);

  return record ? record->qty_ml : -1;
}

/* Sends everything pending from one store to another, as a sync would. */
static void
push (MilkStore *from,
      MilkStore *to)
{
  g_autoptr(GPtrArray) pending = milk_store_list_pending (from, 1000, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (milk_store_apply_remote (to, pending, &error));
  g_assert_no_error (error);
  g_assert_true (milk_store_mark_synced (from, pending, &error));
}

static void
test_pending_and_synced (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GPtrArray) after = NULL;

  set_entry (f->a, "2026-11-01", 1000);
  set_entry (f->a, "2026-11-02", 1500);
  milk_store_set_setting (f->a, "currency", "EUR", NULL);
  g_assert_cmpuint (milk_store_count_pending (f->a), ==, 3);

  pending = milk_store_list_pending (f->a, 2, NULL);
  g_assert_cmpuint (pending->len, ==, 2);
  g_assert_true (milk_store_mark_synced (f->a, pending, NULL));
  g_assert_cmpuint (milk_store_count_pending (f->a), ==, 1);

  after = milk_store_list_pending (f->a, 100, NULL);
  g_assert_cmpuint (after->len, ==, 1);
}

/* Invariant 4: an edit made while a request is in flight is never lost. */
static void
test_edit_during_sync_stays_pending (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(GPtrArray) in_flight = NULL;
  g_autoptr(GPtrArray) still = NULL;

  set_entry (f->a, "2026-11-24", 1000);
  in_flight = milk_store_list_pending (f->a, 100, NULL);

  set_entry (f->a, "2026-11-24", 2000); /* the person edits while it is sent */
  g_assert_true (milk_store_mark_synced (f->a, in_flight, NULL));

  still = milk_store_list_pending (f->a, 100, NULL);
  g_assert_cmpuint (still->len, ==, 1);
  g_assert_cmpint (((MilkRecord *) still->pdata[0])->qty_ml, ==, 2000);
}

static void
test_greater_hlc_wins (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) old_version = NULL;

  set_entry (f->a, "2026-11-24", 1000);
  old_version = milk_store_list_pending (f->a, 100, NULL);
  later ();
  set_entry (f->b, "2026-11-24", 2000); /* later stamp, other device */
  push (f->b, f->a);
  g_assert_cmpint (qty_on (f->a, "2026-11-24"), ==, 2000);
  /* a's own edit lost by the merge rule, so nothing is left to send */
  g_assert_cmpuint (milk_store_count_pending (f->a), ==, 0);

  /* An older version arriving late changes nothing. */
  g_assert_true (milk_store_apply_remote (f->b, old_version, NULL));
  g_assert_cmpint (qty_on (f->b, "2026-11-24"), ==, 2000);
}

static void
test_local_newer_survives_remote (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GPtrArray) from_b = NULL;

  set_entry (f->b, "2026-11-24", 2000);
  from_b = milk_store_list_pending (f->b, 100, NULL);
  later ();
  set_entry (f->a, "2026-11-24", 500); /* later */

  g_assert_true (milk_store_apply_remote (f->a, from_b, NULL));
  g_assert_cmpint (qty_on (f->a, "2026-11-24"), ==, 500);
  g_assert_cmpuint (milk_store_count_pending (f->a), ==, 1);
}

static void
test_redelivery_harmless (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GPtrArray) entries = NULL;

  set_entry (f->a, "2026-11-24", 1000);
  pending = milk_store_list_pending (f->a, 100, NULL);
  for (int i = 0; i < 3; i++)
    g_assert_true (milk_store_apply_remote (f->b, pending, NULL));

  entries = milk_store_list_entries (f->b, milk_test_day ("2026-11-01"), milk_test_day ("2026-11-30"), NULL);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_cmpuint (milk_store_count_pending (f->b), ==, 0);
}

static void
test_remote_delete (Fixture       *f,
                    gconstpointer  data)
{
  set_entry (f->a, "2026-11-24", 1000);
  push (f->a, f->b);
  g_assert_cmpint (qty_on (f->b, "2026-11-24"), ==, 1000);

  milk_store_delete_entry (f->a, MILK, milk_test_day ("2026-11-24"), NULL);
  push (f->a, f->b);
  g_assert_cmpint (qty_on (f->b, "2026-11-24"), ==, -1);

  /* Recording the day again afterwards wins over the tombstone. */
  later ();
  set_entry (f->b, "2026-11-24", 750);
  push (f->b, f->a);
  g_assert_cmpint (qty_on (f->a, "2026-11-24"), ==, 750);
}

static void
test_default_product_loses_to_any_edit (Fixture       *f,
                                        gconstpointer  data)
{
  g_autoptr(MilkRecord) milk = milk_store_get (f->a, MILK_RECORD_PRODUCT, MILK, NULL);
  g_autoptr(MilkRecord) on_b = NULL;

  g_free (milk->name);
  milk->name = g_strdup ("Cow milk");
  g_assert_true (milk_store_put (f->a, milk, NULL));
  push (f->a, f->b);

  on_b = milk_store_get (f->b, MILK_RECORD_PRODUCT, MILK, NULL);
  g_assert_cmpstr (on_b->name, ==, "Cow milk");
}

static GPtrArray *
all_records (MilkStore *store)
{
  g_autoptr(GPtrArray) entries = milk_store_list_entries (store, milk_test_day ("2026-01-01"),
                                                          milk_test_day ("2026-12-31"), NULL);
  return g_steal_pointer (&entries);
}

/* Two devices edit the same days offline, then exchange in either order:
 * both end with the same diary. */
static void
test_convergence (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) from_a = NULL;
  g_autoptr(GPtrArray) from_b = NULL;
  g_autoptr(GPtrArray) ra = NULL;
  g_autoptr(GPtrArray) rb = NULL;
  GRand *rand = g_rand_new_with_seed (42);

  for (int i = 0; i < 200; i++)
    {
      MilkStore *store = g_rand_boolean (rand) ? f->a : f->b;
      g_autofree char *day = g_strdup_printf ("2026-11-%02d", g_rand_int_range (rand, 1, 31));

      if (g_rand_int_range (rand, 0, 5) == 0)
        milk_store_delete_entry (store, MILK, milk_test_day (day), NULL);
      else
        set_entry (store, day, g_rand_int_range (rand, 0, 40) * 50);
    }
  g_rand_free (rand);

  from_a = milk_store_list_pending (f->a, 1000, NULL);
  from_b = milk_store_list_pending (f->b, 1000, NULL);
  g_assert_true (milk_store_apply_remote (f->b, from_a, NULL));
  g_assert_true (milk_store_apply_remote (f->a, from_b, NULL));

  ra = all_records (f->a);
  rb = all_records (f->b);
  g_assert_cmpuint (ra->len, ==, rb->len);
  for (guint i = 0; i < ra->len; i++)
    g_assert_true (milk_record_equal (ra->pdata[i], rb->pdata[i]));
}

static void
test_rejected_listed (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GPtrArray) rejected = NULL;
  g_autoptr(GPtrArray) after_edit = NULL;
  MilkStoreRejection *rejection;

  set_entry (f->a, "2026-11-24", 1000);
  pending = milk_store_list_pending (f->a, 10, NULL);
  g_assert_true (milk_store_mark_rejected (f->a, pending->pdata[0], "invalid_qty", "Too much milk", NULL));

  rejected = milk_store_list_rejected (f->a, NULL);
  g_assert_cmpuint (rejected->len, ==, 1);
  rejection = rejected->pdata[0];
  g_assert_cmpstr (rejection->code, ==, "invalid_qty");
  g_assert_cmpstr (rejection->message, ==, "Too much milk");
  g_assert_cmpint (rejection->record->qty_ml, ==, 1000);
  g_assert_cmpuint (milk_store_count_pending (f->a), ==, 0);

  /* A new edit of the same day replaces the rejected version. */
  set_entry (f->a, "2026-11-24", 900);
  after_edit = milk_store_list_rejected (f->a, NULL);
  g_assert_cmpuint (after_edit->len, ==, 0);
  g_assert_cmpuint (milk_store_count_pending (f->a), ==, 1);
}

/* Issue 14, problem 9: A's edit loses to a newer one from B. The diary
 * takes B's version, and says what replaced what until A edits the day
 * again. Before, the edit vanished without a word. */
static void
test_superseded_listed (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) sent = NULL;
  g_autoptr(GPtrArray) newer = NULL;
  g_autoptr(GPtrArray) rejected = NULL;
  g_autoptr(GPtrArray) after_edit = NULL;
  MilkStoreRejection *rejection;

  set_entry (f->a, "2026-11-24", 3000);
  g_usleep (2000);
  set_entry (f->b, "2026-11-24", 1000);            /* later, on another device */
  sent = milk_store_list_pending (f->a, 10, NULL);
  newer = milk_store_list_pending (f->b, 10, NULL);

  /* As the sync service stores a page: the verdict, then what came back. */
  g_assert_true (milk_store_mark_rejected (f->a, sent->pdata[0], "superseded", "replaced", NULL));
  g_assert_true (milk_store_apply_remote (f->a, newer, NULL));

  rejected = milk_store_list_rejected (f->a, NULL);
  g_assert_cmpuint (rejected->len, ==, 1);
  rejection = rejected->pdata[0];
  g_assert_cmpstr (rejection->code, ==, "superseded");
  g_assert_cmpint (rejection->record->qty_ml, ==, 1000);
  g_assert_nonnull (rejection->lost);
  g_assert_cmpint (rejection->lost->qty_ml, ==, 3000);
  g_assert_cmpuint (milk_store_count_pending (f->a), ==, 0);

  /* Kept across a restart (schema 5), gone once A edits the day again. */
  g_clear_object (&f->a);
  f->a = milk_test_store_new (&f->dir_a);
  g_clear_pointer (&rejected, g_ptr_array_unref);
  rejected = milk_store_list_rejected (f->a, NULL);
  g_assert_cmpuint (rejected->len, ==, 1);
  set_entry (f->a, "2026-11-24", 2000);
  after_edit = milk_store_list_rejected (f->a, NULL);
  g_assert_cmpuint (after_edit->len, ==, 0);
}

/* Issue 14, problem 2: a copy of the diary file (a new file, so a new
 * inode) becomes a new replica when it is opened, before it stamps
 * anything, and pulls everything afresh; the original keeps its node. */
static void
test_copied_file_new_replica (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *copy_path = g_build_filename (f->dir_b.dir, "copy.sqlite", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *original = NULL;
  g_autofree char *cursor = NULL;
  g_autoptr(MilkStore) copy = NULL;
  gsize length;

  set_entry (f->a, "2026-11-24", 1000);
  g_assert_true (milk_store_set_cursor (f->a, "v1.42", NULL));
  original = g_strdup (milk_store_get_replica_node (f->a));
  g_clear_object (&f->a);
  g_assert_true (g_file_get_contents (f->dir_a.path, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (copy_path, contents, length, NULL));

  copy = milk_store_new (copy_path, NULL);
  g_assert_nonnull (copy);
  g_assert_cmpstr (milk_store_get_replica_node (copy), !=, original);
  g_assert_cmpstr (milk_store_get_node (copy), ==, milk_store_get_node (copy));
  cursor = milk_store_dup_cursor (copy);
  g_assert_null (cursor);

  f->a = milk_test_store_new (&f->dir_a);
  g_assert_cmpstr (milk_store_get_replica_node (f->a), ==, original);
  g_clear_object (&copy);
  g_unlink (copy_path);
}

static void
test_cursor (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *none = milk_store_dup_cursor (f->a);
  g_autofree char *cursor = NULL;

  g_assert_null (none);
  g_assert_true (milk_store_set_cursor (f->a, "42", NULL));
  g_clear_object (&f->a);
  f->a = milk_test_store_new (&f->dir_a);
  cursor = milk_store_dup_cursor (f->a);
  g_assert_cmpstr (cursor, ==, "42");
}

static void
test_reset_for_new_account (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GPtrArray) pending = NULL;
  g_autofree char *cursor = NULL;

  set_entry (f->a, "2026-11-01", 1000);
  push (f->a, f->b);
  milk_store_set_cursor (f->a, "17", NULL);
  g_assert_cmpuint (milk_store_count_pending (f->a), ==, 0);

  /* Signing in to an account: all this device holds is sent, from the
   * start of the account's history; the untouched default product is not. */
  g_assert_true (milk_store_reset_sync_state (f->a, NULL));
  pending = milk_store_list_pending (f->a, 100, NULL);
  g_assert_cmpuint (pending->len, ==, 1);
  g_assert_cmpint (((MilkRecord *) pending->pdata[0])->type, ==, MILK_RECORD_ENTRY);
  cursor = milk_store_dup_cursor (f->a);
  g_assert_null (cursor);
}

static void
test_clear_diary (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) products = NULL;
  g_autofree char *payment = NULL;
  MilkTotals all;

  set_entry (f->a, "2026-11-01", 1000);
  payment = milk_store_add_payment (f->a, milk_test_day ("2026-11-02"), 100, NULL, NULL);
  g_assert_nonnull (payment);
  g_assert_true (milk_store_clear_diary (f->a, NULL));

  g_assert_true (milk_store_all_time_totals (f->a, &all, NULL, NULL));
  g_assert_cmpuint (all.delivered_days, ==, 0);
  g_assert_cmpuint (milk_store_count_pending (f->a), ==, 0);
  products = milk_store_list_products (f->a, TRUE, NULL);
  g_assert_cmpuint (products->len, ==, 1);
  g_assert_cmpstr (((MilkRecord *) products->pdata[0])->name, ==, "Milk");
}

/* 2026-11-24T00:00:00Z in milliseconds */
#define T0 G_GINT64_CONSTANT (1795478400000)
#define DAY_MS (G_GINT64_CONSTANT (24) * 3600 * 1000)

static gint64
fixed_clock (gpointer data)
{
  return *(gint64 *) data;
}

static MilkStore *
store_with_clock (MilkTestDir *dir,
                  gint64      *now)
{
  g_autoptr(GError) error = NULL;
  MilkStore *store = _milk_store_new_with_clock (dir->path, fixed_clock, now, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static char *
stamp_on (MilkStore  *store,
          const char *day)
{
  g_autoptr(MilkRecord) record = milk_store_get_entry (store, MILK, milk_test_day (day), NULL);

  g_assert_nonnull (record);
  return g_strdup (record->hlc);
}

/* Issue 14: a device two days slow receives a change and edits the same
 * day. Its edit must win on every device, or the service keeps the older
 * version and the two devices differ for good. */
static void
test_slow_clock_edit_wins (void)
{
  MilkTestDir dir_a, dir_b;
  gint64 now_a = T0, now_b = T0 - 2 * DAY_MS;
  g_autoptr(MilkStore) a = NULL;
  g_autoptr(MilkStore) b = NULL;
  g_autofree char *theirs = NULL;
  g_autofree char *mine = NULL;

  milk_test_dir_init (&dir_a);
  milk_test_dir_init (&dir_b);
  a = store_with_clock (&dir_a, &now_a);
  b = store_with_clock (&dir_b, &now_b);

  /* Not knowing the service's time yet, b cannot tell a's clock is right:
   * a's stamp is too far ahead of its own to fold. */
  set_entry (a, "2026-11-24", 1000);
  g_test_expect_message ("milk-store", G_LOG_LEVEL_WARNING, "*far-future*");
  push (a, b);
  g_test_assert_expected_messages ();
  theirs = stamp_on (b, "2026-11-24");
  set_entry (b, "2026-11-24", 3000);
  mine = stamp_on (b, "2026-11-24");
  g_assert_cmpstr (mine, >, theirs);

  push (b, a);
  g_assert_cmpint (qty_on (a, "2026-11-24"), ==, 3000);
  g_assert_cmpint (qty_on (b, "2026-11-24"), ==, 3000);

  g_clear_object (&a);
  g_clear_object (&b);
  milk_test_dir_clear (&dir_a);
  milk_test_dir_clear (&dir_b);
}

/* The same device once it knows the service's time: what it receives,
 * stamped by a correct clock, moves its clock, so an edit of another day
 * made after it is stamped after it too; the correction survives a
 * restart. */
static void
test_slow_clock_corrected (void)
{
  MilkTestDir dir_a, dir_b;
  gint64 now_a = T0, now_b = T0 - 2 * DAY_MS;
  g_autoptr(MilkStore) a = NULL;
  g_autoptr(MilkStore) b = NULL;
  g_autofree char *theirs = NULL;
  g_autofree char *mine = NULL;
  g_autofree char *after_restart = NULL;
  g_autoptr(GError) error = NULL;

  milk_test_dir_init (&dir_a);
  milk_test_dir_init (&dir_b);
  a = store_with_clock (&dir_a, &now_a);
  b = store_with_clock (&dir_b, &now_b);

  /* The service's clock is half a second behind a's. */
  g_assert_true (milk_store_set_service_time (b, T0 - 500, &error));
  g_assert_no_error (error);
  g_assert_cmpint (milk_store_get_clock_offset (b), ==, 2 * DAY_MS - 500);

  set_entry (a, "2026-11-24", 1000);
  push (a, b);
  theirs = stamp_on (b, "2026-11-24");
  set_entry (b, "2026-11-25", 2000);
  mine = stamp_on (b, "2026-11-25");
  g_assert_cmpstr (mine, >, theirs);

  g_clear_object (&b);
  b = store_with_clock (&dir_b, &now_b);
  g_assert_cmpint (milk_store_get_clock_offset (b), ==, 2 * DAY_MS - 500);
  now_b += 60 * 1000;
  set_entry (b, "2026-11-26", 500);
  after_restart = stamp_on (b, "2026-11-26");
  g_assert_cmpstr (after_restart, >=, "1795478459500");

  g_clear_object (&a);
  g_clear_object (&b);
  milk_test_dir_clear (&dir_a);
  milk_test_dir_clear (&dir_b);
}

/* Every stamp received moves the clock, applied or not: a version received
 * before the device knew the service's time (too far ahead of its own
 * clock to fold then) and delivered again after it is folded then. */
static void
test_redelivered_stamp_folded (void)
{
  MilkTestDir dir_a, dir_b;
  gint64 now_a = T0, now_b = T0 - 2 * DAY_MS;
  g_autoptr(MilkStore) a = NULL;
  g_autoptr(MilkStore) b = NULL;
  g_autoptr(GPtrArray) sent = NULL;
  g_autofree char *theirs = NULL;
  g_autofree char *mine = NULL;

  milk_test_dir_init (&dir_a);
  milk_test_dir_init (&dir_b);
  a = store_with_clock (&dir_a, &now_a);
  b = store_with_clock (&dir_b, &now_b);

  set_entry (a, "2026-11-24", 1000);
  sent = milk_store_list_pending (a, 100, NULL);
  g_test_expect_message ("milk-store", G_LOG_LEVEL_WARNING, "*far-future*");
  g_assert_true (milk_store_apply_remote (b, sent, NULL));
  g_test_assert_expected_messages ();

  g_assert_true (milk_store_set_service_time (b, T0 - 500, NULL));
  g_assert_true (milk_store_apply_remote (b, sent, NULL));   /* the same version again */
  theirs = stamp_on (b, "2026-11-24");
  set_entry (b, "2026-11-25", 2000);
  mine = stamp_on (b, "2026-11-25");
  g_assert_cmpstr (mine, >, theirs);

  g_clear_object (&a);
  g_clear_object (&b);
  milk_test_dir_clear (&dir_a);
  milk_test_dir_clear (&dir_b);
}

/* An edit of a version stamped in the future — within the day the service
 * allows, or past it — is stamped above that version; the far one does not
 * drag the device's clock into the future with it. */
static void
test_edit_above_future_version (void)
{
  MilkTestDir dir_a, dir_b;
  gint64 now_a = T0 + 2 * 3600 * 1000, now_b = T0;
  g_autoptr(MilkStore) a = NULL;
  g_autoptr(MilkStore) b = NULL;
  g_autofree char *theirs = NULL;
  g_autofree char *mine = NULL;
  g_autofree char *other = NULL;

  milk_test_dir_init (&dir_a);
  milk_test_dir_init (&dir_b);
  a = store_with_clock (&dir_a, &now_a);
  b = store_with_clock (&dir_b, &now_b);

  /* Two hours ahead. */
  set_entry (a, "2026-11-24", 1000);
  push (a, b);
  theirs = stamp_on (b, "2026-11-24");
  set_entry (b, "2026-11-24", 3000);
  mine = stamp_on (b, "2026-11-24");
  g_assert_cmpstr (mine, >, theirs);

  /* Three days ahead. */
  g_clear_pointer (&theirs, g_free);
  g_clear_pointer (&mine, g_free);
  now_a = T0 + 3 * DAY_MS;
  set_entry (a, "2026-11-27", 1000);
  g_test_expect_message ("milk-store", G_LOG_LEVEL_WARNING, "*far-future*");
  push (a, b);
  g_test_assert_expected_messages ();
  theirs = stamp_on (b, "2026-11-27");
  set_entry (b, "2026-11-27", 3000);
  mine = stamp_on (b, "2026-11-27");
  g_assert_cmpstr (mine, >, theirs);
  g_assert_true (g_str_has_suffix (mine, milk_store_get_node (b)));
  push (b, a);
  g_assert_cmpint (qty_on (a, "2026-11-27"), ==, 3000);

  set_entry (b, "2026-11-28", 500);
  other = stamp_on (b, "2026-11-28");
  g_assert_cmpstr (other, <, "1795564800000");   /* before T0 + 1 day */

  g_clear_object (&a);
  g_clear_object (&b);
  milk_test_dir_clear (&dir_a);
  milk_test_dir_clear (&dir_b);
}

static gint64
wall_of (const char *hlc)
{
  MilkHlcStamp stamp;

  g_assert_true (milk_hlc_stamp_parse (hlc, &stamp, NULL));
  return stamp.wall_ms;
}

static void
reject (MilkStore  *store,
        const char *day,
        const char *code)
{
  g_autoptr(MilkRecord) record = milk_store_get_entry (store, MILK, milk_test_day (day), NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (milk_store_mark_rejected (store, record, code, "refused", &error));
  g_assert_no_error (error);
}

/* Issue 14: a diary whose saved clock stamp is three days ahead of the
 * corrected clock (the device's clock ran ahead, then was set right). It
 * becomes a new replica: its next edit is stamped at the corrected time,
 * and its own far-future edits, pending or refused as clock_drift, are
 * stamped again, above what they replaced, and pending once more. Before
 * the fix every new stamp stayed three days ahead and the service refused
 * each one. */
static void
test_future_saved_clock_recovers (void)
{
  MilkTestDir dir_a, dir_b;
  gint64 now_a = T0 - 3600 * 1000, now_b = T0 + 3 * DAY_MS;
  g_autoptr(MilkStore) a = NULL;
  g_autoptr(MilkStore) b = NULL;
  g_autoptr(GPtrArray) rejected = NULL;
  g_autofree char *theirs = NULL;
  g_autofree char *old_replica = NULL;
  g_autofree char *node = NULL;
  g_autofree char *resent = NULL;
  g_autofree char *pending = NULL;
  g_autofree char *fresh = NULL;

  milk_test_dir_init (&dir_a);
  milk_test_dir_init (&dir_b);
  a = store_with_clock (&dir_a, &now_a);
  b = store_with_clock (&dir_b, &now_b);

  set_entry (a, "2026-11-20", 1000);
  push (a, b);
  theirs = stamp_on (b, "2026-11-20");

  /* Three days ahead: edits, one refused for its clock, one for another
   * reason, one still pending. */
  set_entry (b, "2026-11-20", 3000);
  set_entry (b, "2026-11-21", 2000);
  set_entry (b, "2026-11-22", 500);
  reject (b, "2026-11-20", "clock_drift");
  reject (b, "2026-11-22", "invalid_qty");
  g_assert_cmpuint (milk_store_count_pending (b), ==, 1);
  old_replica = g_strdup (milk_store_get_replica_node (b));
  node = g_strdup (milk_store_get_node (b));

  /* The clock is set right; the diary is opened again. */
  g_clear_object (&b);
  now_b = T0;
  b = store_with_clock (&dir_b, &now_b);

  g_assert_cmpstr (milk_store_get_node (b), ==, node);
  g_assert_cmpstr (milk_store_get_replica_node (b), !=, old_replica);

  resent = stamp_on (b, "2026-11-20");
  pending = stamp_on (b, "2026-11-21");
  g_assert_cmpint (wall_of (resent), <, T0 + 60 * 1000);
  g_assert_cmpint (wall_of (pending), <, T0 + 60 * 1000);
  g_assert_cmpstr (resent, >, theirs);
  g_assert_true (g_str_has_suffix (resent, milk_store_get_replica_node (b)));
  g_assert_cmpint (qty_on (b, "2026-11-20"), ==, 3000);
  g_assert_cmpint (qty_on (b, "2026-11-21"), ==, 2000);
  g_assert_cmpuint (milk_store_count_pending (b), ==, 2);
  rejected = milk_store_list_rejected (b, NULL);
  g_assert_cmpuint (rejected->len, ==, 1);
  g_assert_cmpstr (((MilkStoreRejection *) rejected->pdata[0])->code, ==, "invalid_qty");

  now_b += 1000;
  set_entry (b, "2026-11-23", 700);
  fresh = stamp_on (b, "2026-11-23");
  g_assert_cmpint (wall_of (fresh), >=, T0);
  g_assert_cmpint (wall_of (fresh), <, T0 + 60 * 1000);

  push (b, a);
  g_assert_cmpint (qty_on (a, "2026-11-20"), ==, 3000);
  g_assert_cmpint (qty_on (a, "2026-11-21"), ==, 2000);

  /* Opened again with a sane clock: it stays the replica it became. */
  g_clear_pointer (&old_replica, g_free);
  old_replica = g_strdup (milk_store_get_replica_node (b));
  g_clear_object (&b);
  b = store_with_clock (&dir_b, &now_b);
  g_assert_cmpstr (milk_store_get_replica_node (b), ==, old_replica);

  g_clear_object (&a);
  g_clear_object (&b);
  milk_test_dir_clear (&dir_a);
  milk_test_dir_clear (&dir_b);
}

/* The device's clock is still three days ahead, but the service's answer
 * says so: a change refused as clock_drift in an earlier sync, and one
 * sent in the request being answered, are both stamped again at the
 * service's time and sent again; later edits are stamped at it too. */
static void
test_clock_drift_change_sent_again (void)
{
  MilkTestDir dir;
  gint64 now = T0 + 3 * DAY_MS;
  g_autoptr(MilkStore) b = NULL;
  g_autoptr(GPtrArray) sent = NULL;
  g_autoptr(GPtrArray) rejected = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *fresh = NULL;

  milk_test_dir_init (&dir);
  b = store_with_clock (&dir, &now);

  set_entry (b, "2026-11-24", 1000);
  reject (b, "2026-11-24", "clock_drift");     /* an earlier sync, by an older app */
  set_entry (b, "2026-11-25", 2000);
  g_assert_cmpuint (milk_store_count_pending (b), ==, 1);

  /* The request with 2026-11-25; its answer carries the service's time
   * and refuses the change for its clock. */
  sent = milk_store_list_pending (b, 100, NULL);
  g_assert_true (milk_store_set_service_time (b, T0, &error));
  g_assert_no_error (error);
  g_assert_true (milk_store_mark_rejected (b, sent->pdata[0], "clock_drift", "refused", &error));
  g_assert_no_error (error);

  rejected = milk_store_list_rejected (b, NULL);
  g_assert_cmpuint (rejected->len, ==, 0);
  again = milk_store_list_pending (b, 100, NULL);
  g_assert_cmpuint (again->len, ==, 2);
  for (guint i = 0; i < again->len; i++)
    g_assert_cmpint (wall_of (((MilkRecord *) again->pdata[i])->hlc), <, T0 + 60 * 1000);

  set_entry (b, "2026-11-26", 500);
  fresh = stamp_on (b, "2026-11-26");
  g_assert_cmpint (wall_of (fresh), <, T0 + 60 * 1000);

  g_clear_object (&b);
  milk_test_dir_clear (&dir);
}

/* Issue 14: a pulled change this version cannot read (a newer version's
 * record type, or values it cannot validate) is kept in the diary, as
 * received, for a later version; never dropped, never a rejection. */
#define UNREAD_PRODUCT "6f1c2b9e-3d4a-4b5c-8d6e-7f8091a2b3c4"
#define SLOT(hlc, at) \
  "{\"type\":\"delivery_slot\",\"key\":\"" UNREAD_PRODUCT "/morning\",\"hlc\":\"" hlc "\",\"deleted\":false," \
  "\"data\":{\"at\":\"" at "\"}}"
#define BIG_ENTRY(hlc) \
  "{\"type\":\"entry\",\"key\":\"" MILK "/2026-11-20\",\"hlc\":\"" hlc "\",\"deleted\":false," \
  "\"data\":{\"qty_ml\":900000,\"price_override\":null,\"note\":\"\"}}"
#define GOOD_ENTRY(hlc) \
  "{\"type\":\"entry\",\"key\":\"" MILK "/2026-11-21\",\"hlc\":\"" hlc "\",\"deleted\":false," \
  "\"data\":{\"qty_ml\":750,\"price_override\":null,\"note\":\"\"}}"
#define H1 "1795478401000-0000-00000000000000b2"
#define H2 "1795478402000-0000-00000000000000b2"
#define H3 "1795478403000-0000-00000000000000b2"
/* a minute ahead of this device's clock */
#define H_AHEAD "1795478460000-0000-00000000000000b2"

static void
pull_into (MilkStore  *store,
           const char *changes)
{
  g_autofree char *doc = g_strconcat ("{\"cursor\":\"c1\",\"more\":false,\"changes\":[", changes, "],\"rejected\":[]}",
                                      NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkSyncMessage) response = milk_sync_response_decode (doc, strlen (doc), &error);

  g_assert_no_error (error);
  g_assert_cmpuint (response->rejected->len, ==, 0);
  g_assert_true (milk_store_apply_remote (store, response->changes, &error));
  g_assert_no_error (error);
  g_assert_true (milk_store_keep_unreadable (store, response->unreadable, &error));
  g_assert_no_error (error);
  g_assert_true (milk_store_set_cursor (store, response->cursor, &error));
}

static MilkUnreadableChange *
unreadable_at (GPtrArray *list,
               guint      index)
{
  g_assert_cmpuint (index, <, list->len);
  return g_ptr_array_index (list, index);
}

static void
test_unreadable_kept (void)
{
  MilkTestDir dir;
  gint64 now = T0;
  g_autoptr(MilkStore) store = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *mine = NULL;

  milk_test_dir_init (&dir);
  store = store_with_clock (&dir, &now);

  pull_into (store, SLOT (H1, "06:30") "," BIG_ENTRY (H1) "," GOOD_ENTRY (H1));
  g_assert_cmpint (qty_on (store, "2026-11-21"), ==, 750);
  g_assert_cmpint (qty_on (store, "2026-11-20"), ==, -1);
  g_assert_cmpuint (milk_store_count_unreadable (store), ==, 2);
  list = milk_store_list_unreadable (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (unreadable_at (list, 0)->type, ==, "delivery_slot");
  g_assert_cmpstr (unreadable_at (list, 0)->key, ==, UNREAD_PRODUCT "/morning");
  g_assert_cmpstr (unreadable_at (list, 0)->hlc, ==, H1);
  g_assert_cmpstr (unreadable_at (list, 0)->json, ==, SLOT (H1, "06:30"));
  g_assert_cmpstr (unreadable_at (list, 0)->code, ==, "invalid_type");
  g_assert_cmpstr (unreadable_at (list, 1)->type, ==, "entry");
  g_assert_cmpstr (unreadable_at (list, 1)->json, ==, BIG_ENTRY (H1));
  g_assert_cmpstr (unreadable_at (list, 1)->code, ==, "invalid_qty");
  g_assert_cmpuint (milk_store_count_pending (store), ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* Delivered again, or an older version: stored once, the newest kept. */
  pull_into (store, SLOT (H1, "06:30") "," SLOT (H2, "07:00"));
  pull_into (store, SLOT (H1, "05:00"));
  g_assert_cmpuint (milk_store_count_unreadable (store), ==, 2);
  list = milk_store_list_unreadable (store, NULL);
  g_assert_cmpstr (unreadable_at (list, 1)->json, ==, SLOT (H2, "07:00"));
  g_clear_pointer (&list, g_ptr_array_unref);

  /* A newer version this device can read replaces the one it could not. */
  pull_into (store, "{\"type\":\"entry\",\"key\":\"" MILK "/2026-11-20\",\"hlc\":\"" H3 "\",\"deleted\":false,"
                    "\"data\":{\"qty_ml\":2000,\"price_override\":null,\"note\":\"\"}}");
  g_assert_cmpint (qty_on (store, "2026-11-20"), ==, 2000);
  g_assert_cmpuint (milk_store_count_unreadable (store), ==, 1);
  /* ... and an older unreadable one of a record held newer is left out. */
  pull_into (store, BIG_ENTRY (H2));
  g_assert_cmpuint (milk_store_count_unreadable (store), ==, 1);

  /* Its stamp moved the clock on: an edit here stamps above it. */
  pull_into (store, SLOT (H_AHEAD, "08:00"));
  set_entry (store, "2026-11-22", 500);
  mine = stamp_on (store, "2026-11-22");
  g_assert_cmpstr (mine, >, H_AHEAD);

  /* Kept across a restart of the app. */
  g_clear_object (&store);
  store = store_with_clock (&dir, &now);
  list = milk_store_list_unreadable (store, NULL);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (unreadable_at (list, 0)->json, ==, SLOT (H_AHEAD, "08:00"));
  g_clear_pointer (&list, g_ptr_array_unref);

  /* Forgetting the diary forgets them too. */
  g_assert_true (milk_store_clear_diary (store, NULL));
  g_assert_cmpuint (milk_store_count_unreadable (store), ==, 0);

  g_clear_object (&store);
  milk_test_dir_clear (&dir);
}

/* Not even an object, or with no type or key: kept under its checksum. */
static void
test_unreadable_garbage_kept (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GPtrArray) list = NULL;

  pull_into (f->a, "42, {\"type\":7}, 42");
  list = milk_store_list_unreadable (f->a, NULL);
  g_assert_cmpuint (list->len, ==, 2);
  for (guint i = 0; i < list->len; i++)
    {
      g_assert_null (unreadable_at (list, i)->type);
      g_assert_true (g_str_has_prefix (unreadable_at (list, i)->key, "sha256:"));
    }
}

/* DESIGN "Versions mix": a field from a newer app that this one does not
 * know survives a local edit of the record and a restart, and goes out
 * with the edit; a newer version from the service replaces it whole. */
static void
test_unknown_fields_kept (void)
{
  MilkTestDir dir;
  gint64 now = T0;
  g_autoptr(MilkStore) store = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) sent = NULL;
  JsonObject *obj, *data;

  milk_test_dir_init (&dir);
  store = store_with_clock (&dir, &now);
  pull_into (store, "{\"type\":\"entry\",\"key\":\"" MILK "/2026-11-20\",\"hlc\":\"" H1 "\",\"deleted\":false,"
                    "\"origin\":\"phone\",\"data\":{\"qty_ml\":1000,\"fat_pct\":35,\"price_override\":null,\"note\":\"\"}}");
  g_clear_object (&store);
  store = store_with_clock (&dir, &now);
  now += 5000;
  set_entry (store, "2026-11-20", 1500);
  g_clear_object (&store);
  store = store_with_clock (&dir, &now);

  g_assert_cmpint (qty_on (store, "2026-11-20"), ==, 1500);
  pending = milk_store_list_pending (store, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 1);
  sent = milk_record_to_json (g_ptr_array_index (pending, 0));
  obj = json_node_get_object (sent);
  data = json_object_get_object_member (obj, "data");
  g_assert_cmpint (json_object_get_int_member (data, "qty_ml"), ==, 1500);
  g_assert_true (json_object_has_member (data, "fat_pct"));
  g_assert_cmpint (json_object_get_int_member (data, "fat_pct"), ==, 35);
  g_assert_cmpstr (json_object_get_string_member (obj, "origin"), ==, "phone");
  g_clear_pointer (&pending, g_ptr_array_unref);
  g_clear_pointer (&sent, json_node_unref);

  /* A newer version without the field is the whole record now. */
  pull_into (store, "{\"type\":\"entry\",\"key\":\"" MILK "/2026-11-20\",\"hlc\":\"" H_AHEAD "\",\"deleted\":false,"
                    "\"data\":{\"qty_ml\":2000,\"price_override\":null,\"note\":\"\"}}");
  set_entry (store, "2026-11-20", 2500);
  pending = milk_store_list_pending (store, 100, &error);
  g_assert_cmpuint (pending->len, ==, 1);
  sent = milk_record_to_json (g_ptr_array_index (pending, 0));
  obj = json_node_get_object (sent);
  g_assert_false (json_object_has_member (json_object_get_object_member (obj, "data"), "fat_pct"));
  g_assert_false (json_object_has_member (obj, "origin"));

  g_clear_object (&store);
  milk_test_dir_clear (&dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ("/store/sync/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("pending-and-synced", test_pending_and_synced);
  ADD ("edit-during-sync-stays-pending", test_edit_during_sync_stays_pending);
  ADD ("greater-hlc-wins", test_greater_hlc_wins);
  ADD ("local-newer-survives-remote", test_local_newer_survives_remote);
  ADD ("redelivery-harmless", test_redelivery_harmless);
  ADD ("remote-delete", test_remote_delete);
  ADD ("default-product-loses-to-any-edit", test_default_product_loses_to_any_edit);
  ADD ("convergence", test_convergence);
  ADD ("rejected-listed", test_rejected_listed);
  ADD ("superseded-listed", test_superseded_listed);
  ADD ("copied-file-new-replica", test_copied_file_new_replica);
  ADD ("cursor", test_cursor);
  ADD ("reset-for-new-account", test_reset_for_new_account);
  ADD ("clear-diary", test_clear_diary);
  ADD ("unreadable-garbage-kept", test_unreadable_garbage_kept);
#undef ADD
  g_test_add_func ("/store/sync/slow-clock-edit-wins", test_slow_clock_edit_wins);
  g_test_add_func ("/store/sync/slow-clock-corrected", test_slow_clock_corrected);
  g_test_add_func ("/store/sync/redelivered-stamp-folded", test_redelivered_stamp_folded);
  g_test_add_func ("/store/sync/edit-above-future-version", test_edit_above_future_version);
  g_test_add_func ("/store/sync/future-saved-clock-recovers", test_future_saved_clock_recovers);
  g_test_add_func ("/store/sync/clock-drift-change-sent-again", test_clock_drift_change_sent_again);
  g_test_add_func ("/store/sync/unreadable-kept", test_unreadable_kept);
  g_test_add_func ("/store/sync/unknown-fields-kept", test_unknown_fields_kept);

  return g_test_run ();
}
