/* milk-currency-subpage.c — the currency of the diary, chosen from every
 * ISO 4217 currency by code, name or symbol: a subpage of the preferences
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <glib/gi18n.h>

#include "milk-currency-subpage.h"
#include "milk-store-follower.h"
#include "milk-preferences-rows.h"

struct _MilkCurrencySubpage
{
  GtkBox parent_instance;

  GtkSearchEntry *currency_search;
  GtkListBox *currency_list;

  MilkStore *store;
  MilkToaster *toaster;
  MilkStoreFollower *follower;
};

G_DEFINE_FINAL_TYPE (MilkCurrencySubpage, milk_currency_subpage, GTK_TYPE_BOX)

enum {
  PROP_0,
  PROP_STORE,
  PROP_TOASTER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
show_toast (MilkCurrencySubpage *self,
            const char          *message)
{
  if (self->toaster)
    milk_toaster_add (self->toaster, adw_toast_new (message));
}

/* The current currency's row has a check mark. */
static void
refresh (MilkCurrencySubpage *self)
{
  const char *code;

  if (self->store == NULL)
    return;
  code = milk_currency_get_code (milk_store_get_currency (self->store));
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->currency_list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *check = g_object_get_data (G_OBJECT (row), "check");

      if (check)
        gtk_widget_set_visible (check, g_strcmp0 (g_object_get_data (G_OBJECT (row), "code"), code) == 0);
    }
}

static gboolean
currency_filter (GtkListBoxRow *row,
                 gpointer       user_data)
{
  MilkCurrencySubpage *self = user_data;
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
build_currency_list (MilkCurrencySubpage *self)
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
  gtk_list_box_set_placeholder (self->currency_list, milk_prefs_placeholder_new (_("No currency matches the search")));
}

static void
currency_search_changed_cb (MilkCurrencySubpage *self)
{
  gtk_list_box_invalidate_filter (self->currency_list);
}

static void
currency_chosen_cb (MilkCurrencySubpage *self,
                    GtkListBoxRow       *row)
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
  milk_prefs_close_subpage (GTK_WIDGET (self));
}

/* Enter in the search takes the first match. */
static void
currency_search_activate_cb (MilkCurrencySubpage *self)
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

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  milk_prefs_close_subpage (widget);
}

/* Presented, the search takes the keys. */
static gboolean
milk_currency_subpage_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (MILK_CURRENCY_SUBPAGE (widget)->currency_search));
}

static void
milk_currency_subpage_constructed (GObject *object)
{
  MilkCurrencySubpage *self = MILK_CURRENCY_SUBPAGE (object);

  G_OBJECT_CLASS (milk_currency_subpage_parent_class)->constructed (object);

  /* Nothing on a page shows the sync journal. */
  self->follower = milk_store_follower_new (self->store, MILK_STORE_CHANGE_ALL & ~MILK_STORE_CHANGE_SYNC,
                                            (MilkStoreRefreshFunc) refresh, self);
  refresh (self);
}

static void
milk_currency_subpage_dispose (GObject *object)
{
  MilkCurrencySubpage *self = MILK_CURRENCY_SUBPAGE (object);

  g_clear_object (&self->follower);
  g_clear_object (&self->store);
  g_clear_object (&self->toaster);

  gtk_widget_dispose_template (GTK_WIDGET (self), MILK_TYPE_CURRENCY_SUBPAGE);

  G_OBJECT_CLASS (milk_currency_subpage_parent_class)->dispose (object);
}

static void
milk_currency_subpage_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  MilkCurrencySubpage *self = MILK_CURRENCY_SUBPAGE (object);

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
milk_currency_subpage_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  MilkCurrencySubpage *self = MILK_CURRENCY_SUBPAGE (object);

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
milk_currency_subpage_class_init (MilkCurrencySubpageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = milk_currency_subpage_constructed;
  object_class->dispose = milk_currency_subpage_dispose;
  object_class->get_property = milk_currency_subpage_get_property;
  object_class->set_property = milk_currency_subpage_set_property;
  widget_class->grab_focus = milk_currency_subpage_grab_focus;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         MILK_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOASTER] =
    g_param_spec_object ("toaster", NULL, NULL,
                         MILK_TYPE_TOASTER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/milkdiary/MilkDiary/ui/milk-currency-subpage.ui");
  gtk_widget_class_bind_template_child (widget_class, MilkCurrencySubpage, currency_search);
  gtk_widget_class_bind_template_child (widget_class, MilkCurrencySubpage, currency_list);
  gtk_widget_class_bind_template_callback (widget_class, currency_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, currency_search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, currency_chosen_cb);

  gtk_widget_class_install_action (widget_class, "currency.back", NULL, back_action);
}

static void
milk_currency_subpage_init (MilkCurrencySubpage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  build_currency_list (self);
}

GtkWidget *
milk_currency_subpage_new (MilkStore   *store,
                           MilkToaster *toaster)
{
  g_return_val_if_fail (MILK_IS_STORE (store), NULL);
  g_return_val_if_fail (toaster == NULL || MILK_IS_TOASTER (toaster), NULL);

  return g_object_new (MILK_TYPE_CURRENCY_SUBPAGE,
                       "store", store,
                       "toaster", toaster,
                       NULL);
}

/* Every currency again, the search empty, before it is presented. */
void
milk_currency_subpage_reset (MilkCurrencySubpage *self)
{
  g_return_if_fail (MILK_IS_CURRENCY_SUBPAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->currency_search), "");
  gtk_list_box_invalidate_filter (self->currency_list);
}
