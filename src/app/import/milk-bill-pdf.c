/* milk-bill-pdf.c — the month's bill as a one-page PDF statement
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-import"

#include "config.h"

#include <cairo-pdf.h>
#include <glib/gi18n-lib.h>
#include <pango/pangocairo.h>

#include "milk-bill-pdf.h"
#include "milk-import-report.h"

#define A4_WIDTH  595.276
#define A4_HEIGHT 841.890
#define MARGIN    48.0

typedef struct
{
  cairo_t *cr;
  PangoContext *context;
  double left;
  double right;
  double y;
  double size;    /* body font size in points */
} Page;

typedef enum { ALIGN_LEFT, ALIGN_RIGHT } Align;

/* One piece of text at y, within [x, x + width]; returns its height. */
static double
show (Page       *page,
      const char *text,
      double      x,
      double      width,
      Align       align,
      double      size,
      gboolean    bold)
{
  g_autoptr(PangoLayout) layout = pango_layout_new (page->context);
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string ("Sans");
  int w, h;

  pango_font_description_set_size (font, (int) (size * PANGO_SCALE));
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_text (layout, text, -1);
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_get_pixel_size (layout, &w, &h);

  cairo_move_to (page->cr, align == ALIGN_RIGHT ? x + width - w : x, page->y);
  pango_cairo_show_layout (page->cr, layout);
  return h;
}

static void
rule (Page   *page,
      double  weight)
{
  cairo_save (page->cr);
  cairo_set_line_width (page->cr, weight);
  cairo_move_to (page->cr, page->left, page->y);
  cairo_line_to (page->cr, page->right, page->y);
  cairo_stroke (page->cr);
  cairo_restore (page->cr);
}

static char *
format_date (MilkDay     day,
             const char *format)
{
  int y, m, d;
  g_autoptr(GDateTime) time = NULL;

  milk_day_get_ymd (day, &y, &m, &d);
  time = g_date_time_new_utc (y, m, d, 0, 0, 0);
  return time ? g_date_time_format (time, format) : milk_day_to_string (day);
}

/* A label and a right-aligned amount, for the summary. */
static void
summary_line (Page       *page,
              const char *label,
              const char *amount,
              gboolean    bold)
{
  double width = page->right - page->left;
  double h;

  show (page, label, page->left + width * 0.45, width * 0.35, ALIGN_LEFT, page->size + 1, bold);
  h = show (page, amount, page->left + width * 0.8, width * 0.2, ALIGN_RIGHT, page->size + 1, bold);
  page->y += h * 1.3;
}

gboolean
milk_bill_draw (MilkStore  *store,
                int         year,
                int         month,
                cairo_t    *cr,
                double      width,
                double      height,
                GError    **error)
{
  MilkDay first = milk_day_month_first (year, month);
  MilkDay last = milk_day_month_last (year, month);
  const MilkCurrency *currency;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) products = NULL;
  g_autoptr(GPtrArray) payments = NULL;
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) schedules = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                           (GDestroyNotify) milk_price_schedule_free);
  g_autoptr(GPtrArray) price_lines = g_ptr_array_new_with_free_func (g_free);
  PangoContext *context = NULL;
  g_autofree char *household = NULL;
  g_autofree char *title = NULL;
  g_autofree char *month_name = NULL;
  MilkTotals totals = { 0 };
  gint64 previous = 0, balance = 0, paid = 0, month_total;
  gboolean several_products = FALSE;
  guint n_lines;
  Page page = { 0 };
  double col[5], w;

  g_return_val_if_fail (MILK_IS_STORE (store), FALSE);

  if (first == MILK_DAY_INVALID)
    {
      g_set_error (error, MILK_IMPORT_ERROR, MILK_IMPORT_ERROR_FAILED,
                   _("%04d-%02d is not a month"), year, month);
      return FALSE;
    }

  currency = milk_store_get_currency (store);
  household = milk_store_dup_setting (store, MILK_BILL_SETTING_HOUSEHOLD);
  entries = milk_store_list_entries (store, first, last, error);
  if (entries == NULL)
    return FALSE;
  products = milk_store_list_products (store, TRUE, error);
  if (products == NULL)
    return FALSE;
  payments = milk_store_list_payments (store, first, last, error);
  if (payments == NULL)
    return FALSE;
  if (!milk_store_month_totals (store, year, month, &totals, NULL, error) ||
      !milk_store_balance_due (store, first - 1, &previous, error) ||
      !milk_store_balance_due (store, last, &balance, error) ||
      !milk_store_payments_total (store, first, last, &paid, error))
    {
      milk_totals_clear (&totals);
      return FALSE;
    }
  month_total = totals.amount;
  milk_totals_clear (&totals);

  for (guint i = 0; i < products->len; i++)
    {
      MilkRecord *product = g_ptr_array_index (products, i);

      g_hash_table_insert (names, product->id, product->name);
    }

  /* Prices: the one in force when the month begins, then each change. */
  for (guint i = 0; i < entries->len; i++)
    {
      MilkRecord *entry = g_ptr_array_index (entries, i);
      MilkPriceSchedule *schedule;

      if (i > 0 && g_strcmp0 (entry->id, ((MilkRecord *) g_ptr_array_index (entries, 0))->id) != 0)
        several_products = TRUE;
      if (g_hash_table_contains (schedules, entry->id))
        continue;
      schedule = milk_store_get_price_schedule (store, entry->id, error);
      if (schedule == NULL)
        return FALSE;
      g_hash_table_insert (schedules, g_strdup (entry->id), schedule);

      for (guint n = 0; n < milk_price_schedule_get_n_changes (schedule); n++)
        {
          MilkDay from;
          gint64 price;
          g_autofree char *money = NULL;
          g_autofree char *date = NULL;
          const char *name = g_hash_table_lookup (names, entry->id);

          milk_price_schedule_get_change (schedule, n, &from, &price);
          if (from > last)
            break;
          if (from < first && n + 1 < milk_price_schedule_get_n_changes (schedule))
            {
              MilkDay next;

              milk_price_schedule_get_change (schedule, n + 1, &next, NULL);
              if (next <= first)
                continue;
            }
          money = milk_money_format (price, currency);
          date = format_date (MAX (from, first), "%x");
          /* TRANSLATORS: "Milk: ₹56.00 per litre from 01/11/26" */
          g_ptr_array_add (price_lines, g_strdup_printf (_("%s: %s per litre from %s"),
                                                         name ? name : _("Milk"), money, date));
        }
    }

  /* One page whatever the month: the type shrinks to fit. */
  n_lines = entries->len + price_lines->len + payments->len + 14;
  page.cr = cr;
  page.left = MARGIN;
  page.right = width - MARGIN;
  page.y = MARGIN;
  page.size = CLAMP ((height - 2 * MARGIN) / n_lines / 1.45, 5.0, 10.0);
  context = pango_cairo_create_context (cr);
  pango_cairo_context_set_resolution (context, 72.0);
  page.context = context;
  w = page.right - page.left;

  cairo_set_source_rgb (cr, 0, 0, 0);
  month_name = format_date (first, "%OB %Y");
  /* TRANSLATORS: the bill's heading, e.g. "Milk bill — November 2026" */
  title = g_strdup_printf (_("Milk bill — %s"), month_name);
  page.y += show (&page, title, page.left, w, ALIGN_LEFT, 18, TRUE) + 4;
  if (household && household[0])
    page.y += show (&page, household, page.left, w, ALIGN_LEFT, 12, FALSE) + 4;
  page.y += 8;

  col[0] = page.left;                 /* day */
  col[1] = page.left + w * 0.22;      /* product */
  col[2] = page.left + w * 0.40;      /* quantity */
  col[3] = page.left + w * 0.60;      /* price */
  col[4] = page.left + w * 0.80;      /* amount */

  show (&page, _("Day"), col[0], w * 0.2, ALIGN_LEFT, page.size, TRUE);
  if (several_products)
    show (&page, _("Product"), col[1], w * 0.18, ALIGN_LEFT, page.size, TRUE);
  show (&page, _("Quantity"), col[2], w * 0.18, ALIGN_RIGHT, page.size, TRUE);
  show (&page, _("Price per litre"), col[3], w * 0.18, ALIGN_RIGHT, page.size, TRUE);
  page.y += show (&page, _("Amount"), col[4], w * 0.2, ALIGN_RIGHT, page.size, TRUE) * 1.2;
  rule (&page, 0.8);
  page.y += 3;

  if (entries->len == 0)
    page.y += show (&page, _("Nothing was recorded this month."), col[0], w, ALIGN_LEFT, page.size, FALSE) * 1.3;

  for (guint i = 0; i < entries->len; i++)
    {
      MilkRecord *entry = g_ptr_array_index (entries, i);
      MilkPriceSchedule *schedule = g_hash_table_lookup (schedules, entry->id);
      gint64 price = entry->price_override != MILK_NO_PRICE
        ? entry->price_override : milk_price_schedule_lookup (schedule, entry->day);
      g_autofree char *day = format_date (entry->day, "%a %-d");
      g_autofree char *qty = NULL;
      g_autofree char *price_text = NULL;
      g_autofree char *amount = NULL;
      const char *name = g_hash_table_lookup (names, entry->id);
      double h;

      if (entry->qty_ml == 0)
        qty = g_strdup (_("No delivery"));
      else
        qty = milk_quantity_format (entry->qty_ml);
      if (entry->qty_ml > 0 && price >= 0)
        {
          price_text = milk_money_format (price, currency);
          amount = milk_money_format (milk_amount_for_quantity (entry->qty_ml, price), currency);
        }

      show (&page, day, col[0], w * 0.2, ALIGN_LEFT, page.size, FALSE);
      if (several_products)
        show (&page, name ? name : "", col[1], w * 0.18, ALIGN_LEFT, page.size, FALSE);
      show (&page, qty, col[2], w * 0.18, ALIGN_RIGHT, page.size, FALSE);
      show (&page, price_text ? price_text : (entry->qty_ml > 0 ? _("no price") : ""),
            col[3], w * 0.18, ALIGN_RIGHT, page.size, FALSE);
      h = show (&page, amount ? amount : "—", col[4], w * 0.2, ALIGN_RIGHT, page.size, FALSE);
      page.y += h * 1.15;
    }

  rule (&page, 0.8);
  page.y += 6;

  if (price_lines->len > 0)
    {
      page.y += show (&page, _("Prices"), page.left, w, ALIGN_LEFT, page.size, TRUE) * 1.2;
      for (guint i = 0; i < price_lines->len; i++)
        page.y += show (&page, g_ptr_array_index (price_lines, i), page.left, w, ALIGN_LEFT,
                        page.size, FALSE) * 1.2;
      page.y += 6;
    }

  {
    g_autofree char *total_text = milk_money_format (month_total, currency);
    g_autofree char *previous_text = milk_money_format (previous, currency);
    g_autofree char *balance_text = milk_money_format (balance, currency);

    summary_line (&page, _("Total this month"), total_text, TRUE);
    if (previous != 0)
      summary_line (&page, _("Balance brought forward"), previous_text, FALSE);
    for (guint i = 0; i < payments->len; i++)
      {
        MilkRecord *payment = g_ptr_array_index (payments, i);
        g_autofree char *date = format_date (payment->day, "%x");
        g_autofree char *label = payment->note && payment->note[0]
          ? g_strdup_printf (_("Paid %s (%s)"), date, payment->note)
          : g_strdup_printf (_("Paid %s"), date);
        g_autofree char *amount = milk_money_format (-payment->amount, currency);

        summary_line (&page, label, amount, FALSE);
      }
    page.y += 2;
    cairo_save (cr);
    cairo_set_line_width (cr, 0.8);
    cairo_move_to (cr, page.left + w * 0.45, page.y);
    cairo_line_to (cr, page.right, page.y);
    cairo_stroke (cr);
    cairo_restore (cr);
    page.y += 4;
    summary_line (&page, _("Balance due"), balance_text, TRUE);
  }
  g_object_unref (context);

  if (cairo_status (cr) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, MILK_IMPORT_ERROR, MILK_IMPORT_ERROR_FAILED,
                   _("Could not draw the bill: %s"), cairo_status_to_string (cairo_status (cr)));
      return FALSE;
    }
  return TRUE;
}

gboolean
milk_bill_pdf_write (MilkStore   *store,
                     int          year,
                     int          month,
                     const char  *path,
                     GError     **error)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;
  gboolean ok;

  g_return_val_if_fail (MILK_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  surface = cairo_pdf_surface_create (path, A4_WIDTH, A4_HEIGHT);
  cr = cairo_create (surface);
  ok = milk_bill_draw (store, year, month, cr, A4_WIDTH, A4_HEIGHT, error);
  cairo_show_page (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (ok && status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, MILK_IMPORT_ERROR, MILK_IMPORT_ERROR_FAILED,
                   _("Could not write the bill to “%s”: %s"), path, cairo_status_to_string (status));
      return FALSE;
    }
  return ok;
}
