/* milk-server-limits.h — what clients may hold: connections, bodies, memory
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "milk-server-config.h"

G_BEGIN_DECLS

typedef struct _MilkLimits MilkLimits;

typedef enum
{
  MILK_CONNECTION_ACCEPTED,
  MILK_CONNECTION_ADDRESS_FULL,   /* 503: this address has enough open */
  MILK_CONNECTION_SERVICE_FULL,   /* closed: descriptors are running out */
} MilkConnectionVerdict;

MilkLimits *milk_limits_new             (const MilkServerConfig *config);
void        milk_limits_free            (MilkLimits  *limits);
MilkConnectionVerdict milk_limits_connection_open (MilkLimits *limits,
                                                   const char *address);
void        milk_limits_connection_closed (MilkLimits *limits,
                                           const char *address);
gboolean    milk_limits_body_reserve    (MilkLimits  *limits,
                                         guint64      length);
void        milk_limits_body_release    (MilkLimits  *limits,
                                         guint64      length);

G_END_DECLS
