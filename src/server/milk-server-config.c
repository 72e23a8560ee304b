/* milk-server-config.c — configuration from the environment and flags
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "milk-protocol.h"
#include "milk-server-config.h"
#include "milk-server-error.h"
#include "milk-server-http.h"
#include "milk-server-policy.h"
#include "milk-server-session.h"

G_DEFINE_QUARK (milk-server-error-quark, milk_server_error)

static void
id_provider_free (MilkIdProvider *provider)
{
  g_free (provider->name);
  g_free (provider->label);
  g_free (provider->issuer);
  g_free (provider->api_url);
  g_free (provider->client_id);
  g_free (provider->client_secret);
  g_free (provider->authorization_endpoint);
  g_free (provider->token_endpoint);
  g_free (provider->userinfo_endpoint);
  g_mutex_clear (&provider->lock);
  g_free (provider);
}

MilkServerConfig *
milk_server_config_new (void)
{
  MilkServerConfig *self = g_new0 (MilkServerConfig, 1);

  self->listen_host = g_strdup ("127.0.0.1");
  self->listen_port = 8080;
  self->db_role = g_strdup ("milk_service");
  self->workers = 8;
  self->page_size = MILK_PROTOCOL_MAX_CHANGES;
  self->migrate_on_start = TRUE;
  self->refresh_grace_s = MILK_REFRESH_GRACE_S;
  self->header_timeout_s = MILK_HEADER_TIMEOUT_S;
  self->body_timeout_s = MILK_BODY_TIMEOUT_S;
  self->idle_timeout_s = MILK_IDLE_TIMEOUT_S;
  self->max_per_address = MILK_MAX_PER_ADDRESS;
  self->body_memory = (gsize) MILK_BODY_MEMORY_MIB * 1024 * 1024;
  self->signups_per_hour = MILK_SIGNUPS_PER_HOUR;
  self->min_protocol = 1;
  self->providers = g_ptr_array_new_with_free_func ((GDestroyNotify) id_provider_free);
  return self;
}

void
milk_server_config_free (MilkServerConfig *self)
{
  if (self == NULL)
    return;
  g_free (self->database_url);
  g_free (self->migrate_database_url);
  g_free (self->listen_host);
  g_free (self->base_url);
  g_free (self->db_role);
  g_free (self->smtp_url);
  g_free (self->smtp_from);
  g_free (self->smtp_user);
  if (self->smtp_password)
    memset (self->smtp_password, 0, strlen (self->smtp_password));
  g_free (self->smtp_password);
  g_ptr_array_unref (self->providers);
  g_free (self);
}

gboolean
milk_server_config_is_https (const MilkServerConfig *self)
{
  return self->base_url != NULL && g_str_has_prefix (self->base_url, "https://");
}

/* "HOST:PORT", "[V6]:PORT" or ":PORT". */
static gboolean
parse_listen (MilkServerConfig  *self,
              const char        *text,
              GError           **error)
{
  const char *colon = strrchr (text, ':');
  g_autofree char *host = NULL;
  guint64 port;

  if (colon == NULL || !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &port, NULL))
    goto bad;
  host = g_strndup (text, colon - text);
  if (host[0] == '[')
    {
      gsize len = strlen (host);
      if (len < 3 || host[len - 1] != ']')
        goto bad;
      host[len - 1] = '\0';
      memmove (host, host + 1, len - 1);
    }
  g_free (self->listen_host);
  self->listen_host = host[0] ? g_steal_pointer (&host) : g_strdup ("0.0.0.0");
  self->listen_port = port;
  return TRUE;

bad:
  g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_CONFIG,
               "The listen address “%s” is not HOST:PORT", text);
  return FALSE;
}

static gboolean
parse_count (const char  *name,
             const char  *text,
             guint        max,
             guint       *out,
             GError     **error)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, max, &value, NULL))
    {
      g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_CONFIG,
                   "%s must be a whole number from 1 to %u", name, max);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

static gboolean
is_postgres_url (const char *url)
{
  return url && (g_str_has_prefix (url, "postgres://") || g_str_has_prefix (url, "postgresql://"));
}

/* The limits on what one client may hold (timeouts in seconds, memory in
 * MiB), from the environment only: they are tuned per deployment, rarely. */
static gboolean
load_limits (MilkServerConfig  *self,
             GError           **error)
{
  const struct
  {
    const char *name;
    guint max;
    guint *out;
  } counts[] = {
    { "MILK_HEADER_TIMEOUT", 3600, &self->header_timeout_s },
    { "MILK_BODY_TIMEOUT", 3600, &self->body_timeout_s },
    { "MILK_IDLE_TIMEOUT", 3600, &self->idle_timeout_s },
  };
  const char *env;
  guint mib;

  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    if ((env = g_getenv (counts[i].name)) != NULL && *env &&
        !parse_count (counts[i].name, env, counts[i].max, counts[i].out, error))
      return FALSE;
  if ((env = g_getenv ("MILK_BODY_MEMORY_MIB")) != NULL && *env)
    {
      if (!parse_count ("MILK_BODY_MEMORY_MIB", env, 1024 * 1024, &mib, error))
        return FALSE;
      /* Large bodies get three quarters: a whole sync must fit in them. */
      if ((guint64) mib * 1024 * 1024 / 4 * 3 < MILK_PROTOCOL_MAX_BYTES)
        {
          g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_CONFIG,
                       "MILK_BODY_MEMORY_MIB must be at least %u, for a whole sync to fit",
                       (guint) (MILK_PROTOCOL_MAX_BYTES / 1024 / 1024 * 4 / 3 + 1));
          return FALSE;
        }
      self->body_memory = (gsize) mib * 1024 * 1024;
    }
  /* Behind a proxy every connection comes from the proxy: the proxy limits
   * its clients, unless told otherwise. 0 means no limit. */
  if (self->trust_forwarded)
    self->max_per_address = 0;
  if ((env = g_getenv ("MILK_MAX_CONNECTIONS_PER_ADDRESS")) != NULL && *env)
    {
      if (g_str_equal (env, "0"))
        self->max_per_address = 0;
      else if (!parse_count ("MILK_MAX_CONNECTIONS_PER_ADDRESS (0: no limit)", env, 1000000,
                             &self->max_per_address, error))
        return FALSE;
    }
  return TRUE;
}

/* Mail (milk-server-mail.c), from the environment only: MILK_SMTP_URL
 * smtp://HOST[:PORT] (STARTTLS required unless MILK_SMTP_TLS=none) or
 * smtps://HOST[:PORT] (TLS from the start); MILK_SMTP_FROM the sender;
 * MILK_SMTP_USER and MILK_SMTP_PASSWORD when the server asks. Credentials
 * in the URL are refused: URLs end up in logs and process listings. */
static gboolean
load_smtp (MilkServerConfig  *self,
           GError           **error)
{
  const char *url = g_getenv ("MILK_SMTP_URL");
  const char *from = g_getenv ("MILK_SMTP_FROM");
  const char *tls = g_getenv ("MILK_SMTP_TLS");
  g_autoptr(GUri) uri = NULL;

  if (url == NULL || *url == '\0')
    return TRUE;
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "smtp") != 0 &&
                      g_strcmp0 (g_uri_get_scheme (uri), "smtps") != 0) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_CONFIG,
                   "MILK_SMTP_URL must be smtp://HOST[:PORT] or smtps://HOST[:PORT]");
      return FALSE;
    }
  if (g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_CONFIG,
                   "MILK_SMTP_URL must not hold a user or password; set MILK_SMTP_USER and MILK_SMTP_PASSWORD");
      return FALSE;
    }
  if (!_milk_server_email_is_valid (from) || strpbrk (from, "<>\"(),;:") != NULL)
    {
      g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_CONFIG,
                   "With MILK_SMTP_URL set, MILK_SMTP_FROM must be the sender's address, such as "
                   "milk-diary@example.org");
      return FALSE;
    }
  if (g_str_equal (g_uri_get_scheme (uri), "smtps"))
    self->smtp_tls = MILK_SMTP_TLS_IMPLICIT;
  else if (g_strcmp0 (tls, "none") == 0)
    self->smtp_tls = MILK_SMTP_TLS_NONE;
  else if (tls == NULL || *tls == '\0' || g_str_equal (tls, "starttls"))
    self->smtp_tls = MILK_SMTP_TLS_STARTTLS;
  else
    {
      g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_CONFIG,
                   "MILK_SMTP_TLS must be starttls (the default) or none");
      return FALSE;
    }
  self->smtp_url = g_strdup (url);
  self->smtp_from = g_strdup (from);
  self->smtp_user = g_strdup (g_getenv ("MILK_SMTP_USER"));
  self->smtp_password = g_strdup (g_getenv ("MILK_SMTP_PASSWORD"));
  return TRUE;
}

static char *
provider_setting (const char *name,
                  const char *what)
{
  g_autofree char *upper = g_ascii_strup (name, -1);
  g_autofree char *key = NULL;
  const char *value;

  g_strdelimit (upper, "-", '_');
  key = g_strdup_printf ("MILK_OIDC_%s_%s", upper, what);
  value = g_getenv (key);
  return value && *value ? g_strdup (value) : NULL;
}

static gboolean
provider_name_is_valid (const char *name)
{
  if (name == NULL || *name == '\0' || strlen (name) > 32)
    return FALSE;
  for (const char *c = name; *c; c++)
    if (!g_ascii_islower (*c) && !g_ascii_isdigit (*c) && *c != '-')
      return FALSE;
  return TRUE;
}

/* The providers people may sign in with, from the environment only (their
 * secrets must not be in a process listing): MILK_OIDC_PROVIDERS names
 * them, each with MILK_OIDC_<NAME>_ISSUER, _CLIENT_ID, _CLIENT_SECRET and
 * _LABEL; GitHub with MILK_GITHUB_CLIENT_ID and MILK_GITHUB_CLIENT_SECRET
 * (MILK_GITHUB_URL and MILK_GITHUB_API_URL for a GitHub Enterprise, or a
 * stand-in). */
static gboolean
load_providers (MilkServerConfig  *self,
                GError           **error)
{
  g_auto(GStrv) names = g_strsplit (g_getenv ("MILK_OIDC_PROVIDERS") ? g_getenv ("MILK_OIDC_PROVIDERS") : "", ",", -1);
  const char *github_id = g_getenv ("MILK_GITHUB_CLIENT_ID");

  for (guint i = 0; names[i]; i++)
    {
      MilkIdProvider *provider;
      char *name = g_strstrip (names[i]);

      if (*name == '\0')
        continue;
      if (!provider_name_is_valid (name) || g_str_equal (name, "github"))
        {
          g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_CONFIG,
                       "MILK_OIDC_PROVIDERS: “%s” is not a provider name (a-z, 0-9 and -; GitHub has "
                       "settings of its own)", name);
          return FALSE;
        }
      provider = g_new0 (MilkIdProvider, 1);
      g_mutex_init (&provider->lock);
      provider->kind = MILK_ID_OIDC;
      provider->name = g_strdup (name);
      provider->issuer = provider_setting (name, "ISSUER");
      provider->client_id = provider_setting (name, "CLIENT_ID");
      provider->client_secret = provider_setting (name, "CLIENT_SECRET");
      provider->label = provider_setting (name, "LABEL");
      if (provider->label == NULL)
        provider->label = g_strdup (name);
      g_ptr_array_add (self->providers, provider);
      if (!milk_http_url_allowed (provider->issuer) || provider->client_id == NULL ||
          provider->client_secret == NULL)
        {
          g_autofree char *upper = g_ascii_strup (name, -1);

          g_strdelimit (upper, "-", '_');
          g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_CONFIG,
                       "The provider “%s” needs MILK_OIDC_%s_ISSUER (an https:// URL), MILK_OIDC_%s_CLIENT_ID "
                       "and MILK_OIDC_%s_CLIENT_SECRET", name, upper, upper, upper);
          return FALSE;
        }
      while (g_str_has_suffix (provider->issuer, "/") && strlen (provider->issuer) > 8)
        provider->issuer[strlen (provider->issuer) - 1] = '\0';
    }

  if (github_id && *github_id)
    {
      MilkIdProvider *provider = g_new0 (MilkIdProvider, 1);
      const char *web = g_getenv ("MILK_GITHUB_URL");
      const char *api = g_getenv ("MILK_GITHUB_API_URL");

      g_mutex_init (&provider->lock);
      provider->kind = MILK_ID_GITHUB;
      provider->name = g_strdup ("github");
      provider->label = g_strdup ("GitHub");
      provider->issuer = g_strdup (web && *web ? web : "https://github.com");
      provider->api_url = g_strdup (api && *api ? api : "https://api.github.com");
      provider->client_id = g_strdup (github_id);
      provider->client_secret = g_strdup (g_getenv ("MILK_GITHUB_CLIENT_SECRET"));
      g_ptr_array_add (self->providers, provider);
      if (provider->client_secret == NULL || *provider->client_secret == '\0' ||
          !milk_http_url_allowed (provider->issuer) || !milk_http_url_allowed (provider->api_url))
        {
          g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_CONFIG,
                       "GitHub needs MILK_GITHUB_CLIENT_SECRET beside MILK_GITHUB_CLIENT_ID (and https:// in "
                       "MILK_GITHUB_URL and MILK_GITHUB_API_URL)");
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
check_database_urls (const char  *database_url,
                     const char  *migrate_url,
                     GError     **error)
{
  if (!is_postgres_url (database_url))
    {
      g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_CONFIG,
                   "Set DATABASE_URL (or --database-url) to a postgres:// or postgresql:// URL");
      return FALSE;
    }
  if (migrate_url && !is_postgres_url (migrate_url))
    {
      g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_CONFIG,
                   "MILK_MIGRATE_DATABASE_URL (or --migrate-database-url) is not a postgres:// or "
                   "postgresql:// URL");
      return FALSE;
    }
  return TRUE;
}

/* The settings only the environment sets. */
static gboolean
load_env_settings (MilkServerConfig  *self,
                   GError           **error)
{
  const char *env;

  if ((env = g_getenv ("MILK_SYNC_PAGE_SIZE")) != NULL && *env &&
      !parse_count ("MILK_SYNC_PAGE_SIZE", env, MILK_PROTOCOL_MAX_CHANGES, &self->page_size, error))
    return FALSE;
  /* 0 turns the grace off: any repeat of a spent refresh token revokes. */
  if ((env = g_getenv ("MILK_REFRESH_GRACE_S")) != NULL && *env)
    {
      guint64 grace;

      if (!g_ascii_string_to_unsigned (env, 10, 0, 3600, &grace, NULL))
        {
          g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_CONFIG,
                       "MILK_REFRESH_GRACE_S must be a whole number of seconds from 0 to 3600");
          return FALSE;
        }
      self->refresh_grace_s = grace;
    }
  if ((env = g_getenv ("MILK_SIGNUPS_PER_HOUR")) != NULL && *env &&
      !parse_count ("MILK_SIGNUPS_PER_HOUR", env, 1000000, &self->signups_per_hour, error))
    return FALSE;
  /* Raised once the apps that do not keep what they cannot read (protocol
   * 1, which strip a newer app's fields when they edit) must stop syncing.
   * Above this service's own version it turns every app it knows away
   * (how the tests see an app told to update). */
  if ((env = g_getenv ("MILK_MIN_PROTOCOL")) != NULL && *env &&
      !parse_count ("MILK_MIN_PROTOCOL", env, MILK_PROTOCOL_MAX_VERSION, &self->min_protocol, error))
    return FALSE;
  return TRUE;
}

/* Taken when it is an http:// or https:// URL, without a trailing slash. */
static gboolean
set_base_url (MilkServerConfig  *self,
              char             **base_url,
              GError           **error)
{
  g_autoptr(GUri) uri = g_uri_parse (*base_url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
                      g_strcmp0 (g_uri_get_scheme (uri), "https") != 0))
    {
      g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_CONFIG,
                   "The base URL “%s” is not an http:// or https:// URL", *base_url);
      return FALSE;
    }
  while (g_str_has_suffix (*base_url, "/"))
    (*base_url)[strlen (*base_url) - 1] = '\0';
  self->base_url = g_steal_pointer (base_url);
  return TRUE;
}

gboolean
milk_server_config_load (MilkServerConfig   *self,
                         int                *argc,
                         char             ***argv,
                         GError            **error)
{
  g_autofree char *database_url = NULL;
  g_autofree char *migrate_url = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *base_url = NULL;
  g_autofree char *role = NULL;
  g_autofree char *workers = NULL;
  gboolean no_migrate = FALSE;
  const GOptionEntry entries[] = {
    { "database-url", 'd', 0, G_OPTION_ARG_STRING, &database_url,
      "PostgreSQL URL the service logs in with, as a role that owns nothing (default: $DATABASE_URL)", "URL" },
    { "migrate-database-url", 0, 0, G_OPTION_ARG_STRING, &migrate_url,
      "PostgreSQL URL of the owner role, for migrations (default: $MILK_MIGRATE_DATABASE_URL; "
      "migrate falls back to DATABASE_URL)", "URL" },
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      "Address to listen on (default: $MILK_LISTEN or 127.0.0.1:8080)", "HOST:PORT" },
    { "base-url", 'b', 0, G_OPTION_ARG_STRING, &base_url,
      "Public URL of the service, for redirects and metadata (default: $MILK_BASE_URL)", "URL" },
    { "db-role", 0, 0, G_OPTION_ARG_STRING, &role,
      "Role migrations grant the service's privileges to (default: $MILK_DB_ROLE or milk_service; "
      "empty: none)", "ROLE" },
    { "workers", 'w', 0, G_OPTION_ARG_STRING, &workers,
      "Database workers and connections (default: $MILK_WORKERS or 8)", "N" },
    { "no-migrate", 0, 0, G_OPTION_ARG_NONE, &no_migrate,
      "Do not apply migrations when serving, even with a migration URL", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("serve|migrate");
  const char *env;

  g_option_context_set_summary (context, "The Milk Diary sync service.\n\n"
                                "  serve    apply migrations (with a migration URL), then answer HTTP requests\n"
                                "  migrate  apply migrations as the owner and exit");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;

  if (database_url == NULL && (env = g_getenv ("DATABASE_URL")) != NULL && *env)
    database_url = g_strdup (env);
  if (migrate_url == NULL && (env = g_getenv ("MILK_MIGRATE_DATABASE_URL")) != NULL && *env)
    migrate_url = g_strdup (env);
  if (listen == NULL && (env = g_getenv ("MILK_LISTEN")) != NULL && *env)
    listen = g_strdup (env);
  if (base_url == NULL && (env = g_getenv ("MILK_BASE_URL")) != NULL && *env)
    base_url = g_strdup (env);
  if (role == NULL && (env = g_getenv ("MILK_DB_ROLE")) != NULL)
    role = g_strdup (env);
  if (workers == NULL && (env = g_getenv ("MILK_WORKERS")) != NULL && *env)
    workers = g_strdup (env);

  if (!check_database_urls (database_url, migrate_url, error))
    return FALSE;
  self->database_url = g_steal_pointer (&database_url);
  self->migrate_database_url = g_steal_pointer (&migrate_url);

  if (listen && !parse_listen (self, listen, error))
    return FALSE;
  if (workers && !parse_count ("MILK_WORKERS", workers, 256, &self->workers, error))
    return FALSE;
  if (!load_env_settings (self, error))
    return FALSE;
  if (role)
    {
      g_free (self->db_role);
      self->db_role = g_steal_pointer (&role);
    }
  self->migrate_on_start = !no_migrate;
  /* Behind a reverse proxy every visitor seems to come from the proxy;
   * it says who they are in X-Forwarded-For. Only trust it there. */
  self->trust_forwarded = g_strcmp0 (g_getenv ("MILK_TRUST_FORWARDED"), "1") == 0;
  if (!load_limits (self, error) || !load_smtp (self, error) || !load_providers (self, error))
    return FALSE;

  if (base_url && !set_base_url (self, &base_url, error))
    return FALSE;
  return TRUE;
}
