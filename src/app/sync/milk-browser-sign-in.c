/* milk-browser-sign-in.c — signing in through the system browser
 *
 * The app is an OAuth 2.0 native public client (RFC 8252): it listens on
 * 127.0.0.1 on an ephemeral port, opens the system browser (the OpenURI
 * portal inside Flatpak) at the server's authorize page with PKCE S256 and
 * a random state, receives the code on the loopback and exchanges it. The
 * tokens are the caller's to keep; none is ever logged or put in a message.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-sync"

#include "config.h"

#include <string.h>
#include <errno.h>
#include <sys/random.h>

#include <glib/gi18n.h>

#include "milk-account.h"
#include "milk-browser-sign-in.h"

struct _MilkBrowserSignIn
{
  GObject parent_instance;

  MilkAuthServer *auth;
  guint timeout_s;

  char *verifier;
  char *state;
  char *redirect_uri;
  SoupServer *loopback;
  guint timeout_id;
  GCancellable *cancellable;
  gulong cancelled_id;
  gboolean answered;
};

G_DEFINE_FINAL_TYPE (MilkBrowserSignIn, milk_browser_sign_in, G_TYPE_OBJECT)

static void
milk_browser_sign_in_finalize (GObject *object)
{
  MilkBrowserSignIn *self = MILK_BROWSER_SIGN_IN (object);

  if (self->verifier)
    explicit_bzero (self->verifier, strlen (self->verifier));
  g_clear_pointer (&self->verifier, g_free);
  g_clear_pointer (&self->state, g_free);
  g_clear_pointer (&self->redirect_uri, g_free);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->cancellable)
    g_cancellable_disconnect (self->cancellable, self->cancelled_id);
  g_clear_object (&self->cancellable);
  if (self->loopback)
    soup_server_disconnect (self->loopback);
  g_clear_object (&self->loopback);
  g_clear_object (&self->auth);

  G_OBJECT_CLASS (milk_browser_sign_in_parent_class)->finalize (object);
}

static void
milk_browser_sign_in_class_init (MilkBrowserSignInClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = milk_browser_sign_in_finalize;
}

static void
milk_browser_sign_in_init (MilkBrowserSignIn *self)
{
}

/* Gives up when the browser has not come back after @timeout_s. */
MilkBrowserSignIn *
milk_browser_sign_in_new (MilkAuthServer *auth,
                          guint           timeout_s)
{
  MilkBrowserSignIn *self = g_object_new (MILK_TYPE_BROWSER_SIGN_IN, NULL);

  self->auth = g_object_ref (auth);
  self->timeout_s = timeout_s;
  return self;
}

static char *
base64url (const guint8 *data,
           gsize         len)
{
  char *text = g_base64_encode (data, len);

  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  for (char *p = text + strlen (text); p > text && p[-1] == '='; )
    *--p = '\0';
  return text;
}

/* 256 bits from the kernel's CSPRNG, for the PKCE verifier and state. */
static char *
random_token (void)
{
  guint8 bytes[32];
  gsize got = 0;

  while (got < sizeof bytes)
    {
      ssize_t n = getrandom (bytes + got, sizeof bytes - got, 0);

      if (n > 0)
        got += n;
      else if (errno != EINTR)
        g_error ("The kernel gave no random bytes: %s", g_strerror (errno));
    }
  return base64url (bytes, sizeof bytes);
}

static char *
s256 (const char *verifier)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize n = sizeof digest;

  g_checksum_update (sum, (const guchar *) verifier, strlen (verifier));
  g_checksum_get_digest (sum, digest, &n);
  return base64url (digest, n);
}

/* The run ends once, whichever of the browser, the timeout and the
 * cancellable comes first. Takes error. */
static void
finish_sign_in_error (GTask  *task,
                      GError *error)
{
  MilkBrowserSignIn *self = g_task_get_source_object (task);

  if (g_task_get_completed (task) || self->answered)
    {
      g_error_free (error);
      return;
    }
  self->answered = TRUE;
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
code_exchanged (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  MilkTokens *tokens = milk_auth_server_request_tokens_finish (MILK_AUTH_SERVER (source), result, &error);

  if (tokens == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, tokens, (GDestroyNotify) milk_tokens_free);
}

static const char closed_page[] =
  "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Milk Diary</title>"
  "<style>body{font-family:sans-serif;text-align:center;margin-top:20vh;color:#333}</style></head>"
  "<body><h1>%s</h1><p>%s</p></body></html>";

static void
respond_page (SoupServerMessage *msg,
              guint              status,
              const char        *title,
              const char        *text)
{
  g_autofree char *t = g_markup_escape_text (title, -1);
  g_autofree char *x = g_markup_escape_text (text, -1);
  g_autofree char *html = g_strdup_printf (closed_page, t, x);

  soup_server_message_set_status (msg, status, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Cache-Control", "no-store");
  soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_COPY, html, strlen (html));
}

static void
loopback_callback (SoupServer        *server,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  GTask *task = user_data;
  MilkBrowserSignIn *self = g_task_get_source_object (task);
  const char *state = query ? g_hash_table_lookup (query, "state") : NULL;
  const char *code = query ? g_hash_table_lookup (query, "code") : NULL;
  const char *oauth_error = query ? g_hash_table_lookup (query, "error") : NULL;
  const char *iss = query ? g_hash_table_lookup (query, "iss") : NULL;

  if (self->answered || g_task_get_completed (task))
    {
      respond_page (msg, SOUP_STATUS_GONE, _("Already Done"), _("You can close this window."));
      return;
    }
  /* A request without our state is not the server's answer: ignore it,
   * keep waiting for the real one. */
  if (state == NULL || g_strcmp0 (state, self->state) != 0)
    {
      respond_page (msg, SOUP_STATUS_BAD_REQUEST, _("Not Signed In"),
                    _("This sign-in link is not the one Milk Diary opened."));
      return;
    }
  /* RFC 9207: the answer names the server that gave it; another one's
   * answer (a mix-up) ends the sign-in. */
  if (!milk_auth_server_check_issuer (self->auth, iss))
    {
      respond_page (msg, SOUP_STATUS_BAD_REQUEST, _("Not Signed In"),
                    _("This answer did not come from the server Milk Diary asked."));
      finish_sign_in_error (task, g_error_new (MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_DENIED,
                                               _("The sign-in answer came from another server; try again")));
      return;
    }
  if (oauth_error != NULL || code == NULL)
    {
      respond_page (msg, SOUP_STATUS_OK, _("Not Signed In"), _("You can close this window and try again in Milk Diary."));
      finish_sign_in_error (task, g_error_new (MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_DENIED,
                                               _("Signing in was cancelled or refused in the browser")));
      return;
    }

  respond_page (msg, SOUP_STATUS_OK, _("Signed In to Milk Diary"), _("You can close this window and go back to Milk Diary."));
  self->answered = TRUE;
  g_clear_handle_id (&self->timeout_id, g_source_remove);

  milk_auth_server_request_tokens_async (self->auth,
                                         soup_form_encode ("grant_type", "authorization_code",
                                                           "code", code,
                                                           "redirect_uri", self->redirect_uri,
                                                           "client_id", MILK_CLIENT_ID,
                                                           "code_verifier", self->verifier,
                                                           NULL),
                                         g_task_get_cancellable (task), code_exchanged, task);
}

static gboolean
browser_timed_out (gpointer user_data)
{
  GTask *task = user_data;
  MilkBrowserSignIn *self = g_task_get_source_object (task);

  self->timeout_id = 0;
  finish_sign_in_error (task, g_error_new (MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_BROWSER_TIMEOUT,
                                           _("The browser did not come back; try signing in again")));
  return G_SOURCE_REMOVE;
}

static gboolean
cancel_in_idle (gpointer user_data)
{
  GTask *task = user_data;

  finish_sign_in_error (task, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Signing in was cancelled")));
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

/* Runs in whichever thread cancelled; the task ends in its own context. */
static void
sign_in_cancelled (GCancellable *cancellable,
                   GTask        *task)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_callback (source, cancel_in_idle, g_object_ref (task), NULL);
  g_source_attach (source, g_task_get_context (task));
}

static void
browser_opened (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    finish_sign_in_error (task, g_error_new (MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_DENIED,
                                             _("No web browser could be opened: %s"), error->message));
}

/* The authorize page's address, for a fresh verifier and state. */
static char *
authorize_url (MilkBrowserSignIn *self)
{
  const char *endpoint = milk_auth_server_get_authorization_endpoint (self->auth);
  g_autofree char *challenge = NULL;
  g_autofree char *escaped_redirect = NULL;

  self->verifier = random_token ();
  self->state = random_token ();
  challenge = s256 (self->verifier);
  escaped_redirect = g_uri_escape_string (self->redirect_uri, NULL, FALSE);
  return g_strdup_printf ("%s%sresponse_type=code&client_id=%s&redirect_uri=%s"
                          "&code_challenge=%s&code_challenge_method=S256&state=%s",
                          endpoint, strchr (endpoint, '?') ? "&" : "?",
                          MILK_CLIENT_ID, escaped_redirect, challenge, self->state);
}

static void
discovered (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  MilkBrowserSignIn *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;
  g_autofree char *url = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (!milk_auth_server_discover_finish (MILK_AUTH_SERVER (source), result, &error))
    {
      finish_sign_in_error (task, g_steal_pointer (&error));
      return;
    }

  self->loopback = soup_server_new (NULL, NULL);
  soup_server_add_handler (self->loopback, MILK_REDIRECT_PATH, loopback_callback, task, NULL);
  if (!soup_server_listen_local (self->loopback, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      finish_sign_in_error (task, g_steal_pointer (&error));
      return;
    }
  uris = soup_server_get_uris (self->loopback);
  self->redirect_uri = g_strdup_printf ("http://127.0.0.1:%d%s", g_uri_get_port (uris->data), MILK_REDIRECT_PATH);
  url = authorize_url (self);

  self->timeout_id = g_timeout_add_seconds (self->timeout_s, browser_timed_out, task);
  if (cancellable)
    {
      self->cancellable = g_object_ref (cancellable);
      self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (sign_in_cancelled), task, NULL);
    }

  g_debug ("Opening the browser to sign in at %s", milk_auth_server_get_server (self->auth));
  g_app_info_launch_default_for_uri_async (url, NULL, NULL, browser_opened, g_object_ref (task));
}

/* Runs once: the server is discovered, the browser opened, and the code it
 * brings back exchanged for the tokens. */
void
milk_browser_sign_in_run_async (MilkBrowserSignIn   *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_return_if_fail (MILK_IS_BROWSER_SIGN_IN (self));
  g_return_if_fail (self->state == NULL);

  g_task_set_source_tag (task, milk_browser_sign_in_run_async);
  g_task_set_check_cancellable (task, FALSE);
  milk_auth_server_discover_async (self->auth, cancellable, discovered, task);
}

MilkTokens *
milk_browser_sign_in_run_finish (MilkBrowserSignIn  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
