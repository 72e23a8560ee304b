/* milk-screenshots.c — renders the main views with demo data to PNG files
 *
 * Run by `build-aux/dev screenshots`; the PNGs are what the metainfo shows
 * and what a person looks at before calling a change done.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "milk-day-editor.h"
#include "milk-gui-test-util.h"
#include "milk-window.h"

static void
demo_diary (MilkStore *store)
{
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  g_autoptr(MilkRecord) buffalo = milk_store_add_product (store, "Buffalo milk", 500, NULL);
  MilkDay today = milk_day_today ();
  MilkDay first = today - 400;
  int y, m;

  milk_day_get_ymd (today, &y, &m, NULL);
  milk_store_set_setting (store, "currency", "INR", NULL);
  milk_store_set_price (store, MILK_DEFAULT_PRODUCT_ID, first, 5400, NULL);
  milk_store_set_price (store, MILK_DEFAULT_PRODUCT_ID, milk_day_month_first (y, m) + 15, 5800, NULL);
  milk_store_set_price (store, buffalo->id, first, 7000, NULL);

  for (MilkDay day = first; day < today; day++)
    {
      MilkRecord *cow = milk_record_new (MILK_RECORD_ENTRY);
      MilkRecord *buf = milk_record_new (MILK_RECORD_ENTRY);

      cow->id = g_strdup (MILK_DEFAULT_PRODUCT_ID);
      cow->day = day;
      cow->qty_ml = day % 11 == 0 ? 0 : milk_day_weekday (day) == G_DATE_SUNDAY ? 1500 : 1000;
      buf->id = g_strdup (buffalo->id);
      buf->day = day;
      buf->qty_ml = day % 11 == 0 ? 0 : 500;
      g_ptr_array_add (batch, cow);
      g_ptr_array_add (batch, buf);
    }
  milk_store_put_many (store, batch, NULL);

  for (int i = 1; i <= 12; i++)
    milk_store_add_payment (store, milk_day_month_first (y, m) - 30 * i, 250000, "cash", NULL);
}

static void
save_png (GtkWidget  *widget,
          const char *dir,
          const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    g_error ("Could not write %s", path);
  g_print ("%s\n", path);
}

static void
resize (GtkWindow *window,
        int        width,
        int        height)
{
  gtk_window_set_default_size (window, width, height);
  milk_gui_test_wait (500);
}

static GtkScrolledWindow *
find_scrolled (GtkWidget *widget)
{
  if (GTK_IS_SCROLLED_WINDOW (widget) && gtk_widget_is_drawable (widget))
    return GTK_SCROLLED_WINDOW (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkScrolledWindow *found = find_scrolled (child);

      if (found)
        return found;
    }
  return NULL;
}

static void
scroll_to_end (GtkWidget *window)
{
  GtkScrolledWindow *scrolled = find_scrolled (window);
  GtkAdjustment *adjustment;

  if (scrolled == NULL)
    return;
  adjustment = gtk_scrolled_window_get_vadjustment (scrolled);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  milk_gui_test_wait (300);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *tmp = g_dir_make_tmp ("milk-screenshots-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (tmp, "diary.sqlite", NULL);
  g_autoptr(MilkStore) store = NULL;
  const char *out = argc > 1 ? argv[1] : ".";
  MilkWindow *window;
  MilkDayEditor *editor;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("MILK_LOCALEDIR") ? g_getenv ("MILK_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  if (!gtk_init_check ())
    g_error ("No display");
  adw_init ();
  g_mkdir_with_parents (out, 0755);

  store = milk_store_new (path, NULL);
  demo_diary (store);

  window = milk_window_new (NULL, store);
  gtk_window_present (GTK_WINDOW (window));
  resize (GTK_WINDOW (window), 900, 980);
  save_png (GTK_WIDGET (window), out, "calendar.png");

  adw_view_stack_set_visible_child_name (milk_window_get_view_stack (window), "totals");
  milk_gui_test_wait (300);
  save_png (GTK_WIDGET (window), out, "totals.png");

  adw_view_stack_set_visible_child_name (milk_window_get_view_stack (window), "calendar");
  resize (GTK_WINDOW (window), 360, 760);
  save_png (GTK_WIDGET (window), out, "calendar-narrow.png");
  /* The bill at phone width, scrolled to its end: nothing cut at 360 px. */
  scroll_to_end (GTK_WIDGET (window));
  save_png (GTK_WIDGET (window), out, "calendar-narrow-bill.png");

  adw_view_stack_set_visible_child_name (milk_window_get_view_stack (window), "totals");
  milk_gui_test_wait (300);
  save_png (GTK_WIDGET (window), out, "totals-narrow.png");
  adw_view_stack_set_visible_child_name (milk_window_get_view_stack (window), "calendar");

  editor = milk_window_edit_day (window, milk_day_today () - 1);
  milk_gui_test_wait (500);
  save_png (GTK_WIDGET (editor), out, "day-editor.png");
  gtk_window_destroy (GTK_WINDOW (editor));

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  resize (GTK_WINDOW (window), 900, 980);
  save_png (GTK_WIDGET (window), out, "calendar-dark.png");

  gtk_window_destroy (GTK_WINDOW (window));
  milk_gui_test_drain ();
  g_clear_object (&store);
  {
    const char *suffixes[] = { "", "-wal", "-shm" };
    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
        g_unlink (file);
      }
    g_rmdir (tmp);
  }
  return 0;
}
