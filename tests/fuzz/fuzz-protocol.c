/* fuzz-protocol.c — the sync protocol's JSON decoder, both directions
 *
 * Whatever decodes must encode again, and decode again to the same count
 * of changes: the codec is what both sides trust. A pulled change that does
 * not decode is kept as JSON text that parses again, with its code.
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
  if (!request)
    g_assert_cmpint (again->time, ==, message->time);
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
    round_trip (request, TRUE);

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
