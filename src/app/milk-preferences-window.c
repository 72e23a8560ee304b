/* milk-preferences-window.c — currency, products, prices and payments
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <glib/gi18n.h>

#include "milk-preferences-window.h"
#include "milk-reminder.h"

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
  guint refresh_id;
  char *price_product;   /* the product whose schedule the subpage shows */
  char *expand_product;  /* a product to show expanded after the next rebuild */
};

G_DEFINE_FINAL_TYPE (MilkPreferencesWindow, milk_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Inline errors: the row turns red and its title says what is wrong, in
 * place, until the text changes; what was typed stays. */
static void
row_set_error (AdwEntryRow *row,
               const char  *message)
{
  if (g_object_get_data (G_OBJECT (row), "milk-title") == NULL)
    g_object_set_data_full (G_OBJECT (row), "milk-title",
                            g_strdup (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row))), g_free);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), message);
  gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message, -1);
  gtk_widget_grab_focus (GTK_WIDGET (row));
}

static void
row_clear_error (AdwEntryRow *row)
{
  const char *title = g_object_get_data (G_OBJECT (row), "milk-title");

  if (title == NULL)
    return;
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  g_object_set_data (G_OBJECT (row), "milk-title", NULL);
  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  gtk_accessible_reset_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

static void
watch_errors (AdwEntryRow *row)
{
  g_signal_connect (row, "changed", G_CALLBACK (row_clear_error), NULL);
}

static void
show_toast (MilkPreferencesWindow *self,
            const char            *message)
{
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (message));
}

static char *
format_day (MilkDay day)
{
  g_autoptr(GDateTime) date = NULL;
  int year, month, mday;

  if (!milk_day_get_ymd (day, &year, &month, &mday))
    return g_strdup ("");
  date = g_date_time_new_local (year, month, mday, 0, 0, 0);
  /* TRANSLATORS: a day as g_date_time_format () writes it, e.g. "3 March 2026" */
  return g_date_time_format (date, _("%-d %B %Y"));
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static GtkWidget *
new_placeholder (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (label, "dim-label");
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_top (label, 18);
  gtk_widget_set_margin_bottom (label, 18);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  return label;
}

static GtkWidget *
new_remove_button (const char *action,
                   const char *target,
                   const char *tooltip)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("user-trash-symbolic");

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_add_css_class (button, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_string (target));
  return button;
}

/* General */

static char *
currency_title (const MilkCurrency *currency)
{
  /* TRANSLATORS: a currency: "Indian Rupee (INR)" */
  return g_strdup_printf (_("%s (%s)"), milk_currency_get_name (currency), milk_currency_get_code (currency));
}

static void
refresh_general (MilkPreferencesWindow *self)
{
  const MilkCurrency *currency = milk_store_get_currency (self->store);
  g_autofree char *title = currency_title (currency);
  g_autofree char *household = milk_store_dup_setting (self->store, "household-name");
  const char *code = milk_currency_get_code (currency);

  adw_action_row_set_subtitle (self->currency_row, title);
  gtk_label_set_label (self->payment_symbol_label, milk_currency_get_symbol (currency));
  gtk_label_set_label (self->price_symbol_label, milk_currency_get_symbol (currency));

  /* Someone typing in the row keeps what they typed. */
  if (!(gtk_widget_get_state_flags (GTK_WIDGET (self->household_row)) & GTK_STATE_FLAG_FOCUS_WITHIN))
    gtk_editable_set_text (GTK_EDITABLE (self->household_row), household ? household : "");

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->currency_list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *check = g_object_get_data (G_OBJECT (row), "check");

      if (check)
        gtk_widget_set_visible (check, g_strcmp0 (g_object_get_data (G_OBJECT (row), "code"), code) == 0);
    }
}

static void
sync_server_changed (MilkPreferencesWindow *self)
{
  g_autofree char *server = g_settings_get_string (self->settings, "sync-server");

  adw_action_row_set_subtitle (self->sync_row, *server ? server : _("Not signed in: the diary is on this device only"));
}

static void
reminder_time_apply_cb (MilkPreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->reminder_time_row));
  int minutes;

  if (!milk_reminder_parse_time (text, &minutes))
    {
      row_set_error (self->reminder_time_row, _("Enter a time such as 20:00"));
      return;
    }
  {
    g_autofree char *normal = g_strdup_printf ("%02d:%02d", minutes / 60, minutes % 60);
    g_settings_set_string (self->settings, "reminder-time", normal);
  }
}

static void
household_apply_cb (MilkPreferencesWindow *self)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->household_row))));
  g_autoptr(GError) error = NULL;

  if (!milk_store_set_setting (self->store, "household-name", name, &error))
    row_set_error (self->household_row, error->message);
}

/* Currency */

static gboolean
currency_filter (GtkListBoxRow *row,
                 gpointer       user_data)
{
  MilkPreferencesWindow *self = user_data;
  const char *search = gtk_editable_get_text (GTK_EDITABLE (self->currency_search));
  const MilkCurrency *currency = milk_currency_lookup (g_object_get_data (G_OBJECT (row), "code"));
  g_autofree char *stripped = g_strstrip (g_strdup (search));

  if (stripped[0] == '\0' || currency == NULL)
    return TRUE;
  return g_str_match_string (stripped, milk_currency_get_code (currency), TRUE) ||
         g_str_match_string (stripped, milk_currency_get_name (currency), TRUE) ||
         g_str_match_string (stripped, milk_currency_get_symbol (currency), TRUE);
}

static void
build_currency_list (MilkPreferencesWindow *self)
{
  for (guint i = 0; i < milk_currency_count (); i++)
    {
      const MilkCurrency *currency = milk_currency_nth (i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_image_new_from_icon_name ("object-select-symbolic");
      g_autofree char *subtitle = NULL;

      /* TRANSLATORS: a currency's code and symbol: "INR · ₹" */
      subtitle = g_strdup_printf (_("%s · %s"), milk_currency_get_code (currency),
                                  milk_currency_get_symbol (currency));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), milk_currency_get_name (currency));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_widget_set_visible (check, FALSE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (check),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Current currency"), -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), check);
      g_object_set_data (G_OBJECT (row), "check", check);
      /* The table's strings live as long as the program. */
      g_object_set_data (G_OBJECT (row), "code", (gpointer) milk_currency_get_code (currency));
      gtk_list_box_append (self->currency_list, row);
    }
  gtk_list_box_set_filter_func (self->currency_list, currency_filter, self, NULL);
  gtk_list_box_set_placeholder (self->currency_list, new_placeholder (_("No currency matches the search")));
}

static void
currency_row_activated_cb (MilkPreferencesWindow *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->currency_search), "");
  gtk_list_box_invalidate_filter (self->currency_list);
  adw_preferences_window_present_subpage (ADW_PREFERENCES_WINDOW (self), self->currency_subpage);
  gtk_widget_grab_focus (GTK_WIDGET (self->currency_search));
}

static void
currency_search_changed_cb (MilkPreferencesWindow *self)
{
  gtk_list_box_invalidate_filter (self->currency_list);
}

static void
currency_chosen_cb (MilkPreferencesWindow *self,
                    GtkListBoxRow         *row)
{
  const char *code = g_object_get_data (G_OBJECT (row), "code");
  g_autoptr(GError) error = NULL;

  if (code == NULL)
    return;
  if (!milk_store_set_setting (self->store, "currency", code, &error))
    {
      show_toast (self, error->message);
      return;
    }
  adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (self));
}

/* Enter in the search takes the first match. */
static void
currency_search_activate_cb (MilkPreferencesWindow *self)
{
  gtk_list_box_invalidate_filter (self->currency_list);
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->currency_list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      if (GTK_IS_LIST_BOX_ROW (row) && gtk_widget_get_child_visible (row) &&
          g_object_get_data (G_OBJECT (row), "code") != NULL)
        {
          currency_chosen_cb (self, GTK_LIST_BOX_ROW (row));
          return;
        }
    }
}

/* Products */

static MilkRecord *
get_product (MilkPreferencesWindow *self,
             const char            *id)
{
  return milk_store_get (self->store, MILK_RECORD_PRODUCT, id, NULL);
}

static gboolean
put_product (MilkPreferencesWindow *self,
             MilkRecord            *product,
             AdwEntryRow           *row)
{
  g_autoptr(GError) error = NULL;

  if (milk_store_put (self->store, product, &error))
    return TRUE;
  if (row)
    row_set_error (row, error->message);
  else
    show_toast (self, error->message);
  return FALSE;
}

static void
remember_expanded (MilkPreferencesWindow *self,
                   const char            *id)
{
  g_free (self->expand_product);
  self->expand_product = g_strdup (id);
}

static void
product_name_apply_cb (AdwEntryRow           *row,
                       MilkPreferencesWindow *self)
{
  g_autoptr(MilkRecord) product = get_product (self, g_object_get_data (G_OBJECT (row), "product-id"));

  if (product == NULL)
    return;
  g_free (product->name);
  product->name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
  if (product->name[0] == '\0')
    {
      row_set_error (row, _("A product needs a name"));
      return;
    }
  remember_expanded (self, product->id);
  put_product (self, product, row);
}

static void
product_unit_apply_cb (AdwEntryRow           *row,
                       MilkPreferencesWindow *self)
{
  g_autoptr(MilkRecord) product = get_product (self, g_object_get_data (G_OBJECT (row), "product-id"));

  if (product == NULL)
    return;
  g_free (product->unit);
  product->unit = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
  if (product->unit[0] == '\0')
    {
      row_set_error (row, _("Enter a unit label, such as L"));
      return;
    }
  remember_expanded (self, product->id);
  put_product (self, product, row);
}

static void
product_quantity_apply_cb (AdwEntryRow           *row,
                           MilkPreferencesWindow *self)
{
  g_autoptr(MilkRecord) product = get_product (self, g_object_get_data (G_OBJECT (row), "product-id"));
  g_autoptr(GError) error = NULL;
  gint64 qty_ml;

  if (product == NULL)
    return;
  qty_ml = milk_quantity_parse (gtk_editable_get_text (GTK_EDITABLE (row)), &error);
  if (qty_ml < 0)
    {
      row_set_error (row, error->message);
      return;
    }
  product->default_qty_ml = qty_ml;
  remember_expanded (self, product->id);
  put_product (self, product, row);
}

/* "1; 1; 1; 1; 1; 1; 2": Monday to Sunday, separated by semicolons so that
 * a decimal comma stays a decimal comma. */
static char *
format_weekdays (const MilkRecord *product)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (!product->has_weekday_qty)
    return g_strdup ("");
  for (guint i = 0; i < 7; i++)
    {
      g_autofree char *litres = milk_quantity_format_litres (product->weekday_qty_ml[i]);
      g_string_append_printf (text, "%s%s", i ? "; " : "", litres);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
product_weekdays_apply_cb (AdwEntryRow           *row,
                           MilkPreferencesWindow *self)
{
  g_autoptr(MilkRecord) product = get_product (self, g_object_get_data (G_OBJECT (row), "product-id"));
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
  g_auto(GStrv) parts = NULL;

  if (product == NULL)
    return;
  if (*text == '\0')
    product->has_weekday_qty = FALSE;
  else
    {
      parts = g_strsplit (text, ";", -1);
      if (g_strv_length (parts) != 7)
        {
          row_set_error (row, _("Enter seven quantities, Monday to Sunday, separated by “;”"));
          return;
        }
      for (guint i = 0; i < 7; i++)
        {
          g_autoptr(GError) error = NULL;
          gint64 qty_ml = milk_quantity_parse (parts[i], &error);

          if (qty_ml < 0)
            {
              row_set_error (row, error->message);
              return;
            }
          product->weekday_qty_ml[i] = qty_ml;
        }
      product->has_weekday_qty = TRUE;
    }
  remember_expanded (self, product->id);
  put_product (self, product, row);
}

static void
product_archived_cb (GtkSwitch             *toggle,
                     GParamSpec            *pspec,
                     MilkPreferencesWindow *self)
{
  g_autoptr(MilkRecord) product = get_product (self, g_object_get_data (G_OBJECT (toggle), "product-id"));

  if (product == NULL || product->archived == gtk_switch_get_active (toggle))
    return;
  product->archived = gtk_switch_get_active (toggle);
  remember_expanded (self, product->id);
  put_product (self, product, NULL);
}

static char *
current_price_text (MilkPreferencesWindow *self,
                    const char            *product)
{
  g_autoptr(MilkPriceSchedule) schedule = milk_store_get_price_schedule (self->store, product, NULL);
  gint64 price = schedule ? milk_price_schedule_lookup (schedule, milk_day_today ()) : MILK_NO_PRICE;
  g_autofree char *money = NULL;

  if (price < 0)
    return g_strdup (_("No price yet"));
  money = milk_money_format (price, milk_store_get_currency (self->store));
  /* TRANSLATORS: today's price, e.g. "₹56.50 a litre" */
  return g_strdup_printf (_("%s a litre"), money);
}

static void present_price_subpage (MilkPreferencesWindow *self,
                                   const char            *product);

static void
price_schedule_row_activated_cb (AdwActionRow          *row,
                                 MilkPreferencesWindow *self)
{
  present_price_subpage (self, g_object_get_data (G_OBJECT (row), "product-id"));
}

static AdwEntryRow *
new_product_entry (MilkPreferencesWindow *self,
                   const MilkRecord      *product,
                   const char            *title,
                   const char            *text,
                   GCallback              apply)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_editable_set_text (GTK_EDITABLE (row), text ? text : "");
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "product-id", g_strdup (product->id), g_free);
  g_signal_connect_object (row, "apply", apply, self, 0);
  watch_errors (ADW_ENTRY_ROW (row));
  return ADW_ENTRY_ROW (row);
}

static GtkWidget *
new_product_row (MilkPreferencesWindow *self,
                 const MilkRecord      *product)
{
  GtkWidget *row = adw_expander_row_new ();
  g_autofree char *qty = milk_quantity_format (product->default_qty_ml);
  g_autofree char *price = current_price_text (self, product->id);
  g_autofree char *subtitle = NULL;
  GtkWidget *schedule_row, *archived_row, *toggle;

  if (product->archived)
    subtitle = g_strdup (_("Archived"));
  else
    /* TRANSLATORS: a product's usual quantity and today's price: "1 L a day · ₹56.50 a litre" */
    subtitle = g_strdup_printf (_("%s a day · %s"), qty, price);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), product->name);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle);
  g_object_set_data_full (G_OBJECT (row), "product-id", g_strdup (product->id), g_free);

  adw_expander_row_add_row (ADW_EXPANDER_ROW (row),
                            GTK_WIDGET (new_product_entry (self, product, _("Name"), product->name,
                                                           G_CALLBACK (product_name_apply_cb))));
  adw_expander_row_add_row (ADW_EXPANDER_ROW (row),
                            GTK_WIDGET (new_product_entry (self, product, _("Unit Label"), product->unit,
                                                           G_CALLBACK (product_unit_apply_cb))));
  adw_expander_row_add_row (ADW_EXPANDER_ROW (row),
                            GTK_WIDGET (new_product_entry (self, product, _("Usual Daily Quantity"), qty,
                                                           G_CALLBACK (product_quantity_apply_cb))));
  {
    g_autofree char *weekdays = format_weekdays (product);
    AdwEntryRow *weekday_row = new_product_entry (self, product, _("Usual by Weekday, Monday to Sunday (such as 1; 1; 1; 1; 1; 1; 2)"),
                                                  weekdays, G_CALLBACK (product_weekdays_apply_cb));

    gtk_widget_set_tooltip_text (GTK_WIDGET (weekday_row), _("Leave empty when every day is the same"));
    gtk_widget_set_name (GTK_WIDGET (weekday_row), "weekday-row");
    adw_expander_row_add_row (ADW_EXPANDER_ROW (row), GTK_WIDGET (weekday_row));
  }

  schedule_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (schedule_row), _("Price Schedule"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (schedule_row), price);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (schedule_row), TRUE);
  adw_action_row_add_suffix (ADW_ACTION_ROW (schedule_row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  g_object_set_data_full (G_OBJECT (schedule_row), "product-id", g_strdup (product->id), g_free);
  g_signal_connect_object (schedule_row, "activated", G_CALLBACK (price_schedule_row_activated_cb), self, 0);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (row), schedule_row);

  archived_row = adw_action_row_new ();
  toggle = gtk_switch_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (archived_row), _("Archived"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (archived_row), _("Not recorded on new days"));
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  gtk_switch_set_active (GTK_SWITCH (toggle), product->archived);
  g_object_set_data_full (G_OBJECT (toggle), "product-id", g_strdup (product->id), g_free);
  g_signal_connect_object (toggle, "notify::active", G_CALLBACK (product_archived_cb), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (archived_row), toggle);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (archived_row), toggle);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (row), archived_row);

  return row;
}

static void
refresh_products (MilkPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) products = milk_store_list_products (self->store, TRUE, &error);
  g_autoptr(GHashTable) expanded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->products_list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_EXPANDER_ROW (row) && adw_expander_row_get_expanded (ADW_EXPANDER_ROW (row)))
      g_hash_table_add (expanded, g_strdup (g_object_get_data (G_OBJECT (row), "product-id")));
  if (self->expand_product)
    g_hash_table_add (expanded, g_steal_pointer (&self->expand_product));

  clear_list (self->products_list);
  if (products == NULL)
    {
      show_toast (self, error->message);
      return;
    }
  for (guint i = 0; i < products->len; i++)
    {
      MilkRecord *product = g_ptr_array_index (products, i);
      GtkWidget *row = new_product_row (self, product);

      adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), g_hash_table_contains (expanded, product->id));
      gtk_list_box_append (self->products_list, row);
    }
}

static void
add_product_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  MilkPreferencesWindow *self = MILK_PREFERENCES_WINDOW (widget);
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->new_product_row))));
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkRecord) product = NULL;

  if (name[0] == '\0')
    {
      row_set_error (self->new_product_row, _("Enter the new product’s name"));
      return;
    }
  /* The rebuild after the store's change opens the new product. */
  product = milk_store_add_product (self->store, name, 1000, &error);
  if (product == NULL)
    {
      row_set_error (self->new_product_row, error->message);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->new_product_row), "");
  remember_expanded (self, product->id);
}

static void
new_product_activated_cb (MilkPreferencesWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "prefs.add-product", NULL);
}

/* Price schedule */

static void
refresh_prices (MilkPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkPriceSchedule) schedule = NULL;
  g_autoptr(MilkRecord) product = NULL;
  const MilkCurrency *currency = milk_store_get_currency (self->store);
  guint n;

  clear_list (self->price_list);
  if (self->price_product == NULL)
    return;

  product = get_product (self, self->price_product);
  adw_window_title_set_subtitle (self->price_title, product ? product->name : "");
  schedule = milk_store_get_price_schedule (self->store, self->price_product, &error);
  if (schedule == NULL)
    {
      show_toast (self, error->message);
      return;
    }

  /* Latest first: the price that applies now is at the top. */
  n = milk_price_schedule_get_n_changes (schedule);
  for (guint i = n; i > 0; i--)
    {
      MilkDay from;
      gint64 price;
      g_autofree char *day_text = NULL;
      g_autofree char *title = NULL;
      g_autofree char *money = NULL;
      char iso[11];
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *label;

      milk_price_schedule_get_change (schedule, i - 1, &from, &price);
      day_text = format_day (from);
      milk_day_format_iso (from, iso);
      money = milk_money_format (price, currency);
      /* TRANSLATORS: the first day of a price, e.g. "From 3 March 2026" */
      title = g_strdup_printf (_("From %s"), day_text);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      label = gtk_label_new (money);
      gtk_widget_set_name (label, "price");
      gtk_widget_add_css_class (label, "numeric");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 new_remove_button ("prefs.remove-price", iso, _("Remove Price Change")));
      gtk_list_box_append (self->price_list, row);
    }
}

static void
present_price_subpage (MilkPreferencesWindow *self,
                       const char            *product)
{
  char today[11];

  g_free (self->price_product);
  self->price_product = g_strdup (product);
  milk_day_format_iso (milk_day_today (), today);
  gtk_editable_set_text (GTK_EDITABLE (self->price_day_row), today);
  gtk_editable_set_text (GTK_EDITABLE (self->price_value_row), "");
  refresh_prices (self);
  adw_preferences_window_present_subpage (ADW_PREFERENCES_WINDOW (self), self->price_subpage);
  gtk_widget_grab_focus (GTK_WIDGET (self->price_value_row));
}

static void
add_price_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  MilkPreferencesWindow *self = MILK_PREFERENCES_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  MilkDay from;
  gint64 price;

  if (self->price_product == NULL)
    return;
  from = milk_day_parse (gtk_editable_get_text (GTK_EDITABLE (self->price_day_row)), &error);
  if (from == MILK_DAY_INVALID)
    {
      row_set_error (self->price_day_row, error->message);
      return;
    }
  price = milk_price_parse (gtk_editable_get_text (GTK_EDITABLE (self->price_value_row)),
                            milk_store_get_currency (self->store), &error);
  if (price < 0)
    {
      row_set_error (self->price_value_row, error->message);
      return;
    }
  if (!milk_store_set_price (self->store, self->price_product, from, price, &error))
    {
      row_set_error (self->price_value_row, error->message);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->price_value_row), "");
}

static void
remove_price_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  MilkPreferencesWindow *self = MILK_PREFERENCES_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  MilkDay from = milk_day_parse (g_variant_get_string (parameter, NULL), NULL);

  if (self->price_product == NULL || from == MILK_DAY_INVALID)
    return;
  if (!milk_store_remove_price (self->store, self->price_product, from, &error))
    show_toast (self, error->message);
}

static void
price_activated_cb (MilkPreferencesWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "prefs.add-price", NULL);
}

static void
set_day_from_calendar (AdwEntryRow *row,
                       GtkCalendar *calendar,
                       GtkPopover  *popover)
{
  g_autoptr(GDateTime) date = gtk_calendar_get_date (calendar);
  char iso[11];

  milk_day_format_iso (milk_day_from_ymd (g_date_time_get_year (date),
                                          g_date_time_get_month (date),
                                          g_date_time_get_day_of_month (date)), iso);
  gtk_editable_set_text (GTK_EDITABLE (row), iso);
  gtk_popover_popdown (popover);
}

static void
price_day_selected_cb (MilkPreferencesWindow *self)
{
  set_day_from_calendar (self->price_day_row, self->price_calendar, self->price_day_popover);
}

/* Payments */

static void
refresh_payments (MilkPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) payments = NULL;
  const MilkCurrency *currency = milk_store_get_currency (self->store);

  clear_list (self->payments_list);
  payments = milk_store_list_payments (self->store,
                                       milk_day_from_ymd (MILK_DAY_MIN_YEAR, 1, 1),
                                       milk_day_from_ymd (MILK_DAY_MAX_YEAR, 12, 31),
                                       &error);
  if (payments == NULL)
    {
      show_toast (self, error->message);
      return;
    }

  /* Latest first. */
  for (guint i = payments->len; i > 0; i--)
    {
      MilkRecord *payment = g_ptr_array_index (payments, i - 1);
      g_autofree char *money = milk_money_format (payment->amount, currency);
      g_autofree char *day = format_day (payment->day);
      g_autofree char *subtitle = NULL;
      GtkWidget *row = adw_action_row_new ();

      if (payment->note && *payment->note)
        /* TRANSLATORS: a payment's day and note: "3 March 2026 — February's bill" */
        subtitle = g_strdup_printf (_("%s — %s"), day, payment->note);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), money);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle ? subtitle : day);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 new_remove_button ("prefs.remove-payment", payment->id, _("Remove Payment")));
      gtk_list_box_append (self->payments_list, row);
    }
}

static void
add_payment_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  MilkPreferencesWindow *self = MILK_PREFERENCES_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *note = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->payment_note_row))));
  MilkDay day;
  gint64 amount;

  day = milk_day_parse (gtk_editable_get_text (GTK_EDITABLE (self->payment_day_row)), &error);
  if (day == MILK_DAY_INVALID)
    {
      row_set_error (self->payment_day_row, error->message);
      return;
    }
  amount = milk_price_parse (gtk_editable_get_text (GTK_EDITABLE (self->payment_amount_row)),
                             milk_store_get_currency (self->store), &error);
  if (amount < 0)
    {
      row_set_error (self->payment_amount_row, error->message);
      return;
    }
  if (amount == 0)
    {
      row_set_error (self->payment_amount_row, _("Enter the amount paid, such as 1500"));
      return;
    }
  id = milk_store_add_payment (self->store, day, amount, note[0] ? note : NULL, &error);
  if (id == NULL)
    {
      row_set_error (self->payment_note_row, error->message);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->payment_amount_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->payment_note_row), "");
}

static void
remove_payment_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  MilkPreferencesWindow *self = MILK_PREFERENCES_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (!milk_store_remove_payment (self->store, g_variant_get_string (parameter, NULL), &error))
    show_toast (self, error->message);
}

static void
payment_activated_cb (MilkPreferencesWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "prefs.add-payment", NULL);
}

static void
payment_day_selected_cb (MilkPreferencesWindow *self)
{
  set_day_from_calendar (self->payment_day_row, self->payment_calendar, self->payment_day_popover);
}

/* The window */

static void
close_subpage_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (widget));
}

static void
refresh (MilkPreferencesWindow *self)
{
  if (self->store == NULL)
    return;
  refresh_general (self);
  refresh_products (self);
  refresh_prices (self);
  refresh_payments (self);
}

/* After the change, not inside it: the widget that made the change (a
 * switch, a row) is usually one the rebuild replaces. */
static gboolean
refresh_idle (gpointer user_data)
{
  MilkPreferencesWindow *self = user_data;

  self->refresh_id = 0;
  refresh (self);
  return G_SOURCE_REMOVE;
}

static void
store_changed_cb (MilkPreferencesWindow *self)
{
  if (self->refresh_id == 0)
    self->refresh_id = g_idle_add (refresh_idle, self);
}

static void
milk_preferences_window_constructed (GObject *object)
{
  MilkPreferencesWindow *self = MILK_PREFERENCES_WINDOW (object);

  G_OBJECT_CLASS (milk_preferences_window_parent_class)->constructed (object);

  if (self->store)
    self->changed_id = g_signal_connect_swapped (self->store, "changed", G_CALLBACK (store_changed_cb), self);
  refresh (self);
}

static void
milk_preferences_window_dispose (GObject *object)
{
  MilkPreferencesWindow *self = MILK_PREFERENCES_WINDOW (object);

  if (self->store)
    g_clear_signal_handler (&self->changed_id, self->store);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_handle_id (&self->refresh_id, g_source_remove);

  gtk_widget_dispose_template (GTK_WIDGET (self), MILK_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (milk_preferences_window_parent_class)->dispose (object);
}

static void
milk_preferences_window_finalize (GObject *object)
{
  MilkPreferencesWindow *self = MILK_PREFERENCES_WINDOW (object);

  g_clear_pointer (&self->price_product, g_free);
  g_clear_pointer (&self->expand_product, g_free);

  G_OBJECT_CLASS (milk_preferences_window_parent_class)->finalize (object);
}

static void
milk_preferences_window_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  MilkPreferencesWindow *self = MILK_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
milk_preferences_window_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  MilkPreferencesWindow *self = MILK_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
milk_preferences_window_class_init (MilkPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = milk_preferences_window_constructed;
  object_class->dispose = milk_preferences_window_dispose;
  object_class->finalize = milk_preferences_window_finalize;
  object_class->get_property = milk_preferences_window_get_property;
  object_class->set_property = milk_preferences_window_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         MILK_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/milkdiary/MilkDiary/ui/milk-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, MilkPreferencesWindow, currency_row);
  gtk_widget_class_bind_template_child (widget_class, MilkPreferencesWindow, household_row);
  gtk_widget_class_bind_template_child (widget_class, MilkPreferencesWindow, reminder_switch);
  gtk_widget_class_bind_template_child (widget_class, MilkPreferencesWindow, sync_row);
  gtk_widget_class_bind_template_child (widget_class, MilkPreferencesWindow, reminder_time_row);
  gtk_widget_class_bind_template_callback (widget_class, reminder_time_apply_cb);
  gtk_widget_class_bind_template_child (widget_class, MilkPreferencesWindow, products_list);
  gtk_widget_class_bind_template_child (widget_class, MilkPreferencesWindow, new_product_row);
  gtk_widget_class_bind_template_child (widget_class, MilkPreferencesWindow, payment_day_row);
  gtk_widget_class_bind_template_child (widget_class, MilkPreferencesWindow, payment_day_popover);
  gtk_widget_class_bind_template_child (widget_class, MilkPreferencesWindow, payment_calendar);
  gtk_widget_class_bind_template_child (widget_class, MilkPreferencesWindow, payment_amount_row);
  gtk_widget_class_bind_template_child (widget_class, MilkPreferencesWindow, payment_symbol_label);
  gtk_widget_class_bind_template_child (widget_class, MilkPreferencesWindow, payment_note_row);
  gtk_widget_class_bind_template_child (widget_class, MilkPreferencesWindow, payments_list);
  gtk_widget_class_bind_template_child (widget_class, MilkPreferencesWindow, currency_subpage);
  gtk_widget_class_bind_template_child (widget_class, MilkPreferencesWindow, currency_search);
  gtk_widget_class_bind_template_child (widget_class, MilkPreferencesWindow, currency_list);
  gtk_widget_class_bind_template_child (widget_class, MilkPreferencesWindow, price_subpage);
  gtk_widget_class_bind_template_child (widget_class, MilkPreferencesWindow, price_title);
  gtk_widget_class_bind_template_child (widget_class, MilkPreferencesWindow, price_day_row);
  gtk_widget_class_bind_template_child (widget_class, MilkPreferencesWindow, price_day_popover);
  gtk_widget_class_bind_template_child (widget_class, MilkPreferencesWindow, price_calendar);
  gtk_widget_class_bind_template_child (widget_class, MilkPreferencesWindow, price_value_row);
  gtk_widget_class_bind_template_child (widget_class, MilkPreferencesWindow, price_symbol_label);
  gtk_widget_class_bind_template_child (widget_class, MilkPreferencesWindow, price_list);
  gtk_widget_class_bind_template_callback (widget_class, currency_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, currency_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, currency_search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, currency_chosen_cb);
  gtk_widget_class_bind_template_callback (widget_class, household_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, new_product_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, payment_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, payment_day_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, price_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, price_day_selected_cb);

  gtk_widget_class_install_action (widget_class, "prefs.close-subpage", NULL, close_subpage_action);
  gtk_widget_class_install_action (widget_class, "prefs.add-product", NULL, add_product_action);
  gtk_widget_class_install_action (widget_class, "prefs.add-price", NULL, add_price_action);
  gtk_widget_class_install_action (widget_class, "prefs.remove-price", "s", remove_price_action);
  gtk_widget_class_install_action (widget_class, "prefs.add-payment", NULL, add_payment_action);
  gtk_widget_class_install_action (widget_class, "prefs.remove-payment", "s", remove_payment_action);
}

static void
milk_preferences_window_init (MilkPreferencesWindow *self)
{
  char today[11];

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  g_settings_bind (self->settings, "reminder-enabled", self->reminder_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "reminder-time", self->reminder_time_row, "text", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "reminder-enabled", self->reminder_time_row, "sensitive", G_SETTINGS_BIND_GET);
  watch_errors (self->reminder_time_row);
  g_signal_connect_object (self->settings, "changed::sync-server", G_CALLBACK (sync_server_changed), self,
                           G_CONNECT_SWAPPED);
  sync_server_changed (self);

  build_currency_list (self);
  gtk_list_box_set_placeholder (self->payments_list, new_placeholder (_("No payments yet")));
  gtk_list_box_set_placeholder (self->price_list, new_placeholder (_("No price yet: days are recorded without an amount")));

  milk_day_format_iso (milk_day_today (), today);
  gtk_editable_set_text (GTK_EDITABLE (self->payment_day_row), today);

  watch_errors (self->household_row);
  watch_errors (self->new_product_row);
  watch_errors (self->payment_day_row);
  watch_errors (self->payment_amount_row);
  watch_errors (self->payment_note_row);
  watch_errors (self->price_day_row);
  watch_errors (self->price_value_row);
}

MilkPreferencesWindow *
milk_preferences_window_new (GtkWindow *parent,
                             MilkStore *store)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (MILK_IS_STORE (store), NULL);

  return g_object_new (MILK_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "store", store,
                       NULL);
}

MilkStore *
milk_preferences_window_get_store (MilkPreferencesWindow *self)
{
  g_return_val_if_fail (MILK_IS_PREFERENCES_WINDOW (self), NULL);

  return self->store;
}
