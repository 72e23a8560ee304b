/* milk-window.c — the main window: calendar and totals, one-click today
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <glib/gi18n.h>

#include "milk-application.h"
#include "milk-calendar-view.h"
#include "milk-day-editor.h"
#include "milk-file-progress.h"
#include "milk-sync-button.h"
#include "milk-toaster.h"
#include "milk-totals-view.h"
#include "milk-welcome-page.h"
#include "milk-window-private.h"

struct _MilkWindow
{
  AdwApplicationWindow parent_instance;

  AdwToastOverlay *toasts;
  AdwViewStack *view_stack;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewSwitcherBar *switcher_bar;
  MilkCalendarView *calendar_view;
  AdwBin *totals_bin;
  MilkTotalsView *totals_view;   /* NULL until Totals is first shown */
  GtkStack *main_stack;
  MilkSyncButton *sync_button;
  MilkFileProgress *file_progress;
  GtkMenuButton *menu_button;
  GMenuModel *primary_menu;

  GSettings *settings;
  MilkStore *store;
  GPtrArray *undo;   /* records as they were before the last change */
  MilkToaster *toaster;
  AdwToast *undo_toast;   /* the toast offering Undo, until dismissed */
};

G_DEFINE_FINAL_TYPE (MilkWindow, milk_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
add_toast (MilkWindow *self,
           AdwToast   *toast)
{
  milk_toaster_add (self->toaster, toast);
}

static void
show_error (MilkWindow   *self,
            const GError *error)
{
  AdwToast *toast = adw_toast_new (error->message);

  adw_toast_set_timeout (toast, 0);
  add_toast (self, toast);
}

void
milk_window_show_message (MilkWindow *self,
                          const char *message)
{
  g_return_if_fail (MILK_IS_WINDOW (self));

  add_toast (self, adw_toast_new (message));
}

void
milk_window_set_sync (MilkWindow      *self,
                      MilkSyncService *sync)
{
  g_return_if_fail (MILK_IS_WINDOW (self));

  milk_sync_button_set_service (self->sync_button, self->store, sync);
}

static void
undo_toast_dismissed (MilkWindow *self,
                      AdwToast   *toast)
{
  if (self->undo_toast == toast)
    self->undo_toast = NULL;
}

/* Offers to put back @before (the records as they were), with one toast. */
void
milk_window_offer_undo (MilkWindow *self,
                        const char *message,
                        GPtrArray  *before)
{
  AdwToast *toast;

  g_return_if_fail (MILK_IS_WINDOW (self));

  g_clear_pointer (&self->undo, g_ptr_array_unref);
  self->undo = g_ptr_array_ref (before);
  toast = adw_toast_new (message);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "win.undo");
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  milk_toaster_dismiss (self->toaster, self->undo_toast);
  /* The toast that shows it may be one already on screen. */
  toast = milk_toaster_add (self->toaster, toast);
  if (toast)
    g_signal_connect_object (toast, "dismissed", G_CALLBACK (undo_toast_dismissed), self, G_CONNECT_SWAPPED);
  self->undo_toast = toast;
}

static void
undo (GtkWidget  *widget,
      const char *action_name,
      GVariant   *parameter)
{
  MilkWindow *self = MILK_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) before = g_steal_pointer (&self->undo);

  if (before == NULL)
    return;
  if (!milk_store_put_many (self->store, before, &error))
    show_error (self, error);
}

static MilkRecord *
unrecorded (const char *product,
            MilkDay     day)
{
  MilkRecord *record = milk_record_new (MILK_RECORD_ENTRY);

  record->id = g_strdup (product);
  record->day = day;
  record->deleted = TRUE;
  return record;
}

/* "Recorded 1.5 L for today" with one product; with several, each by
 * name: "Recorded 1.5 L of Milk and 0.5 L of Buffalo Milk". */
static char *
recorded_message (GPtrArray *changes,
                  GPtrArray *names,
                  gboolean   one_product)
{
  g_autoptr(GString) items = g_string_new (NULL);

  if (one_product)
    {
      g_autofree char *qty = milk_quantity_format (((MilkRecord *) g_ptr_array_index (changes, 0))->qty_ml);

      /* TRANSLATORS: %s is a quantity such as "1.5 L" */
      return g_strdup_printf (_("Recorded %s for today"), qty);
    }
  for (guint i = 0; i < changes->len; i++)
    {
      g_autofree char *qty = milk_quantity_format (((MilkRecord *) g_ptr_array_index (changes, i))->qty_ml);
      /* TRANSLATORS: one product in "Recorded 1.5 L of Milk and 0.5 L of Buffalo Milk" */
      g_autofree char *item = g_strdup_printf (_("%s of %s"), qty, (const char *) g_ptr_array_index (names, i));

      if (i == 0)
        g_string_append (items, item);
      else if (i + 1 < changes->len)
        /* TRANSLATORS: between the items of a list but the last two */
        g_string_append_printf (items, _(", %s"), item);
      else
        {
          /* TRANSLATORS: the list's last two items: "1.5 L of Milk and 0.5 L of Buffalo Milk" */
          g_autofree char *joined = g_strdup_printf (_("%s and %s"), items->str, item);
          g_string_assign (items, joined);
        }
    }
  /* TRANSLATORS: %s lists quantities and products: "1.5 L of Milk and 0.5 L of Buffalo Milk" */
  return g_strdup_printf (_("Recorded %s"), items->str);
}

/* Today is recorded for every product already: say so, and offer the
 * day editor rather than overwrite what the person entered. */
static void
say_already_recorded (MilkWindow *self,
                      gint64      total_ml)
{
  g_autofree char *qty = milk_quantity_format (total_ml);
  /* TRANSLATORS: %s is a quantity such as "1.5 L" */
  g_autofree char *message = total_ml > 0 ? g_strdup_printf (_("Today is already recorded: %s"), qty)
                                          : g_strdup (_("Today is already recorded as no delivery"));
  AdwToast *toast = adw_toast_new (message);

  adw_toast_set_button_label (toast, _("_Change…"));
  adw_toast_set_action_name (toast, "win.edit-today");
  /* An answer to the key just pressed: now, not after the last toast. */
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  add_toast (self, toast);
}

/* Stores each product's usual quantity for today where today is not
 * recorded yet, in one step that one Undo takes back. */
static void
record_today (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  MilkWindow *self = MILK_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) products = milk_store_list_products (self->store, FALSE, &error);
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GPtrArray) before = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  g_autofree char *message = NULL;
  MilkDay today = milk_day_today ();
  gint64 recorded_ml = 0;
  int y, m;

  if (products == NULL)
    {
      show_error (self, error);
      return;
    }

  for (guint i = 0; i < products->len; i++)
    {
      MilkRecord *product = g_ptr_array_index (products, i);
      g_autoptr(MilkRecord) old = milk_store_get_entry (self->store, product->id, today, NULL);
      MilkRecord *entry;

      if (old != NULL && !old->deleted)
        {
          recorded_ml += old->qty_ml;
          continue;
        }
      entry = milk_record_new (MILK_RECORD_ENTRY);
      entry->id = g_strdup (product->id);
      entry->day = today;
      milk_entry_set_usual (entry, product, today);
      g_ptr_array_add (changes, entry);
      g_ptr_array_add (names, product->name);
      g_ptr_array_add (before, old ? g_steal_pointer (&old) : unrecorded (product->id, today));
    }

  milk_day_get_ymd (today, &y, &m, NULL);
  milk_calendar_view_set_month (self->calendar_view, y, m);
  adw_view_stack_set_visible_child_name (self->view_stack, "calendar");

  if (changes->len == 0)
    {
      say_already_recorded (self, recorded_ml);
      return;
    }
  if (!milk_store_put_many (self->store, changes, &error))
    {
      show_error (self, error);
      return;
    }

  message = recorded_message (changes, names, products->len == 1);
  milk_window_offer_undo (self, message, before);
}

static void
edit_today (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  milk_window_edit_day (MILK_WINDOW (widget), milk_day_today ());
}

static void
editor_committed (MilkWindow    *self,
                  const char    *message,
                  GPtrArray     *before,
                  MilkDayEditor *editor)
{
  milk_window_offer_undo (self, message, before);
}

MilkDayEditor *
milk_window_edit_day (MilkWindow *self,
                      MilkDay     day)
{
  MilkDayEditor *editor;

  g_return_val_if_fail (MILK_IS_WINDOW (self), NULL);

  if (day > milk_day_today ())
    return NULL;

  editor = milk_day_editor_new (GTK_WINDOW (self), self->store, day);
  g_signal_connect_object (editor, "committed", G_CALLBACK (editor_committed), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (editor));
  return editor;
}

static void
selection_changed (MilkWindow       *self,
                   MilkCalendarView *view)
{
  MilkDay first, last;
  g_autofree char *text = NULL;
  AdwToast *toast;

  if (!milk_calendar_view_get_selection (view, &first, &last))
    return;
  text = g_strdup_printf (ngettext ("%u day selected", "%u days selected", last - first + 1), last - first + 1);
  toast = adw_toast_new (text);
  adw_toast_set_button_label (toast, _("Mark _Leave…"));
  adw_toast_set_action_name (toast, "win.mark-leave");
  add_toast (self, toast);
}

static void
day_activated (MilkWindow       *self,
               guint             day,
               MilkCalendarView *view)
{
  milk_window_edit_day (self, day);
}

static void
month_activated (MilkWindow     *self,
                 int             year,
                 int             month,
                 MilkTotalsView *view)
{
  milk_calendar_view_set_month (self->calendar_view, year, month);
  adw_view_stack_set_visible_child_name (self->view_stack, "calendar");
}

/* Totals is built when first shown: most starts show only the calendar,
 * and a hidden page would still cost its templates, queries and layout
 * before the first frame (issue 18). */
static void
visible_view_changed (MilkWindow *self)
{
  GtkWidget *view;

  if (self->totals_view != NULL || self->store == NULL ||
      g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "totals") != 0)
    return;
  view = milk_totals_view_new (self->store);
  self->totals_view = MILK_TOTALS_VIEW (view);
  g_signal_connect_object (view, "month-activated", G_CALLBACK (month_activated), self, G_CONNECT_SWAPPED);
  adw_bin_set_child (self->totals_bin, view);
}

/* The view switcher at the bottom shows only in a narrow window; its
 * buttons are built when it is first revealed (issue 18). */
static void
switcher_bar_revealed (MilkWindow *self)
{
  if (adw_view_switcher_bar_get_reveal (self->switcher_bar) &&
      adw_view_switcher_bar_get_stack (self->switcher_bar) == NULL)
    adw_view_switcher_bar_set_stack (self->switcher_bar, self->view_stack);
}

/* The main menu's widgets are made when it is first opened, by a click
 * or F10, not before the first frame (issue 18). */
static void
create_primary_menu (GtkMenuButton *button,
                     gpointer       user_data)
{
  MilkWindow *self = user_data;

  gtk_menu_button_set_menu_model (button, self->primary_menu);
}

static void
welcome_done (MilkWindow      *self,
              MilkWelcomePage *page)
{
  gtk_stack_set_visible_child_name (self->main_stack, "diary");
}

/* A new diary asks for its currency and price first; one that already
 * holds a currency or any record goes straight to the calendar. */
static gboolean
needs_welcome (MilkStore *store)
{
  g_autofree char *currency = milk_store_dup_setting (store, "currency");

  return currency == NULL && !milk_store_has_entries (store);
}

/* Built only for a new diary: most starts never show it. */
static void
show_welcome (MilkWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *page = milk_welcome_page_new (self->store);

  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), adw_window_title_new (_("Milk Diary"), NULL));
  gtk_widget_set_vexpand (page, TRUE);
  g_signal_connect_object (page, "done", G_CALLBACK (welcome_done), self, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), page);
  gtk_stack_add_named (self->main_stack, box, "welcome");
  gtk_stack_set_visible_child (self->main_stack, box);
}

static void
milk_window_constructed (GObject *object)
{
  MilkWindow *self = MILK_WINDOW (object);

  G_OBJECT_CLASS (milk_window_parent_class)->constructed (object);

  g_object_set (self->calendar_view, "store", self->store, NULL);
  visible_view_changed (self);
  if (needs_welcome (self->store))
    show_welcome (self);
  milk_sync_button_set_service (self->sync_button, self->store, NULL);
}

static void
milk_window_dispose (GObject *object)
{
  MilkWindow *self = MILK_WINDOW (object);

  if (self->settings)
    {
      int width, height;

      gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
      g_settings_set (self->settings, "window-size", "(ii)", width, height);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (GTK_WINDOW (self)));
    }
  g_clear_object (&self->settings);
  g_clear_object (&self->store);
  g_clear_object (&self->toaster);
  g_clear_pointer (&self->undo, g_ptr_array_unref);

  gtk_widget_dispose_template (GTK_WIDGET (self), MILK_TYPE_WINDOW);

  G_OBJECT_CLASS (milk_window_parent_class)->dispose (object);
}

static void
milk_window_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  MilkWindow *self = MILK_WINDOW (object);

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
milk_window_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  MilkWindow *self = MILK_WINDOW (object);

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
milk_window_class_init (MilkWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = milk_window_constructed;
  object_class->dispose = milk_window_dispose;
  object_class->get_property = milk_window_get_property;
  object_class->set_property = milk_window_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, MILK_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (MILK_TYPE_CALENDAR_VIEW);
  g_type_ensure (MILK_TYPE_SYNC_BUTTON);
  g_type_ensure (MILK_TYPE_FILE_PROGRESS);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/milkdiary/MilkDiary/ui/milk-window.ui");
  gtk_widget_class_bind_template_child (widget_class, MilkWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, MilkWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, MilkWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, MilkWindow, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, MilkWindow, calendar_view);
  gtk_widget_class_bind_template_child (widget_class, MilkWindow, totals_bin);
  gtk_widget_class_bind_template_child (widget_class, MilkWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, MilkWindow, sync_button);
  gtk_widget_class_bind_template_child (widget_class, MilkWindow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, MilkWindow, file_progress);
  gtk_widget_class_bind_template_child (widget_class, MilkWindow, primary_menu);
  gtk_widget_class_bind_template_callback (widget_class, day_activated);
  gtk_widget_class_bind_template_callback (widget_class, selection_changed);
  gtk_widget_class_bind_template_callback (widget_class, visible_view_changed);
  gtk_widget_class_bind_template_callback (widget_class, switcher_bar_revealed);

  gtk_widget_class_install_action (widget_class, "win.record-today", NULL, record_today);
  gtk_widget_class_install_action (widget_class, "win.edit-today", NULL, edit_today);
  gtk_widget_class_install_action (widget_class, "win.undo", NULL, undo);
  gtk_widget_class_install_action (widget_class, "win.import", NULL, _milk_window_import);
  gtk_widget_class_install_action (widget_class, "win.export-csv", NULL, _milk_window_export_csv);
  gtk_widget_class_install_action (widget_class, "win.backup", NULL, _milk_window_backup);
  gtk_widget_class_install_action (widget_class, "win.restore", NULL, _milk_window_restore);
  gtk_widget_class_install_action (widget_class, "win.print-bill", NULL, _milk_window_print_bill);
  gtk_widget_class_install_action (widget_class, "win.save-bill", NULL, _milk_window_save_bill);
  gtk_widget_class_install_action (widget_class, "win.mark-leave", NULL, _milk_window_mark_leave);
  gtk_widget_class_install_action (widget_class, "win.fill-month", NULL, _milk_window_fill_month);
  gtk_widget_class_install_action (widget_class, "win.show-help-overlay", NULL, _milk_window_show_shortcuts);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "win.mark-leave", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "win.print-bill", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, GDK_CONTROL_MASK, "win.record-today", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "win.undo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_question, GDK_CONTROL_MASK, "win.show-help-overlay", NULL);
}

static void
milk_window_init (MilkWindow *self)
{
  int width, height;
  g_autofree char *view = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  milk_application_mark_startup ("templates");
  self->toaster = milk_toaster_new (GTK_WIDGET (self->toasts));
  gtk_menu_button_set_create_popup_func (self->menu_button, create_primary_menu, self, NULL);

  self->settings = g_settings_new (APPLICATION_ID);
  g_settings_get (self->settings, "window-size", "(ii)", &width, &height);
  gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  view = g_settings_get_string (self->settings, "last-view");
  if (g_strcmp0 (view, "totals") == 0)
    adw_view_stack_set_visible_child_name (self->view_stack, "totals");
  g_settings_bind (self->settings, "last-view", self->view_stack, "visible-child-name", G_SETTINGS_BIND_SET);
}

MilkWindow *
milk_window_new (MilkApplication *application,
                 MilkStore       *store)
{
  return g_object_new (MILK_TYPE_WINDOW, "application", application, "store", store, NULL);
}

MilkStore *
_milk_window_get_store (MilkWindow *self)
{
  return self->store;
}

MilkFileProgress *
_milk_window_get_file_progress (MilkWindow *self)
{
  return self->file_progress;
}

MilkCalendarView *
milk_window_get_calendar_view (MilkWindow *self)
{
  return self->calendar_view;
}

AdwViewStack *
milk_window_get_view_stack (MilkWindow *self)
{
  return self->view_stack;
}
