/* milk-store-monitor.c — notices what other processes write to a diary
 *
 * The command line (`milk-diary --add`) and the reminder's own instance
 * write the diary file through connections of their own; the window
 * would not know until it asked again. SQLite's data_version changes
 * when another connection commits, and the file monitors say when to
 * look: a commit writes the -wal file, a checkpoint the diary itself.
 * On a change the store emits ::changed, as after its own writes.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-store"

#include "config.h"

#include "milk-store-monitor.h"
#include "milk-store-private.h"

/* Many events come with one commit; look once they have settled. */
#define SETTLE_MS 50

struct _MilkStoreMonitor
{
  GObject parent_instance;

  GWeakRef store;
  GFileMonitor *monitors[2]; /* the diary, its -wal */
  gint64 data_version;
  guint settle_id;
};

G_DEFINE_FINAL_TYPE (MilkStoreMonitor, milk_store_monitor, G_TYPE_OBJECT)

static gint64
read_data_version (MilkStore *store)
{
  sqlite3_stmt *stmt = _milk_store_prepare (store, "PRAGMA data_version", NULL);
  gint64 version = -1;

  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return version;
}

static gboolean
settled_cb (gpointer user_data)
{
  MilkStoreMonitor *self = MILK_STORE_MONITOR (user_data);
  g_autoptr(MilkStore) store = g_weak_ref_get (&self->store);
  gint64 version;
  /* Which records the other process wrote is not known. */
  const MilkStoreChange everything = { MILK_STORE_CHANGE_ALL, 1, MILK_STORE_CHANGE_LAST_DAY };

  self->settle_id = 0;
  if (store == NULL)
    return G_SOURCE_REMOVE;
  version = read_data_version (store);
  if (version >= 0 && version != self->data_version)
    {
      g_debug ("The diary was changed by another process");
      self->data_version = version;
      _milk_store_emit_changed (store, &everything);
    }
  return G_SOURCE_REMOVE;
}

static void
file_changed_cb (GFileMonitor      *monitor,
                 GFile             *file,
                 GFile             *other,
                 GFileMonitorEvent  event,
                 gpointer           user_data)
{
  MilkStoreMonitor *self = MILK_STORE_MONITOR (user_data);

  if (event != G_FILE_MONITOR_EVENT_CHANGED && event != G_FILE_MONITOR_EVENT_CREATED &&
      event != G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT)
    return;
  g_clear_handle_id (&self->settle_id, g_source_remove);
  self->settle_id = g_timeout_add (SETTLE_MS, settled_cb, self);
}

static void
milk_store_monitor_dispose (GObject *object)
{
  MilkStoreMonitor *self = MILK_STORE_MONITOR (object);

  g_clear_handle_id (&self->settle_id, g_source_remove);
  for (guint i = 0; i < G_N_ELEMENTS (self->monitors); i++)
    {
      if (self->monitors[i] != NULL)
        {
          g_signal_handlers_disconnect_by_data (self->monitors[i], self);
          g_file_monitor_cancel (self->monitors[i]);
        }
      g_clear_object (&self->monitors[i]);
    }

  G_OBJECT_CLASS (milk_store_monitor_parent_class)->dispose (object);
}

static void
milk_store_monitor_finalize (GObject *object)
{
  MilkStoreMonitor *self = MILK_STORE_MONITOR (object);

  g_weak_ref_clear (&self->store);

  G_OBJECT_CLASS (milk_store_monitor_parent_class)->finalize (object);
}

static void
milk_store_monitor_class_init (MilkStoreMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = milk_store_monitor_dispose;
  object_class->finalize = milk_store_monitor_finalize;
}

static void
milk_store_monitor_init (MilkStoreMonitor *self)
{
  g_weak_ref_init (&self->store, NULL);
}

/**
 * milk_store_monitor_new:
 * @store: an open diary
 *
 * Follows @store's file for commits made by other connections, for as
 * long as the monitor lives; @store emits ::changed after each. A diary
 * whose folder cannot be watched is simply not followed.
 */
MilkStoreMonitor *
milk_store_monitor_new (MilkStore *store)
{
  MilkStoreMonitor *self;
  const char *path;

  g_return_val_if_fail (MILK_IS_STORE (store), NULL);

  self = g_object_new (MILK_TYPE_STORE_MONITOR, NULL);
  g_weak_ref_set (&self->store, store);
  self->data_version = read_data_version (store);
  path = milk_store_get_path (store);
  for (guint i = 0; i < G_N_ELEMENTS (self->monitors); i++)
    {
      g_autofree char *name = g_strconcat (path, i == 0 ? "" : "-wal", NULL);
      g_autoptr(GFile) file = g_file_new_for_path (name);
      g_autoptr(GError) error = NULL;

      self->monitors[i] = g_file_monitor_file (file, G_FILE_MONITOR_NONE, NULL, &error);
      if (self->monitors[i] == NULL)
        {
          g_debug ("Not following %s: %s", name, error->message);
          continue;
        }
      g_signal_connect (self->monitors[i], "changed", G_CALLBACK (file_changed_cb), self);
    }
  return self;
}
