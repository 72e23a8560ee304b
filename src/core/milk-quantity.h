/* milk-quantity.h — quantities in integer millilitres
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MILK_QTY_MAX_ML G_GINT64_CONSTANT (100000) /* 100 litres a day */

gint64  milk_quantity_parse         (const char  *text,
                                     GError     **error);
char   *milk_quantity_format        (gint64       qty_ml);
char   *milk_quantity_format_litres (gint64       qty_ml);
char   *milk_quantity_format_split  (gint64       morning_ml,
                                     gint64       evening_ml);

G_END_DECLS
