/* test-protocol.c — the sync protocol's JSON codec and record validation
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "milk-core.h"

#define NODE "0123456789abcdef"
#define HLC "1795478400000-0000-0123456789abcdef"
#define PRODUCT "6f1c2b9e-3d4a-4b5c-8d6e-7f8091a2b3c4"
#define PAYMENT "0b8a1c2d-3e4f-4a5b-9c6d-7e8f9a0b1c2d"

#define HEAD "{\"cursor\":null,\"node\":\"" NODE "\","

#define GOOD_ENTRY \
  "{\"type\":\"entry\",\"key\":\"" PRODUCT "/2026-11-24\",\"hlc\":\"" HLC "\",\"deleted\":false," \
  "\"data\":{\"qty_ml\":1500,\"price_override\":null,\"note\":\"\"}}"
#define GOOD_PAYMENT \
  "{\"type\":\"payment\",\"key\":\"" PAYMENT "\",\"hlc\":\"" HLC "\",\"deleted\":false," \
  "\"data\":{\"day\":\"2026-11-30\",\"amount\":50000,\"note\":\"cash\"}}"

/* Change templates with the data object left open to vary. */
#define ENTRY_OPEN \
  "{\"type\":\"entry\",\"key\":\"" PRODUCT "/2026-11-24\",\"hlc\":\"" HLC "\",\"deleted\":false,\"data\":{"
#define ENTRY(data) ENTRY_OPEN data "}}"
#define PRICE(data) \
  "{\"type\":\"price\",\"key\":\"" PRODUCT "/2026-11-01\",\"hlc\":\"" HLC "\",\"deleted\":false," \
  "\"data\":{" data "}}"
#define PAY_OPEN \
  "{\"type\":\"payment\",\"key\":\"" PAYMENT "\",\"hlc\":\"" HLC "\",\"deleted\":false,\"data\":{"
#define PAY(data) PAY_OPEN data "}}"
#define PROD(data) \
  "{\"type\":\"product\",\"key\":\"" PRODUCT "\",\"hlc\":\"" HLC "\",\"deleted\":false," \
  "\"data\":{" data "}}"
#define SETTING(key, value) \
  "{\"type\":\"setting\",\"key\":\"" key "\",\"hlc\":\"" HLC "\",\"deleted\":false," \
  "\"data\":{\"value\":\"" value "\"}}"
#define PROD_DATA(name) "\"name\":\"" name "\",\"unit\":\"L\",\"default_qty_ml\":1000,\"position\":0,\"archived\":false"

/* ---------------------------------------------------------------------- */
/* Helpers                                                                */

static MilkRecord *
make_record (MilkRecordType  type,
             const char     *key,
             const char     *hlc)
{
  g_autoptr(MilkRecord) record = milk_record_new (type);
  g_autoptr(GError) error = NULL;

  g_assert_true (milk_record_set_key (record, key, &error));
  g_assert_no_error (error);
  record->hlc = g_strdup (hlc);
  return g_steal_pointer (&record);
}

/* The five types with every field set to something other than its
 * default, text that needs escaping, and the optional fields both ways. */
static GPtrArray *
make_all_records (void)
{
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  MilkRecord *r;

  r = make_record (MILK_RECORD_PRODUCT, PRODUCT, "1795478400000-0001-0123456789abcdef");
  r->name = g_strdup ("Cow milk \"A2\" \\ दूध");
  r->unit = g_strdup ("L");
  r->default_qty_ml = 1500;
  r->position = 3;
  r->archived = TRUE;
  g_ptr_array_add (records, r);

  r = make_record (MILK_RECORD_ENTRY, PRODUCT "/2026-11-24", "1795478400000-0002-0123456789abcdef");
  r->qty_ml = 1250;
  r->price_override = 6050;
  r->note = g_strdup ("late delivery\nhalf spilt ✓");
  g_ptr_array_add (records, r);

  r = make_record (MILK_RECORD_ENTRY, PRODUCT "/2024-02-29", "1795478400000-0003-0123456789abcdef");
  r->qty_ml = 0;
  g_ptr_array_add (records, r);

  r = make_record (MILK_RECORD_PRICE, PRODUCT "/2026-11-01", "1795478400000-0004-0123456789abcdef");
  r->price_per_l = 5650;
  g_ptr_array_add (records, r);

  r = make_record (MILK_RECORD_PAYMENT, PAYMENT, "1795478400000-0005-0123456789abcdef");
  r->day = milk_day_from_ymd (2026, 11, 30);
  r->amount = 123456;
  r->note = g_strdup ("UPI ref 4411");
  g_ptr_array_add (records, r);

  r = make_record (MILK_RECORD_SETTING, "currency", "1795478400000-0006-fedcba9876543210");
  r->value = g_strdup ("INR");
  g_ptr_array_add (records, r);

  r = make_record (MILK_RECORD_ENTRY, PRODUCT "/2026-11-23", "1795478400000-0007-0123456789abcdef");
  r->deleted = TRUE;
  g_ptr_array_add (records, r);

  for (guint i = 0; i < records->len; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (milk_record_validate (g_ptr_array_index (records, i), &error));
      g_assert_no_error (error);
    }
  return records;
}

static const char *
or_empty (const char *text)
{
  return text ? text : "";
}

/* Field by field, so that a field the codec forgets on both sides (which
 * milk_record_equal could not see) still fails. */
static void
assert_records_equal (const MilkRecord *a,
                      const MilkRecord *b)
{
  g_assert_true (milk_record_equal (a, b));

  g_assert_cmpint (a->type, ==, b->type);
  g_assert_cmpstr (a->id, ==, b->id);
  g_assert_cmpstr (a->hlc, ==, b->hlc);
  g_assert_cmpint (a->deleted, ==, b->deleted);
  if (a->type == MILK_RECORD_ENTRY || a->type == MILK_RECORD_PRICE || a->type == MILK_RECORD_PAYMENT)
    g_assert_cmpuint (a->day, ==, b->day);
  if (a->deleted)
    return;

  switch (a->type)
    {
    case MILK_RECORD_PRODUCT:
      g_assert_cmpstr (a->name, ==, b->name);
      g_assert_cmpstr (a->unit, ==, b->unit);
      g_assert_cmpint (a->default_qty_ml, ==, b->default_qty_ml);
      g_assert_cmpint (a->position, ==, b->position);
      g_assert_cmpint (a->archived, ==, b->archived);
      break;
    case MILK_RECORD_ENTRY:
      g_assert_cmpint (a->qty_ml, ==, b->qty_ml);
      g_assert_cmpint (a->price_override, ==, b->price_override);
      g_assert_cmpstr (or_empty (a->note), ==, or_empty (b->note));
      break;
    case MILK_RECORD_PRICE:
      g_assert_cmpint (a->price_per_l, ==, b->price_per_l);
      break;
    case MILK_RECORD_PAYMENT:
      g_assert_cmpint (a->amount, ==, b->amount);
      g_assert_cmpstr (or_empty (a->note), ==, or_empty (b->note));
      break;
    case MILK_RECORD_SETTING:
      g_assert_cmpstr (a->value, ==, b->value);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
assert_request_fails (const char *data,
                      gsize       length,
                      const char *code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkSyncMessage) message = milk_sync_request_decode (data, length, &error);

  g_assert_null (message);
  g_assert_nonnull (error);
  g_assert_true (error->domain == MILK_ERROR);
  g_assert_cmpstr (milk_error_code_name (error->code), ==, code);
  g_assert_nonnull (error->message);
}

static MilkSyncMessage *
decode_request (const char *data,
                gsize       length)
{
  g_autoptr(GError) error = NULL;
  MilkSyncMessage *message = milk_sync_request_decode (data, length, &error);

  g_assert_no_error (error);
  g_assert_nonnull (message);
  return message;
}

/* Puts the change between two good ones and checks that only it is
 * rejected, at index 1, with the code. */
static void
assert_change_rejected (const char *change,
                        const char *code)
{
  g_autofree char *doc = g_strconcat (HEAD "\"changes\":[" GOOD_ENTRY ",", change, "," GOOD_PAYMENT "]}", NULL);
  g_autoptr(MilkSyncMessage) message = decode_request (doc, strlen (doc));
  MilkRejection *rejection;

  g_assert_cmpuint (message->rejected->len, ==, 1);
  rejection = g_ptr_array_index (message->rejected, 0);
  g_assert_cmpuint (rejection->index, ==, 1);
  g_assert_cmpstr (rejection->code, ==, code);
  g_assert_nonnull (rejection->message);
  g_assert_cmpstr (rejection->message, !=, "");

  g_assert_cmpuint (message->changes->len, ==, 2);
  g_assert_cmpint (((MilkRecord *) g_ptr_array_index (message->changes, 0))->type, ==, MILK_RECORD_ENTRY);
  g_assert_cmpint (((MilkRecord *) g_ptr_array_index (message->changes, 1))->type, ==, MILK_RECORD_PAYMENT);
}

static MilkRecord *
decode_one_change (const char *change)
{
  g_autofree char *doc = g_strconcat (HEAD "\"changes\":[", change, "]}", NULL);
  g_autoptr(MilkSyncMessage) message = decode_request (doc, strlen (doc));

  if (message->rejected->len > 0)
    {
      MilkRejection *rejection = g_ptr_array_index (message->rejected, 0);

      g_error ("change rejected with %s: %s", rejection->code, rejection->message);
    }
  g_assert_cmpuint (message->changes->len, ==, 1);
  return milk_record_copy (g_ptr_array_index (message->changes, 0));
}

static char *
repeat (const char *unit,
        guint       n)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append (s, unit);
  return g_string_free (s, FALSE);
}

/* ---------------------------------------------------------------------- */
/* Round trips                                                            */

static void
test_request_round_trip (void)
{
  g_autoptr(GPtrArray) records = make_all_records ();
  g_autoptr(MilkSyncMessage) message = milk_sync_message_new ();
  g_autoptr(MilkSyncMessage) decoded = NULL;
  g_autofree char *data = NULL;
  g_autofree char *again = NULL;
  gsize length = 0, again_length = 0;
  gboolean seen[MILK_RECORD_SETTING + 1] = { FALSE, };

  message->cursor = g_strdup ("c-42.x_Y");
  message->node = g_strdup (NODE);
  for (guint i = 0; i < records->len; i++)
    g_ptr_array_add (message->changes, milk_record_copy (g_ptr_array_index (records, i)));

  data = milk_sync_request_encode (message, &length);
  g_assert_nonnull (data);
  g_assert_cmpuint (length, ==, strlen (data));

  decoded = decode_request (data, length);
  g_assert_cmpstr (decoded->cursor, ==, "c-42.x_Y");
  g_assert_cmpstr (decoded->node, ==, NODE);
  g_assert_cmpuint (decoded->rejected->len, ==, 0);
  g_assert_cmpuint (decoded->changes->len, ==, records->len);
  for (guint i = 0; i < records->len; i++)
    {
      MilkRecord *r = g_ptr_array_index (decoded->changes, i);

      assert_records_equal (g_ptr_array_index (records, i), r);
      seen[r->type] = TRUE;
    }
  for (guint t = 0; t <= MILK_RECORD_SETTING; t++)
    g_assert_true (seen[t]);

  /* The encoding is stable: what was decoded encodes to the same bytes. */
  again = milk_sync_request_encode (decoded, &again_length);
  g_assert_cmpstr (again, ==, data);
  g_assert_cmpuint (again_length, ==, length);
}

static void
test_request_null_cursor (void)
{
  g_autoptr(MilkSyncMessage) message = milk_sync_message_new ();
  g_autoptr(MilkSyncMessage) decoded = NULL;
  g_autofree char *data = NULL;
  gsize length;

  /* A first sync has no cursor yet. */
  message->node = g_strdup (NODE);
  data = milk_sync_request_encode (message, &length);
  decoded = decode_request (data, length);
  g_assert_null (decoded->cursor);
  g_assert_cmpstr (decoded->node, ==, NODE);
  g_assert_cmpuint (decoded->changes->len, ==, 0);
  g_assert_cmpuint (decoded->rejected->len, ==, 0);
}

static void
test_response_round_trip (void)
{
  g_autoptr(GPtrArray) records = make_all_records ();
  g_autoptr(MilkSyncMessage) message = milk_sync_message_new ();
  g_autoptr(MilkSyncMessage) decoded = NULL;
  g_autoptr(GError) qty_error = g_error_new_literal (MILK_ERROR, MILK_ERROR_INVALID_QTY, "Too much “milk”");
  g_autoptr(GError) other_error = g_error_new_literal (G_FILE_ERROR, G_FILE_ERROR_NOENT, "boom");
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize length;
  MilkRejection *rejection;

  message->cursor = g_strdup ("000000000042");
  message->more = TRUE;
  for (guint i = 0; i < records->len; i++)
    g_ptr_array_add (message->changes, milk_record_copy (g_ptr_array_index (records, i)));
  milk_sync_message_reject (message, 3, qty_error);
  milk_sync_message_reject (message, 999, other_error);

  data = milk_sync_response_encode (message, &length);
  g_assert_cmpuint (length, ==, strlen (data));
  decoded = milk_sync_response_decode (data, length, &error);
  g_assert_no_error (error);
  g_assert_nonnull (decoded);

  g_assert_cmpstr (decoded->cursor, ==, "000000000042");
  g_assert_true (decoded->more);
  g_assert_cmpuint (decoded->changes->len, ==, records->len);
  for (guint i = 0; i < records->len; i++)
    assert_records_equal (g_ptr_array_index (records, i), g_ptr_array_index (decoded->changes, i));

  g_assert_cmpuint (decoded->rejected->len, ==, 2);
  rejection = g_ptr_array_index (decoded->rejected, 0);
  g_assert_cmpuint (rejection->index, ==, 3);
  g_assert_cmpstr (rejection->code, ==, "invalid_qty");
  g_assert_cmpstr (rejection->message, ==, "Too much “milk”");
  /* An error from outside the domain still goes out with a stable code. */
  rejection = g_ptr_array_index (decoded->rejected, 1);
  g_assert_cmpuint (rejection->index, ==, 999);
  g_assert_cmpstr (rejection->code, ==, "invalid_document");
  g_assert_cmpstr (rejection->message, ==, "boom");
}

static void
test_response_more_false (void)
{
  const char *doc = "{\"cursor\":\"abc\",\"more\":false,\"changes\":[]}";
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkSyncMessage) decoded = milk_sync_response_decode (doc, strlen (doc), &error);

  /* "rejected" may be left out. */
  g_assert_no_error (error);
  g_assert_false (decoded->more);
  g_assert_cmpstr (decoded->cursor, ==, "abc");
  g_assert_cmpuint (decoded->rejected->len, ==, 0);
}

/* A pulled change this version cannot read — a newer version's record
 * type, or values it cannot validate — is the service's record, not a
 * refusal of anything pushed: the response still decodes, the good change
 * is a change, the others are unreadable with the text as received, and
 * nothing is rejected (the old decoder rejected them at their pull index,
 * which the app matched to what it had pushed). */
#define UNKNOWN_CHANGE \
  "{ \"type\": \"delivery_slot\", \"key\": \"" PRODUCT "/morning\", \"hlc\": \"" HLC "\"," \
  " \"deleted\": false, \"data\": {\"at\": \"06:30\", \"litres\": 1.25e0}}"
#define TOO_MUCH_ENTRY \
  "{\"type\":\"entry\",\"key\":\"" PRODUCT "/2026-11-25\",\"hlc\":\"" HLC "\",\"deleted\":false," \
  "\"data\":{\"qty_ml\":900000,\"price_override\":null,\"note\":\"\"}}"

static void
test_response_unreadable_change (void)
{
  const char *doc = "{\"cursor\":\"abc\",\"more\":false,\"changes\":[" UNKNOWN_CHANGE ", " GOOD_ENTRY ","
                    TOO_MUCH_ENTRY ", 42],\"rejected\":[]}";
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkSyncMessage) decoded = milk_sync_response_decode (doc, strlen (doc), &error);
  MilkUnreadableChange *change;
  MilkRecord *record;

  g_assert_no_error (error);
  g_assert_nonnull (decoded);
  g_assert_cmpuint (decoded->rejected->len, ==, 0);

  g_assert_cmpuint (decoded->changes->len, ==, 1);
  record = g_ptr_array_index (decoded->changes, 0);
  g_assert_cmpint (record->type, ==, MILK_RECORD_ENTRY);
  g_assert_cmpint (record->qty_ml, ==, 1500);

  g_assert_cmpuint (decoded->unreadable->len, ==, 3);
  change = g_ptr_array_index (decoded->unreadable, 0);
  g_assert_cmpstr (change->type, ==, "delivery_slot");
  g_assert_cmpstr (change->key, ==, PRODUCT "/morning");
  g_assert_cmpstr (change->hlc, ==, HLC);
  g_assert_cmpstr (change->code, ==, "invalid_type");
  /* The text as the service sent it, spacing and number form included. */
  g_assert_cmpstr (change->json, ==, UNKNOWN_CHANGE);

  change = g_ptr_array_index (decoded->unreadable, 1);
  g_assert_cmpstr (change->type, ==, "entry");
  g_assert_cmpstr (change->key, ==, PRODUCT "/2026-11-25");
  g_assert_cmpstr (change->code, ==, "invalid_qty");
  g_assert_cmpstr (change->json, ==, TOO_MUCH_ENTRY);

  /* Not even an object: kept all the same, with nothing readable in it. */
  change = g_ptr_array_index (decoded->unreadable, 2);
  g_assert_null (change->type);
  g_assert_null (change->key);
  g_assert_null (change->hlc);
  g_assert_cmpstr (change->json, ==, "42");
}

/* The service's own rejections of what was pushed still come by index. */
static void
test_response_unreadable_and_rejected (void)
{
  const char *doc = "{\"cursor\":\"abc\",\"more\":false,\"changes\":[" GOOD_ENTRY "," UNKNOWN_CHANGE "],"
                    "\"rejected\":[{\"index\":0,\"code\":\"invalid_qty\",\"message\":\"Too much\"}]}";
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkSyncMessage) decoded = milk_sync_response_decode (doc, strlen (doc), &error);
  MilkRejection *rejection;

  g_assert_no_error (error);
  g_assert_cmpuint (decoded->changes->len, ==, 1);
  g_assert_cmpuint (decoded->unreadable->len, ==, 1);
  g_assert_cmpuint (decoded->rejected->len, ==, 1);
  rejection = g_ptr_array_index (decoded->rejected, 0);
  g_assert_cmpuint (rejection->index, ==, 0);
  g_assert_cmpstr (rejection->code, ==, "invalid_qty");
}

/* A request is what a device pushed: a change there that does not decode
 * is still rejected by its index, and nothing is unreadable. */
static void
test_request_unknown_type_rejected (void)
{
  const char *doc = HEAD "\"changes\":[" GOOD_ENTRY "," UNKNOWN_CHANGE "]}";
  g_autoptr(MilkSyncMessage) message = decode_request (doc, strlen (doc));
  MilkRejection *rejection;

  g_assert_cmpuint (message->changes->len, ==, 1);
  g_assert_cmpuint (message->unreadable->len, ==, 0);
  g_assert_cmpuint (message->rejected->len, ==, 1);
  rejection = g_ptr_array_index (message->rejected, 0);
  g_assert_cmpuint (rejection->index, ==, 1);
  g_assert_cmpstr (rejection->code, ==, "invalid_type");
}

/* The service's clock travels in every response; one from a service that
 * predates it decodes with time 0, and an older app ignores the member. */
static void
test_response_time (void)
{
  g_autoptr(MilkSyncMessage) message = milk_sync_message_new ();
  g_autoptr(MilkSyncMessage) decoded = NULL;
  g_autoptr(MilkSyncMessage) older = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  const char *without = "{\"cursor\":\"abc\",\"more\":false,\"changes\":[],\"rejected\":[]}";
  gsize length;

  message->cursor = g_strdup ("abc");
  message->time = G_GINT64_CONSTANT (1795478400123);
  data = milk_sync_response_encode (message, &length);
  g_assert_nonnull (strstr (data, "\"time\":1795478400123"));
  decoded = milk_sync_response_decode (data, length, &error);
  g_assert_no_error (error);
  g_assert_cmpint (decoded->time, ==, G_GINT64_CONSTANT (1795478400123));

  older = milk_sync_response_decode (without, strlen (without), &error);
  g_assert_no_error (error);
  g_assert_nonnull (older);
  g_assert_cmpint (older->time, ==, 0);
  g_assert_cmpstr (older->cursor, ==, "abc");

  /* A request has no time; the service's own encoder leaves out a zero. */
  g_clear_pointer (&data, g_free);
  message->time = 0;
  data = milk_sync_response_encode (message, &length);
  g_assert_null (strstr (data, "time"));
}

/* Issue 14, problem 2: a request names the copy of the diary file by the
 * token the service gave it (null before the first); absent from an older
 * app, which the service then does not check. A response carries the next. */
static void
test_instance (void)
{
  g_autoptr(MilkSyncMessage) request = milk_sync_message_new ();
  g_autoptr(MilkSyncMessage) response = milk_sync_message_new ();
  g_autoptr(MilkSyncMessage) decoded = NULL, first = NULL, older = NULL, answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL, *none = NULL, *reply = NULL;
  const char *old_app = "{\"cursor\":null,\"node\":\"00000000000000a1\",\"changes\":[]}";
  const char *too_long = "{\"cursor\":null,\"node\":\"00000000000000a1\",\"changes\":[],"
                         "\"instance\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}";
  gsize length;

  request->node = g_strdup ("00000000000000a1");
  request->has_instance = TRUE;
  none = milk_sync_request_encode (request, &length);
  g_assert_nonnull (strstr (none, "\"instance\":null"));
  first = milk_sync_request_decode (none, length, &error);
  g_assert_no_error (error);
  g_assert_true (first->has_instance);
  g_assert_null (first->instance);

  request->instance = g_strdup ("Tok-en_1");
  data = milk_sync_request_encode (request, &length);
  decoded = milk_sync_request_decode (data, length, &error);
  g_assert_no_error (error);
  g_assert_true (decoded->has_instance);
  g_assert_cmpstr (decoded->instance, ==, "Tok-en_1");

  older = milk_sync_request_decode (old_app, strlen (old_app), &error);
  g_assert_no_error (error);
  g_assert_false (older->has_instance);
  g_assert_null (milk_sync_request_decode (too_long, strlen (too_long), &error));
  g_assert_error (error, MILK_ERROR, MILK_ERROR_INVALID_DOCUMENT);
  g_clear_error (&error);

  response->instance = g_strdup ("next");
  reply = milk_sync_response_encode (response, &length);
  answer = milk_sync_response_decode (reply, length, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (answer->instance, ==, "next");
}

static void
test_response_bad (void)
{
  const struct
  {
    const char *doc;
    const char *code;
  } cases[] = {
    { "{\"cursor\":\"abc\",\"changes\":[]}", "invalid_document" },
    { "{\"cursor\":\"abc\",\"more\":\"true\",\"changes\":[]}", "invalid_document" },
    { "{\"cursor\":\"abc\",\"more\":1,\"changes\":[]}", "invalid_document" },
    { "{\"cursor\":\"abc\",\"more\":0,\"changes\":[]}", "invalid_document" },
    { "{\"cursor\":\"abc\",\"more\":null,\"changes\":[]}", "invalid_document" },
    { "{\"cursor\":\"abc\",\"more\":[true],\"changes\":[]}", "invalid_document" },
    { "{\"cursor\":\"abc\",\"more\":{},\"changes\":[]}", "invalid_document" },
    { "{\"cursor\":\"abc\",\"more\":false}", "invalid_document" },
    { "{\"cursor\":\"abc\",\"more\":false,\"changes\":{}}", "invalid_document" },
    { "{\"cursor\":\"abc\",\"more\":false,\"changes\":[],\"rejected\":{}}", "invalid_document" },
    { "{\"cursor\":\"abc\",\"more\":false,\"changes\":[],\"rejected\":[1]}", "invalid_document" },
    { "{\"cursor\":\"abc\",\"more\":false,\"changes\":[],\"rejected\":[{\"index\":-1,\"code\":\"x\"}]}",
      "invalid_document" },
    { "{\"cursor\":\"abc\",\"more\":false,\"changes\":[],\"rejected\":[{\"index\":\"1\",\"code\":\"x\"}]}",
      "invalid_document" },
    { "{\"cursor\":\"abc\",\"more\":false,\"changes\":[],\"rejected\":[{\"index\":1}]}", "invalid_document" },
    { "{\"cursor\":\"abc\",\"more\":false,\"time\":\"1795478400000\",\"changes\":[]}", "invalid_document" },
    { "{\"cursor\":\"abc\",\"more\":false,\"time\":-1,\"changes\":[]}", "invalid_document" },
    { "{\"cursor\":\"abc\",\"more\":false,\"time\":1.5,\"changes\":[]}", "invalid_document" },
    { "{\"cursor\":\"abc\",\"more\":false,\"time\":null,\"changes\":[]}", "invalid_document" },
    { "{\"cursor\":\"abc\",\"more\":false,\"time\":10000000000000,\"changes\":[]}", "invalid_document" },
    { "{\"cursor\":\"abc\",\"more\":false,\"instance\":5,\"changes\":[]}", "invalid_document" },
    { "{\"cursor\":\"abc\",\"more\":false,\"instance\":\"a b\",\"changes\":[]}", "invalid_document" },
    { "{\"cursor\":\"abc\",\"more\":false,\"instance\":\"\",\"changes\":[]}", "invalid_document" },
    { "{\"more\":false,\"changes\":[]}", "invalid_cursor" },
    { "{\"cursor\":\"a b\",\"more\":false,\"changes\":[]}", "invalid_cursor" },
    { "[]", "invalid_document" },
    { "{\"cursor\":", "invalid_json" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MilkSyncMessage) message = NULL;

      g_test_message ("%s", cases[i].doc);
      message = milk_sync_response_decode (cases[i].doc, strlen (cases[i].doc), &error);
      g_assert_null (message);
      g_assert_nonnull (error);
      g_assert_true (error->domain == MILK_ERROR);
      g_assert_cmpstr (milk_error_code_name (error->code), ==, cases[i].code);
    }
}

static void
test_error_encode (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize length;
  JsonObject *obj;

  data = milk_protocol_error_encode ("too_large", "Way \"too\" large", &length);
  g_assert_true (json_parser_load_from_data (parser, data, length, &error));
  g_assert_no_error (error);
  obj = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (obj, "error"), ==, "too_large");
  g_assert_cmpstr (json_object_get_string_member (obj, "message"), ==, "Way \"too\" large");
}

/* ---------------------------------------------------------------------- */
/* Whole documents that are refused                                       */

typedef struct
{
  const char *name;
  const char *doc;
  const char *code;
} DocCase;

static const DocCase bad_docs[] = {
  { "not-json", "milk please", "invalid_json" },
  { "truncated", HEAD "\"changes\":[", "invalid_json" },
  { "trailing-comma", HEAD "\"changes\":[],}", "invalid_json" },
  { "unterminated-string", "{\"cursor\":\"abc", "invalid_json" },
  { "empty", "", "invalid_json" },
  { "top-array", "[]", "invalid_document" },
  { "top-array-of-request", "[" HEAD "\"changes\":[]}]", "invalid_document" },
  { "top-string", "\"sync\"", "invalid_document" },
  { "top-number", "42", "invalid_document" },
  { "top-null", "null", "invalid_document" },
  { "utf8-ff-in-string", HEAD "\"changes\":[],\"x\":\"\xff\"}", "invalid_utf8" },
  { "utf8-ff-in-note", HEAD "\"changes\":[" ENTRY ("\"qty_ml\":1,\"note\":\"caf\xff\"") "]}", "invalid_utf8" },
  { "utf8-overlong", HEAD "\"changes\":[],\"x\":\"\xc0\xaf\"}", "invalid_utf8" },
  { "utf8-truncated", HEAD "\"changes\":[],\"x\":\"\xe0\xa4\"}", "invalid_utf8" },
  { "utf8-surrogate", HEAD "\"changes\":[],\"x\":\"\xed\xa0\x80\"}", "invalid_utf8" },
  { "cursor-missing", "{\"node\":\"" NODE "\",\"changes\":[]}", "invalid_cursor" },
  { "cursor-number", "{\"cursor\":42,\"node\":\"" NODE "\",\"changes\":[]}", "invalid_cursor" },
  { "cursor-empty", "{\"cursor\":\"\",\"node\":\"" NODE "\",\"changes\":[]}", "invalid_cursor" },
  { "cursor-space", "{\"cursor\":\"a b\",\"node\":\"" NODE "\",\"changes\":[]}", "invalid_cursor" },
  { "cursor-slash", "{\"cursor\":\"../etc\",\"node\":\"" NODE "\",\"changes\":[]}", "invalid_cursor" },
  { "cursor-quote", "{\"cursor\":\"a'b\",\"node\":\"" NODE "\",\"changes\":[]}", "invalid_cursor" },
  { "cursor-object", "{\"cursor\":{},\"node\":\"" NODE "\",\"changes\":[]}", "invalid_cursor" },
  { "cursor-bool", "{\"cursor\":true,\"node\":\"" NODE "\",\"changes\":[]}", "invalid_cursor" },
  { "node-missing", "{\"cursor\":null,\"changes\":[]}", "invalid_node" },
  { "node-null", "{\"cursor\":null,\"node\":null,\"changes\":[]}", "invalid_node" },
  { "node-empty", "{\"cursor\":null,\"node\":\"\",\"changes\":[]}", "invalid_node" },
  { "node-uppercase", "{\"cursor\":null,\"node\":\"0123456789ABCDEF\",\"changes\":[]}", "invalid_node" },
  { "node-short", "{\"cursor\":null,\"node\":\"0123456789abcde\",\"changes\":[]}", "invalid_node" },
  { "node-long", "{\"cursor\":null,\"node\":\"0123456789abcdef0\",\"changes\":[]}", "invalid_node" },
  { "node-not-hex", "{\"cursor\":null,\"node\":\"0123456789abcdeg\",\"changes\":[]}", "invalid_node" },
  { "node-number", "{\"cursor\":null,\"node\":1234567890,\"changes\":[]}", "invalid_node" },
  { "changes-missing", HEAD "\"x\":[]}", "invalid_document" },
  { "changes-object", HEAD "\"changes\":{\"0\":" GOOD_ENTRY "}}", "invalid_document" },
  { "changes-string", HEAD "\"changes\":\"[]\"}", "invalid_document" },
  { "changes-null", HEAD "\"changes\":null}", "invalid_document" },
  { "changes-change", HEAD "\"changes\":" GOOD_ENTRY "}", "invalid_document" },
};

static void
test_bad_document (gconstpointer data)
{
  const DocCase *c = data;

  assert_request_fails (c->doc, strlen (c->doc), c->code);
}

static void
test_nul_byte (void)
{
  static const char doc[] = HEAD "\"changes\":[],\"x\":\"a\0b\"}";

  /* An explicit length lets a NUL through to the parser; it must not cut
   * the document short or be accepted. */
  assert_request_fails (doc, sizeof doc - 1, "invalid_utf8");
}

static void
test_too_deep (void)
{
  const guint n = 10000;
  g_autofree char *open = repeat ("[", n);
  g_autofree char *close = repeat ("]", n);
  g_autofree char *balanced = g_strconcat (open, close, NULL);
  g_autofree char *objects = repeat ("{\"a\":", n);
  g_autofree char *in_request = g_strconcat (HEAD "\"changes\":", open, NULL);
  g_autofree char *in_data = g_strconcat (HEAD "\"changes\":[" ENTRY_OPEN "\"qty_ml\":1,\"x\":", open, NULL);

  assert_request_fails (open, strlen (open), "too_deep");
  assert_request_fails (balanced, strlen (balanced), "too_deep");
  assert_request_fails (objects, strlen (objects), "too_deep");
  assert_request_fails (in_request, strlen (in_request), "too_deep");
  assert_request_fails (in_data, strlen (in_data), "too_deep");

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(MilkSyncMessage) message = milk_sync_response_decode (balanced, strlen (balanced), &error);

    g_assert_null (message);
    g_assert_error (error, MILK_ERROR, MILK_ERROR_TOO_DEEP);
  }
}

static void
test_depth_limit (void)
{
  /* A request is four levels deep by itself (request, changes, change,
   * data); four more levels of nesting in an unknown member reach the
   * limit, five pass it. */
  const char *at_limit = HEAD "\"changes\":[" ENTRY ("\"qty_ml\":1,\"x\":[[[[]]]]") "]}";
  const char *over_limit = HEAD "\"changes\":[" ENTRY ("\"qty_ml\":1,\"x\":[[[[[]]]]]") "]}";
  /* Brackets and escaped quotes inside strings are text, not nesting. */
  const char *in_string = HEAD "\"changes\":[" ENTRY ("\"qty_ml\":1,\"note\":\"[[[[[[[[[[{{{{{{{{{{\\\"[[[[[[[[[\\\\\"") "]}";
  g_autoptr(MilkSyncMessage) message = NULL;
  MilkRecord *record;

  g_assert_cmpint (MILK_PROTOCOL_MAX_DEPTH, ==, 8);
  message = decode_request (at_limit, strlen (at_limit));
  g_assert_cmpuint (message->changes->len, ==, 1);
  g_clear_pointer (&message, milk_sync_message_free);

  assert_request_fails (over_limit, strlen (over_limit), "too_deep");

  message = decode_request (in_string, strlen (in_string));
  g_assert_cmpuint (message->changes->len, ==, 1);
  record = g_ptr_array_index (message->changes, 0);
  g_assert_cmpstr (record->note, ==, "[[[[[[[[[[{{{{{{{{{{\"[[[[[[[[[\\");
}

/* A valid request of exactly @length bytes: whitespace padding keeps it
 * JSON, so only its size can be wrong. */
static char *
padded_request (gsize length)
{
  const char *head = HEAD "\"changes\":[" GOOD_ENTRY "]";
  char *doc = g_malloc (length + 1);

  memset (doc, ' ', length);
  memcpy (doc, head, strlen (head));
  doc[length - 1] = '}';
  doc[length] = '\0';
  return doc;
}

static void
test_too_large (void)
{
  g_autofree char *too_large = padded_request (MILK_PROTOCOL_MAX_BYTES + 1);
  g_autofree char *at_limit = padded_request (MILK_PROTOCOL_MAX_BYTES);
  g_autoptr(MilkSyncMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  assert_request_fails (too_large, MILK_PROTOCOL_MAX_BYTES + 1, "too_large");

  message = milk_sync_response_decode (too_large, MILK_PROTOCOL_MAX_BYTES + 1, &error);
  g_assert_null (message);
  g_assert_error (error, MILK_ERROR, MILK_ERROR_TOO_LARGE);

  /* Exactly the limit is fine. */
  message = decode_request (at_limit, MILK_PROTOCOL_MAX_BYTES);
  g_assert_cmpuint (message->changes->len, ==, 1);

  /* Too large is decided before anything else, even for garbage. */
  memset (too_large, '\xff', MILK_PROTOCOL_MAX_BYTES + 1);
  assert_request_fails (too_large, MILK_PROTOCOL_MAX_BYTES + 1, "too_large");
}

static char *
request_with_tombstones (guint n)
{
  GString *doc = g_string_new (HEAD "\"changes\":[");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (doc,
                            "%s{\"type\":\"entry\",\"key\":\"" PRODUCT "/%04u-01-01\",\"hlc\":\"" HLC "\","
                            "\"deleted\":true}",
                            i ? "," : "", 1900 + i);
  g_string_append (doc, "]}");
  return g_string_free (doc, FALSE);
}

static void
test_too_many_changes (void)
{
  g_autofree char *ok = request_with_tombstones (MILK_PROTOCOL_MAX_CHANGES);
  g_autofree char *too_many = request_with_tombstones (MILK_PROTOCOL_MAX_CHANGES + 1);
  g_autofree char *empties = repeat ("{},", MILK_PROTOCOL_MAX_CHANGES + 1);
  g_autofree char *too_many_empty = NULL;
  g_autoptr(MilkSyncMessage) message = NULL;

  message = decode_request (ok, strlen (ok));
  g_assert_cmpuint (message->changes->len, ==, MILK_PROTOCOL_MAX_CHANGES);
  g_assert_cmpuint (message->rejected->len, ==, 0);

  assert_request_fails (too_many, strlen (too_many), "too_many_changes");

  /* Counted before any change is looked at. */
  empties[strlen (empties) - 1] = '\0';
  too_many_empty = g_strconcat (HEAD "\"changes\":[", empties, "]}", NULL);
  assert_request_fails (too_many_empty, strlen (too_many_empty), "too_many_changes");
}

static void
test_cursor_length (void)
{
  g_autofree char *max = repeat ("a", MILK_PROTOCOL_MAX_CURSOR);
  g_autofree char *ok = g_strconcat ("{\"cursor\":\"", max, "\",\"node\":\"" NODE "\",\"changes\":[]}", NULL);
  g_autofree char *bad = g_strconcat ("{\"cursor\":\"", max, "a\",\"node\":\"" NODE "\",\"changes\":[]}", NULL);
  g_autoptr(MilkSyncMessage) message = NULL;

  message = decode_request (ok, strlen (ok));
  g_assert_cmpstr (message->cursor, ==, max);
  assert_request_fails (bad, strlen (bad), "invalid_cursor");
}

/* ---------------------------------------------------------------------- */
/* Single changes that are refused while the rest of the request lands    */

static const DocCase bad_changes[] = {
  { "not-object", "42", "invalid_document" },
  { "array", "[" GOOD_ENTRY "]", "invalid_document" },
  { "type-unknown",
    "{\"type\":\"cheese\",\"key\":\"" PRODUCT "\",\"hlc\":\"" HLC "\",\"deleted\":false,\"data\":{}}",
    "invalid_type" },
  { "type-uppercase",
    "{\"type\":\"Entry\",\"key\":\"" PRODUCT "/2026-11-24\",\"hlc\":\"" HLC "\",\"deleted\":false,"
    "\"data\":{\"qty_ml\":1}}",
    "invalid_type" },
  { "type-missing", "{\"key\":\"" PRODUCT "\",\"hlc\":\"" HLC "\",\"deleted\":true}", "invalid_type" },
  { "type-number", "{\"type\":1,\"key\":\"" PRODUCT "\",\"hlc\":\"" HLC "\",\"deleted\":true}", "invalid_type" },
  { "day-feb-30",
    "{\"type\":\"entry\",\"key\":\"" PRODUCT "/2026-02-30\",\"hlc\":\"" HLC "\",\"deleted\":false,"
    "\"data\":{\"qty_ml\":1000}}",
    "invalid_day" },
  { "day-feb-29-not-leap",
    "{\"type\":\"price\",\"key\":\"" PRODUCT "/2026-02-29\",\"hlc\":\"" HLC "\",\"deleted\":false,"
    "\"data\":{\"price_per_l\":5000}}",
    "invalid_day" },
  { "day-short-form",
    "{\"type\":\"entry\",\"key\":\"" PRODUCT "/2026-2-3\",\"hlc\":\"" HLC "\",\"deleted\":false,"
    "\"data\":{\"qty_ml\":1000}}",
    "invalid_day" },
  { "day-tombstone-feb-30",
    "{\"type\":\"entry\",\"key\":\"" PRODUCT "/2026-02-30\",\"hlc\":\"" HLC "\",\"deleted\":true}",
    "invalid_day" },
  { "payment-day-feb-30", PAY ("\"day\":\"2026-02-30\",\"amount\":100"), "invalid_day" },
  { "payment-day-missing", PAY ("\"amount\":100"), "invalid_day" },
  { "key-uppercase-uuid",
    "{\"type\":\"entry\",\"key\":\"6F1C2B9E-3D4A-4B5C-8D6E-7F8091A2B3C4/2026-11-24\",\"hlc\":\"" HLC "\","
    "\"deleted\":false,\"data\":{\"qty_ml\":1000}}",
    "invalid_key" },
  { "key-not-uuid",
    "{\"type\":\"product\",\"key\":\"milk\",\"hlc\":\"" HLC "\",\"deleted\":false,\"data\":{" PROD_DATA ("Milk") "}}",
    "invalid_key" },
  { "key-payment-uppercase",
    "{\"type\":\"payment\",\"key\":\"0B8A1C2D-3E4F-4A5B-9C6D-7E8F9A0B1C2D\",\"hlc\":\"" HLC "\",\"deleted\":true}",
    "invalid_key" },
  { "key-entry-without-day",
    "{\"type\":\"entry\",\"key\":\"" PRODUCT "\",\"hlc\":\"" HLC "\",\"deleted\":false,\"data\":{\"qty_ml\":1}}",
    "invalid_key" },
  { "key-product-with-day",
    "{\"type\":\"product\",\"key\":\"" PRODUCT "/2026-11-24\",\"hlc\":\"" HLC "\",\"deleted\":true}",
    "invalid_key" },
  { "key-uuid-no-dashes",
    "{\"type\":\"payment\",\"key\":\"0b8a1c2d3e4f4a5b9c6d7e8f9a0b1c2d\",\"hlc\":\"" HLC "\",\"deleted\":true}",
    "invalid_key" },
  { "key-missing", "{\"type\":\"payment\",\"hlc\":\"" HLC "\",\"deleted\":true}", "invalid_key" },
  { "key-number", "{\"type\":\"payment\",\"key\":7,\"hlc\":\"" HLC "\",\"deleted\":true}", "invalid_key" },
  { "key-setting-uppercase", SETTING ("Currency", "INR"), "invalid_key" },
  { "key-setting-space", SETTING ("my setting", "x"), "invalid_key" },
  { "qty-over-100-litres", ENTRY ("\"qty_ml\":100001"), "invalid_qty" },
  { "qty-negative", ENTRY ("\"qty_ml\":-1"), "invalid_qty" },
  { "qty-string", ENTRY ("\"qty_ml\":\"1500\""), "invalid_qty" },
  { "qty-float", ENTRY ("\"qty_ml\":1.5"), "invalid_qty" },
  { "qty-float-integral", ENTRY ("\"qty_ml\":1500.0"), "invalid_qty" },
  { "qty-exponent", ENTRY ("\"qty_ml\":1.5e3"), "invalid_qty" },
  /* json-glib 1.6 saturates this to G_MAXUINT64, read back as -1. */
  { "qty-null", ENTRY ("\"qty_ml\":null"), "invalid_qty" },
  { "qty-missing", ENTRY ("\"note\":\"\""), "invalid_qty" },
  { "qty-bool", ENTRY ("\"qty_ml\":true"), "invalid_qty" },
  { "product-default-qty-over", PROD ("\"name\":\"Milk\",\"unit\":\"L\",\"default_qty_ml\":100001,"
                                      "\"position\":0,\"archived\":false"), "invalid_qty" },
  { "price-over-max", PRICE ("\"price_per_l\":1000000001"), "invalid_price" },
  { "price-negative", PRICE ("\"price_per_l\":-5650"), "invalid_price" },
  { "price-float", PRICE ("\"price_per_l\":56.50"), "invalid_price" },
  { "price-string", PRICE ("\"price_per_l\":\"5650\""), "invalid_price" },
  { "price-override-over-max", ENTRY ("\"qty_ml\":1000,\"price_override\":1000000001"), "invalid_price" },
  { "price-override-string", ENTRY ("\"qty_ml\":1000,\"price_override\":\"56.50\""), "invalid_price" },
  { "amount-zero", PAY ("\"day\":\"2026-11-30\",\"amount\":0"), "invalid_amount" },
  { "amount-negative", PAY ("\"day\":\"2026-11-30\",\"amount\":-100"), "invalid_amount" },
  { "amount-float", PAY ("\"day\":\"2026-11-30\",\"amount\":100.5"), "invalid_amount" },
  { "amount-over-max", PAY ("\"day\":\"2026-11-30\",\"amount\":1000000000000001"), "invalid_amount" },
  { "note-not-text", ENTRY ("\"qty_ml\":1000,\"note\":42"), "invalid_note" },
  { "note-control-char", ENTRY ("\"qty_ml\":1000,\"note\":\"ring \\u0007 bell\""), "invalid_note" },
  { "hlc-malformed",
    "{\"type\":\"entry\",\"key\":\"" PRODUCT "/2026-11-24\",\"hlc\":\"1795478400000-0000-0123456789abcdeg\","
    "\"deleted\":false,\"data\":{\"qty_ml\":1000}}",
    "invalid_hlc" },
  { "hlc-missing",
    "{\"type\":\"entry\",\"key\":\"" PRODUCT "/2026-11-24\",\"deleted\":false,\"data\":{\"qty_ml\":1}}",
    "invalid_hlc" },
  { "hlc-word",
    "{\"type\":\"entry\",\"key\":\"" PRODUCT "/2026-11-24\",\"hlc\":\"yesterday\",\"deleted\":false,"
    "\"data\":{\"qty_ml\":1}}",
    "invalid_hlc" },
  { "hlc-uppercase",
    "{\"type\":\"entry\",\"key\":\"" PRODUCT "/2026-11-24\",\"hlc\":\"1795478400000-000A-0123456789abcdef\","
    "\"deleted\":false,\"data\":{\"qty_ml\":1}}",
    "invalid_hlc" },
  { "hlc-number",
    "{\"type\":\"payment\",\"key\":\"" PAYMENT "\",\"hlc\":1795478400000,\"deleted\":true}",
    "invalid_hlc" },
  { "hlc-tombstone-empty",
    "{\"type\":\"payment\",\"key\":\"" PAYMENT "\",\"hlc\":\"\",\"deleted\":true}",
    "invalid_hlc" },
  { "currency-xyz", SETTING ("currency", "XYZ"), "invalid_currency" },
  { "currency-lowercase", SETTING ("currency", "inr"), "invalid_currency" },
  { "currency-empty", SETTING ("currency", ""), "invalid_currency" },
  { "setting-value-missing",
    "{\"type\":\"setting\",\"key\":\"currency\",\"hlc\":\"" HLC "\",\"deleted\":false,\"data\":{}}",
    "invalid_setting" },
  { "name-empty", PROD (PROD_DATA ("")), "invalid_name" },
  { "name-missing", PROD ("\"unit\":\"L\",\"default_qty_ml\":1000,\"position\":0,\"archived\":false"),
    "invalid_name" },
  { "unit-empty", PROD ("\"name\":\"Milk\",\"unit\":\"\",\"default_qty_ml\":1000,\"position\":0,\"archived\":false"),
    "invalid_name" },
  { "position-negative", PROD ("\"name\":\"Milk\",\"unit\":\"L\",\"default_qty_ml\":1000,\"position\":-1,"
                               "\"archived\":false"), "invalid_field" },
  { "archived-missing", PROD ("\"name\":\"Milk\",\"unit\":\"L\",\"default_qty_ml\":1000,\"position\":0"),
    "invalid_field" },
  { "deleted-missing",
    "{\"type\":\"entry\",\"key\":\"" PRODUCT "/2026-11-24\",\"hlc\":\"" HLC "\",\"data\":{\"qty_ml\":1000}}",
    "invalid_field" },
  { "deleted-string",
    "{\"type\":\"entry\",\"key\":\"" PRODUCT "/2026-11-24\",\"hlc\":\"" HLC "\",\"deleted\":\"false\","
    "\"data\":{\"qty_ml\":1000}}",
    "invalid_field" },
  { "deleted-number",
    "{\"type\":\"entry\",\"key\":\"" PRODUCT "/2026-11-24\",\"hlc\":\"" HLC "\",\"deleted\":0,"
    "\"data\":{\"qty_ml\":1000}}",
    "invalid_field" },
  { "data-missing",
    "{\"type\":\"entry\",\"key\":\"" PRODUCT "/2026-11-24\",\"hlc\":\"" HLC "\",\"deleted\":false}",
    "invalid_field" },
  { "data-array",
    "{\"type\":\"entry\",\"key\":\"" PRODUCT "/2026-11-24\",\"hlc\":\"" HLC "\",\"deleted\":false,"
    "\"data\":[1000]}",
    "invalid_field" },
};

static void
test_bad_change (gconstpointer data)
{
  const DocCase *c = data;

  assert_change_rejected (c->doc, c->code);
}

static void
test_note_length (void)
{
  /* Characters, not bytes: 500 Devanagari letters are 1500 bytes. */
  g_autofree char *note500 = repeat ("दू", 250);
  g_autofree char *ok = g_strconcat (ENTRY_OPEN "\"qty_ml\":1000,\"note\":\"", note500, "\"}}", NULL);
  g_autofree char *bad = g_strconcat (ENTRY_OPEN "\"qty_ml\":1000,\"note\":\"", note500, "x\"}}", NULL);
  g_autofree char *bad_payment = g_strconcat (PAY_OPEN "\"day\":\"2026-11-30\",\"amount\":1,\"note\":\"",
                                              note500, "x\"}}", NULL);
  g_autoptr(MilkRecord) record = NULL;

  g_assert_cmpint (g_utf8_strlen (note500, -1), ==, MILK_NOTE_MAX_CHARS);
  record = decode_one_change (ok);
  g_assert_cmpstr (record->note, ==, note500);
  assert_change_rejected (bad, "invalid_note");
  assert_change_rejected (bad_payment, "invalid_note");
}

static void
test_name_length (void)
{
  g_autofree char *name80 = repeat ("m", MILK_NAME_MAX_CHARS);
  g_autofree char *ok = g_strconcat ("{\"type\":\"product\",\"key\":\"" PRODUCT "\",\"hlc\":\"" HLC "\","
                                     "\"deleted\":false,\"data\":{\"name\":\"", name80, "\",\"unit\":\"L\","
                                     "\"default_qty_ml\":0,\"position\":0,\"archived\":false}}", NULL);
  g_autofree char *bad = g_strconcat ("{\"type\":\"product\",\"key\":\"" PRODUCT "\",\"hlc\":\"" HLC "\","
                                      "\"deleted\":false,\"data\":{\"name\":\"", name80, "m\",\"unit\":\"L\","
                                      "\"default_qty_ml\":0,\"position\":0,\"archived\":false}}", NULL);
  g_autoptr(MilkRecord) record = decode_one_change (ok);

  g_assert_cmpstr (record->name, ==, name80);
  assert_change_rejected (bad, "invalid_name");
}

static void
test_several_rejected (void)
{
  const char *doc = HEAD "\"changes\":["
    ENTRY ("\"qty_ml\":-1") ","
    GOOD_ENTRY ","
    PRICE ("\"price_per_l\":1000000001") ","
    GOOD_PAYMENT ","
    SETTING ("currency", "XYZ")
    "]}";
  g_autoptr(MilkSyncMessage) message = decode_request (doc, strlen (doc));
  const guint indexes[] = { 0, 2, 4 };
  const char *codes[] = { "invalid_qty", "invalid_price", "invalid_currency" };

  g_assert_cmpuint (message->changes->len, ==, 2);
  g_assert_cmpuint (message->rejected->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      MilkRejection *rejection = g_ptr_array_index (message->rejected, i);

      g_assert_cmpuint (rejection->index, ==, indexes[i]);
      g_assert_cmpstr (rejection->code, ==, codes[i]);
    }
}

/* Huge negative numbers wrap around in json-glib 1.6: "-99999999999999999999999"
 * is read as 1 and "-18446744073709550116" as 1500. Such a change must not
 * be stored as a plausible quantity. */
static void
test_qty_wraparound (void)
{
  const char *changes[] = {
    ENTRY ("\"qty_ml\":-99999999999999999999999"),
    ENTRY ("\"qty_ml\":99999999999999999999999"),
    ENTRY ("\"qty_ml\":9223372036854775808"),
    ENTRY ("\"qty_ml\":-18446744073709550116"),
    PAY ("\"day\":\"2026-11-30\",\"amount\":-18446744073709550116"),
  };

  for (guint i = 0; i < G_N_ELEMENTS (changes); i++)
    {
      g_autofree char *doc = g_strconcat (HEAD "\"changes\":[", changes[i], "]}", NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(MilkSyncMessage) message = milk_sync_request_decode (doc, strlen (doc), &error);

      /* Numbers past 64 bits are refused before json-glib could wrap them. */
      g_test_message ("%s", changes[i]);
      g_assert_null (message);
      g_assert_error (error, MILK_ERROR, MILK_ERROR_INVALID_JSON);
    }
}

/* Things json-glib alone would accept but JSON does not allow. */
static void
test_lenient_input_refused (void)
{
  const char *docs[] = {
    "{'cursor':null,'node':'0123456789abcdef','changes':[]}",
    HEAD "\"changes\":[" ENTRY ("\"qty_ml\":0x5DC") "]}",
    HEAD "\"changes\":[" ENTRY ("\"qty_ml\":1500,\"note\":\"a\\u0000b\"") "]}",
    HEAD "\"changes\":[" ENTRY ("\"qty_ml\":01500") "]}",
    HEAD "\"changes\":[]} {}",
    "   ",
    /* Lone surrogates have no UTF-8 form (found by fuzz-protocol). */
    HEAD "\"changes\":[" ENTRY ("\"qty_ml\":1500,\"note\":\"milk \\ud83e\\f\"") "]}",
    HEAD "\"changes\":[" ENTRY ("\"qty_ml\":1500,\"note\":\"\\udc00\"") "]}",
    HEAD "\"changes\":[" ENTRY ("\"qty_ml\":1500,\"note\":\"\\ud83e\\u0041\"") "]}",
    HEAD "\"changes\":[" ENTRY ("\"qty_ml\":1500,\"note\":\"\\ud83e") "]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (docs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MilkSyncMessage) message = milk_sync_request_decode (docs[i], strlen (docs[i]), &error);

      g_test_message ("%s", docs[i]);
      g_assert_null (message);
      g_assert_error (error, MILK_ERROR, MILK_ERROR_INVALID_JSON);
    }
}

/* ---------------------------------------------------------------------- */
/* Changes that are accepted                                              */

/* A character outside the BMP, escaped as a surrogate pair, is one
 * character of the note and goes out again as valid UTF-8. */
static void
test_surrogate_pair_note (void)
{
  const char *doc = HEAD "\"changes\":[" ENTRY ("\"qty_ml\":1500,\"note\":\"cow \\ud83d\\udc04\"") "]}";
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkSyncMessage) message = milk_sync_request_decode (doc, strlen (doc), &error);
  g_autoptr(MilkSyncMessage) again = NULL;
  g_autofree char *text = NULL;
  MilkRecord *entry;
  gsize length;

  g_assert_no_error (error);
  g_assert_nonnull (message);
  entry = g_ptr_array_index (message->changes, 0);
  g_assert_cmpstr (entry->note, ==, "cow \xf0\x9f\x90\x84");

  text = milk_sync_request_encode (message, &length);
  g_assert_true (g_utf8_validate (text, length, NULL));
  again = milk_sync_request_decode (text, length, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (((MilkRecord *) g_ptr_array_index (again->changes, 0))->note, ==, entry->note);
}

static void
test_tombstone (void)
{
  const char *entry = "{\"type\":\"entry\",\"key\":\"" PRODUCT "/2026-11-24\",\"hlc\":\"" HLC "\",\"deleted\":true}";
  const char *payment = "{\"type\":\"payment\",\"key\":\"" PAYMENT "\",\"hlc\":\"" HLC "\",\"deleted\":true}";
  const char *product = "{\"type\":\"product\",\"key\":\"" PRODUCT "\",\"hlc\":\"" HLC "\",\"deleted\":true}";
  g_autoptr(MilkRecord) record = NULL;
  g_autoptr(MilkRecord) expected = make_record (MILK_RECORD_ENTRY, PRODUCT "/2026-11-24", HLC);
  g_autoptr(JsonNode) json = NULL;

  record = decode_one_change (entry);
  g_assert_true (record->deleted);
  g_assert_cmpint (record->type, ==, MILK_RECORD_ENTRY);
  g_assert_cmpstr (record->id, ==, PRODUCT);
  g_assert_cmpuint (record->day, ==, milk_day_from_ymd (2026, 11, 24));
  g_assert_cmpstr (record->hlc, ==, HLC);
  expected->deleted = TRUE;
  assert_records_equal (expected, record);

  /* A tombstone goes out without data. */
  json = milk_record_to_json (record);
  g_assert_false (json_object_has_member (json_node_get_object (json), "data"));
  g_clear_pointer (&record, milk_record_free);

  /* A deleted payment has no day to check. */
  record = decode_one_change (payment);
  g_assert_true (record->deleted);
  g_assert_cmpint (record->type, ==, MILK_RECORD_PAYMENT);
  g_clear_pointer (&record, milk_record_free);

  record = decode_one_change (product);
  g_assert_true (record->deleted);
  g_assert_cmpint (record->type, ==, MILK_RECORD_PRODUCT);
}

static void
test_accepted_limits (void)
{
  g_autoptr(MilkRecord) record = NULL;

  record = decode_one_change (ENTRY ("\"qty_ml\":100000"));
  g_assert_cmpint (record->qty_ml, ==, MILK_QTY_MAX_ML);
  /* No price override and no note are both fine. */
  g_assert_cmpint (record->price_override, ==, MILK_NO_PRICE);
  g_assert_cmpstr (or_empty (record->note), ==, "");
  g_clear_pointer (&record, milk_record_free);

  record = decode_one_change (ENTRY ("\"qty_ml\":0,\"price_override\":0"));
  g_assert_cmpint (record->qty_ml, ==, 0);
  g_assert_cmpint (record->price_override, ==, 0);
  g_clear_pointer (&record, milk_record_free);

  record = decode_one_change (PRICE ("\"price_per_l\":1000000000"));
  g_assert_cmpint (record->price_per_l, ==, MILK_PRICE_MAX);
  g_assert_cmpuint (record->day, ==, milk_day_from_ymd (2026, 11, 1));
  g_clear_pointer (&record, milk_record_free);

  record = decode_one_change (PAY ("\"day\":\"2026-11-30\",\"amount\":1"));
  g_assert_cmpint (record->amount, ==, 1);
  g_assert_cmpuint (record->day, ==, milk_day_from_ymd (2026, 11, 30));
  g_clear_pointer (&record, milk_record_free);

  record = decode_one_change (PAY ("\"day\":\"2026-11-30\",\"amount\":1000000000000000"));
  g_assert_cmpint (record->amount, ==, MILK_AMOUNT_MAX);
  g_clear_pointer (&record, milk_record_free);

  record = decode_one_change (SETTING ("currency", "JPY"));
  g_assert_cmpstr (record->value, ==, "JPY");
  g_clear_pointer (&record, milk_record_free);

  record = decode_one_change (PROD (PROD_DATA ("Buffalo milk")));
  g_assert_cmpstr (record->name, ==, "Buffalo milk");
  g_assert_false (record->archived);
}

static void
test_record_equal (void)
{
  g_autoptr(GPtrArray) records = make_all_records ();

  for (guint i = 0; i < records->len; i++)
    {
      MilkRecord *r = g_ptr_array_index (records, i);
      g_autoptr(MilkRecord) copy = milk_record_copy (r);

      g_assert_true (milk_record_equal (r, copy));

      g_free (copy->hlc);
      copy->hlc = g_strdup ("1795478400001-0000-0123456789abcdef");
      g_assert_false (milk_record_equal (r, copy));
      g_clear_pointer (&copy, milk_record_free);

      copy = milk_record_copy (r);
      copy->deleted = !copy->deleted;
      g_assert_false (milk_record_equal (r, copy));
    }

  {
    MilkRecord *entry = g_ptr_array_index (records, 1);
    g_autoptr(MilkRecord) copy = milk_record_copy (entry);

    g_assert_cmpint (entry->type, ==, MILK_RECORD_ENTRY);
    copy->qty_ml++;
    g_assert_false (milk_record_equal (entry, copy));
    copy->qty_ml--;
    copy->day++;
    g_assert_false (milk_record_equal (entry, copy));
    copy->day--;
    copy->price_override = MILK_NO_PRICE;
    g_assert_false (milk_record_equal (entry, copy));
  }
}

/* DESIGN "Versions mix": a newer app's members this version does not know,
 * in "data" and at the top level, come back out as they went in. */
static void
test_unknown_members_kept (void)
{
  const char *changes[] = {
    "{\"type\":\"entry\",\"key\":\"" PRODUCT "/2026-11-24\",\"hlc\":\"" HLC "\",\"deleted\":false,"
    "\"data\":{\"qty_ml\":1000,\"fat_pct\":35,\"price_override\":null,\"note\":\"\","
    "\"source\":{\"kind\":\"scale\",\"ids\":[1,2,3]}},\"origin\":\"phone\",\"rev\":[true,null,1.5]}",
    PROD (PROD_DATA ("Milk") ",\"colour\":\"blue\""),
    "{\"type\":\"payment\",\"key\":\"" PAYMENT "\",\"hlc\":\"" HLC "\",\"deleted\":true,\"reason\":\"typo\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (changes); i++)
    {
      g_autoptr(MilkRecord) record = decode_one_change (changes[i]);
      g_autoptr(MilkRecord) copy = milk_record_copy (record);
      g_autoptr(JsonNode) sent = json_from_string (changes[i], NULL);
      g_autoptr(JsonNode) out = milk_record_to_json (copy);
      g_autofree char *text = json_to_string (out, FALSE);
      g_autoptr(MilkRecord) plain = NULL;

      g_assert_nonnull (record->extra);
      if (!json_node_equal (sent, out))
        g_error ("%s came back as %s", changes[i], text);

      /* The same record without what it does not know is another version. */
      plain = milk_record_copy (record);
      g_clear_pointer (&plain->extra, json_object_unref);
      g_assert_false (milk_record_equal (plain, record));
      g_assert_true (milk_record_equal (copy, record));
    }
}

/* A newer version's fractions come back as json-glib writes them (17
 * digits), which this decoder takes; a number that would come back as
 * "inf" is refused, not kept. */
static void
test_unknown_fractions (void)
{
  g_autoptr(MilkRecord) record = decode_one_change (ENTRY ("\"qty_ml\":1000,\"ratio\":0.1,\"tiny\":-2.5e-300"));
  g_autoptr(MilkSyncMessage) sent = milk_sync_message_new ();
  g_autoptr(MilkSyncMessage) again = NULL;
  g_autofree char *text = NULL;
  g_autofree char *huge = g_strconcat (HEAD "\"changes\":[", ENTRY ("\"qty_ml\":1000,\"x\":[1e400]"), "]}", NULL);
  g_autoptr(MilkSyncMessage) refused = NULL;
  gsize length;

  sent->node = g_strdup (NODE);
  g_ptr_array_add (sent->changes, milk_record_copy (record));
  text = milk_sync_request_encode (sent, &length);
  again = decode_request (text, length);
  g_assert_cmpuint (again->changes->len, ==, 1);
  g_assert_true (milk_record_equal (g_ptr_array_index (again->changes, 0), record));

  refused = decode_request (huge, strlen (huge));
  g_assert_cmpuint (refused->changes->len, ==, 0);
  g_assert_cmpuint (refused->rejected->len, ==, 1);
  g_assert_cmpstr (((MilkRejection *) g_ptr_array_index (refused->rejected, 0))->code, ==, "invalid_field");
}

/* What is kept is bounded, so that a page of changes always fits in one
 * document: unknown members up to 1 KiB, and a change padded with spaces
 * is stored compact. */
static void
test_kept_members_bounded (void)
{
  g_autofree char *big = g_strnfill (MILK_RECORD_MAX_EXTRA_BYTES, 'x');
  g_autofree char *too_much = g_strdup_printf (HEAD "\"changes\":[" ENTRY ("\"qty_ml\":1000,\"blob\":\"%s\"") "]}", big);
  g_autofree char *spaces = g_strnfill (4000, ' ');
  g_autofree char *padded = g_strdup_printf (HEAD "\"changes\":[" ENTRY ("\"qty_ml\":1000,%s\"fat_pct\":35") "]}", spaces);
  g_autoptr(MilkSyncMessage) message = NULL;
  const char *text;

  message = decode_request (too_much, strlen (too_much));
  g_assert_cmpuint (message->changes->len, ==, 0);
  g_assert_cmpstr (((MilkRejection *) g_ptr_array_index (message->rejected, 0))->code, ==, "too_large");
  g_clear_pointer (&message, milk_sync_message_free);

  message = decode_request (padded, strlen (padded));
  g_assert_cmpuint (message->changes->len, ==, 1);
  text = g_ptr_array_index (message->change_texts, 0);
  g_assert_cmpuint (strlen (text), <, 400);
  g_assert_nonnull (strstr (text, "\"fat_pct\":35"));
}

/* The service stores each change as the text it came as. */
static void
test_request_keeps_change_text (void)
{
  const char *change = "{ \"type\" : \"entry\", \"key\":\"" PRODUCT "/2026-11-24\",\"hlc\":\"" HLC "\","
                       "\"deleted\":false,\"data\":{\"qty_ml\":1000, \"fat_pct\":35}}";
  g_autofree char *doc = g_strconcat (HEAD "\"changes\":[" GOOD_PAYMENT ", 5, ", change, "]}", NULL);
  g_autoptr(MilkSyncMessage) message = decode_request (doc, strlen (doc));

  g_assert_cmpuint (message->changes->len, ==, 2);
  g_assert_cmpuint (message->change_texts->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (message->change_texts, 0), ==, GOOD_PAYMENT);
  g_assert_cmpstr (g_ptr_array_index (message->change_texts, 1), ==, change);
  g_assert_cmpuint (message->rejected->len, ==, 1);
}

/* A request says which protocol version sent it; none means 1. */
static void
test_request_version (void)
{
  const char *none = HEAD "\"changes\":[]}";
  const char *two = HEAD "\"version\":2,\"changes\":[]}";
  const char *bad[] = { HEAD "\"version\":\"2\",\"changes\":[]}", HEAD "\"version\":0,\"changes\":[]}",
                        HEAD "\"version\":1.5,\"changes\":[]}" };
  g_autoptr(MilkSyncMessage) message = NULL;
  g_autoptr(MilkSyncMessage) sent = milk_sync_message_new ();
  g_autofree char *encoded = NULL;
  gsize length;

  message = decode_request (none, strlen (none));
  g_assert_cmpint (message->version, ==, 1);
  g_clear_pointer (&message, milk_sync_message_free);
  message = decode_request (two, strlen (two));
  g_assert_cmpint (message->version, ==, 2);
  g_clear_pointer (&message, milk_sync_message_free);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (milk_sync_request_decode (bad[i], strlen (bad[i]), &error));
      g_assert_error (error, MILK_ERROR, MILK_ERROR_INVALID_DOCUMENT);
    }

  sent->node = g_strdup (NODE);
  encoded = milk_sync_request_encode (sent, &length);
  message = decode_request (encoded, length);
  g_assert_cmpint (message->version, ==, MILK_PROTOCOL_VERSION);
  g_assert_cmpint (MILK_PROTOCOL_VERSION, >=, 2);
}

/* A response serves the stored text of a change as it is. */
static void
test_response_serves_text (void)
{
  const char *stored = "{\"type\":\"entry\", \"key\":\"" PRODUCT "/2026-11-24\",\"hlc\":\"" HLC "\","
                       "\"deleted\":false,\"data\":{\"qty_ml\":1000,\"fat_pct\":35,\"price_override\":null}}";
  g_autoptr(MilkSyncMessage) response = milk_sync_message_new ();
  g_autoptr(MilkSyncMessage) decoded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  gsize length;

  response->cursor = g_strdup ("v1.7");
  g_ptr_array_add (response->changes, decode_one_change (stored));
  g_ptr_array_add (response->change_texts, g_strdup (stored));
  g_ptr_array_add (response->changes, decode_one_change (GOOD_PAYMENT));
  g_ptr_array_add (response->change_texts, NULL);
  body = milk_sync_response_encode (response, &length);
  g_assert_cmpuint (length, ==, strlen (body));
  g_assert_nonnull (strstr (body, stored));

  decoded = milk_sync_response_decode (body, length, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (decoded->cursor, ==, "v1.7");
  g_assert_cmpuint (decoded->changes->len, ==, 2);
  g_assert_true (milk_record_equal (g_ptr_array_index (decoded->changes, 0), g_ptr_array_index (response->changes, 0)));
  g_assert_true (milk_record_equal (g_ptr_array_index (decoded->changes, 1), g_ptr_array_index (response->changes, 1)));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/protocol/request-round-trip", test_request_round_trip);
  g_test_add_func ("/core/protocol/request-null-cursor", test_request_null_cursor);
  g_test_add_func ("/core/protocol/response-round-trip", test_response_round_trip);
  g_test_add_func ("/core/protocol/response-more-false", test_response_more_false);
  g_test_add_func ("/core/protocol/response-time", test_response_time);
  g_test_add_func ("/core/protocol/instance", test_instance);
  g_test_add_func ("/core/protocol/response-unreadable-change", test_response_unreadable_change);
  g_test_add_func ("/core/protocol/response-unreadable-and-rejected", test_response_unreadable_and_rejected);
  g_test_add_func ("/core/protocol/request-unknown-type-rejected", test_request_unknown_type_rejected);
  g_test_add_func ("/core/protocol/response-bad", test_response_bad);
  g_test_add_func ("/core/protocol/error-encode", test_error_encode);

  for (guint i = 0; i < G_N_ELEMENTS (bad_docs); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/protocol/bad/%s", bad_docs[i].name);

      g_test_add_data_func (path, &bad_docs[i], test_bad_document);
    }
  g_test_add_func ("/core/protocol/bad/nul-byte", test_nul_byte);
  g_test_add_func ("/core/protocol/too-deep", test_too_deep);
  g_test_add_func ("/core/protocol/depth-limit", test_depth_limit);
  g_test_add_func ("/core/protocol/too-large", test_too_large);
  g_test_add_func ("/core/protocol/too-many-changes", test_too_many_changes);
  g_test_add_func ("/core/protocol/cursor-length", test_cursor_length);
  g_test_add_func ("/core/protocol/several-rejected", test_several_rejected);

  for (guint i = 0; i < G_N_ELEMENTS (bad_changes); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/record/reject/%s", bad_changes[i].name);

      g_test_add_data_func (path, &bad_changes[i], test_bad_change);
    }
  g_test_add_func ("/core/record/reject/note-length", test_note_length);
  g_test_add_func ("/core/record/reject/name-length", test_name_length);
  g_test_add_func ("/core/record/reject/qty-wraparound", test_qty_wraparound);
  g_test_add_func ("/core/protocol/lenient-input-refused", test_lenient_input_refused);
  g_test_add_func ("/core/protocol/surrogate-pair-note", test_surrogate_pair_note);
  g_test_add_func ("/core/record/tombstone", test_tombstone);
  g_test_add_func ("/core/record/accepted-limits", test_accepted_limits);
  g_test_add_func ("/core/record/equal", test_record_equal);
  g_test_add_func ("/core/record/unknown-members-kept", test_unknown_members_kept);
  g_test_add_func ("/core/protocol/request-keeps-change-text", test_request_keeps_change_text);
  g_test_add_func ("/core/record/unknown-fractions", test_unknown_fractions);
  g_test_add_func ("/core/record/kept-members-bounded", test_kept_members_bounded);
  g_test_add_func ("/core/protocol/request-version", test_request_version);
  g_test_add_func ("/core/protocol/response-serves-text", test_response_serves_text);

  return g_test_run ();
}
