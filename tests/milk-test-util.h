/* milk-test-util.h — temporary diaries for the store tests
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "milk-store.h"

G_BEGIN_DECLS

typedef struct
{
  char *dir;
  char *path;
} MilkTestDir;

void       milk_test_dir_init     (MilkTestDir *dir);
void       milk_test_dir_clear    (MilkTestDir *dir);
MilkStore *milk_test_store_new    (MilkTestDir *dir);
MilkDay    milk_test_day          (const char  *iso);
char      *milk_test_read_file    (const char  *path,
                                   gsize       *length);

G_END_DECLS
