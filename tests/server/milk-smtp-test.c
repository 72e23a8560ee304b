/* milk-smtp-test.c — a real SMTP server for the tests: aiosmtpd
 *
 * Debian's python3-aiosmtpd, listening on loopback, writing every mail it
 * receives into a Maildir that the tests read.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "milk-smtp-test.h"

struct _MilkTestSmtp
{
  GSubprocess *process;
  char *dir;
  char *maildir;
  char *url;
};

guint
milk_test_free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* NULL (the caller skips) when aiosmtpd is not installed. */
MilkTestSmtp *
milk_test_smtp_start (void)
{
  MilkTestSmtp *self;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *listen = NULL;
  guint port;
  int status;

  /* Debian's Python, which has Debian's aiosmtpd, whatever else is first
   * on the PATH. */
  const char *python = g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE) ? "/usr/bin/python3" : "python3";
  g_autofree char *probe = g_strdup_printf ("%s -c 'import aiosmtpd'", python);

  if (!g_spawn_command_line_sync (probe, NULL, NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    return NULL;

  self = g_new0 (MilkTestSmtp, 1);
  self->dir = g_dir_make_tmp ("milk-smtp-XXXXXX", &error);
  g_assert_no_error (error);
  self->maildir = g_build_filename (self->dir, "Maildir", NULL);
  port = milk_test_free_port ();
  listen = g_strdup_printf ("127.0.0.1:%u", port);
  self->url = g_strdup_printf ("smtp://127.0.0.1:%u", port);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  self->process = g_subprocess_launcher_spawn (launcher, &error, python, "-m", "aiosmtpd", "-n", "-l", listen,
                                               "-c", "aiosmtpd.handlers.Mailbox", self->maildir, NULL);
  g_assert_no_error (error);

  /* Up when it accepts a connection. */
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(GSocketClient) client = g_socket_client_new ();
      g_autoptr(GSocketConnection) connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);

      if (connection)
        return self;
      g_usleep (50 * 1000);
    }
  g_error ("aiosmtpd did not start on %s", listen);
}

const char *
milk_test_smtp_url (MilkTestSmtp *self)
{
  return self->url;
}

/* Where aiosmtpd keeps what it receives (a Maildir: new/ holds the mails). */
const char *
milk_test_smtp_maildir (MilkTestSmtp *self)
{
  return self->maildir;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
milk_test_smtp_stop (MilkTestSmtp *self)
{
  if (self == NULL)
    return;
  g_subprocess_force_exit (self->process);
  g_subprocess_wait (self->process, NULL, NULL);
  g_object_unref (self->process);
  remove_tree (self->dir);
  g_free (self->dir);
  g_free (self->maildir);
  g_free (self->url);
  g_free (self);
}

/* The value of header name in a message's head, or NULL. */
static char *
header (const char *message,
        const char *name)
{
  g_autofree char *head = NULL;
  const char *end = strstr (message, "\r\n\r\n");
  g_auto(GStrv) lines = NULL;

  if (end == NULL)
    end = strstr (message, "\n\n");
  head = g_strndup (message, end ? (gsize) (end - message) : strlen (message));
  lines = g_strsplit_set (head, "\r\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (g_ascii_strncasecmp (lines[i], name, strlen (name)) == 0 && lines[i][strlen (name)] == ':')
      return g_strstrip (g_strdup (lines[i] + strlen (name) + 1));
  return NULL;
}

/* The decoded body of the part of this content type. */
static char *
part (const char *message,
      const char *content_type)
{
  g_autofree char *marker = g_strdup_printf ("Content-Type: %s", content_type);
  const char *at = strstr (message, marker);
  const char *body, *end;
  g_autofree char *encoded = NULL;
  gsize length;
  guchar *decoded;

  if (at == NULL)
    return NULL;
  body = strstr (at, "\n\n");
  if (body == NULL)
    body = strstr (at, "\r\n\r\n");
  g_assert_nonnull (body);
  end = strstr (body, "\n--");
  encoded = g_strndup (body, end ? (gsize) (end - body) : strlen (body));
  decoded = g_base64_decode (g_strstrip (encoded), &length);
  decoded = g_realloc (decoded, length + 1);
  decoded[length] = '\0';
  return (char *) decoded;
}

MilkTestMail *
milk_test_smtp_wait (MilkTestSmtp *self,
                     const char   *to,
                     guint         timeout_s)
{
  g_autofree char *new_dir = g_build_filename (self->maildir, "new", NULL);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GDir) dir = g_dir_open (new_dir, 0, NULL);
      const char *name;

      while (dir && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (new_dir, name, NULL);
          g_autofree char *message = NULL;
          g_autofree char *recipient = NULL;

          if (!g_file_get_contents (path, &message, NULL, NULL))
            continue;
          recipient = header (message, "To");
          if (g_strcmp0 (recipient, to) == 0)
            {
              MilkTestMail *mail = g_new0 (MilkTestMail, 1);

              mail->raw = g_steal_pointer (&message);
              mail->subject = header (mail->raw, "Subject");
              mail->text = part (mail->raw, "text/plain; charset=utf-8");
              mail->html = part (mail->raw, "text/html; charset=utf-8");
              g_unlink (path);
              return mail;
            }
        }
      g_usleep (50 * 1000);
    }
  return NULL;
}

/* The path and query of the first link in the mail's text that goes to
 * path, such as "/account/verify?token=…". */
char *
milk_test_mail_link (MilkTestMail *mail,
                     const char   *path)
{
  const char *at = mail->text ? strstr (mail->text, path) : NULL;
  const char *end;

  if (at == NULL)
    return NULL;
  end = at + strcspn (at, " \r\n");
  return g_strndup (at, end - at);
}

void
milk_test_mail_free (MilkTestMail *mail)
{
  if (mail == NULL)
    return;
  g_free (mail->raw);
  g_free (mail->subject);
  g_free (mail->text);
  g_free (mail->html);
  g_free (mail);
}

/* A node script of tests/browser (an OpenID provider, GitHub's stand-in),
 * started with args and waited for until it prints "ready". */
GSubprocess *
milk_test_node_start (const char         *script,
                      const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *node = g_find_program_in_path ("node");
  g_autofree char *line = NULL;
  GSubprocess *process;

  if (node == NULL)
    return NULL;
  g_ptr_array_add (argv, g_strdup (node));
  g_ptr_array_add (argv, g_build_filename (g_getenv ("MILK_TEST_BROWSER_DIR"), script, NULL));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "ready");
  /* The pipe stays open while the process lives: a later line must not
   * meet a closed pipe. */
  g_object_set_data_full (G_OBJECT (process), "stdout", g_steal_pointer (&out), g_object_unref);
  return process;
}

void
milk_test_node_stop (GSubprocess *process)
{
  if (process == NULL)
    return;
  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, NULL);
  g_object_unref (process);
}
