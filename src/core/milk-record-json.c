/* milk-record-json.c — a record as JSON, both ways, keeping what a newer
 * version wrote
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-core"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "milk-error.h"
#include "milk-hlc.h"
#include "milk-record.h"
#include "milk-record-private.h"

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

static void
add_product_data (JsonBuilder      *builder,
                  const MilkRecord *self)
{
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
}

static void
add_entry_data (JsonBuilder      *builder,
                const MilkRecord *self)
{
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
}

static void
add_payment_data (JsonBuilder      *builder,
                  const MilkRecord *self)
{
  char day[11];

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
}

JsonNode *
milk_record_to_json (const MilkRecord *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *key = milk_record_dup_key (self);

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
          add_product_data (builder, self);
          break;

        case MILK_RECORD_ENTRY:
          add_entry_data (builder, self);
          break;

        case MILK_RECORD_PRICE:
          json_builder_set_member_name (builder, "price_per_l");
          json_builder_add_int_value (builder, self->price_per_l);
          break;

        case MILK_RECORD_PAYMENT:
          add_payment_data (builder, self);
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

/* Equal as sync sees them: the same JSON, unknown members included. */
gboolean
milk_record_equal (const MilkRecord *a,
                   const MilkRecord *b)
{
  g_autoptr(JsonNode) ja = milk_record_to_json (a);
  g_autoptr(JsonNode) jb = milk_record_to_json (b);

  return json_node_equal (ja, jb);
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
gboolean
_milk_record_read_bill (JsonObject  *obj,
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
gboolean
_milk_record_read_evening (JsonObject  *obj,
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
gboolean
_milk_record_read_split (JsonObject  *obj,
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
             _milk_record_read_evening (data, self, error);

    case MILK_RECORD_ENTRY:
      return read_int (data, "qty_ml", FALSE, &self->qty_ml, MILK_ERROR_INVALID_QTY, error) &&
             (!json_object_has_member (data, "price_override") ||
              read_int (data, "price_override", TRUE, &self->price_override, MILK_ERROR_INVALID_PRICE, error)) &&
             read_string (data, "note", FALSE, &self->note, MILK_ERROR_INVALID_NOTE, error) &&
             _milk_record_read_split (data, self, error);

    case MILK_RECORD_PRICE:
      return read_int (data, "price_per_l", FALSE, &self->price_per_l, MILK_ERROR_INVALID_PRICE, error);

    case MILK_RECORD_PAYMENT:
      if (!read_string (data, "day", TRUE, &day, MILK_ERROR_INVALID_DAY, error))
        return FALSE;
      self->day = milk_day_parse (day, error);
      return self->day != MILK_DAY_INVALID &&
             read_int (data, "amount", FALSE, &self->amount, MILK_ERROR_INVALID_AMOUNT, error) &&
             read_string (data, "note", FALSE, &self->note, MILK_ERROR_INVALID_NOTE, error) &&
             _milk_record_read_bill (data, self, error);

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
