/* milk-server-sync-batch.c — the syncs a worker found waiting, the no-op
 * ones' statements in one pipeline
 *
 * Under load a worker finds several requests waiting at once. A no-op sync
 * is one statement (milk-server-db-sync.c), and run on its own it costs a
 * round trip to PostgreSQL: a send, a wait and a read here, a wakeup, a
 * read and a send in the backend — more than the statement itself costs.
 * Here the statements of the no-op syncs in a batch go out in one pipeline
 * (libpq's pipeline mode) with one Sync at its end, and their results come
 * back together (issue 18).
 *
 * One Sync makes the batch one implicit transaction. That is sound for
 * these statements: they only read; each of the functions they call sets
 * milk.account for its own account before it reads, so that none reads
 * with another's; and under READ COMMITTED each takes its own snapshot. A
 * statement that fails aborts the ones after it: each statement whose
 * result is not its rows is run again on its own, so that its request
 * gets its own answer, or its own error.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include "milk-server-routes.h"
#include "milk-server-sync-private.h"

/* The statement of each of @jobs, in one pipeline: each one's result in
 * @results, NULL where none came. */
static void
pull_pipelined (GPtrArray  *jobs,
                PGconn     *conn,
                PGresult  **results)
{
  guint sent = 0;

  if (!PQenterPipelineMode (conn))
    return;
  while (sent < jobs->len && _milk_sync_job_send_pull (g_ptr_array_index (jobs, sent), conn))
    sent++;
  if (PQpipelineSync (conn) == 1)
    {
      for (guint i = 0; i < sent; i++)
        {
          PGresult *extra;

          if ((results[i] = PQgetResult (conn)) == NULL)
            break;
          /* Each statement's results end with a NULL. */
          while ((extra = PQgetResult (conn)) != NULL)
            PQclear (extra);
        }
      for (;;)
        {
          PGresult *sync = PQgetResult (conn);
          ExecStatusType status = PQresultStatus (sync);

          PQclear (sync);
          if (sync == NULL || status == PGRES_PIPELINE_SYNC)
            break;
        }
    }
  /* Left in pipeline mode only on a broken connection, which the pool
   * drops when it is given back (milk_db_release). */
  PQexitPipelineMode (conn);
}

/* Whether @request looks like a no-op sync, from its body's bytes alone:
 * its "changes" an empty array. Only a hint, for what a worker takes in
 * one batch; a wrong one costs time, not correctness (a push in a batch
 * is run on its own, after the pipeline), so a body that says it in
 * another way (escapes, a second "changes") may be taken for a push. */
gboolean
milk_route_sync_looks_noop (MilkRequest *request)
{
  gsize length = 0;
  const char *body, *at, *end;

  if (request->func != milk_route_sync || request->body == NULL)
    return FALSE;
  body = g_bytes_get_data (request->body, &length);
  if (body == NULL || (at = g_strstr_len (body, length, "\"changes\"")) == NULL)
    return FALSE;
  end = body + length;
  at += 9;
  while (at < end && g_ascii_isspace (*at))
    at++;
  if (at == end || *at++ != ':')
    return FALSE;
  while (at < end && g_ascii_isspace (*at))
    at++;
  if (at == end || *at++ != '[')
    return FALSE;
  while (at < end && g_ascii_isspace (*at))
    at++;
  return at < end && *at == ']';
}

/* Answers each of @requests, and says so to @answered as soon as it is
 * answered: a no-op sync does not wait for another's push to commit. */
void
milk_route_sync_batch (MilkRequest     **requests,
                       guint             n_requests,
                       PGconn           *conn,
                       MilkAnsweredFunc  answered,
                       gpointer          user_data)
{
  g_autoptr(GPtrArray) noops = g_ptr_array_new_with_free_func ((GDestroyNotify) _milk_sync_job_free);
  g_autoptr(GPtrArray) pushes = g_ptr_array_new_with_free_func ((GDestroyNotify) _milk_sync_job_free);
  g_autofree PGresult **results = NULL;

  for (guint i = 0; i < n_requests; i++)
    {
      MilkSyncJob *job = _milk_sync_job_begin (requests[i], conn);

      if (job == NULL)
        answered (requests[i], user_data);
      else
        g_ptr_array_add (_milk_sync_job_is_noop (job) ? noops : pushes, job);
    }

  results = g_new0 (PGresult *, noops->len);
  if (noops->len > 1)
    pull_pipelined (noops, conn, results);
  for (guint i = 0; i < noops->len; i++)
    {
      MilkSyncJob *job = g_ptr_array_index (noops, i);
      MilkRequest *request = _milk_sync_job_get_request (job);

      if (PQresultStatus (results[i]) == PGRES_TUPLES_OK)
        {
          _milk_sync_job_pulled (job, conn, results[i], NULL);
          /* The log says so, and with how many. */
          if (request->log_note)
            {
              char *note = g_strdup_printf ("%s pipelined=%u", request->log_note, noops->len);

              g_free (request->log_note);
              request->log_note = note;
            }
        }
      else
        _milk_sync_job_run (job, conn);
      PQclear (results[i]);
      answered (request, user_data);
    }

  for (guint i = 0; i < pushes->len; i++)
    {
      MilkSyncJob *job = g_ptr_array_index (pushes, i);

      _milk_sync_job_run (job, conn);
      answered (_milk_sync_job_get_request (job), user_data);
    }
}
