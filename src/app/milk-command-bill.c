/* milk-command-bill.c — `milk-diary --month` and `--pay`: the month's bill
 * as text, and a payment against a bill
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <glib/gi18n.h>

#include "milk-command-bill.h"

#define EXIT_USAGE 2
#define GAP "  "

/* Columns line up by what a terminal shows, not by bytes or characters:
 * a Devanagari vowel sign takes no column of its own, a CJK character two. */
static int
display_width (const char *text)
{
  int width = 0;

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iszerowidth (c) || g_unichar_type (c) == G_UNICODE_NON_SPACING_MARK)
        continue;
      width += g_unichar_iswide (c) ? 2 : 1;
    }
  return width;
}

static void
append_padded (GString    *out,
               const char *text,
               int         width,
               gboolean    right)
{
  int pad = MAX (0, width - display_width (text));

  if (right)
    g_string_append_printf (out, "%*s%s", pad, "", text);
  else
    g_string_append_printf (out, "%s%*s", text, pad, "");
}

/* Rows of cells, each column as wide as its widest cell. */
typedef struct
{
  guint n_columns;
  guint32 right;        /* bit n: column n aligns right */
  GPtrArray *cells;     /* n_columns per row; NULL for an empty cell */
} Table;

static void
table_init (Table   *table,
            guint    n_columns,
            guint32  right)
{
  table->n_columns = n_columns;
  table->right = right;
  table->cells = g_ptr_array_new_with_free_func (g_free);
}

/* Takes the strings, n_columns of them. */
static void
table_add (Table *table,
           ...)
{
  va_list args;

  va_start (args, table);
  for (guint i = 0; i < table->n_columns; i++)
    g_ptr_array_add (table->cells, va_arg (args, char *));
  va_end (args);
}

static void
table_render (Table   *table,
              GString *out)
{
  g_autofree int *widths = g_new0 (int, table->n_columns);
  guint n_rows = table->cells->len / table->n_columns;

  for (guint i = 0; i < table->cells->len; i++)
    {
      const char *cell = g_ptr_array_index (table->cells, i);

      if (cell)
        widths[i % table->n_columns] = MAX (widths[i % table->n_columns], display_width (cell));
    }
  for (guint row = 0; row < n_rows; row++)
    {
      g_autoptr(GString) line = g_string_new (NULL);

      for (guint col = 0; col < table->n_columns; col++)
        {
          const char *cell = g_ptr_array_index (table->cells, row * table->n_columns + col);

          if (widths[col] == 0)
            continue;
          if (line->len)
            g_string_append (line, GAP);
          append_padded (line, cell ? cell : "", widths[col], (table->right >> col) & 1);
        }
      while (line->len && line->str[line->len - 1] == ' ')
        g_string_truncate (line, line->len - 1);
      g_string_append_printf (out, "%s\n", line->str);
    }
  g_ptr_array_unref (table->cells);
}

static void
add_lines (GString            *out,
           const MilkBill     *bill,
           const MilkCurrency *currency)
{
  Table table;

  table_init (&table, 6, 1 << 2 | 1 << 3 | 1 << 4);
  for (guint i = 0; i < bill->lines->len; i++)
    {
      MilkBillLine *line = g_ptr_array_index (bill->lines, i);
      char *qty, *price = NULL, *amount = NULL, *note = NULL;

      if (line->qty_ml == 0)
        qty = g_strdup (_("no delivery"));
      else
        {
          qty = line->split ? milk_quantity_format_split (line->morning_ml, line->evening_ml)
                            : milk_quantity_format (line->qty_ml);
          if (line->price_per_l < 0)
            price = g_strdup (_("no price"));
          else
            {
              price = milk_money_format (line->price_per_l, currency);
              amount = milk_money_format (line->amount, currency);
            }
        }
      if (line->note && line->note[0])
        note = g_strdup_printf ("(%s)", line->note);
      table_add (&table, milk_day_to_string (line->day), g_strdup (line->name), qty, price, amount, note);
    }
  table_render (&table, out);
  if (bill->lines->len == 0)
    g_string_append_printf (out, "%s\n", _("Nothing recorded this month."));
}

/* A product's days delivered morning and evening: what came in the
 * mornings, in the evenings, and on its other days, adding up to its
 * quantity; rows of @table (label, quantity and, when it has more than
 * two columns, days). */
static void
add_split_rows (Table                 *table,
                const MilkBillProduct *product)
{
  guint once = product->delivered_days - product->split_days;
  struct { const char *label; gint64 qty_ml; guint days; } rows[] = {
    { _("Morning"), product->morning_ml, product->split_days },
    { _("Evening"), product->evening_ml, product->split_days },
    { _("Delivered once"), product->qty_ml - product->morning_ml - product->evening_ml, once },
  };

  if (product->split_days == 0)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (rows) && (i < 2 || once > 0); i++)
    {
      char *label = g_strconcat (GAP, rows[i].label, NULL);
      char *qty = milk_quantity_format (rows[i].qty_ml);

      if (table->n_columns == 2)
        table_add (table, label, qty);
      else
        table_add (table, label, qty,
                   g_strdup_printf (ngettext ("%u day", "%u days", rows[i].days), rows[i].days), NULL);
    }
}

/* With several products, what each adds up to. */
static void
add_products (GString            *out,
              const MilkBill     *bill,
              const MilkCurrency *currency)
{
  Table table;

  if (bill->products->len < 2)
    return;
  table_init (&table, 4, 1 << 1 | 1 << 2 | 1 << 3);
  for (guint i = 0; i < bill->products->len; i++)
    {
      MilkBillProduct *product = g_ptr_array_index (bill->products, i);

      table_add (&table, g_strdup (product->name), milk_quantity_format (product->qty_ml),
                 g_strdup_printf (ngettext ("%u day", "%u days", product->delivered_days), product->delivered_days),
                 milk_money_format (product->amount, currency));
      add_split_rows (&table, product);
    }
  table_render (&table, out);
  g_string_append_c (out, '\n');
}

/* The figures every view of the bill shows, label and value. */
static void
add_summary (GString            *out,
             const MilkBill     *bill,
             const MilkCurrency *currency)
{
  Table table;

  table_init (&table, 2, 1 << 1);
  table_add (&table, g_strdup (_("Milk delivered")), milk_quantity_format (bill->qty_ml));
  if (bill->products->len == 1)
    add_split_rows (&table, g_ptr_array_index (bill->products, 0));
  table_add (&table, g_strdup (_("Delivery days")), g_strdup_printf ("%u", bill->delivered_days));
  table_add (&table, g_strdup (_("Average per delivery day")),
             bill->delivered_days ? milk_quantity_format (bill->average_ml) : g_strdup ("—"));
  table_add (&table, g_strdup (_("Amount")), milk_money_format (bill->amount, currency));
  if (bill->brought_forward != 0)
    table_add (&table, g_strdup (_("Brought forward")), milk_money_format (bill->brought_forward, currency));
  for (guint i = 0; i < bill->payments->len; i++)
    {
      MilkRecord *payment = g_ptr_array_index (bill->payments, i);
      g_autofree char *day = milk_day_to_string (payment->day);
      char *label = payment->note && payment->note[0]
        /* TRANSLATORS: a payment on a bill: "Paid 2026-10-05 (cash)" */
        ? g_strdup_printf (_("Paid %s (%s)"), day, payment->note)
        /* TRANSLATORS: a payment on a bill: "Paid 2026-10-05" */
        : g_strdup_printf (_("Paid %s"), day);

      table_add (&table, label, milk_money_format (payment->amount, currency));
    }
  table_add (&table, g_strdup (_("Paid")), milk_money_format (bill->paid, currency));
  table_add (&table, g_strdup (_("Balance due")), milk_money_format (bill->balance_due, currency));
  table_add (&table, g_strdup (_("Status")), g_strdup (milk_bill_state_to_string (bill->state)));
  table_render (&table, out);
}

/* What the milkman asked for the month, if the person said, and how it
 * compares. */
static void
add_milkman (GString            *out,
             MilkStore          *store,
             const MilkBill     *bill,
             const MilkCurrency *currency)
{
  g_autofree char *name = milk_bill_check_setting_name (bill->month);
  g_autofree char *value = milk_store_dup_setting (store, name);
  g_autofree char *asked_text = NULL, *verdict = NULL;
  gint64 asked;

  if (value == NULL || !g_ascii_string_to_signed (value, 10, 0, MILK_AMOUNT_MAX, &asked, NULL))
    return;
  asked_text = milk_money_format (asked, currency);
  verdict = milk_bill_explain (bill, asked, currency);
  /* TRANSLATORS: "The milkman asks ₹2,473.75: ₹84.75 more than the diary: …" */
  g_string_append_printf (out, _("The milkman asks %s: %s\n"), asked_text, verdict);
}

/* Keeps what the milkman's bill for the month asks (a synced setting, so
 * every device sees it); the bill printed after says how it compares. */
int
milk_command_milkman_asks (MilkStore  *store,
                           int         year,
                           int         month,
                           const char *amount_text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = milk_bill_check_setting_name (milk_day_month_first (year, month));
  g_autofree char *value = NULL;
  gint64 asked = milk_price_parse (amount_text, milk_store_get_currency (store), &error);

  if (asked < 0)
    {
      g_printerr ("milk-diary: --milkman-asks: %s\n", error->message);
      return EXIT_USAGE;
    }
  value = g_strdup_printf ("%" G_GINT64_FORMAT, asked);
  if (!milk_store_set_setting (store, name, value, &error))
    {
      g_printerr ("milk-diary: %s\n", error->message);
      return 1;
    }
  return 0;
}

static char *
month_title (MilkDay month)
{
  int year, number;
  g_autoptr(GDateTime) date = NULL;

  milk_day_get_ymd (month, &year, &number, NULL);
  date = g_date_time_new_local (year, number, 1, 0, 0, 0);
  /* TRANSLATORS: the month shown, see strftime; %OB is the month's name */
  return g_date_time_format (date, _("%OB %Y"));
}

int
milk_command_print_month (MilkStore *store,
                          int        year,
                          int        month)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkBill) bill = milk_store_build_bill (store, year, month, &error);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *title = NULL;
  const MilkCurrency *currency = milk_store_get_currency (store);

  if (bill == NULL)
    {
      g_printerr ("milk-diary: %s\n", error->message);
      return 1;
    }
  title = month_title (bill->month);
  /* TRANSLATORS: heading of the printed bill; %s is "November 2026" */
  g_string_append_printf (out, _("Milk Diary — bill for %s"), title);
  g_string_append (out, "\n\n");
  add_lines (out, bill, currency);
  g_string_append_c (out, '\n');
  add_products (out, bill, currency);
  add_summary (out, bill, currency);
  add_milkman (out, store, bill, currency);
  if (bill->unpriced_days > 0)
    g_string_append_printf (out, ngettext ("(%u delivery day has no price)\n",
                                           "(%u delivery days have no price)\n", bill->unpriced_days),
                            bill->unpriced_days);
  g_print ("%s", out->str);
  return 0;
}

/* Records a payment (for the bill of @for_month, "YYYY-MM", or by the
 * rule) and says what it settled. Nothing is stored on bad input. */
int
milk_command_pay (MilkStore  *store,
                  const char *amount_text,
                  MilkDay     day,
                  const char *for_month)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkBill) bill = NULL;
  g_autofree char *id = NULL, *money = NULL, *day_text = NULL, *title = NULL, *due = NULL;
  const MilkCurrency *currency = milk_store_get_currency (store);
  MilkDay month = MILK_DAY_INVALID;
  gint64 amount;
  int year, number;

  amount = milk_price_parse (amount_text, currency, &error);
  if (amount < 0)
    {
      g_printerr ("milk-diary: --pay: %s\n", error->message);
      return EXIT_USAGE;
    }
  if (amount == 0)
    {
      g_printerr ("milk-diary: --pay: %s\n", _("A payment must be more than zero"));
      return EXIT_USAGE;
    }
  if (for_month && (month = milk_day_parse_month (for_month)) == MILK_DAY_INVALID)
    {
      g_printerr ("milk-diary: %s\n", _("--for: write the month as YYYY-MM, such as 2026-11"));
      return EXIT_USAGE;
    }
  id = milk_store_record_payment (store, day, amount, NULL, month, &month, &error);
  if (id == NULL)
    {
      g_printerr ("milk-diary: %s\n", error->message);
      return 1;
    }

  milk_day_get_ymd (month, &year, &number, NULL);
  if ((bill = milk_store_build_bill (store, year, number, &error)) == NULL)
    {
      g_printerr ("milk-diary: %s\n", error->message);
      return 1;
    }
  money = milk_money_format (amount, currency);
  day_text = milk_day_to_string (day);
  title = month_title (month);
  due = milk_money_format (bill->balance_due, currency);
  /* TRANSLATORS: "Recorded a payment of ₹359.31 on 2026-10-05 for the bill for September 2026" */
  g_print (_("Recorded a payment of %s on %s for the bill for %s\n"), money, day_text, title);
  /* TRANSLATORS: "The bill for September 2026: Settled; balance due ₹0.00" */
  g_print (_("The bill for %s: %s; balance due %s\n"), title, milk_bill_state_to_string (bill->state), due);
  return 0;
}
