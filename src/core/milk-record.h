/* milk-record.h — the synced record types and their validation
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "milk-day.h"

G_BEGIN_DECLS

typedef enum
{
  MILK_RECORD_PRODUCT,
  MILK_RECORD_ENTRY,
  MILK_RECORD_PRICE,
  MILK_RECORD_PAYMENT,
  MILK_RECORD_SETTING,
} MilkRecordType;

#define MILK_NOTE_MAX_CHARS 500
#define MILK_NAME_MAX_CHARS 80
#define MILK_UNIT_MAX_CHARS 16
#define MILK_SETTING_VALUE_MAX_CHARS 200
#define MILK_NO_PRICE (-1)
/* A page of the largest changes must still fit in one protocol document. */
#define MILK_RECORD_MAX_EXTRA_BYTES 1024

/* The product every new install has; a fixed id so that two fresh devices
 * agree on it instead of syncing two "Milk"s. */
#define MILK_DEFAULT_PRODUCT_ID "00000000-0000-4000-8000-000000000001"

/* Which fields mean something depends on the type:
 *   product  id, name, unit, default_qty_ml, weekday_qty_ml (optional),
 *            position, archived, evening_qty_ml (optional)
 *   entry    id (product), day, qty_ml, price_override, note,
 *            morning_ml and evening_ml (optional)
 *   price    id (product), day, price_per_l
 *   payment  id, day, amount, note, bill (optional)
 *   setting  id (setting name), value
 */
typedef struct
{
  MilkRecordType type;
  char *id;
  MilkDay day;
  char *hlc;
  gboolean deleted;

  char *name;
  char *unit;
  gint64 default_qty_ml;
  gboolean has_weekday_qty;   /* the usual quantity differs by weekday */
  gint64 weekday_qty_ml[7];   /* Monday first */
  gint64 position;
  gboolean archived;
  gboolean twice_daily;       /* product: delivered morning and evening */
  gint64 evening_qty_ml;      /* the evening's part of the usual quantity */

  gint64 qty_ml;
  gboolean has_split;         /* entry: morning and evening given apart */
  gint64 morning_ml;
  gint64 evening_ml;
  gint64 price_override;
  gint64 price_per_l;
  gint64 amount;
  MilkDay bill;               /* payment: the first day of the month whose bill
                               * it pays; MILK_DAY_INVALID for "by the rule" */
  char *note;
  char *value;

  /* What this version does not know, kept to be sent back unchanged
   * (DESIGN "Versions mix"): the unknown top-level members, and the
   * unknown members of "data" as an object under "data". NULL for none. */
  JsonObject *extra;
} MilkRecord;

MilkRecord     *milk_record_new          (MilkRecordType     type);
MilkRecord     *milk_record_copy         (const MilkRecord  *record);
void            milk_record_free         (MilkRecord        *record);
char           *milk_record_dup_key      (const MilkRecord  *record);
gboolean        milk_record_set_key      (MilkRecord        *record,
                                          const char        *key,
                                          GError           **error);
gboolean        milk_record_validate     (const MilkRecord  *record,
                                          GError           **error);
gboolean        milk_record_equal        (const MilkRecord  *a,
                                          const MilkRecord  *b);
gint64          milk_product_usual_qty   (const MilkRecord  *product,
                                          MilkDay            day);
void            milk_product_usual_split (const MilkRecord  *product,
                                          MilkDay            day,
                                          gint64            *morning_ml,
                                          gint64            *evening_ml);
gboolean        milk_entry_is_split      (const MilkRecord  *entry);
void            milk_entry_set_split     (MilkRecord        *entry,
                                          gint64             morning_ml,
                                          gint64             evening_ml);
void            milk_entry_set_usual     (MilkRecord        *entry,
                                          const MilkRecord  *product,
                                          MilkDay            day);

const char     *milk_record_type_to_string (MilkRecordType  type);
gboolean        milk_record_type_from_string (const char   *text,
                                              MilkRecordType *type);

JsonNode       *milk_record_to_json      (const MilkRecord  *record);
char           *milk_record_dup_extra_text (const MilkRecord *record);
gboolean        milk_record_set_extra_text (MilkRecord      *record,
                                            const char      *text);
char           *milk_record_dup_stored_text (const MilkRecord *record);
gboolean        milk_record_set_stored_text (MilkRecord     *record,
                                             const char     *text);
MilkRecord     *milk_record_from_json    (JsonNode          *node,
                                          GError           **error);

gboolean        milk_uuid_is_valid       (const char        *text);
char           *milk_uuid_new            (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MilkRecord, milk_record_free)

G_END_DECLS
