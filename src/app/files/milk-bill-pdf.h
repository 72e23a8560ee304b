/* milk-bill-pdf.h — the month's bill as a one-page PDF statement
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>

#include "milk-store.h"

G_BEGIN_DECLS

/* The diary setting whose value heads the bill when set. */
#define MILK_BILL_SETTING_HOUSEHOLD "household-name"

/* Draws the statement on any cairo context, width × height in points:
 * what a GtkPrintOperation's draw-page handler calls with its context's
 * cairo_t and page size. */
gboolean milk_bill_draw       (MilkStore   *store,
                               int          year,
                               int          month,
                               cairo_t     *cr,
                               double       width,
                               double       height,
                               GError     **error);
/* The drawing alone, of a bill already built. */
gboolean milk_bill_render     (const MilkBill      *bill,
                               const MilkCurrency  *currency,
                               const char          *household,
                               cairo_t             *cr,
                               double               width,
                               double               height,
                               GError             **error);
/* The same statement on one A4 page in a PDF file. */
gboolean milk_bill_pdf_write  (MilkStore   *store,
                               int          year,
                               int          month,
                               const char  *path,
                               GError     **error);

G_END_DECLS
