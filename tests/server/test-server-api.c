/* test-server-api.c — the resources for other clients (a month's bill,
 * products, entries, payments) and personal access tokens
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "milk-server-test.h"

static MilkTestServer *server;
static gint64 base_ms;

#define NODE_A "00000000000000a1"
#define NODE_B "00000000000000b2"
#define COW     "6f1c4b8e-2a4d-4c1e-9f0a-000000000c0e"
#define BUFFALO "6f1c4b8e-2a4d-4c1e-9f0a-0000000000bf"
#define JSON "application/json"
#define PAYMENT_ID "0b7e6a52-3c1d-4f2e-9a8b-7c6d5e4f3a2b"

static GPtrArray *
changes_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
}

static char *
hlc_next (void)
{
  static guint32 counter;

  return milk_test_hlc (base_ms, ++counter, 0xa1);
}

static MilkRecord *
product_new (const char *id,
             const char *name,
             gint64      position)
{
  MilkRecord *record = milk_record_new (MILK_RECORD_PRODUCT);

  record->id = g_strdup (id);
  record->name = g_strdup (name);
  record->unit = g_strdup ("L");
  record->default_qty_ml = 1000;
  record->position = position;
  record->hlc = hlc_next ();
  return record;
}

static MilkRecord *
price_new (const char *product,
           const char *from,
           gint64      price_per_l)
{
  MilkRecord *record = milk_record_new (MILK_RECORD_PRICE);

  record->id = g_strdup (product);
  record->day = milk_day_parse (from, NULL);
  record->price_per_l = price_per_l;
  record->hlc = hlc_next ();
  return record;
}

static MilkRecord *
entry_new (const char *product,
           const char *day,
           gint64      qty_ml,
           gint64      price_override)
{
  MilkRecord *record = milk_test_entry (product, day, qty_ml, base_ms, 0, 0xa1);

  g_free (record->hlc);
  record->hlc = hlc_next ();
  record->price_override = price_override;
  return record;
}

static gint64
query_count (const char *sql,
             const char *param)
{
  PGconn *db = milk_test_db_connect (server);
  const char *params[] = { param };
  PGresult *result = PQexecParams (db, sql, 1, NULL, params, NULL, NULL, 0);
  gint64 count;

  g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
  count = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
  PQclear (result);
  PQfinish (db);
  return count;
}

/* The records stored for an account, tombstones too. */
static gint64
stored_count (const char *email)
{
  return query_count ("SELECT count(*) FROM records r JOIN accounts a ON a.id = r.account_id WHERE a.email = $1",
                      email);
}

/* A personal access token made on the account page, as a person does. */
static char *
make_token (MilkTestAccount *account,
            const char      *name,
            const char      *scope)
{
  g_autofree char *csrf = NULL;
  const char *body, *at;
  gsize n;

  g_assert_cmpuint (milk_test_request (account->browser, server, "GET", "/account", NULL, NULL, 0, NULL), ==, 200);
  csrf = milk_test_page_csrf (account->browser);
  milk_test_form (account->browser, server, "/account/tokens", "csrf", csrf, "name", name, "scope", scope, NULL);
  g_assert_cmpuint (account->browser->status, ==, 200);
  body = milk_test_body (account->browser);
  at = strstr (body, "value=\"milkpat_");
  g_assert_nonnull (at);
  at += strlen ("value=\"");
  n = strspn (at, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");
  g_assert_cmpuint (n, >, 40);
  return g_strndup (at, n);
}

static guint
put_json (MilkTestClient *client,
          const char     *path,
          const char     *body,
          const char     *token)
{
  return milk_test_request (client, server, "PUT", path, JSON, body, -1, token);
}

static guint
get (MilkTestClient *client,
     const char     *path,
     const char     *token)
{
  return milk_test_request (client, server, "GET", path, NULL, NULL, 0, token);
}

static MilkRecord *
find_change (MilkSyncMessage *message,
             const char      *key)
{
  for (guint i = 0; i < message->changes->len; i++)
    {
      MilkRecord *record = g_ptr_array_index (message->changes, i);
      g_autofree char *k = milk_record_dup_key (record);

      if (g_str_equal (k, key))
        return record;
    }
  return NULL;
}

/* A PUT records a delivery that a device receives on its next sync,
 * stamped by the service above the version it replaced; a DELETE is a
 * tombstone the device receives the same way. */
static void
test_entry_put_get_delete (void)
{
  g_autoptr(MilkTestAccount) account = milk_test_account_new (server, "entries@example.com");
  g_autoptr(MilkTestClient) app = milk_test_client_new ();
  g_autoptr(MilkTestClient) script = milk_test_client_new ();
  g_autoptr(GPtrArray) changes = changes_new ();
  g_autoptr(MilkSyncMessage) first = NULL, pulled = NULL, after_delete = NULL;
  const char *path = "/api/v1/entries/" MILK_DEFAULT_PRODUCT_ID "/2026-11-24";
  const char *key = MILK_DEFAULT_PRODUCT_ID "/2026-11-24";
  g_autofree char *device_hlc = NULL;
  g_autofree char *put_hlc = NULL;
  JsonObject *obj;
  MilkRecord *change;

  /* A device recorded the day first, with a clock an hour ahead. */
  g_ptr_array_add (changes, milk_test_entry (MILK_DEFAULT_PRODUCT_ID, "2026-11-24", 1000,
                                             g_get_real_time () / 1000 + 3600 * 1000, 0, 0xa1));
  device_hlc = g_strdup (((MilkRecord *) g_ptr_array_index (changes, 0))->hlc);
  first = milk_test_sync (server, app, account->access_token, NULL, NODE_A, changes);
  g_assert_cmpuint (first->rejected->len, ==, 0);

  g_assert_cmpuint (get (script, path, account->access_token), ==, 200);
  g_assert_cmpint (json_object_get_int_member (milk_test_json (script), "qty_ml"), ==, 1000);

  /* The OAuth access token the app holds may write. */
  g_assert_cmpuint (put_json (script, path, "{\"qty_ml\": 1500, \"note\": \"extra for guests\"}",
                              account->access_token), ==, 200);
  obj = milk_test_json (script);
  g_assert_cmpint (json_object_get_int_member (obj, "qty_ml"), ==, 1500);
  g_assert_cmpstr (json_object_get_string_member (obj, "note"), ==, "extra for guests");
  g_assert_cmpstr (json_object_get_string_member (obj, "product"), ==, MILK_DEFAULT_PRODUCT_ID);
  g_assert_cmpstr (json_object_get_string_member (obj, "day"), ==, "2026-11-24");
  put_hlc = g_strdup (json_object_get_string_member (obj, "hlc"));
  g_assert_cmpstr (put_hlc, >, device_hlc);
  g_assert_true (g_str_has_prefix (put_hlc + 19, "6d696c6b"));   /* the service's node: "milk" */

  /* The device's next sync brings the service's write. */
  pulled = milk_test_sync (server, app, account->access_token, first->cursor, NODE_A, NULL);
  change = find_change (pulled, key);
  g_assert_nonnull (change);
  g_assert_cmpint (change->qty_ml, ==, 1500);
  g_assert_cmpstr (change->note, ==, "extra for guests");
  g_assert_cmpstr (change->hlc, ==, put_hlc);
  g_assert_false (change->deleted);

  g_assert_cmpuint (get (script, path, account->access_token), ==, 200);
  g_assert_cmpint (json_object_get_int_member (milk_test_json (script), "qty_ml"), ==, 1500);

  /* Morning and evening. */
  g_assert_cmpuint (put_json (script, path, "{\"morning_ml\": 1000, \"evening_ml\": 500}",
                              account->access_token), ==, 200);
  obj = milk_test_json (script);
  g_assert_cmpint (json_object_get_int_member (obj, "qty_ml"), ==, 1500);
  g_assert_cmpint (json_object_get_int_member (obj, "morning_ml"), ==, 1000);
  g_assert_cmpint (json_object_get_int_member (obj, "evening_ml"), ==, 500);
  g_assert_cmpstr (json_object_get_string_member (obj, "note"), ==, "");

  g_assert_cmpuint (milk_test_request (script, server, "DELETE", path, NULL, NULL, 0, account->access_token),
                    ==, 204);
  g_assert_cmpuint (get (script, path, account->access_token), ==, 404);
  milk_test_assert_error (script, 404, "not_found");
  g_assert_cmpuint (milk_test_request (script, server, "DELETE", path, NULL, NULL, 0, account->access_token),
                    ==, 404);

  after_delete = milk_test_sync (server, app, account->access_token, pulled->cursor, NODE_A, NULL);
  change = find_change (after_delete, key);
  g_assert_nonnull (change);
  g_assert_true (change->deleted);

  /* A PUT after a delete makes it again. */
  g_assert_cmpuint (put_json (script, path, "{\"qty_ml\": 500}", account->access_token), ==, 201);
}

typedef struct
{
  const char *token;
  guint first_qty;
  GPtrArray *stamps;   /* "hlc qty" of each write answered 2xx */
} Writer;

static gpointer
write_many (gpointer data)
{
  Writer *w = data;
  g_autoptr(MilkTestClient) client = milk_test_client_new ();

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"qty_ml\": %u}", w->first_qty + i);
      guint status = put_json (client, "/api/v1/entries/" MILK_DEFAULT_PRODUCT_ID "/2026-11-25", body, w->token);

      if (status == 200 || status == 201)
        g_ptr_array_add (w->stamps, g_strdup_printf ("%s %u",
                                                     json_object_get_string_member (milk_test_json (client), "hlc"),
                                                     w->first_qty + i));
      else
        g_assert_cmpuint (status, ==, 409);   /* others kept winning: said, not lost */
    }
  return NULL;
}

/* Writes to one day at once, from several clients: each answered write
 * has its own stamp, and the one stored is the answered write with the
 * greatest stamp; none is reported stored and silently lost. */
static void
test_entry_concurrent_writes (void)
{
  g_autoptr(MilkTestAccount) account = milk_test_account_new (server, "concurrent@example.com");
  g_autoptr(MilkTestClient) script = milk_test_client_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Writer writers[6];
  GThread *threads[G_N_ELEMENTS (writers)];
  const char *best = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (writers); i++)
    {
      writers[i].token = account->access_token;
      writers[i].first_qty = 1000 * (i + 1);
      writers[i].stamps = g_ptr_array_new_with_free_func (g_free);
      threads[i] = g_thread_new ("writer", write_many, &writers[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (writers); i++)
    g_thread_join (threads[i]);

  for (guint i = 0; i < G_N_ELEMENTS (writers); i++)
    for (guint j = 0; j < writers[i].stamps->len; j++)
      {
        const char *line = g_ptr_array_index (writers[i].stamps, j);
        g_autofree char *hlc = g_strndup (line, strchr (line, ' ') - line);

        g_assert_false (g_hash_table_contains (seen, hlc));
        g_hash_table_add (seen, g_steal_pointer (&hlc));
        if (best == NULL || strcmp (line, best) > 0)
          best = line;
      }
  g_assert_nonnull (best);

  g_assert_cmpuint (get (script, "/api/v1/entries/" MILK_DEFAULT_PRODUCT_ID "/2026-11-25", account->access_token), ==, 200);
  {
    g_autofree char *stored = g_strdup_printf ("%s %" G_GINT64_FORMAT,
                                               json_object_get_string_member (milk_test_json (script), "hlc"),
                                               json_object_get_int_member (milk_test_json (script), "qty_ml"));

    g_assert_cmpstr (stored, ==, best);
  }
  for (guint i = 0; i < G_N_ELEMENTS (writers); i++)
    g_ptr_array_unref (writers[i].stamps);
}

/* Bad input gets a JSON error with a stable code, and nothing is stored. */
static void
test_entry_bad_input (void)
{
  g_autoptr(MilkTestAccount) account = milk_test_account_new (server, "bad-entries@example.com");
  g_autoptr(MilkTestClient) script = milk_test_client_new ();
  const char *good = "/api/v1/entries/" MILK_DEFAULT_PRODUCT_ID "/2026-11-24";
  g_autofree char *long_note = NULL;
  g_autofree char *long_body = NULL;
  const struct
  {
    const char *path;
    const char *content_type;
    const char *body;
    guint status;
    const char *code;
  } cases[] = {
    { "/api/v1/entries/not-a-uuid/2026-11-24", JSON, "{\"qty_ml\": 1}", 400, "invalid_key" },
    { "/api/v1/entries/" MILK_DEFAULT_PRODUCT_ID, JSON, "{\"qty_ml\": 1}", 404, "not_found" },
    { "/api/v1/entries/" MILK_DEFAULT_PRODUCT_ID "/", JSON, "{\"qty_ml\": 1}", 404, "not_found" },
    { "/api/v1/entries//2026-11-24", JSON, "{\"qty_ml\": 1}", 404, "not_found" },
    { "/api/v1/entries/" MILK_DEFAULT_PRODUCT_ID "/2026-11-24/x", JSON, "{\"qty_ml\": 1}", 404, "not_found" },
    { "/api/v1/entries/" MILK_DEFAULT_PRODUCT_ID "/2026-02-30", JSON, "{\"qty_ml\": 1}", 400, "invalid_day" },
    { "/api/v1/entries/" MILK_DEFAULT_PRODUCT_ID "/2026-2-3", JSON, "{\"qty_ml\": 1}", 400, "invalid_day" },
    { "/api/v1/entries/" COW "/2026-11-24", JSON, "{\"qty_ml\": 1}", 404, "unknown_product" },
    { good, "text/plain", "{\"qty_ml\": 1}", 415, "unsupported_media_type" },
    { good, JSON, "{\"qty_ml\": 1", 400, "invalid_json" },
    { good, JSON, "[1]", 400, "invalid_document" },
    { good, JSON, "{\"qty\": 1}", 400, "invalid_field" },
    { good, JSON, "{\"qty_ml\": 1, \"deleted\": true}", 400, "invalid_field" },
    { good, JSON, "{}", 400, "invalid_qty" },
    { good, JSON, "{\"qty_ml\": 1.5}", 400, "invalid_qty" },
    { good, JSON, "{\"qty_ml\": \"1000\"}", 400, "invalid_qty" },
    { good, JSON, "{\"qty_ml\": null}", 400, "invalid_qty" },
    { good, JSON, "{\"qty_ml\": -1}", 400, "invalid_qty" },
    { good, JSON, "{\"qty_ml\": 100000000}", 400, "invalid_qty" },
    { good, JSON, "{\"morning_ml\": 500}", 400, "invalid_qty" },
    { good, JSON, "{\"qty_ml\": 900, \"morning_ml\": 500, \"evening_ml\": 500}", 400, "invalid_qty" },
    { good, JSON, "{\"qty_ml\": 1000, \"price_override\": 56.5}", 400, "invalid_price" },
    { good, JSON, "{\"qty_ml\": 1000, \"price_override\": -5}", 400, "invalid_price" },
    { good, JSON, "{\"qty_ml\": 1000, \"note\": 5}", 400, "invalid_note" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      milk_test_request (script, server, "PUT", cases[i].path, cases[i].content_type, cases[i].body, -1,
                         account->access_token);
      if (script->status != cases[i].status)
        g_test_message ("case %u: %s %s", i, cases[i].path, cases[i].body);
      milk_test_assert_error (script, cases[i].status, cases[i].code);
    }

  long_note = g_strnfill (501, 'x');
  long_body = g_strdup_printf ("{\"qty_ml\": 1000, \"note\": \"%s\"}", long_note);
  put_json (script, good, long_body, account->access_token);
  milk_test_assert_error (script, 400, "invalid_note");

  /* No token, a wrong token. */
  put_json (script, good, "{\"qty_ml\": 1000}", NULL);
  milk_test_assert_error (script, 401, "missing_token");
  put_json (script, good, "{\"qty_ml\": 1000}", "not-a-token");
  milk_test_assert_error (script, 401, "invalid_token");
  put_json (script, good, "{\"qty_ml\": 1000}", "milkpat_not-a-token");
  milk_test_assert_error (script, 401, "invalid_token");

  /* Not an entry's address: nothing here, token or not. */
  get (script, "/api/v1/entries/", account->access_token);
  milk_test_assert_error (script, 404, "not_found");
  get (script, "/api/v1/entries/" MILK_DEFAULT_PRODUCT_ID, NULL);
  milk_test_assert_error (script, 404, "not_found");
  get (script, "/api/v1/months/2026-10/x", NULL);
  milk_test_assert_error (script, 404, "not_found");

  g_assert_cmpint (stored_count ("bad-entries@example.com"), ==, 0);
}

/* One account's data is never visible to another, through any resource. */
static void
test_isolation (void)
{
  g_autoptr(MilkTestAccount) alice = milk_test_account_new (server, "alice-api@example.com");
  g_autoptr(MilkTestAccount) bob = milk_test_account_new (server, "bob-api@example.com");
  g_autoptr(MilkTestClient) script = milk_test_client_new ();
  g_autofree char *bob_token = make_token (bob, "bob's script", "write");
  const char *path = "/api/v1/entries/" MILK_DEFAULT_PRODUCT_ID "/2026-10-03";
  JsonObject *obj;

  g_assert_cmpuint (put_json (script, path, "{\"qty_ml\": 2000, \"price_override\": 6000, \"note\": \"alice\"}",
                              alice->access_token), ==, 201);
  g_assert_cmpuint (milk_test_request (script, server, "POST", "/api/v1/payments", JSON,
                                       "{\"day\": \"2026-10-04\", \"amount\": 5000, \"note\": \"alice paid\"}", -1,
                                       alice->access_token), ==, 201);

  for (guint i = 0; i < 2; i++)
    {
      const char *token = i == 0 ? bob->access_token : bob_token;

      get (script, path, token);
      milk_test_assert_error (script, 404, "not_found");
      g_assert_cmpuint (get (script, "/api/v1/payments", token), ==, 200);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (milk_test_json (script), "payments")),
                        ==, 0);
      g_assert_cmpuint (get (script, "/api/v1/months/2026-10", token), ==, 200);
      obj = milk_test_json (script);
      g_assert_cmpint (json_object_get_int_member (obj, "amount"), ==, 0);
      g_assert_cmpint (json_object_get_int_member (obj, "paid"), ==, 0);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj, "days")), ==, 0);
      g_assert_null (strstr (milk_test_body (script), "alice"));
      milk_test_request (script, server, "DELETE", path, NULL, NULL, 0, token);
      milk_test_assert_error (script, 404, "not_found");
    }

  /* Bob's write of the same key is his own. */
  g_assert_cmpuint (put_json (script, path, "{\"qty_ml\": 500}", bob_token), ==, 201);
  g_assert_cmpuint (get (script, path, alice->access_token), ==, 200);
  obj = milk_test_json (script);
  g_assert_cmpint (json_object_get_int_member (obj, "qty_ml"), ==, 2000);
  g_assert_cmpstr (json_object_get_string_member (obj, "note"), ==, "alice");
  g_assert_cmpint (stored_count ("alice-api@example.com"), ==, 2);
  g_assert_cmpint (stored_count ("bob-api@example.com"), ==, 1);
}

/* A month's bill through the API: the figures of milk_bill_new () for
 * the records the devices synced, worked out here by hand. Two products,
 * a price change in the month, a day's own price, a skipped day, a
 * morning-and-evening day, last month's unpaid bill and a payment. */
static void
test_month_bill (void)
{
  g_autoptr(MilkTestAccount) account = milk_test_account_new (server, "bill@example.com");
  g_autoptr(MilkTestClient) app = milk_test_client_new ();
  g_autoptr(MilkTestClient) script = milk_test_client_new ();
  g_autoptr(GPtrArray) changes = changes_new ();
  g_autoptr(MilkSyncMessage) reply = NULL;
  g_autoptr(MilkRecord) payment = milk_record_new (MILK_RECORD_PAYMENT);
  JsonObject *bill, *line, *product;
  JsonArray *days, *products, *payments, *prices;
  MilkRecord *currency;

  g_ptr_array_add (changes, product_new (COW, "Cow", 1));
  g_ptr_array_add (changes, product_new (BUFFALO, "Buffalo", 2));
  g_ptr_array_add (changes, price_new (COW, "2026-01-01", 5000));
  g_ptr_array_add (changes, price_new (COW, "2026-10-16", 5600));
  g_ptr_array_add (changes, price_new (BUFFALO, "2026-01-01", 7000));
  g_ptr_array_add (changes, entry_new (COW, "2026-09-30", 1000, MILK_NO_PRICE));    /* September: 50.00 */
  g_ptr_array_add (changes, entry_new (COW, "2026-10-01", 1000, MILK_NO_PRICE));    /* 50.00 */
  g_ptr_array_add (changes, entry_new (COW, "2026-10-16", 1000, MILK_NO_PRICE));    /* 56.00 */
  g_ptr_array_add (changes, entry_new (COW, "2026-10-20", 500, 6000));              /* 30.00 */
  g_ptr_array_add (changes, entry_new (COW, "2026-10-21", 0, MILK_NO_PRICE));       /* skipped */
  g_ptr_array_add (changes, entry_new (BUFFALO, "2026-10-01", 500, MILK_NO_PRICE)); /* 35.00 */
  g_ptr_array_add (changes, entry_new (BUFFALO, "2026-10-02", 750, MILK_NO_PRICE)); /* 52.50 */
  g_ptr_array_add (changes, entry_new (BUFFALO, "2026-11-01", 750, MILK_NO_PRICE)); /* November */
  payment->id = g_strdup ("7d0e2f4c-1b3a-4c5d-8e6f-0a1b2c3d4e5f");
  payment->day = milk_day_parse ("2026-10-05", NULL);
  payment->amount = 10000;
  payment->note = g_strdup ("cash");
  payment->bill = milk_day_parse_month ("2026-10");
  payment->hlc = hlc_next ();
  g_ptr_array_add (changes, milk_record_copy (payment));
  currency = milk_record_new (MILK_RECORD_SETTING);
  currency->id = g_strdup ("currency");
  currency->value = g_strdup ("INR");
  currency->hlc = hlc_next ();
  g_ptr_array_add (changes, currency);
  reply = milk_test_sync (server, app, account->access_token, NULL, NODE_A, changes);
  g_assert_cmpuint (reply->rejected->len, ==, 0);

  /* And one day through the API: 1.5 L at 50.00, morning and evening. */
  g_assert_cmpuint (put_json (script, "/api/v1/entries/" COW "/2026-10-15",
                              "{\"morning_ml\": 1000, \"evening_ml\": 500}", account->access_token), ==, 201);

  g_assert_cmpuint (get (script, "/api/v1/months/2026-10", account->access_token), ==, 200);
  bill = milk_test_json (script);
  g_assert_cmpstr (json_object_get_string_member (bill, "month"), ==, "2026-10");
  g_assert_cmpstr (json_object_get_string_member (bill, "currency"), ==, "INR");
  /* 5000 + 7500 + 5600 + 3000 (cow) + 3500 + 5250 (buffalo) */
  g_assert_cmpint (json_object_get_int_member (bill, "amount"), ==, 29850);
  g_assert_cmpint (json_object_get_int_member (bill, "qty_ml"), ==, 5250);
  g_assert_cmpint (json_object_get_int_member (bill, "delivered_days"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (bill, "skipped_days"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (bill, "unpriced_days"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (bill, "average_ml"), ==, 1050);
  g_assert_cmpint (json_object_get_int_member (bill, "brought_forward"), ==, 5000);
  g_assert_cmpint (json_object_get_int_member (bill, "paid"), ==, 10000);
  g_assert_cmpint (json_object_get_int_member (bill, "balance_due"), ==, 24850);
  g_assert_cmpstr (json_object_get_string_member (bill, "state"), ==, "partly_paid");

  days = json_object_get_array_member (bill, "days");
  g_assert_cmpuint (json_array_get_length (days), ==, 7);
  /* The first of October: cow before buffalo, by the products' order. */
  line = json_array_get_object_element (days, 0);
  g_assert_cmpstr (json_object_get_string_member (line, "day"), ==, "2026-10-01");
  g_assert_cmpstr (json_object_get_string_member (line, "name"), ==, "Cow");
  g_assert_cmpint (json_object_get_int_member (line, "amount"), ==, 5000);
  g_assert_cmpint (json_object_get_int_member (line, "price_per_l"), ==, 5000);
  line = json_array_get_object_element (days, 1);
  g_assert_cmpstr (json_object_get_string_member (line, "name"), ==, "Buffalo");
  g_assert_cmpint (json_object_get_int_member (line, "amount"), ==, 3500);
  line = json_array_get_object_element (days, 3);
  g_assert_cmpstr (json_object_get_string_member (line, "day"), ==, "2026-10-15");
  g_assert_cmpint (json_object_get_int_member (line, "morning_ml"), ==, 1000);
  g_assert_cmpint (json_object_get_int_member (line, "evening_ml"), ==, 500);
  g_assert_cmpint (json_object_get_int_member (line, "amount"), ==, 7500);
  line = json_array_get_object_element (days, 4);
  g_assert_cmpstr (json_object_get_string_member (line, "day"), ==, "2026-10-16");
  g_assert_cmpint (json_object_get_int_member (line, "price_per_l"), ==, 5600);
  g_assert_false (json_object_get_boolean_member (line, "price_overridden"));
  line = json_array_get_object_element (days, 5);
  g_assert_cmpint (json_object_get_int_member (line, "price_per_l"), ==, 6000);
  g_assert_true (json_object_get_boolean_member (line, "price_overridden"));
  g_assert_cmpint (json_object_get_int_member (line, "amount"), ==, 3000);
  line = json_array_get_object_element (days, 6);
  g_assert_cmpint (json_object_get_int_member (line, "qty_ml"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (line, "amount"), ==, 0);

  products = json_object_get_array_member (bill, "products");
  g_assert_cmpuint (json_array_get_length (products), ==, 2);
  product = json_array_get_object_element (products, 0);
  g_assert_cmpstr (json_object_get_string_member (product, "product"), ==, COW);
  g_assert_cmpint (json_object_get_int_member (product, "qty_ml"), ==, 4000);
  g_assert_cmpint (json_object_get_int_member (product, "amount"), ==, 21100);
  g_assert_cmpint (json_object_get_int_member (product, "delivered_days"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (product, "skipped_days"), ==, 1);
  product = json_array_get_object_element (products, 1);
  g_assert_cmpstr (json_object_get_string_member (product, "name"), ==, "Buffalo");
  g_assert_cmpint (json_object_get_int_member (product, "qty_ml"), ==, 1250);
  g_assert_cmpint (json_object_get_int_member (product, "amount"), ==, 8750);

  prices = json_object_get_array_member (bill, "prices");
  g_assert_cmpuint (json_array_get_length (prices), ==, 3);

  payments = json_object_get_array_member (bill, "payments");
  g_assert_cmpuint (json_array_get_length (payments), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (payments, 0), "amount"), ==, 10000);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (payments, 0), "bill"), ==,
                   "2026-10");

  /* November carries October's balance. */
  g_assert_cmpuint (get (script, "/api/v1/months/2026-11", account->access_token), ==, 200);
  bill = milk_test_json (script);
  g_assert_cmpint (json_object_get_int_member (bill, "amount"), ==, 5250);
  g_assert_cmpint (json_object_get_int_member (bill, "brought_forward"), ==, 24850);
  g_assert_cmpint (json_object_get_int_member (bill, "balance_due"), ==, 30100);

  /* Bad months. */
  get (script, "/api/v1/months/2026-13", account->access_token);
  milk_test_assert_error (script, 400, "invalid_month");
  get (script, "/api/v1/months/2026-1", account->access_token);
  milk_test_assert_error (script, 400, "invalid_month");
  get (script, "/api/v1/months/2026-10/", account->access_token);
  milk_test_assert_error (script, 404, "not_found");
  get (script, "/api/v1/months/2026-1x", account->access_token);
  milk_test_assert_error (script, 400, "invalid_month");
  get (script, "/api/v1/months/2026-10", NULL);
  milk_test_assert_error (script, 401, "missing_token");
}

static void
test_products (void)
{
  g_autoptr(MilkTestAccount) account = milk_test_account_new (server, "products@example.com");
  g_autoptr(MilkTestClient) app = milk_test_client_new ();
  g_autoptr(MilkTestClient) script = milk_test_client_new ();
  g_autoptr(GPtrArray) changes = changes_new ();
  g_autoptr(MilkSyncMessage) reply = NULL;
  JsonArray *products, *prices;
  JsonObject *product;

  /* A new diary has "Milk" before any device synced anything. */
  g_assert_cmpuint (get (script, "/api/v1/products", account->access_token), ==, 200);
  products = json_object_get_array_member (milk_test_json (script), "products");
  g_assert_cmpuint (json_array_get_length (products), ==, 1);
  product = json_array_get_object_element (products, 0);
  g_assert_cmpstr (json_object_get_string_member (product, "id"), ==, MILK_DEFAULT_PRODUCT_ID);
  g_assert_cmpstr (json_object_get_string_member (product, "name"), ==, "Milk");
  g_assert_true (json_object_get_null_member (milk_test_json (script), "currency") ||
                 json_node_is_null (json_object_get_member (milk_test_json (script), "currency")));

  g_ptr_array_add (changes, product_new (BUFFALO, "Buffalo", 2));
  g_ptr_array_add (changes, product_new (COW, "Cow", 1));
  g_ptr_array_add (changes, price_new (COW, "2026-10-16", 5600));
  g_ptr_array_add (changes, price_new (COW, "2026-01-01", 5000));
  reply = milk_test_sync (server, app, account->access_token, NULL, NODE_A, changes);
  g_assert_cmpuint (reply->rejected->len, ==, 0);

  g_assert_cmpuint (get (script, "/api/v1/products", account->access_token), ==, 200);
  products = json_object_get_array_member (milk_test_json (script), "products");
  g_assert_cmpuint (json_array_get_length (products), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (products, 0), "name"), ==, "Milk");
  product = json_array_get_object_element (products, 1);
  g_assert_cmpstr (json_object_get_string_member (product, "name"), ==, "Cow");
  g_assert_cmpint (json_object_get_int_member (product, "default_qty_ml"), ==, 1000);
  prices = json_object_get_array_member (product, "prices");
  g_assert_cmpuint (json_array_get_length (prices), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (prices, 0), "from"), ==,
                   "2026-01-01");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (prices, 1), "price_per_l"), ==, 5600);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (products, 2), "name"), ==,
                   "Buffalo");
}

static void
test_payments (void)
{
  g_autoptr(MilkTestAccount) account = milk_test_account_new (server, "payments@example.com");
  g_autoptr(MilkTestClient) app = milk_test_client_new ();
  g_autoptr(MilkTestClient) script = milk_test_client_new ();
  g_autoptr(MilkSyncMessage) pulled = NULL;
  g_autofree char *id = NULL;
  JsonObject *obj;
  JsonArray *payments;
  MilkRecord *change;
  const struct
  {
    const char *body;
    const char *code;
  } bad[] = {
    { "{\"day\": \"2026-10-05\"}", "invalid_amount" },
    { "{\"day\": \"2026-10-05\", \"amount\": 0}", "invalid_amount" },
    { "{\"day\": \"2026-10-05\", \"amount\": -100}", "invalid_amount" },
    { "{\"day\": \"2026-10-05\", \"amount\": 100.5}", "invalid_amount" },
    { "{\"day\": \"2026-10-05\", \"amount\": \"100\"}", "invalid_amount" },
    { "{\"amount\": 100}", "invalid_day" },
    { "{\"day\": \"2026-10-32\", \"amount\": 100}", "invalid_day" },
    { "{\"day\": \"05/10/2026\", \"amount\": 100}", "invalid_day" },
    { "{\"day\": \"2026-10-05\", \"amount\": 100, \"bill\": \"2026-10-01\"}", "invalid_month" },
    { "{\"day\": \"2026-10-05\", \"amount\": 100, \"id\": \"x\"}", "invalid_key" },
    { "{\"day\": \"2026-10-05\", \"amount\": 100, \"paid\": true}", "invalid_field" },
    { "{\"day\": \"2026-10-05\", \"amount\": 100, \"note\": false}", "invalid_note" },
    { "not json", "invalid_json" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      milk_test_request (script, server, "POST", "/api/v1/payments", JSON, bad[i].body, -1, account->access_token);
      milk_test_assert_error (script, 400, bad[i].code);
    }
  g_assert_cmpint (stored_count ("payments@example.com"), ==, 0);

  /* No bill named: the oldest unsettled, decided now, as the app does. */
  g_assert_cmpuint (put_json (script, "/api/v1/entries/" MILK_DEFAULT_PRODUCT_ID "/2026-09-10",
                              "{\"qty_ml\": 1000, \"price_override\": 5000}", account->access_token), ==, 201);
  g_assert_cmpuint (milk_test_request (script, server, "POST", "/api/v1/payments", JSON,
                                       "{\"day\": \"2026-10-05\", \"amount\": 2500, \"note\": \"half\"}", -1,
                                       account->access_token), ==, 201);
  obj = milk_test_json (script);
  id = g_strdup (json_object_get_string_member (obj, "id"));
  g_assert_true (milk_uuid_is_valid (id));
  g_assert_cmpint (json_object_get_int_member (obj, "amount"), ==, 2500);
  g_assert_cmpstr (json_object_get_string_member (obj, "bill"), ==, "2026-09");
  g_assert_cmpuint (milk_test_request (script, server, "POST", "/api/v1/payments", JSON,
                                       "{\"day\": \"2026-10-06\", \"amount\": 100, \"bill\": \"2026-10\"}", -1,
                                       account->access_token), ==, 201);

  /* A payment the client named, sent twice (the first answer was lost):
   * stored once; another payment under its id is refused. */
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpuint (milk_test_request (script, server, "POST", "/api/v1/payments", JSON,
                                           "{\"id\": \"" PAYMENT_ID "\", \"day\": \"2026-10-07\", \"amount\": 300}",
                                           -1, account->access_token), ==, i == 0 ? 201 : 200);
      g_assert_cmpstr (json_object_get_string_member (milk_test_json (script), "id"), ==, PAYMENT_ID);
      g_assert_cmpstr (json_object_get_string_member (milk_test_json (script), "bill"), ==, "2026-09");
    }
  milk_test_request (script, server, "POST", "/api/v1/payments", JSON,
                     "{\"id\": \"" PAYMENT_ID "\", \"day\": \"2026-10-07\", \"amount\": 400}", -1,
                     account->access_token);
  milk_test_assert_error (script, 409, "conflict");

  g_assert_cmpuint (get (script, "/api/v1/payments", account->access_token), ==, 200);
  payments = json_object_get_array_member (milk_test_json (script), "payments");
  g_assert_cmpuint (json_array_get_length (payments), ==, 3);
  obj = json_array_get_object_element (payments, 0);
  g_assert_cmpstr (json_object_get_string_member (obj, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (obj, "day"), ==, "2026-10-05");
  g_assert_cmpstr (json_object_get_string_member (obj, "note"), ==, "half");
  g_assert_cmpstr (json_object_get_string_member (obj, "bill"), ==, "2026-09");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (payments, 1), "bill"), ==,
                   "2026-10");

  g_assert_cmpuint (get (script, "/api/v1/months/2026-09", account->access_token), ==, 200);
  g_assert_cmpint (json_object_get_int_member (milk_test_json (script), "balance_due"), ==, 2200);

  /* A device receives the payment. */
  pulled = milk_test_sync (server, app, account->access_token, NULL, NODE_B, NULL);
  change = find_change (pulled, id);
  g_assert_nonnull (change);
  g_assert_cmpint (change->amount, ==, 2500);
  g_assert_cmpuint (change->bill, ==, milk_day_parse_month ("2026-09"));
}

/* Made on the account page, shown once, stored hashed, listed with its
 * last use, revoked. */
static void
test_token_lifecycle (void)
{
  g_autoptr(MilkTestAccount) account = milk_test_account_new (server, "pat@example.com");
  g_autoptr(MilkTestClient) script = milk_test_client_new ();
  g_autofree char *token = make_token (account, "Kitchen <tablet>", "read");
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
  g_autofree char *csrf = NULL;
  g_autofree char *id = NULL;
  const char *body, *at;

  g_assert_true (g_str_has_prefix (token, "milkpat_"));
  g_assert_cmpstr (milk_test_header (account->browser, "Cache-Control"), ==, "no-store");

  /* Only its hash is kept. */
  g_assert_cmpint (query_count ("SELECT count(*) FROM personal_tokens WHERE token_hash = $1", hash), ==, 1);
  g_assert_cmpint (query_count ("SELECT count(*) FROM personal_tokens WHERE token_hash = $1 OR name = $1", token),
                   ==, 0);

  /* Listed, never used, and not shown again. */
  g_assert_cmpuint (milk_test_request (account->browser, server, "GET", "/account", NULL, NULL, 0, NULL), ==, 200);
  body = milk_test_body (account->browser);
  g_assert_nonnull (strstr (body, "Kitchen &lt;tablet&gt;"));
  g_assert_nonnull (strstr (body, "never used"));
  g_assert_null (strstr (body, token));
  g_assert_null (strstr (body, "milkpat_"));

  g_assert_cmpuint (get (script, "/api/v1/products", token), ==, 200);

  g_assert_cmpuint (milk_test_request (account->browser, server, "GET", "/account", NULL, NULL, 0, NULL), ==, 200);
  body = milk_test_body (account->browser);
  g_assert_null (strstr (body, "never used"));
  g_assert_nonnull (strstr (body, "last used 2"));

  /* Revoked: 401. */
  csrf = milk_test_page_csrf (account->browser);
  at = strstr (body, "name=\"id\" value=\"");
  g_assert_nonnull (at);
  at += strlen ("name=\"id\" value=\"");
  id = g_strndup (at, strspn (at, "0123456789"));
  milk_test_form (account->browser, server, "/account/tokens/revoke", "csrf", csrf, "id", id, NULL);
  g_assert_cmpuint (account->browser->status, ==, 200);
  g_assert_nonnull (strstr (milk_test_body (account->browser), "The token was revoked."));
  g_assert_null (strstr (milk_test_body (account->browser), "Kitchen"));
  get (script, "/api/v1/products", token);
  milk_test_assert_error (script, 401, "invalid_token");
  g_assert_cmpstr (milk_test_header (script, "WWW-Authenticate"), ==,
                   "Bearer realm=\"milk-diary\", error=\"invalid_token\"");

  /* Again: nothing to revoke. */
  milk_test_form (account->browser, server, "/account/tokens/revoke", "csrf", csrf, "id", id, NULL);
  g_assert_cmpuint (account->browser->status, ==, 404);
}

/* The account page's token forms: the CSRF token, a name, a scope. */
static void
test_token_forms (void)
{
  g_autoptr(MilkTestAccount) account = milk_test_account_new (server, "pat-forms@example.com");
  g_autoptr(MilkTestAccount) other = milk_test_account_new (server, "pat-other@example.com");
  g_autoptr(MilkTestClient) stranger = milk_test_client_new ();
  g_autofree char *csrf = NULL;
  g_autofree char *long_name = g_strnfill (81, 'n');
  g_autofree char *other_token = make_token (other, "other's", "write");
  g_autofree char *other_id = NULL;
  const char *body, *at;

  g_assert_cmpuint (milk_test_request (account->browser, server, "GET", "/account", NULL, NULL, 0, NULL), ==, 200);
  csrf = milk_test_page_csrf (account->browser);

  milk_test_form (account->browser, server, "/account/tokens", "csrf", "wrong", "name", "x", "scope", "read", NULL);
  g_assert_cmpuint (account->browser->status, ==, 403);
  milk_test_form (account->browser, server, "/account/tokens", "csrf", csrf, "name", "  ", "scope", "read", NULL);
  g_assert_cmpuint (account->browser->status, ==, 400);
  milk_test_form (account->browser, server, "/account/tokens", "csrf", csrf, "name", long_name, "scope", "read",
                  NULL);
  g_assert_cmpuint (account->browser->status, ==, 400);
  milk_test_form (account->browser, server, "/account/tokens", "csrf", csrf, "name", "x", "scope", "admin", NULL);
  g_assert_cmpuint (account->browser->status, ==, 400);
  milk_test_form (account->browser, server, "/account/tokens", "csrf", csrf, "name", "x", NULL);
  g_assert_cmpuint (account->browser->status, ==, 400);
  milk_test_form (stranger, server, "/account/tokens", "csrf", csrf, "name", "x", "scope", "read", NULL);
  g_assert_cmpuint (stranger->status, ==, 303);
  g_assert_cmpint (query_count ("SELECT count(*) FROM personal_tokens p JOIN accounts a ON a.id = p.account_id"
                                " WHERE a.email = $1", "pat-forms@example.com"), ==, 0);

  /* Another account's token cannot be revoked from here. */
  g_assert_cmpuint (milk_test_request (other->browser, server, "GET", "/account", NULL, NULL, 0, NULL), ==, 200);
  body = milk_test_body (other->browser);
  at = strstr (body, "name=\"id\" value=\"");
  g_assert_nonnull (at);
  at += strlen ("name=\"id\" value=\"");
  other_id = g_strndup (at, strspn (at, "0123456789"));
  milk_test_form (account->browser, server, "/account/tokens/revoke", "csrf", csrf, "id", other_id, NULL);
  g_assert_cmpuint (account->browser->status, ==, 404);
  g_assert_cmpuint (get (stranger, "/api/v1/products", other_token), ==, 200);
}

/* A read token reads and may not write; a read-and-write one may. */
static void
test_token_scope (void)
{
  g_autoptr(MilkTestAccount) account = milk_test_account_new (server, "scope@example.com");
  g_autoptr(MilkTestClient) script = milk_test_client_new ();
  g_autofree char *reader = make_token (account, "reader", "read");
  g_autofree char *writer = make_token (account, "writer", "write");
  const char *path = "/api/v1/entries/" MILK_DEFAULT_PRODUCT_ID "/2026-11-02";

  g_assert_cmpuint (get (script, "/api/v1/products", reader), ==, 200);
  g_assert_cmpuint (get (script, "/api/v1/months/2026-11", reader), ==, 200);
  g_assert_cmpuint (get (script, "/api/v1/payments", reader), ==, 200);

  put_json (script, path, "{\"qty_ml\": 1000}", reader);
  milk_test_assert_error (script, 403, "insufficient_scope");
  g_assert_nonnull (strstr (milk_test_header (script, "WWW-Authenticate"), "error=\"insufficient_scope\""));
  /* The scope is checked before the body. */
  put_json (script, path, "{\"qty_ml\": \"a lot\"}", reader);
  milk_test_assert_error (script, 403, "insufficient_scope");
  milk_test_request (script, server, "DELETE", path, NULL, NULL, 0, reader);
  milk_test_assert_error (script, 403, "insufficient_scope");
  milk_test_request (script, server, "POST", "/api/v1/payments", JSON,
                     "{\"day\": \"2026-11-02\", \"amount\": 100}", -1, reader);
  milk_test_assert_error (script, 403, "insufficient_scope");
  g_assert_cmpint (stored_count ("scope@example.com"), ==, 0);

  g_assert_cmpuint (put_json (script, path, "{\"qty_ml\": 1000}", writer), ==, 201);
  g_assert_cmpuint (get (script, path, reader), ==, 200);
  g_assert_cmpint (json_object_get_int_member (milk_test_json (script), "qty_ml"), ==, 1000);
  g_assert_cmpuint (milk_test_request (script, server, "DELETE", path, NULL, NULL, 0, writer), ==, 204);
}

/* 60 requests a minute per token, counted in PostgreSQL; the 61st waits. */
static void
test_token_rate_limit (void)
{
  g_autoptr(MilkTestAccount) account = milk_test_account_new (server, "limit@example.com");
  g_autoptr(MilkTestClient) script = milk_test_client_new ();
  g_autofree char *token = make_token (account, "busy", "read");
  g_autofree char *calm = make_token (account, "calm", "read");
  const char *retry;
  guint64 seconds;

  for (guint i = 0; i < 60; i++)
    g_assert_cmpuint (get (script, "/api/v1/payments", token), ==, 200);
  get (script, "/api/v1/payments", token);
  milk_test_assert_error (script, 429, "rate_limited");
  retry = milk_test_header (script, "Retry-After");
  g_assert_nonnull (retry);
  g_assert_true (g_ascii_string_to_unsigned (retry, 10, 1, 60, &seconds, NULL));

  /* Per token: another of the same account, and the app, go on. */
  g_assert_cmpuint (get (script, "/api/v1/payments", calm), ==, 200);
  g_assert_cmpuint (get (script, "/api/v1/payments", account->access_token), ==, 200);

  /* The window is over: the token goes on. */
  {
    PGconn *db = milk_test_db_connect (server);
    PGresult *result = PQexec (db, "UPDATE personal_tokens SET window_start = now () - interval '61 seconds'"
                                   " WHERE name = 'busy'");

    g_assert_cmpint (PQresultStatus (result), ==, PGRES_COMMAND_OK);
    PQclear (result);
    PQfinish (db);
  }
  g_assert_cmpuint (get (script, "/api/v1/payments", token), ==, 200);
}

/* A new password ends the account's personal tokens: whoever knew the
 * old one may have made them. */
static void
test_token_ends_with_password (void)
{
  g_autoptr(MilkTestAccount) account = milk_test_account_new (server, "newpass@example.com");
  g_autoptr(MilkTestClient) script = milk_test_client_new ();
  g_autofree char *token = make_token (account, "backup script", "read");
  g_autofree char *csrf = NULL;
  const char *password = "an entirely new password";

  g_assert_cmpuint (get (script, "/api/v1/products", token), ==, 200);
  g_assert_cmpuint (milk_test_request (account->browser, server, "GET", "/account", NULL, NULL, 0, NULL), ==, 200);
  csrf = milk_test_page_csrf (account->browser);
  g_assert_cmpuint (milk_test_form (account->browser, server, "/account/password", "csrf", csrf,
                                    "current", MILK_TEST_PASSWORD, "password", password, "confirm", password, NULL),
                    ==, 200);
  get (script, "/api/v1/products", token);
  milk_test_assert_error (script, 401, "invalid_token");
}

/* The diary on the web: the signed-in account's month, nobody else's. */
static void
test_web_diary (void)
{
  g_autoptr(MilkTestAccount) account = milk_test_account_new (server, "web@example.com");
  g_autoptr(MilkTestAccount) other = milk_test_account_new (server, "webother@example.com");
  g_autoptr(MilkTestClient) stranger = milk_test_client_new ();
  g_autofree char *token = make_token (account, "setup", "write");
  g_autoptr(MilkTestClient) script = milk_test_client_new ();

  put_json (script, "/api/v1/entries/" MILK_DEFAULT_PRODUCT_ID "/2026-11-05",
            "{\"morning_ml\": 1000, \"evening_ml\": 500}", token);
  g_assert_cmpuint (script->status, ==, 201);

  g_assert_cmpuint (milk_test_request (account->browser, server, "GET", "/diary?month=2026-11", NULL, NULL, 0, NULL),
                    ==, 200);
  g_assert_nonnull (strstr (milk_test_body (account->browser), "<h2>November 2026</h2>"));
  g_assert_nonnull (strstr (milk_test_body (account->browser), "1 + 0.5\u00a0L"));
  g_assert_nonnull (strstr (milk_test_body (account->browser), "<th scope=\"row\">Milk delivered</th><td>1.5 L</td>"));
  g_assert_nonnull (milk_test_header (account->browser, "Content-Security-Policy"));
  g_assert_null (strstr (milk_test_body (account->browser), "<script"));

  g_assert_cmpuint (milk_test_request (other->browser, server, "GET", "/diary?month=2026-11", NULL, NULL, 0, NULL),
                    ==, 200);
  g_assert_null (strstr (milk_test_body (other->browser), "1 + 0.5"));
  g_assert_cmpuint (milk_test_request (stranger, server, "GET", "/diary?month=2026-11", NULL, NULL, 0, NULL), ==, 303);
  g_assert_cmpuint (milk_test_request (account->browser, server, "GET", "/diary?month=2026-13", NULL, NULL, 0, NULL),
                    ==, 400);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  if (!milk_test_init (&argc, &argv))
    return milk_test_run_skipped ("/server/api/skipped");
  server = milk_test_server_start (NULL);
  base_ms = g_get_real_time () / 1000 - 3600 * 1000;

  g_test_add_func ("/server/api/entries/put-get-delete", test_entry_put_get_delete);
  g_test_add_func ("/server/api/entries/bad-input", test_entry_bad_input);
  g_test_add_func ("/server/api/entries/concurrent-writes", test_entry_concurrent_writes);
  g_test_add_func ("/server/api/isolation", test_isolation);
  g_test_add_func ("/server/api/months/bill", test_month_bill);
  g_test_add_func ("/server/api/products", test_products);
  g_test_add_func ("/server/api/payments", test_payments);
  g_test_add_func ("/server/api/tokens/lifecycle", test_token_lifecycle);
  g_test_add_func ("/server/api/tokens/forms", test_token_forms);
  g_test_add_func ("/server/api/tokens/scope", test_token_scope);
  g_test_add_func ("/server/api/tokens/rate-limit", test_token_rate_limit);
  g_test_add_func ("/server/api/tokens/end-with-password", test_token_ends_with_password);
  g_test_add_func ("/server/api/web-diary", test_web_diary);
  status = g_test_run ();

  milk_test_server_stop (server, SIGTERM);
  milk_test_cleanup ();
  return status;
}
