/* milk-bench-durable.h — whether the benchmarks' PostgreSQL commits as deployed
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "milk-server-test.h"

G_BEGIN_DECLS

gboolean milk_bench_check_durable (MilkTestServer *server);

G_END_DECLS
