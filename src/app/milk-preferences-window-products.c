/* milk-preferences-window-products.c — the Products page: products, their usual
 * amounts and weekday patterns, and each product's price schedule
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <glib/gi18n.h>

#include "milk-preferences-window-private.h"

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
    _milk_prefs_row_set_error (row, error->message);
  else
    _milk_prefs_show_toast (self, error->message);
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
      _milk_prefs_row_set_error (row, _("A product needs a name"));
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
      _milk_prefs_row_set_error (row, _("Enter a unit label, such as L"));
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
      _milk_prefs_row_set_error (row, error->message);
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
          _milk_prefs_row_set_error (row, _("Enter seven quantities, Monday to Sunday, separated by “;”"));
          return;
        }
      for (guint i = 0; i < 7; i++)
        {
          g_autoptr(GError) error = NULL;
          gint64 qty_ml = milk_quantity_parse (parts[i], &error);

          if (qty_ml < 0)
            {
              _milk_prefs_row_set_error (row, error->message);
              return;
            }
          product->weekday_qty_ml[i] = qty_ml;
        }
      product->has_weekday_qty = TRUE;
    }
  remember_expanded (self, product->id);
  put_product (self, product, row);
}

/* Empty: one delivery a day. */
static void
product_evening_apply_cb (AdwEntryRow           *row,
                          MilkPreferencesWindow *self)
{
  g_autoptr(MilkRecord) product = get_product (self, g_object_get_data (G_OBJECT (row), "product-id"));
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
  g_autoptr(GError) error = NULL;

  if (product == NULL)
    return;
  if (*text == '\0')
    {
      product->twice_daily = FALSE;
      product->evening_qty_ml = 0;
    }
  else
    {
      gint64 qty_ml = milk_quantity_parse (text, &error);

      if (qty_ml < 0)
        {
          _milk_prefs_row_set_error (row, error->message);
          return;
        }
      product->twice_daily = TRUE;
      product->evening_qty_ml = qty_ml;
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
  _milk_prefs_watch_errors (ADW_ENTRY_ROW (row));
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
  else if (product->twice_daily)
    {
      gint64 morning_ml, evening_ml;
      g_autofree char *morning = NULL;
      g_autofree char *evening = NULL;

      milk_product_usual_split (product, MILK_DAY_INVALID, &morning_ml, &evening_ml);
      morning = milk_quantity_format (morning_ml);
      evening = milk_quantity_format (evening_ml);
      /* TRANSLATORS: a product delivered twice a day, its usual quantities and
       * today's price: "1.5 L a day (1 L morning, 0.5 L evening) · ₹56.50 a litre" */
      subtitle = g_strdup_printf (_("%s a day (%s morning, %s evening) · %s"), qty, morning, evening, price);
    }
  else
    /* TRANSLATORS: a product's usual quantity and today's price: "1 L a day · ₹56.50 a litre" */
    subtitle = g_strdup_printf (_("%s a day · %s"), qty, price);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), product->name);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle);
  /* libadwaita 1.2 leaves the expander's own row unnamed */
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, product->name, -1);
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
  {
    g_autofree char *evening = product->twice_daily ? milk_quantity_format (product->evening_qty_ml) : NULL;
    AdwEntryRow *evening_row = new_product_entry (self, product, _("Usual in the Evening (empty for once a day)"),
                                                  evening, G_CALLBACK (product_evening_apply_cb));

    gtk_widget_set_tooltip_text (GTK_WIDGET (evening_row),
                                 _("Litres of the day’s usual quantity that come in the evening; leave empty when the milk comes once a day"));
    gtk_widget_set_name (GTK_WIDGET (evening_row), "evening-row");
    adw_expander_row_add_row (ADW_EXPANDER_ROW (row), GTK_WIDGET (evening_row));
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

void
_milk_prefs_refresh_products (MilkPreferencesWindow *self)
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

  _milk_prefs_clear_list (self->products_list);
  if (products == NULL)
    {
      _milk_prefs_show_toast (self, error->message);
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
      _milk_prefs_row_set_error (self->new_product_row, _("Enter the new product’s name"));
      return;
    }
  /* The rebuild after the store's change opens the new product. */
  product = milk_store_add_product (self->store, name, 1000, &error);
  if (product == NULL)
    {
      _milk_prefs_row_set_error (self->new_product_row, error->message);
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

void
_milk_prefs_refresh_prices (MilkPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkPriceSchedule) schedule = NULL;
  g_autoptr(MilkRecord) product = NULL;
  const MilkCurrency *currency = milk_store_get_currency (self->store);
  guint n;

  _milk_prefs_clear_list (self->price_list);
  if (self->price_product == NULL)
    return;

  product = get_product (self, self->price_product);
  adw_window_title_set_subtitle (self->price_title, product ? product->name : "");
  schedule = milk_store_get_price_schedule (self->store, self->price_product, &error);
  if (schedule == NULL)
    {
      _milk_prefs_show_toast (self, error->message);
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
      day_text = _milk_prefs_format_day (from);
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
                                 _milk_prefs_new_remove_button ("prefs.remove-price", iso, _("Remove Price Change")));
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
  _milk_prefs_refresh_prices (self);
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
      _milk_prefs_row_set_error (self->price_day_row, error->message);
      return;
    }
  price = milk_price_parse (gtk_editable_get_text (GTK_EDITABLE (self->price_value_row)),
                            milk_store_get_currency (self->store), &error);
  if (price < 0)
    {
      _milk_prefs_row_set_error (self->price_value_row, error->message);
      return;
    }
  if (!milk_store_set_price (self->store, self->price_product, from, price, &error))
    {
      _milk_prefs_row_set_error (self->price_value_row, error->message);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->price_value_row), "");
}

static void
remove_price (MilkPreferencesWindow *self,
              const char            *product,
              MilkDay                from)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *iso = milk_day_to_string (from);
  g_autofree char *key = g_strdup_printf ("%s/%s", product, iso);
  g_autoptr(MilkRecord) price = milk_store_get (self->store, MILK_RECORD_PRICE, key, &error);
  g_autofree char *day = NULL;
  g_autofree char *message = NULL;

  if (price == NULL || !milk_store_remove_price (self->store, product, from, &error))
    {
      if (error)
        _milk_prefs_show_toast (self, error->message);
      return;
    }
  day = _milk_prefs_format_day (from);
  /* TRANSLATORS: %s is a day, "3 March 2026" */
  message = g_strdup_printf (_("Removed the price from %s"), day);
  _milk_prefs_offer_undo (self, message, price);
}

/* Recorded days, up to today, that the price from @from prices: removing
 * it changes what they cost, in bills already made. */
static guint
count_priced_days (MilkPreferencesWindow *self,
                   const char            *product,
                   MilkDay                from)
{
  g_autoptr(MilkPriceSchedule) schedule = milk_store_get_price_schedule (self->store, product, NULL);
  g_autoptr(GPtrArray) entries = NULL;
  MilkDay until = milk_day_today ();
  guint count = 0;

  if (schedule == NULL || from > until)
    return 0;
  for (guint i = 0; i < milk_price_schedule_get_n_changes (schedule); i++)
    {
      MilkDay change;
      gint64 price;

      milk_price_schedule_get_change (schedule, i, &change, &price);
      if (change > from && change <= until)
        until = change - 1;
    }
  entries = milk_store_list_entries (self->store, from, until, NULL);
  for (guint i = 0; entries && i < entries->len; i++)
    {
      MilkRecord *entry = g_ptr_array_index (entries, i);

      if (g_str_equal (entry->id, product) && entry->qty_ml > 0 && entry->price_override == MILK_NO_PRICE)
        count++;
    }
  return count;
}

static void
remove_price_confirmed (AdwMessageDialog *dialog,
                        const char       *response,
                        MilkPreferencesWindow *self)
{
  const char *product = g_object_get_data (G_OBJECT (dialog), "product");
  MilkDay from = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "from"));

  if (g_strcmp0 (response, "remove") == 0)
    remove_price (self, product, from);
}

static void
remove_price_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  MilkPreferencesWindow *self = MILK_PREFERENCES_WINDOW (widget);
  MilkDay from = milk_day_parse (g_variant_get_string (parameter, NULL), NULL);
  g_autofree char *day = NULL;
  GtkWidget *dialog;
  guint days;

  if (self->price_product == NULL || from == MILK_DAY_INVALID)
    return;
  days = count_priced_days (self, self->price_product, from);
  if (days == 0)
    {
      remove_price (self, self->price_product, from);
      return;
    }
  day = _milk_prefs_format_day (from);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Change Past Bills?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  ngettext ("The price from %s is what %u recorded day cost. Without it, "
                                            "that day costs the price before it, and the bills of those "
                                            "months change.",
                                            "The price from %s is what %u recorded days cost. Without it, "
                                            "those days cost the price before it, and the bills of those "
                                            "months change.", days),
                                  day, days);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove Price"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "product", g_strdup (self->price_product), g_free);
  g_object_set_data (G_OBJECT (dialog), "from", GUINT_TO_POINTER (from));
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_price_confirmed), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
price_activated_cb (MilkPreferencesWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "prefs.add-price", NULL);
}

static void
price_day_selected_cb (MilkPreferencesWindow *self)
{
  _milk_prefs_set_day_from_calendar (self->price_day_row, self->price_calendar, self->price_day_popover);
}

void
_milk_prefs_products_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, new_product_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, price_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, price_day_selected_cb);
  gtk_widget_class_install_action (widget_class, "prefs.add-product", NULL, add_product_action);
  gtk_widget_class_install_action (widget_class, "prefs.add-price", NULL, add_price_action);
  gtk_widget_class_install_action (widget_class, "prefs.remove-price", "s", remove_price_action);
}
