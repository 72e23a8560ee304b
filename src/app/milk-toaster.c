/* milk-toaster.c — a window's toasts, one at a time
 *
 * The newest message takes the place of the one on screen: the toast on
 * screen is given its words, button and action, and its time starts
 * again. Toasts are never hidden to make room for another: libadwaita 1.2
 * (Debian 12's) frees a toast hidden while it is still sliding in and
 * then reads it again (fixed in 1.3, libadwaita commit 1674ebc9), and a
 * toast replaced within its first moments, as a key held down does,
 * crashed the app. For the same reason Escape, on 1.2, waits until the
 * toast has settled before it closes it.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include "milk-toaster.h"

#define TOO_SOON_MS 1000  /* libadwaita 1.2 slides a toast in over 300 to 500 ms */

struct _MilkToaster
{
  GObject parent_instance;

  GtkWidget *host;          /* an AdwToastOverlay or AdwPreferencesWindow; not owned */
  AdwToast *shown;          /* the toast on screen, or NULL */
  gint64 shown_at_us;
  guint settle_id;          /* Escape waits for the toast to settle */
};

G_DEFINE_FINAL_TYPE (MilkToaster, milk_toaster, G_TYPE_OBJECT)

static gboolean
needs_patience (void)
{
  return adw_get_major_version () == 1 && adw_get_minor_version () < 3;
}

static gboolean
settling (MilkToaster *self)
{
  return self->shown != NULL && needs_patience () &&
         g_get_monotonic_time () - self->shown_at_us < TOO_SOON_MS * 1000;
}

static void
shown_dismissed (MilkToaster *self,
                 AdwToast    *toast)
{
  if (self->shown == toast)
    self->shown = NULL;
}

static gboolean
settled (gpointer data)
{
  MilkToaster *self = data;

  self->settle_id = 0;
  if (self->shown)
    adw_toast_dismiss (self->shown);
  return G_SOURCE_REMOVE;
}

/* Takes ownership of @toast, as adw_toast_overlay_add_toast does; only
 * its title, button, action and timeout count. */
void
milk_toaster_add (MilkToaster *self,
                  AdwToast    *toast)
{
  g_autoptr(AdwToast) given = toast;

  g_return_if_fail (MILK_IS_TOASTER (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  if (self->host == NULL)
    return;
  if (self->shown)
    {
      /* The same toast again: libadwaita starts its time again. */
      adw_toast_set_title (self->shown, adw_toast_get_title (given));
      adw_toast_set_button_label (self->shown, adw_toast_get_button_label (given));
      adw_toast_set_action_target_value (self->shown, adw_toast_get_action_target_value (given));
      adw_toast_set_action_name (self->shown, adw_toast_get_action_name (given));
      adw_toast_set_timeout (self->shown, adw_toast_get_timeout (given));
      toast = g_object_ref (self->shown);
    }
  else
    {
      toast = g_steal_pointer (&given);
      g_signal_connect_object (toast, "dismissed", G_CALLBACK (shown_dismissed), self, G_CONNECT_SWAPPED);
      self->shown = toast;
      self->shown_at_us = g_get_monotonic_time ();
    }
  g_clear_handle_id (&self->settle_id, g_source_remove);
  if (ADW_IS_PREFERENCES_WINDOW (self->host))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self->host), toast);
  else
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (self->host), toast);
}

/* Escape while the toast on screen is settling closes it once it has. */
static gboolean
key_pressed (GtkEventControllerKey *controller,
             guint                  keyval,
             guint                  keycode,
             GdkModifierType        state,
             MilkToaster           *self)
{
  gint64 left_ms;

  if (keyval != GDK_KEY_Escape || !settling (self))
    return GDK_EVENT_PROPAGATE;
  left_ms = TOO_SOON_MS - (g_get_monotonic_time () - self->shown_at_us) / 1000;
  if (self->settle_id == 0)
    self->settle_id = g_timeout_add (MAX (left_ms, 1) + 10, settled, self);
  return GDK_EVENT_STOP;
}

static void
milk_toaster_dispose (GObject *object)
{
  MilkToaster *self = MILK_TOASTER (object);

  g_clear_handle_id (&self->settle_id, g_source_remove);
  g_clear_weak_pointer (&self->host);
  self->shown = NULL;

  G_OBJECT_CLASS (milk_toaster_parent_class)->dispose (object);
}

static void
milk_toaster_class_init (MilkToasterClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = milk_toaster_dispose;
}

static void
milk_toaster_init (MilkToaster *self)
{
}

/* @host is an AdwToastOverlay, or an AdwPreferencesWindow (its own); the
 * toaster is the host's to keep, for as long as the host lives. */
MilkToaster *
milk_toaster_new (GtkWidget *host)
{
  MilkToaster *self;
  GtkEventController *keys;
  GtkWidget *root;

  g_return_val_if_fail (ADW_IS_TOAST_OVERLAY (host) || ADW_IS_PREFERENCES_WINDOW (host), NULL);

  self = g_object_new (MILK_TYPE_TOASTER, NULL);
  g_set_weak_pointer (&self->host, host);
  if (needs_patience ())
    {
      /* Before the overlay's own Escape: on the window, capturing. */
      root = ADW_IS_PREFERENCES_WINDOW (host) ? host : GTK_WIDGET (gtk_widget_get_root (host));
      keys = gtk_event_controller_key_new ();
      gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
      g_signal_connect_object (keys, "key-pressed", G_CALLBACK (key_pressed), self, 0);
      gtk_widget_add_controller (root ? root : host, keys);
    }
  return self;
}
