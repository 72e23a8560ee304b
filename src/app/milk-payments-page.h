/* milk-payments-page.h — the Payments page of the preferences
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "milk-store.h"
#include "milk-toaster.h"

G_BEGIN_DECLS

#define MILK_TYPE_PAYMENTS_PAGE (milk_payments_page_get_type ())

G_DECLARE_FINAL_TYPE (MilkPaymentsPage, milk_payments_page, MILK, PAYMENTS_PAGE, AdwPreferencesPage)

GtkWidget *milk_payments_page_new (MilkStore   *store,
                                   MilkToaster *toaster);

G_END_DECLS
