/* minimal-window.c — the smallest libadwaita window, to compare start-up with
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>

/* The same marks as Milk Diary prints (main.c, milk-application.c), so
 * that the benchmark can set each phase beside the minimal one; this
 * window has no diary and no sync, so those phases end where they start. */
static void
mark (const char *phase)
{
  g_print ("mark %s %" G_GINT64_FORMAT "\n", phase, g_get_monotonic_time ());
}

static void
started (GApplication *app)
{
  mark ("startup");
}

static void
after_paint (GdkFrameClock *clock,
             GApplication  *app)
{
  g_signal_handlers_disconnect_by_func (clock, after_paint, app);
  g_print ("first-frame %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  g_application_quit (app);
}

static void
mapped (GtkWidget    *window,
        GApplication *app)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (after_paint), app);
}

static void
activate (GApplication *app)
{
  GtkWidget *window, *box;

  mark ("store");
  window = adw_application_window_new (GTK_APPLICATION (app));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (box), adw_status_page_new ());
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 640);
  mark ("templates");
  mark ("window");
  mark ("sync");
  g_signal_connect (window, "map", G_CALLBACK (mapped), app);
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = NULL;

  mark ("main");
  app = adw_application_new ("io.github.milkdiary.MinimalWindow", G_APPLICATION_NON_UNIQUE);
  g_signal_connect (app, "startup", G_CALLBACK (started), NULL);
  g_signal_connect (app, "activate", G_CALLBACK (activate), NULL);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
