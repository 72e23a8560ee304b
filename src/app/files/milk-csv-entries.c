/* milk-csv-entries.c — the entries section of a CSV file, both ways
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-import"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "milk-csv.h"
#include "milk-csv-private.h"

/* Writing */

/* Day by day, products in the diary's order, so two diaries with the same
 * records write the same file. */
static int
compare_entries (gconstpointer a,
                 gconstpointer b,
                 gpointer      positions)
{
  const MilkRecord *ra = *(const MilkRecord **) a;
  const MilkRecord *rb = *(const MilkRecord **) b;
  gint64 pa, pb;

  if (ra->day != rb->day)
    return ra->day < rb->day ? -1 : 1;
  pa = GPOINTER_TO_INT (g_hash_table_lookup (positions, ra->id));
  pb = GPOINTER_TO_INT (g_hash_table_lookup (positions, rb->id));
  if (pa != pb)
    return pa < pb ? -1 : 1;
  return g_strcmp0 (ra->id, rb->id);
}

/* "1.5", "0.25", "2": litres, '.' always. */
static char *
format_litres (gint64 qty_ml)
{
  char *text = _milk_decimal_format (qty_ml, 3);
  gsize len = strlen (text);

  while (len > 0 && text[len - 1] == '0')
    text[--len] = '\0';
  if (len > 0 && text[len - 1] == '.')
    text[--len] = '\0';
  return text;
}

char *
milk_csv_format_entries (MilkStore  *store,
                         MilkDay     first,
                         MilkDay     last,
                         gsize      *length,
                         GError    **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) products = NULL;
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) positions = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) schedules = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                           (GDestroyNotify) milk_price_schedule_free);
  const MilkCurrency *currency;
  guint digits;
  gboolean split = FALSE;
  GString *out;

  g_return_val_if_fail (MILK_IS_STORE (store), NULL);

  products = milk_store_list_products (store, TRUE, error);
  if (products == NULL)
    return NULL;
  entries = milk_store_list_entries (store, first, last, error);
  if (entries == NULL)
    return NULL;
  for (guint i = 0; i < products->len; i++)
    {
      MilkRecord *product = g_ptr_array_index (products, i);

      g_hash_table_insert (names, product->id, product->name);
      g_hash_table_insert (positions, product->id, GINT_TO_POINTER ((int) product->position + 1));
    }
  g_ptr_array_sort_with_data (entries, compare_entries, positions);
  currency = milk_store_get_currency (store);
  digits = milk_currency_get_minor_digits (currency);

  /* A household with one delivery a day gets the file it always got. */
  for (guint i = 0; i < entries->len && !split; i++)
    split = milk_entry_is_split (g_ptr_array_index (entries, i));

  out = g_string_new (MILK_CSV_ENTRIES_HEADER);
  g_string_append (out, split ? MILK_CSV_SPLIT_COLUMNS "\r\n" : "\r\n");
  for (guint i = 0; i < entries->len; i++)
    {
      MilkRecord *entry = g_ptr_array_index (entries, i);
      MilkPriceSchedule *schedule = g_hash_table_lookup (schedules, entry->id);
      const char *name = g_hash_table_lookup (names, entry->id);
      g_autofree char *litres = format_litres (entry->qty_ml);
      g_autofree char *price_text = NULL;
      g_autofree char *amount_text = NULL;
      char day[11];
      gint64 price;

      if (schedule == NULL)
        {
          schedule = milk_store_get_price_schedule (store, entry->id, error);
          if (schedule == NULL)
            {
              g_string_free (out, TRUE);
              return NULL;
            }
          g_hash_table_insert (schedules, g_strdup (entry->id), schedule);
        }
      price = entry->price_override != MILK_NO_PRICE
        ? entry->price_override
        : milk_price_schedule_lookup (schedule, entry->day);
      if (price >= 0)
        {
          price_text = _milk_decimal_format (price, digits);
          amount_text = _milk_decimal_format (milk_amount_for_quantity (entry->qty_ml, price), digits);
        }

      milk_day_format_iso (entry->day, day);
      _milk_csv_append_field (out, day, FALSE);
      _milk_csv_append_field (out, name ? name : entry->id, FALSE);
      _milk_csv_append_field (out, litres, FALSE);
      _milk_csv_append_field (out, price_text ? price_text : "", FALSE);
      _milk_csv_append_field (out, amount_text ? amount_text : "", FALSE);
      _milk_csv_append_field (out, entry->note ? entry->note : "", !split);
      if (split)
        {
          gboolean twice = milk_entry_is_split (entry);
          g_autofree char *morning = twice ? format_litres (entry->morning_ml) : g_strdup ("");
          g_autofree char *evening = twice ? format_litres (entry->evening_ml) : g_strdup ("");

          _milk_csv_append_field (out, morning, FALSE);
          _milk_csv_append_field (out, evening, TRUE);
        }
    }

  if (length)
    *length = out->len;
  return g_string_free (out, FALSE);
}

/* Reading */

static const char * const column_names[MILK_CSV_N_COLUMNS] = {
  "day", "product", "litres", "price", "amount", "note", "morning", "evening",
};

/* Where each column is in the header, -1 where it is not; FALSE when a
 * column an entries section needs is missing. */
gboolean
_milk_csv_entry_columns (const MilkCsvRecord *header,
                         int                  columns[MILK_CSV_N_COLUMNS])
{
  for (guint c = 0; c < MILK_CSV_N_COLUMNS; c++)
    {
      columns[c] = -1;
      for (guint i = 0; i < header->fields->len; i++)
        {
          g_autofree char *name = g_strstrip (g_ascii_strdown (g_ptr_array_index (header->fields, i), -1));

          if (g_str_equal (name, column_names[c]))
            columns[c] = (int) i;
        }
    }
  return columns[MILK_CSV_COL_DAY] >= 0 && columns[MILK_CSV_COL_LITRES] >= 0;
}

/* Litres to the millilitre, from 0 to 100. */
static gboolean
parse_litres (const char *text,
              gint64     *qty_ml)
{
  MilkDecimal value;
  gboolean exact;

  return _milk_decimal_from_text (text, &value) && !value.negative &&
         _milk_decimal_ratio (&value, NULL, 3, MILK_QTY_MAX_ML, qty_ml, &exact) && exact;
}

/* The morning and evening columns: both empty for a day delivered once,
 * both given and adding up to the day's litres for a day delivered
 * twice. A file without them says nothing about the day's deliveries. */
static gboolean
read_split (MilkCsvImport       *import,
            const MilkCsvRecord *record,
            const char         **fields,
            MilkImportRow       *row)
{
  const char *morning = fields[MILK_CSV_COL_MORNING] ? fields[MILK_CSV_COL_MORNING] : "";
  const char *evening = fields[MILK_CSV_COL_EVENING] ? fields[MILK_CSV_COL_EVENING] : "";
  g_autofree char *litres = NULL;

  row->knows_split = fields[MILK_CSV_COL_MORNING] != NULL || fields[MILK_CSV_COL_EVENING] != NULL;
  if (morning[0] == '\0' && evening[0] == '\0')
    return TRUE;
  if (morning[0] == '\0' || evening[0] == '\0')
    {
      _milk_import_report_add (import->report, MILK_IMPORT_PROBLEM_BAD_VALUE, record->line, row->day,
                               _("a day delivered twice needs both its morning and its evening litres; skipped"));
      return FALSE;
    }
  if (!parse_litres (morning, &row->morning_ml) || !parse_litres (evening, &row->evening_ml))
    {
      _milk_import_report_add (import->report, MILK_IMPORT_PROBLEM_BAD_VALUE, record->line, row->day,
                               _("“%s” is not a quantity from 0 to 100 litres, to the millilitre; skipped"),
                               parse_litres (morning, &row->morning_ml) ? evening : morning);
      return FALSE;
    }
  if (row->morning_ml + row->evening_ml != row->qty_ml)
    {
      litres = format_litres (row->qty_ml);
      _milk_import_report_add (import->report, MILK_IMPORT_PROBLEM_BAD_VALUE, record->line, row->day,
                               _("the morning’s %s L and the evening’s %s L do not add up to the day’s %s L; skipped"),
                               morning, evening, litres);
      return FALSE;
    }
  row->has_split = TRUE;
  return TRUE;
}

/* The row's fields by column; FALSE, said, when the row is not one. */
static gboolean
read_fields (MilkImportReport    *report,
             const MilkCsvRecord *record,
             const int            columns[MILK_CSV_N_COLUMNS],
             guint                n_header,
             const char          *fields[MILK_CSV_N_COLUMNS])
{
  if (record->error)
    {
      _milk_import_report_add (report, MILK_IMPORT_PROBLEM_BAD_VALUE, record->line, MILK_DAY_INVALID,
                               "%s; skipped", _(record->error));
      return FALSE;
    }
  if (record->fields->len != n_header)
    {
      _milk_import_report_add (report, MILK_IMPORT_PROBLEM_BAD_VALUE, record->line, MILK_DAY_INVALID,
                               _("the row has %u fields where the header has %u; skipped"),
                               record->fields->len, n_header);
      return FALSE;
    }
  for (guint i = 0; i < record->fields->len; i++)
    if (!g_utf8_validate (g_ptr_array_index (record->fields, i), -1, NULL))
      {
        _milk_import_report_add (report, MILK_IMPORT_PROBLEM_BAD_VALUE, record->line, MILK_DAY_INVALID,
                                 _("the row is not UTF-8 text; skipped"));
        return FALSE;
      }
  for (guint c = 0; c < MILK_CSV_N_COLUMNS; c++)
    if (columns[c] >= 0)
      fields[c] = g_ptr_array_index (record->fields, columns[c]);
  return TRUE;
}

/* The amount column, when given, must be the litres times the price. */
static gboolean
check_amount (MilkCsvImport       *import,
              const MilkCsvRecord *record,
              const char          *text,
              const MilkImportRow *row)
{
  MilkDecimal value;
  gboolean exact;
  gint64 amount = -1;

  if (text == NULL || text[0] == '\0')
    return TRUE;
  if (!_milk_decimal_from_text (text, &value) || value.negative ||
      !_milk_decimal_ratio (&value, NULL, (int) import->digits, MILK_AMOUNT_MAX, &amount, &exact) || !exact)
    {
      _milk_import_report_add (import->report, MILK_IMPORT_PROBLEM_BAD_VALUE, record->line, row->day,
                               _("“%s” is not an amount in the diary’s currency; skipped"), text);
      return FALSE;
    }
  if (row->price == MILK_NO_PRICE || milk_amount_for_quantity (row->qty_ml, row->price) != amount)
    {
      _milk_import_report_add (import->report, MILK_IMPORT_PROBLEM_BAD_VALUE, record->line, row->day,
                               _("the amount %s is not the litres times the price; skipped"), text);
      return FALSE;
    }
  return TRUE;
}

/* The day, litres, price and amount; FALSE, said, at the first bad one. */
static gboolean
read_values (MilkCsvImport       *import,
             const MilkCsvRecord *record,
             const char         **fields,
             MilkImportRow       *row)
{
  MilkImportReport *report = import->report;
  MilkDecimal value;
  gboolean exact;

  row->day = milk_day_parse (fields[MILK_CSV_COL_DAY], NULL);
  if (row->day == MILK_DAY_INVALID)
    {
      _milk_import_report_add (report, MILK_IMPORT_PROBLEM_BAD_DATE, record->line, MILK_DAY_INVALID,
                               _("the day “%s” is not a date written YYYY-MM-DD; skipped"),
                               fields[MILK_CSV_COL_DAY]);
      return FALSE;
    }
  if (!_milk_decimal_from_text (fields[MILK_CSV_COL_LITRES], &value) || value.negative ||
      !_milk_decimal_ratio (&value, NULL, 3, MILK_QTY_MAX_ML, &row->qty_ml, &exact) || !exact)
    {
      _milk_import_report_add (report, MILK_IMPORT_PROBLEM_BAD_VALUE, record->line, row->day,
                               _("“%s” is not a quantity from 0 to 100 litres, to the millilitre; skipped"),
                               fields[MILK_CSV_COL_LITRES]);
      return FALSE;
    }
  if (fields[MILK_CSV_COL_PRICE] && fields[MILK_CSV_COL_PRICE][0] != '\0' &&
      (!_milk_decimal_from_text (fields[MILK_CSV_COL_PRICE], &value) || value.negative ||
       !_milk_decimal_ratio (&value, NULL, (int) import->digits, MILK_PRICE_MAX, &row->price, &exact) ||
       !exact))
    {
      _milk_import_report_add (report, MILK_IMPORT_PROBLEM_BAD_VALUE, record->line, row->day,
                               _("“%s” is not a price per litre in the diary’s currency; skipped"),
                               fields[MILK_CSV_COL_PRICE]);
      return FALSE;
    }
  return check_amount (import, record, fields[MILK_CSV_COL_AMOUNT], row) &&
         read_split (import, record, fields, row);
}

/* The same checks the store will make, so that one bad note cannot
 * undo the whole import's transaction. */
static gboolean
check_entry (MilkImportReport    *report,
             const MilkCsvRecord *record,
             const char          *note,
             const MilkImportRow *row)
{
  g_autoptr(MilkRecord) check = milk_record_new (MILK_RECORD_ENTRY);
  g_autoptr(GError) error = NULL;

  check->id = g_strdup (MILK_DEFAULT_PRODUCT_ID);
  check->day = row->day;
  check->qty_ml = row->qty_ml;
  if (row->has_split)
    milk_entry_set_split (check, row->morning_ml, row->evening_ml);
  check->note = g_strdup (note ? note : "");
  if (!milk_record_validate (check, &error))
    {
      _milk_import_report_add (report, MILK_IMPORT_PROBLEM_BAD_VALUE, record->line, row->day,
                               "%s; skipped", error->message);
      return FALSE;
    }
  return TRUE;
}

/* Two rows for one day: the later line wins, as it would in a diary
 * written top to bottom; the earlier is reported. Takes the row. */
static void
keep_row (MilkCsvImport       *import,
          const MilkCsvRecord *record,
          const char          *product,
          MilkImportRow       *row)
{
  g_autofree char *key = NULL;
  GArray *rows;
  gpointer kept;
  char iso[11];

  milk_day_format_iso (row->day, iso);
  key = g_strdup_printf ("%s/%s", product, iso);
  rows = g_hash_table_lookup (import->rows, product);
  if (rows == NULL)
    {
      rows = g_array_new (FALSE, TRUE, sizeof (MilkImportRow));
      g_array_set_clear_func (rows, (GDestroyNotify) _milk_import_row_clear);
      g_hash_table_insert (import->rows, g_strdup (product), rows);
    }
  kept = g_hash_table_lookup (import->seen, key);
  if (kept != NULL)
    {
      MilkImportRow *earlier = &g_array_index (rows, MilkImportRow, GPOINTER_TO_UINT (kept) - 1);

      _milk_import_report_add (import->report, MILK_IMPORT_PROBLEM_DUPLICATE, earlier->row, row->day,
                               _("line %u has the same day (%s) again; that line is kept and this one skipped"),
                               record->line, iso);
      _milk_import_row_clear (earlier);
      *earlier = *row;
      return;
    }
  g_array_append_val (rows, *row);
  g_hash_table_insert (import->seen, g_steal_pointer (&key), GUINT_TO_POINTER (rows->len));
}

void
_milk_csv_import_entry (MilkCsvImport       *import,
                        const MilkCsvRecord *record,
                        const int            columns[MILK_CSV_N_COLUMNS],
                        guint                n_header)
{
  const char *fields[MILK_CSV_N_COLUMNS] = { NULL };
  MilkImportRow row = { 0 };
  const char *product;

  row.row = record->line;
  row.price = MILK_NO_PRICE;

  if (!read_fields (import->report, record, columns, n_header, fields) ||
      !read_values (import, record, fields, &row) ||
      !check_entry (import->report, record, fields[MILK_CSV_COL_NOTE], &row))
    return;
  product = _milk_csv_resolve_product (import, fields[MILK_CSV_COL_PRODUCT] ? fields[MILK_CSV_COL_PRODUCT] : "",
                                       record->line, row.day);
  if (product == NULL)
    return;
  row.note = g_strdup (fields[MILK_CSV_COL_NOTE]);
  keep_row (import, record, product, &row);
}
