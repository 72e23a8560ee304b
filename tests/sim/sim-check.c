/* sim-check.c — the simulator's end state: per account, the service and
 * every device signed in to it hold the same records, one per key, and
 * the latest version written of each
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "sim.h"

static const char * const tables[] = { "products", "entries", "prices", "payments", "settings" };

static GHashTable *
server_records (Sim        *sim,
                SimAccount *a)
{
  g_autoptr(MilkTestClient) client = milk_test_client_new ();
  GHashTable *records = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) milk_record_free);
  g_autofree char *cursor = NULL;

  for (int page = 0; page < 1000; page++)
    {
      g_autoptr(MilkSyncMessage) response = milk_test_sync (&direct, client, a->owner->access_token, cursor,
                                                            CHECK_NODE, NULL);

      if (response == NULL)
        {
          FAIL (sim, "the server's records could not be read");
          break;
        }
      for (guint i = 0; i < response->changes->len; i++)
        {
          MilkRecord *record = g_ptr_array_index (response->changes, i);
          g_autofree char *id = identity (record);

          if (g_hash_table_contains (records, id))
            FAIL (sim, "the server sent %s twice", id);
          g_hash_table_replace (records, g_steal_pointer (&id), milk_record_copy (record));
        }
      g_free (cursor);
      cursor = g_strdup (response->cursor);
      if (!response->more)
        break;
    }
  return records;
}

static void
check_device (Sim        *sim,
              int         index,
              GHashTable *on_server)
{
  Device *d = &sim->devices[index];
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) rejected = milk_store_list_rejected (d->store, NULL);
  GHashTableIter iter;
  gpointer key, value;
  sqlite3 *db = NULL;

  if (milk_store_count_pending (d->store) != 0)
    FAIL (sim, "device %d still has %u pending", index, milk_store_count_pending (d->store));
  /* An edit that lost to a newer one is reported, not refused. */
  for (guint i = 0; rejected && i < rejected->len; i++)
    {
      MilkStoreRejection *r = g_ptr_array_index (rejected, i);

      if (r->lost == NULL)
        FAIL (sim, "device %d has a refused change (%s): %s", index, r->code, r->message);
      else if (g_strcmp0 (r->lost->hlc, r->record->hlc) >= 0)
        FAIL (sim, "device %d says %s replaced a newer version", index, r->record->hlc);
    }
  if (rejected == NULL)
    FAIL (sim, "device %d's refused changes cannot be listed", index);

  /* Every row, tombstones too, straight from the file. */
  g_assert_cmpint (sqlite3_open_v2 (d->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  for (MilkRecordType type = MILK_RECORD_PRODUCT; type <= MILK_RECORD_SETTING; type++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT key, hlc, deleted FROM %s", tables[type]);
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          const char *k = (const char *) sqlite3_column_text (stmt, 0);
          const char *hlc = (const char *) sqlite3_column_text (stmt, 1);
          gboolean deleted = sqlite3_column_int (stmt, 2) != 0;
          g_autofree char *id = g_strdup_printf ("%s/%s", milk_record_type_to_string (type), k);
          MilkRecord *theirs = g_hash_table_lookup (on_server, id);

          if (g_str_equal (hlc, ZERO_HLC) && theirs == NULL)
            continue;   /* the default product as installed, never edited */
          g_hash_table_add (seen, g_strdup (id));
          if (theirs == NULL)
            FAIL (sim, "device %d has %s (%s) that the server does not", index, id, hlc);
          else if (g_strcmp0 (theirs->hlc, hlc) != 0 || theirs->deleted != deleted)
            FAIL (sim, "device %d has %s at %s%s, the server at %s%s", index, id, hlc, deleted ? " (deleted)" : "",
                  theirs->hlc, theirs->deleted ? " (deleted)" : "");
          else if (!deleted)
            {
              g_autoptr(MilkRecord) mine = milk_store_get (d->store, type, k, NULL);

              if (mine == NULL || !milk_record_equal (mine, theirs))
                FAIL (sim, "device %d's %s differs from the server's", index, id);
            }
        }
      sqlite3_finalize (stmt);
    }
  sqlite3_close (db);

  g_hash_table_iter_init (&iter, on_server);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (seen, key))
      FAIL (sim, "device %d lacks %s", index, (char *) key);
}

/* One account: what the service holds for it, and every device signed in
 * to it. */
static void
check_account (Sim *sim,
               int  index)
{
  SimAccount *a = &sim->accounts[index];
  g_autoptr(GHashTable) on_server = server_records (sim, a);
  GHashTableIter iter;
  gpointer key, value;

  /* Every version saved locally is there, unless a later one replaced it;
   * and nothing is there that no device of the account wrote, or merged
   * into it on purpose. */
  g_hash_table_iter_init (&iter, a->model);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      MilkRecord *latest = value;
      MilkRecord *theirs = g_hash_table_lookup (on_server, key);
      gboolean far = g_hash_table_contains (a->far, key);

      if (theirs == NULL)
        FAIL (sim, "account %d's service lost %s (latest %s)", index, (char *) key, latest->hlc);
      else if (far)
        ;
      else if (g_strcmp0 (theirs->hlc, latest->hlc) != 0)
        FAIL (sim, "account %d's service keeps %s at %s, but the latest write was %s", index, (char *) key,
              theirs->hlc, latest->hlc);
      else if (theirs->deleted != latest->deleted || (!latest->deleted && !milk_record_equal (theirs, latest)))
        FAIL (sim, "account %d's %s is not the version written at %s", index, (char *) key, latest->hlc);
      if (theirs)
        versions_check (sim, key, far ? NULL : latest, theirs);
    }
  g_hash_table_iter_init (&iter, on_server);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      SimAccount *other = &sim->accounts[1 - index];

      if (!g_hash_table_contains (a->model, key))
        FAIL (sim, "account %d's service has %s, which no device of it wrote%s", index, (char *) key,
              other->model && g_hash_table_contains (other->model, key) ? " (the other account's)" : "");
      if (other->model)
        counts.leaks_checked++;
    }

  for (int i = 0; i < N_DEVICES; i++)
    if (sim->devices[i].account == index)
      check_device (sim, i, on_server);
}

void
check_converged (Sim *sim)
{
  for (int i = 0; i < N_ACCOUNTS; i++)
    if (sim->accounts[i].owner != NULL)
      check_account (sim, i);
}

void
quiesce (Sim *sim)
{
  guint clean_rounds = 0;

  clear_faults ();
  sim_settle ();

  for (int round = 0; round < 8 && clean_rounds < 2; round++)
    {
      gboolean pending = FALSE;

      for (int i = 0; i < N_DEVICES; i++)
        pending |= milk_store_count_pending (sim->devices[i].store) > 0;
      if (!pending)
        clean_rounds++;
      for (int i = 0; i < N_DEVICES; i++)
        {
          Device *d = &sim->devices[i];
          g_autoptr(GError) error = NULL;

          device_sync_start (d);
          if (!device_sync_finish (d, &error))
            FAIL (sim, "device %d could not sync without faults: %s", i, error ? error->message : "?");
        }
    }
  if (clean_rounds < 2)
    FAIL (sim, "still pending after eight rounds without faults");
}

