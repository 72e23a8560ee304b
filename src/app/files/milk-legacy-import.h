/* milk-legacy-import.h — bring a Home Milk Calculator database over
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "milk-import-report.h"
#include "milk-store.h"

G_BEGIN_DECLS

/* The three shapes its database went through, told apart by the columns
 * present (see LEGACY.md). */
typedef enum
{
  MILK_LEGACY_SHAPE_SINGLE = 1,    /* milk only, no users */
  MILK_LEGACY_SHAPE_USERS = 2,     /* user + milk.user_id */
  MILK_LEGACY_SHAPE_SETTINGS = 3,  /* as 2, plus price and currency per user */
} MilkLegacyShape;

/* Pass as user_id to take the only user there is (and in shape 1, always). */
#define MILK_LEGACY_ONLY_USER G_GINT64_CONSTANT (-1)

typedef struct
{
  gint64 id;           /* 0 in shape 1 */
  char *email;         /* NULL in shape 1 */
  char *username;      /* NULL when not set */
  char *currency;      /* ISO 4217 code in shape 3, else NULL */
  guint n_records;     /* rows in milk for this user, good or bad */
} MilkLegacyUser;

typedef struct _MilkLegacyDb MilkLegacyDb;

MilkLegacyDb     *milk_legacy_db_open        (const char     *path,
                                              GError        **error);
void              milk_legacy_db_free        (MilkLegacyDb   *db);
MilkLegacyShape   milk_legacy_db_get_shape   (MilkLegacyDb   *db);
GPtrArray        *milk_legacy_db_list_users  (MilkLegacyDb   *db,
                                              GError        **error);

/* Reads one user's rows and works out what the diary lacks, without
 * writing: *records (of MilkRecord, for milk_store_put_many) may be empty. */
MilkImportReport *milk_legacy_db_plan        (MilkLegacyDb   *db,
                                              MilkStore      *store,
                                              gint64          user_id,
                                              GPtrArray     **records,
                                              GError        **error);
/* plan, then write it all in one transaction. */
MilkImportReport *milk_legacy_db_import      (MilkLegacyDb   *db,
                                              MilkStore      *store,
                                              gint64          user_id,
                                              GError        **error);

void              milk_legacy_user_free      (MilkLegacyUser *user);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MilkLegacyDb, milk_legacy_db_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MilkLegacyUser, milk_legacy_user_free)

G_END_DECLS
