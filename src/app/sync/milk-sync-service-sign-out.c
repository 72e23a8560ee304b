/* milk-sync-service-sign-out.c — signing out, after the round in flight
 *
 * Built on the service's public API only: stop, then sign the account out,
 * then clear the diary if asked.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-sync"

#include "config.h"

#include "milk-sync-service.h"

typedef struct
{
  gboolean keep_diary;
  GError *sign_out_error;
} SignOut;

static void
sign_out_free (SignOut *sign_out)
{
  g_clear_error (&sign_out->sign_out_error);
  g_free (sign_out);
}

static void
signed_out (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MilkSyncService *self = g_task_get_source_object (task);
  SignOut *sign_out = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* The tokens may not have been revoked (offline): the keyring is
   * cleared all the same, and the diary is still the person's choice. */
  milk_account_sign_out_finish (MILK_ACCOUNT (source), result, &sign_out->sign_out_error);
  if (!sign_out->keep_diary && !milk_store_clear_diary (milk_sync_service_get_store (self), &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else if (sign_out->sign_out_error)
    g_task_return_error (task, g_steal_pointer (&sign_out->sign_out_error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
stopped_for_sign_out (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MilkSyncService *self = MILK_SYNC_SERVICE (source);

  milk_sync_service_stop_finish (self, result, NULL);
  milk_account_sign_out_async (milk_sync_service_get_account (self), NULL, signed_out, g_object_ref (task));
}

/* Signs out, and clears the diary unless it is to be kept — only after
 * the round in flight has ended, which then has stored nothing more.
 * Syncing stays stopped. */
void
milk_sync_service_sign_out_async (MilkSyncService     *self,
                                  gboolean             keep_diary,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);
  SignOut *sign_out = g_new0 (SignOut, 1);

  g_return_if_fail (MILK_IS_SYNC_SERVICE (self));

  g_task_set_source_tag (task, milk_sync_service_sign_out_async);
  sign_out->keep_diary = keep_diary;
  g_task_set_task_data (task, sign_out, (GDestroyNotify) sign_out_free);
  milk_sync_service_stop_async (self, stopped_for_sign_out, task);
}

gboolean
milk_sync_service_sign_out_finish (MilkSyncService  *self,
                                   GAsyncResult     *result,
                                   GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
