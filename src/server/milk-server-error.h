/* milk-server-error.h — the error domain of milk-diary-server
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MILK_SERVER_ERROR (milk_server_error_quark ())

typedef enum
{
  MILK_SERVER_ERROR_CONFIG,
  MILK_SERVER_ERROR_DATABASE,
  MILK_SERVER_ERROR_MIGRATION,
  MILK_SERVER_ERROR_CONFLICT,
  MILK_SERVER_ERROR_BUSY,
  MILK_SERVER_ERROR_UPSTREAM,   /* a provider people sign in with */
} MilkServerError;

GQuark milk_server_error_quark (void);

G_END_DECLS
