/* milk-toaster.c — a window's toasts, kept from crashing libadwaita 1.2
 *
 * libadwaita 1.2 (Debian 12's) frees a toast that is hidden while it is
 * still sliding in and reads it again (fixed in 1.3, libadwaita commit
 * 1674ebc9); and a toast put back in the queue by one of high priority is
 * shown again before it has finished hiding (adw-toast-overlay.c,
 * show_toast: assertion !info->widget). Ctrl+T held down aborted the app.
 * So, on 1.2, nothing hides a toast during its first TOO_SOON_MS:
 *
 * - a toast that says what the newest one says already is that one again
 *   (its time starts again), not one more in the queue;
 * - a toast of high priority that follows another within TOO_SOON_MS
 *   waits its turn instead of pushing that one away;
 * - Escape does nothing during those first moments.
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
  AdwToast *newest;         /* the last toast added, until it is dismissed */
  gint64 newest_at_us;
};

G_DEFINE_FINAL_TYPE (MilkToaster, milk_toaster, G_TYPE_OBJECT)

static gboolean
needs_care (void)
{
  return adw_get_major_version () == 1 && adw_get_minor_version () < 3;
}

static gboolean
too_soon (MilkToaster *self)
{
  return self->newest != NULL && g_get_monotonic_time () - self->newest_at_us < TOO_SOON_MS * 1000;
}

static void
newest_dismissed (MilkToaster *self,
                  AdwToast    *toast)
{
  if (self->newest == toast)
    self->newest = NULL;
}

static void
add_to_host (MilkToaster *self,
             AdwToast    *toast)
{
  if (ADW_IS_PREFERENCES_WINDOW (self->host))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self->host), toast);
  else
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (self->host), toast);
}

/* Takes ownership of @toast, as adw_toast_overlay_add_toast does, and
 * returns the toast that shows it: @toast, or the newest toast if that
 * says the same (transfer none; it lives until it is dismissed). */
AdwToast *
milk_toaster_add (MilkToaster *self,
                  AdwToast    *toast)
{
  g_autoptr(AdwToast) given = toast;

  g_return_val_if_fail (MILK_IS_TOASTER (self), NULL);
  g_return_val_if_fail (ADW_IS_TOAST (toast), NULL);

  if (self->host == NULL)
    return NULL;
  if (self->newest && g_strcmp0 (adw_toast_get_title (self->newest), adw_toast_get_title (given)) == 0 &&
      g_strcmp0 (adw_toast_get_action_name (self->newest), adw_toast_get_action_name (given)) == 0)
    {
      /* The same again: libadwaita starts its time again, or moves it up. */
      add_to_host (self, g_object_ref (self->newest));
      return self->newest;
    }
  if (needs_care () && too_soon (self))
    adw_toast_set_priority (given, ADW_TOAST_PRIORITY_NORMAL);
  toast = g_steal_pointer (&given);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (newest_dismissed), self, G_CONNECT_SWAPPED);
  self->newest = toast;
  self->newest_at_us = g_get_monotonic_time ();
  add_to_host (self, toast);
  return toast;
}

/* Dismisses @toast, unless that could crash libadwaita 1.2 (it may be
 * sliding in): then it stays, to go when its time is up. */
void
milk_toaster_dismiss (MilkToaster *self,
                      AdwToast    *toast)
{
  g_return_if_fail (MILK_IS_TOASTER (self));

  if (toast == NULL || (needs_care () && too_soon (self)))
    return;
  adw_toast_dismiss (toast);
}

static gboolean
key_pressed (GtkEventControllerKey *controller,
             guint                  keyval,
             guint                  keycode,
             GdkModifierType        state,
             MilkToaster           *self)
{
  return keyval == GDK_KEY_Escape && too_soon (self) ? GDK_EVENT_STOP : GDK_EVENT_PROPAGATE;
}

static void
milk_toaster_dispose (GObject *object)
{
  MilkToaster *self = MILK_TOASTER (object);

  g_clear_weak_pointer (&self->host);
  self->newest = NULL;

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
  if (needs_care ())
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
