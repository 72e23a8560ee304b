/* milk-record.c — the synced record types and their validation
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-core"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "milk-currency.h"
#include "milk-error.h"
#include "milk-hlc.h"
#include "milk-money.h"
#include "milk-quantity.h"
#include "milk-record.h"

#define MAX_POSITION 10000

static const char * const type_names[] = {
  [MILK_RECORD_PRODUCT] = "product",
  [MILK_RECORD_ENTRY] = "entry",
  [MILK_RECORD_PRICE] = "price",
  [MILK_RECORD_PAYMENT] = "payment",
  [MILK_RECORD_SETTING] = "setting",
};

const char *
milk_record_type_to_string (MilkRecordType type)
{
  g_return_val_if_fail (type <= MILK_RECORD_SETTING, NULL);
  return type_names[type];
}

gboolean
milk_record_type_from_string (const char     *text,
                              MilkRecordType *type)
{
  for (guint i = 0; i < G_N_ELEMENTS (type_names); i++)
    if (g_strcmp0 (text, type_names[i]) == 0)
      {
        *type = i;
        return TRUE;
      }
  return FALSE;
}

MilkRecord *
milk_record_new (MilkRecordType type)
{
  MilkRecord *self = g_new0 (MilkRecord, 1);

  self->type = type;
  self->price_override = MILK_NO_PRICE;
  return self;
}

MilkRecord *
milk_record_copy (const MilkRecord *record)
{
  MilkRecord *self = g_memdup2 (record, sizeof *record);

  self->id = g_strdup (record->id);
  self->hlc = g_strdup (record->hlc);
  self->name = g_strdup (record->name);
  self->unit = g_strdup (record->unit);
  self->note = g_strdup (record->note);
  self->value = g_strdup (record->value);
  self->extra = record->extra ? json_object_ref (record->extra) : NULL;
  return self;
}

void
milk_record_free (MilkRecord *self)
{
  if (self == NULL)
    return;
  g_free (self->id);
  g_free (self->hlc);
  g_free (self->name);
  g_free (self->unit);
  g_free (self->note);
  g_free (self->value);
  g_clear_pointer (&self->extra, json_object_unref);
  g_free (self);
}

gboolean
milk_uuid_is_valid (const char *text)
{
  if (text == NULL || !g_uuid_string_is_valid (text))
    return FALSE;
  for (const char *p = text; *p; p++)
    if (g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

char *
milk_uuid_new (void)
{
  return g_uuid_string_random ();
}

static gboolean
setting_name_is_valid (const char *name)
{
  gsize len = name ? strlen (name) : 0;

  if (len == 0 || len > 64 || !g_ascii_islower (name[0]))
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

static gboolean
type_has_day (MilkRecordType type)
{
  return type == MILK_RECORD_ENTRY || type == MILK_RECORD_PRICE;
}

/* The natural key: "<uuid>" for products and payments, "<product
 * uuid>/<YYYY-MM-DD>" for entries and prices, the name for settings. */
char *
milk_record_dup_key (const MilkRecord *self)
{
  char day[11];

  if (!type_has_day (self->type))
    return g_strdup (self->id);

  milk_day_format_iso (self->day, day);
  return g_strdup_printf ("%s/%s", self->id, day);
}

gboolean
milk_record_set_key (MilkRecord  *self,
                     const char  *key,
                     GError     **error)
{
  if (key == NULL || strlen (key) > 100)
    goto bad;

  if (type_has_day (self->type))
    {
      const char *slash = strchr (key, '/');
      g_autofree char *id = NULL;
      MilkDay day;

      if (slash == NULL)
        goto bad;
      id = g_strndup (key, slash - key);
      if (!milk_uuid_is_valid (id))
        goto bad;
      day = milk_day_parse (slash + 1, error);
      if (day == MILK_DAY_INVALID)
        return FALSE;

      g_free (self->id);
      self->id = g_steal_pointer (&id);
      self->day = day;
      return TRUE;
    }

  if (self->type == MILK_RECORD_SETTING ? !setting_name_is_valid (key) : !milk_uuid_is_valid (key))
    goto bad;

  g_free (self->id);
  self->id = g_strdup (key);
  return TRUE;

bad:
  g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_KEY,
               _("A %s record has a malformed key"), milk_record_type_to_string (self->type));
  return FALSE;
}

static gboolean
text_is_valid (const char *text,
               gsize       min_chars,
               gsize       max_chars)
{
  glong n;

  if (text == NULL)
    return min_chars == 0;
  if (!g_utf8_validate (text, -1, NULL))
    return FALSE;
  n = g_utf8_strlen (text, -1);
  if ((gsize) n < min_chars || (gsize) n > max_chars)
    return FALSE;
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) && c != '\n' && c != '\t')
        return FALSE;
    }
  return TRUE;
}

#define FAIL(code, ...) \
  G_STMT_START { g_set_error (error, MILK_ERROR, code, __VA_ARGS__); return FALSE; } G_STMT_END

gboolean
milk_record_validate (const MilkRecord  *self,
                      GError           **error)
{
  MilkHlcStamp stamp;

  if (self->type > MILK_RECORD_SETTING)
    FAIL (MILK_ERROR_INVALID_TYPE, _("Unknown record type"));

  if (self->type == MILK_RECORD_SETTING ? !setting_name_is_valid (self->id) : !milk_uuid_is_valid (self->id))
    FAIL (MILK_ERROR_INVALID_KEY, _("A %s record has a malformed key"),
          milk_record_type_to_string (self->type));

  if (self->hlc != NULL && !milk_hlc_stamp_parse (self->hlc, &stamp, error))
    return FALSE;

  if (type_has_day (self->type) && !milk_day_is_valid (self->day))
    FAIL (MILK_ERROR_INVALID_DAY, _("A record names a day that is not in the calendar"));

  if (self->deleted)
    return TRUE;

  switch (self->type)
    {
    case MILK_RECORD_PRODUCT:
      if (!text_is_valid (self->name, 1, MILK_NAME_MAX_CHARS))
        FAIL (MILK_ERROR_INVALID_NAME, _("A product needs a name of 1 to %d characters"), MILK_NAME_MAX_CHARS);
      if (!text_is_valid (self->unit, 1, MILK_UNIT_MAX_CHARS))
        FAIL (MILK_ERROR_INVALID_NAME, _("A product’s unit label must be 1 to %d characters"), MILK_UNIT_MAX_CHARS);
      if (self->default_qty_ml < 0 || self->default_qty_ml > MILK_QTY_MAX_ML)
        FAIL (MILK_ERROR_INVALID_QTY, _("A daily quantity must be between 0 and 100 litres"));
      if (self->position < 0 || self->position > MAX_POSITION)
        FAIL (MILK_ERROR_INVALID_FIELD, _("A product’s position is out of range"));
      for (guint i = 0; self->has_weekday_qty && i < 7; i++)
        if (self->weekday_qty_ml[i] < 0 || self->weekday_qty_ml[i] > MILK_QTY_MAX_ML)
          FAIL (MILK_ERROR_INVALID_QTY, _("A usual quantity must be between 0 and 100 litres"));
      if (self->twice_daily && (self->evening_qty_ml < 0 || self->evening_qty_ml > MILK_QTY_MAX_ML))
        FAIL (MILK_ERROR_INVALID_QTY, _("A usual quantity must be between 0 and 100 litres"));
      break;

    case MILK_RECORD_ENTRY:
      if (self->qty_ml < 0 || self->qty_ml > MILK_QTY_MAX_ML)
        FAIL (MILK_ERROR_INVALID_QTY, _("A day’s quantity must be between 0 and 100 litres"));
      /* The parts need not add up to the day: a version from before them
       * changes the day's quantity and sends them back as it found them
       * (milk_entry_is_split then takes the day as one delivery). */
      if (self->has_split &&
          (self->morning_ml < 0 || self->morning_ml > MILK_QTY_MAX_ML ||
           self->evening_ml < 0 || self->evening_ml > MILK_QTY_MAX_ML))
        FAIL (MILK_ERROR_INVALID_QTY, _("A morning or evening quantity must be between 0 and 100 litres"));
      if (self->price_override != MILK_NO_PRICE &&
          (self->price_override < 0 || self->price_override > MILK_PRICE_MAX))
        FAIL (MILK_ERROR_INVALID_PRICE, _("A price is out of range"));
      if (!text_is_valid (self->note, 0, MILK_NOTE_MAX_CHARS))
        FAIL (MILK_ERROR_INVALID_NOTE, _("A note can be at most %d characters of text"), MILK_NOTE_MAX_CHARS);
      break;

    case MILK_RECORD_PRICE:
      if (self->price_per_l < 0 || self->price_per_l > MILK_PRICE_MAX)
        FAIL (MILK_ERROR_INVALID_PRICE, _("A price is out of range"));
      break;

    case MILK_RECORD_PAYMENT:
      if (!milk_day_is_valid (self->day))
        FAIL (MILK_ERROR_INVALID_DAY, _("A payment names a day that is not in the calendar"));
      if (self->amount <= 0 || self->amount > MILK_AMOUNT_MAX)
        FAIL (MILK_ERROR_INVALID_AMOUNT, _("A payment must be a positive amount"));
      if (self->bill != MILK_DAY_INVALID && !milk_day_is_month_start (self->bill))
        FAIL (MILK_ERROR_INVALID_DAY, _("A payment is for a month that is not in the calendar"));
      if (!text_is_valid (self->note, 0, MILK_NOTE_MAX_CHARS))
        FAIL (MILK_ERROR_INVALID_NOTE, _("A note can be at most %d characters of text"), MILK_NOTE_MAX_CHARS);
      break;

    case MILK_RECORD_SETTING:
      if (!text_is_valid (self->value, 0, MILK_SETTING_VALUE_MAX_CHARS))
        FAIL (MILK_ERROR_INVALID_SETTING, _("A setting’s value is too long or not text"));
      if (g_str_equal (self->id, "currency") && milk_currency_lookup (self->value) == NULL)
        FAIL (MILK_ERROR_INVALID_CURRENCY, _("“%s” is not an ISO 4217 currency code"),
              self->value ? self->value : "");
      break;

    default:
      g_assert_not_reached ();
    }

  return TRUE;
}

#undef FAIL

gboolean
milk_record_equal (const MilkRecord *a,
                   const MilkRecord *b)
{
  g_autoptr(JsonNode) ja = milk_record_to_json (a);
  g_autoptr(JsonNode) jb = milk_record_to_json (b);

  return json_node_equal (ja, jb);
}

/* What a product usually brings on a day: its weekday pattern if it has
 * one, its daily quantity otherwise. */
gint64
milk_product_usual_qty (const MilkRecord *product,
                        MilkDay           day)
{
  g_return_val_if_fail (product != NULL && product->type == MILK_RECORD_PRODUCT, 0);

  if (product->has_weekday_qty && milk_day_is_valid (day))
    return product->weekday_qty_ml[milk_day_weekday (day) - 1];
  return product->default_qty_ml;
}

/* A product delivered twice a day usually brings its evening quantity in
 * the evening and the rest of the day's usual quantity in the morning. */
void
milk_product_usual_split (const MilkRecord *product,
                          MilkDay           day,
                          gint64           *morning_ml,
                          gint64           *evening_ml)
{
  gint64 usual = milk_product_usual_qty (product, day);
  gint64 evening = product->twice_daily ? MIN (product->evening_qty_ml, usual) : 0;

  *morning_ml = usual - evening;
  *evening_ml = evening;
}

/* A day recorded as usual: the usual quantity, in its morning and
 * evening parts for a product delivered twice a day. */
void
milk_entry_set_usual (MilkRecord       *entry,
                      const MilkRecord *product,
                      MilkDay           day)
{
  g_return_if_fail (entry != NULL && entry->type == MILK_RECORD_ENTRY);
  g_return_if_fail (product != NULL && product->type == MILK_RECORD_PRODUCT);

  if (product->twice_daily)
    {
      gint64 morning, evening;

      milk_product_usual_split (product, day, &morning, &evening);
      milk_entry_set_split (entry, morning, evening);
    }
  else
    entry->qty_ml = milk_product_usual_qty (product, day);
}

/* Whether the day was recorded as a morning and an evening delivery. Parts
 * that do not add up to the day's quantity were left behind by a version
 * that changed the quantity without knowing them: the day's quantity is
 * what counts, as one delivery. */
gboolean
milk_entry_is_split (const MilkRecord *entry)
{
  g_return_val_if_fail (entry != NULL && entry->type == MILK_RECORD_ENTRY, FALSE);

  return entry->has_split && entry->morning_ml + entry->evening_ml == entry->qty_ml;
}

/* The day's quantity is always the sum, so every version bills the same. */
void
milk_entry_set_split (MilkRecord *entry,
                      gint64      morning_ml,
                      gint64      evening_ml)
{
  g_return_if_fail (entry != NULL && entry->type == MILK_RECORD_ENTRY);

  entry->has_split = TRUE;
  entry->morning_ml = morning_ml;
  entry->evening_ml = evening_ml;
  entry->qty_ml = morning_ml + evening_ml;
}

static const char * const top_members[] = { "type", "key", "hlc", "deleted", "data", NULL };

static const char * const * const data_members[] = {
  [MILK_RECORD_PRODUCT] = (const char * const[]) { "name", "unit", "default_qty_ml", "weekday_qty_ml",
                                                   "position", "archived", "evening_qty_ml", NULL },
  [MILK_RECORD_ENTRY] = (const char * const[]) { "qty_ml", "price_override", "note",
                                                 "morning_ml", "evening_ml", NULL },
  [MILK_RECORD_PRICE] = (const char * const[]) { "price_per_l", NULL },
  [MILK_RECORD_PAYMENT] = (const char * const[]) { "day", "amount", "note", "bill", NULL },
  [MILK_RECORD_SETTING] = (const char * const[]) { "value", NULL },
};

static JsonObject *
data_extra (const MilkRecord *self)
{
  JsonNode *node = self->extra ? json_object_get_member (self->extra, "data") : NULL;

  return node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* The members of @extra that this version did not read, as they came.
 * At the top level "data" holds the unknown part of the data, written
 * with the data instead. */
static void
add_extra (JsonBuilder *builder,
           JsonObject  *extra,
           gboolean     top_level)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  if (extra == NULL)
    return;
  json_object_iter_init (&iter, extra);
  while (json_object_iter_next (&iter, &name, &value))
    {
      if (top_level && g_str_equal (name, "data"))
        continue;
      json_builder_set_member_name (builder, name);
      json_builder_add_value (builder, json_node_copy (value));
    }
}

JsonNode *
milk_record_to_json (const MilkRecord *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *key = milk_record_dup_key (self);
  char day[11];

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, milk_record_type_to_string (self->type));
  json_builder_set_member_name (builder, "key");
  json_builder_add_string_value (builder, key);
  json_builder_set_member_name (builder, "hlc");
  json_builder_add_string_value (builder, self->hlc ? self->hlc : "");
  json_builder_set_member_name (builder, "deleted");
  json_builder_add_boolean_value (builder, self->deleted);

  if (!self->deleted)
    {
      json_builder_set_member_name (builder, "data");
      json_builder_begin_object (builder);
      switch (self->type)
        {
        case MILK_RECORD_PRODUCT:
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, self->name ? self->name : "");
          json_builder_set_member_name (builder, "unit");
          json_builder_add_string_value (builder, self->unit ? self->unit : "");
          json_builder_set_member_name (builder, "default_qty_ml");
          json_builder_add_int_value (builder, self->default_qty_ml);
          if (self->has_weekday_qty)
            {
              json_builder_set_member_name (builder, "weekday_qty_ml");
              json_builder_begin_array (builder);
              for (guint i = 0; i < 7; i++)
                json_builder_add_int_value (builder, self->weekday_qty_ml[i]);
              json_builder_end_array (builder);
            }
          json_builder_set_member_name (builder, "position");
          json_builder_add_int_value (builder, self->position);
          json_builder_set_member_name (builder, "archived");
          json_builder_add_boolean_value (builder, self->archived);
          if (self->twice_daily)
            {
              json_builder_set_member_name (builder, "evening_qty_ml");
              json_builder_add_int_value (builder, self->evening_qty_ml);
            }
          break;

        case MILK_RECORD_ENTRY:
          json_builder_set_member_name (builder, "qty_ml");
          json_builder_add_int_value (builder, self->qty_ml);
          json_builder_set_member_name (builder, "price_override");
          if (self->price_override == MILK_NO_PRICE)
            json_builder_add_null_value (builder);
          else
            json_builder_add_int_value (builder, self->price_override);
          json_builder_set_member_name (builder, "note");
          json_builder_add_string_value (builder, self->note ? self->note : "");
          if (self->has_split)
            {
              json_builder_set_member_name (builder, "morning_ml");
              json_builder_add_int_value (builder, self->morning_ml);
              json_builder_set_member_name (builder, "evening_ml");
              json_builder_add_int_value (builder, self->evening_ml);
            }
          break;

        case MILK_RECORD_PRICE:
          json_builder_set_member_name (builder, "price_per_l");
          json_builder_add_int_value (builder, self->price_per_l);
          break;

        case MILK_RECORD_PAYMENT:
          milk_day_format_iso (self->day, day);
          json_builder_set_member_name (builder, "day");
          json_builder_add_string_value (builder, day);
          json_builder_set_member_name (builder, "amount");
          json_builder_add_int_value (builder, self->amount);
          json_builder_set_member_name (builder, "note");
          json_builder_add_string_value (builder, self->note ? self->note : "");
          if (self->bill != MILK_DAY_INVALID)
            {
              char bill[8];

              milk_day_format_month (self->bill, bill);
              json_builder_set_member_name (builder, "bill");
              json_builder_add_string_value (builder, bill);
            }
          break;

        case MILK_RECORD_SETTING:
          json_builder_set_member_name (builder, "value");
          json_builder_add_string_value (builder, self->value ? self->value : "");
          break;

        default:
          g_assert_not_reached ();
        }
      add_extra (builder, data_extra (self), FALSE);
      json_builder_end_object (builder);
    }

  add_extra (builder, self->extra, TRUE);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* Reading members strictly: a missing member or one of the wrong JSON type
 * is an error with the code the field would fail validation with. */
static gboolean
read_string (JsonObject  *obj,
             const char  *name,
             gboolean     required,
             char       **out,
             int          code,
             GError     **error)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (!required && (node == NULL || JSON_NODE_HOLDS_NULL (node)))
    return TRUE;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, MILK_ERROR, code, _("The field “%s” is missing or not text"), name);
      return FALSE;
    }

  g_free (*out);
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

static gboolean
read_int (JsonObject  *obj,
          const char  *name,
          gboolean     nullable,
          gint64      *out,
          int          code,
          GError     **error)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node != NULL && nullable && JSON_NODE_HOLDS_NULL (node))
    {
      *out = MILK_NO_PRICE;
      return TRUE;
    }
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_set_error (error, MILK_ERROR, code, _("The field “%s” is missing or not a whole number"), name);
      return FALSE;
    }
  *out = json_node_get_int (node);
  return TRUE;
}

static gboolean
read_bool (JsonObject  *obj,
           const char  *name,
           gboolean    *out,
           GError     **error)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_FIELD,
                   _("The field “%s” is missing or not true/false"), name);
      return FALSE;
    }
  *out = json_node_get_boolean (node);
  return TRUE;
}

/* Optional: seven whole numbers, Monday first. */
static gboolean
read_weekdays (JsonObject  *obj,
               MilkRecord  *self,
               GError     **error)
{
  JsonNode *node = json_object_get_member (obj, "weekday_qty_ml");
  JsonArray *array;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (array = json_node_get_array (node)) != 7)
    goto bad;
  for (guint i = 0; i < 7; i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_INT64)
        goto bad;
      self->weekday_qty_ml[i] = json_node_get_int (element);
    }
  self->has_weekday_qty = TRUE;
  return TRUE;

bad:
  g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_QTY,
               _("The field “weekday_qty_ml” must be seven whole numbers"));
  return FALSE;
}

/* Optional: the month whose bill a payment pays, "YYYY-MM". */
static gboolean
read_bill (JsonObject  *obj,
           MilkRecord  *self,
           GError     **error)
{
  g_autofree char *text = NULL;

  if (!read_string (obj, "bill", FALSE, &text, MILK_ERROR_INVALID_DAY, error))
    return FALSE;
  if (text == NULL)
    return TRUE;
  self->bill = milk_day_parse_month (text);
  if (self->bill == MILK_DAY_INVALID)
    {
      g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_DAY,
                   _("The field “bill” must be a month written YYYY-MM"));
      return FALSE;
    }
  return TRUE;
}

/* Optional: the usual evening quantity of a product delivered twice a day. */
static gboolean
read_evening (JsonObject  *obj,
              MilkRecord  *self,
              GError     **error)
{
  JsonNode *node = json_object_get_member (obj, "evening_qty_ml");

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!read_int (obj, "evening_qty_ml", FALSE, &self->evening_qty_ml, MILK_ERROR_INVALID_QTY, error))
    return FALSE;
  self->twice_daily = TRUE;
  return TRUE;
}

/* Optional, both or neither: a day's morning and evening deliveries. */
static gboolean
read_split (JsonObject  *obj,
            MilkRecord  *self,
            GError     **error)
{
  gboolean morning = json_object_has_member (obj, "morning_ml");
  gboolean evening = json_object_has_member (obj, "evening_ml");

  if (!morning && !evening)
    return TRUE;
  if (morning != evening)
    {
      g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_QTY,
                   _("A day needs both “morning_ml” and “evening_ml”, or neither"));
      return FALSE;
    }
  if (!read_int (obj, "morning_ml", FALSE, &self->morning_ml, MILK_ERROR_INVALID_QTY, error) ||
      !read_int (obj, "evening_ml", FALSE, &self->evening_ml, MILK_ERROR_INVALID_QTY, error))
    return FALSE;
  self->has_split = TRUE;
  return TRUE;
}

static gboolean
read_data (MilkRecord  *self,
           JsonObject  *data,
           GError     **error)
{
  g_autofree char *day = NULL;

  switch (self->type)
    {
    case MILK_RECORD_PRODUCT:
      return read_string (data, "name", TRUE, &self->name, MILK_ERROR_INVALID_NAME, error) &&
             read_string (data, "unit", TRUE, &self->unit, MILK_ERROR_INVALID_NAME, error) &&
             read_int (data, "default_qty_ml", FALSE, &self->default_qty_ml, MILK_ERROR_INVALID_QTY, error) &&
             read_weekdays (data, self, error) &&
             read_int (data, "position", FALSE, &self->position, MILK_ERROR_INVALID_FIELD, error) &&
             read_bool (data, "archived", &self->archived, error) &&
             read_evening (data, self, error);

    case MILK_RECORD_ENTRY:
      return read_int (data, "qty_ml", FALSE, &self->qty_ml, MILK_ERROR_INVALID_QTY, error) &&
             (!json_object_has_member (data, "price_override") ||
              read_int (data, "price_override", TRUE, &self->price_override, MILK_ERROR_INVALID_PRICE, error)) &&
             read_string (data, "note", FALSE, &self->note, MILK_ERROR_INVALID_NOTE, error) &&
             read_split (data, self, error);

    case MILK_RECORD_PRICE:
      return read_int (data, "price_per_l", FALSE, &self->price_per_l, MILK_ERROR_INVALID_PRICE, error);

    case MILK_RECORD_PAYMENT:
      if (!read_string (data, "day", TRUE, &day, MILK_ERROR_INVALID_DAY, error))
        return FALSE;
      self->day = milk_day_parse (day, error);
      return self->day != MILK_DAY_INVALID &&
             read_int (data, "amount", FALSE, &self->amount, MILK_ERROR_INVALID_AMOUNT, error) &&
             read_string (data, "note", FALSE, &self->note, MILK_ERROR_INVALID_NOTE, error) &&
             read_bill (data, self, error);

    case MILK_RECORD_SETTING:
      return read_string (data, "value", TRUE, &self->value, MILK_ERROR_INVALID_SETTING, error);

    default:
      g_assert_not_reached ();
    }
}

static gboolean
is_one_of (const char         *name,
           const char * const *names)
{
  for (; *names; names++)
    if (g_str_equal (name, *names))
      return TRUE;
  return FALSE;
}

/* The members of @obj not in @known, copied; NULL for none. */
static JsonObject *
unknown_members (JsonObject         *obj,
                 const char * const *known)
{
  JsonObject *unknown = NULL;
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  json_object_iter_init (&iter, obj);
  while (json_object_iter_next (&iter, &name, &value))
    if (!is_one_of (name, known))
      {
        if (unknown == NULL)
          unknown = json_object_new ();
        json_object_set_member (unknown, name, json_node_copy (value));
      }
  return unknown;
}

/* Whether every number in @node is one json-glib writes back as JSON: a
 * double too large for 64 bits would come out as "inf". */
static gboolean
numbers_are_finite (JsonNode *node)
{
  if (JSON_NODE_HOLDS_VALUE (node))
    return json_node_get_value_type (node) != G_TYPE_DOUBLE || isfinite (json_node_get_double (node));
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        if (!numbers_are_finite (json_array_get_element (array, i)))
          return FALSE;
    }
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &name, &value))
        if (!numbers_are_finite (value))
          return FALSE;
    }
  return TRUE;
}

/* What a newer version wrote that this one does not read, to be written
 * back unchanged: DESIGN "Versions mix". */
static gboolean
read_extra (MilkRecord  *self,
            JsonObject  *obj,
            JsonObject  *data,
            GError     **error)
{
  JsonObject *extra = unknown_members (obj, top_members);
  JsonObject *data_extra = data ? unknown_members (data, data_members[self->type]) : NULL;

  if (data_extra != NULL)
    {
      if (extra == NULL)
        extra = json_object_new ();
      json_object_set_object_member (extra, "data", data_extra);
    }
  self->extra = extra;
  if (extra != NULL)
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), extra);
      g_autofree char *text = NULL;

      if (!numbers_are_finite (node))
        {
          g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_FIELD, _("A change holds a number out of range"));
          return FALSE;
        }
      text = json_to_string (node, FALSE);
      if (strlen (text) > MILK_RECORD_MAX_EXTRA_BYTES)
        {
          g_set_error (error, MILK_ERROR, MILK_ERROR_TOO_LARGE,
                       _("A change holds more than %d bytes of fields this version does not know"),
                       MILK_RECORD_MAX_EXTRA_BYTES);
          return FALSE;
        }
    }
  return TRUE;
}

char *
milk_record_dup_extra_text (const MilkRecord *self)
{
  g_autoptr(JsonNode) node = NULL;

  if (self->extra == NULL)
    return NULL;
  node = json_node_init_object (json_node_alloc (), self->extra);
  return json_to_string (node, FALSE);
}

/* FALSE, and no extra, for text that is not a JSON object. */
gboolean
milk_record_set_extra_text (MilkRecord *self,
                            const char *text)
{
  g_autoptr(JsonNode) node = NULL;

  g_clear_pointer (&self->extra, json_object_unref);
  if (text == NULL || *text == '\0')
    return TRUE;
  node = json_from_string (text, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  if (json_object_get_size (json_node_get_object (node)) > 0)
    self->extra = json_node_dup_object (node);
  return TRUE;
}

/* The members the store keeps in its JSON beside the columns rather than
 * in columns of their own, so that a diary file stays readable by the
 * versions before them, which keep them as members they do not know: a
 * payment's bill, a day's morning and evening, a product's evening. */
static const char * const * const stored_members[] = {
  [MILK_RECORD_PRODUCT] = (const char * const[]) { "evening_qty_ml", NULL },
  [MILK_RECORD_ENTRY] = (const char * const[]) { "morning_ml", "evening_ml", NULL },
  [MILK_RECORD_PRICE] = (const char * const[]) { NULL },
  [MILK_RECORD_PAYMENT] = (const char * const[]) { "bill", NULL },
  [MILK_RECORD_SETTING] = (const char * const[]) { NULL },
};

static gboolean
read_stored (MilkRecord *self,
             JsonObject *data)
{
  switch (self->type)
    {
    case MILK_RECORD_PRODUCT:
      return read_evening (data, self, NULL);
    case MILK_RECORD_ENTRY:
      return read_split (data, self, NULL);
    case MILK_RECORD_PAYMENT:
      return read_bill (data, self, NULL);
    case MILK_RECORD_PRICE:
    case MILK_RECORD_SETTING:
    default:
      return TRUE;
    }
}

/* What the store keeps as JSON beside its columns: the unknown members
 * and the stored_members this record has. */
char *
milk_record_dup_stored_text (const MilkRecord *self)
{
  g_autoptr(JsonNode) whole = NULL;
  g_autoptr(JsonObject) extra = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *data, *kept = NULL;

  if (!self->deleted)
    {
      whole = milk_record_to_json (self);
      data = json_object_get_object_member (json_node_get_object (whole), "data");
      for (const char * const *name = stored_members[self->type]; *name; name++)
        if (json_object_has_member (data, *name))
          {
            if (kept == NULL)
              kept = json_object_new ();
            json_object_set_member (kept, *name, json_node_copy (json_object_get_member (data, *name)));
          }
    }
  if (kept == NULL)
    return milk_record_dup_extra_text (self);

  if (self->extra)
    {
      g_autofree char *text = milk_record_dup_extra_text (self);
      g_autoptr(JsonNode) copy = json_from_string (text, NULL);

      extra = json_node_dup_object (copy);
    }
  else
    extra = json_object_new ();
  data = json_object_has_member (extra, "data") && JSON_NODE_HOLDS_OBJECT (json_object_get_member (extra, "data"))
         ? json_object_get_object_member (extra, "data") : NULL;
  if (data == NULL)
    {
      data = json_object_new ();
      json_object_set_object_member (extra, "data", data);
    }
  {
    JsonObjectIter iter;
    const char *name;
    JsonNode *value;

    json_object_iter_init (&iter, kept);
    while (json_object_iter_next (&iter, &name, &value))
      json_object_set_member (data, name, json_node_copy (value));
  }
  json_object_unref (kept);
  node = json_node_init_object (json_node_alloc (), extra);
  return json_to_string (node, FALSE);
}

/* Members that do not read as they should stay unknown, sent back as
 * they came. */
gboolean
milk_record_set_stored_text (MilkRecord *self,
                             const char *text)
{
  JsonNode *data_node;
  JsonObject *data;

  if (!milk_record_set_extra_text (self, text))
    return FALSE;
  if (self->extra == NULL)
    return TRUE;
  data_node = json_object_get_member (self->extra, "data");
  if (data_node == NULL || !JSON_NODE_HOLDS_OBJECT (data_node))
    return TRUE;
  data = json_node_get_object (data_node);
  if (read_stored (self, data))
    for (const char * const *name = stored_members[self->type]; *name; name++)
      if (json_object_has_member (data, *name))
        json_object_remove_member (data, *name);
  if (json_object_get_size (data) == 0)
    json_object_remove_member (self->extra, "data");
  if (json_object_get_size (self->extra) == 0)
    g_clear_pointer (&self->extra, json_object_unref);
  return TRUE;
}

/* Decodes and validates one change; the result is always a valid record. */
MilkRecord *
milk_record_from_json (JsonNode  *node,
                       GError   **error)
{
  g_autoptr(MilkRecord) self = NULL;
  g_autofree char *type_name = NULL;
  g_autofree char *key = NULL;
  JsonObject *obj;
  JsonNode *data = NULL;
  MilkRecordType type;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_DOCUMENT, _("A change must be a JSON object"));
      return NULL;
    }
  obj = json_node_get_object (node);

  if (!read_string (obj, "type", TRUE, &type_name, MILK_ERROR_INVALID_TYPE, error))
    return NULL;
  if (!milk_record_type_from_string (type_name, &type))
    {
      g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_TYPE, _("Unknown record type"));
      return NULL;
    }

  self = milk_record_new (type);
  if (!read_string (obj, "key", TRUE, &key, MILK_ERROR_INVALID_KEY, error) ||
      !milk_record_set_key (self, key, error) ||
      !read_string (obj, "hlc", TRUE, &self->hlc, MILK_ERROR_INVALID_HLC, error) ||
      !read_bool (obj, "deleted", &self->deleted, error))
    return NULL;

  if (!self->deleted)
    {
      data = json_object_get_member (obj, "data");
      if (data == NULL || !JSON_NODE_HOLDS_OBJECT (data))
        {
          g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_FIELD, _("A change needs its data as an object"));
          return NULL;
        }
      if (!read_data (self, json_node_get_object (data), error))
        return NULL;
    }
  if (!read_extra (self, obj, self->deleted ? NULL : json_node_get_object (data), error))
    return NULL;

  if (!milk_record_validate (self, error))
    return NULL;

  return g_steal_pointer (&self);
}
