/* milk-gui-test-util.h — running real widgets in tests
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

gboolean   milk_gui_test_init      (int     *argc,
                                    char  ***argv);
void       milk_gui_test_drain     (void);
void       milk_gui_test_wait      (guint    ms);
void       milk_gui_test_iterate   (void);
GtkWidget *milk_gui_test_child     (GtkWidget *widget,
                                    GType      template_type,
                                    const char *name);

G_END_DECLS
