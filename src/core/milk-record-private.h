/* milk-record-private.h — what the files of the record share
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "milk-record.h"

G_BEGIN_DECLS

/* milk-record-json.c: the members the store keeps beside its columns,
 * read as milk_record_from_json reads them */
gboolean    _milk_record_read_bill      (JsonObject  *obj,
                                         MilkRecord  *self,
                                         GError     **error);
gboolean    _milk_record_read_evening   (JsonObject  *obj,
                                         MilkRecord  *self,
                                         GError     **error);
gboolean    _milk_record_read_split     (JsonObject  *obj,
                                         MilkRecord  *self,
                                         GError     **error);

G_END_DECLS
