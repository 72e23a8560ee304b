/* milk-store-schema.c — the cache's schema, one migration per version
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-store"

#include "config.h"

#include "milk-store-private.h"

/* Each table keeps the synced fields of one record type, keyed by the
 * record's natural key, with its clock stamp, tombstone and pending mark.
 * Migration N takes user_version N to N + 1 inside one transaction; never
 * edit one that has shipped, add the next. */
static const char * const migrations[] = {
  /* 0 → 1 */
  "CREATE TABLE products ("
  "  key TEXT PRIMARY KEY,"
  "  name TEXT NOT NULL DEFAULT '',"
  "  unit TEXT NOT NULL DEFAULT 'L',"
  "  default_qty_ml INTEGER NOT NULL DEFAULT 0,"
  "  position INTEGER NOT NULL DEFAULT 0,"
  "  archived INTEGER NOT NULL DEFAULT 0,"
  "  hlc TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, pending INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE entries ("
  "  key TEXT PRIMARY KEY,"
  "  product TEXT NOT NULL,"
  "  day TEXT NOT NULL,"
  "  qty_ml INTEGER NOT NULL DEFAULT 0,"
  "  price_override INTEGER,"
  "  note TEXT NOT NULL DEFAULT '',"
  "  hlc TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, pending INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX entries_day ON entries (day);"
  "CREATE TABLE prices ("
  "  key TEXT PRIMARY KEY,"
  "  product TEXT NOT NULL,"
  "  day TEXT NOT NULL,"
  "  price_per_l INTEGER NOT NULL DEFAULT 0,"
  "  hlc TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, pending INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE payments ("
  "  key TEXT PRIMARY KEY,"
  "  day TEXT NOT NULL DEFAULT '',"
  "  amount INTEGER NOT NULL DEFAULT 0,"
  "  note TEXT NOT NULL DEFAULT '',"
  "  hlc TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, pending INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE settings ("
  "  key TEXT PRIMARY KEY,"
  "  value TEXT NOT NULL DEFAULT '',"
  "  hlc TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, pending INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE local_state (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
  /* The product every install starts with, stamped at the beginning of
   * time and not pending: any real edit on any device wins over it. */
  "INSERT INTO products (key, name, unit, default_qty_ml, position, archived, hlc)"
  "  VALUES ('" MILK_DEFAULT_PRODUCT_ID "', 'Milk', 'L', 1000, 0, 0,"
  "          '0000000000000-0000-0000000000000000');",

  /* 1 → 2: changes the server refused stay listed until the person acts,
   * and pending records are found without a scan. */
  "CREATE TABLE rejected ("
  "  type TEXT NOT NULL,"
  "  key TEXT NOT NULL,"
  "  hlc TEXT NOT NULL,"
  "  code TEXT NOT NULL,"
  "  message TEXT NOT NULL,"
  "  PRIMARY KEY (type, key));"
  "CREATE INDEX products_pending ON products (pending) WHERE pending;"
  "CREATE INDEX entries_pending ON entries (pending) WHERE pending;"
  "CREATE INDEX prices_pending ON prices (pending) WHERE pending;"
  "CREATE INDEX payments_pending ON payments (pending) WHERE pending;"
  "CREATE INDEX settings_pending ON settings (pending) WHERE pending;"
  "CREATE INDEX payments_day ON payments (day);",

  /* 2 → 3: a product's usual quantity by weekday, "" for none or seven
   * comma-separated millilitre counts, Monday first. */
  "ALTER TABLE products ADD COLUMN weekday_qty TEXT NOT NULL DEFAULT '';",

  /* 3 → 4: changes pulled from the service that this version cannot read
   * (a newer version's record type or values), kept as the JSON received
   * so that a later version can apply them: one per record, the greatest
   * stamp. One with no readable type or key is kept under its checksum. */
  "CREATE TABLE unreadable ("
  "  type TEXT NOT NULL,"
  "  key TEXT NOT NULL,"
  "  hlc TEXT NOT NULL,"
  "  body TEXT NOT NULL,"
  "  code TEXT NOT NULL,"
  "  PRIMARY KEY (type, key));",

  /* 4 → 5: a change of this device's that lost to a newer one from
   * another device (code "superseded") keeps the version that lost, as
   * JSON, to tell the person what replaced what. */
  "ALTER TABLE rejected ADD COLUMN lost TEXT;",

  /* 5 → 6: what a newer version wrote into a record that this one does
   * not know (unknown members, as a JSON object; NULL for none), kept to be
   * sent back unchanged when this device edits the record. */
  "ALTER TABLE products ADD COLUMN extra TEXT;"
  "ALTER TABLE entries ADD COLUMN extra TEXT;"
  "ALTER TABLE prices ADD COLUMN extra TEXT;"
  "ALTER TABLE payments ADD COLUMN extra TEXT;"
  "ALTER TABLE settings ADD COLUMN extra TEXT;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == MILK_STORE_SCHEMA_VERSION);

const char *
_milk_store_migration (int version)
{
  if (version < 0 || version >= (int) G_N_ELEMENTS (migrations))
    return NULL;
  return migrations[version];
}

/* Indexes that only make reading faster are not part of the numbered
 * format: they are made when a diary is opened, if missing, so that a
 * diary this version opened still opens in an older one (which keeps them
 * up to date like any other index). */
const char *
_milk_store_indexes (void)
{
  /* The ledger (milk-store-bill.c) reads every delivery at start-up: a
   * covering index is a quarter of the table's pages (issue 18). */
  return "CREATE INDEX IF NOT EXISTS entries_ledger"
         "  ON entries (product, day, qty_ml, price_override, deleted) WHERE NOT deleted AND qty_ml > 0;";
}
