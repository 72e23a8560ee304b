/* milk-server-private.h — what the parts of milk-diary-server share
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libpq-fe.h>
#include <libsoup/soup.h>

#include "milk-ledger.h"

#include "milk-record.h"

G_BEGIN_DECLS

#define MILK_SERVER_ERROR (milk_server_error_quark ())

typedef enum
{
  MILK_SERVER_ERROR_CONFIG,
  MILK_SERVER_ERROR_DATABASE,
  MILK_SERVER_ERROR_MIGRATION,
  MILK_SERVER_ERROR_CONFLICT,
  MILK_SERVER_ERROR_BUSY,
  MILK_SERVER_ERROR_UPSTREAM,   /* a provider people sign in with */
} MilkServerError;

GQuark milk_server_error_quark (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

/* Lifetimes and limits; the server's policy in one place. */
#define MILK_CODE_TTL_S           60
#define MILK_ACCESS_TTL_S         3600
#define MILK_REFRESH_TTL_S        (60 * 24 * 3600)
#define MILK_REFRESH_GRACE_S      60   /* a repeat of the just-rotated refresh token gets the same pair */
#define MILK_SESSION_TTL_S        (7 * 24 * 3600)
/* Password checks (sign-in, and the account pages that ask for the
 * password): the name typed, from one address, may fail FREE times, then
 * waits 1 s, 2 s, 4 s ... up to CAP before each next check; the name from
 * all addresses together and one address for all names likewise. The
 * name's own cap is short: others' guesses only ever make its owner wait
 * a minute. Counts are forgotten a day after their last failure. */
#define MILK_LIMIT_PAIR_FREE      3
#define MILK_LIMIT_PAIR_CAP_S     (15 * 60)
#define MILK_LIMIT_NAME_FREE      10
#define MILK_LIMIT_NAME_CAP_S     60
#define MILK_LIMIT_ADDRESS_FREE   10
#define MILK_LIMIT_ADDRESS_CAP_S  (15 * 60)
#define MILK_LIMIT_FORGET_S       (24 * 3600)
#define MILK_SIGNUP_WINDOW_S      3600
#define MILK_SIGNUPS_PER_HOUR     5
#define MILK_HASH_AT_ONCE         2
#define MILK_HASH_WAIT_MS         1000
#define MILK_PASSWORD_MIN_CHARS   8
#define MILK_PASSWORD_MAX_BYTES   1024
#define MILK_FORM_MAX_BYTES       (16 * 1024)
/* Connections (defaults of the MILK_*_TIMEOUT settings, and the rest). */
#define MILK_HEADER_TIMEOUT_S     10
#define MILK_BODY_TIMEOUT_S       10
#define MILK_IDLE_TIMEOUT_S       30
#define MILK_MAX_PER_ADDRESS      100
#define MILK_BODY_MEMORY_MIB      64
#define MILK_MAX_BODIES           256
#define MILK_SMALL_BODY_BYTES     (64 * 1024)
#define MILK_BODY_MIN_RATE        (32 * 1024)   /* bytes per second, after the first timeout */
#define MILK_TOKEN_BYTES          32
#define MILK_CLIENT_ID            "io.github.milkdiary.MilkDiary"
#define MILK_CLIENT_REDIRECT_PATH "/oauth/callback"

/* ---- configuration ---- */

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

/* ---- database: the only place with SQL ---- */

typedef struct _MilkDb MilkDb;

typedef struct
{
  gint64 id;
  char *email;
} MilkAccount;

typedef struct
{
  char *id_hash;
  gint64 account_id;     /* 0 when signed out */
  char *email;
  char *csrf;
} MilkWebSession;

typedef enum
{
  MILK_GRANT_OK,
  MILK_GRANT_INVALID,    /* unknown, expired, revoked, wrong client */
  MILK_GRANT_REUSED,     /* spent before: the family is now revoked */
  MILK_GRANT_REPEATED,   /* the just-rotated refresh token again, within the grace: the same pair */
} MilkGrantResult;

typedef struct
{
  gint64 account_id;
  char *client_id;
  char *redirect_uri;
  char *code_challenge;
  char *family;
} MilkCodeGrant;

typedef struct
{
  char *access_token;
  char *refresh_token;
  gint64 expires_in;
} MilkTokenPair;

MilkDb     *milk_db_new                 (const char  *url,
                                         guint        size,
                                         GError     **error);
void        milk_db_free                (MilkDb      *db);
PGconn     *milk_db_acquire             (MilkDb      *db,
                                         GError     **error);
void        milk_db_release             (MilkDb      *db,
                                         PGconn      *conn);
gboolean    milk_db_migrate             (const char  *url,
                                         const char  *role,
                                         GError     **error);
gboolean    milk_db_ping                (PGconn      *conn,
                                         GError     **error);

gint64      milk_db_account_create      (PGconn      *conn,
                                         const char  *email,
                                         const char  *password_hash,
                                         GError     **error);
gboolean    milk_db_account_find        (PGconn      *conn,
                                         const char  *email,
                                         gint64      *account_id,
                                         char       **password_hash,
                                         GError     **error);
char       *milk_db_account_password    (PGconn      *conn,
                                         gint64       account_id,
                                         GError     **error);
gboolean    milk_db_account_set_password (PGconn     *conn,
                                          gint64      account_id,
                                          const char *password_hash,
                                          const char *keep_session_hash,
                                          GError    **error);
gboolean    milk_db_account_delete      (PGconn      *conn,
                                         gint64       account_id,
                                         GError     **error);

gboolean    milk_db_password_attempt    (PGconn      *conn,
                                         const char  *email,
                                         const char  *address,
                                         guint       *wait_s,
                                         GError     **error);
gboolean    milk_db_password_right      (PGconn      *conn,
                                         const char  *email,
                                         const char  *address,
                                         GError     **error);
gboolean    milk_db_signup_attempt      (PGconn      *conn,
                                         const char  *address,
                                         guint        per_hour,
                                         guint       *wait_s,
                                         GError     **error);

gboolean    milk_db_session_create      (PGconn      *conn,
                                         const char  *id_hash,
                                         gint64       account_id,
                                         const char  *csrf,
                                         GError     **error);
MilkWebSession *milk_db_session_lookup  (PGconn      *conn,
                                         const char  *id_hash,
                                         GError     **error);
gboolean    milk_db_session_delete      (PGconn      *conn,
                                         const char  *id_hash,
                                         GError     **error);

gboolean    milk_db_code_create         (PGconn      *conn,
                                         const char  *code_hash,
                                         gint64       account_id,
                                         const char  *client_id,
                                         const char  *redirect_uri,
                                         const char  *code_challenge,
                                         GError     **error);
MilkGrantResult milk_db_code_redeem     (PGconn      *conn,
                                         const char  *code_hash,
                                         MilkCodeGrant *grant,
                                         GError     **error);
gboolean    milk_db_tokens_issue        (PGconn      *conn,
                                         gint64       account_id,
                                         const char  *client_id,
                                         const char  *family,
                                         MilkTokenPair *pair,
                                         GError     **error);
MilkGrantResult milk_db_refresh_rotate  (PGconn      *conn,
                                         const char  *refresh_token,
                                         const char  *client_id,
                                         guint        grace_s,
                                         MilkTokenPair *pair,
                                         GError     **error);
gboolean    milk_db_token_revoke        (PGconn      *conn,
                                         const char  *token_hash,
                                         const char  *client_id,
                                         GError     **error);
gint64      milk_db_access_token_account (PGconn     *conn,
                                          const char *token_hash,
                                          GError    **error);

typedef struct
{
  gint64 seq;
  char *node;
  char *body;
} MilkStoredChange;

gboolean    milk_db_sync_push           (PGconn      *conn,
                                         gint64       account_id,
                                         const char  *node,
                                         GPtrArray   *records,
                                         GPtrArray   *bodies,
                                         GArray      *superseded,
                                         GPtrArray   *winners,
                                         GError     **error);
/* The instance tokens the service holds for a diary's node. */
typedef struct
{
  gboolean known;
  char *current;
  char *previous;
} MilkInstance;

typedef enum
{
  MILK_INSTANCE_NEW,    /* the node has not synced with an instance token */
  MILK_INSTANCE_SAME,   /* the diary showed the token it was last given */
  MILK_INSTANCE_RETRY,  /* the one before: the last answer was lost */
  MILK_INSTANCE_COPY,   /* none of them: a copied or restored diary file */
} MilkInstanceVerdict;

GPtrArray  *milk_db_sync_pull_for_token (PGconn        *conn,
                                         const char    *token_hash,
                                         const char    *node,
                                         gint64         after_seq,
                                         guint          limit,
                                         gint64        *account_id,
                                         MilkInstance  *instance,
                                         GError       **error);
MilkInstanceVerdict milk_instance_verdict (const MilkInstance *instance,
                                           const char         *presented);
gboolean    milk_db_sync_instance_next  (PGconn      *conn,
                                         gint64       account_id,
                                         const char  *node,
                                         const char  *presented,
                                         const char  *proposed,
                                         char       **next,
                                         GError     **error);
GPtrArray  *milk_db_sync_pull           (PGconn      *conn,
                                         gint64       account_id,
                                         gint64       after_seq,
                                         guint        limit,
                                         GError     **error);

/* milk-server-db-email.c: verified addresses and mailed links */
typedef enum
{
  MILK_LINK_VERIFY,
  MILK_LINK_RESET,
  MILK_LINK_CHANGE,
} MilkLinkPurpose;

typedef struct
{
  gint64 account_id;
  char *email;
  char *return_to;
} MilkLinkUse;

char       *milk_db_link_create         (PGconn      *conn,
                                         gint64       account_id,
                                         MilkLinkPurpose purpose,
                                         const char  *email,
                                         const char  *return_to,
                                         guint        ttl_s,
                                         guint        per_hour,
                                         gboolean    *limited,
                                         GError     **error);
gboolean    milk_db_link_use            (PGconn      *conn,
                                         const char  *token,
                                         MilkLinkPurpose purpose,
                                         MilkLinkUse *use,
                                         GError     **error);
gboolean    milk_db_account_verified    (PGconn      *conn,
                                         gint64       account_id,
                                         gboolean    *verified,
                                         GError     **error);
gboolean    milk_db_account_change_email (PGconn     *conn,
                                          gint64      account_id,
                                          const char *email,
                                          gboolean    verified,
                                          gboolean   *changed,
                                          GError    **error);
void        milk_link_use_clear         (MilkLinkUse *use);

/* milk-server-db-identity.c: identities at providers */
typedef struct
{
  char *provider;
  char *nonce;
  char *verifier;
  char *return_to;
  char *subject;   /* waiting for a password: the identity, and */
  char *email;     /* the email it vouched for */
} MilkLogin;

typedef struct
{
  char *provider;
  char *subject;
  char *email;
} MilkIdentity;

gboolean    milk_db_login_begin         (PGconn      *conn,
                                         const char  *state,
                                         const char  *provider,
                                         const char  *nonce,
                                         const char  *verifier,
                                         const char  *return_to,
                                         GError     **error);
gboolean    milk_db_login_take          (PGconn      *conn,
                                         const char  *secret,
                                         gboolean     by_link,
                                         MilkLogin   *login,
                                         GError     **error);
gboolean    milk_db_login_await_password (PGconn     *conn,
                                          const char *link,
                                          const MilkLogin *login,
                                          GError    **error);
gint64      milk_db_identity_account    (PGconn      *conn,
                                         const char  *provider,
                                         const char  *subject,
                                         GError     **error);
gboolean    milk_db_account_by_email    (PGconn      *conn,
                                         const char  *email,
                                         gint64      *account_id,
                                         gboolean    *verified,
                                         GError     **error);
gint64      milk_db_account_create_external (PGconn  *conn,
                                             const char *email,
                                             const char *provider,
                                             const char *subject,
                                             GError   **error);
gboolean    milk_db_identity_link       (PGconn      *conn,
                                         gint64       account_id,
                                         const char  *provider,
                                         const char  *subject,
                                         const char  *email,
                                         GError     **error);
GPtrArray  *milk_db_identities_list     (PGconn      *conn,
                                         gint64       account_id,
                                         gboolean    *has_password,
                                         GError     **error);
gboolean    milk_db_identity_unlink     (PGconn      *conn,
                                         gint64       account_id,
                                         const char  *provider,
                                         const char  *subject,
                                         gboolean    *unlinked,
                                         GError     **error);
void        milk_login_clear            (MilkLogin   *login);
void        milk_identity_free          (MilkIdentity *identity);

/* milk-server-db-api.c: an account's records for the API, and personal
 * access tokens */
#define MILK_PAT_PREFIX           "milkpat_"
#define MILK_PAT_PER_MINUTE       60
#define MILK_PAT_NAME_MAX_CHARS   80
#define MILK_PATS_PER_ACCOUNT     50

typedef struct
{
  gint64 id;
  char *name;
  char *scope;           /* "read" or "write" */
  gint64 created_at;     /* Unix seconds */
  gint64 last_used_at;   /* 0: never */
} MilkPersonalToken;

GPtrArray  *milk_db_records_list        (PGconn      *conn,
                                         gint64       account_id,
                                         GError     **error);
gboolean    milk_db_record_get          (PGconn      *conn,
                                         gint64       account_id,
                                         MilkRecordType type,
                                         const char  *key,
                                         MilkRecord **record,
                                         GError     **error);
gboolean    milk_db_personal_token_create (PGconn    *conn,
                                           gint64     account_id,
                                           const char *token_hash,
                                           const char *name,
                                           const char *scope,
                                           GError   **error);
GPtrArray  *milk_db_personal_tokens_list (PGconn     *conn,
                                          gint64      account_id,
                                          GError    **error);
gboolean    milk_db_personal_token_revoke (PGconn    *conn,
                                           gint64     account_id,
                                           gint64     token_id,
                                           gboolean  *revoked,
                                           GError   **error);
gboolean    milk_db_personal_token_use  (PGconn      *conn,
                                         const char  *token_hash,
                                         guint        per_minute,
                                         gint64      *account_id,
                                         char       **scope,
                                         guint       *retry_after,
                                         GError     **error);
void        milk_personal_token_free    (MilkPersonalToken *token);

/* milk-server-diary.c: an account's diary, for its bills */
typedef struct
{
  GPtrArray *records;      /* owns them all */
  GPtrArray *products;     /* by position, archived too */
  GPtrArray *entries;
  GPtrArray *payments;     /* by day, then id, as the store lists them */
  GHashTable *schedules;   /* product id → MilkPriceSchedule */
  const char *currency;    /* NULL: not set */
} MilkAccountDiary;

MilkAccountDiary *milk_account_diary_load   (PGconn           *conn,
                                           gint64            account_id,
                                           GError          **error);
MilkLedger       *milk_account_diary_ledger (MilkAccountDiary *diary);
void              milk_account_diary_free   (MilkAccountDiary *diary);
MilkRecord       *milk_account_diary_default_product (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MilkAccountDiary, milk_account_diary_free)

/* milk-server-db.c's own helpers, for its other files */
PGresult   *_milk_db_query              (PGconn      *conn,
                                         GError     **error,
                                         const char  *sql,
                                         int          n_params,
                                         const char * const *params);
gboolean    _milk_db_begin              (PGconn      *conn,
                                         gint64       account_id,
                                         GError     **error);
gboolean    _milk_db_commit             (PGconn      *conn,
                                         GError     **error);
void        _milk_db_rollback           (PGconn      *conn);

#define MILK_DB_QUERY(conn, error, sql, ...) \
  _milk_db_query ((conn), (error), (sql), \
                  G_N_ELEMENTS (((const char *[]) { __VA_ARGS__ })), \
                  (const char *[]) { __VA_ARGS__ })

void        milk_web_session_free       (MilkWebSession *session);
void        milk_code_grant_clear       (MilkCodeGrant  *grant);
void        milk_token_pair_clear       (MilkTokenPair  *pair);
void        milk_stored_change_free     (MilkStoredChange *change);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MilkWebSession, milk_web_session_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MilkTokenPair, milk_token_pair_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MilkLinkUse, milk_link_use_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MilkLogin, milk_login_clear)

/* ---- secrets ---- */

char       *milk_token_new              (void);
char       *milk_token_hash             (const char  *token);
gboolean    milk_secret_equal           (const char  *a,
                                         const char  *b);
char       *milk_password_hash          (const char  *password,
                                         GError     **error);
gboolean    milk_password_verify        (const char  *hash,
                                         const char  *password,
                                         gboolean    *right,
                                         GError     **error);
void        milk_password_init          (void);
char       *milk_pkce_s256              (const char  *verifier);
char       *milk_token_pair_seal        (const char  *refresh_token,
                                         const MilkTokenPair *pair);
gboolean    milk_token_pair_open        (const char  *refresh_token,
                                         const char  *sealed,
                                         MilkTokenPair *pair);

/* ---- the service as an HTTP client ---- */

gboolean    milk_http_url_allowed       (const char  *url);
JsonNode   *milk_http_json              (const char  *url,
                                         const char  *form,
                                         const char  *bearer,
                                         const char  *basic_user,
                                         const char  *basic_password,
                                         GError     **error);

/* ---- mail ---- */

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
gboolean    _milk_server_email_is_valid (const char  *email);

/* ---- HTTP ---- */

typedef struct _MilkServer MilkServer;
typedef struct _MilkRequest MilkRequest;

typedef void (*MilkRouteFunc) (MilkRequest *request,
                               PGconn      *conn);

struct _MilkRequest
{
  MilkServer *server;
  const MilkServerConfig *config;
  SoupServerMessage *msg;
  MilkRouteFunc func;

  char *method;
  char *path;
  char *remote;
  GHashTable *query;     /* name → value */
  GHashTable *headers;   /* lower-case name → value */
  GBytes *body;
  gint64 started_us;

  guint status;
  char *content_type;
  GBytes *response;
  GPtrArray *response_headers;  /* name, value, name, value, ... */
  char *log_note;        /* what the log line may say of the request */
};

MilkServer *milk_server_new             (MilkServerConfig *config,
                                         MilkDb           *db);
void        milk_server_free            (MilkServer       *server);
MilkMailer *milk_server_get_mailer      (MilkServer       *server);
gboolean    milk_server_listen          (MilkServer       *server,
                                         GError          **error);
int         milk_server_run             (MilkServer       *server);

typedef struct _MilkConnections MilkConnections;

MilkConnections *milk_server_connections_serve (SoupServer             *soup,
                                                const MilkServerConfig *config,
                                                GSocket                *socket,
                                                GError                **error);
void             milk_server_connections_stop  (MilkConnections        *connections);

/* ---- what clients may hold: connections, bodies, memory ---- */

typedef struct _MilkLimits MilkLimits;

typedef enum
{
  MILK_CONNECTION_ACCEPTED,
  MILK_CONNECTION_ADDRESS_FULL,   /* 503: this address has enough open */
  MILK_CONNECTION_SERVICE_FULL,   /* closed: descriptors are running out */
} MilkConnectionVerdict;

MilkLimits *milk_limits_new             (const MilkServerConfig *config);
void        milk_limits_free            (MilkLimits  *limits);
MilkConnectionVerdict milk_limits_connection_open (MilkLimits *limits,
                                                   const char *address);
void        milk_limits_connection_closed (MilkLimits *limits,
                                           const char *address);
gboolean    milk_limits_body_reserve    (MilkLimits  *limits,
                                         guint64      length);
void        milk_limits_body_release    (MilkLimits  *limits,
                                         guint64      length);

/* ---- HTTP framing: a request head checked on its raw bytes ---- */

#define MILK_HEAD_MAX_BYTES (64 * 1024)

typedef enum
{
  MILK_HEAD_INCOMPLETE,      /* no blank line yet: read on */
  MILK_HEAD_OK,
  MILK_HEAD_BAD,             /* 400: ambiguous or malformed */
  MILK_HEAD_TOO_LARGE,       /* 431: no end within MILK_HEAD_MAX_BYTES */
  MILK_HEAD_BODY_TOO_LARGE,  /* 413: a Content-Length beyond any body */
} MilkHeadVerdict;

MilkHeadVerdict milk_http_head_check    (const char  *data,
                                         gsize        length,
                                         gsize       *skip,
                                         gsize       *head_length,
                                         const char **problem);

/* ---- the log ---- */

char       *milk_log_escape             (const char  *text);
void        milk_log_request            (const char  *remote,
                                         const char  *method,
                                         const char  *path,
                                         guint        status,
                                         gint64       started_us,
                                         const char  *note);

const char *milk_request_header         (MilkRequest  *request,
                                         const char   *name);
GHashTable *milk_request_form           (MilkRequest  *request);
gboolean    milk_table_is_utf8          (GHashTable   *table);
char       *milk_request_cookie         (MilkRequest  *request,
                                         const char   *name);
void        milk_request_add_header     (MilkRequest  *request,
                                         const char   *name,
                                         const char   *value);
void        milk_request_set_cookie     (MilkRequest  *request,
                                         const char   *name,
                                         const char   *value,
                                         gint64        max_age);
void        milk_respond_json           (MilkRequest  *request,
                                         guint         status,
                                         JsonNode     *node);
void        milk_respond_bytes          (MilkRequest  *request,
                                         guint         status,
                                         const char   *content_type,
                                         char         *data,
                                         gsize         length);
void        milk_respond_error          (MilkRequest  *request,
                                         guint         status,
                                         const char   *code,
                                         const char   *message);
void        milk_respond_redirect       (MilkRequest  *request,
                                         const char   *location);
void        milk_respond_page           (MilkRequest  *request,
                                         guint         status,
                                         const char   *page,
                                         ...) G_GNUC_NULL_TERMINATED;
void        milk_respond_db_error       (MilkRequest  *request,
                                         const GError *error);

void        milk_route_healthz          (MilkRequest *request, PGconn *conn);
void        milk_route_sync             (MilkRequest *request, PGconn *conn);
void        milk_route_metadata         (MilkRequest *request, PGconn *conn);
void        milk_route_authorize        (MilkRequest *request, PGconn *conn);
void        milk_route_token            (MilkRequest *request, PGconn *conn);
void        milk_route_revoke           (MilkRequest *request, PGconn *conn);
void        milk_route_signup           (MilkRequest *request, PGconn *conn);
void        milk_route_signin           (MilkRequest *request, PGconn *conn);
void        milk_route_signout          (MilkRequest *request, PGconn *conn);
void        milk_route_account          (MilkRequest *request, PGconn *conn);
void        milk_route_password         (MilkRequest *request, PGconn *conn);
void        milk_route_delete           (MilkRequest *request, PGconn *conn);
void        milk_route_home             (MilkRequest *request, PGconn *conn);
void        milk_route_verify           (MilkRequest *request, PGconn *conn);
void        milk_route_verify_send      (MilkRequest *request, PGconn *conn);
void        milk_route_forgot           (MilkRequest *request, PGconn *conn);
void        milk_route_email            (MilkRequest *request, PGconn *conn);
void        milk_route_external_start   (MilkRequest *request, PGconn *conn);
void        milk_route_external_callback (MilkRequest *request, PGconn *conn);
void        milk_route_identity_unlink  (MilkRequest *request, PGconn *conn);
void        milk_route_email_confirm    (MilkRequest *request, PGconn *conn);
void        milk_route_reset            (MilkRequest *request, PGconn *conn);
void        milk_route_style            (MilkRequest *request, PGconn *conn);
void        milk_route_openapi          (MilkRequest *request, PGconn *conn);
void        milk_route_diary            (MilkRequest *request, PGconn *conn);
void        milk_route_api_month        (MilkRequest *request, PGconn *conn);
void        milk_route_api_products     (MilkRequest *request, PGconn *conn);
void        milk_route_api_entry        (MilkRequest *request, PGconn *conn);
void        milk_route_api_payments     (MilkRequest *request, PGconn *conn);
void        milk_route_tokens_create    (MilkRequest *request, PGconn *conn);
void        milk_route_tokens_revoke    (MilkRequest *request, PGconn *conn);

/* milk-server-tokens.c: personal access tokens on the account page, and
 * who a request to the resources comes from */
char       *milk_tokens_html            (MilkRequest    *request,
                                         PGconn         *conn,
                                         MilkWebSession *session);
void        milk_page_render_account    (MilkRequest    *request,
                                         PGconn         *conn,
                                         guint           status,
                                         MilkWebSession *session,
                                         const char     *notice,
                                         const char     *error);
gint64      milk_api_authenticate       (MilkRequest    *request,
                                         PGconn         *conn,
                                         gboolean        write);

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
void        milk_page_render_signin     (MilkRequest    *request,
                                         guint           status,
                                         MilkWebSession *session,
                                         const char     *email,
                                         const char     *return_to,
                                         const char     *link,
                                         const char     *notice);

/* milk-server-external.c: signing in through a provider */
char       *milk_external_buttons_html  (MilkRequest    *request,
                                         const char     *return_to);
char       *milk_external_identities_html (MilkRequest  *request,
                                           PGconn       *conn,
                                           MilkWebSession *session);
void        milk_external_link_after_password (MilkRequest *request,
                                               PGconn      *conn,
                                               const char  *link,
                                               gint64       account_id,
                                               const char  *email);

/* milk-server-verify.c: with mail, an email counts once its link was opened */
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
const char *_milk_server_password_problem (const char   *password,
                                           const char   *confirm);

G_END_DECLS
