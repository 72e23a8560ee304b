/* milk-server-policy.h — lifetimes and limits: the server's policy in one place
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MILK_CODE_TTL_S           60
#define MILK_ACCESS_TTL_S         3600
#define MILK_REFRESH_TTL_S        (60 * 24 * 3600)
#define MILK_REFRESH_GRACE_S      60   /* a repeat of the just-rotated refresh token gets the same pair */
#define MILK_SESSION_TTL_S        (7 * 24 * 3600)
/* Password checks (sign-in, and the account pages that ask for the
 * password): the name typed, from one address, may fail FREE times, then
 * waits 1 s, 2 s, 4 s ... up to CAP before each next check; the name from
 * all addresses together and one address for all names likewise. The
 * name's own cap is short: others' guesses only ever make its owner wait
 * a minute. Counts are forgotten a day after their last failure. */
#define MILK_LIMIT_PAIR_FREE      3
#define MILK_LIMIT_PAIR_CAP_S     (15 * 60)
#define MILK_LIMIT_NAME_FREE      10
#define MILK_LIMIT_NAME_CAP_S     60
#define MILK_LIMIT_ADDRESS_FREE   10
#define MILK_LIMIT_ADDRESS_CAP_S  (15 * 60)
#define MILK_LIMIT_FORGET_S       (24 * 3600)
#define MILK_SIGNUP_WINDOW_S      3600
#define MILK_SIGNUPS_PER_HOUR     5
#define MILK_HASH_AT_ONCE         2
#define MILK_HASH_WAIT_MS         1000
#define MILK_PASSWORD_MIN_CHARS   8
#define MILK_PASSWORD_MAX_BYTES   1024
#define MILK_FORM_MAX_BYTES       (16 * 1024)
/* Connections (defaults of the MILK_*_TIMEOUT settings, and the rest). */
#define MILK_HEADER_TIMEOUT_S     10
#define MILK_BODY_TIMEOUT_S       10
#define MILK_IDLE_TIMEOUT_S       30
#define MILK_MAX_PER_ADDRESS      100
#define MILK_BODY_MEMORY_MIB      64
#define MILK_MAX_BODIES           256
#define MILK_SMALL_BODY_BYTES     (64 * 1024)
#define MILK_BODY_MIN_RATE        (32 * 1024)   /* bytes per second, after the first timeout */
#define MILK_TOKEN_BYTES          32
#define MILK_CLIENT_ID            "io.github.milkdiary.MilkDiary"
#define MILK_CLIENT_REDIRECT_PATH "/oauth/callback"

G_END_DECLS
