/* milk-bench-durable.c — whether the benchmarks' PostgreSQL commits as deployed
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "milk-bench-durable.h"

/* As deployed, a commit is on disk before it is acknowledged: fsync,
 * synchronous_commit and full_page_writes at their defaults. The test
 * suite's own cluster turns them off for speed; build-aux/dev bench
 * starts one that keeps them. Prints the settings; FALSE unless durable. */
gboolean
milk_bench_check_durable (MilkTestServer *server)
{
  PGconn *conn = milk_test_db_connect (server);
  PGresult *result = PQexec (conn, "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings "
                                   "WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes')");
  const char *settings = PQresultStatus (result) == PGRES_TUPLES_OK ? PQgetvalue (result, 0, 0) : "unknown";
  gboolean durable = g_str_equal (settings, "fsync=on full_page_writes=on synchronous_commit=on");

  g_print ("PostgreSQL: %s   goal: all on (as deployed)   %s\n", settings,
           durable ? "ok" : "OVER: these figures flatter the service");
  PQclear (result);
  PQfinish (conn);
  return durable;
}
