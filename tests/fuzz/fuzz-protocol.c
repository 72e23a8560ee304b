/* fuzz-protocol.c — the sync protocol's JSON decoder, both directions
 *
 * Whatever decodes must encode again, and decode again to the same
 * records, members it does not know included: the codec is what both
 * sides trust. A pushed change's text (what the service stores and
 * serves) decodes again to the same record, and a response serving those
 * texts decodes too. A pulled change that does not decode is kept as JSON
 * text that parses again, with its code.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "milk-fuzz.h"

#include "milk-protocol.h"

static void
round_trip (MilkSyncMessage *message,
            gboolean         request)
{
  g_autoptr(MilkSyncMessage) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gsize length;

  text = request ? milk_sync_request_encode (message, &length)
                 : milk_sync_response_encode (message, &length);
  g_assert (text != NULL);
  again = request ? milk_sync_request_decode (text, length, &error)
                  : milk_sync_response_decode (text, length, &error);
  g_assert_no_error (error);
  g_assert (again != NULL);
  g_assert_cmpuint (again->changes->len, ==, message->changes->len);
  for (guint i = 0; i < message->changes->len; i++)
    g_assert (milk_record_equal (g_ptr_array_index (again->changes, i), g_ptr_array_index (message->changes, i)));
  if (!request)
    g_assert_cmpint (again->time, ==, message->time);
}

/* The texts a request's changes came as: what the service stores, then
 * serves in a response as they are. */
static void
check_change_texts (MilkSyncMessage *request)
{
  g_autoptr(MilkSyncMessage) response = milk_sync_message_new ();
  g_autoptr(MilkSyncMessage) pulled = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gsize length;

  g_assert_cmpuint (request->change_texts->len, ==, request->changes->len);
  for (guint i = 0; i < request->changes->len; i++)
    {
      const char *stored = g_ptr_array_index (request->change_texts, i);
      g_autoptr(JsonNode) node = json_from_string (stored, NULL);
      g_autoptr(MilkRecord) record = node ? milk_record_from_json (node, NULL) : NULL;

      g_assert (record != NULL);
      g_assert (milk_record_equal (record, g_ptr_array_index (request->changes, i)));
      g_ptr_array_add (response->changes, milk_record_copy (record));
      g_ptr_array_add (response->change_texts, g_strdup (stored));
    }
  text = milk_sync_response_encode (response, &length);
  pulled = milk_sync_response_decode (text, length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pulled->changes->len + pulled->unreadable->len, ==, request->changes->len);
}

int
milk_fuzz_one_input (const uint8_t *data,
                     size_t         size)
{
  g_autoptr(MilkSyncMessage) request = NULL;
  g_autoptr(MilkSyncMessage) response = NULL;
  g_autoptr(GError) request_error = NULL;
  g_autoptr(GError) response_error = NULL;

  request = milk_sync_request_decode ((const char *) data, size, &request_error);
  g_assert ((request == NULL) != (request_error == NULL));
  if (request)
    {
      check_change_texts (request);
      round_trip (request, TRUE);
    }

  response = milk_sync_response_decode ((const char *) data, size, &response_error);
  g_assert ((response == NULL) != (response_error == NULL));
  if (response)
    {
      for (guint i = 0; i < response->unreadable->len; i++)
        {
          MilkUnreadableChange *change = g_ptr_array_index (response->unreadable, i);
          g_autoptr(JsonNode) again = NULL;

          g_assert (change->json != NULL && change->code != NULL);
          again = json_from_string (change->json, NULL);
          g_assert (again != NULL);
        }
      round_trip (response, FALSE);
    }
  return 0;
}
