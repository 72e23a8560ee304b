/* milk-e2e-proxy.h — a loopback HTTP proxy between the app and the service
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

typedef enum
{
  MILK_E2E_FORWARD,       /* to the service, its answer back */
  MILK_E2E_LOSE_ANSWER,   /* to the service, then the connection closed */
  MILK_E2E_HOLD,          /* to the service; the answer waits for hooks->hold () */
  MILK_E2E_DROP,          /* the connection closed, the service never asked */
  MILK_E2E_ANSWER,        /* the answer the hook made, the service never asked */
} MilkE2eVerdict;

typedef struct
{
  /* Called in the proxy's thread for every request (head and body). */
  MilkE2eVerdict (*decide) (GByteArray *request, GByteArray **answer);
  /* Blocks until a held answer may go. */
  void (*hold) (void);
} MilkE2eProxyHooks;

char        *milk_e2e_proxy_start        (const MilkE2eProxyHooks *hooks);
void         milk_e2e_proxy_set_upstream (guint                    port);
gboolean     milk_e2e_request_is         (GByteArray              *request,
                                          const char              *method_and_path);
GByteArray  *milk_e2e_busy_answer        (guint                    retry_after_s);
