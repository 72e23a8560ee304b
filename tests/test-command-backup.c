/* test-command-backup.c — `milk-diary --backup`, `--restore`, `--price`
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "milk-test-util.h"

typedef struct
{
  MilkTestDir dir;
  char *other;     /* a second diary */
  char *backup;
} Fixture;

typedef struct
{
  int status;
  char *out;
  char *err;
} Result;

static const char *months[] = { "2026-08", "2026-09", "2026-10", "2026-11", "2026-12" };

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
  f->other = g_build_filename (f->dir.dir, "other.sqlite", NULL);
  f->backup = g_build_filename (f->dir.dir, "diary.milkbackup", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  milk_test_dir_clear (&f->dir);
  g_free (f->other);
  g_free (f->backup);
}

/* milk-diary with the arguments, on the diary at path. */
static Result
run_on (const char *path,
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
  va_start (args, path);
  while ((arg = va_arg (args, const char *)))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  envp = g_environ_setenv (envp, "MILK_DIARY_PATH", path, TRUE);
  g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                &r.out, &r.err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  r.status = WEXITSTATUS (wait_status);
  g_test_message ("status %d\nstdout: %s\nstderr: %s", r.status, r.out, r.err);
  return r;
}

static MilkRecord *
record_from_text (const char *text)
{
  g_autoptr(JsonNode) node = json_from_string (text, NULL);
  g_autoptr(GError) error = NULL;
  MilkRecord *record = milk_record_from_json (node, &error);

  g_assert_no_error (error);
  return record;
}

/* Three months and more of a household: two products, a price change in
 * the middle of September, an override, a note, a skipped day, payments,
 * a deleted entry and payment, another currency's setting left alone, an
 * entry from a newer version with fields this one does not know, and a
 * change of a type it does not know. */
static void
fill_diary (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkStore) store = milk_store_new (path, &error);
  g_autoptr(MilkRecord) buffalo = NULL;
  g_autoptr(GPtrArray) remote = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  g_autoptr(GPtrArray) unreadable = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_unreadable_change_free);
  MilkUnreadableChange *change = g_new0 (MilkUnreadableChange, 1);
  g_autofree char *gone = NULL;

  g_assert_no_error (error);
  buffalo = milk_store_add_product (store, "Buffalo milk", 500, &error);
  g_assert_no_error (error);
  g_assert_true (milk_store_set_price (store, MILK_DEFAULT_PRODUCT_ID, milk_test_day ("2026-08-01"), 5400, &error));
  g_assert_true (milk_store_set_price (store, MILK_DEFAULT_PRODUCT_ID, milk_test_day ("2026-09-16"), 5650, &error));
  g_assert_true (milk_store_set_price (store, buffalo->id, milk_test_day ("2026-08-01"), 7000, &error));
  for (MilkDay day = milk_test_day ("2026-08-20"); day <= milk_test_day ("2026-11-30"); day++)
    {
      g_assert_true (milk_store_set_entry (store, MILK_DEFAULT_PRODUCT_ID, day, day % 7 == 0 ? 0 : 1500,
                                           day % 11 == 0 ? 6000 : MILK_NO_PRICE,
                                           day % 13 == 0 ? "milkman late" : NULL, &error));
      if (day % 3 == 0)
        g_assert_true (milk_store_set_entry (store, buffalo->id, day, 500, MILK_NO_PRICE, NULL, &error));
    }
  g_assert_true (milk_store_delete_entry (store, MILK_DEFAULT_PRODUCT_ID, milk_test_day ("2026-10-10"), &error));
  g_free (milk_store_add_payment (store, milk_test_day ("2026-09-05"), 150000, "August", &error));
  g_free (milk_store_add_payment (store, milk_test_day ("2026-10-05"), 250000, "September, part", &error));
  gone = milk_store_add_payment (store, milk_test_day ("2026-10-06"), 100, "typo", &error);
  g_assert_true (milk_store_remove_payment (store, gone, &error));
  g_assert_true (milk_store_set_setting (store, "week-start", "monday", &error));

  g_ptr_array_add (remote, record_from_text (
      "{\"type\":\"entry\",\"key\":\"" MILK_DEFAULT_PRODUCT_ID "/2026-12-01\","
      "\"hlc\":\"1790000000000-0000-00000000000000aa\",\"deleted\":false,\"future\":[1,2],"
      "\"data\":{\"qty_ml\":1000,\"price_override\":null,\"note\":\"\",\"evening_qty_ml\":500}}"));
  g_assert_true (milk_store_apply_remote (store, remote, &error));
  change->type = g_strdup ("bill_check");
  change->key = g_strdup ("2026-11");
  change->hlc = g_strdup ("1790000000001-0000-00000000000000aa");
  change->json = g_strdup ("{\"type\":\"bill_check\",\"key\":\"2026-11\",\"hlc\":\"1790000000001-0000-00000000000000aa\"}");
  change->code = g_strdup ("unknown_type");
  g_ptr_array_add (unreadable, change);
  g_assert_true (milk_store_keep_unreadable (store, unreadable, &error));
  g_assert_no_error (error);
}

static GPtrArray *
all_records (const char  *path,
             GPtrArray  **unreadable)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkStore) store = milk_store_new (path, &error);
  GPtrArray *records;

  g_assert_no_error (error);
  records = milk_store_list_all (store, unreadable, &error);
  g_assert_no_error (error);
  return records;
}

static void
assert_same_records (GPtrArray *a,
                     GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_true (milk_record_equal (g_ptr_array_index (a, i), g_ptr_array_index (b, i)));
}

/* Every month's bill of one diary, as --month prints it. */
static char *
all_bills (const char *path)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (months); i++)
    {
      Result r = run_on (path, "--month", months[i], NULL);

      g_assert_cmpint (r.status, ==, 0);
      g_string_append (out, r.out);
      result_clear (&r);
    }
  return g_string_free (out, FALSE);
}

/* The bar of issue 13: --backup, then --restore into an empty diary, and
 * every month's bill is the same, balance included; so is every record,
 * stamp, tombstone and unknown field. */
static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GPtrArray) kept_a = NULL;
  g_autoptr(GPtrArray) kept_b = NULL;
  g_autoptr(GPtrArray) a = NULL;
  g_autoptr(GPtrArray) b = NULL;
  Result backup, restore;

  fill_diary (f->dir.path);
  before = all_bills (f->dir.path);
  g_assert_nonnull (strstr (before, "Balance due"));
  g_assert_nonnull (strstr (before, "milkman late"));

  backup = run_on (f->dir.path, "--backup", f->backup, NULL);
  g_assert_cmpint (backup.status, ==, 0);
  g_assert_nonnull (strstr (backup.out, f->backup));
  restore = run_on (f->other, "--restore", f->backup, NULL);
  g_assert_cmpint (restore.status, ==, 0);
  g_assert_nonnull (strstr (restore.out, "Restored the diary"));
  g_assert_nonnull (strstr (restore.out, "2 payments"));

  after = all_bills (f->other);
  g_assert_cmpstr (after, ==, before);

  a = all_records (f->dir.path, &kept_a);
  b = all_records (f->other, &kept_b);
  assert_same_records (a, b);
  g_assert_cmpuint (kept_b->len, ==, 1);
  g_assert_cmpstr (((MilkUnreadableChange *) kept_b->pdata[0])->json, ==,
                   ((MilkUnreadableChange *) kept_a->pdata[0])->json);

  result_clear (&backup);
  result_clear (&restore);
}

/* A restored diary is a new replica that sends everything it holds and
 * pulls the account's history afresh; a newer version from the account
 * wins over the backup's, an older one does not. */
static void
test_restored_diary_syncs (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkStore) store = NULL;
  g_autoptr(GPtrArray) remote = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  g_autoptr(MilkRecord) entry = NULL;
  g_autofree char *node_before = NULL;
  g_autofree char *newer = NULL;
  Result backup, restore;

  fill_diary (f->dir.path);
  store = milk_store_new (f->other, &error);
  g_assert_no_error (error);
  g_assert_true (milk_store_set_cursor (store, "42", &error));
  node_before = g_strdup (milk_store_get_replica_node (store));
  g_clear_object (&store);

  backup = run_on (f->dir.path, "--backup", f->backup, NULL);
  restore = run_on (f->other, "--restore", f->backup, NULL);
  g_assert_cmpint (restore.status, ==, 0);

  store = milk_store_new (f->other, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (milk_store_get_replica_node (store), !=, node_before);
  g_assert_null (milk_store_dup_cursor (store));
  /* Everything but the untouched default product waits to be sent. */
  g_assert_cmpuint (milk_store_count_pending (store), >, 100);

  /* The account's newer 2026-09-01 wins; its older 2026-09-02 does not. */
  newer = g_strdup_printf ("{\"type\":\"entry\",\"key\":\"" MILK_DEFAULT_PRODUCT_ID "/2026-09-01\","
                           "\"hlc\":\"%013" G_GINT64_FORMAT "-0000-00000000000000bb\",\"deleted\":false,"
                           "\"data\":{\"qty_ml\":3000,\"price_override\":null,\"note\":\"\"}}",
                           g_get_real_time () / 1000 + 3600 * 1000);
  g_ptr_array_add (remote, record_from_text (newer));
  g_ptr_array_add (remote, record_from_text (
      "{\"type\":\"entry\",\"key\":\"" MILK_DEFAULT_PRODUCT_ID "/2026-09-02\","
      "\"hlc\":\"1000000000000-0000-00000000000000bb\",\"deleted\":false,"
      "\"data\":{\"qty_ml\":3000,\"price_override\":null,\"note\":\"\"}}"));
  g_assert_true (milk_store_apply_remote (store, remote, &error));
  entry = milk_store_get_entry (store, MILK_DEFAULT_PRODUCT_ID, milk_test_day ("2026-09-01"), &error);
  g_assert_cmpint (entry->qty_ml, ==, 3000);
  g_clear_pointer (&entry, milk_record_free);
  entry = milk_store_get_entry (store, MILK_DEFAULT_PRODUCT_ID, milk_test_day ("2026-09-02"), &error);
  g_assert_cmpint (entry->qty_ml, ==, 1500);

  result_clear (&backup);
  result_clear (&restore);
}

static void
assert_refused (Fixture    *f,
                const char *contents,
                gssize      length,
                const char *message)
{
  g_autoptr(GPtrArray) records_before = all_records (f->other, NULL);
  g_autoptr(GPtrArray) records_after = NULL;
  Result r;

  g_assert_true (g_file_set_contents (f->backup, contents, length, NULL));
  r = run_on (f->other, "--restore", f->backup, "--replace", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, message));
  g_assert_nonnull (strstr (r.err, "the diary is unchanged"));
  /* Every record as it was, stamps included: the bills are too. */
  records_after = all_records (f->other, NULL);
  assert_same_records (records_before, records_after);
  result_clear (&r);
}

/* A damaged, cut short or foreign file is refused, even with --replace,
 * and the diary stays as it was. */
static void
test_damaged_backup (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *good = NULL;
  g_autofree char *changed = NULL;
  gsize length = 0;
  Result backup, add;
  char *at;

  fill_diary (f->dir.path);
  backup = run_on (f->dir.path, "--backup", f->backup, NULL);
  g_assert_cmpint (backup.status, ==, 0);
  good = milk_test_read_file (f->backup, &length);
  add = run_on (f->other, "--add", "2", "--date", "2026-11-02", NULL);
  g_assert_cmpint (add.status, ==, 0);

  assert_refused (f, good, length / 2, "damaged");
  /* One quantity changed by hand: the checksum no longer matches. */
  changed = g_strdup (good);
  at = strstr (changed, "\"qty_ml\" : 1500");
  g_assert_nonnull (at);
  at[strlen ("\"qty_ml\" : ")] = '2';
  assert_refused (f, changed, -1, "checksum");
  assert_refused (f, "day,product,litres\n2026-11-01,Milk,1\n", -1, "not a Milk Diary backup");
  assert_refused (f, "{\"format\":\"io.github.milkdiary.MilkDiary.backup\",\"version\":7,\"records\":[]}", -1,
                  "newer Milk Diary");

  result_clear (&backup);
  result_clear (&add);
}

/* Over a diary with records: refused unless --replace, which the error
 * names; with it, the diary becomes the backup's. */
static void
test_restore_over_data (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *before = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *after = NULL;
  Result backup, add, refused, replaced;

  fill_diary (f->dir.path);
  before = all_bills (f->dir.path);
  backup = run_on (f->dir.path, "--backup", f->backup, NULL);
  add = run_on (f->other, "--add", "4", "--date", "2026-09-03", NULL);
  kept = all_bills (f->other);

  refused = run_on (f->other, "--restore", f->backup, NULL);
  g_assert_cmpint (refused.status, ==, 1);
  g_assert_nonnull (strstr (refused.err, "already has records"));
  g_assert_nonnull (strstr (refused.err, "--replace"));
  after = all_bills (f->other);
  g_assert_cmpstr (after, ==, kept);
  g_clear_pointer (&after, g_free);

  replaced = run_on (f->other, "--restore", f->backup, "--replace", NULL);
  g_assert_cmpint (replaced.status, ==, 0);
  after = all_bills (f->other);
  g_assert_cmpstr (after, ==, before);

  result_clear (&backup);
  result_clear (&add);
  result_clear (&refused);
  result_clear (&replaced);
}

/* CSV export carries prices and payments too: imported into an empty
 * diary, every month's amount and balance are the same; imported again,
 * nothing is paid twice. */
static void
test_csv_round_trip (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *csv = g_build_filename (f->dir.dir, "diary.csv", NULL);
  g_autofree char *text = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *again = NULL;
  Result pay, export, import, second;

  fill_diary (f->dir.path);
  /* For October's bill although September's is still open: the rule
   * would give it to September, so only the file's bill column keeps it. */
  pay = run_on (f->dir.path, "--pay", "10", "--date", "2026-10-07", "--for", "2026-10", NULL);
  g_assert_cmpint (pay.status, ==, 0);
  before = all_bills (f->dir.path);
  export = run_on (f->dir.path, "--export-csv", csv, NULL);
  g_assert_cmpint (export.status, ==, 0);
  text = milk_test_read_file (csv, NULL);
  g_assert_nonnull (strstr (text, "\r\nfrom,product,price\r\n2026-08-01,Milk,54.00\r\n2026-09-16,Milk,56.50\r\n"));
  g_assert_nonnull (strstr (text, "\r\nday,amount,note,bill\r\n2026-09-05,1500.00,August,"));
  g_assert_nonnull (strstr (text, "\r\n2026-10-07,10.00,,2026-10\r\n"));

  import = run_on (f->other, "--import", csv, NULL);
  g_assert_cmpint (import.status, ==, 0);
  g_assert_nonnull (strstr (import.out, "3 payments"));
  after = all_bills (f->other);
  g_assert_cmpstr (after, ==, before);

  second = run_on (f->other, "--import", csv, NULL);
  g_assert_cmpint (second.status, ==, 0);
  g_assert_nonnull (strstr (second.out, "0 records changed"));
  again = all_bills (f->other);
  g_assert_cmpstr (again, ==, before);

  result_clear (&pay);
  result_clear (&export);
  result_clear (&import);
  result_clear (&second);
}

static void
test_restore_bad_arguments (Fixture       *f,
                            gconstpointer  data)
{
  Result missing = run_on (f->dir.path, "--restore", "/nonexistent/backup", NULL);
  Result with_add = run_on (f->dir.path, "--restore", f->backup, "--add", "1", NULL);
  Result replace_alone = run_on (f->dir.path, "--replace", NULL);

  g_assert_cmpint (missing.status, ==, 1);
  g_assert_nonnull (strstr (missing.err, "could not be read"));
  g_assert_cmpint (with_add.status, ==, 2);
  g_assert_cmpint (replace_alone.status, ==, 2);
  g_assert_nonnull (strstr (replace_alone.err, "--restore"));
  result_clear (&missing);
  result_clear (&with_add);
  result_clear (&replace_alone);
}

/* --price refuses zero, negative and another currency, and says what it
 * stored. */
static void
test_price (Fixture       *f,
            gconstpointer  data)
{
  static const struct { const char *price; const char *message; } bad[] = {
    { "0", "more than zero" },
    { "0.00", "more than zero" },
    { "-5", "more than zero" },
    { "₹56", "another currency; this diary’s prices are in Swiss Franc (CHF)" },
    { "$56", "another currency" },
  };
  g_autoptr(GError) error = NULL;
  Result ok, rupees, month;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(MilkStore) store = milk_store_new (f->dir.path, &error);
      Result r;

      g_assert_true (milk_store_set_setting (store, "currency", "CHF", &error));
      g_clear_object (&store);
      r = run_on (f->dir.path, "--price", bad[i].price, "--date", "2026-12-01", NULL);
      g_assert_cmpint (r.status, ==, 2);
      g_assert_nonnull (strstr (r.err, bad[i].message));
      result_clear (&r);
    }
  ok = run_on (f->dir.path, "--price", "Fr 1.85", "--date", "2026-12-01", NULL);
  g_assert_cmpint (ok.status, ==, 0);
  g_assert_cmpstr (ok.out, ==, "Milk costs Fr1.85 a litre from 2026-12-01\n");
  month = run_on (f->dir.path, "--add", "2", "--date", "2026-12-01", "--month", "2026-12", NULL);
  g_assert_nonnull (strstr (month.out, "Fr3.70"));

  rupees = run_on (f->other, "--price", "₹56.50", "--date", "2026-12-02", NULL);
  g_assert_cmpint (rupees.status, ==, 0);
  g_assert_cmpstr (rupees.out, ==, "Milk costs ₹56.50 a litre from 2026-12-02\n");

  result_clear (&ok);
  result_clear (&rupees);
  result_clear (&month);
}

/* A day delivered morning and evening, and a product brought twice a
 * day, come back from a backup as they were, and so does the bill. */
static void
test_twice_a_day (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkRecord) got = NULL;
  g_autoptr(MilkRecord) product = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  Result backup, restore;

  {
    g_autoptr(MilkStore) store = milk_store_new (f->dir.path, &error);
    g_autoptr(MilkRecord) milk = NULL;
    g_autoptr(MilkRecord) day = milk_record_new (MILK_RECORD_ENTRY);

    g_assert_no_error (error);
    milk = milk_store_get (store, MILK_RECORD_PRODUCT, MILK_DEFAULT_PRODUCT_ID, &error);
    g_assert_no_error (error);
    milk->twice_daily = TRUE;
    milk->evening_qty_ml = 500;
    g_assert_true (milk_store_put (store, milk, &error));
    g_assert_true (milk_store_set_price (store, MILK_DEFAULT_PRODUCT_ID, milk_test_day ("2026-11-01"), 5650, &error));
    day->id = g_strdup (MILK_DEFAULT_PRODUCT_ID);
    day->day = milk_test_day ("2026-11-24");
    day->note = g_strdup ("");
    milk_entry_set_split (day, 1000, 500);
    g_assert_true (milk_store_put (store, day, &error));
    g_assert_true (milk_store_set_entry (store, MILK_DEFAULT_PRODUCT_ID, milk_test_day ("2026-11-25"),
                                         1000, MILK_NO_PRICE, NULL, &error));
    g_assert_no_error (error);
  }
  before = all_bills (f->dir.path);

  backup = run_on (f->dir.path, "--backup", f->backup, NULL);
  g_assert_cmpint (backup.status, ==, 0);
  restore = run_on (f->other, "--restore", f->backup, NULL);
  g_assert_cmpint (restore.status, ==, 0);

  {
    g_autoptr(MilkStore) store = milk_store_new (f->other, &error);

    g_assert_no_error (error);
    got = milk_store_get_entry (store, MILK_DEFAULT_PRODUCT_ID, milk_test_day ("2026-11-24"), &error);
    product = milk_store_get (store, MILK_RECORD_PRODUCT, MILK_DEFAULT_PRODUCT_ID, &error);
    g_assert_no_error (error);
  }
  g_assert_nonnull (got);
  g_assert_true (milk_entry_is_split (got));
  g_assert_cmpint (got->morning_ml, ==, 1000);
  g_assert_cmpint (got->evening_ml, ==, 500);
  g_assert_cmpint (got->qty_ml, ==, 1500);
  g_assert_nonnull (product);
  g_assert_true (product->twice_daily);
  g_assert_cmpint (product->evening_qty_ml, ==, 500);

  after = all_bills (f->other);
  g_assert_cmpstr (after, ==, before);
  g_assert_nonnull (strstr (after, "2.5 L"));
  g_assert_nonnull (strstr (after, "1 + 0.5 L"));
  g_assert_nonnull (strstr (after, "  Morning"));

  result_clear (&backup);
  result_clear (&restore);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ("/cli/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("backup/round-trip", test_round_trip);
  ADD ("backup/restored-diary-syncs", test_restored_diary_syncs);
  ADD ("backup/damaged", test_damaged_backup);
  ADD ("backup/restore-over-data", test_restore_over_data);
  ADD ("backup/bad-arguments", test_restore_bad_arguments);
  ADD ("backup/twice-a-day", test_twice_a_day);
  ADD ("price", test_price);
  ADD ("csv/round-trip", test_csv_round_trip);
#undef ADD

  return g_test_run ();
}
