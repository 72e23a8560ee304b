/* milk-server-mail.c — mail over SMTP (libcurl), sent from a thread of its own
 *
 * A request that mails something queues the mail and answers at once:
 * the answer never waits for, or says anything about, the mail server.
 * A mail that fails is tried again a few times, then given up with a line
 * in the log that names the recipient's domain, never a link or a secret.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <string.h>

#include <curl/curl.h>

#include "milk-server-config.h"
#include "milk-server-mail.h"
#include "milk-server-secret.h"
#include "milk-server-session.h"

#define MAIL_TRIES 3
#define MAIL_TIMEOUT_S 20

typedef struct
{
  char *to;
  char *message;
} Mail;

struct _MilkMailer
{
  char *url;
  char *from;
  char *user;
  char *password;
  MilkSmtpTls tls;
  GAsyncQueue *queue;
  GThread *thread;
  guint retry_ms;
  gint stopping;   /* atomic: the service is closing; each mail gets one try */
};

static Mail stop_mail;

static void
mail_free (Mail *mail)
{
  if (mail == NULL || mail == &stop_mail)
    return;
  g_free (mail->to);
  g_free (mail->message);
  g_free (mail);
}

/* A header value in RFC 2047 words when it is not plain ASCII. */
static char *
header_words (const char *text)
{
  g_autofree char *encoded = NULL;

  for (const guchar *p = (const guchar *) text; *p; p++)
    if (*p >= 0x7f || *p < 0x20)
      {
        encoded = g_base64_encode ((const guchar *) text, strlen (text));
        return g_strdup_printf ("=?UTF-8?B?%s?=", encoded);
      }
  return g_strdup (text);
}

static void
append_base64 (GString    *out,
               const char *text)
{
  g_autofree char *encoded = g_base64_encode ((const guchar *) text, strlen (text));
  gsize length = strlen (encoded);

  for (gsize i = 0; i < length; i += 76)
    {
      g_string_append_len (out, encoded + i, MIN (76, length - i));
      g_string_append (out, "\r\n");
    }
}

/* The whole message, CRLF lines: a text part and an HTML part of the
 * same words. Addresses were checked by the caller (no CR, LF or space). */
char *
milk_mail_compose (const char *from,
                   const char *to,
                   const char *subject,
                   const char *text,
                   const char *html,
                   gint64      now_s)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (now_s);
  g_autofree char *date = g_date_time_format (now, "%a, %d %b %Y %H:%M:%S +0000");
  g_autofree char *boundary = milk_token_new ();
  g_autofree char *id = milk_token_new ();
  g_autofree char *words = header_words (subject);
  const char *domain = strrchr (from, '@');
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n"
                               "Message-ID: <%s%s>\r\nMIME-Version: 1.0\r\n"
                               "Auto-Submitted: auto-generated\r\n"
                               "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n",
                          from, to, words, date, id, domain ? domain : "@milk-diary.invalid", boundary);
  g_string_append_printf (out, "--%s\r\nContent-Type: text/plain; charset=utf-8\r\n"
                               "Content-Transfer-Encoding: base64\r\n\r\n", boundary);
  append_base64 (out, text);
  g_string_append_printf (out, "--%s\r\nContent-Type: text/html; charset=utf-8\r\n"
                               "Content-Transfer-Encoding: base64\r\n\r\n", boundary);
  append_base64 (out, html);
  g_string_append_printf (out, "--%s--\r\n", boundary);
  return g_string_free (out, FALSE);
}

typedef struct
{
  const char *data;
  gsize left;
} Upload;

static size_t
read_upload (char   *buffer,
             size_t  size,
             size_t  count,
             void   *data)
{
  Upload *upload = data;
  gsize n = MIN (size * count, upload->left);

  memcpy (buffer, upload->data, n);
  upload->data += n;
  upload->left -= n;
  return n;
}

static CURLcode
send_once (MilkMailer *self,
           Mail       *mail,
           char       *problem)
{
  g_autofree char *from = g_strdup_printf ("<%s>", self->from);
  g_autofree char *to = g_strdup_printf ("<%s>", mail->to);
  struct curl_slist *recipients = curl_slist_append (NULL, to);
  Upload upload = { mail->message, strlen (mail->message) };
  CURL *curl = curl_easy_init ();
  CURLcode code;

  problem[0] = '\0';
  curl_easy_setopt (curl, CURLOPT_URL, self->url);
  curl_easy_setopt (curl, CURLOPT_MAIL_FROM, from);
  curl_easy_setopt (curl, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt (curl, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt (curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt (curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, (long) MAIL_TIMEOUT_S);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, problem);
  if (self->tls == MILK_SMTP_TLS_STARTTLS)
    curl_easy_setopt (curl, CURLOPT_USE_SSL, (long) CURLUSESSL_ALL);
  if (self->user)
    {
      curl_easy_setopt (curl, CURLOPT_USERNAME, self->user);
      curl_easy_setopt (curl, CURLOPT_PASSWORD, self->password ? self->password : "");
    }
  code = curl_easy_perform (curl);
  curl_slist_free_all (recipients);
  curl_easy_cleanup (curl);
  return code;
}

static gpointer
mail_thread (gpointer data)
{
  MilkMailer *self = data;
  Mail *mail;

  while ((mail = g_async_queue_pop (self->queue)) != &stop_mail)
    {
      const char *domain = strrchr (mail->to, '@');
      char problem[CURL_ERROR_SIZE];
      CURLcode code = CURLE_OK;

      for (guint i = 0; i < MAIL_TRIES; i++)
        {
          if ((code = send_once (self, mail, problem)) == CURLE_OK || g_atomic_int_get (&self->stopping))
            break;
          if (i + 1 < MAIL_TRIES)
            g_usleep ((gulong) self->retry_ms * 1000 << i);
        }
      if (code == CURLE_OK)
        g_debug ("mail to …%s sent", domain);
      else
        /* curl's words name the server and the step, never the message. */
        g_warning ("A mail to …%s could not be sent after %u tries: %s", domain, MAIL_TRIES,
                   problem[0] ? problem : curl_easy_strerror (code));
      mail_free (mail);
    }
  return NULL;
}

/* NULL when no SMTP server is configured: the service works without mail. */
MilkMailer *
milk_mailer_new (const MilkServerConfig *config)
{
  MilkMailer *self;

  if (config->smtp_url == NULL)
    return NULL;
  self = g_new0 (MilkMailer, 1);
  self->url = g_strdup (config->smtp_url);
  self->from = g_strdup (config->smtp_from);
  self->user = g_strdup (config->smtp_user);
  self->password = g_strdup (config->smtp_password);
  self->tls = config->smtp_tls;
  self->retry_ms = 2000;
  self->queue = g_async_queue_new_full ((GDestroyNotify) mail_free);
  self->thread = g_thread_new ("milk-mail", mail_thread, self);
  return self;
}

/* Mails still queued are sent before the thread ends, each tried once:
 * closing the service must not wait on a mail server that is down. */
void
milk_mailer_free (MilkMailer *self)
{
  if (self == NULL)
    return;
  g_atomic_int_set (&self->stopping, TRUE);
  g_async_queue_push (self->queue, &stop_mail);
  g_thread_join (self->thread);
  g_async_queue_unref (self->queue);
  g_free (self->url);
  g_free (self->from);
  g_free (self->user);
  if (self->password)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);
  g_free (self);
}

void
milk_mailer_send (MilkMailer *self,
                  const char *to,
                  const char *subject,
                  const char *text,
                  const char *html)
{
  Mail *mail;

  g_return_if_fail (self != NULL);
  g_return_if_fail (_milk_server_email_is_valid (to));

  mail = g_new0 (Mail, 1);
  mail->to = g_strdup (to);
  mail->message = milk_mail_compose (self->from, to, subject, text, html, g_get_real_time () / G_USEC_PER_SEC);
  g_async_queue_push (self->queue, mail);
}
