/* milk-server-api-entries.c — GET /api/v1/products, and a product's entry of a
 * day
 * (/api/v1/entries/{product}/{day})
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <string.h>

#include "milk-price-schedule.h"
#include "milk-server-api-private.h"
#include "milk-server-db-api.h"
#include "milk-server-diary.h"
#include "milk-server-request.h"
#include "milk-server-routes.h"
#include "milk-server-tokens.h"

#define ENTRIES_PATH  "/api/v1/entries/"

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
  _milk_api_add_string (builder, "currency", diary->currency);
  json_builder_set_member_name (builder, "products");
  json_builder_begin_array (builder);
  for (guint i = 0; i < diary->products->len; i++)
    {
      const MilkRecord *product = g_ptr_array_index (diary->products, i);
      MilkPriceSchedule *schedule = g_hash_table_lookup (diary->schedules, product->id);
      guint n = schedule ? milk_price_schedule_get_n_changes (schedule) : 0;

      json_builder_begin_object (builder);
      _milk_api_add_string (builder, "id", product->id);
      _milk_api_add_string (builder, "name", product->name ? product->name : "");
      _milk_api_add_string (builder, "unit", product->unit ? product->unit : "");
      _milk_api_add_int (builder, "default_qty_ml", product->default_qty_ml);
      _milk_api_add_int (builder, "position", product->position);
      _milk_api_add_bool (builder, "archived", product->archived);
      json_builder_set_member_name (builder, "prices");
      json_builder_begin_array (builder);
      for (guint p = 0; p < n; p++)
        {
          MilkDay from;
          gint64 per_l;

          milk_price_schedule_get_change (schedule, p, &from, &per_l);
          json_builder_begin_object (builder);
          _milk_api_add_day (builder, "from", from);
          _milk_api_add_int (builder, "price_per_l", per_l);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT, account_id);
  _milk_api_respond_builder (request, SOUP_STATUS_OK, builder);
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
    return _milk_api_fail (request, "invalid_key", "The product is not a product id");
  if ((*day = _milk_api_parse_day (slash + 1)) == MILK_DAY_INVALID)
    return _milk_api_fail (request, "invalid_day", "The day is not a day of the calendar written YYYY-MM-DD");
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
  MilkApiMember has_qty, has_morning, has_evening;
  const char *note = "";

  if (!_milk_api_only_known_members (request, body, known))
    return NULL;
  has_qty = _milk_api_int_member (body, "qty_ml", &qty);
  has_morning = _milk_api_int_member (body, "morning_ml", &morning);
  has_evening = _milk_api_int_member (body, "evening_ml", &evening);
  if (has_qty == MILK_API_MEMBER_WRONG || has_qty == MILK_API_MEMBER_NULL ||
      has_morning == MILK_API_MEMBER_WRONG || has_morning == MILK_API_MEMBER_NULL ||
      has_evening == MILK_API_MEMBER_WRONG || has_evening == MILK_API_MEMBER_NULL)
    return _milk_api_refuse (request, "invalid_qty", "Quantities are whole millilitres");
  if ((has_morning == MILK_API_MEMBER_SET) != (has_evening == MILK_API_MEMBER_SET))
    return _milk_api_refuse (request, "invalid_qty", "Give both morning_ml and evening_ml, or neither");
  if (has_qty == MILK_API_MEMBER_ABSENT && has_morning == MILK_API_MEMBER_ABSENT)
    return _milk_api_refuse (request, "invalid_qty", "Give the day's qty_ml (0 for no delivery)");
  if (has_qty == MILK_API_MEMBER_SET && has_morning == MILK_API_MEMBER_SET && qty != morning + evening)
    return _milk_api_refuse (request, "invalid_qty", "qty_ml must be morning_ml and evening_ml together");
  switch (_milk_api_int_member (body, "price_override", &price))
    {
    case MILK_API_MEMBER_WRONG:
      return _milk_api_refuse (request, "invalid_price", "A price is a whole number of minor units per litre");
    case MILK_API_MEMBER_ABSENT:
    case MILK_API_MEMBER_NULL:
      price = MILK_NO_PRICE;
      break;
    case MILK_API_MEMBER_SET:
      if (price < 0)
        return _milk_api_refuse (request, "invalid_price", "A price is out of range");
      break;
    }
  if (_milk_api_string_member (body, "note", &note) == MILK_API_MEMBER_WRONG)
    return _milk_api_refuse (request, "invalid_note", "A note is text");

  entry->id = g_strdup (product);
  entry->day = day;
  if (has_morning == MILK_API_MEMBER_SET)
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
      _milk_api_respond_invalid (request, error);
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

  _milk_api_add_entry (builder, entry);
  _milk_api_respond_builder (request, status, builder);
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

  if ((body = _milk_api_read_object (request)) == NULL)
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
  if (!_milk_api_store_record (request, conn, account_id, entry, stored ? stored->hlc : NULL))
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
  if (!_milk_api_store_record (request, conn, account_id, stored, stored->hlc))
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

  if (!_milk_api_has_segments (request, ENTRIES_PATH, 2) ||
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
