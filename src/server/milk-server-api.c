/* milk-server-api.c — the diary's resources for other clients: a month's
 * bill, products, entries and payments, on the records sync keeps; here
 * what they share, the JSON both ways and how a write is stored
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <string.h>

#include "milk-error.h"
#include "milk-hlc.h"
#include "milk-server-api-private.h"
#include "milk-server-db-sync.h"
#include "milk-server-request.h"

/* The service writes as one more device of every account, its node
 * "milk" in ASCII and 32 random bits. Random per write, because two
 * writes to one record in the same millisecond (two instances, or two
 * requests at once) must not carry the same stamp: an equal stamp is
 * taken for the same change, and one of them would be lost unreported. */
#define API_NODE_PREFIX G_GUINT64_CONSTANT (0x6d696c6b00000000)
/* A write that a device's newer change beat while it was being made is
 * stamped again above that one, this many times at most. */
#define WRITE_TRIES   3

/* ---- JSON ---- */

void
_milk_api_add_day (JsonBuilder *builder,
                   const char  *name,
                   MilkDay      day)
{
  char text[11];

  json_builder_set_member_name (builder, name);
  if (!milk_day_is_valid (day))
    {
      json_builder_add_null_value (builder);
      return;
    }
  milk_day_format_iso (day, text);
  json_builder_add_string_value (builder, text);
}

void
_milk_api_add_month (JsonBuilder *builder,
                     const char  *name,
                     MilkDay      month)
{
  char text[8];

  json_builder_set_member_name (builder, name);
  if (!milk_day_is_valid (month))
    {
      json_builder_add_null_value (builder);
      return;
    }
  milk_day_format_month (month, text);
  json_builder_add_string_value (builder, text);
}

void
_milk_api_add_int (JsonBuilder *builder,
                   const char  *name,
                   gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

void
_milk_api_add_string (JsonBuilder *builder,
                      const char  *name,
                      const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
_milk_api_add_bool (JsonBuilder *builder,
                    const char  *name,
                    gboolean     value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

void
_milk_api_add_price (JsonBuilder *builder,
                     const char  *name,
                     gint64       price)
{
  json_builder_set_member_name (builder, name);
  if (price == MILK_NO_PRICE)
    json_builder_add_null_value (builder);
  else
    json_builder_add_int_value (builder, price);
}

void
_milk_api_add_entry (JsonBuilder      *builder,
                     const MilkRecord *entry)
{
  json_builder_begin_object (builder);
  _milk_api_add_string (builder, "product", entry->id);
  _milk_api_add_day (builder, "day", entry->day);
  _milk_api_add_int (builder, "qty_ml", entry->qty_ml);
  if (milk_entry_is_split (entry))
    {
      _milk_api_add_int (builder, "morning_ml", entry->morning_ml);
      _milk_api_add_int (builder, "evening_ml", entry->evening_ml);
    }
  _milk_api_add_price (builder, "price_override", entry->price_override);
  _milk_api_add_string (builder, "note", entry->note ? entry->note : "");
  _milk_api_add_string (builder, "hlc", entry->hlc);
  json_builder_end_object (builder);
}

void
_milk_api_add_payment (JsonBuilder      *builder,
                       const MilkRecord *payment,
                       MilkDay           bill)
{
  json_builder_begin_object (builder);
  _milk_api_add_string (builder, "id", payment->id);
  _milk_api_add_day (builder, "day", payment->day);
  _milk_api_add_int (builder, "amount", payment->amount);
  _milk_api_add_string (builder, "note", payment->note ? payment->note : "");
  _milk_api_add_month (builder, "bill", bill);
  _milk_api_add_string (builder, "hlc", payment->hlc);
  json_builder_end_object (builder);
}

void
_milk_api_respond_builder (MilkRequest *request,
                           guint        status,
                           JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  milk_request_add_header (request, "Cache-Control", "no-store");
  milk_respond_json (request, status, root);
}

void
_milk_api_respond_invalid (MilkRequest  *request,
                           const GError *error)
{
  milk_respond_error (request, SOUP_STATUS_BAD_REQUEST,
                      error->domain == MILK_ERROR ? milk_error_code_name (error->code) : "invalid_document",
                      error->message);
}

/* ---- reading a request ---- */

/* The body as a JSON object; NULL with the answer given. */
JsonObject *
_milk_api_read_object (MilkRequest *request)
{
  const char *type = milk_request_header (request, "Content-Type");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  const char *data = "";
  gsize length = 0;
  JsonNode *root;

  if (type == NULL || !g_str_has_prefix (type, "application/json"))
    {
      milk_respond_error (request, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                          "Send the request as application/json");
      return NULL;
    }
  if (request->body)
    data = g_bytes_get_data (request->body, &length);
  if (!g_utf8_validate (data, length, NULL) || memchr (data, '\0', length) != NULL)
    {
      milk_respond_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_utf8", "The request is not UTF-8 text");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, length, &error) ||
      (root = json_parser_get_root (parser)) == NULL)
    {
      milk_respond_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_json", "The request is not JSON");
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      milk_respond_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_document",
                          "The request must be a JSON object");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

/* Every member of @object is one of @known; else FALSE with the answer. */
gboolean
_milk_api_only_known_members (MilkRequest        *request,
                              JsonObject         *object,
                              const char * const *known)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l; l = l->next)
    if (!g_strv_contains (known, l->data))
      {
        g_autofree char *message = g_strdup_printf ("“%s” is not a field of this resource", (char *) l->data);

        milk_respond_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_field", message);
        return FALSE;
      }
  return TRUE;
}

/* An integer member (never a float, a string or a boolean). */
MilkApiMember
_milk_api_int_member (JsonObject *object,
                      const char *name,
                      gint64     *value)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    return MILK_API_MEMBER_ABSENT;
  if (JSON_NODE_HOLDS_NULL (node))
    return MILK_API_MEMBER_NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return MILK_API_MEMBER_WRONG;
  *value = json_node_get_int (node);
  return MILK_API_MEMBER_SET;
}

MilkApiMember
_milk_api_string_member (JsonObject  *object,
                         const char  *name,
                         const char **value)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    return MILK_API_MEMBER_ABSENT;
  if (JSON_NODE_HOLDS_NULL (node))
    return MILK_API_MEMBER_NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return MILK_API_MEMBER_WRONG;
  *value = json_node_get_string (node);
  return MILK_API_MEMBER_SET;
}

gboolean
_milk_api_fail (MilkRequest *request,
                const char  *code,
                const char  *message)
{
  milk_respond_error (request, SOUP_STATUS_BAD_REQUEST, code, message);
  return FALSE;
}

MilkRecord *
_milk_api_refuse (MilkRequest *request,
                  const char  *code,
                  const char  *message)
{
  _milk_api_fail (request, code, message);
  return NULL;
}

/* An address of @n non-empty segments after @prefix, as a path template
 * matches: else there is nothing here (404, before any token check,
 * as for any other unknown path). */
gboolean
_milk_api_has_segments (MilkRequest *request,
                        const char  *prefix,
                        guint        n)
{
  g_auto(GStrv) parts = g_strsplit (request->path + strlen (prefix), "/", -1);

  if (g_strv_length (parts) == n)
    {
      guint i;

      for (i = 0; i < n && parts[i][0] != '\0'; i++)
        ;
      if (i == n)
        return TRUE;
    }
  milk_respond_error (request, SOUP_STATUS_NOT_FOUND, "not_found", "There is nothing here");
  return FALSE;
}

/* A day as the API writes it: exactly YYYY-MM-DD. */
MilkDay
_milk_api_parse_day (const char *text)
{
  if (text == NULL || strlen (text) != 10)
    return MILK_DAY_INVALID;
  return milk_day_parse (text, NULL);
}

/* ---- writing: stamped by the service, stored as sync stores a push ---- */

/* Stores @record, stamped above the version it replaces (@replaced_hlc,
 * NULL for none) and above any a device pushed meanwhile; FALSE with the
 * answer given. */
gboolean
_milk_api_store_record (MilkRequest *request,
                        PGconn      *conn,
                        gint64       account_id,
                        MilkRecord  *record,
                        const char  *replaced_hlc)
{
  guint64 node = API_NODE_PREFIX | g_random_int ();
  g_autoptr(MilkHlc) hlc = milk_hlc_new (node, NULL, NULL);
  g_autofree char *node_text = g_strdup_printf ("%016" G_GINT64_MODIFIER "x", node);
  g_autofree char *above = g_strdup (replaced_hlc);

  for (guint attempt = 0; attempt < WRITE_TRIES; attempt++)
    {
      g_autoptr(GPtrArray) records = g_ptr_array_new ();
      g_autoptr(GArray) superseded = g_array_new (FALSE, FALSE, sizeof (guint));
      g_autoptr(GPtrArray) winners = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GError) error = NULL;
      MilkHlcStamp replaced = { 0, 0, 0 }, stamp;
      char text[MILK_HLC_STRING_LEN + 1];

      if (above && !milk_hlc_stamp_parse (above, &replaced, NULL))
        memset (&replaced, 0, sizeof replaced);
      milk_hlc_now_above (hlc, &replaced, &stamp);
      milk_hlc_stamp_format (&stamp, text);
      g_free (record->hlc);
      record->hlc = g_strdup (text);

      g_ptr_array_add (records, record);
      if (!milk_db_sync_push (conn, account_id, node_text, records, NULL, superseded, winners, &error))
        {
          milk_respond_db_error (request, error);
          return FALSE;
        }
      if (superseded->len == 0)
        return TRUE;

      /* A device's newer change came in between: go above it. */
      g_clear_pointer (&above, g_free);
      if (winners->len > 0)
        {
          g_autoptr(JsonNode) winner_json = json_from_string (g_ptr_array_index (winners, 0), NULL);
          g_autoptr(MilkRecord) winner = winner_json ? milk_record_from_json (winner_json, NULL) : NULL;

          above = winner ? g_strdup (winner->hlc) : NULL;
        }
    }
  milk_request_add_header (request, "Retry-After", "1");
  milk_respond_error (request, SOUP_STATUS_CONFLICT, "conflict",
                      "Other changes to this record kept coming in; try again");
  return FALSE;
}
