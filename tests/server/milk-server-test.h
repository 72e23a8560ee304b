/* milk-server-test.h — a real PostgreSQL, a real server, a real HTTP client
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libpq-fe.h>
#include <libsoup/soup.h>

#include "milk-protocol.h"

G_BEGIN_DECLS

#define MILK_TEST_CLIENT_ID "io.github.milkdiary.MilkDiary"
#define MILK_TEST_REDIRECT  "http://127.0.0.1:49152/oauth/callback"
#define MILK_TEST_PASSWORD  "correct horse battery"

typedef struct
{
  char *url;            /* http://127.0.0.1:PORT */
  char *database_url;   /* the test's own database, as the cluster's superuser */
  char *service_url;    /* the same as the service logs in: milk_service */
  char *owner_url;      /* the same as the owner of its tables: milk_owner */
  GSubprocess *process;
  GThread *reader;
  GMutex lock;
  GCond cond;
  GString *log;         /* everything the server wrote to stderr */
} MilkTestServer;

typedef struct
{
  SoupSession *session; /* with its own cookie jar: one browser */
  guint status;
  GBytes *body;
  SoupMessageHeaders *headers;
  char *text;
  JsonNode *json;
} MilkTestClient;

typedef struct
{
  char *email;
  char *access_token;
  char *refresh_token;
  MilkTestClient *browser;
} MilkTestAccount;

/* FALSE (after saying why) when PostgreSQL is not installed. */
gboolean         milk_test_init              (int              *argc,
                                              char           ***argv);
gboolean         milk_test_have_postgres     (void);
int              milk_test_run_skipped       (const char       *path);
gboolean         milk_test_postgres_can_restart (void);
void             milk_test_postgres_restart  (void);
MilkTestServer  *milk_test_server_start      (const char * const *env);
void             milk_test_server_stop       (MilkTestServer   *server,
                                              int               signal_number);
char            *milk_test_server_log        (MilkTestServer   *server);
GArray          *milk_test_server_client_ports (MilkTestServer *server);
guint            milk_test_server_client_count (MilkTestServer *server);
PGconn          *milk_test_db_connect        (MilkTestServer   *server);
char            *milk_test_role_url          (const char       *database_url,
                                              const char       *role);
void             milk_test_cleanup           (void);

MilkTestClient  *milk_test_client_new        (void);
MilkTestClient  *milk_test_client_new_at     (const char       *local_ip);
void             milk_test_client_free       (MilkTestClient   *client);
guint            milk_test_request           (MilkTestClient   *client,
                                              MilkTestServer   *server,
                                              const char       *method,
                                              const char       *path,
                                              const char       *content_type,
                                              const char       *body,
                                              gssize            length,
                                              const char       *bearer);
guint            milk_test_form              (MilkTestClient   *client,
                                              MilkTestServer   *server,
                                              const char       *path,
                                              ...) G_GNUC_NULL_TERMINATED;
const char      *milk_test_body              (MilkTestClient   *client);
const char      *milk_test_header            (MilkTestClient   *client,
                                              const char       *name);
char            *milk_test_page_csrf         (MilkTestClient   *client);
JsonObject      *milk_test_json              (MilkTestClient   *client);
void             milk_test_assert_error      (MilkTestClient   *client,
                                              guint             status,
                                              const char       *code);

char            *milk_test_pkce_challenge    (const char       *verifier);
char            *milk_test_query_param       (const char       *url,
                                              const char       *name);
MilkTestAccount *milk_test_account_new       (MilkTestServer   *server,
                                              const char       *email);
void             milk_test_account_free      (MilkTestAccount  *account);
char            *milk_test_authorize         (MilkTestServer   *server,
                                              MilkTestClient   *browser,
                                              const char       *redirect_uri,
                                              const char       *verifier,
                                              const char       *state);

MilkSyncMessage *milk_test_sync              (MilkTestServer   *server,
                                              MilkTestClient   *client,
                                              const char       *token,
                                              const char       *cursor,
                                              const char       *node,
                                              GPtrArray        *changes);
MilkRecord      *milk_test_entry             (const char       *product,
                                              const char       *day,
                                              gint64            qty_ml,
                                              gint64            wall_ms,
                                              guint32           counter,
                                              guint64           node);
char            *milk_test_hlc               (gint64            wall_ms,
                                              guint32           counter,
                                              guint64           node);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MilkTestClient, milk_test_client_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MilkTestAccount, milk_test_account_free)

G_END_DECLS
