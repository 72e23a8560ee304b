/* milk-preferences-rows.c — rows, lists and subpages the preferences pages share
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <glib/gi18n.h>

#include "milk-preferences-rows.h"

/* Inline errors: the row turns red and its title says what is wrong, in
 * place, until the text changes; what was typed stays. */
void
milk_prefs_row_set_error (AdwEntryRow *row,
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
milk_prefs_watch_errors (AdwEntryRow *row)
{
  g_signal_connect (row, "changed", G_CALLBACK (row_clear_error), NULL);
}

void
milk_prefs_set_day_from_calendar (AdwEntryRow *row,
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

char *
milk_prefs_format_day (MilkDay day)
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
milk_prefs_clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

GtkWidget *
milk_prefs_placeholder_new (const char *text)
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
milk_prefs_remove_button_new (const char *action,
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

/* A page asks the window it is in, whichever that is, to show one of its
 * subpages; presented, the subpage is the window's child, not the page's. */
void
milk_prefs_present_subpage (GtkWidget *page,
                            GtkWidget *subpage)
{
  GtkWidget *window = gtk_widget_get_ancestor (page, ADW_TYPE_PREFERENCES_WINDOW);

  if (window)
    adw_preferences_window_present_subpage (ADW_PREFERENCES_WINDOW (window), subpage);
}

void
milk_prefs_close_subpage (GtkWidget *subpage)
{
  GtkWidget *window = gtk_widget_get_ancestor (subpage, ADW_TYPE_PREFERENCES_WINDOW);

  if (window)
    adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (window));
}
