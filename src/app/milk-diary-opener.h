/* milk-diary-opener.h — the diary opened on a thread while GTK starts
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "milk-store.h"

G_BEGIN_DECLS

typedef struct _MilkDiaryOpener MilkDiaryOpener;

MilkDiaryOpener *milk_diary_opener_start  (const char       *path);
MilkStore       *milk_diary_opener_finish (MilkDiaryOpener  *opener,
                                           GError          **error);

G_END_DECLS
