/* milk-product-dots.h — each product's coloured dot, drawn where a label
 * leaves room for it before the product's name or quantity
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The room for a dot in a label's text: a figure space, which the dot is
 * drawn over, and a no-break space. Neither lets the line break, and
 * every font has both, where a "●" sends Pango looking through the
 * system's fonts for one that has it. */
#define MILK_PRODUCT_DOT "\xe2\x80\x87\xc2\xa0"

void milk_product_dots_snapshot (GtkSnapshot      *snapshot,
                                 GtkWidget        *widget,
                                 GtkLabel         *label,
                                 const GByteArray *products);

G_END_DECLS
