/* milk-command-sync.c — milk-diary --sign-in and --sync
 *
 * For scripts and machines without a desktop session of their own: the
 * same browser sign-in as the window's, with the tokens in the same
 * keyring, and one sync round that says what it did and fails with a
 * non-zero status when it could not finish.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "milk-account.h"
#include "milk-account-switch.h"
#include "milk-command-sync.h"
#include "milk-sync-service.h"

typedef struct
{
  gboolean done;
  gboolean ok;
  GError *error;
} Wait;

static void
account_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Wait *wait = user_data;

  if (g_async_result_is_tagged (result, milk_account_sign_in_async))
    wait->ok = milk_account_sign_in_finish (MILK_ACCOUNT (source), result, &wait->error);
  else
    wait->ok = milk_account_load_finish (MILK_ACCOUNT (source), result, &wait->error);
  wait->done = TRUE;
}

static void
account_done_sign_out (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  Wait *wait = user_data;

  wait->ok = milk_account_sign_out_finish (MILK_ACCOUNT (source), result, &wait->error);
  wait->done = TRUE;
}

static void
sync_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Wait *wait = user_data;

  wait->ok = milk_sync_service_sync_finish (MILK_SYNC_SERVICE (source), result, &wait->error);
  wait->done = TRUE;
}

static gboolean
wait_for (Wait    *wait,
          GError **error)
{
  while (!wait->done)
    g_main_context_iteration (NULL, TRUE);
  if (!wait->ok)
    {
      g_propagate_error (error, wait->error);
      return FALSE;
    }
  return TRUE;
}

static int
fail (const char *message)
{
  g_printerr ("milk-diary: %s\n", message);
  return 1;
}

/* Signed in to another account than the diary's, with no choice made:
 * the new sign-in is undone (its tokens revoked), and nothing changed. */
static int
refuse_switch (MilkAccount *account,
               const char  *server)
{
  Wait wait = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  milk_account_sign_out_async (account, NULL, account_done_sign_out, &wait);
  if (!wait_for (&wait, &error))
    g_printerr ("milk-diary: %s\n", error->message);
  /* TRANSLATORS: %s is the sync server's address */
  text = g_strdup_printf (_("This diary was signed in to another account than the one just chosen on %s. "
                            "Nothing was sent, and this device is signed out. Sign in again with --merge "
                            "to add this diary to that account, or with --replace to keep this diary as a "
                            "file next to it and start from the account’s diary."), server);
  return fail (text);
}

static int
sign_in (MilkStore  *store,
         GSettings  *settings,
         const char *server,
         int         choice)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = milk_account_normalize_server (server, &error);
  g_autoptr(MilkAccount) account = NULL;
  g_autofree char *saved = NULL;
  Wait wait = { 0 };

  if (normalized == NULL)
    return fail (error->message);
  account = milk_account_new (normalized, milk_store_get_node (store));
  /* TRANSLATORS: %s is the sync server's address */
  g_print (_("Continue in your web browser to sign in to %s\n"), normalized);
  milk_account_sign_in_async (account, NULL, account_done, &wait);
  if (!wait_for (&wait, &error))
    return fail (error->message);

  if (choice < 0 && milk_account_switch_needs_asking (store, normalized, milk_account_get_account_id (account)))
    return refuse_switch (account, normalized);
  if (!milk_account_switch_apply (store, normalized, milk_account_get_account_id (account),
                                  choice < 0 ? MILK_ACCOUNT_SWITCH_MERGE : choice, &saved, &error))
    return fail (error->message);
  if (saved)
    /* TRANSLATORS: %s is a file name */
    g_print (_("The diary as it was is saved as %s\n"), saved);
  g_settings_set_string (settings, "sync-server", normalized);
  g_settings_sync ();
  g_print (_("Signed in to %s\n"), normalized);
  return 0;
}

static int
sync_once (MilkStore *store,
           GSettings *settings)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *server = g_settings_get_string (settings, "sync-server");
  g_autoptr(MilkAccount) account = NULL;
  g_autoptr(MilkSyncService) sync = NULL;
  Wait loaded = { 0 }, synced = { 0 };
  guint sent, received, refused, replaced, waiting;

  if (*server == '\0')
    return fail (_("This diary is not signed in to a sync server; sign in with --sign-in URL"));
  account = milk_account_new (server, milk_store_get_node (store));
  milk_account_load_async (account, NULL, account_done, &loaded);
  if (!wait_for (&loaded, &error))
    return fail (error->message);
  if (!milk_account_get_signed_in (account))
    {
      g_autofree char *text = g_strdup_printf (_("Not signed in to %s; sign in with --sign-in %s"), server, server);
      return fail (text);
    }

  sync = milk_sync_service_new (store, account);
  milk_sync_service_sync_async (sync, NULL, sync_done, &synced);
  if (!wait_for (&synced, &error))
    {
      /* TRANSLATORS: %s says why, such as "Offline; changes are kept and will be sent later" */
      g_autofree char *text = g_strdup_printf (_("The sync did not finish: %s"),
                                               milk_sync_service_get_message (sync) ? milk_sync_service_get_message (sync)
                                                                                    : error->message);
      return fail (text);
    }
  milk_sync_service_get_counts (sync, &sent, &received, &refused, &replaced);
  waiting = milk_store_count_pending (store);
  /* TRANSLATORS: "Synced with https://…: sent 3 changes, received 2" */
  g_print (_("Synced with %s: sent %u, received %u"), server, sent, received);
  if (refused > 0)
    g_print (ngettext ("; %u change refused (the window lists it)", "; %u changes refused (the window lists them)",
                       refused), refused);
  if (replaced > 0)
    g_print (ngettext ("; %u change replaced by a newer one from another device",
                       "; %u changes replaced by newer ones from another device", replaced), replaced);
  if (waiting > 0)
    g_print (ngettext ("; %u change still waiting", "; %u changes still waiting", waiting), waiting);
  g_print ("\n");
  if (milk_sync_service_get_message (sync))
    g_print ("%s\n", milk_sync_service_get_message (sync));
  return refused > 0 ? 1 : 0;
}

/* --sign-in URL, then --sync, as asked; an exit status. */
int
milk_command_sync_run (MilkStore  *store,
                       GSettings  *settings,
                       const char *sign_in_server,
                       int         choice,
                       gboolean    sync)
{
  int status = 0;

  if (sign_in_server)
    status = sign_in (store, settings, sign_in_server, choice);
  if (status == 0 && (sync || sign_in_server))
    status = sync_once (store, settings);
  return status;
}
