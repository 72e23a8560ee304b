/* milk-bill-pdf.c — the month's bill as a one-page PDF statement
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-import"

#include "config.h"

#include <locale.h>

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
/* A layout of @text in the bill's font, @width wide. */
static PangoLayout *
new_layout (Page       *page,
            const char *text,
            double      width,
            double      size,
            gboolean    bold)
{
  PangoLayout *layout = pango_layout_new (page->context);
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string ("Sans");

  pango_font_description_set_size (font, (int) (size * PANGO_SCALE));
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_text (layout, text, -1);
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  return layout;
}

static double
show (Page       *page,
      const char *text,
      double      x,
      double      width,
      Align       align,
      double      size,
      gboolean    bold)
{
  g_autoptr(PangoLayout) layout = new_layout (page, text, width, size, bold);
  int w, h;

  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_get_pixel_size (layout, &w, &h);

  cairo_move_to (page->cr, align == ALIGN_RIGHT ? x + width - w : x, page->y);
  pango_cairo_show_layout (page->cr, layout);
  return h;
}

/* Text wrapped within [x, x + width], never cut; returns its height. */
static double
show_wrapped (Page       *page,
              const char *text,
              double      x,
              double      width,
              double      size,
              gboolean    bold)
{
  g_autoptr(PangoLayout) layout = new_layout (page, text, width, size, bold);
  int w, h;

  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_get_pixel_size (layout, &w, &h);

  cairo_move_to (page->cr, x, page->y);
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

/* The locale's date ("01.10.2026", "01/10/2026"); day first where the
 * locale is C, whose %x would put the month first. */
static char *
format_date (MilkDay     day,
             const char *format)
{
  const char *locale = setlocale (LC_TIME, NULL);
  int y, m, d;
  g_autoptr(GDateTime) time = NULL;

  if (format == NULL)
    format = locale == NULL || g_str_equal (locale, "C") || g_str_has_prefix (locale, "C.") ||
             g_str_equal (locale, "POSIX") ? "%d/%m/%Y" : "%x";
  milk_day_get_ymd (day, &y, &m, &d);
  time = g_date_time_new_utc (y, m, d, 0, 0, 0);
  return time ? g_date_time_format (time, format) : milk_day_to_string (day);
}

/* A label, wrapped to as many lines as it needs, and a right-aligned
 * figure, for the summary. */
static void
summary_line (Page       *page,
              const char *label,
              const char *amount,
              gboolean    bold)
{
  double width = page->right - page->left;
  double h;

  h = show_wrapped (page, label, page->left + width * 0.45, width * 0.33, page->size + 1, bold);
  h = MAX (h, show (page, amount, page->left + width * 0.8, width * 0.2, ALIGN_RIGHT, page->size + 1, bold));
  page->y += h + (page->size + 1) * 0.3;
}

static void
draw_heading (Page           *page,
              const MilkBill *bill,
              const char     *household)
{
  double w = page->right - page->left;
  g_autofree char *month_name = format_date (bill->month, "%OB %Y");
  /* TRANSLATORS: the bill's heading, e.g. "Milk bill — November 2026" */
  g_autofree char *title = g_strdup_printf (_("Milk bill — %s"), month_name);

  page->y += show (page, title, page->left, w, ALIGN_LEFT, 18, TRUE) + 4;
  if (household && household[0])
    page->y += show (page, household, page->left, w, ALIGN_LEFT, 12, FALSE) + 4;
  page->y += 8;
}

static void
draw_lines (Page               *page,
            const MilkBill     *bill,
            const MilkCurrency *currency)
{
  double w = page->right - page->left;
  double col[5] = { page->left, page->left + w * 0.22, page->left + w * 0.40,
                    page->left + w * 0.60, page->left + w * 0.80 };
  gboolean several = bill->products->len > 1;

  show (page, _("Day"), col[0], w * 0.2, ALIGN_LEFT, page->size, TRUE);
  if (several)
    show (page, _("Product"), col[1], w * 0.18, ALIGN_LEFT, page->size, TRUE);
  show (page, _("Quantity"), col[2], w * 0.18, ALIGN_RIGHT, page->size, TRUE);
  show (page, _("Price per litre"), col[3], w * 0.18, ALIGN_RIGHT, page->size, TRUE);
  page->y += show (page, _("Amount"), col[4], w * 0.2, ALIGN_RIGHT, page->size, TRUE) * 1.2;
  rule (page, 0.8);
  page->y += 3;

  if (bill->lines->len == 0)
    page->y += show (page, _("Nothing was recorded this month."), col[0], w, ALIGN_LEFT, page->size, FALSE) * 1.3;

  for (guint i = 0; i < bill->lines->len; i++)
    {
      MilkBillLine *line = g_ptr_array_index (bill->lines, i);
      g_autofree char *day = format_date (line->day, "%a %-d");
      g_autofree char *qty = line->qty_ml == 0 ? g_strdup (_("No delivery"))
                             : line->split ? milk_quantity_format_split (line->morning_ml, line->evening_ml)
                             : milk_quantity_format (line->qty_ml);
      g_autofree char *price = NULL;
      g_autofree char *amount = NULL;
      double h;

      if (line->qty_ml > 0 && line->price_per_l >= 0)
        {
          price = milk_money_format (line->price_per_l, currency);
          amount = milk_money_format (line->amount, currency);
        }
      show (page, day, col[0], w * 0.2, ALIGN_LEFT, page->size, FALSE);
      if (several)
        show (page, line->name, col[1], w * 0.18, ALIGN_LEFT, page->size, FALSE);
      show (page, qty, col[2], w * 0.18, ALIGN_RIGHT, page->size, FALSE);
      show (page, price ? price : (line->qty_ml > 0 ? _("no price") : ""), col[3], w * 0.18, ALIGN_RIGHT,
            page->size, FALSE);
      h = show (page, amount ? amount : "—", col[4], w * 0.2, ALIGN_RIGHT, page->size, FALSE);
      page->y += h * 1.15;
    }
  rule (page, 0.8);
  page->y += 6;
}

/* The price in force when the month begins, from the day it began, then
 * each change. */
static void
draw_prices (Page               *page,
             const MilkBill     *bill,
             const MilkCurrency *currency)
{
  double w = page->right - page->left;

  if (bill->prices->len == 0)
    return;
  page->y += show (page, _("Prices"), page->left, w, ALIGN_LEFT, page->size, TRUE) * 1.2;
  for (guint i = 0; i < bill->prices->len; i++)
    {
      MilkBillPrice *price = g_ptr_array_index (bill->prices, i);
      g_autofree char *money = milk_money_format (price->price_per_l, currency);
      g_autofree char *date = format_date (price->from, NULL);
      /* TRANSLATORS: "Milk: ₹56.00 per litre from 01/10/2026" */
      g_autofree char *text = g_strdup_printf (_("%s: %s per litre from %s"), price->name, money, date);

      page->y += show (page, text, page->left, w, ALIGN_LEFT, page->size, FALSE) * 1.2;
    }
  page->y += 6;
}

/* What came in the mornings, in the evenings and on the days delivered
 * once, for each product with days delivered twice; the product named
 * first when the bill has several. The number of lines, without @page. */
static guint
draw_split (Page           *page,
            const MilkBill *bill)
{
  guint n_lines = 0;

  for (guint i = 0; i < bill->products->len; i++)
    {
      MilkBillProduct *product = g_ptr_array_index (bill->products, i);
      gint64 once = product->qty_ml - product->morning_ml - product->evening_ml;
      g_autofree char *total = milk_quantity_format (product->qty_ml);
      g_autofree char *morning = milk_quantity_format (product->morning_ml);
      g_autofree char *evening = milk_quantity_format (product->evening_ml);
      g_autofree char *rest = milk_quantity_format (once);
      g_autofree char *morning_label = g_strconcat ("    ", _("Morning"), NULL);
      g_autofree char *evening_label = g_strconcat ("    ", _("Evening"), NULL);
      g_autofree char *rest_label = g_strconcat ("    ", _("Delivered once"), NULL);
      gboolean several = bill->products->len > 1;
      gboolean has_once = product->delivered_days > product->split_days;

      if (product->split_days == 0)
        continue;
      n_lines += 2 + several + has_once;
      if (page == NULL)
        continue;
      if (several)
        summary_line (page, product->name, total, FALSE);
      summary_line (page, morning_label, morning, FALSE);
      summary_line (page, evening_label, evening, FALSE);
      if (has_once)
        summary_line (page, rest_label, rest, FALSE);
    }
  return n_lines;
}

static void
draw_summary (Page               *page,
              const MilkBill     *bill,
              const MilkCurrency *currency)
{
  double w = page->right - page->left;
  g_autofree char *litres = milk_quantity_format (bill->qty_ml);
  g_autofree char *days = g_strdup_printf ("%u", bill->delivered_days);
  g_autofree char *total = milk_money_format (bill->amount, currency);
  g_autofree char *forward = milk_money_format (bill->brought_forward, currency);
  g_autofree char *paid = milk_money_format (bill->paid, currency);
  g_autofree char *balance = milk_money_format (bill->balance_due, currency);

  summary_line (page, _("Milk delivered"), litres, FALSE);
  draw_split (page, bill);
  summary_line (page, _("Delivery days"), days, FALSE);
  summary_line (page, _("Total this month"), total, TRUE);
  if (bill->brought_forward != 0)
    summary_line (page, _("Balance brought forward"), forward, FALSE);
  for (guint i = 0; i < bill->payments->len; i++)
    {
      MilkRecord *payment = g_ptr_array_index (bill->payments, i);
      g_autofree char *date = format_date (payment->day, NULL);
      g_autofree char *label = payment->note && payment->note[0]
        ? g_strdup_printf (_("Paid %s (%s)"), date, payment->note)
        : g_strdup_printf (_("Paid %s"), date);
      g_autofree char *amount = milk_money_format (-payment->amount, currency);

      summary_line (page, label, amount, FALSE);
    }
  summary_line (page, _("Paid"), paid, FALSE);
  page->y += 2;
  cairo_save (page->cr);
  cairo_set_line_width (page->cr, 0.8);
  cairo_move_to (page->cr, page->left + w * 0.45, page->y);
  cairo_line_to (page->cr, page->right, page->y);
  cairo_stroke (page->cr);
  cairo_restore (page->cr);
  page->y += 4;
  summary_line (page, _("Balance due"), balance, TRUE);
  summary_line (page, _("Status"), milk_bill_state_to_string (bill->state), FALSE);
}

/* Draws @bill on one page whatever the month: the type shrinks to fit. */
gboolean
milk_bill_render (const MilkBill      *bill,
                  const MilkCurrency  *currency,
                  const char          *household,
                  cairo_t             *cr,
                  double               width,
                  double               height,
                  GError             **error)
{
  guint n_lines = bill->lines->len + bill->prices->len + bill->payments->len * 2 + 20 + draw_split (NULL, bill);
  Page page = { 0 };

  g_return_val_if_fail (bill != NULL && currency != NULL, FALSE);

  page.cr = cr;
  page.left = MARGIN;
  page.right = width - MARGIN;
  page.y = MARGIN;
  page.size = CLAMP ((height - 2 * MARGIN) / n_lines / 1.45, 5.0, 10.0);
  page.context = pango_cairo_create_context (cr);
  pango_cairo_context_set_resolution (page.context, 72.0);

  cairo_set_source_rgb (cr, 0, 0, 0);
  draw_heading (&page, bill, household);
  draw_lines (&page, bill, currency);
  draw_prices (&page, bill, currency);
  draw_summary (&page, bill, currency);
  g_object_unref (page.context);

  if (cairo_status (cr) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, MILK_IMPORT_ERROR, MILK_IMPORT_ERROR_FAILED,
                   _("Could not draw the bill: %s"), cairo_status_to_string (cairo_status (cr)));
      return FALSE;
    }
  return TRUE;
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
  g_autoptr(MilkBill) bill = NULL;
  g_autofree char *household = NULL;

  g_return_val_if_fail (MILK_IS_STORE (store), FALSE);

  if (milk_day_month_first (year, month) == MILK_DAY_INVALID)
    {
      g_set_error (error, MILK_IMPORT_ERROR, MILK_IMPORT_ERROR_FAILED,
                   _("%04d-%02d is not a month"), year, month);
      return FALSE;
    }
  if ((bill = milk_store_build_bill (store, year, month, error)) == NULL)
    return FALSE;
  household = milk_store_dup_setting (store, MILK_BILL_SETTING_HOUSEHOLD);
  return milk_bill_render (bill, milk_store_get_currency (store), household, cr, width, height, error);
}

static gboolean
set_write_error (const char      *path,
                 cairo_status_t   status,
                 GError         **error)
{
  g_set_error (error, MILK_IMPORT_ERROR, MILK_IMPORT_ERROR_FAILED,
               _("Could not write the bill to “%s”: %s"), path, cairo_status_to_string (status));
  return FALSE;
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
  status = cairo_surface_status (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      /* A folder gone or read-only: say where, not that drawing failed. */
      cairo_surface_destroy (surface);
      return set_write_error (path, status, error);
    }
  cr = cairo_create (surface);
  ok = milk_bill_draw (store, year, month, cr, A4_WIDTH, A4_HEIGHT, error);
  cairo_show_page (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (ok && status != CAIRO_STATUS_SUCCESS)
    return set_write_error (path, status, error);
  return ok;
}
