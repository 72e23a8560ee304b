/* milk-backup.h — the whole diary as one file, and back
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "milk-store.h"

G_BEGIN_DECLS

#define MILK_BACKUP_ERROR (milk_backup_error_quark ())

typedef enum
{
  MILK_BACKUP_ERROR_NOT_BACKUP,   /* not a Milk Diary backup at all */
  MILK_BACKUP_ERROR_DAMAGED,      /* one, but changed or cut short since it was written */
  MILK_BACKUP_ERROR_TOO_NEW,      /* written by a newer Milk Diary in a format this one does not know */
  MILK_BACKUP_ERROR_HAS_DATA,     /* the diary has records: restoring must be asked for as replacing */
} MilkBackupError;

/* A backup, read and checked in full. */
typedef struct
{
  GPtrArray *records;      /* of MilkRecord, tombstones included */
  GPtrArray *unreadable;   /* of MilkUnreadableChange: kept for a later version */
  char *created;           /* when it was written, ISO 8601 UTC */
  guint n_products;        /* records in use (not deleted), by type */
  guint n_entries;
  guint n_prices;
  guint n_payments;
} MilkBackup;

GQuark      milk_backup_error_quark (void);

char       *milk_backup_format      (MilkStore         *store,
                                     gsize             *length,
                                     GError           **error);
gboolean    milk_backup_write       (MilkStore         *store,
                                     const char        *path,
                                     GError           **error);
MilkBackup *milk_backup_parse       (const char        *data,
                                     gsize              length,
                                     GError           **error);
MilkBackup *milk_backup_read        (const char        *path,
                                     GError           **error);
gboolean    milk_backup_restore     (MilkStore         *store,
                                     const MilkBackup  *backup,
                                     gboolean           replace,
                                     GError           **error);
char       *milk_backup_describe    (const MilkBackup  *backup);
void        milk_backup_free        (MilkBackup        *backup);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MilkBackup, milk_backup_free)

G_END_DECLS
