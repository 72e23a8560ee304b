/* milk-price-subpage.c — a product's price schedule, a subpage of the
 * preferences: its changes, latest first, added and removed
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <glib/gi18n.h>

#include "milk-dialogs.h"
#include "milk-preferences-rows.h"
#include "milk-price-subpage.h"
#include "milk-store-follower.h"

struct _MilkPriceSubpage
{
  GtkBox parent_instance;

  AdwWindowTitle *price_title;
  AdwEntryRow *price_day_row;
  GtkPopover *price_day_popover;
  GtkCalendar *price_calendar;
  AdwEntryRow *price_value_row;
  GtkLabel *price_symbol_label;
  GtkListBox *price_list;

  MilkStore *store;
  MilkToaster *toaster;
  MilkStoreFollower *follower;
  char *price_product;   /* the product whose schedule is shown */
};

G_DEFINE_FINAL_TYPE (MilkPriceSubpage, milk_price_subpage, GTK_TYPE_BOX)

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
show_toast (MilkPriceSubpage *self,
            const char       *message)
{
  if (self->toaster)
    milk_toaster_add (self->toaster, adw_toast_new (message));
}

static void
refresh (MilkPriceSubpage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkPriceSchedule) schedule = NULL;
  g_autoptr(MilkRecord) product = NULL;
  const MilkCurrency *currency;
  guint n;

  if (self->store == NULL)
    return;
  currency = milk_store_get_currency (self->store);
  gtk_label_set_label (self->price_symbol_label, milk_currency_get_symbol (currency));
  milk_prefs_clear_list (self->price_list);
  if (self->price_product == NULL)
    return;

  product = milk_store_get (self->store, MILK_RECORD_PRODUCT, self->price_product, NULL);
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
      day_text = milk_prefs_format_day (from);
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
                                 milk_prefs_remove_button_new ("prices.remove", iso, _("Remove Price Change")));
      gtk_list_box_append (self->price_list, row);
    }
}

static void
add_price_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  MilkPriceSubpage *self = MILK_PRICE_SUBPAGE (widget);
  g_autoptr(GError) error = NULL;
  MilkDay from;
  gint64 price;

  if (self->price_product == NULL)
    return;
  from = milk_day_parse (gtk_editable_get_text (GTK_EDITABLE (self->price_day_row)), &error);
  if (from == MILK_DAY_INVALID)
    {
      milk_prefs_row_set_error (self->price_day_row, error->message);
      return;
    }
  price = milk_price_parse (gtk_editable_get_text (GTK_EDITABLE (self->price_value_row)),
                            milk_store_get_currency (self->store), &error);
  if (price < 0)
    {
      milk_prefs_row_set_error (self->price_value_row, error->message);
      return;
    }
  if (!milk_store_set_price (self->store, self->price_product, from, price, &error))
    {
      milk_prefs_row_set_error (self->price_value_row, error->message);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->price_value_row), "");
}

static void
remove_price (MilkPriceSubpage *self,
              const char       *product,
              MilkDay           from)
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
        show_toast (self, error->message);
      return;
    }
  day = milk_prefs_format_day (from);
  /* TRANSLATORS: %s is a day, "3 March 2026" */
  message = g_strdup_printf (_("Removed the price from %s"), day);
  g_signal_emit (self, signals[REMOVED], 0, message, price);
}

/* Recorded days, up to today, that the price from @from prices: removing
 * it changes what they cost, in bills already made. */
static guint
count_priced_days (MilkPriceSubpage *self,
                   const char       *product,
                   MilkDay           from)
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

typedef struct
{
  MilkPriceSubpage *subpage;   /* a reference */
  char *product;
  MilkDay from;
} Removal;

static void
removal_free (Removal *removal)
{
  g_object_unref (removal->subpage);
  g_free (removal->product);
  g_free (removal);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Removal, removal_free)

static void
remove_price_confirmed (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(Removal) removal = user_data;
  g_autofree char *response = milk_ask_finish (GTK_WINDOW (source), result, NULL);

  if (g_strcmp0 (response, "remove") == 0 && removal->subpage->store != NULL)
    remove_price (removal->subpage, removal->product, removal->from);
}

static void
remove_price_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  MilkPriceSubpage *self = MILK_PRICE_SUBPAGE (widget);
  MilkDay from = milk_day_parse (g_variant_get_string (parameter, NULL), NULL);
  g_autofree char *day = NULL;
  g_autofree char *body = NULL;
  Removal *removal;
  guint days;
  MilkResponse responses[] = {
    { "cancel", _("_Cancel"), ADW_RESPONSE_DEFAULT },
    { "remove", _("_Remove Price"), ADW_RESPONSE_DESTRUCTIVE },
  };

  if (self->price_product == NULL || from == MILK_DAY_INVALID)
    return;
  days = count_priced_days (self, self->price_product, from);
  if (days == 0)
    {
      remove_price (self, self->price_product, from);
      return;
    }
  day = milk_prefs_format_day (from);
  body = g_strdup_printf (ngettext ("The price from %s is what %u recorded day cost. Without it, "
                                    "that day costs the price before it, and the bills of those "
                                    "months change.",
                                    "The price from %s is what %u recorded days cost. Without it, "
                                    "those days cost the price before it, and the bills of those "
                                    "months change.", days),
                          day, days);
  removal = g_new0 (Removal, 1);
  removal->subpage = g_object_ref (self);
  removal->product = g_strdup (self->price_product);
  removal->from = from;
  milk_ask_async (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), _("Change Past Bills?"), body, NULL,
                  responses, G_N_ELEMENTS (responses), "cancel", "cancel",
                  NULL, remove_price_confirmed, removal);
}

static void
price_activated_cb (MilkPriceSubpage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "prices.add", NULL);
}

static void
price_day_selected_cb (MilkPriceSubpage *self)
{
  milk_prefs_set_day_from_calendar (self->price_day_row, self->price_calendar, self->price_day_popover);
}

/* Presented, the Price per Litre row takes the keys. */
static gboolean
milk_price_subpage_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (MILK_PRICE_SUBPAGE (widget)->price_value_row));
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  milk_prefs_close_subpage (widget);
}

static void
milk_price_subpage_constructed (GObject *object)
{
  MilkPriceSubpage *self = MILK_PRICE_SUBPAGE (object);

  G_OBJECT_CLASS (milk_price_subpage_parent_class)->constructed (object);

  /* Nothing on a page shows the sync journal. */
  self->follower = milk_store_follower_new (self->store, MILK_STORE_CHANGE_ALL & ~MILK_STORE_CHANGE_SYNC,
                                            (MilkStoreRefreshFunc) refresh, self);
  refresh (self);
}

static void
milk_price_subpage_dispose (GObject *object)
{
  MilkPriceSubpage *self = MILK_PRICE_SUBPAGE (object);

  g_clear_object (&self->follower);
  g_clear_object (&self->store);
  g_clear_object (&self->toaster);

  gtk_widget_dispose_template (GTK_WIDGET (self), MILK_TYPE_PRICE_SUBPAGE);

  G_OBJECT_CLASS (milk_price_subpage_parent_class)->dispose (object);
}

static void
milk_price_subpage_finalize (GObject *object)
{
  MilkPriceSubpage *self = MILK_PRICE_SUBPAGE (object);

  g_clear_pointer (&self->price_product, g_free);

  G_OBJECT_CLASS (milk_price_subpage_parent_class)->finalize (object);
}

static void
milk_price_subpage_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  MilkPriceSubpage *self = MILK_PRICE_SUBPAGE (object);

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
milk_price_subpage_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  MilkPriceSubpage *self = MILK_PRICE_SUBPAGE (object);

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
milk_price_subpage_class_init (MilkPriceSubpageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = milk_price_subpage_constructed;
  object_class->dispose = milk_price_subpage_dispose;
  object_class->finalize = milk_price_subpage_finalize;
  object_class->get_property = milk_price_subpage_get_property;
  object_class->set_property = milk_price_subpage_set_property;
  widget_class->grab_focus = milk_price_subpage_grab_focus;

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
   * MilkPriceSubpage::removed:
   * @message: what to say about the removal
   * @record: (type MilkRecord): the price as it was, to put back on Undo
   */
  signals[REMOVED] =
    g_signal_new ("removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_POINTER);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/milkdiary/MilkDiary/ui/milk-price-subpage.ui");
  gtk_widget_class_bind_template_child (widget_class, MilkPriceSubpage, price_title);
  gtk_widget_class_bind_template_child (widget_class, MilkPriceSubpage, price_day_row);
  gtk_widget_class_bind_template_child (widget_class, MilkPriceSubpage, price_day_popover);
  gtk_widget_class_bind_template_child (widget_class, MilkPriceSubpage, price_calendar);
  gtk_widget_class_bind_template_child (widget_class, MilkPriceSubpage, price_value_row);
  gtk_widget_class_bind_template_child (widget_class, MilkPriceSubpage, price_symbol_label);
  gtk_widget_class_bind_template_child (widget_class, MilkPriceSubpage, price_list);
  gtk_widget_class_bind_template_callback (widget_class, price_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, price_day_selected_cb);

  gtk_widget_class_install_action (widget_class, "prices.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "prices.add", NULL, add_price_action);
  gtk_widget_class_install_action (widget_class, "prices.remove", "s", remove_price_action);
}

static void
milk_price_subpage_init (MilkPriceSubpage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_list_box_set_placeholder (self->price_list,
                                milk_prefs_placeholder_new (_("No price yet: days are recorded without an amount")));
  milk_prefs_watch_errors (self->price_day_row);
  milk_prefs_watch_errors (self->price_value_row);
}

GtkWidget *
milk_price_subpage_new (MilkStore   *store,
                        MilkToaster *toaster)
{
  g_return_val_if_fail (MILK_IS_STORE (store), NULL);
  g_return_val_if_fail (toaster == NULL || MILK_IS_TOASTER (toaster), NULL);

  return g_object_new (MILK_TYPE_PRICE_SUBPAGE,
                       "store", store,
                       "toaster", toaster,
                       NULL);
}

/* The schedule of @product, with today and an empty price to add a
 * change from. */
void
milk_price_subpage_show_product (MilkPriceSubpage *self,
                                 const char       *product)
{
  char today[11];

  g_return_if_fail (MILK_IS_PRICE_SUBPAGE (self));

  g_free (self->price_product);
  self->price_product = g_strdup (product);
  milk_day_format_iso (milk_day_today (), today);
  gtk_editable_set_text (GTK_EDITABLE (self->price_day_row), today);
  gtk_editable_set_text (GTK_EDITABLE (self->price_value_row), "");
  refresh (self);
}
