/* milk-protocol.h — the sync protocol's JSON codec (v1)
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "milk-record.h"

G_BEGIN_DECLS

#define MILK_PROTOCOL_MAX_BYTES   (4 * 1024 * 1024)
#define MILK_PROTOCOL_MAX_CHANGES 1000
#define MILK_PROTOCOL_MAX_DEPTH   8
#define MILK_PROTOCOL_MAX_CURSOR  128
#define MILK_PROTOCOL_MAX_TIME    G_GINT64_CONSTANT (9999999999999)
#define MILK_PROTOCOL_MAX_INSTANCE 64
/* A change's text longer than this is kept encoded again, compact: a page
 * of MILK_PROTOCOL_MAX_CHANGES stored texts fits in MILK_PROTOCOL_MAX_BYTES. */
#define MILK_PROTOCOL_MAX_CHANGE_TEXT 3584

/* The protocol version this build speaks. 1: requests without "version"
 * (apps before records kept what they did not know); 2: records keep the
 * members they do not know and send them back unchanged. */
#define MILK_PROTOCOL_VERSION     2
#define MILK_PROTOCOL_MAX_VERSION 1000000

typedef struct
{
  guint index;
  char *code;
  char *message;
} MilkRejection;

/* A change pulled from the service that this version cannot read: a
 * record type it does not know, or one it cannot validate (a later version
 * may allow more). Kept as the JSON text received, for a later version to
 * apply; type, key and hlc are NULL when they are not readable text. */
typedef struct
{
  char *type;
  char *key;
  char *hlc;
  char *json;
  char *code;
  char *message;
} MilkUnreadableChange;

/* A request carries cursor, node, instance and changes; a response carries cursor,
 * more, changes, rejected and the service's time (optional: 0 when an
 * older service leaves it out). One type serves both. In a request a
 * change that does not decode is rejected by its index; in a response it
 * is unreadable, never a rejection of what was pushed. */
typedef struct
{
  char *cursor;
  char *node;
  /* Which copy of the diary file is syncing as @node: in a request the
   * token the service handed out last (NULL: none yet), sent only when
   * @has_instance (older apps leave it out, and are not checked); in a
   * response the token to show next time, or NULL. */
  char *instance;
  gboolean has_instance;
  gboolean more;
  gint64 time;          /* ms since the epoch */
  gint64 version;       /* requests: the sender's protocol version, 1 when absent */
  GPtrArray *changes;   /* of MilkRecord */
  /* Parallel to @changes, the JSON text of each (char *, NULL: encode the
   * record): a decoded request has the text each change came as, so that
   * the service stores what it received; a response to encode serves the
   * stored text. Empty when not used. */
  GPtrArray *change_texts;
  GPtrArray *rejected;  /* of MilkRejection */
  GPtrArray *unreadable; /* of MilkUnreadableChange, responses only */
} MilkSyncMessage;

MilkSyncMessage *milk_sync_message_new          (void);
void             milk_sync_message_free         (MilkSyncMessage  *message);
void             milk_sync_message_reject       (MilkSyncMessage  *message,
                                                 guint             index,
                                                 const GError     *error);

MilkSyncMessage *milk_sync_request_decode       (const char       *data,
                                                 gsize             length,
                                                 GError          **error);
char            *milk_sync_request_encode       (const MilkSyncMessage *message,
                                                 gsize            *length);
MilkSyncMessage *milk_sync_response_decode      (const char       *data,
                                                 gsize             length,
                                                 GError          **error);
char            *milk_sync_response_encode      (const MilkSyncMessage *message,
                                                 gsize            *length);
char            *milk_protocol_error_encode     (const char       *code,
                                                 const char       *message,
                                                 gsize            *length);

gboolean         milk_protocol_check_json       (const char       *data,
                                                 gsize             length,
                                                 GError          **error);

void             milk_rejection_free            (MilkRejection    *rejection);
void             milk_unreadable_change_free    (MilkUnreadableChange *change);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MilkSyncMessage, milk_sync_message_free)

G_END_DECLS
