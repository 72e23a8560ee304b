/* milk-toaster.h — a window's toasts, kept from crashing libadwaita 1.2
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define MILK_TYPE_TOASTER (milk_toaster_get_type ())

G_DECLARE_FINAL_TYPE (MilkToaster, milk_toaster, MILK, TOASTER, GObject)

MilkToaster *milk_toaster_new  (GtkWidget   *host);
AdwToast    *milk_toaster_add  (MilkToaster *self,
                                AdwToast    *toast);
void         milk_toaster_dismiss (MilkToaster *self,
                                   AdwToast    *toast);

G_END_DECLS
