/* milk-account.c — the device's sign-in to a sync server
 *
 * Signs in through the browser (milk-browser-sign-in.c), keeps the tokens
 * in the keyring only (milk-token-store.c), hands out access tokens and
 * refreshes them when due, and signs out. None is ever logged or put in a
 * message. The server's endpoints are milk-auth-server.c's.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-sync"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "milk-account.h"
#include "milk-auth-server.h"
#include "milk-browser-sign-in.h"
#include "milk-token-store.h"

#define DEFAULT_BROWSER_TIMEOUT_S (5 * 60)
#define REFRESH_MARGIN_S 60

struct _MilkAccount
{
  GObject parent_instance;

  char *server;
  char *diary;
  SoupSession *session;
  MilkTokens *tokens;
  MilkAuthServer *auth;
  guint browser_timeout_s;
  char *account_id;             /* as the service named it at sign-in; kept with the tokens */

  struct _Refresh *refresh;     /* the one refresh in flight, or NULL */
  GPtrArray *refresh_waiters;   /* GTasks sharing its result */
  MilkTokens *unsaved;          /* refreshed, refused by the keyring: kept unspent */
};

G_DEFINE_FINAL_TYPE (MilkAccount, milk_account, G_TYPE_OBJECT)

G_DEFINE_QUARK (milk-account-error-quark, milk_account_error)

enum {
  PROP_0,
  PROP_SERVER,
  PROP_SIGNED_IN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Only https:// servers, except on this machine's loopback. */
char *
milk_account_normalize_server (const char  *url,
                               GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (url ? url : ""));
  const char *scheme, *host;
  gsize len;

  uri = g_uri_parse (stripped, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_INVALID_SERVER,
                   _("Enter the server’s address, such as https://sync.example.org"));
      return NULL;
    }
  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  if (g_strcmp0 (scheme, "https") != 0 &&
      !(g_strcmp0 (scheme, "http") == 0 &&
        (g_str_equal (host, "127.0.0.1") || g_str_equal (host, "localhost") || g_str_equal (host, "::1"))))
    {
      g_set_error (error, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_INVALID_SERVER,
                   _("Only secure (https://) sync servers can be used"));
      return NULL;
    }
  if (g_uri_get_query (uri) || g_uri_get_fragment (uri) || g_uri_get_userinfo (uri))
    {
      g_set_error (error, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_INVALID_SERVER,
                   _("The server’s address cannot have a query, a fragment or a user name"));
      return NULL;
    }

  len = strlen (stripped);
  while (len > 0 && stripped[len - 1] == '/')
    stripped[--len] = '\0';
  return g_steal_pointer (&stripped);
}

static void
milk_account_finalize (GObject *object)
{
  MilkAccount *self = MILK_ACCOUNT (object);

  g_clear_pointer (&self->server, g_free);
  g_clear_pointer (&self->diary, g_free);
  g_clear_pointer (&self->account_id, g_free);
  g_clear_object (&self->session);
  g_clear_pointer (&self->tokens, milk_tokens_free);
  g_clear_pointer (&self->unsaved, milk_tokens_free);
  g_clear_pointer (&self->refresh_waiters, g_ptr_array_unref);
  g_clear_object (&self->auth);

  G_OBJECT_CLASS (milk_account_parent_class)->finalize (object);
}

static void
milk_account_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  MilkAccount *self = MILK_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      g_value_set_string (value, self->server);
      break;
    case PROP_SIGNED_IN:
      g_value_set_boolean (value, self->tokens != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
milk_account_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  MilkAccount *self = MILK_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      self->server = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
milk_account_class_init (MilkAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = milk_account_finalize;
  object_class->get_property = milk_account_get_property;
  object_class->set_property = milk_account_set_property;

  properties[PROP_SERVER] =
    g_param_spec_string ("server", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SIGNED_IN] =
    g_param_spec_boolean ("signed-in", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
milk_account_init (MilkAccount *self)
{
  g_autofree char *agent = g_strdup_printf ("MilkDiary/%s", PACKAGE_VERSION);

  self->session = soup_session_new_with_options ("user-agent", agent, "timeout", 30, NULL);
  self->browser_timeout_s = DEFAULT_BROWSER_TIMEOUT_S;
  self->refresh_waiters = g_ptr_array_new_with_free_func (g_object_unref);
}

MilkAccount *
milk_account_new (const char *server,
                  const char *diary)
{
  MilkAccount *self = g_object_new (MILK_TYPE_ACCOUNT, "server", server, NULL);

  self->diary = g_strdup (diary);
  self->auth = milk_auth_server_new (self->server, self->session);
  return self;
}

const char *
milk_account_get_server (MilkAccount *self)
{
  return self->server;
}

/* The service's opaque name for the account the last sign-in on this
 * object chose, or NULL (loaded from the keyring, or an older service). */
const char *
milk_account_get_account_id (MilkAccount *self)
{
  g_return_val_if_fail (MILK_IS_ACCOUNT (self), NULL);

  return self->account_id;
}

gboolean
milk_account_get_signed_in (MilkAccount *self)
{
  return self->tokens != NULL;
}

SoupSession *
milk_account_get_session (MilkAccount *self)
{
  return self->session;
}

void
milk_account_set_browser_timeout (MilkAccount *self,
                                  guint        seconds)
{
  self->browser_timeout_s = seconds;
}

static void
set_tokens (MilkAccount *self,
            MilkTokens  *tokens)
{
  gboolean was = self->tokens != NULL;

  g_clear_pointer (&self->tokens, milk_tokens_free);
  g_clear_pointer (&self->unsaved, milk_tokens_free);
  self->tokens = tokens;
  if (was != (tokens != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNED_IN]);
}

/* Loading tokens from the keyring ------------------------------------- */

static void
tokens_loaded (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MilkAccount *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  MilkTokens *tokens = milk_token_store_load_finish (result, &error);

  if (error)
    {
      g_task_return_new_error (task, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_KEYRING, "%s", error->message);
      return;
    }
  /* No tokens is a successful load too: the device is signed out, which
   * is what "signed-in" says. */
  g_free (self->account_id);
  self->account_id = tokens ? g_strdup (tokens->account) : NULL;
  set_tokens (self, tokens);
  g_task_return_boolean (task, TRUE);
}

void
milk_account_load_async (MilkAccount         *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  milk_token_store_load_async (self->server, self->diary, cancellable, tokens_loaded, task);
}

gboolean
milk_account_load_finish (MilkAccount   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Signing in ----------------------------------------------------------- */

/* Tokens the browser brought back, until the keyring has them. */
typedef struct
{
  MilkTokens *tokens;
} SignIn;

static void
sign_in_free (SignIn *s)
{
  milk_tokens_free (s->tokens);
  g_free (s);
}

static void
tokens_saved (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MilkAccount *self = g_task_get_source_object (task);
  SignIn *s = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!milk_token_store_save_finish (result, &error))
    {
      g_task_return_new_error (task, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_KEYRING, "%s", error->message);
      return;
    }
  g_free (self->account_id);
  self->account_id = g_strdup (s->tokens->account);
  set_tokens (self, g_steal_pointer (&s->tokens));
  g_task_return_boolean (task, TRUE);
}

static void
browser_signed_in (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MilkAccount *self = g_task_get_source_object (task);
  SignIn *s = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;

  s->tokens = milk_browser_sign_in_run_finish (MILK_BROWSER_SIGN_IN (source), result, &error);
  if (s->tokens == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  milk_token_store_save_async (self->server, self->diary, s->tokens, cancellable,
                               tokens_saved, g_steal_pointer (&task));
}

/* The keyring is asked first: without one the sign-in could not be kept,
 * and the person would go through the browser for nothing. */
static void
keyring_checked (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MilkAccount *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkBrowserSignIn) browser = NULL;
  GCancellable *cancellable;
  MilkTokens *tokens = milk_token_store_load_finish (result, &error);

  milk_tokens_free (tokens);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (error != NULL)
    {
      g_task_return_new_error (task, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_KEYRING, "%s", error->message);
      return;
    }
  cancellable = g_task_get_cancellable (task);
  browser = milk_browser_sign_in_new (self->auth, self->browser_timeout_s);
  milk_browser_sign_in_run_async (browser, cancellable, browser_signed_in, g_steal_pointer (&task));
}

void
milk_account_sign_in_async (MilkAccount         *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, milk_account_sign_in_async);
  g_task_set_task_data (task, g_new0 (SignIn, 1), (GDestroyNotify) sign_in_free);
  milk_token_store_load_async (self->server, self->diary, cancellable, keyring_checked, task);
}

gboolean
milk_account_sign_in_finish (MilkAccount   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Access tokens, refreshed when due ------------------------------------
 *
 * A refresh spends the refresh token: the service rotates it and answers
 * with a new pair, and revokes the whole sign-in when a spent token comes
 * back (except a repeat within a short grace, which gets the same pair).
 * So there is one refresh at a time; callers that ask while it runs wait
 * for it and share its result. The new pair is written to the keyring
 * before anything uses it: the keyring is what the next start signs in
 * with, and a pair in use but not saved would be rotated on while the
 * keyring still held a spent token. A pair the keyring refuses is kept in
 * memory, unspent, and saved again at the next request; until then the
 * person is told, and nothing syncs with it (a restart in between finds the
 * old token, which within the grace brings the same pair back). A refresh
 * whose answer never came (a connection cut after the service rotated) is
 * asked again at once with the same token, for the same reason. */

typedef struct _Refresh
{
  char *spent;          /* the refresh token this refresh spends */
  guint attempts;
  MilkTokens *pair;     /* the new pair, while the keyring writes it */
} Refresh;

static void
refresh_free (Refresh *refresh)
{
  if (refresh->spent)
    explicit_bzero (refresh->spent, strlen (refresh->spent));
  g_free (refresh->spent);
  milk_tokens_free (refresh->pair);
  g_free (refresh);
}

/* Every waiter gets the result. Takes error. */
static void
finish_refresh (MilkAccount *self,
                GError      *error)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->refresh_waiters);

  self->refresh_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  g_clear_pointer (&self->refresh, refresh_free);
  if (error == NULL && self->tokens == NULL)
    error = g_error_new_literal (MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_SIGNED_OUT, _("Not signed in"));
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);

      if (error)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_pointer (task, g_strdup (self->tokens->access_token), g_free);
    }
  g_clear_error (&error);
}

/* Signed out, or in anew, while the refresh ran: its pair is not ours. */
static gboolean
refresh_is_current (MilkAccount *self)
{
  return self->tokens != NULL && g_str_equal (self->tokens->refresh_token, self->refresh->spent);
}

static void
pair_saved (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(MilkAccount) self = user_data;
  g_autoptr(GError) error = NULL;
  MilkTokens *pair = g_steal_pointer (&self->refresh->pair);
  gboolean saved = milk_token_store_save_finish (result, &error);

  if (!refresh_is_current (self))
    {
      /* The keyring may now hold this pair over the new state: say it again. */
      milk_tokens_free (pair);
      if (saved && self->tokens == NULL)
        milk_token_store_clear_async (self->server, self->diary, NULL, NULL, NULL);
      else if (saved)
        milk_token_store_save_async (self->server, self->diary, self->tokens, NULL, NULL, NULL);
      finish_refresh (self, NULL);
      return;
    }
  if (!saved)
    {
      /* Not used, not lost: kept unspent, and saved at the next request. */
      g_clear_pointer (&self->unsaved, milk_tokens_free);
      self->unsaved = pair;
      finish_refresh (self, g_error_new_literal (MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_KEYRING,
                                                 _("The renewed sign-in could not be saved: the system keyring is "
                                                   "not available or is locked. Syncing waits until it can be "
                                                   "saved; the diary keeps working on this device.")));
      return;
    }
  set_tokens (self, pair);
  finish_refresh (self, NULL);
}

static void
save_pair (MilkAccount *self,
           MilkTokens  *pair)
{
  self->refresh->pair = pair;
  if (pair->account == NULL && self->account_id != NULL)
    pair->account = g_strdup (self->account_id);
  milk_token_store_save_async (self->server, self->diary, pair, NULL, pair_saved, g_object_ref (self));
}

static void post_refresh (MilkAccount *self);

static void
refresh_answered (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(MilkAccount) self = user_data;
  g_autoptr(GError) error = NULL;
  MilkTokens *pair = milk_auth_server_request_tokens_finish (MILK_AUTH_SERVER (source), result, &error);

  if (!refresh_is_current (self))
    {
      milk_tokens_free (pair);
      finish_refresh (self, NULL);
      return;
    }
  if (pair == NULL && error->domain != MILK_ACCOUNT_ERROR &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->refresh->attempts < 2)
    {
      /* No answer: perhaps the service rotated and the answer was lost.
       * The same token again gets the same pair within the grace. */
      g_debug ("The refresh got no answer (%s); asking again", error->message);
      post_refresh (self);
      return;
    }
  if (pair == NULL)
    {
      if (g_error_matches (error, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_SIGN_IN_AGAIN))
        {
          /* The refresh token is spent or revoked: forget it. */
          set_tokens (self, NULL);
          milk_token_store_clear_async (self->server, self->diary, NULL, NULL, NULL);
        }
      finish_refresh (self, g_steal_pointer (&error));
      return;
    }
  save_pair (self, pair);
}

static void
post_refresh (MilkAccount *self)
{
  /* No cancellable: a refresh the service may have carried out is seen
   * through, so that its pair is saved; the waiters may stop waiting. */
  self->refresh->attempts++;
  milk_auth_server_request_tokens_async (self->auth,
                                         soup_form_encode ("grant_type", "refresh_token",
                                                           "refresh_token", self->refresh->spent,
                                                           "client_id", MILK_CLIENT_ID,
                                                           NULL),
                                         NULL, refresh_answered, g_object_ref (self));
}

static void
discovered_for_refresh (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(MilkAccount) self = user_data;
  GError *error = NULL;

  if (!milk_auth_server_discover_finish (MILK_AUTH_SERVER (source), result, &error))
    finish_refresh (self, error);
  else if (!refresh_is_current (self))
    finish_refresh (self, NULL);
  else
    post_refresh (self);
}

static void
start_refresh (MilkAccount *self)
{
  self->refresh = g_new0 (Refresh, 1);
  self->refresh->spent = g_strdup (self->tokens->refresh_token);
  /* A pair the keyring refused before is saved, not fetched anew: its
   * refresh token is the live one now. */
  if (self->unsaved != NULL)
    save_pair (self, g_steal_pointer (&self->unsaved));
  else
    milk_auth_server_discover_async (self->auth, NULL, discovered_for_refresh, g_object_ref (self));
}

void
milk_account_get_access_token_async (MilkAccount         *self,
                                     gboolean             force_refresh,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (self->tokens == NULL)
    {
      g_task_return_new_error (task, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_SIGNED_OUT, _("Not signed in"));
      g_object_unref (task);
      return;
    }
  if (self->refresh == NULL && self->unsaved == NULL && !force_refresh &&
      self->tokens->expires_at > now + REFRESH_MARGIN_S)
    {
      g_task_return_pointer (task, g_strdup (self->tokens->access_token), g_free);
      g_object_unref (task);
      return;
    }
  g_ptr_array_add (self->refresh_waiters, task);
  if (self->refresh == NULL)
    start_refresh (self);
}

char *
milk_account_get_access_token_finish (MilkAccount   *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Signing out ---------------------------------------------------------- */

static void
cleared_for_sign_out (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!milk_token_store_clear_finish (result, &error))
    g_task_return_new_error (task, MILK_ACCOUNT_ERROR, MILK_ACCOUNT_ERROR_KEYRING, "%s", error->message);
  else
    g_task_return_boolean (task, TRUE);
}

static void
revoked (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MilkAccount *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  /* Offline or not, the device forgets the sign-in. */
  if (!milk_auth_server_revoke_finish (MILK_AUTH_SERVER (source), result, &error))
    g_warning ("The server could not be told of the sign-out: %s", error->message);
  set_tokens (self, NULL);
  milk_token_store_clear_async (self->server, self->diary, NULL, cleared_for_sign_out, g_steal_pointer (&task));
}

static void
discovered_for_sign_out (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MilkAccount *self = g_task_get_source_object (task);

  if (!milk_auth_server_discover_finish (MILK_AUTH_SERVER (source), result, NULL) ||
      !milk_auth_server_can_revoke (self->auth) || self->tokens == NULL)
    {
      set_tokens (self, NULL);
      milk_token_store_clear_async (self->server, self->diary, NULL, cleared_for_sign_out, g_steal_pointer (&task));
      return;
    }
  milk_auth_server_revoke_async (self->auth, self->tokens->refresh_token, revoked, g_steal_pointer (&task));
}

void
milk_account_sign_out_async (MilkAccount         *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  milk_auth_server_discover_async (self->auth, cancellable, discovered_for_sign_out, task);
}

gboolean
milk_account_sign_out_finish (MilkAccount   *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
