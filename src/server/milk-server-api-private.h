/* milk-server-api-private.h — what the files of the API share
 * (milk-server-api.c)
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libpq-fe.h>

#include "milk-day.h"
#include "milk-record.h"
#include "milk-server-request.h"

G_BEGIN_DECLS

typedef enum
{
  MILK_API_MEMBER_ABSENT,
  MILK_API_MEMBER_NULL,
  MILK_API_MEMBER_SET,
  MILK_API_MEMBER_WRONG,
} MilkApiMember;

void        _milk_api_add_day            (JsonBuilder *builder,
                                          const char  *name,
                                          MilkDay      day);
void        _milk_api_add_month          (JsonBuilder *builder,
                                          const char  *name,
                                          MilkDay      month);
void        _milk_api_add_int            (JsonBuilder *builder,
                                          const char  *name,
                                          gint64       value);
void        _milk_api_add_string         (JsonBuilder *builder,
                                          const char  *name,
                                          const char  *value);
void        _milk_api_add_bool           (JsonBuilder *builder,
                                          const char  *name,
                                          gboolean     value);
void        _milk_api_add_price          (JsonBuilder *builder,
                                          const char  *name,
                                          gint64       price);
void        _milk_api_add_entry          (JsonBuilder      *builder,
                                          const MilkRecord *entry);
void        _milk_api_add_payment        (JsonBuilder      *builder,
                                          const MilkRecord *payment,
                                          MilkDay           bill);
void        _milk_api_respond_builder    (MilkRequest *request,
                                          guint        status,
                                          JsonBuilder *builder);
void        _milk_api_respond_invalid    (MilkRequest  *request,
                                          const GError *error);
JsonObject *_milk_api_read_object        (MilkRequest *request);
gboolean    _milk_api_only_known_members (MilkRequest        *request,
                                          JsonObject         *object,
                                          const char * const *known);
MilkApiMember _milk_api_int_member       (JsonObject *object,
                                          const char *name,
                                          gint64     *value);
MilkApiMember _milk_api_string_member    (JsonObject  *object,
                                          const char  *name,
                                          const char **value);
gboolean    _milk_api_fail               (MilkRequest *request,
                                          const char  *code,
                                          const char  *message);
MilkRecord *_milk_api_refuse             (MilkRequest *request,
                                          const char  *code,
                                          const char  *message);
gboolean    _milk_api_has_segments       (MilkRequest *request,
                                          const char  *prefix,
                                          guint        n);
MilkDay     _milk_api_parse_day          (const char *text);
gboolean    _milk_api_store_record       (MilkRequest *request,
                                          PGconn      *conn,
                                          gint64       account_id,
                                          MilkRecord  *record,
                                          const char  *replaced_hlc);

G_END_DECLS
