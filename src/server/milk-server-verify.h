/* milk-server-verify.h — with mail, an email counts once its link was opened
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libpq-fe.h>

#include "milk-server-db-accounts.h"
#include "milk-server-request.h"

G_BEGIN_DECLS

gboolean    milk_page_email_verified    (MilkRequest    *request,
                                         PGconn         *conn,
                                         MilkWebSession *session,
                                         const char     *return_to);
gboolean    milk_verify_mail_send       (MilkRequest    *request,
                                         PGconn         *conn,
                                         gint64          account_id,
                                         const char     *email,
                                         const char     *return_to,
                                         gboolean       *limited,
                                         GError        **error);
void        milk_mail_signup_tried      (MilkRequest    *request,
                                         const char     *email);
char       *milk_verify_notice_html     (MilkRequest    *request,
                                         PGconn         *conn,
                                         MilkWebSession *session);
gboolean    milk_email_change_mail_send (MilkRequest    *request,
                                         PGconn         *conn,
                                         gint64          account_id,
                                         const char     *old_email,
                                         const char     *new_email,
                                         gboolean       *limited,
                                         GError        **error);
char       *milk_page_link_to           (MilkRequest    *request,
                                         const char     *path,
                                         const char     *token);
void        milk_page_send_mail         (MilkRequest    *request,
                                         const char     *to,
                                         const char     *subject,
                                         const char     *body,
                                         const char     *link);

G_END_DECLS
