/* milk-record-stored.c — what the store keeps as JSON beside a record's columns
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-core"

#include "config.h"

#include "milk-record.h"
#include "milk-record-private.h"

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
      return _milk_record_read_evening (data, self, NULL);
    case MILK_RECORD_ENTRY:
      return _milk_record_read_split (data, self, NULL);
    case MILK_RECORD_PAYMENT:
      return _milk_record_read_bill (data, self, NULL);
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
