/* milk-store-follower.c — a view's refresh after the diary changes
 *
 * The Preferences pages show what the diary holds and read it again when
 * it changes: after the page's own edits, a sync, an import, another
 * process's write. The refresh comes after the change, not inside it: the
 * widget that made the change (a switch, a row) is usually one the rebuild
 * replaces. Commits can come in bursts (a sync page by page), and one
 * refresh serves them all; changes of what the page does not show are let
 * by.
 *
 * The view owns its follower and drops it in its dispose; the follower
 * never outlives the view it calls.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include "milk-store-follower.h"

struct _MilkStoreFollower
{
  GObject parent_instance;

  GSignalGroup *store_signals;
  MilkStoreChangeFlags what;
  MilkStoreRefreshFunc refresh;
  gpointer view;          /* not owned: it owns this */
  guint refresh_id;
};

G_DEFINE_FINAL_TYPE (MilkStoreFollower, milk_store_follower, G_TYPE_OBJECT)

static gboolean
refresh_idle (gpointer user_data)
{
  MilkStoreFollower *self = MILK_STORE_FOLLOWER (user_data);

  self->refresh_id = 0;
  self->refresh (self->view);
  return G_SOURCE_REMOVE;
}

static void
store_changed (MilkStoreFollower     *self,
               const MilkStoreChange *change)
{
  if ((change->what & self->what) != 0 && self->refresh_id == 0)
    self->refresh_id = g_idle_add (refresh_idle, self);
}

static void
milk_store_follower_dispose (GObject *object)
{
  MilkStoreFollower *self = MILK_STORE_FOLLOWER (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->store_signals != NULL)
    g_signal_group_set_target (self->store_signals, NULL);
  g_clear_object (&self->store_signals);

  G_OBJECT_CLASS (milk_store_follower_parent_class)->dispose (object);
}

static void
milk_store_follower_class_init (MilkStoreFollowerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = milk_store_follower_dispose;
}

static void
milk_store_follower_init (MilkStoreFollower *self)
{
  self->store_signals = g_signal_group_new (MILK_TYPE_STORE);
  g_signal_group_connect_swapped (self->store_signals, "changed", G_CALLBACK (store_changed), self);
}

/**
 * milk_store_follower_new:
 * @store: (nullable): the diary; with none, nothing is followed
 * @what: the kinds of change @view shows
 * @refresh: reads the diary again into @view
 *
 * Calls @refresh once, from an idle callback, after one or more changes of
 * @store that touch @what.
 */
MilkStoreFollower *
milk_store_follower_new (MilkStore            *store,
                         MilkStoreChangeFlags  what,
                         MilkStoreRefreshFunc  refresh,
                         gpointer              view)
{
  MilkStoreFollower *self;

  g_return_val_if_fail (store == NULL || MILK_IS_STORE (store), NULL);
  g_return_val_if_fail (refresh != NULL, NULL);

  self = g_object_new (MILK_TYPE_STORE_FOLLOWER, NULL);
  self->what = what;
  self->refresh = refresh;
  self->view = view;
  g_signal_group_set_target (self->store_signals, store);
  return self;
}
