/* milk-server-api.c — the diary's resources for other clients: a month's
 * bill, products, entries and payments, on the records sync keeps
 *
 * Copyright 2026 The Milk MilkAccountDiary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <string.h>

#include "milk-bill.h"
#include "milk-error.h"
#include "milk-hlc.h"
#include "milk-ledger.h"
#include "milk-money.h"
#include "milk-price-schedule.h"
#include "milk-server-db-api.h"
#include "milk-server-db-sync.h"
#include "milk-server-diary.h"
#include "milk-server-request.h"
#include "milk-server-routes.h"
#include "milk-server-tokens.h"

/* The service writes as one more device of every account, its node
 * "milk" in ASCII and 32 random bits. Random per write, because two
 * writes to one record in the same millisecond (two instances, or two
 * requests at once) must not carry the same stamp: an equal stamp is
 * taken for the same change, and one of them would be lost unreported. */
#define API_NODE_PREFIX G_GUINT64_CONSTANT (0x6d696c6b00000000)
#define ENTRIES_PATH  "/api/v1/entries/"
#define MONTHS_PATH   "/api/v1/months/"
/* A write that a device's newer change beat while it was being made is
 * stamped again above that one, this many times at most. */
#define WRITE_TRIES   3

/* ---- JSON ---- */

static void
add_day (JsonBuilder *builder,
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

static void
add_month (JsonBuilder *builder,
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

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_bool (JsonBuilder *builder,
          const char  *name,
          gboolean     value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

static void
add_price (JsonBuilder *builder,
           const char  *name,
           gint64       price)
{
  json_builder_set_member_name (builder, name);
  if (price == MILK_NO_PRICE)
    json_builder_add_null_value (builder);
  else
    json_builder_add_int_value (builder, price);
}

static void
add_entry (JsonBuilder      *builder,
           const MilkRecord *entry)
{
  json_builder_begin_object (builder);
  add_string (builder, "product", entry->id);
  add_day (builder, "day", entry->day);
  add_int (builder, "qty_ml", entry->qty_ml);
  if (milk_entry_is_split (entry))
    {
      add_int (builder, "morning_ml", entry->morning_ml);
      add_int (builder, "evening_ml", entry->evening_ml);
    }
  add_price (builder, "price_override", entry->price_override);
  add_string (builder, "note", entry->note ? entry->note : "");
  add_string (builder, "hlc", entry->hlc);
  json_builder_end_object (builder);
}

static void
add_payment (JsonBuilder      *builder,
             const MilkRecord *payment,
             MilkDay           bill)
{
  json_builder_begin_object (builder);
  add_string (builder, "id", payment->id);
  add_day (builder, "day", payment->day);
  add_int (builder, "amount", payment->amount);
  add_string (builder, "note", payment->note ? payment->note : "");
  add_month (builder, "bill", bill);
  add_string (builder, "hlc", payment->hlc);
  json_builder_end_object (builder);
}

static void
respond_builder (MilkRequest *request,
                 guint        status,
                 JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  milk_request_add_header (request, "Cache-Control", "no-store");
  milk_respond_json (request, status, root);
}

static void
respond_invalid (MilkRequest  *request,
                 const GError *error)
{
  milk_respond_error (request, SOUP_STATUS_BAD_REQUEST,
                      error->domain == MILK_ERROR ? milk_error_code_name (error->code) : "invalid_document",
                      error->message);
}

/* ---- reading a request ---- */

/* The body as a JSON object; NULL with the answer given. */
static JsonObject *
read_object (MilkRequest *request)
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
static gboolean
only_known_members (MilkRequest        *request,
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

typedef enum
{
  MEMBER_ABSENT,
  MEMBER_NULL,
  MEMBER_SET,
  MEMBER_WRONG,
} MemberState;

/* An integer member (never a float, a string or a boolean). */
static MemberState
int_member (JsonObject *object,
            const char *name,
            gint64     *value)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    return MEMBER_ABSENT;
  if (JSON_NODE_HOLDS_NULL (node))
    return MEMBER_NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return MEMBER_WRONG;
  *value = json_node_get_int (node);
  return MEMBER_SET;
}

static MemberState
string_member (JsonObject  *object,
               const char  *name,
               const char **value)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    return MEMBER_ABSENT;
  if (JSON_NODE_HOLDS_NULL (node))
    return MEMBER_NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return MEMBER_WRONG;
  *value = json_node_get_string (node);
  return MEMBER_SET;
}

static gboolean
fail (MilkRequest *request,
      const char  *code,
      const char  *message)
{
  milk_respond_error (request, SOUP_STATUS_BAD_REQUEST, code, message);
  return FALSE;
}

static MilkRecord *
refuse (MilkRequest *request,
        const char  *code,
        const char  *message)
{
  fail (request, code, message);
  return NULL;
}

/* An address of @n non-empty segments after @prefix, as a path template
 * matches: else there is nothing here (404, before any token check,
 * as for any other unknown path). */
static gboolean
has_segments (MilkRequest *request,
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
static MilkDay
parse_day (const char *text)
{
  if (text == NULL || strlen (text) != 10)
    return MILK_DAY_INVALID;
  return milk_day_parse (text, NULL);
}

/* ---- writing: stamped by the service, stored as sync stores a push ---- */

/* Stores @record, stamped above the version it replaces (@replaced_hlc,
 * NULL for none) and above any a device pushed meanwhile; FALSE with the
 * answer given. */
static gboolean
store_record (MilkRequest *request,
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

/* ---- GET /api/v1/months/YYYY-MM ---- */

static const char *
state_name (MilkBillState state)
{
  switch (state)
    {
    case MILK_BILL_SETTLED:
      return "settled";
    case MILK_BILL_PARTLY_PAID:
      return "partly_paid";
    case MILK_BILL_DUE:
    default:
      return "due";
    }
}

void
milk_route_api_month (MilkRequest *request,
                      PGconn      *conn)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkAccountDiary) diary = NULL;
  g_autoptr(MilkLedger) ledger = NULL;
  g_autoptr(MilkBill) bill = NULL;
  const char *text = request->path + strlen (MONTHS_PATH);
  gint64 account_id;
  MilkDay month;

  if (!has_segments (request, MONTHS_PATH, 1) ||
      (account_id = milk_api_authenticate (request, conn, FALSE)) == 0)
    return;
  if ((month = milk_day_parse_month (text)) == MILK_DAY_INVALID)
    {
      milk_respond_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_month",
                          "Name a month as YYYY-MM, between 1900-01 and 9999-12");
      return;
    }
  if ((diary = milk_account_diary_load (conn, account_id, &error)) == NULL)
    {
      milk_respond_db_error (request, error);
      return;
    }
  ledger = milk_account_diary_ledger (diary);
  bill = milk_bill_new (month, diary->products, diary->entries, diary->schedules, ledger);

  json_builder_begin_object (builder);
  add_month (builder, "month", bill->month);
  add_string (builder, "currency", diary->currency);

  json_builder_set_member_name (builder, "days");
  json_builder_begin_array (builder);
  for (guint i = 0; i < bill->lines->len; i++)
    {
      const MilkBillLine *line = g_ptr_array_index (bill->lines, i);

      json_builder_begin_object (builder);
      add_day (builder, "day", line->day);
      add_string (builder, "product", line->product);
      add_string (builder, "name", line->name);
      add_int (builder, "qty_ml", line->qty_ml);
      if (line->split)
        {
          add_int (builder, "morning_ml", line->morning_ml);
          add_int (builder, "evening_ml", line->evening_ml);
        }
      add_price (builder, "price_per_l", line->price_per_l);
      add_bool (builder, "price_overridden", line->price_overridden);
      add_int (builder, "amount", line->amount);
      add_string (builder, "note", line->note);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "products");
  json_builder_begin_array (builder);
  for (guint i = 0; i < bill->products->len; i++)
    {
      const MilkBillProduct *product = g_ptr_array_index (bill->products, i);

      json_builder_begin_object (builder);
      add_string (builder, "product", product->product);
      add_string (builder, "name", product->name);
      add_int (builder, "qty_ml", product->qty_ml);
      add_int (builder, "amount", product->amount);
      add_int (builder, "delivered_days", product->delivered_days);
      add_int (builder, "skipped_days", product->skipped_days);
      add_int (builder, "unpriced_days", product->unpriced_days);
      if (product->split_days > 0)
        {
          add_int (builder, "split_days", product->split_days);
          add_int (builder, "morning_ml", product->morning_ml);
          add_int (builder, "evening_ml", product->evening_ml);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "prices");
  json_builder_begin_array (builder);
  for (guint i = 0; i < bill->prices->len; i++)
    {
      const MilkBillPrice *price = g_ptr_array_index (bill->prices, i);

      json_builder_begin_object (builder);
      add_string (builder, "product", price->product);
      add_string (builder, "name", price->name);
      add_day (builder, "from", price->from);
      add_int (builder, "price_per_l", price->price_per_l);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "payments");
  json_builder_begin_array (builder);
  for (guint i = 0; i < bill->payments->len; i++)
    add_payment (builder, g_ptr_array_index (bill->payments, i), bill->month);
  json_builder_end_array (builder);

  add_int (builder, "qty_ml", bill->qty_ml);
  add_int (builder, "amount", bill->amount);
  add_int (builder, "delivered_days", bill->delivered_days);
  add_int (builder, "skipped_days", bill->skipped_days);
  add_int (builder, "unpriced_days", bill->unpriced_days);
  add_int (builder, "average_ml", bill->average_ml);
  add_int (builder, "brought_forward", bill->brought_forward);
  add_int (builder, "paid", bill->paid);
  add_int (builder, "balance_due", bill->balance_due);
  add_string (builder, "state", state_name (bill->state));
  json_builder_end_object (builder);

  request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT, account_id);
  respond_builder (request, SOUP_STATUS_OK, builder);
}

/* ---- GET /api/v1/products ---- */

void
milk_route_api_products (MilkRequest *request,
                         PGconn      *conn)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkAccountDiary) diary = NULL;
  gint64 account_id;

  if ((account_id = milk_api_authenticate (request, conn, FALSE)) == 0)
    return;
  if ((diary = milk_account_diary_load (conn, account_id, &error)) == NULL)
    {
      milk_respond_db_error (request, error);
      return;
    }
  json_builder_begin_object (builder);
  add_string (builder, "currency", diary->currency);
  json_builder_set_member_name (builder, "products");
  json_builder_begin_array (builder);
  for (guint i = 0; i < diary->products->len; i++)
    {
      const MilkRecord *product = g_ptr_array_index (diary->products, i);
      MilkPriceSchedule *schedule = g_hash_table_lookup (diary->schedules, product->id);
      guint n = schedule ? milk_price_schedule_get_n_changes (schedule) : 0;

      json_builder_begin_object (builder);
      add_string (builder, "id", product->id);
      add_string (builder, "name", product->name ? product->name : "");
      add_string (builder, "unit", product->unit ? product->unit : "");
      add_int (builder, "default_qty_ml", product->default_qty_ml);
      add_int (builder, "position", product->position);
      add_bool (builder, "archived", product->archived);
      json_builder_set_member_name (builder, "prices");
      json_builder_begin_array (builder);
      for (guint p = 0; p < n; p++)
        {
          MilkDay from;
          gint64 per_l;

          milk_price_schedule_get_change (schedule, p, &from, &per_l);
          json_builder_begin_object (builder);
          add_day (builder, "from", from);
          add_int (builder, "price_per_l", per_l);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT, account_id);
  respond_builder (request, SOUP_STATUS_OK, builder);
}

/* ---- /api/v1/entries/{product}/{day} ---- */

/* The product and day the path names; FALSE with the answer given. */
static gboolean
parse_entry_path (MilkRequest  *request,
                  char        **product,
                  MilkDay      *day)
{
  const char *rest = request->path + strlen (ENTRIES_PATH);
  const char *slash = strchr (rest, '/');
  g_autofree char *id = NULL;

  id = g_strndup (rest, slash - rest);
  if (!milk_uuid_is_valid (id))
    return fail (request, "invalid_key", "The product is not a product id");
  if ((*day = parse_day (slash + 1)) == MILK_DAY_INVALID)
    return fail (request, "invalid_day", "The day is not a day of the calendar written YYYY-MM-DD");
  *product = g_steal_pointer (&id);
  return TRUE;
}

static char *
entry_key (const char *product,
           MilkDay     day)
{
  char text[11];

  milk_day_format_iso (day, text);
  return g_strconcat (product, "/", text, NULL);
}

/* The entry a PUT describes, on top of the stored one (whose fields this
 * version does not know are kept); NULL with the answer given. */
static MilkRecord *
entry_from_body (MilkRequest      *request,
                 JsonObject       *body,
                 const char       *product,
                 MilkDay           day,
                 const MilkRecord *stored)
{
  static const char * const known[] = { "qty_ml", "morning_ml", "evening_ml", "price_override", "note", NULL };
  g_autoptr(MilkRecord) entry = milk_record_new (MILK_RECORD_ENTRY);
  g_autoptr(GError) error = NULL;
  gint64 qty = 0, morning = 0, evening = 0, price = MILK_NO_PRICE;
  MemberState has_qty, has_morning, has_evening;
  const char *note = "";

  if (!only_known_members (request, body, known))
    return NULL;
  has_qty = int_member (body, "qty_ml", &qty);
  has_morning = int_member (body, "morning_ml", &morning);
  has_evening = int_member (body, "evening_ml", &evening);
  if (has_qty == MEMBER_WRONG || has_qty == MEMBER_NULL ||
      has_morning == MEMBER_WRONG || has_morning == MEMBER_NULL ||
      has_evening == MEMBER_WRONG || has_evening == MEMBER_NULL)
    return refuse (request, "invalid_qty", "Quantities are whole millilitres");
  if ((has_morning == MEMBER_SET) != (has_evening == MEMBER_SET))
    return refuse (request, "invalid_qty", "Give both morning_ml and evening_ml, or neither");
  if (has_qty == MEMBER_ABSENT && has_morning == MEMBER_ABSENT)
    return refuse (request, "invalid_qty", "Give the day's qty_ml (0 for no delivery)");
  if (has_qty == MEMBER_SET && has_morning == MEMBER_SET && qty != morning + evening)
    return refuse (request, "invalid_qty", "qty_ml must be morning_ml and evening_ml together");
  switch (int_member (body, "price_override", &price))
    {
    case MEMBER_WRONG:
      return refuse (request, "invalid_price", "A price is a whole number of minor units per litre");
    case MEMBER_ABSENT:
    case MEMBER_NULL:
      price = MILK_NO_PRICE;
      break;
    case MEMBER_SET:
      if (price < 0)
        return refuse (request, "invalid_price", "A price is out of range");
      break;
    }
  if (string_member (body, "note", &note) == MEMBER_WRONG)
    return refuse (request, "invalid_note", "A note is text");

  entry->id = g_strdup (product);
  entry->day = day;
  if (has_morning == MEMBER_SET)
    milk_entry_set_split (entry, morning, evening);
  else
    entry->qty_ml = qty;
  entry->price_override = price;
  entry->note = g_strdup (note ? note : "");
  if (stored && !stored->deleted && stored->extra)
    entry->extra = json_object_ref (stored->extra);
  entry->hlc = g_strdup ("0000000000000-0000-0000000000000000");
  if (!milk_record_validate (entry, &error))
    {
      respond_invalid (request, error);
      return NULL;
    }
  return g_steal_pointer (&entry);
}

static void
respond_entry (MilkRequest      *request,
               guint             status,
               const MilkRecord *entry)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  add_entry (builder, entry);
  respond_builder (request, status, builder);
}

static void
respond_not_found (MilkRequest *request,
                   const char  *message)
{
  milk_respond_error (request, SOUP_STATUS_NOT_FOUND, "not_found", message);
}

static void
put_entry (MilkRequest *request,
           PGconn      *conn,
           gint64       account_id,
           const char  *product,
           MilkDay      day,
           const char  *key)
{
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(MilkRecord) stored = NULL;
  g_autoptr(MilkRecord) known = NULL;
  g_autoptr(MilkRecord) entry = NULL;
  g_autoptr(GError) error = NULL;
  gboolean created;

  if ((body = read_object (request)) == NULL)
    return;
  if (!milk_db_record_get (conn, account_id, MILK_RECORD_PRODUCT, product, &known, &error) ||
      !milk_db_record_get (conn, account_id, MILK_RECORD_ENTRY, key, &stored, &error))
    {
      milk_respond_db_error (request, error);
      return;
    }
  if ((entry = entry_from_body (request, body, product, day, stored)) == NULL)
    return;
  if (known == NULL && g_str_equal (product, MILK_DEFAULT_PRODUCT_ID))
    known = milk_account_diary_default_product ();
  if (known == NULL || known->deleted)
    {
      milk_respond_error (request, SOUP_STATUS_NOT_FOUND, "unknown_product", "The diary has no such product");
      return;
    }
  created = stored == NULL || stored->deleted;
  if (!store_record (request, conn, account_id, entry, stored ? stored->hlc : NULL))
    return;
  request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT " stored=1", account_id);
  respond_entry (request, created ? SOUP_STATUS_CREATED : SOUP_STATUS_OK, entry);
}

static void
delete_entry (MilkRequest *request,
              PGconn      *conn,
              gint64       account_id,
              const char  *key)
{
  g_autoptr(MilkRecord) stored = NULL;
  g_autoptr(GError) error = NULL;

  if (!milk_db_record_get (conn, account_id, MILK_RECORD_ENTRY, key, &stored, &error))
    {
      milk_respond_db_error (request, error);
      return;
    }
  if (stored == NULL || stored->deleted)
    {
      respond_not_found (request, "The diary has no entry for this product and day");
      return;
    }
  /* A tombstone is the whole record, deleted (as the app writes one). */
  stored->deleted = TRUE;
  if (!store_record (request, conn, account_id, stored, stored->hlc))
    return;
  request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT " deleted=1", account_id);
  milk_request_add_header (request, "Cache-Control", "no-store");
  milk_respond_bytes (request, SOUP_STATUS_NO_CONTENT, NULL, g_strdup (""), 0);
}

void
milk_route_api_entry (MilkRequest *request,
                      PGconn      *conn)
{
  g_autofree char *product = NULL;
  g_autofree char *key = NULL;
  gboolean write = !g_str_equal (request->method, "GET") && !g_str_equal (request->method, "HEAD");
  gint64 account_id;
  MilkDay day;

  if (!has_segments (request, ENTRIES_PATH, 2) ||
      (account_id = milk_api_authenticate (request, conn, write)) == 0 ||
      !parse_entry_path (request, &product, &day))
    return;
  key = entry_key (product, day);

  if (g_str_equal (request->method, "PUT"))
    put_entry (request, conn, account_id, product, day, key);
  else if (g_str_equal (request->method, "DELETE"))
    delete_entry (request, conn, account_id, key);
  else
    {
      g_autoptr(MilkRecord) stored = NULL;
      g_autoptr(GError) error = NULL;

      if (!milk_db_record_get (conn, account_id, MILK_RECORD_ENTRY, key, &stored, &error))
        milk_respond_db_error (request, error);
      else if (stored == NULL || stored->deleted)
        respond_not_found (request, "The diary has no entry for this product and day");
      else
        respond_entry (request, SOUP_STATUS_OK, stored);
    }
}

/* ---- /api/v1/payments ---- */

static void
list_payments (MilkRequest *request,
               PGconn      *conn,
               gint64       account_id)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkAccountDiary) diary = NULL;
  g_autoptr(MilkLedger) ledger = NULL;

  if ((diary = milk_account_diary_load (conn, account_id, &error)) == NULL)
    {
      milk_respond_db_error (request, error);
      return;
    }
  ledger = milk_account_diary_ledger (diary);
  json_builder_begin_object (builder);
  add_string (builder, "currency", diary->currency);
  json_builder_set_member_name (builder, "payments");
  json_builder_begin_array (builder);
  for (guint i = 0; i < diary->payments->len; i++)
    {
      const MilkRecord *payment = g_ptr_array_index (diary->payments, i);

      add_payment (builder, payment, milk_ledger_payment_bill (ledger, payment->id));
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT, account_id);
  respond_builder (request, SOUP_STATUS_OK, builder);
}

static void
add_payment_request (MilkRequest *request,
                     PGconn      *conn,
                     gint64       account_id)
{
  static const char * const known[] = { "id", "day", "amount", "note", "bill", NULL };
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(MilkRecord) payment = milk_record_new (MILK_RECORD_PAYMENT);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkRecord) stored = NULL;
  const char *id = NULL, *day = NULL, *bill = NULL, *note = "";
  MemberState has_id;
  gint64 amount = 0;
  MemberState has_bill;

  if ((body = read_object (request)) == NULL || !only_known_members (request, body, known))
    return;
  if (string_member (body, "day", &day) != MEMBER_SET || (payment->day = parse_day (day)) == MILK_DAY_INVALID)
    {
      fail (request, "invalid_day", "Give the day of the payment as YYYY-MM-DD");
      return;
    }
  if (int_member (body, "amount", &amount) != MEMBER_SET)
    {
      fail (request, "invalid_amount", "Give the amount as a whole number of minor units");
      return;
    }
  if (string_member (body, "note", &note) == MEMBER_WRONG)
    {
      fail (request, "invalid_note", "A note is text");
      return;
    }
  has_bill = string_member (body, "bill", &bill);
  if (has_bill == MEMBER_WRONG ||
      (has_bill == MEMBER_SET && (payment->bill = milk_day_parse_month (bill)) == MILK_DAY_INVALID))
    {
      fail (request, "invalid_month", "Name the month the payment is for as YYYY-MM, or leave it out");
      return;
    }
  has_id = string_member (body, "id", &id);
  if (has_id == MEMBER_WRONG || (has_id == MEMBER_SET && !milk_uuid_is_valid (id)))
    {
      fail (request, "invalid_key", "A payment's id is a UUID chosen by the client, or left out");
      return;
    }
  payment->id = has_id == MEMBER_SET ? g_ascii_strdown (id, -1) : milk_uuid_new ();
  payment->amount = amount;
  payment->note = g_strdup (note ? note : "");
  payment->hlc = g_strdup ("0000000000000-0000-0000000000000000");
  if (!milk_record_validate (payment, &error))
    {
      respond_invalid (request, error);
      return;
    }

  /* A client that names the payment may send it again (its answer was
   * lost): the same payment is answered as stored, never added twice. */
  if (has_id == MEMBER_SET)
    {
      if (!milk_db_record_get (conn, account_id, MILK_RECORD_PAYMENT, payment->id, &stored, &error))
        {
          milk_respond_db_error (request, error);
          return;
        }
      if (stored && !stored->deleted && stored->day == payment->day && stored->amount == payment->amount &&
          g_strcmp0 (stored->note, payment->note) == 0 &&
          (has_bill != MEMBER_SET || stored->bill == payment->bill))
        {
          add_payment (builder, stored, stored->bill);
          respond_builder (request, SOUP_STATUS_OK, builder);
          return;
        }
      if (stored)
        {
          milk_respond_error (request, SOUP_STATUS_CONFLICT, "conflict",
                              stored->deleted ? "The payment with this id was deleted"
                                              : "Another payment has this id");
          return;
        }
    }

  if (payment->bill == MILK_DAY_INVALID)
    {
      /* For the oldest bill not settled on its day, decided now and
       * stored with it, as the app does (milk_store_record_payment). */
      g_autoptr(MilkAccountDiary) diary = milk_account_diary_load (conn, account_id, &error);
      g_autoptr(MilkLedger) ledger = NULL;

      if (diary == NULL)
        {
          milk_respond_db_error (request, error);
          return;
        }
      ledger = milk_account_diary_ledger (diary);
      payment->bill = milk_day_month_of (milk_ledger_default_bill (ledger, payment->day));
    }
  if (!store_record (request, conn, account_id, payment, NULL))
    return;
  request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT " stored=1", account_id);
  add_payment (builder, payment, payment->bill);
  respond_builder (request, SOUP_STATUS_CREATED, builder);
}

void
milk_route_api_payments (MilkRequest *request,
                         PGconn      *conn)
{
  gboolean write = g_str_equal (request->method, "POST");
  gint64 account_id;

  if ((account_id = milk_api_authenticate (request, conn, write)) == 0)
    return;
  if (write)
    add_payment_request (request, conn, account_id);
  else
    list_payments (request, conn, account_id);
}
