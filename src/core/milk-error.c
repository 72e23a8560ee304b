/* milk-error.c — the error domain of src/core, with stable codes
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-core"

#include "config.h"

#include "milk-error.h"

G_DEFINE_QUARK (milk-error-quark, milk_error)

static const char * const code_names[] = {
  [MILK_ERROR_INVALID_JSON] = "invalid_json",
  [MILK_ERROR_INVALID_UTF8] = "invalid_utf8",
  [MILK_ERROR_TOO_DEEP] = "too_deep",
  [MILK_ERROR_TOO_LARGE] = "too_large",
  [MILK_ERROR_INVALID_DOCUMENT] = "invalid_document",
  [MILK_ERROR_TOO_MANY_CHANGES] = "too_many_changes",
  [MILK_ERROR_INVALID_CURSOR] = "invalid_cursor",
  [MILK_ERROR_INVALID_NODE] = "invalid_node",
  [MILK_ERROR_INVALID_TYPE] = "invalid_type",
  [MILK_ERROR_INVALID_KEY] = "invalid_key",
  [MILK_ERROR_INVALID_HLC] = "invalid_hlc",
  [MILK_ERROR_INVALID_DAY] = "invalid_day",
  [MILK_ERROR_INVALID_QTY] = "invalid_qty",
  [MILK_ERROR_INVALID_PRICE] = "invalid_price",
  [MILK_ERROR_INVALID_AMOUNT] = "invalid_amount",
  [MILK_ERROR_INVALID_NOTE] = "invalid_note",
  [MILK_ERROR_INVALID_NAME] = "invalid_name",
  [MILK_ERROR_INVALID_FIELD] = "invalid_field",
  [MILK_ERROR_INVALID_SETTING] = "invalid_setting",
  [MILK_ERROR_INVALID_CURRENCY] = "invalid_currency",
  [MILK_ERROR_CLOCK_DRIFT] = "clock_drift",
  [MILK_ERROR_SUPERSEDED] = "superseded",
};

const char *
milk_error_code_name (int code)
{
  if (code < 0 || code >= (int) G_N_ELEMENTS (code_names) || code_names[code] == NULL)
    return "invalid_document";
  return code_names[code];
}
