/* milk-server-limits.c — what clients may hold of the service: open
 * connections per address, bodies being received, and the memory they take
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A body is gathered in memory before its route runs, so anyone may make
 * the service hold as much as the bodies they start and do not finish. Each
 * body therefore reserves its declared length before a byte of it is read;
 * what does not fit gets a 503. Large bodies may use three quarters of the
 * budget, so that small ones (every sync a device makes between edits, and
 * every form) still get in while large ones fill it. Freed bodies go back to
 * the system: glibc keeps freed heap pages for reuse unless asked.
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <sys/resource.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "milk-server-config.h"
#include "milk-server-limits.h"
#include "milk-server-policy.h"

/* Descriptors kept for the database, the log and files. */
#define RESERVED_DESCRIPTORS 64
#define TRIM_DELAY_MS 1000
#define TRIM_AFTER_CLOSES 64

struct _MilkLimits
{
  guint max_per_address;
  guint max_connections;
  gsize body_memory;
  GHashTable *per_address;   /* address → open connections */
  guint connections;
  guint bodies;
  guint64 body_bytes;
  guint closes;              /* since the last trim */
  guint trim;
};

/* Every descriptor the system allows: each client holds one. */
static guint
raise_descriptor_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0)
    return 1024;
  if (limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
        getrlimit (RLIMIT_NOFILE, &limit);
    }
  return (guint) MIN (limit.rlim_cur, (rlim_t) G_MAXINT);
}

MilkLimits *
milk_limits_new (const MilkServerConfig *config)
{
  MilkLimits *self = g_new0 (MilkLimits, 1);
  guint descriptors = raise_descriptor_limit ();

  self->max_per_address = config->max_per_address;
  self->body_memory = config->body_memory;
  self->max_connections = descriptors > 2 * RESERVED_DESCRIPTORS + config->workers ?
                          descriptors - RESERVED_DESCRIPTORS - config->workers : RESERVED_DESCRIPTORS;
  self->per_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return self;
}

void
milk_limits_free (MilkLimits *self)
{
  if (self == NULL)
    return;
  g_clear_handle_id (&self->trim, g_source_remove);
  g_hash_table_unref (self->per_address);
  g_free (self);
}

static gboolean
trim (gpointer data)
{
  MilkLimits *self = data;

  self->trim = 0;
  self->closes = 0;
#ifdef __GLIBC__
  malloc_trim (0);
#endif
  return G_SOURCE_REMOVE;
}

/* Soon, once: a burst frees in many steps. */
static void
schedule_trim (MilkLimits *self)
{
  if (self->trim == 0)
    self->trim = g_timeout_add (TRIM_DELAY_MS, trim, self);
}

MilkConnectionVerdict
milk_limits_connection_open (MilkLimits *self,
                             const char *address)
{
  guint open = GPOINTER_TO_UINT (g_hash_table_lookup (self->per_address, address));

  if (self->connections >= self->max_connections)
    return MILK_CONNECTION_SERVICE_FULL;
  if (self->max_per_address > 0 && open >= self->max_per_address)
    return MILK_CONNECTION_ADDRESS_FULL;
  g_hash_table_replace (self->per_address, g_strdup (address), GUINT_TO_POINTER (open + 1));
  self->connections++;
  return MILK_CONNECTION_ACCEPTED;
}

void
milk_limits_connection_closed (MilkLimits *self,
                               const char *address)
{
  guint open = GPOINTER_TO_UINT (g_hash_table_lookup (self->per_address, address));

  g_return_if_fail (open > 0 && self->connections > 0);
  if (open == 1)
    g_hash_table_remove (self->per_address, address);
  else
    g_hash_table_replace (self->per_address, g_strdup (address), GUINT_TO_POINTER (open - 1));
  self->connections--;
  if (++self->closes >= TRIM_AFTER_CLOSES)
    schedule_trim (self);
}

/* Room for a body of this length, taken now; FALSE: come back later. */
gboolean
milk_limits_body_reserve (MilkLimits *self,
                          guint64     length)
{
  gboolean large = length > MILK_SMALL_BODY_BYTES;
  guint64 memory = large ? self->body_memory / 4 * 3 : self->body_memory;
  guint bodies = large ? MILK_MAX_BODIES / 4 * 3 : MILK_MAX_BODIES;

  if (self->bodies >= bodies || self->body_bytes + length > memory)
    return FALSE;
  self->bodies++;
  self->body_bytes += length;
  return TRUE;
}

void
milk_limits_body_release (MilkLimits *self,
                          guint64     length)
{
  g_return_if_fail (self->bodies > 0 && self->body_bytes >= length);
  self->bodies--;
  self->body_bytes -= length;
  if (length > MILK_SMALL_BODY_BYTES)
    schedule_trim (self);
}
