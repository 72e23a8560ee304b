/* milk-store-rows.c — each record type as a row of its table
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-store"

#include "config.h"

#include "milk-store-private.h"

typedef struct
{
  const char *table;
  const char *data_columns;
  guint n_data;
} TableInfo;

static const TableInfo tables[] = {
  [MILK_RECORD_PRODUCT] = { "products", "name, unit, default_qty_ml, position, archived, weekday_qty", 6 },
  [MILK_RECORD_ENTRY] = { "entries", "product, day, qty_ml, price_override, note", 5 },
  [MILK_RECORD_PRICE] = { "prices", "product, day, price_per_l", 3 },
  [MILK_RECORD_PAYMENT] = { "payments", "day, amount, note", 3 },
  [MILK_RECORD_SETTING] = { "settings", "value", 1 },
};

const char *
_milk_store_table_name (MilkRecordType type)
{
  return tables[type].table;
}

/* Every column of a row: "key, <data columns>, hlc, deleted, pending, extra". */
char *
_milk_store_insert_sql (MilkRecordType type)
{
  const TableInfo *info = &tables[type];
  GString *sql = g_string_new (NULL);

  g_string_printf (sql, "INSERT OR REPLACE INTO %s (key, %s, hlc, deleted, pending, extra) VALUES (?",
                   info->table, info->data_columns);
  for (guint i = 0; i < info->n_data + 4; i++)
    g_string_append (sql, ", ?");
  g_string_append_c (sql, ')');
  return g_string_free (sql, FALSE);
}

static void
bind_text_or_empty (sqlite3_stmt *stmt,
                    int           column,
                    const char   *text)
{
  sqlite3_bind_text (stmt, column, text ? text : "", -1, SQLITE_TRANSIENT);
}

void
_milk_store_bind_record (sqlite3_stmt     *stmt,
                         const MilkRecord *record,
                         gboolean          pending)
{
  g_autofree char *key = milk_record_dup_key (record);
  char day[11];
  int col = 1;

  milk_day_format_iso (record->day, day);
  sqlite3_bind_text (stmt, col++, key, -1, SQLITE_TRANSIENT);

  switch (record->type)
    {
    case MILK_RECORD_PRODUCT:
      bind_text_or_empty (stmt, col++, record->name);
      bind_text_or_empty (stmt, col++, record->unit ? record->unit : "L");
      sqlite3_bind_int64 (stmt, col++, record->default_qty_ml);
      sqlite3_bind_int64 (stmt, col++, record->position);
      sqlite3_bind_int (stmt, col++, record->archived);
      if (record->has_weekday_qty)
        {
          g_autofree char *pattern = g_strdup_printf ("%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT
                                                      ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT
                                                      ",%" G_GINT64_FORMAT,
                                                      record->weekday_qty_ml[0], record->weekday_qty_ml[1],
                                                      record->weekday_qty_ml[2], record->weekday_qty_ml[3],
                                                      record->weekday_qty_ml[4], record->weekday_qty_ml[5],
                                                      record->weekday_qty_ml[6]);
          sqlite3_bind_text (stmt, col++, pattern, -1, SQLITE_TRANSIENT);
        }
      else
        sqlite3_bind_text (stmt, col++, "", -1, SQLITE_STATIC);
      break;

    case MILK_RECORD_ENTRY:
      sqlite3_bind_text (stmt, col++, record->id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, col++, day, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, col++, record->qty_ml);
      if (record->price_override == MILK_NO_PRICE)
        sqlite3_bind_null (stmt, col++);
      else
        sqlite3_bind_int64 (stmt, col++, record->price_override);
      bind_text_or_empty (stmt, col++, record->note);
      break;

    case MILK_RECORD_PRICE:
      sqlite3_bind_text (stmt, col++, record->id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, col++, day, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, col++, record->price_per_l);
      break;

    case MILK_RECORD_PAYMENT:
      sqlite3_bind_text (stmt, col++, day, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, col++, record->amount);
      bind_text_or_empty (stmt, col++, record->note);
      break;

    case MILK_RECORD_SETTING:
      bind_text_or_empty (stmt, col++, record->value);
      break;

    default:
      g_assert_not_reached ();
    }

  sqlite3_bind_text (stmt, col++, record->hlc, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, col++, record->deleted);
  sqlite3_bind_int (stmt, col++, pending);
  {
    char *stored = milk_record_dup_stored_text (record);

    if (stored != NULL)
      sqlite3_bind_text (stmt, col++, stored, -1, g_free);
    else
      sqlite3_bind_null (stmt, col++);
  }
}

const char *
_milk_store_column_text (sqlite3_stmt *stmt,
                         int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return text ? text : "";
}

static void
read_weekday_pattern (MilkRecord *record,
                      const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", 0);

  record->has_weekday_qty = FALSE;
  if (g_strv_length (parts) != 7)
    return;
  for (guint i = 0; i < 7; i++)
    {
      gint64 value;

      if (!g_ascii_string_to_signed (parts[i], 10, 0, MILK_QTY_MAX_ML, &value, NULL))
        return;
      record->weekday_qty_ml[i] = value;
    }
  record->has_weekday_qty = TRUE;
}

/* Reads "key, <data columns>, hlc, deleted, extra" into a record. */
MilkRecord *
_milk_store_read_record (MilkRecordType  type,
                         sqlite3_stmt   *stmt)
{
  g_autoptr(MilkRecord) record = milk_record_new (type);
  int col = 1;

  if (!milk_record_set_key (record, _milk_store_column_text (stmt, 0), NULL))
    return NULL;

  switch (type)
    {
    case MILK_RECORD_PRODUCT:
      record->name = g_strdup (_milk_store_column_text (stmt, col++));
      record->unit = g_strdup (_milk_store_column_text (stmt, col++));
      record->default_qty_ml = sqlite3_column_int64 (stmt, col++);
      record->position = sqlite3_column_int64 (stmt, col++);
      record->archived = sqlite3_column_int (stmt, col++) != 0;
      read_weekday_pattern (record, _milk_store_column_text (stmt, col++));
      break;

    case MILK_RECORD_ENTRY:
      col += 2; /* product and day are in the key */
      record->qty_ml = sqlite3_column_int64 (stmt, col++);
      record->price_override = sqlite3_column_type (stmt, col) == SQLITE_NULL
                               ? MILK_NO_PRICE : sqlite3_column_int64 (stmt, col);
      col++;
      record->note = g_strdup (_milk_store_column_text (stmt, col++));
      break;

    case MILK_RECORD_PRICE:
      col += 2;
      record->price_per_l = sqlite3_column_int64 (stmt, col++);
      break;

    case MILK_RECORD_PAYMENT:
      record->day = milk_day_parse (_milk_store_column_text (stmt, col++), NULL);
      record->amount = sqlite3_column_int64 (stmt, col++);
      record->note = g_strdup (_milk_store_column_text (stmt, col++));
      break;

    case MILK_RECORD_SETTING:
      record->value = g_strdup (_milk_store_column_text (stmt, col++));
      break;

    default:
      g_assert_not_reached ();
    }

  record->hlc = g_strdup (_milk_store_column_text (stmt, col++));
  record->deleted = sqlite3_column_int (stmt, col++) != 0;
  milk_record_set_stored_text (record, (const char *) sqlite3_column_text (stmt, col++));
  return g_steal_pointer (&record);
}

char *
_milk_store_select_sql (MilkRecordType  type,
                        const char     *where)
{
  return g_strdup_printf ("SELECT key, %s, hlc, deleted, extra FROM %s %s",
                          tables[type].data_columns, _milk_store_table_name (type), where);
}

/* The key of a product's record on a day: an entry's, a price's. */
char *
_milk_store_day_key (const char *product,
                     MilkDay     day)
{
  char text[11];

  milk_day_format_iso (day, text);
  return g_strdup_printf ("%s/%s", product, text);
}
