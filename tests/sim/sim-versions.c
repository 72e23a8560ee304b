/* sim-versions.c — records written by other versions of Milk Diary
 *
 * A newer version writes members this build does not know: "sim_rev" at
 * the top of a change and "sim_future_ml" in its data. This build is the
 * older client for them: it keeps them (MilkRecord's extra) through the
 * service, its own store and its own later edits, and sends them back
 * unchanged.
 *
 * An older version, from before products had weekday_qty_ml and
 * evening_qty_ml and days morning_ml and evening_ml, is one device of some
 * seeds: it writes products and days without the members it does not
 * know, keeping what the stored version had of them (as its extra would),
 * while the newer devices write weekday and evening quantities and days
 * delivered morning and evening. A day it gives a new quantity keeps the
 * parts it found, which then no longer add up: one delivery of its
 * quantity everywhere.
 *
 * At the end no version anywhere may have lost a member: the service's and
 * every device's documents equal the last written (test-sim.c compares
 * them whole), and what this build does not know is counted.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "sim.h"

static JsonObject *
data_of (JsonObject *extra)
{
  JsonNode *node = extra ? json_object_get_member (extra, "data") : NULL;

  return node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonObject *
copy_object (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

  return json_node_dup_object (node);
}

static gboolean
objects_equal (JsonObject *a,
               JsonObject *b)
{
  g_autoptr(JsonNode) na = NULL;
  g_autoptr(JsonNode) nb = NULL;

  if (a == NULL || b == NULL)
    return a == b;
  na = json_node_init_object (json_node_alloc (), a);
  nb = json_node_init_object (json_node_alloc (), b);
  return json_node_equal (na, nb);
}

/* As a newer version writes it: with members this build does not know. */
static void
write_as_newer (Sim        *sim,
                MilkRecord *record)
{
  JsonObject *data = json_object_new ();

  g_clear_pointer (&record->extra, json_object_unref);
  record->extra = json_object_new ();
  json_object_set_string_member (record->extra, "sim_rev", record->note ? record->note : "newer");
  json_object_set_int_member (data, "sim_future_ml", 250 * g_rand_int_range (sim->rng, 0, 9));
  json_object_set_object_member (record->extra, "data", data);
  counts.future_writes++;
}

/* As the older version writes a product or a day: it knows no
 * weekday_qty_ml, evening_qty_ml, morning_ml or evening_ml, and keeps the
 * stored version's (in its extra) with the rest it does not know. */
static void
write_as_older (MilkRecord       *record,
                const MilkRecord *stored)
{
  JsonObject *data;
  gboolean kept = FALSE;

  record->has_weekday_qty = FALSE;
  record->twice_daily = FALSE;
  record->has_split = FALSE;
  g_clear_pointer (&record->extra, json_object_unref);
  record->extra = stored && stored->extra ? copy_object (stored->extra) : json_object_new ();
  if ((data = data_of (record->extra)) == NULL)
    {
      data = json_object_new ();
      json_object_set_object_member (record->extra, "data", data);
    }
  if (record->type == MILK_RECORD_ENTRY)
    {
      if (stored && stored->has_split)
        {
          json_object_set_int_member (data, "morning_ml", stored->morning_ml);
          json_object_set_int_member (data, "evening_ml", stored->evening_ml);
          counts.old_parts_kept++;
          counts.old_parts_stale += stored->morning_ml + stored->evening_ml != record->qty_ml;
        }
      counts.old_entry_writes++;
      goto done;
    }
  if (stored && stored->twice_daily)
    json_object_set_int_member (data, "evening_qty_ml", stored->evening_qty_ml);
  kept = json_object_has_member (data, "weekday_qty_ml");
  if (stored && stored->has_weekday_qty)
    {
      JsonArray *days = json_array_new ();

      for (guint i = 0; i < 7; i++)
        json_array_add_int_element (days, stored->weekday_qty_ml[i]);
      json_object_set_array_member (data, "weekday_qty_ml", days);
      kept = TRUE;
    }
  counts.old_writes++;
  counts.old_kept += kept;
done:
  if (json_object_get_size (data) == 0)
    json_object_remove_member (record->extra, "data");
  if (json_object_get_size (record->extra) == 0)
    g_clear_pointer (&record->extra, json_object_unref);
}

/* Puts a record local_write made: written as another version would, or
 * as this one; the stored version's members this build does not know must
 * survive an edit that does not bring its own. FALSE when it failed. */
gboolean
versions_write (Sim        *sim,
                Device     *d,
                MilkRecord *record)
{
  g_autofree char *key = milk_record_dup_key (record);
  g_autoptr(MilkRecord) stored = milk_store_get (d->store, record->type, key, NULL);
  g_autoptr(JsonObject) expected = NULL;
  g_autoptr(GError) error = NULL;

  if (sim_off ("versions") || record->deleted)
    {
      if (!milk_store_put (d->store, record, &error))
        FAIL (sim, "a local write failed: %s", error->message);
      return error == NULL;
    }
  if ((record->type == MILK_RECORD_PRODUCT || record->type == MILK_RECORD_ENTRY) && d->old)
    write_as_older (record, stored);
  else if (g_rand_int_range (sim->rng, 0, 100) < 12)
    write_as_newer (sim, record);
  else
    {
      if (record->type == MILK_RECORD_PRODUCT && g_rand_boolean (sim->rng))
        {
          record->has_weekday_qty = TRUE;
          for (guint i = 0; i < 7; i++)
            record->weekday_qty_ml[i] = 250 * g_rand_int_range (sim->rng, 0, 8);
        }
      if (record->type == MILK_RECORD_PRODUCT && g_rand_int_range (sim->rng, 0, 3) == 0)
        {
          record->twice_daily = TRUE;
          record->evening_qty_ml = 250 * g_rand_int_range (sim->rng, 0, 4);
        }
      /* A day delivered morning and evening: the same quantity, in two. */
      if (record->type == MILK_RECORD_ENTRY && g_rand_int_range (sim->rng, 0, 3) == 0)
        {
          gint64 evening = 250 * g_rand_int_range (sim->rng, 0, (int) (record->qty_ml / 250) + 1);

          milk_entry_set_split (record, record->qty_ml - evening, evening);
        }
      if (stored && stored->extra)
        expected = json_object_ref (stored->extra);
    }
  if (!milk_store_put (d->store, record, &error))
    {
      FAIL (sim, "a local write failed: %s", error->message);
      return FALSE;
    }
  if (expected != NULL)
    {
      if (!objects_equal (expected, record->extra))
        FAIL (sim, "an edit on device %d lost what it did not know of %s", (int) (d - sim->devices), key);
      counts.future_kept++;
    }
  return TRUE;
}

/* A member of a change as it goes over the wire, data's or the top's. */
static JsonNode *
wire_member (JsonNode   *doc,
             const char *name)
{
  JsonObject *top = json_node_get_object (doc);
  JsonObject *data = data_of (top);
  JsonNode *node = json_object_get_member (top, name);

  return node ? node : data ? json_object_get_member (data, name) : NULL;
}

/* A final version on the service, and the latest written of its key:
 * what a version of the app may not know is there, unchanged. */
void
versions_check (Sim              *sim,
                const char       *id,
                const MilkRecord *latest,
                const MilkRecord *theirs)
{
  static const char * const members[] = { "sim_rev", "sim_future_ml", "weekday_qty_ml", "evening_qty_ml",
                                           "morning_ml", "evening_ml" };
  g_autoptr(JsonNode) doc = milk_record_to_json (theirs);
  g_autoptr(JsonNode) written = latest ? milk_record_to_json (latest) : NULL;
  gboolean unknown = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      JsonNode *have = wire_member (doc, members[i]);
      JsonNode *want = written && !latest->deleted ? wire_member (written, members[i]) : NULL;

      if (want && (have == NULL || !json_node_equal (have, want)))
        FAIL (sim, "the service's %s lost or changed its %s", id, members[i]);
      unknown |= have != NULL && i < 2;
    }
  counts.unknown_at_end += unknown;
  if (theirs->type == MILK_RECORD_PRODUCT && theirs->has_weekday_qty)
    counts.weekday_at_end++;
  if (theirs->type == MILK_RECORD_ENTRY && !theirs->deleted && milk_entry_is_split (theirs))
    counts.split_at_end++;
}
