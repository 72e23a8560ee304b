/* main.c — starts Milk Diary
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "milk-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(MilkApplication) app = NULL;

  /* For the start-up benchmark: the libraries are loaded. */
  if (g_getenv ("MILK_DIARY_EXIT_AFTER_FIRST_FRAME"))
    g_print ("mark main %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  setlocale (LC_ALL, "");
  /* MILK_LOCALEDIR: translations from a build tree, for `build-aux/dev`. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("MILK_LOCALEDIR") ? g_getenv ("MILK_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = milk_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
