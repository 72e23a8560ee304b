/* milk-preferences-window.c — the preferences window: its pages, their
 * toasts, and Undo of what a page removed
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <glib/gi18n.h>

#include "milk-application.h"
#include "milk-general-page.h"
#include "milk-payments-page.h"
#include "milk-preferences-window.h"
#include "milk-products-page.h"
#include "milk-toaster.h"

struct _MilkPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  MilkStore *store;
  MilkToaster *toaster;
  GtkWidget *general_page;
  GBinding *sync_description;  /* weak: the application's, shown on the General page */
  MilkRecord *undo;            /* what the last removal took away, for its toast's Undo */
  AdwToast *undo_toast;        /* the toast offering Undo, until dismissed */
};

G_DEFINE_FINAL_TYPE (MilkPreferencesWindow, milk_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
milk_preferences_window_show_message (MilkPreferencesWindow *self,
                                      const char            *message)
{
  g_return_if_fail (MILK_IS_PREFERENCES_WINDOW (self));

  milk_toaster_add (self->toaster, adw_toast_new (message));
}

static void
undo_toast_dismissed (MilkPreferencesWindow *self,
                      AdwToast              *toast)
{
  if (self->undo_toast == toast)
    self->undo_toast = NULL;
}

/* A removal is instant, and its toast offers to take it back, as the
 * calendar's edits do; so does Ctrl+Z, after the toast has gone too. */
static void
page_removed_cb (MilkPreferencesWindow *self,
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
    milk_preferences_window_show_message (self, error->message);
}

/* The binding goes when the application or the page does. */
static void
unbind_sync_description (MilkPreferencesWindow *self)
{
  GBinding *binding = self->sync_description;

  if (binding == NULL)
    return;
  g_clear_weak_pointer (&self->sync_description);
  g_binding_unbind (binding);
}

/* The application knows whether this device is signed in, and why Sign In
 * or Sign Out cannot act. */
static void
application_changed (MilkPreferencesWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  unbind_sync_description (self);
  if (MILK_IS_APPLICATION (app))
    g_set_weak_pointer (&self->sync_description,
                        g_object_bind_property (app, "sync-description",
                                                self->general_page, "sync-description",
                                                G_BINDING_SYNC_CREATE));
  else
    g_object_set (self->general_page, "sync-description", NULL, NULL);
}

static void
add_page (MilkPreferencesWindow *self,
          GtkWidget             *page)
{
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), ADW_PREFERENCES_PAGE (page));
  if (g_signal_lookup ("removed", G_OBJECT_TYPE (page)) != 0)
    g_signal_connect_object (page, "removed", G_CALLBACK (page_removed_cb), self, G_CONNECT_SWAPPED);
}

static void
milk_preferences_window_constructed (GObject *object)
{
  MilkPreferencesWindow *self = MILK_PREFERENCES_WINDOW (object);

  G_OBJECT_CLASS (milk_preferences_window_parent_class)->constructed (object);

  self->general_page = milk_general_page_new (self->store, self->toaster);
  add_page (self, self->general_page);
  add_page (self, milk_products_page_new (self->store, self->toaster));
  add_page (self, milk_payments_page_new (self->store, self->toaster));
  g_signal_connect (self, "notify::application", G_CALLBACK (application_changed), NULL);
  application_changed (self);
}

static void
milk_preferences_window_dispose (GObject *object)
{
  MilkPreferencesWindow *self = MILK_PREFERENCES_WINDOW (object);

  unbind_sync_description (self);
  g_clear_object (&self->store);
  g_clear_object (&self->toaster);
  self->general_page = NULL;

  gtk_widget_dispose_template (GTK_WIDGET (self), MILK_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (milk_preferences_window_parent_class)->dispose (object);
}

static void
milk_preferences_window_finalize (GObject *object)
{
  MilkPreferencesWindow *self = MILK_PREFERENCES_WINDOW (object);

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

  gtk_widget_class_install_action (widget_class, "prefs.undo", NULL, undo_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "prefs.undo", NULL);
}

static void
milk_preferences_window_init (MilkPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->toaster = milk_toaster_new (GTK_WIDGET (self));
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
