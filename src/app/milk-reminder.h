/* milk-reminder.h — the daily "Record today's milk?" notification
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "milk-store.h"

G_BEGIN_DECLS

#define MILK_TYPE_REMINDER (milk_reminder_get_type ())

G_DECLARE_FINAL_TYPE (MilkReminder, milk_reminder, MILK, REMINDER, GObject)

MilkReminder  *milk_reminder_new            (MilkStore     *store,
                                             GApplication  *application);
void           milk_reminder_add_actions    (MilkReminder  *self,
                                             GActionMap    *map);
gboolean       milk_reminder_check          (MilkReminder  *self);
gboolean       milk_reminder_today_recorded (MilkReminder  *self);
void           milk_reminder_schedule       (MilkReminder  *self,
                                             int            minutes_after_midnight);
gboolean       milk_reminder_parse_time     (const char    *text,
                                             int           *minutes);
gboolean       milk_reminder_set_autostart  (gboolean       enabled,
                                             GError       **error);

G_END_DECLS
