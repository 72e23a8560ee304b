/* test-store-changed.c — ::changed says what changed, once, and only then
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "milk-test-util.h"

typedef struct
{
  MilkTestDir dir;
  MilkStore *store;
  guint emitted;
  MilkStoreChange last;
} Fixture;

static void
changed_cb (MilkStore             *store,
            const MilkStoreChange *change,
            Fixture               *f)
{
  f->emitted++;
  f->last = *change;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  milk_test_dir_init (&f->dir);
  f->store = milk_test_store_new (&f->dir);
  g_signal_connect (f->store, "changed", G_CALLBACK (changed_cb), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->store);
  milk_test_dir_clear (&f->dir);
}

static void
forget (Fixture *f)
{
  f->emitted = 0;
  f->last = (MilkStoreChange) { 0, MILK_DAY_INVALID, MILK_DAY_INVALID };
}

static MilkRecord *
remote_entry (const char *day,
              gint64      qty_ml,
              const char *hlc)
{
  MilkRecord *record = milk_record_new (MILK_RECORD_ENTRY);

  record->id = g_strdup (MILK_DEFAULT_PRODUCT_ID);
  record->day = milk_test_day (day);
  record->qty_ml = qty_ml;
  record->price_override = MILK_NO_PRICE;
  record->note = g_strdup ("");
  record->hlc = g_strdup (hlc);
  return record;
}

/* A sync that brings nothing new leaves the views alone. */
static void
test_empty_sync (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) nothing = g_ptr_array_new ();
  g_autoptr(GPtrArray) known = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  g_autoptr(GError) error = NULL;

  g_assert_true (milk_store_apply_remote (f->store, nothing, &error));
  g_assert_true (milk_store_mark_synced (f->store, nothing, &error));
  g_assert_true (milk_store_keep_unreadable (f->store, nothing, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (f->emitted, ==, 0);

  g_ptr_array_add (known, remote_entry ("2026-11-03", 1500, "1790000000000-0000-00000000000000aa"));
  g_assert_true (milk_store_apply_remote (f->store, known, &error));
  g_assert_cmpuint (f->emitted, ==, 1);
  g_assert_cmpuint (f->last.what & MILK_STORE_CHANGE_ENTRIES, !=, 0);
  g_assert_cmpuint (f->last.first, ==, milk_test_day ("2026-11-03"));

  /* The same version again, as the next pull may bring it. */
  forget (f);
  g_assert_true (milk_store_apply_remote (f->store, known, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (f->emitted, ==, 0);
}

/* Saving a day as it already is is no edit: nothing stamped, nothing to
 * send, nothing said. */
static void
test_identical_put (Fixture       *f,
                    gconstpointer  data)
{
  MilkDay day = milk_test_day ("2026-11-10");
  g_autoptr(MilkRecord) before = NULL;
  g_autoptr(MilkRecord) after = NULL;
  g_autoptr(GError) error = NULL;
  guint pending;

  g_assert_true (milk_store_set_entry (f->store, MILK_DEFAULT_PRODUCT_ID, day, 1000, MILK_NO_PRICE, "guests", &error));
  g_assert_true (milk_store_set_setting (f->store, "household-name", "The Kapoors", &error));
  g_assert_no_error (error);
  before = milk_store_get_entry (f->store, MILK_DEFAULT_PRODUCT_ID, day, &error);
  pending = milk_store_count_pending (f->store);
  forget (f);

  g_assert_true (milk_store_set_entry (f->store, MILK_DEFAULT_PRODUCT_ID, day, 1000, MILK_NO_PRICE, "guests", &error));
  g_assert_true (milk_store_set_setting (f->store, "household-name", "The Kapoors", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (f->emitted, ==, 0);

  after = milk_store_get_entry (f->store, MILK_DEFAULT_PRODUCT_ID, day, &error);
  g_assert_cmpstr (after->hlc, ==, before->hlc);
  g_assert_cmpuint (milk_store_count_pending (f->store), ==, pending);

  /* Deleting a day that is not recorded twice: the second changes nothing. */
  g_assert_true (milk_store_delete_entry (f->store, MILK_DEFAULT_PRODUCT_ID, milk_test_day ("2026-11-11"), &error));
  forget (f);
  g_assert_true (milk_store_delete_entry (f->store, MILK_DEFAULT_PRODUCT_ID, milk_test_day ("2026-11-11"), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (f->emitted, ==, 0);
}

/* An edit of a day says entries, and that day only. */
static void
test_entry_edit (Fixture       *f,
                 gconstpointer  data)
{
  MilkDay day = milk_test_day ("2026-11-12");
  g_autoptr(GError) error = NULL;

  g_assert_true (milk_store_set_entry (f->store, MILK_DEFAULT_PRODUCT_ID, day, 1000, MILK_NO_PRICE, NULL, &error));
  forget (f);

  g_assert_true (milk_store_set_entry (f->store, MILK_DEFAULT_PRODUCT_ID, day, 1500, MILK_NO_PRICE, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (f->emitted, ==, 1);
  g_assert_cmpuint (f->last.what & ~MILK_STORE_CHANGE_SYNC, ==, MILK_STORE_CHANGE_ENTRIES);
  g_assert_cmpuint (f->last.first, ==, day);
  g_assert_cmpuint (f->last.last, ==, day);
  g_assert_true (milk_store_change_touches (&f->last, MILK_STORE_CHANGE_ENTRIES,
                                            milk_test_day ("2026-11-01"), milk_test_day ("2026-11-30")));
  g_assert_false (milk_store_change_touches (&f->last, MILK_STORE_CHANGE_ENTRIES,
                                             milk_test_day ("2026-12-01"), milk_test_day ("2026-12-31")));
  g_assert_false (milk_store_change_touches (&f->last, MILK_STORE_CHANGE_PRODUCTS | MILK_STORE_CHANGE_PAYMENTS,
                                             milk_test_day ("2026-11-01"), milk_test_day ("2026-11-30")));

  /* Several days in one transaction: one signal, their span. */
  {
    g_autoptr(GPtrArray) plan = milk_store_plan_leave (f->store, milk_test_day ("2026-11-20"),
                                                       milk_test_day ("2026-11-22"), NULL, &error);

    forget (f);
    g_assert_true (milk_store_put_many (f->store, plan, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (f->emitted, ==, 1);
    g_assert_cmpuint (f->last.first, ==, milk_test_day ("2026-11-20"));
    g_assert_cmpuint (f->last.last, ==, milk_test_day ("2026-11-22"));
  }
}

/* A product has no day: its change touches every month. A price weighs
 * on its day and every later one. */
static void
test_product_change (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(MilkRecord) product = NULL;
  g_autoptr(GError) error = NULL;

  product = milk_store_add_product (f->store, "Buffalo Milk", 500, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->emitted, ==, 1);
  g_assert_cmpuint (f->last.what & ~MILK_STORE_CHANGE_SYNC, ==, MILK_STORE_CHANGE_PRODUCTS);
  g_assert_true (milk_store_change_touches (&f->last, MILK_STORE_CHANGE_PRODUCTS,
                                            milk_test_day ("1999-01-01"), milk_test_day ("1999-01-31")));
  g_assert_false (milk_store_change_touches (&f->last, MILK_STORE_CHANGE_ENTRIES,
                                             milk_test_day ("1999-01-01"), milk_test_day ("1999-01-31")));

  forget (f);
  g_assert_true (milk_store_set_price (f->store, product->id, milk_test_day ("2026-06-01"), 6000, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (f->emitted, ==, 1);
  g_assert_cmpuint (f->last.what & ~MILK_STORE_CHANGE_SYNC, ==, MILK_STORE_CHANGE_PRICES);
  g_assert_true (milk_store_change_touches (&f->last, MILK_STORE_CHANGE_PRICES,
                                            milk_test_day ("2026-11-01"), milk_test_day ("2026-11-30")));
  g_assert_false (milk_store_change_touches (&f->last, MILK_STORE_CHANGE_PRICES,
                                             milk_test_day ("2026-05-01"), milk_test_day ("2026-05-31")));

  /* The same price again is no change. */
  forget (f);
  g_assert_true (milk_store_set_price (f->store, product->id, milk_test_day ("2026-06-01"), 6000, &error));
  g_assert_cmpuint (f->emitted, ==, 0);
}

/* Sending is the sync journal's change only: the views need not look. */
static void
test_sync_only (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (milk_store_set_entry (f->store, MILK_DEFAULT_PRODUCT_ID, milk_test_day ("2026-11-14"),
                                       1000, MILK_NO_PRICE, NULL, &error));
  pending = milk_store_list_pending (f->store, 100, &error);
  g_assert_nonnull (pending);
  forget (f);
  g_assert_true (milk_store_mark_synced (f->store, pending, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (f->emitted, ==, 1);
  g_assert_cmpuint (f->last.what, ==, MILK_STORE_CHANGE_SYNC);

  /* Sent already: nothing left to mark. */
  forget (f);
  g_assert_true (milk_store_mark_synced (f->store, pending, &error));
  g_assert_cmpuint (f->emitted, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ("/store/changed/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("empty-sync", test_empty_sync);
  ADD ("identical-put", test_identical_put);
  ADD ("entry-edit", test_entry_edit);
  ADD ("product-change", test_product_change);
  ADD ("sync-only", test_sync_only);
#undef ADD

  return g_test_run ();
}
