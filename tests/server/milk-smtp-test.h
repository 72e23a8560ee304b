/* milk-smtp-test.h — a real SMTP server for the tests: aiosmtpd
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _MilkTestSmtp MilkTestSmtp;

typedef struct
{
  char *raw;
  char *subject;
  char *text;   /* the text/plain part, decoded */
  char *html;   /* the text/html part, decoded */
} MilkTestMail;

MilkTestSmtp *milk_test_smtp_start   (void);
void          milk_test_smtp_stop    (MilkTestSmtp *smtp);
const char   *milk_test_smtp_url     (MilkTestSmtp *smtp);
const char   *milk_test_smtp_maildir (MilkTestSmtp *smtp);
MilkTestMail *milk_test_smtp_wait    (MilkTestSmtp *smtp,
                                      const char   *to,
                                      guint         timeout_s);
char         *milk_test_mail_link    (MilkTestMail *mail,
                                      const char   *path);
void          milk_test_mail_free    (MilkTestMail *mail);

guint         milk_test_free_port    (void);
GSubprocess  *milk_test_node_start   (const char         *script,
                                      const char * const *args);
void          milk_test_node_stop    (GSubprocess        *process);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MilkTestMail, milk_test_mail_free)

G_END_DECLS
