/* milk-csv.c — entries, prices and payments read from CSV (RFC 4180, UTF-8):
 * the reader and the sections; the entries' own in milk-csv-entries.c, the
 * writing in milk-csv-export.c
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

/* Reading */

typedef struct
{
  const char *p;
  const char *end;
  guint line;
} CsvReader;

static void
csv_record_clear (MilkCsvRecord *record)
{
  g_clear_pointer (&record->fields, g_ptr_array_unref);
  record->error = NULL;
}

static void
skip_line (CsvReader *reader)
{
  while (reader->p < reader->end && *reader->p != '\n')
    reader->p++;
  if (reader->p < reader->end)
    {
      reader->p++;
      reader->line++;
    }
}

/* One record; FALSE at the end of the data. A quoted field may hold
 * commas, quotes (doubled) and line breaks; CRLF or LF ends a record. */
static gboolean
csv_next (CsvReader     *reader,
          MilkCsvRecord *record)
{
  record->fields = g_ptr_array_new_with_free_func (g_free);
  record->line = reader->line;
  record->error = NULL;

  if (reader->p >= reader->end)
    return FALSE;

  for (;;)
    {
      GString *field = g_string_new (NULL);

      if (reader->p < reader->end && *reader->p == '"')
        {
          gboolean closed = FALSE;

          reader->p++;
          while (reader->p < reader->end)
            {
              char c = *reader->p++;

              if (c == '"')
                {
                  if (reader->p < reader->end && *reader->p == '"')
                    {
                      g_string_append_c (field, '"');
                      reader->p++;
                      continue;
                    }
                  closed = TRUE;
                  break;
                }
              if (c == '\r' && reader->p < reader->end && *reader->p == '\n')
                continue;  /* CRLF inside a field is a line break, kept as LF */
              if (c == '\n')
                reader->line++;
              g_string_append_c (field, c);
            }
          g_ptr_array_add (record->fields, g_string_free (field, FALSE));
          if (!closed)
            {
              record->error = N_("a quoted field is not closed before the end of the file");
              return TRUE;
            }
          if (reader->p < reader->end && *reader->p != ',' && *reader->p != '\r' && *reader->p != '\n')
            {
              record->error = N_("there is text after a closing quote");
              skip_line (reader);
              return TRUE;
            }
        }
      else
        {
          while (reader->p < reader->end && *reader->p != ',' &&
                 *reader->p != '\r' && *reader->p != '\n')
            {
              if (*reader->p == '"')
                record->error = N_("a quote is inside a field that does not start with one");
              g_string_append_c (field, *reader->p++);
            }
          g_ptr_array_add (record->fields, g_string_free (field, FALSE));
        }

      if (reader->p >= reader->end)
        return TRUE;
      if (*reader->p == ',')
        {
          reader->p++;
          continue;
        }
      if (*reader->p == '\r')
        reader->p++;
      if (reader->p < reader->end && *reader->p == '\n')
        reader->p++;
      reader->line++;
      return TRUE;
    }
}

enum { SECTION_ENTRIES, SECTION_PRICES, SECTION_PAYMENTS };

typedef struct
{
  char *product;
  MilkDay day;
  gint64 price;
} PriceRow;

static void
price_row_free (PriceRow *row)
{
  g_free (row->product);
  g_free (row);
}

const char *
_milk_csv_resolve_product (MilkCsvImport *import,
                           const char    *name,
                           guint          line,
                           MilkDay        day)
{
  const char *id;
  MilkRecord *product;
  g_autofree char *folded = NULL;
  g_autoptr(GError) error = NULL;

  if (name[0] == '\0')
    return MILK_DEFAULT_PRODUCT_ID;
  id = g_hash_table_lookup (import->product_ids, name);
  if (id != NULL)
    return id;
  folded = g_utf8_casefold (name, -1);
  id = g_hash_table_lookup (import->product_ids, folded);
  if (id != NULL)
    return id;

  /* A product the diary does not have yet: made along with the entries. */
  product = milk_record_new (MILK_RECORD_PRODUCT);
  product->id = milk_uuid_new ();
  product->name = g_strdup (name);
  product->unit = g_strdup ("L");
  product->position = import->next_position;
  if (!milk_record_validate (product, &error))
    {
      _milk_import_report_add (import->report, MILK_IMPORT_PROBLEM_BAD_VALUE, line, day,
                               _("the product “%s” cannot be made: %s; skipped"), name, error->message);
      milk_record_free (product);
      return NULL;
    }
  import->next_position++;
  g_ptr_array_add (import->records, product);
  import->report->products_written++;
  g_hash_table_insert (import->product_ids, g_strdup (name), g_strdup (product->id));
  g_hash_table_insert (import->product_ids, g_steal_pointer (&folded), g_strdup (product->id));
  return product->id;
}

/* A header row of a prices or payments section, or -1. */
static int
section_of (const MilkCsvRecord *record)
{
  g_autoptr(GString) joined = g_string_new (NULL);

  if (record->error || record->fields->len < 3 || record->fields->len > 4)
    return -1;
  for (guint i = 0; i < record->fields->len; i++)
    {
      g_autofree char *name = g_strstrip (g_ascii_strdown (g_ptr_array_index (record->fields, i), -1));

      g_string_append_printf (joined, "%s%s", i ? "," : "", name);
    }
  if (g_str_equal (joined->str, MILK_CSV_PRICES_HEADER))
    return SECTION_PRICES;
  if (g_str_equal (joined->str, MILK_CSV_PAYMENTS_HEADER) || g_str_equal (joined->str, MILK_CSV_PAYMENTS_HEADER_V1))
    return SECTION_PAYMENTS;
  return -1;
}

/* The fields of a prices or payments row (as many as its header
 * named), checked as text, or NULL. */
static const char * const *
section_fields (MilkCsvImport       *import,
                const MilkCsvRecord *record)
{
  guint n = import->section_columns;

  if (record->error)
    {
      _milk_import_report_add (import->report, MILK_IMPORT_PROBLEM_BAD_VALUE, record->line, MILK_DAY_INVALID,
                               "%s; skipped", _(record->error));
      return NULL;
    }
  if (record->fields->len != n)
    {
      _milk_import_report_add (import->report, MILK_IMPORT_PROBLEM_BAD_VALUE, record->line, MILK_DAY_INVALID,
                               _("the row has %u fields where the header has %u; skipped"),
                               record->fields->len, n);
      return NULL;
    }
  for (guint i = 0; i < n; i++)
    if (!g_utf8_validate (g_ptr_array_index (record->fields, i), -1, NULL))
      {
        _milk_import_report_add (import->report, MILK_IMPORT_PROBLEM_BAD_VALUE, record->line, MILK_DAY_INVALID,
                                 _("the row is not UTF-8 text; skipped"));
        return NULL;
      }
  return (const char * const *) record->fields->pdata;
}

static MilkDay
section_day (MilkCsvImport *import,
             const char    *text,
             guint          line)
{
  MilkDay day = milk_day_parse (text, NULL);

  if (day == MILK_DAY_INVALID)
    _milk_import_report_add (import->report, MILK_IMPORT_PROBLEM_BAD_DATE, line, MILK_DAY_INVALID,
                             _("the day “%s” is not a date written YYYY-MM-DD; skipped"), text);
  return day;
}

/* from,product,price: a price change, the later line winning. */
static void
import_price (MilkCsvImport       *import,
              const MilkCsvRecord *record)
{
  const char * const *fields = section_fields (import, record);
  MilkDay day = fields ? section_day (import, fields[0], record->line) : MILK_DAY_INVALID;
  PriceRow *row;
  const char *product;
  MilkDecimal value;
  gboolean exact;
  gint64 price;
  char iso[11];

  if (day == MILK_DAY_INVALID)
    return;
  if (!_milk_decimal_from_text (fields[2], &value) || value.negative ||
      !_milk_decimal_ratio (&value, NULL, (int) import->digits, MILK_PRICE_MAX, &price, &exact) || !exact)
    {
      _milk_import_report_add (import->report, MILK_IMPORT_PROBLEM_BAD_VALUE, record->line, day,
                               _("“%s” is not a price per litre in the diary’s currency; skipped"), fields[2]);
      return;
    }
  product = _milk_csv_resolve_product (import, fields[1], record->line, day);
  if (product == NULL)
    return;
  row = g_new0 (PriceRow, 1);
  row->product = g_strdup (product);
  row->day = day;
  row->price = price;
  milk_day_format_iso (day, iso);
  g_hash_table_replace (import->prices, g_strdup_printf ("%s/%s", product, iso), row);
  import->report->price_changes++;
}

/* day,amount,note[,bill]: a payment, and the month whose bill it pays. */
static void
import_payment (MilkCsvImport       *import,
                const MilkCsvRecord *record)
{
  const char * const *fields = section_fields (import, record);
  MilkDay day = fields ? section_day (import, fields[0], record->line) : MILK_DAY_INVALID;
  g_autoptr(MilkRecord) payment = NULL;
  g_autoptr(GError) error = NULL;
  MilkDecimal value;
  gboolean exact;

  if (day == MILK_DAY_INVALID)
    return;
  payment = milk_record_new (MILK_RECORD_PAYMENT);
  payment->id = milk_uuid_new ();
  payment->day = day;
  payment->note = g_strdup (fields[2]);
  if (import->section_columns > 3 && *fields[3] != '\0' &&
      (payment->bill = milk_day_parse_month (fields[3])) == MILK_DAY_INVALID)
    {
      _milk_import_report_add (import->report, MILK_IMPORT_PROBLEM_BAD_VALUE, record->line, day,
                               _("“%s” is not a month such as 2026-09; skipped"), fields[3]);
      return;
    }
  if (!_milk_decimal_from_text (fields[1], &value) || value.negative ||
      !_milk_decimal_ratio (&value, NULL, (int) import->digits, MILK_AMOUNT_MAX, &payment->amount, &exact) ||
      !exact || !milk_record_validate (payment, &error))
    {
      _milk_import_report_add (import->report, MILK_IMPORT_PROBLEM_BAD_VALUE, record->line, day,
                               _("“%s” is not an amount paid in the diary’s currency; skipped"), fields[1]);
      return;
    }
  g_ptr_array_add (import->payments, g_steal_pointer (&payment));
  import->report->payments++;
}

/* The payments the diary does not have yet: one in the file for each that
 * is not already there with the same day, amount and note, so that
 * importing a file twice pays nothing twice. */
static gboolean
plan_payments (MilkStore      *store,
               MilkCsvImport  *import,
               GError        **error)
{
  g_autoptr(GPtrArray) have = milk_store_list_payments (store, milk_day_from_ymd (MILK_DAY_MIN_YEAR, 1, 1),
                                                        milk_day_from_ymd (MILK_DAY_MAX_YEAR, 12, 31), error);
  g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (have == NULL)
    return FALSE;
  for (guint i = 0; i < have->len; i++)
    {
      MilkRecord *payment = g_ptr_array_index (have, i);
      char *key = g_strdup_printf ("%d/%" G_GINT64_FORMAT "/%s", (int) payment->day, payment->amount, payment->note);
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, key));

      g_hash_table_replace (counts, key, GUINT_TO_POINTER (n + 1));
    }
  for (guint i = 0; i < import->payments->len; i++)
    {
      MilkRecord *payment = g_ptr_array_index (import->payments, i);
      char *key = g_strdup_printf ("%d/%" G_GINT64_FORMAT "/%s", (int) payment->day, payment->amount, payment->note);
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, key));

      if (n > 0)
        {
          g_hash_table_replace (counts, key, GUINT_TO_POINTER (n - 1));
          continue;
        }
      g_free (key);
      g_ptr_array_add (import->records, milk_record_copy (payment));
      import->report->payments_written++;
    }
  return TRUE;
}

static int
compare_price_rows (gconstpointer a,
                    gconstpointer b)
{
  const PriceRow *ra = *(const PriceRow **) a;
  const PriceRow *rb = *(const PriceRow **) b;

  return ra->day < rb->day ? -1 : ra->day > rb->day;
}

/* The stated prices of one product, merged into the diary's schedule:
 * only a change the schedule does not already make is written. */
static MilkPriceSchedule *
plan_stated_prices (MilkStore      *store,
                    MilkCsvImport  *import,
                    const char     *product,
                    GError        **error)
{
  g_autoptr(MilkPriceSchedule) schedule = milk_store_get_price_schedule (store, product, error);
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  GHashTableIter iter;
  PriceRow *row;

  if (schedule == NULL)
    return NULL;
  g_hash_table_iter_init (&iter, import->prices);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &row))
    if (g_str_equal (row->product, product))
      g_ptr_array_add (rows, row);
  g_ptr_array_sort (rows, compare_price_rows);
  for (guint i = 0; i < rows->len; i++)
    {
      MilkRecord *record;

      row = g_ptr_array_index (rows, i);
      if (milk_price_schedule_lookup (schedule, row->day) == row->price)
        continue;
      milk_price_schedule_set (schedule, row->day, row->price);
      record = milk_record_new (MILK_RECORD_PRICE);
      record->id = g_strdup (product);
      record->day = row->day;
      record->price_per_l = row->price;
      g_ptr_array_add (import->records, record);
      import->report->prices_written++;
    }
  return g_steal_pointer (&schedule);
}

static int
compare_rows (gconstpointer a,
              gconstpointer b)
{
  const MilkImportRow *ra = a, *rb = b;

  return ra->day < rb->day ? -1 : ra->day > rb->day;
}

static int
compare_problems (gconstpointer a,
                  gconstpointer b)
{
  const MilkImportProblem *pa = *(const MilkImportProblem **) a;
  const MilkImportProblem *pb = *(const MilkImportProblem **) b;

  return pa->row < pb->row ? -1 : pa->row > pb->row;
}

/* The first line: a section's name, or the entries' columns. */
static gboolean
read_header (CsvReader  *reader,
             int         columns[MILK_CSV_N_COLUMNS],
             guint      *n_header,
             int        *section,
             GError    **error)
{
  MilkCsvRecord header = { 0 };
  gboolean has_columns;

  if (!csv_next (reader, &header) || header.error)
    {
      csv_record_clear (&header);
      g_set_error (error, MILK_IMPORT_ERROR, MILK_IMPORT_ERROR_BAD_HEADER,
                   _("The file has no header row; the first line must name the columns (%s)"),
                   MILK_CSV_ENTRIES_HEADER);
      return FALSE;
    }
  *n_header = header.fields->len;
  *section = section_of (&header);
  has_columns = _milk_csv_entry_columns (&header, columns);
  csv_record_clear (&header);
  if (*section < 0 && !has_columns)
    {
      g_set_error (error, MILK_IMPORT_ERROR, MILK_IMPORT_ERROR_BAD_HEADER,
                   _("The file’s first line must name the columns, with at least “day” and “litres” (%s)"),
                   MILK_CSV_ENTRIES_HEADER);
      return FALSE;
    }
  return TRUE;
}

/* A product is found by its id, its name, or its name in any case. */
static gboolean
map_products (MilkStore     *store,
              MilkCsvImport *import,
              GError       **error)
{
  g_autoptr(GPtrArray) products = milk_store_list_products (store, TRUE, error);

  if (products == NULL)
    return FALSE;
  for (guint i = 0; i < products->len; i++)
    {
      MilkRecord *product = g_ptr_array_index (products, i);

      g_hash_table_insert (import->product_ids, g_strdup (product->id), g_strdup (product->id));
      g_hash_table_insert (import->product_ids, g_utf8_casefold (product->name, -1), g_strdup (product->id));
      g_hash_table_insert (import->product_ids, g_strdup (product->name), g_strdup (product->id));
      import->next_position = MAX (import->next_position, product->position + 1);
    }
  return TRUE;
}

/* Every record after the first line, each to its section. */
static void
read_rows (CsvReader     *reader,
           MilkCsvImport *import,
           int            section,
           const int      columns[MILK_CSV_N_COLUMNS],
           guint          n_header)
{
  for (;;)
    {
      MilkCsvRecord record = { 0 };

      if (!csv_next (reader, &record))
        {
          csv_record_clear (&record);
          break;
        }
      /* A blank line (an empty record) is nothing, not a bad row. */
      if (record.error == NULL && record.fields->len == 1 &&
          ((const char *) g_ptr_array_index (record.fields, 0))[0] == '\0')
        ;
      else if (section_of (&record) >= 0)
        {
          section = section_of (&record);
          import->section_columns = record.fields->len;
          import->stated_prices |= section == SECTION_PRICES;
        }
      else
        {
          import->report->rows_read++;
          if (section == SECTION_PRICES)
            import_price (import, &record);
          else if (section == SECTION_PAYMENTS)
            import_payment (import, &record);
          else
            _milk_csv_import_entry (import, &record, columns, n_header);
        }
      csv_record_clear (&record);
    }
}

/* Each product's rows and stated prices become records. */
static gboolean
plan_products (MilkStore     *store,
               MilkCsvImport *import,
               GError       **error)
{
  g_autoptr(GHashTable) product_set = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GList) product_keys = NULL;
  GHashTableIter iter;
  PriceRow *price;
  gpointer product;

  /* Products in a stable order, so two imports plan the same records. */
  g_hash_table_iter_init (&iter, import->prices);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &price))
    g_hash_table_add (product_set, price->product);
  g_hash_table_iter_init (&iter, import->rows);
  while (g_hash_table_iter_next (&iter, &product, NULL))
    g_hash_table_add (product_set, product);

  product_keys = g_list_sort (g_hash_table_get_keys (product_set), (GCompareFunc) g_strcmp0);
  for (GList *l = product_keys; l; l = l->next)
    {
      GArray *product_rows = g_hash_table_lookup (import->rows, l->data);
      g_autoptr(MilkPriceSchedule) stated = NULL;

      if (import->stated_prices && (stated = plan_stated_prices (store, import, l->data, error)) == NULL)
        return FALSE;
      if (product_rows == NULL)
        continue;
      g_array_sort (product_rows, compare_rows);
      if (!_milk_import_plan_product (store, l->data, product_rows, stated, import->records, import->report,
                                      error))
        return FALSE;
    }
  return TRUE;
}

MilkImportReport *
milk_csv_plan_entries (MilkStore   *store,
                       const char  *data,
                       gsize        length,
                       GPtrArray  **records,
                       GError     **error)
{
  g_autoptr(MilkImportReport) report = milk_import_report_new ();
  g_autoptr(GPtrArray) planned = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  g_autoptr(GHashTable) product_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                      (GDestroyNotify) g_array_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) prices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) price_row_free);
  g_autoptr(GPtrArray) payments = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  CsvReader reader = { data, data + length, 1 };
  MilkCsvImport import = { 0 };
  int columns[MILK_CSV_N_COLUMNS];
  guint n_header;
  int section;
  const MilkCurrency *currency;

  g_return_val_if_fail (MILK_IS_STORE (store), NULL);
  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (records != NULL, NULL);

  if (length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    reader.p += 3;
  if (!read_header (&reader, columns, &n_header, &section, error))
    return NULL;

  import.product_ids = product_ids;
  if (!map_products (store, &import, error))
    return NULL;

  currency = milk_store_get_currency (store);
  report->currency = g_strdup (milk_currency_get_code (currency));
  report->by_line = TRUE;
  import.report = report;
  import.records = planned;
  import.rows = rows;
  import.seen = seen;
  import.prices = prices;
  import.payments = payments;
  import.digits = milk_currency_get_minor_digits (currency);
  if (section < 0)
    section = SECTION_ENTRIES;
  import.stated_prices = section == SECTION_PRICES;

  read_rows (&reader, &import, section, columns, n_header);
  if (!plan_products (store, &import, error) || !plan_payments (store, &import, error))
    return NULL;
  g_ptr_array_sort (report->problems, compare_problems);

  *records = g_steal_pointer (&planned);
  return g_steal_pointer (&report);
}

MilkImportReport *
milk_csv_import_entries_data (MilkStore   *store,
                              const char  *data,
                              gsize        length,
                              GError     **error)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(MilkImportReport) report = milk_csv_plan_entries (store, data, length, &records, error);

  if (report == NULL)
    return NULL;
  if (records->len > 0 && !milk_store_put_many (store, records, error))
    return NULL;
  return g_steal_pointer (&report);
}

MilkImportReport *
milk_csv_import_entries (MilkStore   *store,
                         const char  *path,
                         GError     **error)
{
  g_autofree char *data = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &data, &length, error))
    return NULL;
  return milk_csv_import_entries_data (store, data, length, error);
}
