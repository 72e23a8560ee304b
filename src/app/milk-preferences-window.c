/* milk-preferences-window.c — the preferences window: the General page (currency,
 * household, sync, reminder) and what its pages share; Products and Payments
 * are in milk-preferences-window-products.c and -payments.c
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <glib/gi18n.h>

#include "milk-application.h"
#include "milk-preferences-window-private.h"
#include "milk-reminder.h"

G_DEFINE_FINAL_TYPE (MilkPreferencesWindow, milk_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Inline errors: the row turns red and its title says what is wrong, in

 * place, until the text changes; what was typed stays. */
void
_milk_prefs_row_set_error (AdwEntryRow *row,
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

void
_milk_prefs_watch_errors (AdwEntryRow *row)
{
  g_signal_connect (row, "changed", G_CALLBACK (row_clear_error), NULL);
}

void
_milk_prefs_show_toast (MilkPreferencesWindow *self,
            const char            *message)
{
  milk_toaster_add (self->toaster, adw_toast_new (message));
}

void
milk_preferences_window_show_message (MilkPreferencesWindow *self,
                                      const char            *message)
{
  g_return_if_fail (MILK_IS_PREFERENCES_WINDOW (self));

  _milk_prefs_show_toast (self, message);
}

static void
undo_toast_dismissed (MilkPreferencesWindow *self,
                      AdwToast   *toast)
{
  if (self->undo_toast == toast)
    self->undo_toast = NULL;
}

/* A removal is instant, and its toast offers to take it back, as the
 * calendar's edits do; so does Ctrl+Z, after the toast has gone too. */
void
_milk_prefs_offer_undo (MilkPreferencesWindow *self,
                        const char            *message,
                        const MilkRecord      *removed)
{
  AdwToast *toast;

  g_clear_pointer (&self->undo, milk_record_free);
  self->undo = milk_record_copy (removed);
  toast = adw_toast_new (message);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "prefs.undo");
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  milk_toaster_dismiss (self->toaster, self->undo_toast);
  /* The toast that shows it may be one already on screen. */
  toast = milk_toaster_add (self->toaster, toast);
  if (toast)
    g_signal_connect_object (toast, "dismissed", G_CALLBACK (undo_toast_dismissed), self, G_CONNECT_SWAPPED);
  self->undo_toast = toast;
}

/* The record comes back as a new edit, stamped above its tombstone. */
static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MilkPreferencesWindow *self = MILK_PREFERENCES_WINDOW (widget);
  g_autoptr(MilkRecord) record = g_steal_pointer (&self->undo);
  g_autoptr(GError) error = NULL;

  if (record == NULL)
    return;
  g_clear_pointer (&record->hlc, g_free);
  record->deleted = FALSE;
  if (!milk_store_put (self->store, record, &error))
    _milk_prefs_show_toast (self, error->message);
}

char *
_milk_prefs_format_day (MilkDay day)
{
  g_autoptr(GDateTime) date = NULL;
  int year, month, mday;

  if (!milk_day_get_ymd (day, &year, &month, &mday))
    return g_strdup ("");
  date = g_date_time_new_local (year, month, mday, 0, 0, 0);
  /* TRANSLATORS: a day as g_date_time_format () writes it, e.g. "3 March 2026" */
  return g_date_time_format (date, _("%-d %B %Y"));
}

void
_milk_prefs_clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

GtkWidget *
_milk_prefs_new_placeholder (const char *text)
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

GtkWidget *
_milk_prefs_new_remove_button (const char *action,
                   const char *target,
                   const char *tooltip)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("user-trash-symbolic");

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  gtk_widget_add_css_class (button, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_string (target));
  return button;
}

void
_milk_prefs_set_day_from_calendar (AdwEntryRow *row,
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

/* The application knows whether this device is signed in, and why Sign In
 * or Sign Out cannot act; on its own the window only knows the server. */
static void
sync_description_changed (MilkPreferencesWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  g_autofree char *server = NULL;

  if (MILK_IS_APPLICATION (app))
    {
      adw_action_row_set_subtitle (self->sync_row, milk_application_get_sync_description (MILK_APPLICATION (app)));
      return;
    }
  server = g_settings_get_string (self->settings, "sync-server");
  adw_action_row_set_subtitle (self->sync_row, *server ? server : _("Not signed in: the diary is on this device only"));
}

static void
application_changed (MilkPreferencesWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (self->app != NULL)
    g_clear_signal_handler (&self->app_description_id, self->app);
  g_set_weak_pointer (&self->app, app);
  if (MILK_IS_APPLICATION (app))
    self->app_description_id = g_signal_connect_swapped (app, "notify::sync-description",
                                                         G_CALLBACK (sync_description_changed), self);
  sync_description_changed (self);
}

static void
reminder_time_apply_cb (MilkPreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->reminder_time_row));
  int minutes;

  if (!milk_reminder_parse_time (text, &minutes))
    {
      _milk_prefs_row_set_error (self->reminder_time_row, _("Enter a time such as 20:00"));
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
    _milk_prefs_row_set_error (self->household_row, error->message);
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
  gtk_list_box_set_placeholder (self->currency_list, _milk_prefs_new_placeholder (_("No currency matches the search")));
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
      _milk_prefs_show_toast (self, error->message);
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
  _milk_prefs_refresh_products (self);
  _milk_prefs_refresh_prices (self);
  _milk_prefs_refresh_payments (self);
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
store_changed_cb (MilkPreferencesWindow *self,
                  const MilkStoreChange *change)
{
  if (change->what == MILK_STORE_CHANGE_SYNC)
    return;
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
  if (self->app)
    g_clear_signal_handler (&self->app_description_id, self->app);
  g_clear_weak_pointer (&self->app);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_pointer (&self->payment_bills, g_array_unref);
  g_clear_object (&self->toaster);

  gtk_widget_dispose_template (GTK_WIDGET (self), MILK_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (milk_preferences_window_parent_class)->dispose (object);
}

static void
milk_preferences_window_finalize (GObject *object)
{
  MilkPreferencesWindow *self = MILK_PREFERENCES_WINDOW (object);

  g_clear_pointer (&self->price_product, g_free);
  g_clear_pointer (&self->expand_product, g_free);
  g_clear_pointer (&self->undo, milk_record_free);

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
  gtk_widget_class_bind_template_child (widget_class, MilkPreferencesWindow, payment_bill_row);
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

  gtk_widget_class_install_action (widget_class, "prefs.close-subpage", NULL, close_subpage_action);
  gtk_widget_class_install_action (widget_class, "prefs.undo", NULL, undo_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "prefs.undo", NULL);
  _milk_prefs_products_class_init (widget_class);
  _milk_prefs_payments_class_init (widget_class);
}

static void
milk_preferences_window_init (MilkPreferencesWindow *self)
{
  char today[11];

  gtk_widget_init_template (GTK_WIDGET (self));
  self->toaster = milk_toaster_new (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  g_settings_bind (self->settings, "reminder-enabled", self->reminder_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "reminder-time", self->reminder_time_row, "text", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "reminder-enabled", self->reminder_time_row, "sensitive", G_SETTINGS_BIND_GET);
  _milk_prefs_watch_errors (self->reminder_time_row);
  g_signal_connect_object (self->settings, "changed::sync-server", G_CALLBACK (sync_description_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect (self, "notify::application", G_CALLBACK (application_changed), NULL);
  sync_description_changed (self);

  build_currency_list (self);
  gtk_list_box_set_placeholder (self->payments_list, _milk_prefs_new_placeholder (_("No payments yet")));
  gtk_list_box_set_placeholder (self->price_list, _milk_prefs_new_placeholder (_("No price yet: days are recorded without an amount")));

  milk_day_format_iso (milk_day_today (), today);
  gtk_editable_set_text (GTK_EDITABLE (self->payment_day_row), today);
  self->payment_bills = g_array_new (FALSE, FALSE, sizeof (MilkDay));
  g_signal_connect_object (self->payment_day_row, "changed", G_CALLBACK (_milk_prefs_refresh_payment_bills), self,
                           G_CONNECT_SWAPPED);

  _milk_prefs_watch_errors (self->household_row);
  _milk_prefs_watch_errors (self->new_product_row);
  _milk_prefs_watch_errors (self->payment_day_row);
  _milk_prefs_watch_errors (self->payment_amount_row);
  _milk_prefs_watch_errors (self->payment_note_row);
  _milk_prefs_watch_errors (self->price_day_row);
  _milk_prefs_watch_errors (self->price_value_row);
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
