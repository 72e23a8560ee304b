/* milk-general-page.c — the General page of the preferences: currency,
 * household, sync and the daily reminder
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <glib/gi18n.h>

#include "milk-currency-subpage.h"
#include "milk-general-page.h"
#include "milk-store-follower.h"
#include "milk-preferences-rows.h"
#include "milk-reminder.h"

struct _MilkGeneralPage
{
  AdwPreferencesPage parent_instance;

  AdwActionRow *currency_row;
  AdwEntryRow *household_row;
  AdwActionRow *sync_row;
  GtkSwitch *reminder_switch;
  AdwEntryRow *reminder_time_row;

  MilkCurrencySubpage *currency_subpage;  /* presented, the window's child */

  GSettings *settings;
  MilkStore *store;
  MilkToaster *toaster;
  char *sync_description;
  MilkStoreFollower *follower;
};

G_DEFINE_FINAL_TYPE (MilkGeneralPage, milk_general_page, ADW_TYPE_PREFERENCES_PAGE)

enum {
  PROP_0,
  PROP_STORE,
  PROP_TOASTER,
  PROP_SYNC_DESCRIPTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
currency_title (const MilkCurrency *currency)
{
  /* TRANSLATORS: a currency: "Indian Rupee (INR)" */
  return g_strdup_printf (_("%s (%s)"), milk_currency_get_name (currency), milk_currency_get_code (currency));
}

static void
refresh (MilkGeneralPage *self)
{
  const MilkCurrency *currency;
  g_autofree char *title = NULL;
  g_autofree char *household = NULL;

  if (self->store == NULL)
    return;
  currency = milk_store_get_currency (self->store);
  title = currency_title (currency);
  household = milk_store_dup_setting (self->store, "household-name");
  adw_action_row_set_subtitle (self->currency_row, title);

  /* Someone typing in the row keeps what they typed. */
  if (!(gtk_widget_get_state_flags (GTK_WIDGET (self->household_row)) & GTK_STATE_FLAG_FOCUS_WITHIN))
    gtk_editable_set_text (GTK_EDITABLE (self->household_row), household ? household : "");
}

/* The application knows whether this device is signed in, and why Sign In
 * or Sign Out cannot act, and says so in sync-description; without it the
 * page only knows the server. */
static void
sync_description_changed (MilkGeneralPage *self)
{
  g_autofree char *server = NULL;

  if (self->sync_description != NULL)
    {
      adw_action_row_set_subtitle (self->sync_row, self->sync_description);
      return;
    }
  server = g_settings_get_string (self->settings, "sync-server");
  adw_action_row_set_subtitle (self->sync_row, *server ? server : _("Not signed in: the diary is on this device only"));
}

static void
reminder_time_apply_cb (MilkGeneralPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->reminder_time_row));
  g_autofree char *normal = NULL;
  int minutes;

  if (!milk_reminder_parse_time (text, &minutes))
    {
      milk_prefs_row_set_error (self->reminder_time_row, _("Enter a time such as 20:00"));
      return;
    }
  normal = g_strdup_printf ("%02d:%02d", minutes / 60, minutes % 60);
  g_settings_set_string (self->settings, "reminder-time", normal);
}

static void
household_apply_cb (MilkGeneralPage *self)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->household_row))));
  g_autoptr(GError) error = NULL;

  if (!milk_store_set_setting (self->store, "household-name", name, &error))
    milk_prefs_row_set_error (self->household_row, error->message);
}

static void
currency_row_activated_cb (MilkGeneralPage *self)
{
  milk_currency_subpage_reset (self->currency_subpage);
  milk_prefs_present_subpage (GTK_WIDGET (self), GTK_WIDGET (self->currency_subpage));
  gtk_widget_grab_focus (GTK_WIDGET (self->currency_subpage));
}

/* The page */

static void
milk_general_page_constructed (GObject *object)
{
  MilkGeneralPage *self = MILK_GENERAL_PAGE (object);

  G_OBJECT_CLASS (milk_general_page_parent_class)->constructed (object);

  /* Nothing on a page shows the sync journal. */
  self->follower = milk_store_follower_new (self->store, MILK_STORE_CHANGE_ALL & ~MILK_STORE_CHANGE_SYNC,
                                            (MilkStoreRefreshFunc) refresh, self);
  self->currency_subpage = MILK_CURRENCY_SUBPAGE (g_object_ref_sink (milk_currency_subpage_new (self->store,
                                                                                              self->toaster)));
  refresh (self);
}

static void
milk_general_page_dispose (GObject *object)
{
  MilkGeneralPage *self = MILK_GENERAL_PAGE (object);

  g_clear_object (&self->follower);
  g_clear_object (&self->store);
  g_clear_object (&self->toaster);
  g_clear_object (&self->settings);
  g_clear_object (&self->currency_subpage);

  gtk_widget_dispose_template (GTK_WIDGET (self), MILK_TYPE_GENERAL_PAGE);

  G_OBJECT_CLASS (milk_general_page_parent_class)->dispose (object);
}

static void
milk_general_page_finalize (GObject *object)
{
  MilkGeneralPage *self = MILK_GENERAL_PAGE (object);

  g_clear_pointer (&self->sync_description, g_free);

  G_OBJECT_CLASS (milk_general_page_parent_class)->finalize (object);
}

static void
milk_general_page_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  MilkGeneralPage *self = MILK_GENERAL_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_TOASTER:
      g_value_set_object (value, self->toaster);
      break;
    case PROP_SYNC_DESCRIPTION:
      g_value_set_string (value, self->sync_description);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
milk_general_page_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  MilkGeneralPage *self = MILK_GENERAL_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_TOASTER:
      self->toaster = g_value_dup_object (value);
      break;
    case PROP_SYNC_DESCRIPTION:
      if (g_strcmp0 (self->sync_description, g_value_get_string (value)) != 0)
        {
          g_free (self->sync_description);
          self->sync_description = g_value_dup_string (value);
          sync_description_changed (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
milk_general_page_class_init (MilkGeneralPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = milk_general_page_constructed;
  object_class->dispose = milk_general_page_dispose;
  object_class->finalize = milk_general_page_finalize;
  object_class->get_property = milk_general_page_get_property;
  object_class->set_property = milk_general_page_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         MILK_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOASTER] =
    g_param_spec_object ("toaster", NULL, NULL,
                         MILK_TYPE_TOASTER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* What the Sync row says; NULL: the server, or that there is none. */
  properties[PROP_SYNC_DESCRIPTION] =
    g_param_spec_string ("sync-description", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/milkdiary/MilkDiary/ui/milk-general-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MilkGeneralPage, currency_row);
  gtk_widget_class_bind_template_child (widget_class, MilkGeneralPage, household_row);
  gtk_widget_class_bind_template_child (widget_class, MilkGeneralPage, sync_row);
  gtk_widget_class_bind_template_child (widget_class, MilkGeneralPage, reminder_switch);
  gtk_widget_class_bind_template_child (widget_class, MilkGeneralPage, reminder_time_row);
  gtk_widget_class_bind_template_callback (widget_class, reminder_time_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, household_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, currency_row_activated_cb);
}

static void
milk_general_page_init (MilkGeneralPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  g_settings_bind (self->settings, "reminder-enabled", self->reminder_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "reminder-time", self->reminder_time_row, "text", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "reminder-enabled", self->reminder_time_row, "sensitive", G_SETTINGS_BIND_GET);
  g_signal_connect_object (self->settings, "changed::sync-server", G_CALLBACK (sync_description_changed), self,
                           G_CONNECT_SWAPPED);
  sync_description_changed (self);

  milk_prefs_watch_errors (self->household_row);
  milk_prefs_watch_errors (self->reminder_time_row);
}

GtkWidget *
milk_general_page_new (MilkStore   *store,
                       MilkToaster *toaster)
{
  g_return_val_if_fail (MILK_IS_STORE (store), NULL);
  g_return_val_if_fail (toaster == NULL || MILK_IS_TOASTER (toaster), NULL);

  return g_object_new (MILK_TYPE_GENERAL_PAGE,
                       "store", store,
                       "toaster", toaster,
                       NULL);
}
