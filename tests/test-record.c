/* test-record.c — what a record may hold, checked before it is stored
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "milk-core.h"

#define PRODUCT "6b1f8f5e-3c44-4b7a-9a0e-2f4d1c9b7e11"

static MilkRecord *
entry (gint64 qty_ml)
{
  MilkRecord *record = milk_record_new (MILK_RECORD_ENTRY);

  record->id = g_strdup (PRODUCT);
  record->day = milk_day_from_ymd (2026, 11, 24);
  record->qty_ml = qty_ml;
  record->hlc = g_strdup ("1764000000000-0000-00000000000000aa");
  return record;
}

static void
assert_invalid (MilkRecord *record,
                int         code)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (milk_record_validate (record, &error));
  g_assert_error (error, MILK_ERROR, code);
}

static void
test_entry_bounds (void)
{
  g_autoptr(MilkRecord) zero = entry (0);
  g_autoptr(MilkRecord) max = entry (100000);
  g_autoptr(MilkRecord) over = entry (100001);
  g_autoptr(MilkRecord) negative = entry (-1);
  g_autoptr(MilkRecord) price = entry (1000);
  g_autoptr(MilkRecord) note = entry (1000);
  g_autoptr(GString) long_note = g_string_new (NULL);

  g_assert_true (milk_record_validate (zero, NULL));
  g_assert_true (milk_record_validate (max, NULL));
  assert_invalid (over, MILK_ERROR_INVALID_QTY);
  assert_invalid (negative, MILK_ERROR_INVALID_QTY);

  price->price_override = MILK_PRICE_MAX + 1;
  assert_invalid (price, MILK_ERROR_INVALID_PRICE);
  price->price_override = 5650;
  g_assert_true (milk_record_validate (price, NULL));

  for (int i = 0; i < MILK_NOTE_MAX_CHARS; i++)
    g_string_append (long_note, "दू");
  note->note = g_strndup (long_note->str, long_note->len);
  assert_invalid (note, MILK_ERROR_INVALID_NOTE);
  g_free (note->note);
  note->note = g_strdup ("बाहर गए थे: दूध नहीं आया");
  g_assert_true (milk_record_validate (note, NULL));
  g_free (note->note);
  note->note = g_strdup ("bell\arings");
  assert_invalid (note, MILK_ERROR_INVALID_NOTE);
}

static void
test_keys (void)
{
  g_autoptr(MilkRecord) e = entry (1000);
  g_autoptr(MilkRecord) parsed = milk_record_new (MILK_RECORD_ENTRY);
  g_autoptr(MilkRecord) setting = milk_record_new (MILK_RECORD_SETTING);
  g_autofree char *key = milk_record_dup_key (e);
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (key, ==, PRODUCT "/2026-11-24");
  g_assert_true (milk_record_set_key (parsed, key, NULL));
  g_assert_cmpstr (parsed->id, ==, PRODUCT);
  g_assert_cmpuint (parsed->day, ==, e->day);

  g_assert_false (milk_record_set_key (parsed, PRODUCT "/2026-02-30", &error));
  g_assert_error (error, MILK_ERROR, MILK_ERROR_INVALID_DAY);
  g_clear_error (&error);
  g_assert_false (milk_record_set_key (parsed, "6B1F8F5E-3C44-4B7A-9A0E-2F4D1C9B7E11/2026-01-01", &error));
  g_assert_error (error, MILK_ERROR, MILK_ERROR_INVALID_KEY);
  g_clear_error (&error);
  g_assert_false (milk_record_set_key (parsed, PRODUCT, &error));
  g_assert_error (error, MILK_ERROR, MILK_ERROR_INVALID_KEY);
  g_clear_error (&error);

  g_assert_true (milk_record_set_key (setting, "currency", NULL));
  g_assert_false (milk_record_set_key (setting, "Currency", NULL));
  g_assert_false (milk_record_set_key (setting, "", NULL));
  g_assert_false (milk_record_set_key (setting, "a/b", NULL));
}

static void
test_product_and_setting (void)
{
  g_autoptr(MilkRecord) product = milk_record_new (MILK_RECORD_PRODUCT);
  g_autoptr(MilkRecord) setting = milk_record_new (MILK_RECORD_SETTING);
  g_autoptr(MilkRecord) payment = milk_record_new (MILK_RECORD_PAYMENT);

  product->id = g_strdup (MILK_DEFAULT_PRODUCT_ID);
  product->name = g_strdup ("");
  product->unit = g_strdup ("L");
  assert_invalid (product, MILK_ERROR_INVALID_NAME);
  g_free (product->name);
  product->name = g_strdup ("Buffalo milk");
  g_assert_true (milk_record_validate (product, NULL));
  product->default_qty_ml = 200000;
  assert_invalid (product, MILK_ERROR_INVALID_QTY);

  setting->id = g_strdup ("currency");
  setting->value = g_strdup ("XYZ");
  assert_invalid (setting, MILK_ERROR_INVALID_CURRENCY);
  g_free (setting->value);
  setting->value = g_strdup ("INR");
  g_assert_true (milk_record_validate (setting, NULL));

  payment->id = milk_uuid_new ();
  payment->day = milk_day_from_ymd (2026, 11, 30);
  payment->amount = 0;
  assert_invalid (payment, MILK_ERROR_INVALID_AMOUNT);
  payment->amount = 169500;
  g_assert_true (milk_record_validate (payment, NULL));
  payment->day = MILK_DAY_INVALID;
  assert_invalid (payment, MILK_ERROR_INVALID_DAY);
}

static void
test_tombstone (void)
{
  g_autoptr(MilkRecord) e = entry (500000); /* data is ignored once deleted */

  e->deleted = TRUE;
  g_assert_true (milk_record_validate (e, NULL));
  e->day = MILK_DAY_INVALID;
  assert_invalid (e, MILK_ERROR_INVALID_DAY);
}

static void
test_copy_equal (void)
{
  g_autoptr(MilkRecord) a = entry (1500);
  g_autoptr(MilkRecord) b = NULL;

  a->note = g_strdup ("extra for guests");
  b = milk_record_copy (a);
  g_assert_true (milk_record_equal (a, b));
  b->qty_ml = 1000;
  g_assert_false (milk_record_equal (a, b));
}

static void
test_error_codes_stable (void)
{
  g_assert_cmpstr (milk_error_code_name (MILK_ERROR_INVALID_QTY), ==, "invalid_qty");
  g_assert_cmpstr (milk_error_code_name (MILK_ERROR_INVALID_DAY), ==, "invalid_day");
  g_assert_cmpstr (milk_error_code_name (MILK_ERROR_TOO_DEEP), ==, "too_deep");
  g_assert_cmpstr (milk_error_code_name (9999), ==, "invalid_document");
  g_assert_cmpstr (milk_error_code_name (-1), ==, "invalid_document");
}

/* A day delivered morning and evening: the parts travel with the day, the
 * day's quantity is their sum for every version, and parts left behind by
 * a version that changed only the day's quantity no longer count. */
static void
test_morning_evening (void)
{
  const char *json = "{\"type\":\"entry\",\"key\":\"" PRODUCT "/2026-11-24\","
                     "\"hlc\":\"1764000000000-0000-00000000000000aa\",\"deleted\":false,"
                     "\"data\":{\"qty_ml\":1500,\"price_override\":null,\"note\":\"\","
                     "\"morning_ml\":1000,\"evening_ml\":500}}";
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  g_autoptr(MilkRecord) day = milk_record_from_json (node, NULL);
  g_autoptr(MilkRecord) stored = milk_record_new (MILK_RECORD_ENTRY);
  g_autoptr(MilkRecord) made = entry (0);
  g_autoptr(MilkRecord) product = milk_record_new (MILK_RECORD_PRODUCT);
  g_autoptr(JsonNode) back = NULL;
  g_autofree char *text = NULL;
  g_autofree char *out = NULL;
  gint64 morning, evening;

  g_assert_nonnull (day);
  g_assert_true (milk_entry_is_split (day));
  g_assert_cmpint (day->morning_ml, ==, 1000);
  g_assert_cmpint (day->evening_ml, ==, 500);
  g_assert_null (day->extra);
  back = milk_record_to_json (day);
  out = json_to_string (back, FALSE);
  g_assert_nonnull (strstr (out, "\"morning_ml\":1000,\"evening_ml\":500"));

  /* The diary file keeps them beside the columns, where a version before
   * them keeps them as members it does not know. */
  text = milk_record_dup_stored_text (day);
  g_assert_cmpstr (text, ==, "{\"data\":{\"morning_ml\":1000,\"evening_ml\":500}}");
  g_assert_true (milk_record_set_stored_text (stored, text));
  g_assert_true (stored->has_split);
  g_assert_cmpint (stored->evening_ml, ==, 500);
  g_assert_null (stored->extra);

  /* An older version made it 2 L and sent the parts back unchanged: the
   * day is 2 L, one delivery, and the parts still go back as they came. */
  day->qty_ml = 2000;
  g_assert_true (milk_record_validate (day, NULL));
  g_assert_false (milk_entry_is_split (day));

  milk_entry_set_split (made, 750, 250);
  g_assert_cmpint (made->qty_ml, ==, 1000);
  g_assert_true (milk_entry_is_split (made));
  made->evening_ml = MILK_QTY_MAX_ML + 1;
  assert_invalid (made, MILK_ERROR_INVALID_QTY);

  /* One part alone is refused with a reason. */
  {
    g_autofree char *half = g_strdup (json);
    g_autoptr(JsonNode) half_node = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(MilkRecord) refused = NULL;

    memcpy (strstr (half, "\"evening_ml\""), "\"evening_xx\"", 12);
    half_node = json_from_string (half, NULL);
    refused = milk_record_from_json (half_node, &error);
    g_assert_null (refused);
    g_assert_error (error, MILK_ERROR, MILK_ERROR_INVALID_QTY);
  }

  /* Twice a day, 0.5 L of it in the evening; never more than the day. */
  product->default_qty_ml = 1500;
  product->twice_daily = TRUE;
  product->evening_qty_ml = 500;
  milk_product_usual_split (product, milk_day_from_ymd (2026, 11, 24), &morning, &evening);
  g_assert_cmpint (morning, ==, 1000);
  g_assert_cmpint (evening, ==, 500);
  product->default_qty_ml = 250;
  milk_product_usual_split (product, milk_day_from_ymd (2026, 11, 24), &morning, &evening);
  g_assert_cmpint (morning, ==, 0);
  g_assert_cmpint (evening, ==, 250);
  product->twice_daily = FALSE;
  milk_product_usual_split (product, milk_day_from_ymd (2026, 11, 24), &morning, &evening);
  g_assert_cmpint (morning, ==, 250);
  g_assert_cmpint (evening, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/record/entry-bounds", test_entry_bounds);
  g_test_add_func ("/core/record/keys", test_keys);
  g_test_add_func ("/core/record/product-setting-payment", test_product_and_setting);
  g_test_add_func ("/core/record/tombstone", test_tombstone);
  g_test_add_func ("/core/record/copy-equal", test_copy_equal);
  g_test_add_func ("/core/record/error-codes", test_error_codes_stable);
  g_test_add_func ("/core/record/morning-evening", test_morning_evening);

  return g_test_run ();
}
