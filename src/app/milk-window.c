/* milk-window.c — the main window: this month's bill and today's milk
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <glib/gi18n.h>

#include "milk-window.h"

struct _MilkWindow
{
  AdwApplicationWindow parent_instance;

  AdwToastOverlay *toasts;
  AdwWindowTitle *window_title;
  AdwPreferencesGroup *month_group;
  AdwActionRow *litres_row;
  AdwActionRow *amount_row;
  AdwActionRow *days_row;
  AdwActionRow *balance_row;
  AdwActionRow *today_row;
  GtkLabel *litres_label;
  GtkLabel *amount_label;
  GtkLabel *days_label;
  GtkLabel *balance_label;
  GtkLabel *today_label;

  GSettings *settings;
  MilkStore *store;
  GPtrArray *undo; /* records as they were before "Record today" */
};

G_DEFINE_FINAL_TYPE (MilkWindow, milk_window, ADW_TYPE_APPLICATION_WINDOW)

static void
show_error (MilkWindow   *self,
            const GError *error)
{
  AdwToast *toast = adw_toast_new (error->message);

  adw_toast_set_timeout (toast, 0);
  adw_toast_overlay_add_toast (self->toasts, toast);
}

static void
refresh (MilkWindow *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) products = NULL;
  g_autoptr(GString) today_text = g_string_new (NULL);
  g_autofree char *month = g_date_time_format (now, "%OB %Y");
  g_autofree char *litres = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *days = NULL;
  g_autofree char *balance_text = NULL;
  const MilkCurrency *currency = milk_store_get_currency (self->store);
  MilkDay today = milk_day_today ();
  MilkTotals totals;
  gint64 balance = 0;

  adw_window_title_set_subtitle (self->window_title, month);

  if (!milk_store_month_totals (self->store, g_date_time_get_year (now), g_date_time_get_month (now),
                                &totals, NULL, &error) ||
      !milk_store_balance_due (self->store, today, &balance, &error))
    {
      show_error (self, error);
      return;
    }

  litres = milk_quantity_format (totals.qty_ml);
  amount = milk_money_format (totals.amount, currency);
  days = g_strdup_printf (ngettext ("%u day", "%u days", totals.delivered_days), totals.delivered_days);
  balance_text = milk_money_format (balance, currency);
  gtk_label_set_label (self->litres_label, litres);
  gtk_label_set_label (self->amount_label, amount);
  gtk_label_set_label (self->days_label, days);
  gtk_label_set_label (self->balance_label, balance_text);

  products = milk_store_list_products (self->store, FALSE, NULL);
  for (guint i = 0; products && i < products->len; i++)
    {
      MilkRecord *product = g_ptr_array_index (products, i);
      g_autoptr(MilkRecord) entry = milk_store_get_entry (self->store, product->id, today, NULL);
      g_autofree char *qty = NULL;

      if (entry == NULL)
        continue;
      if (today_text->len > 0)
        g_string_append (today_text, ", ");
      if (entry->qty_ml == 0)
        g_string_append (today_text, _("No delivery"));
      else
        {
          qty = milk_quantity_format (entry->qty_ml);
          g_string_append (today_text, qty);
        }
    }
  gtk_label_set_label (self->today_label, today_text->len ? today_text->str : _("Not recorded yet"));
}

static void
undo_record_today (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  MilkWindow *self = MILK_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (self->undo == NULL)
    return;
  if (!milk_store_put_many (self->store, self->undo, &error))
    show_error (self, error);
  g_clear_pointer (&self->undo, g_ptr_array_unref);
  refresh (self);
}

/* Stores each product's usual quantity for today, in one step that one
 * Undo takes back. */
static void
record_today (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  MilkWindow *self = MILK_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) products = milk_store_list_products (self->store, FALSE, &error);
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  g_autoptr(GPtrArray) before = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  g_autofree char *message = NULL;
  MilkDay today = milk_day_today ();
  gint64 total_ml = 0;
  AdwToast *toast;

  if (products == NULL)
    {
      show_error (self, error);
      return;
    }

  for (guint i = 0; i < products->len; i++)
    {
      MilkRecord *product = g_ptr_array_index (products, i);
      g_autoptr(MilkRecord) old = milk_store_get_entry (self->store, product->id, today, NULL);
      MilkRecord *entry = milk_record_new (MILK_RECORD_ENTRY);

      entry->id = g_strdup (product->id);
      entry->day = today;
      entry->qty_ml = product->default_qty_ml;
      total_ml += entry->qty_ml;
      g_ptr_array_add (changes, entry);

      if (old == NULL)
        {
          old = milk_record_new (MILK_RECORD_ENTRY);
          old->id = g_strdup (product->id);
          old->day = today;
          old->deleted = TRUE;
        }
      g_ptr_array_add (before, g_steal_pointer (&old));
    }

  if (!milk_store_put_many (self->store, changes, &error))
    {
      show_error (self, error);
      return;
    }

  g_clear_pointer (&self->undo, g_ptr_array_unref);
  self->undo = g_steal_pointer (&before);
  refresh (self);

  {
    g_autofree char *qty = milk_quantity_format (total_ml);
    /* TRANSLATORS: %s is a quantity such as "1.5 L" */
    message = g_strdup_printf (_("Recorded %s for today"), qty);
  }
  toast = adw_toast_new (message);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "win.undo-record-today");
  adw_toast_overlay_add_toast (self->toasts, toast);
}

static void
milk_window_dispose (GObject *object)
{
  MilkWindow *self = MILK_WINDOW (object);

  if (self->settings)
    {
      int width, height;

      gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
      g_settings_set (self->settings, "window-size", "(ii)", width, height);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (GTK_WINDOW (self)));
    }
  g_clear_object (&self->settings);
  g_clear_object (&self->store);
  g_clear_pointer (&self->undo, g_ptr_array_unref);

  G_OBJECT_CLASS (milk_window_parent_class)->dispose (object);
}

static void
milk_window_class_init (MilkWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = milk_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/milkdiary/MilkDiary/ui/milk-window.ui");
  gtk_widget_class_bind_template_child (widget_class, MilkWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, MilkWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, MilkWindow, month_group);
  gtk_widget_class_bind_template_child (widget_class, MilkWindow, litres_row);
  gtk_widget_class_bind_template_child (widget_class, MilkWindow, amount_row);
  gtk_widget_class_bind_template_child (widget_class, MilkWindow, days_row);
  gtk_widget_class_bind_template_child (widget_class, MilkWindow, balance_row);
  gtk_widget_class_bind_template_child (widget_class, MilkWindow, today_row);
  gtk_widget_class_bind_template_child (widget_class, MilkWindow, litres_label);
  gtk_widget_class_bind_template_child (widget_class, MilkWindow, amount_label);
  gtk_widget_class_bind_template_child (widget_class, MilkWindow, days_label);
  gtk_widget_class_bind_template_child (widget_class, MilkWindow, balance_label);
  gtk_widget_class_bind_template_child (widget_class, MilkWindow, today_label);

  gtk_widget_class_install_action (widget_class, "win.record-today", NULL, record_today);
  gtk_widget_class_install_action (widget_class, "win.undo-record-today", NULL, undo_record_today);
}

static void
milk_window_init (MilkWindow *self)
{
  int width, height;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  g_settings_get (self->settings, "window-size", "(ii)", &width, &height);
  gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

MilkWindow *
milk_window_new (MilkApplication *application)
{
  MilkWindow *self = g_object_new (MILK_TYPE_WINDOW, "application", application, NULL);

  self->store = g_object_ref (milk_application_get_store (application));
  refresh (self);
  return self;
}
