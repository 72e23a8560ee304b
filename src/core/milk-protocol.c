/* milk-protocol.c — the sync protocol's JSON codec (v1)
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-core"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "milk-error.h"
#include "milk-hlc.h"
#include "milk-protocol.h"
#include "milk-protocol-private.h"

void
milk_rejection_free (MilkRejection *rejection)
{
  if (rejection == NULL)
    return;
  g_free (rejection->code);
  g_free (rejection->message);
  g_free (rejection);
}

void
milk_unreadable_change_free (MilkUnreadableChange *change)
{
  if (change == NULL)
    return;
  g_free (change->type);
  g_free (change->key);
  g_free (change->hlc);
  g_free (change->json);
  g_free (change->code);
  g_free (change->message);
  g_free (change);
}

MilkSyncMessage *
milk_sync_message_new (void)
{
  MilkSyncMessage *self = g_new0 (MilkSyncMessage, 1);

  self->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  self->rejected = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_rejection_free);
  self->unreadable = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_unreadable_change_free);
  self->change_texts = g_ptr_array_new_with_free_func (g_free);
  self->version = MILK_PROTOCOL_VERSION;
  return self;
}

void
milk_sync_message_free (MilkSyncMessage *self)
{
  if (self == NULL)
    return;
  g_free (self->cursor);
  g_free (self->instance);
  g_free (self->node);
  g_ptr_array_unref (self->changes);
  g_ptr_array_unref (self->rejected);
  g_ptr_array_unref (self->unreadable);
  g_ptr_array_unref (self->change_texts);
  g_free (self);
}

void
milk_sync_message_reject (MilkSyncMessage *self,
                          guint            index,
                          const GError    *error)
{
  MilkRejection *rejection = g_new0 (MilkRejection, 1);

  rejection->index = index;
  if (error != NULL && error->domain == MILK_ERROR)
    rejection->code = g_strdup (milk_error_code_name (error->code));
  else
    rejection->code = g_strdup ("invalid_document");
  rejection->message = g_strdup (error ? error->message : "");
  g_ptr_array_add (self->rejected, rejection);
}

static gboolean
cursor_is_valid (const char *cursor)
{
  gsize len = strlen (cursor);

  if (len == 0 || len > MILK_PROTOCOL_MAX_CURSOR)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (cursor[i]) && cursor[i] != '-' && cursor[i] != '_' && cursor[i] != '.')
      return FALSE;
  return TRUE;
}

static gboolean
read_cursor (JsonObject       *obj,
             MilkSyncMessage  *message,
             gboolean          required,
             GError          **error)
{
  JsonNode *node = json_object_get_member (obj, "cursor");

  if (node == NULL && !required)
    return TRUE;
  if (node != NULL && JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING ||
      !cursor_is_valid (json_node_get_string (node)))
    {
      g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_CURSOR, _("The cursor is malformed"));
      return FALSE;
    }
  message->cursor = g_strdup (json_node_get_string (node));
  return TRUE;
}

/* "instance": absent, null, or a token of cursor characters. */
static gboolean
read_instance (JsonObject       *obj,
               MilkSyncMessage  *message,
               GError          **error)
{
  JsonNode *node = json_object_get_member (obj, "instance");

  message->has_instance = node != NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING ||
      strlen (json_node_get_string (node)) > MILK_PROTOCOL_MAX_INSTANCE ||
      !cursor_is_valid (json_node_get_string (node)))
    {
      g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_DOCUMENT, _("The diary’s instance token is malformed"));
      return FALSE;
    }
  message->instance = g_strdup (json_node_get_string (node));
  return TRUE;
}

static JsonArray *
read_array (JsonObject  *obj,
            const char  *name,
            gboolean     required,
            GError     **error)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL && !required)
    return NULL;
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_DOCUMENT, _("“%s” must be a list"), name);
      return NULL;
    }
  if (json_array_get_length (json_node_get_array (node)) > MILK_PROTOCOL_MAX_CHANGES)
    {
      g_set_error (error, MILK_ERROR, MILK_ERROR_TOO_MANY_CHANGES, _("At most %d changes fit in one message"),
                   MILK_PROTOCOL_MAX_CHANGES);
      return NULL;
    }
  return json_node_get_array (node);
}

/* Every change is decoded on its own: a bad one is rejected by index with
 * its reason, the good ones still go through, each with its text. */
static void
read_changes (JsonArray       *changes,
              const char      *data,
              gsize            length,
              MilkSyncMessage *message)
{
  g_autoptr(GArray) spans = NULL;
  guint n = changes ? json_array_get_length (changes) : 0;

  if (n > 0)
    spans = _milk_protocol_find_change_spans (data, length);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      JsonNode *element = json_array_get_element (changes, i);
      MilkRecord *record = milk_record_from_json (element, &error);

      if (record == NULL)
        {
          milk_sync_message_reject (message, i, error);
          continue;
        }
      g_ptr_array_add (message->changes, record);
      g_ptr_array_add (message->change_texts, _milk_protocol_dup_change_text (spans, n, i, element));
    }
}

/* "version": absent for apps before it (1), else a whole number from 1. */
static gboolean
read_version (JsonObject       *obj,
              MilkSyncMessage  *message,
              GError          **error)
{
  JsonNode *node = json_object_get_member (obj, "version");

  message->version = 1;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
      json_node_get_int (node) < 1 || json_node_get_int (node) > MILK_PROTOCOL_MAX_VERSION)
    {
      g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_DOCUMENT, _("“version” must be a whole number from 1"));
      return FALSE;
    }
  message->version = json_node_get_int (node);
  return TRUE;
}

static char *
dup_string_member (JsonNode   *node,
                   const char *name)
{
  JsonNode *member;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  member = json_object_get_member (json_node_get_object (node), name);
  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_node_get_string (member));
}

/* A pulled change is the service's record, not something this device
 * sent: one that does not decode here (a newer version's type or values)
 * is kept apart as unreadable, with the text received, and never mapped
 * onto the index of a pushed change. */
static void
read_pulled_changes (JsonArray       *changes,
                     const char      *data,
                     gsize            length,
                     MilkSyncMessage *message)
{
  g_autoptr(GArray) spans = NULL;
  guint n = changes ? json_array_get_length (changes) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      JsonNode *element = json_array_get_element (changes, i);
      MilkRecord *record = milk_record_from_json (element, &error);
      MilkUnreadableChange *change;

      if (record)
        {
          g_ptr_array_add (message->changes, record);
          continue;
        }

      change = g_new0 (MilkUnreadableChange, 1);
      change->type = dup_string_member (element, "type");
      change->key = dup_string_member (element, "key");
      change->hlc = dup_string_member (element, "hlc");
      if (error->domain == MILK_ERROR)
        change->code = g_strdup (milk_error_code_name (error->code));
      else
        change->code = g_strdup ("invalid_document");
      change->message = g_strdup (error->message);

      if (spans == NULL)
        spans = _milk_protocol_find_change_spans (data, length);
      change->json = _milk_protocol_dup_change_text (spans, n, i, element);
      g_ptr_array_add (message->unreadable, change);
    }
}

MilkSyncMessage *
milk_sync_request_decode (const char  *data,
                          gsize        length,
                          GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(MilkSyncMessage) message = milk_sync_message_new ();
  g_autoptr(GError) local_error = NULL;
  JsonObject *obj;
  JsonNode *node;
  JsonArray *changes;
  guint64 node_id;

  if ((obj = _milk_protocol_parse_document (parser, data, length, error)) == NULL ||
      !read_cursor (obj, message, TRUE, error))
    return NULL;

  node = json_object_get_member (obj, "node");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING ||
      !milk_hlc_node_parse (json_node_get_string (node), &node_id))
    {
      g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_NODE, _("The device node id is malformed"));
      return NULL;
    }
  message->node = g_strdup (json_node_get_string (node));
  if (!read_instance (obj, message, error) ||
      !read_version (obj, message, error))
    return NULL;

  changes = read_array (obj, "changes", TRUE, &local_error);
  if (local_error)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  read_changes (changes, data, length, message);
  return g_steal_pointer (&message);
}

MilkSyncMessage *
milk_sync_response_decode (const char  *data,
                           gsize        length,
                           GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(MilkSyncMessage) message = milk_sync_message_new ();
  g_autoptr(GError) local_error = NULL;
  JsonObject *obj;
  JsonNode *more, *time;
  JsonArray *changes, *rejected;

  if ((obj = _milk_protocol_parse_document (parser, data, length, error)) == NULL ||
      !read_cursor (obj, message, TRUE, error))
    return NULL;

  more = json_object_get_member (obj, "more");
  if (more == NULL || !JSON_NODE_HOLDS_VALUE (more) || json_node_get_value_type (more) != G_TYPE_BOOLEAN)
    {
      g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_DOCUMENT, _("“more” must be true or false"));
      return NULL;
    }
  message->more = json_node_get_boolean (more);

  /* Optional: a service older than this app does not send its time. */
  time = json_object_get_member (obj, "time");
  if (time != NULL &&
      (!JSON_NODE_HOLDS_VALUE (time) || json_node_get_value_type (time) != G_TYPE_INT64 ||
       json_node_get_int (time) < 0 || json_node_get_int (time) > MILK_PROTOCOL_MAX_TIME))
    {
      g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_DOCUMENT,
                   _("“time” must be a count of milliseconds since 1970"));
      return NULL;
    }
  message->time = time ? json_node_get_int (time) : 0;
  if (!read_instance (obj, message, error))
    return NULL;

  changes = read_array (obj, "changes", TRUE, &local_error);
  if (local_error == NULL)
    rejected = read_array (obj, "rejected", FALSE, &local_error);
  if (local_error)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  read_pulled_changes (changes, data, length, message);

  for (guint i = 0; rejected && i < json_array_get_length (rejected); i++)
    {
      JsonNode *element = json_array_get_element (rejected, i);
      JsonObject *r;
      JsonNode *index, *code, *text;
      MilkRejection *rejection;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        goto bad_rejection;
      r = json_node_get_object (element);
      index = json_object_get_member (r, "index");
      code = json_object_get_member (r, "code");
      text = json_object_get_member (r, "message");
      if (index == NULL || !JSON_NODE_HOLDS_VALUE (index) || json_node_get_value_type (index) != G_TYPE_INT64 ||
          json_node_get_int (index) < 0 || json_node_get_int (index) >= MILK_PROTOCOL_MAX_CHANGES ||
          code == NULL || !JSON_NODE_HOLDS_VALUE (code) || json_node_get_value_type (code) != G_TYPE_STRING ||
          (text != NULL && (!JSON_NODE_HOLDS_VALUE (text) || json_node_get_value_type (text) != G_TYPE_STRING)))
        goto bad_rejection;

      rejection = g_new0 (MilkRejection, 1);
      rejection->index = json_node_get_int (index);
      rejection->code = g_strdup (json_node_get_string (code));
      rejection->message = g_strdup (text ? json_node_get_string (text) : "");
      g_ptr_array_add (message->rejected, rejection);
    }

  return g_steal_pointer (&message);

bad_rejection:
  g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_DOCUMENT, _("A rejection is malformed"));
  return NULL;
}

/* The changes of a response, each as its stored text when there is one,
 * appended as the document's last member to @text (the rest of the
 * document, an object of at least one member). The text was checked when
 * it was stored and is served as it is, never decoded and encoded again. */
static char *
append_changes (char                  *text,
                gsize                  text_len,
                const MilkSyncMessage *message,
                gsize                 *length)
{
  GString *out = g_string_new_len (text, text_len - 1);
  GPtrArray *texts = message->change_texts;

  g_free (text);
  g_string_append (out, ",\"changes\":[");
  for (guint i = 0; i < message->changes->len; i++)
    {
      const char *stored = texts->len == message->changes->len ? g_ptr_array_index (texts, i) : NULL;

      if (i > 0)
        g_string_append_c (out, ',');
      if (stored != NULL)
        g_string_append (out, stored);
      else
        {
          g_autoptr(JsonNode) node = milk_record_to_json (g_ptr_array_index (message->changes, i));
          g_autofree char *encoded = json_to_string (node, FALSE);

          g_string_append (out, encoded);
        }
    }
  g_string_append (out, "]}");
  if (length)
    *length = out->len;
  return g_string_free (out, FALSE);
}

static void
add_changes (JsonBuilder     *builder,
             GPtrArray       *changes)
{
  json_builder_set_member_name (builder, "changes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < changes->len; i++)
    json_builder_add_value (builder, milk_record_to_json (g_ptr_array_index (changes, i)));
  json_builder_end_array (builder);
}

static char *
finish (JsonBuilder *builder,
        gsize       *length)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, length);
}

char *
milk_sync_request_encode (const MilkSyncMessage *message,
                          gsize                 *length)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "cursor");
  if (message->cursor)
    json_builder_add_string_value (builder, message->cursor);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "node");
  json_builder_add_string_value (builder, message->node ? message->node : "");
  if (message->has_instance)
    {
      json_builder_set_member_name (builder, "instance");
      if (message->instance)
        json_builder_add_string_value (builder, message->instance);
      else
        json_builder_add_null_value (builder);
    }
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, MILK_PROTOCOL_VERSION);
  add_changes (builder, message->changes);
  json_builder_end_object (builder);
  return finish (builder, length);
}

char *
milk_sync_response_encode (const MilkSyncMessage *message,
                           gsize                 *length)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  char *text;
  gsize text_len;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "cursor");
  if (message->cursor)
    json_builder_add_string_value (builder, message->cursor);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "more");
  json_builder_add_boolean_value (builder, message->more);
  if (message->time > 0)
    {
      json_builder_set_member_name (builder, "time");
      json_builder_add_int_value (builder, message->time);
    }
  if (message->instance)
    {
      json_builder_set_member_name (builder, "instance");
      json_builder_add_string_value (builder, message->instance);
    }
  json_builder_set_member_name (builder, "rejected");
  json_builder_begin_array (builder);
  for (guint i = 0; i < message->rejected->len; i++)
    {
      MilkRejection *rejection = g_ptr_array_index (message->rejected, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "index");
      json_builder_add_int_value (builder, rejection->index);
      json_builder_set_member_name (builder, "code");
      json_builder_add_string_value (builder, rejection->code);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, rejection->message);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  text = finish (builder, &text_len);
  return append_changes (text, text_len, message, length);
}

char *
milk_protocol_error_encode (const char *code,
                            const char *message,
                            gsize      *length)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  return finish (builder, length);
}
