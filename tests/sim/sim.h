/* sim.h — the convergence simulator's parts (see test-sim.c)
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "milk-account.h"
#include "milk-async-test-util.h"
#include "milk-server-test.h"
#include "milk-store.h"
#include "milk-sync-service.h"
#include "milk-token-store.h"

G_BEGIN_DECLS

#define N_DEVICES   3
#define N_ACCOUNTS  2     /* the second is made at a seed's first account switch */
#define N_INSTANCES 2     /* service processes behind the proxy, one database */
#define ZERO_HLC "0000000000000-0000-0000000000000000"
#define CHECK_NODE "00000000000000ff"
#define HOUR_MS (G_GINT64_CONSTANT (3600) * 1000)

/* ---- sim-proxy.c: the service instances, PostgreSQL and the proxy ---- */

typedef enum
{
  FAULT_NONE,
  FAULT_DROP_REQUEST,     /* closed before forwarding */
  FAULT_DROP_RESPONSE,    /* forwarded, closed before the answer */
  FAULT_DELAY,
  FAULT_DUPLICATE,        /* sent upstream twice, at once, to both instances */
  FAULT_CUT_REQUEST,      /* half the request body, then closed */
  FAULT_CUT_RESPONSE,     /* half the response body, then closed */
  FAULT_RESTART,          /* the instance killed mid-request, started again */
  FAULT_KILL_BEFORE,      /* the device killed before its answer arrives */
  FAULT_KILL_AFTER,       /* the device killed while it stores its answer */
  FAULT_PG_RESTART,       /* PostgreSQL restarted as the request goes up */
  N_FAULTS
} FaultKind;

extern const char * const sim_fault_names[N_FAULTS];

typedef struct
{
  guint exercised[N_FAULTS];
  guint requests;
  guint refreshes;              /* token refreshes through the proxy */
  guint copies_refused;         /* answers "replica_reused" */
  guint served[N_INSTANCES];    /* requests each instance answered */
  guint pg_restarts;            /* done, with pg_ctl */
  guint failed_answers;         /* 5xx answers the proxy passed on */
} SimProxyStats;

extern char *proxy_url;                 /* what the devices and the service's metadata say */
extern MilkTestServer direct;           /* the harness's HTTP helpers: instance 0 itself */

void     sim_proxy_start          (void);
void     sim_service_start        (MilkTestServer *harness);
void     sim_service_stop         (void);
gboolean sim_service_healthy      (void);
void     sim_settle               (void);
gboolean sim_can_restart_postgres (void);
void     queue_fault              (FaultKind  kind,
                                   guint      param);
void     clear_faults             (void);
void     sim_set_kill_target      (GPid       pid);
void     kill_device              (void);
SimProxyStats sim_proxy_take_stats (void);
void     die_with_parent          (gpointer   data);

/* ---- the seed ---- */

typedef struct
{
  char *path;
  char *node;
  char *backup;                   /* an older copy of its file, or NULL */
  int backup_account;             /* the account the copy was synced with */
  gint64 offset_ms;               /* how far its clock is off */
  gint64 first_offset_ms;         /* and was at the start */
  int account;                    /* the account it is signed in to */
  gboolean old;                   /* writes products and days as a version before weekday_qty_ml and
                                     morning_ml */
  MilkStore *store;
  MilkAccount *account_obj;
  MilkSyncService *sync;
  MilkTestWait wait;
  gboolean busy;
} Device;

typedef struct
{
  MilkTestAccount *owner;         /* NULL until used; its token is the checker's */
  char *id;                       /* the service's opaque account id */
  GHashTable *model;              /* "type/key" → MilkRecord with the greatest HLC written */
  GHashTable *far;                /* ids written with a stamp the service refuses */
} SimAccount;

typedef struct
{
  guint seed;
  GRand *rng;
  char *dir;
  char *product;                  /* a second product, besides the default */
  Device devices[N_DEVICES];
  SimAccount accounts[N_ACCOUNTS];
  GPtrArray *payments;            /* payment ids written so far */
  gboolean pg_restarted;          /* one PostgreSQL restart a seed at most */
  gboolean failed;
  guint ops, syncs, kills;
} Sim;

/* Over the whole run, for the end's check that each kind happened. */
typedef struct
{
  guint clocks_off, clock_jumps, copies, backups, restores, expiries, far_writes;
  guint future_writes;            /* versions written with a member this build does not know */
  guint future_kept;              /* edits here that kept such a member */
  guint old_writes;               /* products written as an older version (weekday_qty_ml unknown) */
  guint old_kept;                 /* of them, ones that kept a weekday_qty_ml they did not know */
  guint old_entry_writes;         /* days written as an older version (morning_ml, evening_ml unknown) */
  guint old_parts_kept;           /* of them, ones that kept a day's morning and evening */
  guint old_parts_stale;          /* of those, with a new quantity the parts no longer add up to */
  guint split_at_end;             /* final days delivered morning and evening */
  guint unknown_at_end;           /* final versions carrying what this build does not know */
  guint weekday_at_end;           /* final products with a weekday_qty_ml */
  guint switches_merge, switches_replace, switches_asked;
  guint restores_other_account;   /* backups restored after the device switched accounts */
  guint leaks_checked;            /* keys of one account looked for in the other */
  guint pg_restarts, pg_failed_syncs;
} SimCounts;

extern SimCounts counts;

/* Which kinds a run leaves out: MILK_SIM_OFF=versions,accounts,instances,pg
 * (to watch the counters' assertions fail). */
gboolean sim_off (const char *kind);

#define FAIL(sim, ...) G_STMT_START { \
    g_printerr ("seed %u: ", (sim)->seed); \
    g_printerr (__VA_ARGS__); \
    g_printerr ("\n"); \
    (sim)->failed = TRUE; \
  } G_STMT_END

#define TRACE(...) G_STMT_START { \
    if (g_getenv ("MILK_SIM_TRACE")) \
      { \
        g_printerr ("# %.3f ", g_get_monotonic_time () / 1e6); \
        g_printerr (__VA_ARGS__); \
        g_printerr ("\n"); \
      } \
  } G_STMT_END

char      *identity          (const MilkRecord *record);
void       model_note        (Sim              *sim,
                              int               account,
                              const MilkRecord *record);

/* ---- sim-world.c: devices, files, clocks, sign-ins ---- */

gint64     offset_clock      (gpointer          data);
void       device_open       (Sim              *sim,
                              Device           *d);
void       device_close      (Device           *d);
MilkTokens *device_tokens    (Sim              *sim,
                              int               account,
                              int               i);
void       device_sync_start (Device           *d);
gboolean   device_sync_finish (Device          *d,
                               GError         **error);
gboolean   sync_everything   (Device           *d);
SimAccount *sim_account      (Sim              *sim,
                              int               index);
void       world_op          (Sim              *sim,
                              Device           *d,
                              guint             what);

/* ---- sim-versions.c: records of other versions ---- */

gboolean   versions_write    (Sim              *sim,
                              Device           *d,
                              MilkRecord       *record);
void       versions_check    (Sim              *sim,
                              const char       *id,
                              const MilkRecord *latest,
                              const MilkRecord *theirs);

/* ---- sim-check.c: the end state ---- */

void       quiesce           (Sim              *sim);
void       check_converged   (Sim              *sim);

G_END_DECLS
