/* milk-error.h — the error domain of src/core, with stable codes
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MILK_ERROR (milk_error_quark ())

/* Each code has a stable string form (milk_error_code_name) that the sync
 * protocol sends over the wire; never renumber or rename one. */
typedef enum
{
  MILK_ERROR_INVALID_JSON,
  MILK_ERROR_INVALID_UTF8,
  MILK_ERROR_TOO_DEEP,
  MILK_ERROR_TOO_LARGE,
  MILK_ERROR_INVALID_DOCUMENT,
  MILK_ERROR_TOO_MANY_CHANGES,
  MILK_ERROR_INVALID_CURSOR,
  MILK_ERROR_INVALID_NODE,
  MILK_ERROR_INVALID_TYPE,
  MILK_ERROR_INVALID_KEY,
  MILK_ERROR_INVALID_HLC,
  MILK_ERROR_INVALID_DAY,
  MILK_ERROR_INVALID_QTY,
  MILK_ERROR_INVALID_PRICE,
  MILK_ERROR_INVALID_AMOUNT,
  MILK_ERROR_INVALID_NOTE,
  MILK_ERROR_INVALID_NAME,
  MILK_ERROR_INVALID_FIELD,
  MILK_ERROR_INVALID_SETTING,
  MILK_ERROR_INVALID_CURRENCY,
  MILK_ERROR_CLOCK_DRIFT,
  MILK_ERROR_SUPERSEDED,
} MilkError;

GQuark      milk_error_quark     (void);
const char *milk_error_code_name (int code);

G_END_DECLS
