/* milk-diary-opener.c — the diary opened on a thread while GTK starts
 *
 * GTK's start keeps the main thread busy for a fifth of a second (most of
 * it loading the GL driver), while the machine's other cores wait. The
 * application opens the diary meanwhile on a thread of its own, and
 * prepares the current month's bill, which sums the whole history for
 * its balance (milk_store_prepare_bill). The window then finds the
 * diary open and its first bill built.
 *
 * The thread is the store's only user until milk_diary_opener_finish()
 * joins it; the store is the main thread's from then on.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include "milk-diary-opener.h"

struct _MilkDiaryOpener
{
  GThread *thread;
  char *path;
  MilkDay today;
  MilkStore *store;  /* NULL if it could not be opened: then error */
  GError *error;
};

static gpointer
open_diary (gpointer data)
{
  MilkDiaryOpener *self = data;
  g_autoptr(GError) error = NULL;
  int year, month;

  self->store = milk_store_new (self->path, &self->error);
  if (self->store == NULL)
    return NULL;
  milk_day_get_ymd (self->today, &year, &month, NULL);
  /* Only a head start: the window builds the bill itself without it. */
  if (!milk_store_prepare_bill (self->store, year, month, &error))
    g_debug ("The month's bill was not prepared: %s", error->message);
  return NULL;
}

/**
 * milk_diary_opener_start:
 * @path: the diary file
 *
 * Starts opening @path on a thread.
 *
 * Returns: (transfer full): the opening, for milk_diary_opener_finish()
 */
MilkDiaryOpener *
milk_diary_opener_start (const char *path)
{
  MilkDiaryOpener *self = g_new0 (MilkDiaryOpener, 1);

  self->path = g_strdup (path);
  self->today = milk_day_today ();
  self->thread = g_thread_new ("milk-diary-open", open_diary, self);
  return self;
}

/**
 * milk_diary_opener_finish:
 * @opener: (transfer full): the opening started by milk_diary_opener_start()
 *
 * Waits for the diary to be open, as milk_store_new() would have opened
 * it, and frees @opener.
 *
 * Returns: (transfer full) (nullable): the diary, or NULL with @error set
 */
MilkStore *
milk_diary_opener_finish (MilkDiaryOpener  *opener,
                          GError          **error)
{
  MilkStore *store;

  g_return_val_if_fail (opener != NULL, NULL);

  g_thread_join (opener->thread);
  store = g_steal_pointer (&opener->store);
  if (store == NULL)
    g_propagate_error (error, g_steal_pointer (&opener->error));
  g_free (opener->path);
  g_free (opener);
  return store;
}
