/* milk-server-sync.c — POST /api/v1/sync and GET /healthz
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <string.h>

#include "milk-error.h"
#include "milk-hlc.h"
#include "milk-protocol.h"
#include "milk-server-db-oauth.h"
#include "milk-server-db-sync.h"
#include "milk-server-db.h"
#include "milk-server-log.h"
#include "milk-server-request.h"
#include "milk-server-routes.h"
#include "milk-server-secret.h"
#include "milk-server-fuzz.h"

#define CURSOR_PREFIX "v1."

void
milk_route_healthz (MilkRequest *request,
                    PGconn      *conn)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  if (!milk_db_ping (conn, &error))
    {
      milk_respond_db_error (request, error);
      return;
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "ok");
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  milk_request_add_header (request, "Cache-Control", "no-store");
  milk_respond_json (request, SOUP_STATUS_OK, root);
}

/* RFC 6750: the token of the request, or NULL with the answer given. */
static const char *
bearer_token (MilkRequest *request)
{
  const char *header = milk_request_header (request, "Authorization");

  if (header == NULL || g_ascii_strncasecmp (header, "Bearer ", 7) != 0 || header[7] == '\0')
    {
      milk_request_add_header (request, "WWW-Authenticate", "Bearer realm=\"milk-diary\"");
      milk_respond_error (request, SOUP_STATUS_UNAUTHORIZED, "missing_token", "Sign in to sync");
      return NULL;
    }
  return header + 7;
}

const char *
_milk_server_bearer_token (MilkRequest *request)
{
  return bearer_token (request);
}

static void
respond_invalid_token (MilkRequest *request)
{
  milk_request_add_header (request, "WWW-Authenticate", "Bearer realm=\"milk-diary\", error=\"invalid_token\"");
  milk_respond_error (request, SOUP_STATUS_UNAUTHORIZED, "invalid_token",
                      "The access token is expired, revoked or unknown");
}

/* The account behind a token hash, or 0 with the answer already given. */
static gint64
authenticate (MilkRequest *request,
              PGconn      *conn,
              const char  *token_hash)
{
  g_autoptr(GError) error = NULL;
  gint64 account_id = milk_db_access_token_account (conn, token_hash, &error);

  if (account_id < 0)
    milk_respond_db_error (request, error);
  else if (account_id == 0)
    respond_invalid_token (request);
  return MAX (account_id, 0);
}

static guint
status_for (const GError *error)
{
  if (error->domain == MILK_ERROR &&
      (error->code == MILK_ERROR_TOO_LARGE || error->code == MILK_ERROR_TOO_MANY_CHANGES))
    return SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE;
  return SOUP_STATUS_BAD_REQUEST;
}

static gboolean
parse_cursor (const char *cursor,
              gint64     *seq)
{
  guint64 value;

  *seq = 0;
  if (cursor == NULL)
    return TRUE;
  if (!g_str_has_prefix (cursor, CURSOR_PREFIX) ||
      !g_ascii_string_to_unsigned (cursor + strlen (CURSOR_PREFIX), 10, 0, G_MAXINT64, &value, NULL))
    return FALSE;
  *seq = value;
  return TRUE;
}

gboolean
_milk_server_parse_cursor (const char *cursor,
                           gint64     *seq)
{
  return parse_cursor (cursor, seq);
}

static int
compare_rejections (gconstpointer a,
                    gconstpointer b)
{
  const MilkRejection *ra = *(MilkRejection **) a;
  const MilkRejection *rb = *(MilkRejection **) b;

  return (ra->index > rb->index) - (ra->index < rb->index);
}

static char *
record_identity (const MilkRecord *record)
{
  g_autofree char *key = milk_record_dup_key (record);

  return g_strconcat (milk_record_type_to_string (record->type), ":", key, NULL);
}

/* The changes worth storing: valid, not from a clock far ahead of ours
 * (such a stamp would win every merge for a day), and per key only the
 * greatest HLC, since one statement cannot write a row twice. */
static GPtrArray *
changes_to_store (MilkSyncMessage *message,
                  MilkSyncMessage *response,
                  GArray          *indexes,
                  GPtrArray       *texts)
{
  g_autoptr(GHashTable) best = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) index_of = g_hash_table_new (NULL, NULL);
  GPtrArray *keep = g_ptr_array_new ();
  gint64 now_ms = g_get_real_time () / 1000;
  guint index = 0, next_rejected = 0;

  for (guint i = 0; i < message->changes->len; i++, index++)
    {
      MilkRecord *record = g_ptr_array_index (message->changes, i);
      MilkHlcStamp stamp;
      g_autoptr(GError) error = NULL;
      char *key;
      MilkRecord *before;

      /* Decoding dropped the rejected changes; find this one's index. */
      while (next_rejected < message->rejected->len &&
             ((MilkRejection *) g_ptr_array_index (message->rejected, next_rejected))->index == index)
        {
          next_rejected++;
          index++;
        }

      if (!milk_hlc_stamp_parse (record->hlc, &stamp, &error))
        {
          milk_sync_message_reject (response, index, error);
          continue;
        }
      if (stamp.wall_ms > now_ms + MILK_HLC_MAX_DRIFT_MS)
        {
          g_set_error (&error, MILK_ERROR, MILK_ERROR_CLOCK_DRIFT,
                       "The change is stamped more than a day ahead of the server's clock");
          milk_sync_message_reject (response, index, error);
          continue;
        }

      g_hash_table_insert (index_of, record, GUINT_TO_POINTER (index));
      key = record_identity (record);
      before = g_hash_table_lookup (best, key);
      if (before == NULL || strcmp (before->hlc, record->hlc) < 0)
        g_hash_table_replace (best, key, record);
      else
        g_free (key);
    }

  for (guint i = 0; i < message->changes->len; i++)
    {
      MilkRecord *record = g_ptr_array_index (message->changes, i);
      g_autofree char *full = record_identity (record);

      if (g_hash_table_lookup (best, full) == record)
        {
          guint at = GPOINTER_TO_UINT (g_hash_table_lookup (index_of, record));

          g_ptr_array_add (keep, record);
          g_array_append_val (indexes, at);
          g_ptr_array_add (texts, i < message->change_texts->len ? g_ptr_array_index (message->change_texts, i) : NULL);
        }
    }
  return keep;
}

static void
respond_copied_diary (MilkRequest *request)
{
  milk_respond_error (request, SOUP_STATUS_CONFLICT, "replica_reused",
                      "This diary is a copy of one that has synced as the same device since; "
                      "sync it as a new device");
}

/* Whether a pulled change is one this request has just pushed: only those
 * are left out of the answer. A device's changes from earlier requests
 * still go to it: it may be a copy of the diary, or restored from an older
 * one, that never had them. */
static gboolean
just_pushed (GHashTable       *pushed,
             const MilkRecord *record)
{
  g_autofree char *identity = record_identity (record);
  const char *hlc = g_hash_table_lookup (pushed, identity);

  return hlc != NULL && g_strcmp0 (hlc, record->hlc) == 0;
}

/* The page's changes into @response, each served as the text stored (what
 * the device sent, with whatever this version does not know), after a
 * check that it still decodes; the cursor past them. */
static void
add_pulled (MilkSyncMessage *response,
            GPtrArray       *pulled,
            guint            page,
            gint64           after,
            GPtrArray       *store)
{
  g_autoptr(GHashTable) pushed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n = MIN (pulled->len, page);
  gint64 last = after;

  for (guint i = 0; i < store->len; i++)
    {
      MilkRecord *record = g_ptr_array_index (store, i);

      g_hash_table_replace (pushed, record_identity (record), record->hlc);
    }
  response->more = pulled->len > page;
  for (guint i = 0; i < n; i++)
    {
      MilkStoredChange *change = g_ptr_array_index (pulled, i);
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GError) local_error = NULL;
      MilkRecord *record;

      last = change->seq;
      /* json_from_string () gives NULL and no error for a blank body. */
      node = json_from_string (change->body, &local_error);
      record = node ? milk_record_from_json (node, &local_error) : NULL;
      if (record == NULL)
        {
          g_autofree char *words = milk_log_escape (local_error ? local_error->message : "the body is empty");

          g_warning ("Skipping a stored change that no longer decodes: %s", words);
          continue;
        }
      if (just_pushed (pushed, record))
        {
          milk_record_free (record);
          continue;
        }
      g_ptr_array_add (response->changes, record);
      g_ptr_array_add (response->change_texts, g_strdup (change->body));
    }
  response->cursor = g_strdup_printf (CURSOR_PREFIX "%" G_GINT64_FORMAT, last);
}

/* The version that beat a pushed change goes back with the refusal, even
 * when the device's cursor has passed it: a device may have received it
 * and kept its own, greater version, then stamped that version again
 * lower (a clock found days ahead, recover_from_future_clock), and would
 * otherwise keep the version the service refused for good. */
static void
add_winners (MilkSyncMessage *response,
             GPtrArray       *winners)
{
  g_autoptr(GHashTable) sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < response->changes->len; i++)
    g_hash_table_add (sent, record_identity (g_ptr_array_index (response->changes, i)));
  for (guint i = 0; i < winners->len; i++)
    {
      const char *text = g_ptr_array_index (winners, i);
      g_autoptr(JsonNode) node = json_from_string (text, NULL);
      MilkRecord *record = node ? milk_record_from_json (node, NULL) : NULL;
      char *identity;

      if (record == NULL)
        continue;
      identity = record_identity (record);
      if (!g_hash_table_add (sent, identity))
        {
          milk_record_free (record);
          continue;
        }
      g_ptr_array_add (response->changes, record);
      g_ptr_array_add (response->change_texts, g_strdup (text));
    }
}

/* The token a request earns: the same for the same request sent twice
 * (libsoup resends an idempotent request on a dropped connection, a proxy
 * may too), different for two copies of a diary that sent different ones. */
static char *
instance_token (MilkRequest     *request,
                MilkSyncMessage *message)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize length = 0;
  const guchar *data = request->body ? g_bytes_get_data (request->body, &length) : NULL;

  g_checksum_update (checksum, (const guchar *) message->node, -1);
  g_checksum_update (checksum, (const guchar *) "\n", 1);
  if (message->instance)
    g_checksum_update (checksum, (const guchar *) message->instance, -1);
  g_checksum_update (checksum, (const guchar *) "\n", 1);
  if (data)
    g_checksum_update (checksum, data, length);
  return g_strdup (g_checksum_get_string (checksum));
}

/* A pushed change that a newer version kept out is refused as superseded,
 * so that the device can tell the person (the newer version comes in the
 * same answer, unless the device has it already). */
static void
reject_superseded (MilkSyncMessage *response,
                   GArray          *indexes,
                   GArray          *superseded)
{
  for (guint i = 0; i < superseded->len; i++)
    {
      guint position = g_array_index (superseded, guint, i);
      g_autoptr(GError) error = g_error_new_literal (MILK_ERROR, MILK_ERROR_SUPERSEDED,
                                                     "A newer change from another device replaced this one");

      if (position < indexes->len)
        milk_sync_message_reject (response, g_array_index (indexes, guint, position), error);
    }
}

/* The instance token for the answer (DESIGN "Files get copied and restored"): FALSE
 * with the answer given when the request came from a copied diary. A sync
 * that neither pushed nor pulled keeps the token, so that a no-op sync
 * writes nothing. */
static gboolean
next_instance (MilkRequest      *request,
               PGconn           *conn,
               gint64            account_id,
               MilkSyncMessage  *message,
               MilkInstance     *instance,
               gboolean          changed,
               MilkSyncMessage  *response)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *proposed = NULL;
  MilkInstanceVerdict verdict = instance ? milk_instance_verdict (instance, message->instance) : MILK_INSTANCE_NEW;

  if (!message->has_instance)
    return TRUE;
  if (verdict == MILK_INSTANCE_COPY)
    {
      respond_copied_diary (request);
      return FALSE;
    }
  if (verdict == MILK_INSTANCE_SAME && !changed)
    {
      response->instance = g_strdup (instance->current);
      return TRUE;
    }
  proposed = instance_token (request, message);
  if (!milk_db_sync_instance_next (conn, account_id, message->node, message->instance, proposed,
                                   &response->instance, &error))
    {
      milk_respond_db_error (request, error);
      return FALSE;
    }
  if (response->instance == NULL)
    {
      respond_copied_diary (request);
      return FALSE;
    }
  return TRUE;
}

/* Reads and checks the request; NULL with the answer given. */
static MilkSyncMessage *
read_request (MilkRequest *request,
              PGconn      *conn,
              const char  *token_hash,
              gint64      *after)
{
  g_autoptr(MilkSyncMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  const char *type = milk_request_header (request, "Content-Type");
  const char *data = "";
  gsize length = 0;

  /* Whatever is wrong with the body, a bad token is answered first. */
  if (type == NULL || !g_str_has_prefix (type, "application/json"))
    {
      if (authenticate (request, conn, token_hash))
        milk_respond_error (request, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                            "Send the request as application/json");
      return NULL;
    }
  if (request->body)
    data = g_bytes_get_data (request->body, &length);

  message = milk_sync_request_decode (data, length, &error);
  if (message == NULL)
    {
      if (authenticate (request, conn, token_hash))
        milk_respond_error (request, status_for (error),
                            error->domain == MILK_ERROR ? milk_error_code_name (error->code) : "invalid_document",
                            error->message);
      return NULL;
    }
  if (message->version < request->config->min_protocol)
    {
      /* Not 426: that one promises an Upgrade header naming a protocol. */
      if (authenticate (request, conn, token_hash))
        milk_respond_error (request, SOUP_STATUS_BAD_REQUEST, "upgrade_required",
                            "This version of Milk Diary is too old to sync with this service; update it");
      return NULL;
    }
  if (!parse_cursor (message->cursor, after))
    {
      if (authenticate (request, conn, token_hash))
        milk_respond_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_cursor",
                            "The cursor did not come from this service");
      return NULL;
    }
  return g_steal_pointer (&message);
}

void
milk_route_sync (MilkRequest *request,
                 PGconn      *conn)
{
  g_autoptr(MilkSyncMessage) message = NULL;
  g_autoptr(MilkSyncMessage) response = NULL;
  g_autoptr(GPtrArray) store = NULL;
  g_autoptr(GPtrArray) pulled = NULL;
  g_autoptr(GPtrArray) texts = NULL;
  g_autoptr(GArray) indexes = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) superseded = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GPtrArray) winners = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *token_hash = NULL;
  MilkInstance instance = { FALSE, NULL, NULL };
  gint64 account_id = 0, after = 0;
  const char *token;
  gboolean ok;
  char *body;
  gsize body_len;
  guint page = request->config->page_size;

  if ((token = bearer_token (request)) == NULL)
    return;
  token_hash = milk_token_hash (token);
  if ((message = read_request (request, conn, token_hash, &after)) == NULL)
    return;

  response = milk_sync_message_new ();
  for (guint i = 0; i < message->rejected->len; i++)
    {
      MilkRejection *r = g_ptr_array_index (message->rejected, i);
      MilkRejection *copy = g_new0 (MilkRejection, 1);

      copy->index = r->index;
      copy->code = g_strdup (r->code);
      copy->message = g_strdup (r->message);
      g_ptr_array_add (response->rejected, copy);
    }

  texts = g_ptr_array_new ();
  store = changes_to_store (message, response, indexes, texts);
  if (store->len == 0)
    {
      /* A no-op sync is one statement: token, instance and pull. */
      pulled = milk_db_sync_pull_for_token (conn, token_hash, message->node, after, page + 1,
                                            &account_id, &instance, &error);
      ok = pulled == NULL || account_id == 0 ||
           next_instance (request, conn, account_id, message, &instance, pulled->len > 0, response);
    }
  else
    {
      if ((account_id = authenticate (request, conn, token_hash)) == 0)
        return;
      ok = next_instance (request, conn, account_id, message, NULL, TRUE, response);
      if (ok && milk_db_sync_push (conn, account_id, message->node, store, texts, superseded, winners, &error))
        pulled = milk_db_sync_pull (conn, account_id, after, page + 1, &error);
      reject_superseded (response, indexes, superseded);
    }
  g_free (instance.current);
  g_free (instance.previous);
  if (!ok)
    return;
  if (pulled == NULL)
    {
      milk_respond_db_error (request, error);
      return;
    }
  if (account_id == 0)
    {
      respond_invalid_token (request);
      return;
    }

  add_pulled (response, pulled, page, after, store);
  add_winners (response, winners);
  /* The reference clock for every device (DESIGN "Clocks lie"). */
  response->time = g_get_real_time () / 1000;
  g_ptr_array_sort (response->rejected, compare_rejections);

  request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT " pushed=%u pulled=%u rejected=%u%s",
                                       account_id, store->len, response->changes->len,
                                       response->rejected->len, response->more ? " more" : "");
  body = milk_sync_response_encode (response, &body_len);
  milk_request_add_header (request, "Cache-Control", "no-store");
  milk_respond_bytes (request, SOUP_STATUS_OK, "application/json", body, body_len);
}
