/* milk-price-schedule.h — prices effective from a day on
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "milk-day.h"

G_BEGIN_DECLS

typedef struct _MilkPriceSchedule MilkPriceSchedule;

MilkPriceSchedule *milk_price_schedule_new     (void);
void               milk_price_schedule_free    (MilkPriceSchedule *schedule);
void               milk_price_schedule_set     (MilkPriceSchedule *schedule,
                                                MilkDay            from,
                                                gint64             price_per_l);
gboolean           milk_price_schedule_remove  (MilkPriceSchedule *schedule,
                                                MilkDay            from);
gint64             milk_price_schedule_lookup  (const MilkPriceSchedule *schedule,
                                                MilkDay            day);
guint              milk_price_schedule_get_n_changes (const MilkPriceSchedule *schedule);
void               milk_price_schedule_get_change (const MilkPriceSchedule *schedule,
                                                   guint              n,
                                                   MilkDay           *from,
                                                   gint64            *price_per_l);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MilkPriceSchedule, milk_price_schedule_free)

G_END_DECLS
