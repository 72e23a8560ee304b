/* milk-welcome-page.c — first run: currency, the usual quantity, the price
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>
#include <adwaita.h>

#include "milk-application.h"
#include "milk-welcome-page.h"

struct _MilkWelcomePage
{
  GtkWidget parent_instance;

  GtkDropDown *currency_dropdown;
  AdwEntryRow *qty_row;
  AdwEntryRow *price_row;
  GtkLabel *symbol_label;
  GtkLabel *price_error;

  MilkStore *store;
};

G_DEFINE_FINAL_TYPE (MilkWelcomePage, milk_welcome_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The currency of the locale's money (LC_MONETARY's int_curr_symbol,
 * "EUR " in de_DE), if the table knows it; rupees otherwise, as the old
 * Home Milk Calculator assumed. */
const char *
milk_welcome_page_default_currency (void)
{
  const struct lconv *lc = localeconv ();
  char code[4] = { 0 };
  const MilkCurrency *currency;

  if (lc->int_curr_symbol && strlen (lc->int_curr_symbol) >= 3)
    {
      memcpy (code, lc->int_curr_symbol, 3);
      currency = milk_currency_lookup (code);
      if (currency)
        return milk_currency_get_code (currency);
    }
  return "INR";
}

static const MilkCurrency *
selected_currency (MilkWelcomePage *self)
{
  guint n = gtk_drop_down_get_selected (self->currency_dropdown);

  if (n == GTK_INVALID_LIST_POSITION || n >= milk_currency_count ())
    return milk_currency_lookup ("INR");
  return milk_currency_nth (n);
}

static void
clear_error (MilkWelcomePage *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->qty_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->price_row), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->price_error), FALSE);
}

static void
show_error (MilkWelcomePage *self,
            AdwEntryRow     *row,
            const char      *message)
{
  gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  gtk_label_set_label (self->price_error, message);
  gtk_widget_set_visible (GTK_WIDGET (self->price_error), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message, -1);
  gtk_widget_grab_focus (GTK_WIDGET (row));
}

static void
currency_selected_cb (MilkWelcomePage *self)
{
  gtk_label_set_label (self->symbol_label, milk_currency_get_symbol (selected_currency (self)));
}

static void
row_changed_cb (MilkWelcomePage *self)
{
  clear_error (self);
}

static void
row_activated_cb (MilkWelcomePage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "welcome.start", NULL);
}

static MilkRecord *
default_product (MilkWelcomePage *self)
{
  g_autoptr(GPtrArray) products = milk_store_list_products (self->store, FALSE, NULL);

  if (products && products->len > 0)
    return milk_record_copy (g_ptr_array_index (products, 0));
  return NULL;
}

/* The price, or 0 when left for later; -1 (and the error shown) when
 * what was typed is not a price. */
static gint64
read_price (MilkWelcomePage    *self,
            const MilkCurrency *currency)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->price_row))));
  g_autoptr(GError) error = NULL;
  gint64 price_per_l;

  if (*text == '\0')
    return 0;
  price_per_l = milk_price_parse (text, currency, &error);
  if (price_per_l < 0)
    show_error (self, self->price_row, error->message);
  else if (price_per_l == 0)
    {
      show_error (self, self->price_row, _("Enter the price you pay for a litre, such as 56.50"));
      price_per_l = -1;
    }
  return price_per_l;
}

static gint64
read_qty (MilkWelcomePage *self)
{
  g_autoptr(GError) error = NULL;
  gint64 qty_ml = milk_quantity_parse (gtk_editable_get_text (GTK_EDITABLE (self->qty_row)), &error);

  if (qty_ml < 0)
    show_error (self, self->qty_row, error->message);
  else if (qty_ml == 0)
    {
      show_error (self, self->qty_row, _("Enter the litres delivered on a usual day, such as 1.5"));
      qty_ml = -1;
    }
  return qty_ml;
}

/* One transaction for all, so that a failure leaves the diary as it was
 * and the page can simply be tried again. */
static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  MilkWelcomePage *self = MILK_WELCOME_PAGE (widget);
  const MilkCurrency *currency = selected_currency (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  g_autoptr(MilkRecord) product = NULL;
  MilkRecord *setting;
  gint64 price_per_l, qty_ml;

  clear_error (self);
  if ((qty_ml = read_qty (self)) < 0 || (price_per_l = read_price (self, currency)) < 0)
    return;

  setting = milk_record_new (MILK_RECORD_SETTING);
  setting->id = g_strdup ("currency");
  setting->value = g_strdup (milk_currency_get_code (currency));
  g_ptr_array_add (changes, setting);

  product = default_product (self);
  if (product != NULL && product->default_qty_ml != qty_ml)
    {
      product->default_qty_ml = qty_ml;
      product->has_weekday_qty = FALSE;
      g_ptr_array_add (changes, milk_record_copy (product));
    }
  if (price_per_l > 0)
    {
      MilkRecord *price = milk_record_new (MILK_RECORD_PRICE);
      int year, month;

      milk_day_get_ymd (milk_day_today (), &year, &month, NULL);
      price->id = g_strdup (product ? product->id : MILK_DEFAULT_PRODUCT_ID);
      price->day = milk_day_month_first (year, month);
      price->price_per_l = price_per_l;
      g_ptr_array_add (changes, price);
    }

  if (!milk_store_put_many (self->store, changes, &error))
    {
      show_error (self, self->price_row, error->message);
      return;
    }
  g_signal_emit (self, signals[DONE], 0);
}

static void
milk_welcome_page_constructed (GObject *object)
{
  MilkWelcomePage *self = MILK_WELCOME_PAGE (object);
  const char *code = milk_welcome_page_default_currency ();
  g_autofree char *current = NULL;

  G_OBJECT_CLASS (milk_welcome_page_parent_class)->constructed (object);

  /* A diary that already names a currency (from another device, say)
   * keeps it. */
  if (self->store)
    current = milk_store_dup_setting (self->store, "currency");
  if (current && milk_currency_lookup (current))
    code = current;

  for (guint i = 0; i < milk_currency_count (); i++)
    if (g_strcmp0 (milk_currency_get_code (milk_currency_nth (i)), code) == 0)
      gtk_drop_down_set_selected (self->currency_dropdown, i);
  currency_selected_cb (self);

  if (self->store)
    {
      g_autoptr(MilkRecord) product = default_product (self);
      g_autofree char *qty = product ? milk_quantity_format_litres (product->default_qty_ml) : NULL;

      if (qty != NULL)
        gtk_editable_set_text (GTK_EDITABLE (self->qty_row), qty);
    }
}

static void
milk_welcome_page_dispose (GObject *object)
{
  MilkWelcomePage *self = MILK_WELCOME_PAGE (object);
  GtkWidget *child;

  g_clear_object (&self->store);
  gtk_widget_dispose_template (GTK_WIDGET (self), MILK_TYPE_WELCOME_PAGE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (milk_welcome_page_parent_class)->dispose (object);
}

static void
milk_welcome_page_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  MilkWelcomePage *self = MILK_WELCOME_PAGE (object);

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
milk_welcome_page_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  MilkWelcomePage *self = MILK_WELCOME_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_set_object (&self->store, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
milk_welcome_page_class_init (MilkWelcomePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = milk_welcome_page_constructed;
  object_class->dispose = milk_welcome_page_dispose;
  object_class->get_property = milk_welcome_page_get_property;
  object_class->set_property = milk_welcome_page_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         MILK_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MilkWelcomePage::done:
   *
   * The currency, the usual quantity and any first price are stored;
   * show the diary.
   */
  signals[DONE] = g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/milkdiary/MilkDiary/ui/milk-welcome-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MilkWelcomePage, currency_dropdown);
  gtk_widget_class_bind_template_child (widget_class, MilkWelcomePage, qty_row);
  gtk_widget_class_bind_template_child (widget_class, MilkWelcomePage, price_row);
  gtk_widget_class_bind_template_child (widget_class, MilkWelcomePage, symbol_label);
  gtk_widget_class_bind_template_child (widget_class, MilkWelcomePage, price_error);
  gtk_widget_class_bind_template_callback (widget_class, currency_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);

  gtk_widget_class_install_action (widget_class, "welcome.start", NULL, start_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
milk_welcome_page_init (MilkWelcomePage *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  g_autoptr(GtkExpression) expression = NULL;

  milk_application_add_icon (gdk_display_get_default ());
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < milk_currency_count (); i++)
    {
      const MilkCurrency *currency = milk_currency_nth (i);
      /* TRANSLATORS: a currency in a list: "Indian Rupee (INR)" */
      g_autofree char *text = g_strdup_printf (_("%s (%s)"), milk_currency_get_name (currency),
                                               milk_currency_get_code (currency));

      gtk_string_list_append (names, text);
    }
  expression = gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string");
  gtk_drop_down_set_expression (self->currency_dropdown, expression);
  gtk_drop_down_set_model (self->currency_dropdown, G_LIST_MODEL (names));
}

GtkWidget *
milk_welcome_page_new (MilkStore *store)
{
  g_return_val_if_fail (MILK_IS_STORE (store), NULL);

  return g_object_new (MILK_TYPE_WELCOME_PAGE, "store", store, NULL);
}

MilkStore *
milk_welcome_page_get_store (MilkWelcomePage *self)
{
  g_return_val_if_fail (MILK_IS_WELCOME_PAGE (self), NULL);

  return self->store;
}
