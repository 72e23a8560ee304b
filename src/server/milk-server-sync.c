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
#include "milk-server-sync-private.h"
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

/* A sync request, read and checked, between its stages: the statements
 * that answer it may run on their own (milk_route_sync) or in a pipeline
 * with other requests' (milk-server-sync-batch.c). */
struct _MilkSyncJob
{
  MilkRequest *request;
  MilkSyncMessage *message;
  MilkSyncMessage *response;
  GPtrArray *store;      /* MilkRecord *, what it pushes */
  GPtrArray *texts;      /* their bodies */
  GArray *indexes;       /* guint: each stored record's index in the request */
  char *token_hash;
  gint64 after;
  guint page;
};

void
_milk_sync_job_free (MilkSyncJob *job)
{
  g_clear_pointer (&job->message, milk_sync_message_free);
  g_clear_pointer (&job->response, milk_sync_message_free);
  g_clear_pointer (&job->store, g_ptr_array_unref);
  g_clear_pointer (&job->texts, g_ptr_array_unref);
  g_clear_pointer (&job->indexes, g_array_unref);
  g_free (job->token_hash);
  g_free (job);
}

MilkRequest *
_milk_sync_job_get_request (const MilkSyncJob *job)
{
  return job->request;
}

/* The request read and checked, or NULL with the answer given. */
MilkSyncJob *
_milk_sync_job_begin (MilkRequest *request,
                      PGconn      *conn)
{
  g_autoptr(MilkSyncJob) job = g_new0 (MilkSyncJob, 1);
  const char *token;

  job->request = request;
  job->page = request->config->page_size;
  if ((token = bearer_token (request)) == NULL)
    return NULL;
  job->token_hash = milk_token_hash (token);
  if ((job->message = read_request (request, conn, job->token_hash, &job->after)) == NULL)
    return NULL;

  job->response = milk_sync_message_new ();
  for (guint i = 0; i < job->message->rejected->len; i++)
    {
      MilkRejection *r = g_ptr_array_index (job->message->rejected, i);
      MilkRejection *copy = g_new0 (MilkRejection, 1);

      copy->index = r->index;
      copy->code = g_strdup (r->code);
      copy->message = g_strdup (r->message);
      g_ptr_array_add (job->response->rejected, copy);
    }

  job->texts = g_ptr_array_new ();
  job->indexes = g_array_new (FALSE, FALSE, sizeof (guint));
  job->store = changes_to_store (job->message, job->response, job->indexes, job->texts);
  return g_steal_pointer (&job);
}

/* Nothing to push: the sync is one statement (milk-server-db-sync.c),
 * token, instance and pull. */
gboolean
_milk_sync_job_is_noop (const MilkSyncJob *job)
{
  return job->store->len == 0;
}

gboolean
_milk_sync_job_send_pull (const MilkSyncJob *job,
                          PGconn            *conn)
{
  return milk_db_sync_pull_for_token_send (conn, job->token_hash, job->message->node, job->after, job->page + 1);
}

/* The answer: what @pulled holds (owned; NULL: @error), or the error. */
static void
respond (MilkSyncJob *job,
         GPtrArray   *pulled,
         gint64       account_id,
         GArray      *superseded,
         GPtrArray   *winners,
         GError      *error)
{
  MilkRequest *request = job->request;
  MilkSyncMessage *response = job->response;
  char *body;
  gsize body_len;

  if (pulled == NULL)
    {
      milk_respond_db_error (request, error);
      return;
    }
  if (account_id == 0)
    {
      respond_invalid_token (request);
      g_ptr_array_unref (pulled);
      return;
    }

  reject_superseded (response, job->indexes, superseded);
  add_pulled (response, pulled, job->page, job->after, job->store);
  add_winners (response, winners);
  g_ptr_array_unref (pulled);
  /* The reference clock for every device (DESIGN "Clocks lie"). */
  response->time = g_get_real_time () / 1000;
  g_ptr_array_sort (response->rejected, compare_rejections);

  request->log_note = g_strdup_printf ("account=%" G_GINT64_FORMAT " pushed=%u pulled=%u rejected=%u%s",
                                       account_id, job->store->len, response->changes->len,
                                       response->rejected->len, response->more ? " more" : "");
  body = milk_sync_response_encode (response, &body_len);
  milk_request_add_header (request, "Cache-Control", "no-store");
  milk_respond_bytes (request, SOUP_STATUS_OK, "application/json", body, body_len);
}

/* A no-op sync, its statement's @result read (NULL: @error): the
 * instance checked (which may write), then the answer. */
void
_milk_sync_job_pulled (MilkSyncJob *job,
                       PGconn      *conn,
                       PGresult    *result,
                       GError      *error)
{
  g_autoptr(GArray) superseded = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GPtrArray) winners = g_ptr_array_new_with_free_func (g_free);
  MilkInstance instance = { FALSE, NULL, NULL };
  GPtrArray *pulled = NULL;
  gint64 account_id = 0;
  gboolean ok = TRUE;

  if (result)
    {
      pulled = milk_db_sync_pull_for_token_read (result, &account_id, &instance);
      if (account_id != 0)
        ok = next_instance (job->request, conn, account_id, job->message, &instance, pulled->len > 0, job->response);
    }
  g_free (instance.current);
  g_free (instance.previous);
  if (ok)
    respond (job, g_steal_pointer (&pulled), account_id, superseded, winners, error);
  g_clear_pointer (&pulled, g_ptr_array_unref);
}

/* A sync that pushes: its transaction, then what changed since. */
static void
push (MilkSyncJob *job,
      PGconn      *conn)
{
  g_autoptr(GArray) superseded = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GPtrArray) winners = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  GPtrArray *pulled = NULL;
  gint64 account_id;

  if ((account_id = authenticate (job->request, conn, job->token_hash)) == 0)
    return;
  if (!next_instance (job->request, conn, account_id, job->message, NULL, TRUE, job->response))
    return;
  if (milk_db_sync_push (conn, account_id, job->message->node, job->store, job->texts, superseded, winners, &error))
    pulled = milk_db_sync_pull (conn, account_id, job->after, job->page + 1, &error);
  respond (job, pulled, account_id, superseded, winners, error);
}

/* One sync on its own; or, when it has nothing to push, the statement
 * of a no-op sync on its own. */
void
_milk_sync_job_run (MilkSyncJob *job,
                    PGconn      *conn)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) result = NULL;

  if (!_milk_sync_job_is_noop (job))
    {
      push (job, conn);
      return;
    }
  result = milk_db_sync_pull_for_token_exec (conn, job->token_hash, job->message->node, job->after,
                                             job->page + 1, &error);
  _milk_sync_job_pulled (job, conn, result, error);
}

void
milk_route_sync (MilkRequest *request,
                 PGconn      *conn)
{
  g_autoptr(MilkSyncJob) job = _milk_sync_job_begin (request, conn);

  if (job)
    _milk_sync_job_run (job, conn);
}
