/* milk-import.h — one call for "import this file", whatever it is
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "milk-csv.h"
#include "milk-import-report.h"
#include "milk-legacy-import.h"

G_BEGIN_DECLS

/* A Home Milk Calculator database (told by SQLite's file header) or an
 * entries CSV file. user_email picks the old app's user when the database
 * holds several (NULL: the only one; MILK_IMPORT_ERROR_CHOOSE_USER
 * otherwise, naming them). */
MilkImportReport *milk_import_file (MilkStore   *store,
                                    const char  *path,
                                    const char  *user_email,
                                    GError     **error);

G_END_DECLS
