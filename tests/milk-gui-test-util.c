/* milk-gui-test-util.c — running real widgets in tests
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include "milk-gui-test-util.h"

/* GUI tests run in a real window on the X server the harness started; the
 * settings live in memory so that a test never sees another's. */
gboolean
milk_gui_test_init (int    *argc,
                    char ***argv)
{
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (argc, argv, NULL);
  if (!gtk_init_check ())
    return FALSE;
  adw_init ();
  return TRUE;
}

void
milk_gui_test_drain (void)
{
  for (int i = 0; i < 3; i++)
    while (g_main_context_iteration (NULL, FALSE))
      ;
}

static gboolean
quit_loop (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

void
milk_gui_test_wait (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, quit_loop, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  milk_gui_test_drain ();
}

GtkWidget *
milk_gui_test_child (GtkWidget  *widget,
                     GType       template_type,
                     const char *name)
{
  GObject *child = gtk_widget_get_template_child (widget, template_type, name);

  g_assert_nonnull (child);
  return GTK_WIDGET (child);
}

/* Lets the frame clock lay out and draw what changed. */
void
milk_gui_test_iterate (void)
{
  for (int i = 0; i < 3; i++)
    milk_gui_test_wait (20);
}
