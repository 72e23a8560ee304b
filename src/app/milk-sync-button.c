/* milk-sync-button.c — the quiet sync status in the header bar
 *
 * An icon and a popover: synced (and when), syncing, offline, N changes
 * waiting, sign in again, or the server's error; "Sync Now", sign in and
 * out; the changes the server refused, each with its reason; and, when
 * this device's clock is far off the service's, a line that says so.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <glib/gi18n.h>

#include "milk-quantity.h"
#include "milk-sync-button.h"

struct _MilkSyncButton
{
  GtkWidget parent_instance;

  GtkMenuButton *button;
  GtkLabel *status_label;
  GtkLabel *detail_label;
  GtkLabel *clock_label;
  GtkButton *sync_now_button;
  GtkButton *sign_in_button;
  GtkButton *sign_out_button;
  GtkListBox *rejected_list;
  GtkWidget *rejected_box;

  MilkStore *store;
  MilkSyncService *service;
  GSignalGroup *store_signals;
  GSignalGroup *service_signals;
  char *summary;
};

G_DEFINE_FINAL_TYPE (MilkSyncButton, milk_sync_button, GTK_TYPE_WIDGET)

static char *
describe_last_synced (gint64 when)
{
  g_autoptr(GDateTime) time = NULL;

  if (when == 0)
    return g_strdup (_("Not synced yet on this device"));
  time = g_date_time_new_from_unix_local (when);
  /* TRANSLATORS: %s is a time such as "14:05" */
  {
    g_autofree char *clock = g_date_time_format (time, "%X");
    return g_strdup_printf (_("Last synced at %s"), clock);
  }
}

#define CLOCK_OFF_MS (5 * 60 * 1000)

/* The offset is the service's clock minus this device's. Milk Diary stamps
 * with the corrected time, so nothing is wrong in the diary; the line is
 * there because other programs on the computer still use the wrong time. */
static char *
describe_clock (gint64 offset_ms)
{
  gint64 off = ABS (offset_ms);
  gint64 minute = 60 * 1000, hour = 60 * minute, day = 24 * hour;
  gboolean behind = offset_ms > 0;
  gulong n;

  if (off <= CLOCK_OFF_MS)
    return NULL;
  if (off >= day - hour / 2)
    {
      n = (gulong) ((off + day / 2) / day);
      return g_strdup_printf (behind
                              ? ngettext ("This computer’s clock is %lu day behind; Milk Diary corrects for it, but other apps may not",
                                          "This computer’s clock is %lu days behind; Milk Diary corrects for it, but other apps may not", n)
                              : ngettext ("This computer’s clock is %lu day ahead; Milk Diary corrects for it, but other apps may not",
                                          "This computer’s clock is %lu days ahead; Milk Diary corrects for it, but other apps may not", n),
                              n);
    }
  if (off >= hour - minute / 2)
    {
      n = (gulong) ((off + hour / 2) / hour);
      return g_strdup_printf (behind
                              ? ngettext ("This computer’s clock is %lu hour behind; Milk Diary corrects for it, but other apps may not",
                                          "This computer’s clock is %lu hours behind; Milk Diary corrects for it, but other apps may not", n)
                              : ngettext ("This computer’s clock is %lu hour ahead; Milk Diary corrects for it, but other apps may not",
                                          "This computer’s clock is %lu hours ahead; Milk Diary corrects for it, but other apps may not", n),
                              n);
    }
  n = (gulong) ((off + minute / 2) / minute);
  return g_strdup_printf (behind
                          ? ngettext ("This computer’s clock is %lu minute behind; Milk Diary corrects for it, but other apps may not",
                                      "This computer’s clock is %lu minutes behind; Milk Diary corrects for it, but other apps may not", n)
                          : ngettext ("This computer’s clock is %lu minute ahead; Milk Diary corrects for it, but other apps may not",
                                      "This computer’s clock is %lu minutes ahead; Milk Diary corrects for it, but other apps may not", n),
                          n);
}

/* A day's quantity as the person reads it, or NULL when it has none. */
static char *
entry_value (const MilkRecord *entry)
{
  return entry->deleted ? NULL : milk_quantity_format (entry->qty_ml);
}

/* What the server said, or, for an edit that lost to a newer one from
 * another device, what replaced what. */
static char *
describe_rejection (const MilkStoreRejection *r)
{
  g_autofree char *mine = NULL;
  g_autofree char *theirs = NULL;

  if (r->lost == NULL)
    return g_strdup (r->message);
  if (r->record->type != MILK_RECORD_ENTRY)
    return g_strdup (_("Your change was replaced by a newer one from another device"));
  mine = entry_value (r->lost);
  theirs = entry_value (r->record);
  if (mine && theirs)
    /* TRANSLATORS: "Your 3 L was replaced by 1 L from another device" */
    return g_strdup_printf (_("Your %s was replaced by %s from another device"), mine, theirs);
  if (mine)
    /* TRANSLATORS: %s is a quantity such as "3 L" */
    return g_strdup_printf (_("Your %s was removed on another device"), mine);
  if (theirs)
    /* TRANSLATORS: %s is a quantity such as "1 L" */
    return g_strdup_printf (_("You removed this day; another device recorded %s since"), theirs);
  return g_strdup (_("Your change was replaced by a newer one from another device"));
}

static void
fill_rejected (MilkSyncButton *self)
{
  g_autoptr(GPtrArray) rejected = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->rejected_list))))
    gtk_list_box_remove (self->rejected_list, child);

  rejected = self->store ? milk_store_list_rejected (self->store, NULL) : NULL;
  gtk_widget_set_visible (self->rejected_box, rejected && rejected->len > 0);
  for (guint i = 0; rejected && i < rejected->len; i++)
    {
      MilkStoreRejection *r = g_ptr_array_index (rejected, i);
      g_autofree char *key = milk_record_dup_key (r->record);
      g_autofree char *title = NULL;
      GtkWidget *row = adw_action_row_new ();

      g_autofree char *subtitle = describe_rejection (r);

      if (r->record->type == MILK_RECORD_ENTRY)
        title = milk_day_to_string (r->record->day);
      else
        title = g_strdup_printf ("%s %s", milk_record_type_to_string (r->record->type), key);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_append (self->rejected_list, row);
    }
}

static gboolean
button_query_tooltip (MilkSyncButton *self,
                      int             x,
                      int             y,
                      gboolean        keyboard,
                      GtkTooltip     *tooltip)
{
  gtk_tooltip_set_text (tooltip, self->summary);
  return self->summary != NULL;
}

static void
update (MilkSyncButton *self)
{
  MilkSyncStatus status = self->service ? milk_sync_service_get_status (self->service) : MILK_SYNC_SIGNED_OUT;
  const char *message = self->service ? milk_sync_service_get_message (self->service) : NULL;
  /* Not shown while signed out: counting them scans a diary never synced. */
  guint pending = self->store && status != MILK_SYNC_SIGNED_OUT ? milk_store_count_pending (self->store) : 0;
  g_autofree char *detail = NULL;
  g_autofree char *clock = NULL;
  const char *icon, *text;

  switch (status)
    {
    case MILK_SYNC_SYNCING:
      icon = "emblem-synchronizing-symbolic";
      text = _("Syncing…");
      break;
    case MILK_SYNC_OFFLINE:
      icon = "network-offline-symbolic";
      text = _("Offline");
      break;
    case MILK_SYNC_SIGN_IN_AGAIN:
      icon = "dialog-password-symbolic";
      text = _("Sign in again to sync");
      break;
    case MILK_SYNC_ERROR:
      icon = "dialog-warning-symbolic";
      text = _("Sync problem");
      break;
    case MILK_SYNC_IDLE:
      icon = pending ? "emblem-synchronizing-symbolic" : "emblem-ok-symbolic";
      text = _("Synced");
      break;
    case MILK_SYNC_SIGNED_OUT:
    default:
      icon = "computer-symbolic";
      text = _("On this device only");
      break;
    }

  if (status == MILK_SYNC_SIGNED_OUT)
    detail = g_strdup (_("Sign in to keep your devices in step"));
  else if (pending > 0)
    detail = g_strdup_printf (ngettext ("%u change waiting to be sent", "%u changes waiting to be sent", pending), pending);
  else if (message != NULL)
    detail = g_strdup (message);
  else
    detail = describe_last_synced (milk_sync_service_get_last_synced (self->service));

  if (message != NULL && pending > 0 && status != MILK_SYNC_IDLE && status != MILK_SYNC_SYNCING)
    {
      g_autofree char *both = g_strdup_printf ("%s\n%s", message, detail);
      g_free (detail);
      detail = g_steal_pointer (&both);
    }

  gtk_menu_button_set_icon_name (self->button, icon);
  gtk_label_set_label (self->status_label, text);
  gtk_label_set_label (self->detail_label, detail);
  g_free (self->summary);
  self->summary = g_strdup_printf ("%s: %s", text, detail);
  /* Said to screen readers as the tooltip would be. The tooltip itself is
   * asked for when shown: setting its text asks the X server three times
   * where the pointer is, at start-up and at every edit. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->summary, -1);

  /* Known only from a sync; after sign-out it may be stale. */
  clock = self->store && status != MILK_SYNC_SIGNED_OUT
          ? describe_clock (milk_store_get_clock_offset (self->store)) : NULL;
  gtk_label_set_label (self->clock_label, clock ? clock : "");
  gtk_widget_set_visible (GTK_WIDGET (self->clock_label), clock != NULL);

  gtk_widget_set_visible (GTK_WIDGET (self->sync_now_button), status != MILK_SYNC_SIGNED_OUT && status != MILK_SYNC_SIGN_IN_AGAIN);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sync_now_button), status != MILK_SYNC_SYNCING);
  gtk_widget_set_visible (GTK_WIDGET (self->sign_in_button), status == MILK_SYNC_SIGNED_OUT || status == MILK_SYNC_SIGN_IN_AGAIN);
  gtk_widget_set_visible (GTK_WIDGET (self->sign_out_button), status != MILK_SYNC_SIGNED_OUT);
  fill_rejected (self);
}

const char *
milk_sync_button_get_summary (MilkSyncButton *self)
{
  return self->summary;
}

/* What the button says of the diary is the sync journal: changes to
 * send, and those refused. */
static void
store_changed (MilkSyncButton        *self,
               const MilkStoreChange *change)
{
  if (change->what & MILK_STORE_CHANGE_SYNC)
    update (self);
}

void
milk_sync_button_set_service (MilkSyncButton  *self,
                              MilkStore       *store,
                              MilkSyncService *service)
{
  g_return_if_fail (MILK_IS_SYNC_BUTTON (self));

  g_set_object (&self->store, store);
  g_set_object (&self->service, service);
  g_signal_group_set_target (self->store_signals, store);
  g_signal_group_set_target (self->service_signals, service);
  update (self);
}

/* Sign In… and Sign Out… hand over to a dialog (and the browser): the
 * popover closes. Left open, it was hidden behind the dialog while the
 * sync button stayed pressed, and the next click only closed it. (Sync
 * Now keeps it open, to show the sync under way.) */
static void
popover_button_clicked (MilkSyncButton *self)
{
  gtk_menu_button_popdown (self->button);
}

static void
milk_sync_button_dispose (GObject *object)
{
  MilkSyncButton *self = MILK_SYNC_BUTTON (object);

  if (self->store_signals)
    g_signal_group_set_target (self->store_signals, NULL);
  if (self->service_signals)
    g_signal_group_set_target (self->service_signals, NULL);
  g_clear_object (&self->store_signals);
  g_clear_object (&self->service_signals);
  g_clear_object (&self->service);
  g_clear_object (&self->store);
  g_clear_pointer (&self->summary, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), MILK_TYPE_SYNC_BUTTON);

  G_OBJECT_CLASS (milk_sync_button_parent_class)->dispose (object);
}

static void
milk_sync_button_class_init (MilkSyncButtonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = milk_sync_button_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/milkdiary/MilkDiary/ui/milk-sync-button.ui");
  gtk_widget_class_bind_template_child (widget_class, MilkSyncButton, button);
  gtk_widget_class_bind_template_child (widget_class, MilkSyncButton, status_label);
  gtk_widget_class_bind_template_child (widget_class, MilkSyncButton, detail_label);
  gtk_widget_class_bind_template_child (widget_class, MilkSyncButton, clock_label);
  gtk_widget_class_bind_template_child (widget_class, MilkSyncButton, sync_now_button);
  gtk_widget_class_bind_template_child (widget_class, MilkSyncButton, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, MilkSyncButton, sign_out_button);
  gtk_widget_class_bind_template_child (widget_class, MilkSyncButton, rejected_list);
  gtk_widget_class_bind_template_child (widget_class, MilkSyncButton, rejected_box);
  gtk_widget_class_bind_template_callback (widget_class, popover_button_clicked);
  gtk_widget_class_bind_template_callback (widget_class, button_query_tooltip);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
milk_sync_button_init (MilkSyncButton *self)
{
  self->store_signals = g_signal_group_new (MILK_TYPE_STORE);
  g_signal_group_connect_swapped (self->store_signals, "changed", G_CALLBACK (store_changed), self);
  self->service_signals = g_signal_group_new (MILK_TYPE_SYNC_SERVICE);
  g_signal_group_connect_swapped (self->service_signals, "notify::status", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->service_signals, "notify::message", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->service_signals, "notify::last-synced", G_CALLBACK (update), self);
  gtk_widget_init_template (GTK_WIDGET (self));
  update (self);
}
