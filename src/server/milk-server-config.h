/* milk-server-config.h — the service's settings, from the environment
 * and the command line
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  MILK_ID_OIDC,     /* any OpenID Connect provider with discovery */
  MILK_ID_GITHUB,   /* GitHub's OAuth 2.0 and its API */
} MilkIdKind;

/* A provider people may sign in with (milk-server-external.c). */
typedef struct
{
  MilkIdKind kind;
  char *name;            /* in URLs and the database: [a-z0-9-] */
  char *label;           /* on the button: "Sign in with <label>" */
  char *issuer;          /* OIDC: the issuer; GitHub: its web address */
  char *api_url;         /* GitHub: its API */
  char *client_id;
  char *client_secret;
  /* OIDC, from discovery, on first use */
  GMutex lock;
  char *authorization_endpoint;
  char *token_endpoint;
  char *userinfo_endpoint;
} MilkIdProvider;

typedef enum
{
  MILK_SMTP_TLS_STARTTLS,   /* smtp://, STARTTLS required */
  MILK_SMTP_TLS_IMPLICIT,   /* smtps:// */
  MILK_SMTP_TLS_NONE,       /* smtp:// in the clear: a relay on this machine */
} MilkSmtpTls;

typedef struct
{
  char *database_url;           /* the service's login: owns nothing */
  char *migrate_database_url;   /* the owner's, for migrations; may be NULL */
  char *listen_host;
  guint listen_port;
  char *base_url;
  char *db_role;
  guint workers;
  guint page_size;
  gboolean migrate_on_start;
  gboolean trust_forwarded;
  guint refresh_grace_s;
  /* What one client may hold of the service (milk-server-limits.c). */
  guint header_timeout_s;       /* a whole request head, from its first byte */
  guint body_timeout_s;         /* the longest pause within a body */
  guint idle_timeout_s;         /* a kept-alive connection between requests */
  guint max_per_address;        /* open connections from one address; 0: any */
  gsize body_memory;            /* bytes of bodies being received at once */
  guint signups_per_hour;
  guint min_protocol;   /* a sync request of an older protocol version gets "upgrade_required" */
  /* Mail: NULL smtp_url for none (no email verification). */
  char *smtp_url;
  char *smtp_from;
  char *smtp_user;
  char *smtp_password;
  MilkSmtpTls smtp_tls;
  GPtrArray *providers;   /* MilkIdProvider */
} MilkServerConfig;

MilkServerConfig *milk_server_config_new      (void);
void              milk_server_config_free     (MilkServerConfig  *config);
gboolean          milk_server_config_load     (MilkServerConfig  *config,
                                               int               *argc,
                                               char            ***argv,
                                               GError           **error);
gboolean          milk_server_config_is_https (const MilkServerConfig *config);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MilkServerConfig, milk_server_config_free)

G_END_DECLS
