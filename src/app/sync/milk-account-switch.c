/* milk-account-switch.c — signing a diary in to another account
 *
 * A diary remembers the account it was last signed in to (the server and
 * the service's opaque account id). Signed in to another one, while it
 * holds records, it must not send them all there unasked: they may have
 * come from the first account's other devices. The person chooses to
 * merge this diary into the account, or to start from the account's diary,
 * with this one kept as a file next to it.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-sync"

#include "config.h"

#include <glib/gstdio.h>

#include "milk-account-switch.h"

static char *
account_key (const char *server,
             const char *account)
{
  return g_strdup_printf ("%s %s", server, account ? account : "");
}

/* Whether signing in to account on server needs the person's choice: the
 * diary holds records and was signed in to another account — or synced
 * before diaries remembered theirs, so it cannot tell. */
gboolean
milk_account_switch_needs_asking (MilkStore  *store,
                                  const char *server,
                                  const char *account)
{
  g_autofree char *last = milk_store_dup_synced_account (store);
  g_autofree char *cursor = NULL;
  g_autofree char *key = NULL;

  if (!milk_store_has_records (store))
    return FALSE;
  if (last == NULL)
    {
      cursor = milk_store_dup_cursor (store);
      return cursor != NULL;
    }
  key = account_key (server, account);
  return g_strcmp0 (last, key) != 0;
}

/* Whether the diary is known to be another account's than the signed-in
 * one (a backup restored after switching accounts): syncing it would send
 * it there unasked. An account or a diary that does not say is not known
 * to be another's. */
gboolean
milk_account_switch_is_other (MilkStore  *store,
                              const char *server,
                              const char *account)
{
  g_autofree char *last = milk_store_dup_synced_account (store);
  g_autofree char *key = NULL;

  if (account == NULL || last == NULL)
    return FALSE;
  key = account_key (server, account);
  return g_strcmp0 (last, key) != 0;
}

/* Where "Start from the account's diary" keeps this one: next to the
 * diary, named for the moment, e.g. diary-before-sign-in-2026-12-02-0412.sqlite. */
char *
milk_account_switch_dup_copy_path (MilkStore *store)
{
  g_autofree char *dir = g_path_get_dirname (milk_store_get_path (store));
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d-%H%M%S");

  for (guint n = 1; ; n++)
    {
      g_autofree char *name = n == 1 ? g_strdup_printf ("diary-before-sign-in-%s.sqlite", stamp)
                                     : g_strdup_printf ("diary-before-sign-in-%s-%u.sqlite", stamp, n);
      char *path = g_build_filename (dir, name, NULL);

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        return path;
      g_free (path);
    }
}

/* Makes the diary the account's, as chosen: merged (everything here is
 * sent, merging by natural key), or saved to *saved_path and cleared, to
 * be pulled fresh. Called with no sync round running. */
gboolean
milk_account_switch_apply (MilkStore                *store,
                           const char               *server,
                           const char               *account,
                           MilkAccountSwitchChoice   choice,
                           char                    **saved_path,
                           GError                  **error)
{
  g_autofree char *key = account_key (server, account);
  g_autofree char *path = NULL;

  if (choice == MILK_ACCOUNT_SWITCH_REPLACE)
    {
      path = milk_account_switch_dup_copy_path (store);
      if (!milk_store_save_copy (store, path, error) ||
          !milk_store_clear_diary (store, error))
        return FALSE;
    }
  else if (!milk_store_reset_sync_state (store, error))
    return FALSE;
  if (!milk_store_set_synced_account (store, key, error))
    return FALSE;
  if (saved_path)
    *saved_path = g_steal_pointer (&path);
  return TRUE;
}
