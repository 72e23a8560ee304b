/* milk-server-session.h — a page request's signed-in state and CSRF token,
 * and the checks of what forms send
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libpq-fe.h>

#include "milk-server-db-accounts.h"
#include "milk-server-request.h"

G_BEGIN_DECLS

#define MILK_SESSION_COOKIE "milk_session"

/* The signed-in state of a page request; signed out (no row in the
 * database) when there is none. */
MilkWebSession *milk_page_session       (MilkRequest  *request,
                                         PGconn       *conn,
                                         GError      **error);
gboolean    milk_page_check_csrf        (MilkRequest    *request,
                                         MilkWebSession *session,
                                         GHashTable     *form);
const char *milk_page_form_csrf         (MilkRequest    *request,
                                         MilkWebSession *session);
gboolean    milk_page_sign_in_as        (MilkRequest    *request,
                                         PGconn         *conn,
                                         MilkWebSession *old,
                                         gint64          account_id,
                                         const char     *return_to,
                                         GError        **error);
const char *_milk_server_safe_return_to (const char     *path);
gboolean    _milk_server_email_is_valid (const char  *email);
const char *_milk_server_password_problem (const char   *password,
                                           const char   *confirm);
void        milk_page_bad_form          (MilkRequest *request);

/* Password checks under the limits of MILK_LIMIT_* (milk-server-policy.h). */
typedef enum
{
  MILK_PASSWORD_CHECK_WRONG,
  MILK_PASSWORD_CHECK_RIGHT,
  MILK_PASSWORD_CHECK_WAIT,     /* a limit says wait: nothing was checked */
  MILK_PASSWORD_CHECK_FAILED,   /* the database, or too many checks at once */
} MilkPasswordCheck;

char       *milk_page_limit_address      (MilkRequest *request);
MilkPasswordCheck milk_page_check_password (MilkRequest  *request,
                                            PGconn       *conn,
                                            const char   *email,
                                            const char   *stored,
                                            const char   *password,
                                            guint        *wait_s,
                                            GError      **error);
char       *milk_page_wait_words         (MilkRequest *request,
                                          const char  *note,
                                          guint        wait_s);
void        milk_page_respond_failure    (MilkRequest  *request,
                                          const GError *error);

G_END_DECLS
