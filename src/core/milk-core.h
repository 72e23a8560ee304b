/* milk-core.h — everything src/core offers, for the app, server and tests
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "milk-bill.h"
#include "milk-bill-check.h"
#include "milk-currency.h"
#include "milk-day.h"
#include "milk-error.h"
#include "milk-hlc.h"
#include "milk-ledger.h"
#include "milk-money.h"
#include "milk-price-schedule.h"
#include "milk-protocol.h"
#include "milk-quantity.h"
#include "milk-record.h"
