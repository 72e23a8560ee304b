/* milk-preferences-window-private.h — shared by the preferences window's files
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "milk-preferences-window.h"
#include "milk-toaster.h"

G_BEGIN_DECLS

struct _MilkPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  AdwActionRow *currency_row;
  AdwEntryRow *household_row;
  GtkSwitch *reminder_switch;
  AdwActionRow *sync_row;
  AdwEntryRow *reminder_time_row;
  GSettings *settings;
  GtkListBox *products_list;
  AdwEntryRow *new_product_row;
  AdwEntryRow *payment_day_row;
  GtkPopover *payment_day_popover;
  GtkCalendar *payment_calendar;
  AdwEntryRow *payment_amount_row;
  GtkLabel *payment_symbol_label;
  AdwEntryRow *payment_note_row;
  AdwComboRow *payment_bill_row;
  GArray *payment_bills;        /* MilkDay per payment_bill_row item */
  GtkListBox *payments_list;

  GtkWidget *currency_subpage;
  GtkSearchEntry *currency_search;
  GtkListBox *currency_list;

  GtkWidget *price_subpage;
  AdwWindowTitle *price_title;
  AdwEntryRow *price_day_row;
  GtkPopover *price_day_popover;
  GtkCalendar *price_calendar;
  AdwEntryRow *price_value_row;
  GtkLabel *price_symbol_label;
  GtkListBox *price_list;

  MilkStore *store;
  gulong changed_id;
  GtkApplication *app;         /* weak: whose sync-description the Sync row shows */
  gulong app_description_id;
  guint refresh_id;
  char *price_product;   /* the product whose schedule the subpage shows */
  char *expand_product;  /* a product to show expanded after the next rebuild */
  MilkRecord *undo;      /* what the last removal took away, for its toast's Undo */
  MilkToaster *toaster;
  AdwToast *undo_toast;   /* the toast offering Undo, until dismissed */
};

/* milk-preferences-window.c: what every page uses */
void       _milk_prefs_row_set_error         (AdwEntryRow           *row,
                                               const char            *message);
void       _milk_prefs_watch_errors          (AdwEntryRow           *row);
void       _milk_prefs_show_toast            (MilkPreferencesWindow *self,
                                               const char            *message);
void       _milk_prefs_offer_undo            (MilkPreferencesWindow *self,
                                               const char            *message,
                                               const MilkRecord      *removed);
char      *_milk_prefs_format_day            (MilkDay                day);
void       _milk_prefs_clear_list            (GtkListBox            *list);
GtkWidget *_milk_prefs_new_placeholder       (const char            *text);
GtkWidget *_milk_prefs_new_remove_button     (const char            *action,
                                               const char            *target,
                                               const char            *tooltip);
void       _milk_prefs_set_day_from_calendar (AdwEntryRow           *row,
                                               GtkCalendar           *calendar,
                                               GtkPopover            *popover);

/* milk-preferences-window-products.c */
void       _milk_prefs_refresh_products      (MilkPreferencesWindow *self);
void       _milk_prefs_refresh_prices        (MilkPreferencesWindow *self);
void       _milk_prefs_products_class_init   (GtkWidgetClass        *widget_class);

/* milk-preferences-window-payments.c */
void       _milk_prefs_refresh_payments      (MilkPreferencesWindow *self);
void       _milk_prefs_refresh_payment_bills (MilkPreferencesWindow *self);
void       _milk_prefs_payments_class_init   (GtkWidgetClass        *widget_class);

G_END_DECLS
