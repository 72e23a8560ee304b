/* milk-csv.c — entries and payments as CSV (RFC 4180, UTF-8), both ways
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-import"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "milk-csv.h"
#include "milk-import-private.h"

/* Writing */

static void
append_field (GString    *out,
              const char *field,
              gboolean    last)
{
  gsize len = strlen (field);
  gboolean quote = strpbrk (field, ",\"\r\n") != NULL ||
                   (len > 0 && (g_ascii_isspace (field[0]) || g_ascii_isspace (field[len - 1])));

  if (quote)
    {
      g_string_append_c (out, '"');
      for (const char *p = field; *p; p++)
        {
          if (*p == '"')
            g_string_append_c (out, '"');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  else
    g_string_append (out, field);
  g_string_append (out, last ? "\r\n" : ",");
}

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

  out = g_string_new (MILK_CSV_ENTRIES_HEADER "\r\n");
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
      append_field (out, day, FALSE);
      append_field (out, name ? name : entry->id, FALSE);
      append_field (out, litres, FALSE);
      append_field (out, price_text ? price_text : "", FALSE);
      append_field (out, amount_text ? amount_text : "", FALSE);
      append_field (out, entry->note ? entry->note : "", TRUE);
    }

  if (length)
    *length = out->len;
  return g_string_free (out, FALSE);
}

char *
milk_csv_format_payments (MilkStore  *store,
                          MilkDay     first,
                          MilkDay     last,
                          gsize      *length,
                          GError    **error)
{
  g_autoptr(GPtrArray) payments = NULL;
  const MilkCurrency *currency;
  GString *out;

  g_return_val_if_fail (MILK_IS_STORE (store), NULL);

  payments = milk_store_list_payments (store, first, last, error);
  if (payments == NULL)
    return NULL;
  currency = milk_store_get_currency (store);

  out = g_string_new (MILK_CSV_PAYMENTS_HEADER "\r\n");
  for (guint i = 0; i < payments->len; i++)
    {
      MilkRecord *payment = g_ptr_array_index (payments, i);
      g_autofree char *amount = _milk_decimal_format (payment->amount,
                                                      milk_currency_get_minor_digits (currency));
      char day[11];

      char bill[8] = "";

      milk_day_format_iso (payment->day, day);
      if (payment->bill != MILK_DAY_INVALID)
        milk_day_format_month (payment->bill, bill);
      append_field (out, day, FALSE);
      append_field (out, amount, FALSE);
      append_field (out, payment->note ? payment->note : "", FALSE);
      append_field (out, bill, TRUE);
    }

  if (length)
    *length = out->len;
  return g_string_free (out, FALSE);
}

/* Every price change of every product, product by product in the
 * diary's order, oldest first. */
char *
milk_csv_format_prices (MilkStore  *store,
                        gsize      *length,
                        GError    **error)
{
  g_autoptr(GPtrArray) products = NULL;
  guint digits;
  GString *out;

  g_return_val_if_fail (MILK_IS_STORE (store), NULL);

  products = milk_store_list_products (store, TRUE, error);
  if (products == NULL)
    return NULL;
  digits = milk_currency_get_minor_digits (milk_store_get_currency (store));

  out = g_string_new (MILK_CSV_PRICES_HEADER "\r\n");
  for (guint i = 0; i < products->len; i++)
    {
      MilkRecord *product = g_ptr_array_index (products, i);
      g_autoptr(MilkPriceSchedule) schedule = milk_store_get_price_schedule (store, product->id, error);

      if (schedule == NULL)
        {
          g_string_free (out, TRUE);
          return NULL;
        }
      for (guint k = 0; k < milk_price_schedule_get_n_changes (schedule); k++)
        {
          g_autofree char *price = NULL;
          MilkDay from;
          gint64 per_l;
          char day[11];

          milk_price_schedule_get_change (schedule, k, &from, &per_l);
          price = _milk_decimal_format (per_l, digits);
          milk_day_format_iso (from, day);
          append_field (out, day, FALSE);
          append_field (out, product->name, FALSE);
          append_field (out, price, TRUE);
        }
    }

  if (length)
    *length = out->len;
  return g_string_free (out, FALSE);
}

static gboolean
export_to (char        *data,
           gsize        length,
           const char  *path,
           GError     **error)
{
  g_autofree char *owned = data;

  if (owned == NULL)
    return FALSE;
  return g_file_set_contents (path, owned, length, error);
}

gboolean
milk_csv_export_entries (MilkStore   *store,
                         const char  *path,
                         GError     **error)
{
  gsize length = 0;
  char *data = milk_csv_format_entries (store,
                                        milk_day_from_ymd (MILK_DAY_MIN_YEAR, 1, 1),
                                        milk_day_from_ymd (MILK_DAY_MAX_YEAR, 12, 31),
                                        &length, error);

  return export_to (data, length, path, error);
}

/* The whole diary: its entries, then after a blank line its prices, then
 * its payments, each section under its own header; what
 * milk_csv_import_entries reads back. */
gboolean
milk_csv_export_diary (MilkStore   *store,
                       const char  *path,
                       GError     **error)
{
  MilkDay first = milk_day_from_ymd (MILK_DAY_MIN_YEAR, 1, 1);
  MilkDay last = milk_day_from_ymd (MILK_DAY_MAX_YEAR, 12, 31);
  g_autofree char *entries = milk_csv_format_entries (store, first, last, NULL, error);
  g_autofree char *prices = entries ? milk_csv_format_prices (store, NULL, error) : NULL;
  g_autofree char *payments = prices ? milk_csv_format_payments (store, first, last, NULL, error) : NULL;
  char *data;

  if (payments == NULL)
    return FALSE;
  data = g_strconcat (entries, "\r\n", prices, "\r\n", payments, NULL);
  return export_to (data, strlen (data), path, error);
}

gboolean
milk_csv_export_payments (MilkStore   *store,
                          const char  *path,
                          GError     **error)
{
  gsize length = 0;
  char *data = milk_csv_format_payments (store,
                                         milk_day_from_ymd (MILK_DAY_MIN_YEAR, 1, 1),
                                         milk_day_from_ymd (MILK_DAY_MAX_YEAR, 12, 31),
                                         &length, error);

  return export_to (data, length, path, error);
}

/* Reading */

typedef struct
{
  const char *p;
  const char *end;
  guint line;
} CsvReader;

typedef struct
{
  GPtrArray *fields;   /* of char * */
  guint line;          /* where the record starts */
  const char *error;   /* a syntax problem: the record is bad */
} CsvRecord;

static void
csv_record_clear (CsvRecord *record)
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
csv_next (CsvReader *reader,
          CsvRecord *record)
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

enum { COL_DAY, COL_PRODUCT, COL_LITRES, COL_PRICE, COL_AMOUNT, COL_NOTE, N_COLUMNS };

static const char * const column_names[N_COLUMNS] = {
  "day", "product", "litres", "price", "amount", "note",
};

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

typedef struct
{
  MilkImportReport *report;
  GPtrArray *records;          /* new products go here first */
  GHashTable *prices;          /* "product/day" → PriceRow, from a prices section */
  GPtrArray *payments;         /* of MilkRecord, from a payments section */
  gboolean stated_prices;      /* the file has a prices section */
  guint section_columns;       /* fields in the current section's header */
  GHashTable *product_ids;     /* name or id → product id */
  GHashTable *rows;            /* product id → GArray of MilkImportRow */
  GHashTable *seen;            /* "product/day" → line of the row kept */
  guint digits;
  gint64 next_position;
} CsvImport;

static const char *
resolve_product (CsvImport   *import,
                 const char  *name,
                 guint        line,
                 MilkDay      day)
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

static void
import_record (CsvImport       *import,
               const CsvRecord *record,
               const int        columns[N_COLUMNS],
               guint            n_header)
{
  MilkImportReport *report = import->report;
  const char *fields[N_COLUMNS] = { NULL };
  MilkImportRow row = { 0 };
  g_autoptr(MilkRecord) check = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  MilkDecimal value;
  gboolean exact;
  const char *product;
  GArray *rows;
  gpointer kept;
  char iso[11];

  row.row = record->line;
  row.price = MILK_NO_PRICE;

  if (record->error)
    {
      _milk_import_report_add (report, MILK_IMPORT_PROBLEM_BAD_VALUE, record->line, MILK_DAY_INVALID,
                               "%s; skipped", _(record->error));
      return;
    }
  if (record->fields->len != n_header)
    {
      _milk_import_report_add (report, MILK_IMPORT_PROBLEM_BAD_VALUE, record->line, MILK_DAY_INVALID,
                               _("the row has %u fields where the header has %u; skipped"),
                               record->fields->len, n_header);
      return;
    }
  for (guint i = 0; i < record->fields->len; i++)
    if (!g_utf8_validate (g_ptr_array_index (record->fields, i), -1, NULL))
      {
        _milk_import_report_add (report, MILK_IMPORT_PROBLEM_BAD_VALUE, record->line, MILK_DAY_INVALID,
                                 _("the row is not UTF-8 text; skipped"));
        return;
      }
  for (guint c = 0; c < N_COLUMNS; c++)
    if (columns[c] >= 0)
      fields[c] = g_ptr_array_index (record->fields, columns[c]);

  row.day = milk_day_parse (fields[COL_DAY], NULL);
  if (row.day == MILK_DAY_INVALID)
    {
      _milk_import_report_add (report, MILK_IMPORT_PROBLEM_BAD_DATE, record->line, MILK_DAY_INVALID,
                               _("the day “%s” is not a date written YYYY-MM-DD; skipped"),
                               fields[COL_DAY]);
      return;
    }

  if (!_milk_decimal_from_text (fields[COL_LITRES], &value) || value.negative ||
      !_milk_decimal_ratio (&value, NULL, 3, MILK_QTY_MAX_ML, &row.qty_ml, &exact) || !exact)
    {
      _milk_import_report_add (report, MILK_IMPORT_PROBLEM_BAD_VALUE, record->line, row.day,
                               _("“%s” is not a quantity from 0 to 100 litres, to the millilitre; skipped"),
                               fields[COL_LITRES]);
      return;
    }

  if (fields[COL_PRICE] && fields[COL_PRICE][0] != '\0' &&
      (!_milk_decimal_from_text (fields[COL_PRICE], &value) || value.negative ||
       !_milk_decimal_ratio (&value, NULL, (int) import->digits, MILK_PRICE_MAX, &row.price, &exact) ||
       !exact))
    {
      _milk_import_report_add (report, MILK_IMPORT_PROBLEM_BAD_VALUE, record->line, row.day,
                               _("“%s” is not a price per litre in the diary’s currency; skipped"),
                               fields[COL_PRICE]);
      return;
    }

  if (fields[COL_AMOUNT] && fields[COL_AMOUNT][0] != '\0')
    {
      gint64 amount = -1;

      if (!_milk_decimal_from_text (fields[COL_AMOUNT], &value) || value.negative ||
          !_milk_decimal_ratio (&value, NULL, (int) import->digits, MILK_AMOUNT_MAX, &amount, &exact) ||
          !exact)
        {
          _milk_import_report_add (report, MILK_IMPORT_PROBLEM_BAD_VALUE, record->line, row.day,
                                   _("“%s” is not an amount in the diary’s currency; skipped"),
                                   fields[COL_AMOUNT]);
          return;
        }
      if (row.price == MILK_NO_PRICE || milk_amount_for_quantity (row.qty_ml, row.price) != amount)
        {
          _milk_import_report_add (report, MILK_IMPORT_PROBLEM_BAD_VALUE, record->line, row.day,
                                   _("the amount %s is not the litres times the price; skipped"),
                                   fields[COL_AMOUNT]);
          return;
        }
    }

  /* The same checks the store will make, so that one bad note cannot
   * undo the whole import's transaction. */
  check = milk_record_new (MILK_RECORD_ENTRY);
  check->id = g_strdup (MILK_DEFAULT_PRODUCT_ID);
  check->day = row.day;
  check->qty_ml = row.qty_ml;
  check->note = g_strdup (fields[COL_NOTE] ? fields[COL_NOTE] : "");
  if (!milk_record_validate (check, &error))
    {
      _milk_import_report_add (report, MILK_IMPORT_PROBLEM_BAD_VALUE, record->line, row.day,
                               "%s; skipped", error->message);
      return;
    }
  product = resolve_product (import, fields[COL_PRODUCT] ? fields[COL_PRODUCT] : "", record->line, row.day);
  if (product == NULL)
    return;
  row.note = g_strdup (fields[COL_NOTE]);

  /* Two rows for one day: the later line wins, as it would in a diary
   * written top to bottom; the earlier is reported. */
  milk_day_format_iso (row.day, iso);
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

      _milk_import_report_add (report, MILK_IMPORT_PROBLEM_DUPLICATE, earlier->row, row.day,
                               _("line %u has the same day (%s) again; that line is kept and this one skipped"),
                               record->line, iso);
      _milk_import_row_clear (earlier);
      *earlier = row;
      return;
    }
  g_array_append_val (rows, row);
  g_hash_table_insert (import->seen, g_steal_pointer (&key), GUINT_TO_POINTER (rows->len));
}

/* A header row of a prices or payments section, or -1. */
static int
section_of (const CsvRecord *record)
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
section_fields (CsvImport       *import,
                const CsvRecord *record)
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
section_day (CsvImport  *import,
             const char *text,
             guint       line)
{
  MilkDay day = milk_day_parse (text, NULL);

  if (day == MILK_DAY_INVALID)
    _milk_import_report_add (import->report, MILK_IMPORT_PROBLEM_BAD_DATE, line, MILK_DAY_INVALID,
                             _("the day “%s” is not a date written YYYY-MM-DD; skipped"), text);
  return day;
}

/* from,product,price: a price change, the later line winning. */
static void
import_price (CsvImport       *import,
              const CsvRecord *record)
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
  product = resolve_product (import, fields[1], record->line, day);
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
import_payment (CsvImport       *import,
                const CsvRecord *record)
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
plan_payments (MilkStore   *store,
               CsvImport   *import,
               GError     **error)
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
plan_stated_prices (MilkStore   *store,
                    CsvImport   *import,
                    const char  *product,
                    GError     **error)
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

MilkImportReport *
milk_csv_plan_entries (MilkStore   *store,
                       const char  *data,
                       gsize        length,
                       GPtrArray  **records,
                       GError     **error)
{
  g_autoptr(MilkImportReport) report = milk_import_report_new ();
  g_autoptr(GPtrArray) planned = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  g_autoptr(GPtrArray) products = NULL;
  g_autoptr(GHashTable) product_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                      (GDestroyNotify) g_array_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) prices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) price_row_free);
  g_autoptr(GPtrArray) payments = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  g_autoptr(GHashTable) product_set = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GList) product_keys = NULL;
  CsvReader reader = { data, data + length, 1 };
  CsvRecord header = { 0 };
  CsvImport import = { 0 };
  int columns[N_COLUMNS];
  guint n_header;
  int section;
  const MilkCurrency *currency;

  g_return_val_if_fail (MILK_IS_STORE (store), NULL);
  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (records != NULL, NULL);

  if (length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    reader.p += 3;

  if (!csv_next (&reader, &header) || header.error)
    {
      csv_record_clear (&header);
      g_set_error (error, MILK_IMPORT_ERROR, MILK_IMPORT_ERROR_BAD_HEADER,
                   _("The file has no header row; the first line must name the columns (%s)"),
                   MILK_CSV_ENTRIES_HEADER);
      return NULL;
    }
  n_header = header.fields->len;
  section = section_of (&header);
  for (guint c = 0; c < N_COLUMNS; c++)
    {
      columns[c] = -1;
      for (guint i = 0; i < n_header; i++)
        {
          g_autofree char *name = g_strstrip (g_ascii_strdown (g_ptr_array_index (header.fields, i), -1));

          if (g_str_equal (name, column_names[c]))
            columns[c] = (int) i;
        }
    }
  csv_record_clear (&header);
  if (section < 0 && (columns[COL_DAY] < 0 || columns[COL_LITRES] < 0))
    {
      g_set_error (error, MILK_IMPORT_ERROR, MILK_IMPORT_ERROR_BAD_HEADER,
                   _("The file’s first line must name the columns, with at least “day” and “litres” (%s)"),
                   MILK_CSV_ENTRIES_HEADER);
      return NULL;
    }

  products = milk_store_list_products (store, TRUE, error);
  if (products == NULL)
    return NULL;
  for (guint i = 0; i < products->len; i++)
    {
      MilkRecord *product = g_ptr_array_index (products, i);

      g_hash_table_insert (product_ids, g_strdup (product->id), g_strdup (product->id));
      g_hash_table_insert (product_ids, g_utf8_casefold (product->name, -1), g_strdup (product->id));
      g_hash_table_insert (product_ids, g_strdup (product->name), g_strdup (product->id));
      import.next_position = MAX (import.next_position, product->position + 1);
    }

  currency = milk_store_get_currency (store);
  report->currency = g_strdup (milk_currency_get_code (currency));
  report->by_line = TRUE;
  import.report = report;
  import.records = planned;
  import.product_ids = product_ids;
  import.rows = rows;
  import.seen = seen;
  import.prices = prices;
  import.payments = payments;
  import.digits = milk_currency_get_minor_digits (currency);
  if (section < 0)
    section = SECTION_ENTRIES;
  import.stated_prices = section == SECTION_PRICES;

  for (;;)
    {
      CsvRecord record = { 0 };

      if (!csv_next (&reader, &record))
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
          import.section_columns = record.fields->len;
          import.stated_prices |= section == SECTION_PRICES;
        }
      else
        {
          report->rows_read++;
          if (section == SECTION_PRICES)
            import_price (&import, &record);
          else if (section == SECTION_PAYMENTS)
            import_payment (&import, &record);
          else
            import_record (&import, &record, columns, n_header);
        }
      csv_record_clear (&record);
    }

  /* Products in a stable order, so two imports plan the same records. */
  {
    GHashTableIter iter;
    PriceRow *price;
    gpointer product;

    g_hash_table_iter_init (&iter, prices);
    while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &price))
      g_hash_table_add (product_set, price->product);

    g_hash_table_iter_init (&iter, rows);
    while (g_hash_table_iter_next (&iter, &product, NULL))
      g_hash_table_add (product_set, product);
  }
  product_keys = g_list_sort (g_hash_table_get_keys (product_set), (GCompareFunc) g_strcmp0);
  for (GList *l = product_keys; l; l = l->next)
    {
      GArray *product_rows = g_hash_table_lookup (rows, l->data);
      g_autoptr(MilkPriceSchedule) stated = NULL;

      if (import.stated_prices && (stated = plan_stated_prices (store, &import, l->data, error)) == NULL)
        return NULL;
      if (product_rows == NULL)
        continue;
      g_array_sort (product_rows, compare_rows);
      if (!_milk_import_plan_product (store, l->data, product_rows, stated, planned, report, error))
        return NULL;
    }
  if (!plan_payments (store, &import, error))
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
