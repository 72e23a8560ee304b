/* milk-record.c — the synced record types and their validation
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-core"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "milk-currency.h"
#include "milk-error.h"
#include "milk-hlc.h"
#include "milk-money.h"
#include "milk-quantity.h"
#include "milk-record.h"

#define MAX_POSITION 10000

static const char * const type_names[] = {
  [MILK_RECORD_PRODUCT] = "product",
  [MILK_RECORD_ENTRY] = "entry",
  [MILK_RECORD_PRICE] = "price",
  [MILK_RECORD_PAYMENT] = "payment",
  [MILK_RECORD_SETTING] = "setting",
};

const char *
milk_record_type_to_string (MilkRecordType type)
{
  g_return_val_if_fail (type <= MILK_RECORD_SETTING, NULL);
  return type_names[type];
}

gboolean
milk_record_type_from_string (const char     *text,
                              MilkRecordType *type)
{
  for (guint i = 0; i < G_N_ELEMENTS (type_names); i++)
    if (g_strcmp0 (text, type_names[i]) == 0)
      {
        *type = i;
        return TRUE;
      }
  return FALSE;
}

MilkRecord *
milk_record_new (MilkRecordType type)
{
  MilkRecord *self = g_new0 (MilkRecord, 1);

  self->type = type;
  self->price_override = MILK_NO_PRICE;
  return self;
}

MilkRecord *
milk_record_copy (const MilkRecord *record)
{
  MilkRecord *self = g_memdup2 (record, sizeof *record);

  self->id = g_strdup (record->id);
  self->hlc = g_strdup (record->hlc);
  self->name = g_strdup (record->name);
  self->unit = g_strdup (record->unit);
  self->note = g_strdup (record->note);
  self->value = g_strdup (record->value);
  self->extra = record->extra ? json_object_ref (record->extra) : NULL;
  return self;
}

void
milk_record_free (MilkRecord *self)
{
  if (self == NULL)
    return;
  g_free (self->id);
  g_free (self->hlc);
  g_free (self->name);
  g_free (self->unit);
  g_free (self->note);
  g_free (self->value);
  g_clear_pointer (&self->extra, json_object_unref);
  g_free (self);
}

gboolean
milk_uuid_is_valid (const char *text)
{
  if (text == NULL || !g_uuid_string_is_valid (text))
    return FALSE;
  for (const char *p = text; *p; p++)
    if (g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

char *
milk_uuid_new (void)
{
  return g_uuid_string_random ();
}

static gboolean
setting_name_is_valid (const char *name)
{
  gsize len = name ? strlen (name) : 0;

  if (len == 0 || len > 64 || !g_ascii_islower (name[0]))
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

static gboolean
type_has_day (MilkRecordType type)
{
  return type == MILK_RECORD_ENTRY || type == MILK_RECORD_PRICE;
}

/* The natural key: "<uuid>" for products and payments, "<product
 * uuid>/<YYYY-MM-DD>" for entries and prices, the name for settings. */
char *
milk_record_dup_key (const MilkRecord *self)
{
  char day[11];

  if (!type_has_day (self->type))
    return g_strdup (self->id);

  milk_day_format_iso (self->day, day);
  return g_strdup_printf ("%s/%s", self->id, day);
}

gboolean
milk_record_set_key (MilkRecord  *self,
                     const char  *key,
                     GError     **error)
{
  if (key == NULL || strlen (key) > 100)
    goto bad;

  if (type_has_day (self->type))
    {
      const char *slash = strchr (key, '/');
      g_autofree char *id = NULL;
      MilkDay day;

      if (slash == NULL)
        goto bad;
      id = g_strndup (key, slash - key);
      if (!milk_uuid_is_valid (id))
        goto bad;
      day = milk_day_parse (slash + 1, error);
      if (day == MILK_DAY_INVALID)
        return FALSE;

      g_free (self->id);
      self->id = g_steal_pointer (&id);
      self->day = day;
      return TRUE;
    }

  if (self->type == MILK_RECORD_SETTING ? !setting_name_is_valid (key) : !milk_uuid_is_valid (key))
    goto bad;

  g_free (self->id);
  self->id = g_strdup (key);
  return TRUE;

bad:
  g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_KEY,
               _("A %s record has a malformed key"), milk_record_type_to_string (self->type));
  return FALSE;
}

static gboolean
text_is_valid (const char *text,
               gsize       min_chars,
               gsize       max_chars)
{
  glong n;

  if (text == NULL)
    return min_chars == 0;
  if (!g_utf8_validate (text, -1, NULL))
    return FALSE;
  n = g_utf8_strlen (text, -1);
  if ((gsize) n < min_chars || (gsize) n > max_chars)
    return FALSE;
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) && c != '\n' && c != '\t')
        return FALSE;
    }
  return TRUE;
}

#define FAIL(code, ...) \
  G_STMT_START { g_set_error (error, MILK_ERROR, code, __VA_ARGS__); return FALSE; } G_STMT_END

gboolean
milk_record_validate (const MilkRecord  *self,
                      GError           **error)
{
  MilkHlcStamp stamp;

  if (self->type > MILK_RECORD_SETTING)
    FAIL (MILK_ERROR_INVALID_TYPE, _("Unknown record type"));

  if (self->type == MILK_RECORD_SETTING ? !setting_name_is_valid (self->id) : !milk_uuid_is_valid (self->id))
    FAIL (MILK_ERROR_INVALID_KEY, _("A %s record has a malformed key"),
          milk_record_type_to_string (self->type));

  if (self->hlc != NULL && !milk_hlc_stamp_parse (self->hlc, &stamp, error))
    return FALSE;

  if (type_has_day (self->type) && !milk_day_is_valid (self->day))
    FAIL (MILK_ERROR_INVALID_DAY, _("A record names a day that is not in the calendar"));

  if (self->deleted)
    return TRUE;

  switch (self->type)
    {
    case MILK_RECORD_PRODUCT:
      if (!text_is_valid (self->name, 1, MILK_NAME_MAX_CHARS))
        FAIL (MILK_ERROR_INVALID_NAME, _("A product needs a name of 1 to %d characters"), MILK_NAME_MAX_CHARS);
      if (!text_is_valid (self->unit, 1, MILK_UNIT_MAX_CHARS))
        FAIL (MILK_ERROR_INVALID_NAME, _("A product’s unit label must be 1 to %d characters"), MILK_UNIT_MAX_CHARS);
      if (self->default_qty_ml < 0 || self->default_qty_ml > MILK_QTY_MAX_ML)
        FAIL (MILK_ERROR_INVALID_QTY, _("A daily quantity must be between 0 and 100 litres"));
      if (self->position < 0 || self->position > MAX_POSITION)
        FAIL (MILK_ERROR_INVALID_FIELD, _("A product’s position is out of range"));
      for (guint i = 0; self->has_weekday_qty && i < 7; i++)
        if (self->weekday_qty_ml[i] < 0 || self->weekday_qty_ml[i] > MILK_QTY_MAX_ML)
          FAIL (MILK_ERROR_INVALID_QTY, _("A usual quantity must be between 0 and 100 litres"));
      if (self->twice_daily && (self->evening_qty_ml < 0 || self->evening_qty_ml > MILK_QTY_MAX_ML))
        FAIL (MILK_ERROR_INVALID_QTY, _("A usual quantity must be between 0 and 100 litres"));
      break;

    case MILK_RECORD_ENTRY:
      if (self->qty_ml < 0 || self->qty_ml > MILK_QTY_MAX_ML)
        FAIL (MILK_ERROR_INVALID_QTY, _("A day’s quantity must be between 0 and 100 litres"));
      /* The parts need not add up to the day: a version from before them
       * changes the day's quantity and sends them back as it found them
       * (milk_entry_is_split then takes the day as one delivery). */
      if (self->has_split &&
          (self->morning_ml < 0 || self->morning_ml > MILK_QTY_MAX_ML ||
           self->evening_ml < 0 || self->evening_ml > MILK_QTY_MAX_ML))
        FAIL (MILK_ERROR_INVALID_QTY, _("A morning or evening quantity must be between 0 and 100 litres"));
      if (self->price_override != MILK_NO_PRICE &&
          (self->price_override < 0 || self->price_override > MILK_PRICE_MAX))
        FAIL (MILK_ERROR_INVALID_PRICE, _("A price is out of range"));
      if (!text_is_valid (self->note, 0, MILK_NOTE_MAX_CHARS))
        FAIL (MILK_ERROR_INVALID_NOTE, _("A note can be at most %d characters of text"), MILK_NOTE_MAX_CHARS);
      break;

    case MILK_RECORD_PRICE:
      if (self->price_per_l < 0 || self->price_per_l > MILK_PRICE_MAX)
        FAIL (MILK_ERROR_INVALID_PRICE, _("A price is out of range"));
      break;

    case MILK_RECORD_PAYMENT:
      if (!milk_day_is_valid (self->day))
        FAIL (MILK_ERROR_INVALID_DAY, _("A payment names a day that is not in the calendar"));
      if (self->amount <= 0 || self->amount > MILK_AMOUNT_MAX)
        FAIL (MILK_ERROR_INVALID_AMOUNT, _("A payment must be a positive amount"));
      if (self->bill != MILK_DAY_INVALID && !milk_day_is_month_start (self->bill))
        FAIL (MILK_ERROR_INVALID_DAY, _("A payment is for a month that is not in the calendar"));
      if (!text_is_valid (self->note, 0, MILK_NOTE_MAX_CHARS))
        FAIL (MILK_ERROR_INVALID_NOTE, _("A note can be at most %d characters of text"), MILK_NOTE_MAX_CHARS);
      break;

    case MILK_RECORD_SETTING:
      if (!text_is_valid (self->value, 0, MILK_SETTING_VALUE_MAX_CHARS))
        FAIL (MILK_ERROR_INVALID_SETTING, _("A setting’s value is too long or not text"));
      if (g_str_equal (self->id, "currency") && milk_currency_lookup (self->value) == NULL)
        FAIL (MILK_ERROR_INVALID_CURRENCY, _("“%s” is not an ISO 4217 currency code"),
              self->value ? self->value : "");
      break;

    default:
      g_assert_not_reached ();
    }

  return TRUE;
}

#undef FAIL

/* What a product usually brings on a day: its weekday pattern if it has
 * one, its daily quantity otherwise. */
gint64
milk_product_usual_qty (const MilkRecord *product,
                        MilkDay           day)
{
  g_return_val_if_fail (product != NULL && product->type == MILK_RECORD_PRODUCT, 0);

  if (product->has_weekday_qty && milk_day_is_valid (day))
    return product->weekday_qty_ml[milk_day_weekday (day) - 1];
  return product->default_qty_ml;
}

/* A product delivered twice a day usually brings its evening quantity in
 * the evening and the rest of the day's usual quantity in the morning. */
void
milk_product_usual_split (const MilkRecord *product,
                          MilkDay           day,
                          gint64           *morning_ml,
                          gint64           *evening_ml)
{
  gint64 usual = milk_product_usual_qty (product, day);
  gint64 evening = product->twice_daily ? MIN (product->evening_qty_ml, usual) : 0;

  *morning_ml = usual - evening;
  *evening_ml = evening;
}

/* A day recorded as usual: the usual quantity, in its morning and
 * evening parts for a product delivered twice a day. */
void
milk_entry_set_usual (MilkRecord       *entry,
                      const MilkRecord *product,
                      MilkDay           day)
{
  g_return_if_fail (entry != NULL && entry->type == MILK_RECORD_ENTRY);
  g_return_if_fail (product != NULL && product->type == MILK_RECORD_PRODUCT);

  if (product->twice_daily)
    {
      gint64 morning, evening;

      milk_product_usual_split (product, day, &morning, &evening);
      milk_entry_set_split (entry, morning, evening);
    }
  else
    entry->qty_ml = milk_product_usual_qty (product, day);
}

/* Whether the day was recorded as a morning and an evening delivery. Parts
 * that do not add up to the day's quantity were left behind by a version
 * that changed the quantity without knowing them: the day's quantity is
 * what counts, as one delivery. */
gboolean
milk_entry_is_split (const MilkRecord *entry)
{
  g_return_val_if_fail (entry != NULL && entry->type == MILK_RECORD_ENTRY, FALSE);

  return entry->has_split && entry->morning_ml + entry->evening_ml == entry->qty_ml;
}

/* The day's quantity is always the sum, so every version bills the same. */
void
milk_entry_set_split (MilkRecord *entry,
                      gint64      morning_ml,
                      gint64      evening_ml)
{
  g_return_if_fail (entry != NULL && entry->type == MILK_RECORD_ENTRY);

  entry->has_split = TRUE;
  entry->morning_ml = morning_ml;
  entry->evening_ml = evening_ml;
  entry->qty_ml = morning_ml + evening_ml;
}
