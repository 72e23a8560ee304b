/* milk-server-mail.h — mail the service sends
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "milk-server-config.h"

G_BEGIN_DECLS

#define MILK_VERIFY_LINK_TTL_S    (24 * 3600)
#define MILK_RESET_LINK_TTL_S     3600
#define MILK_LINKS_PER_HOUR       3      /* mails an account can ask for, per purpose */

typedef struct _MilkMailer MilkMailer;

MilkMailer *milk_mailer_new             (const MilkServerConfig *config);
void        milk_mailer_free            (MilkMailer  *mailer);
void        milk_mailer_send            (MilkMailer  *mailer,
                                         const char  *to,
                                         const char  *subject,
                                         const char  *text,
                                         const char  *html);
char       *milk_mail_compose           (const char  *from,
                                         const char  *to,
                                         const char  *subject,
                                         const char  *text,
                                         const char  *html,
                                         gint64       now_s);

G_END_DECLS
