/* milk-products-page.c — the Products page of the preferences: products,
 * their usual amounts and weekday patterns, and each product's price
 * schedule, on a subpage
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <glib/gi18n.h>

#include "milk-preferences-rows.h"
#include "milk-price-subpage.h"
#include "milk-products-page.h"
#include "milk-store-follower.h"

struct _MilkProductsPage
{
  AdwPreferencesPage parent_instance;

  GtkListBox *products_list;
  AdwEntryRow *new_product_row;


  MilkPriceSubpage *price_subpage;  /* presented, the window's child */
  MilkStore *store;
  MilkToaster *toaster;
  MilkStoreFollower *follower;
  char *expand_product;  /* a product to show expanded after the next rebuild */
};

G_DEFINE_FINAL_TYPE (MilkProductsPage, milk_products_page, ADW_TYPE_PREFERENCES_PAGE)

enum {
  PROP_0,
  PROP_STORE,
  PROP_TOASTER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  REMOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_toast (MilkProductsPage *self,
            const char       *message)
{
  if (self->toaster)
    milk_toaster_add (self->toaster, adw_toast_new (message));
}

static MilkRecord *
get_product (MilkProductsPage *self,
             const char       *id)
{
  return milk_store_get (self->store, MILK_RECORD_PRODUCT, id, NULL);
}

static gboolean
put_product (MilkProductsPage *self,
             MilkRecord       *product,
             AdwEntryRow      *row)
{
  g_autoptr(GError) error = NULL;

  if (milk_store_put (self->store, product, &error))
    return TRUE;
  if (row)
    milk_prefs_row_set_error (row, error->message);
  else
    show_toast (self, error->message);
  return FALSE;
}

static void
remember_expanded (MilkProductsPage *self,
                   const char       *id)
{
  g_free (self->expand_product);
  self->expand_product = g_strdup (id);
}

static void
product_name_apply_cb (AdwEntryRow      *row,
                       MilkProductsPage *self)
{
  g_autoptr(MilkRecord) product = get_product (self, g_object_get_data (G_OBJECT (row), "product-id"));

  if (product == NULL)
    return;
  g_free (product->name);
  product->name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
  if (product->name[0] == '\0')
    {
      milk_prefs_row_set_error (row, _("A product needs a name"));
      return;
    }
  remember_expanded (self, product->id);
  put_product (self, product, row);
}

static void
product_unit_apply_cb (AdwEntryRow      *row,
                       MilkProductsPage *self)
{
  g_autoptr(MilkRecord) product = get_product (self, g_object_get_data (G_OBJECT (row), "product-id"));

  if (product == NULL)
    return;
  g_free (product->unit);
  product->unit = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
  if (product->unit[0] == '\0')
    {
      milk_prefs_row_set_error (row, _("Enter a unit label, such as L"));
      return;
    }
  remember_expanded (self, product->id);
  put_product (self, product, row);
}

static void
product_quantity_apply_cb (AdwEntryRow      *row,
                           MilkProductsPage *self)
{
  g_autoptr(MilkRecord) product = get_product (self, g_object_get_data (G_OBJECT (row), "product-id"));
  g_autoptr(GError) error = NULL;
  gint64 qty_ml;

  if (product == NULL)
    return;
  qty_ml = milk_quantity_parse (gtk_editable_get_text (GTK_EDITABLE (row)), &error);
  if (qty_ml < 0)
    {
      milk_prefs_row_set_error (row, error->message);
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
product_weekdays_apply_cb (AdwEntryRow      *row,
                           MilkProductsPage *self)
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
          milk_prefs_row_set_error (row, _("Enter seven quantities, Monday to Sunday, separated by “;”"));
          return;
        }
      for (guint i = 0; i < 7; i++)
        {
          g_autoptr(GError) error = NULL;
          gint64 qty_ml = milk_quantity_parse (parts[i], &error);

          if (qty_ml < 0)
            {
              milk_prefs_row_set_error (row, error->message);
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
product_evening_apply_cb (AdwEntryRow      *row,
                          MilkProductsPage *self)
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
          milk_prefs_row_set_error (row, error->message);
          return;
        }
      product->twice_daily = TRUE;
      product->evening_qty_ml = qty_ml;
    }
  remember_expanded (self, product->id);
  put_product (self, product, row);
}

static void
product_archived_cb (GtkSwitch        *toggle,
                     GParamSpec       *pspec,
                     MilkProductsPage *self)
{
  g_autoptr(MilkRecord) product = get_product (self, g_object_get_data (G_OBJECT (toggle), "product-id"));

  if (product == NULL || product->archived == gtk_switch_get_active (toggle))
    return;
  product->archived = gtk_switch_get_active (toggle);
  remember_expanded (self, product->id);
  put_product (self, product, NULL);
}

static char *
current_price_text (MilkProductsPage *self,
                    const char       *product)
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

static void
price_schedule_row_activated_cb (AdwActionRow     *row,
                                 MilkProductsPage *self)
{
  milk_price_subpage_show_product (self->price_subpage, g_object_get_data (G_OBJECT (row), "product-id"));
  milk_prefs_present_subpage (GTK_WIDGET (self), GTK_WIDGET (self->price_subpage));
  gtk_widget_grab_focus (GTK_WIDGET (self->price_subpage));
}

static AdwEntryRow *
new_product_entry (MilkProductsPage *self,
                   const MilkRecord *product,
                   const char       *title,
                   const char       *text,
                   GCallback         apply)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_editable_set_text (GTK_EDITABLE (row), text ? text : "");
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "product-id", g_strdup (product->id), g_free);
  g_signal_connect_object (row, "apply", apply, self, 0);
  milk_prefs_watch_errors (ADW_ENTRY_ROW (row));
  return ADW_ENTRY_ROW (row);
}

static GtkWidget *
new_product_row (MilkProductsPage *self,
                 const MilkRecord *product)
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

static void
refresh_products (MilkProductsPage *self)
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

  milk_prefs_clear_list (self->products_list);
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
  MilkProductsPage *self = MILK_PRODUCTS_PAGE (widget);
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->new_product_row))));
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkRecord) product = NULL;

  if (name[0] == '\0')
    {
      milk_prefs_row_set_error (self->new_product_row, _("Enter the new product’s name"));
      return;
    }
  /* The rebuild after the store's change opens the new product. */
  product = milk_store_add_product (self->store, name, 1000, &error);
  if (product == NULL)
    {
      milk_prefs_row_set_error (self->new_product_row, error->message);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->new_product_row), "");
  remember_expanded (self, product->id);
}

static void
new_product_activated_cb (MilkProductsPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "products.add", NULL);
}

/* The page */

static void
refresh (MilkProductsPage *self)
{
  if (self->store == NULL)
    return;
  refresh_products (self);
}

/* The subpage is the window's child when presented, not the page's: what
 * it removed is said by the page. */
static void
price_removed_cb (MilkProductsPage *self,
                  const char       *message,
                  const MilkRecord *removed)
{
  g_signal_emit (self, signals[REMOVED], 0, message, removed);
}

static void
milk_products_page_constructed (GObject *object)
{
  MilkProductsPage *self = MILK_PRODUCTS_PAGE (object);

  G_OBJECT_CLASS (milk_products_page_parent_class)->constructed (object);

  /* Nothing on a page shows the sync journal. */
  self->follower = milk_store_follower_new (self->store, MILK_STORE_CHANGE_ALL & ~MILK_STORE_CHANGE_SYNC,
                                            (MilkStoreRefreshFunc) refresh, self);
  self->price_subpage = MILK_PRICE_SUBPAGE (g_object_ref_sink (milk_price_subpage_new (self->store, self->toaster)));
  g_signal_connect_object (self->price_subpage, "removed", G_CALLBACK (price_removed_cb), self, G_CONNECT_SWAPPED);
  refresh (self);
}

static void
milk_products_page_dispose (GObject *object)
{
  MilkProductsPage *self = MILK_PRODUCTS_PAGE (object);

  g_clear_object (&self->follower);
  g_clear_object (&self->store);
  g_clear_object (&self->toaster);
  g_clear_object (&self->price_subpage);

  gtk_widget_dispose_template (GTK_WIDGET (self), MILK_TYPE_PRODUCTS_PAGE);

  G_OBJECT_CLASS (milk_products_page_parent_class)->dispose (object);
}

static void
milk_products_page_finalize (GObject *object)
{
  MilkProductsPage *self = MILK_PRODUCTS_PAGE (object);

  g_clear_pointer (&self->expand_product, g_free);

  G_OBJECT_CLASS (milk_products_page_parent_class)->finalize (object);
}

static void
milk_products_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  MilkProductsPage *self = MILK_PRODUCTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_TOASTER:
      g_value_set_object (value, self->toaster);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
milk_products_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  MilkProductsPage *self = MILK_PRODUCTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_TOASTER:
      self->toaster = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
milk_products_page_class_init (MilkProductsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = milk_products_page_constructed;
  object_class->dispose = milk_products_page_dispose;
  object_class->finalize = milk_products_page_finalize;
  object_class->get_property = milk_products_page_get_property;
  object_class->set_property = milk_products_page_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         MILK_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOASTER] =
    g_param_spec_object ("toaster", NULL, NULL,
                         MILK_TYPE_TOASTER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MilkProductsPage::removed:
   * @message: what to say about the removal
   * @record: (type MilkRecord): the price as it was, to put back on Undo
   */
  signals[REMOVED] =
    g_signal_new ("removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_POINTER);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/milkdiary/MilkDiary/ui/milk-products-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MilkProductsPage, products_list);
  gtk_widget_class_bind_template_child (widget_class, MilkProductsPage, new_product_row);
  gtk_widget_class_bind_template_callback (widget_class, new_product_activated_cb);

  gtk_widget_class_install_action (widget_class, "products.add", NULL, add_product_action);
}

static void
milk_products_page_init (MilkProductsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  milk_prefs_watch_errors (self->new_product_row);
}

GtkWidget *
milk_products_page_new (MilkStore   *store,
                        MilkToaster *toaster)
{
  g_return_val_if_fail (MILK_IS_STORE (store), NULL);
  g_return_val_if_fail (toaster == NULL || MILK_IS_TOASTER (toaster), NULL);

  return g_object_new (MILK_TYPE_PRODUCTS_PAGE,
                       "store", store,
                       "toaster", toaster,
                       NULL);
}
