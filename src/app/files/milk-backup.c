/* milk-backup.c — the whole diary as one file, and back
 *
 * A backup is a JSON document: a format name and version, when it was
 * written, every record of the diary as the sync protocol writes it (so
 * each keeps its clock stamp, its tombstone and the fields a newer version
 * added), the changes kept for a later version, and a SHA-256 of those two
 * lists, so that a file changed or cut short since is refused as a whole.
 * A document of records rather than a copy of the SQLite file: it does not
 * depend on the store's schema, and it is read and checked in full before
 * the diary is touched.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-import"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "milk-backup.h"

#define FORMAT_NAME "io.github.milkdiary.MilkDiary.backup"
#define FORMAT_VERSION 1
/* Ten years of two products twice a day are a few megabytes. */
#define MAX_BYTES (256 * 1024 * 1024)

G_DEFINE_QUARK (milk-backup-error-quark, milk_backup_error)

void
milk_backup_free (MilkBackup *backup)
{
  if (backup == NULL)
    return;
  g_clear_pointer (&backup->records, g_ptr_array_unref);
  g_clear_pointer (&backup->unreadable, g_ptr_array_unref);
  g_free (backup->created);
  g_free (backup);
}

/* A member of the type asked for, or @fallback: json-glib's own getters
 * complain (a critical) about an object or array where a value should be,
 * and a backup file is input like any other. */
static const char *
string_member (JsonObject *obj,
               const char *name,
               const char *fallback)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fallback;
  return json_node_get_string (node);
}

static gint64
int_member (JsonObject *obj,
            const char *name,
            gint64      fallback)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return fallback;
  return json_node_get_int (node);
}
static JsonNode *
unreadable_to_json (GPtrArray *unreadable)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < unreadable->len; i++)
    {
      const MilkUnreadableChange *change = g_ptr_array_index (unreadable, i);
      const char *names[] = { "type", "key", "hlc", "code", "change" };
      const char *values[] = { change->type, change->key, change->hlc, change->code, change->json };

      json_builder_begin_object (builder);
      for (guint k = 0; k < G_N_ELEMENTS (names); k++)
        {
          json_builder_set_member_name (builder, names[k]);
          if (values[k])
            json_builder_add_string_value (builder, values[k]);
          else
            json_builder_add_null_value (builder);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return json_builder_get_root (builder);
}

/* The checksum covers the two lists as generated compactly, so the
 * document's own layout does not matter, only its content. */
static char *
checksum_lists (JsonNode *records,
                JsonNode *unreadable)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *a = json_to_string (records, FALSE);
  g_autofree char *b = json_to_string (unreadable, FALSE);

  g_checksum_update (checksum, (const guchar *) a, strlen (a));
  g_checksum_update (checksum, (const guchar *) "\n", 1);
  g_checksum_update (checksum, (const guchar *) b, strlen (b));
  return g_strdup (g_checksum_get_string (checksum));
}

char *
milk_backup_format (MilkStore  *store,
                    gsize      *length,
                    GError    **error)
{
  g_autoptr(GPtrArray) unreadable = NULL;
  g_autoptr(GPtrArray) records = milk_store_list_all (store, &unreadable, error);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) records_node = NULL;
  g_autoptr(JsonNode) unreadable_node = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created = g_date_time_format_iso8601 (now);
  g_autofree char *sum = NULL;
  g_autoptr(JsonArray) array = json_array_new ();

  if (records == NULL)
    return NULL;
  for (guint i = 0; i < records->len; i++)
    json_array_add_element (array, milk_record_to_json (g_ptr_array_index (records, i)));
  records_node = json_node_init_array (json_node_alloc (), array);
  unreadable_node = unreadable_to_json (unreadable);
  sum = checksum_lists (records_node, unreadable_node);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, FORMAT_NAME);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, FORMAT_VERSION);
  json_builder_set_member_name (builder, "app_version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_set_member_name (builder, "created");
  json_builder_add_string_value (builder, created);
  json_builder_set_member_name (builder, "records");
  json_builder_add_value (builder, json_node_copy (records_node));
  json_builder_set_member_name (builder, "unreadable");
  json_builder_add_value (builder, json_node_copy (unreadable_node));
  json_builder_set_member_name (builder, "sha256");
  json_builder_add_string_value (builder, sum);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, length);
}

/* Written whole or not at all, readable only by its owner: a diary says
 * what a household spends. */
gboolean
milk_backup_write (MilkStore   *store,
                   const char  *path,
                   GError     **error)
{
  gsize length = 0;
  g_autofree char *data = milk_backup_format (store, &length, error);

  if (data == NULL)
    return FALSE;
  if (!g_file_set_contents_full (path, data, length, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    {
      g_prefix_error (error, _("The backup could not be written: "));
      return FALSE;
    }
  return TRUE;
}

static gboolean
damaged (GError     **error,
         const char  *detail)
{
  g_set_error (error, MILK_BACKUP_ERROR, MILK_BACKUP_ERROR_DAMAGED,
               _("The backup is damaged and was not restored (%s); the diary is unchanged"), detail);
  return FALSE;
}

static gboolean
read_unreadable (JsonArray   *array,
                 GPtrArray   *out,
                 GError     **error)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *obj = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      MilkUnreadableChange *change;
      const char *json, *key;

      json = obj ? string_member (obj, "change", NULL) : NULL;
      key = obj ? string_member (obj, "key", NULL) : NULL;
      if (json == NULL || key == NULL)
        return damaged (error, _("a kept change has no text"));
      change = g_new0 (MilkUnreadableChange, 1);
      change->type = g_strdup (string_member (obj, "type", NULL));
      change->key = g_strdup (key);
      change->hlc = g_strdup (string_member (obj, "hlc", NULL));
      change->code = g_strdup (string_member (obj, "code", ""));
      change->json = g_strdup (json);
      g_ptr_array_add (out, change);
    }
  return TRUE;
}

static void
count_record (MilkBackup       *backup,
              const MilkRecord *record)
{
  if (record->deleted)
    return;
  switch (record->type)
    {
    case MILK_RECORD_PRODUCT: backup->n_products++; break;
    case MILK_RECORD_ENTRY: backup->n_entries++; break;
    case MILK_RECORD_PRICE: backup->n_prices++; break;
    case MILK_RECORD_PAYMENT: backup->n_payments++; break;
    case MILK_RECORD_SETTING:
    default: break;
    }
}

/* Every record must decode and validate, each key come once, and the
 * checksum match; anything less refuses the whole file. */
static gboolean
read_records (MilkBackup  *backup,
              JsonArray   *array,
              GError     **error)
{
  g_autoptr(GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autoptr(GError) local_error = NULL;
      MilkRecord *record = milk_record_from_json (json_array_get_element (array, i), &local_error);
      g_autofree char *key = NULL;
      g_autofree char *record_key = NULL;
      g_autofree char *detail = NULL;

      if (record == NULL)
        {
          /* TRANSLATORS: %u counts the backup's records from 1; %s says what is wrong with it */
          detail = g_strdup_printf (_("record %u: %s"), i + 1, local_error->message);
          return damaged (error, detail);
        }
      g_ptr_array_add (backup->records, record);
      record_key = milk_record_dup_key (record);
      key = g_strdup_printf ("%s %s", milk_record_type_to_string (record->type), record_key);
      if (!g_hash_table_add (keys, g_steal_pointer (&key)))
        {
          detail = g_strdup_printf (_("record %u: the same record twice"), i + 1);
          return damaged (error, detail);
        }
      count_record (backup, record);
    }
  return TRUE;
}

static JsonObject *
parse_document (const char  *data,
                gsize        length,
                GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;

  if (length > MAX_BYTES || !g_utf8_validate (data, length, NULL) ||
      !milk_protocol_check_json (data, length, NULL) ||
      !json_parser_load_from_data (parser, data, length, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      g_strcmp0 (string_member (json_node_get_object (root), "format", NULL),
                 FORMAT_NAME) != 0)
    {
      /* A file that starts as a backup and breaks off is a damaged backup. */
      if (length <= MAX_BYTES && g_strstr_len (data, MIN (length, 200), FORMAT_NAME) != NULL)
        damaged (error, _("it is not complete"));
      else
        g_set_error (error, MILK_BACKUP_ERROR, MILK_BACKUP_ERROR_NOT_BACKUP,
                     _("This file is not a Milk Diary backup; the diary is unchanged"));
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

MilkBackup *
milk_backup_parse (const char  *data,
                   gsize        length,
                   GError     **error)
{
  g_autoptr(JsonObject) doc = parse_document (data, length, error);
  g_autoptr(MilkBackup) backup = NULL;
  JsonNode *records, *unreadable;
  const char *sum;
  g_autofree char *expected = NULL;
  gint64 version;

  if (doc == NULL)
    return NULL;
  version = int_member (doc, "version", -1);
  if (version > FORMAT_VERSION)
    {
      g_set_error (error, MILK_BACKUP_ERROR, MILK_BACKUP_ERROR_TOO_NEW,
                   _("This backup was made by a newer Milk Diary (format %d); "
                     "update Milk Diary to restore it; the diary is unchanged"), (int) MIN (version, G_MAXINT));
      return NULL;
    }
  records = json_object_get_member (doc, "records");
  unreadable = json_object_get_member (doc, "unreadable");
  sum = string_member (doc, "sha256", NULL);
  if (version < 1 || records == NULL || !JSON_NODE_HOLDS_ARRAY (records) ||
      unreadable == NULL || !JSON_NODE_HOLDS_ARRAY (unreadable) || sum == NULL)
    {
      damaged (error, _("parts of it are missing"));
      return NULL;
    }
  expected = checksum_lists (records, unreadable);
  if (g_ascii_strcasecmp (expected, sum) != 0)
    {
      damaged (error, _("its checksum does not match"));
      return NULL;
    }

  backup = g_new0 (MilkBackup, 1);
  backup->records = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  backup->unreadable = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_unreadable_change_free);
  backup->created = g_strdup (string_member (doc, "created", ""));
  if (!read_records (backup, json_node_get_array (records), error) ||
      !read_unreadable (json_node_get_array (unreadable), backup->unreadable, error))
    return NULL;
  return g_steal_pointer (&backup);
}

MilkBackup *
milk_backup_read (const char  *path,
                  GError     **error)
{
  g_autofree char *data = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &data, &length, error))
    {
      g_prefix_error (error, _("The backup could not be read: "));
      return NULL;
    }
  return milk_backup_parse (data, length, error);
}

/* Restoring over a diary with records of its own must be asked for. */
gboolean
milk_backup_restore (MilkStore         *store,
                     const MilkBackup  *backup,
                     gboolean           replace,
                     GError           **error)
{
  if (!replace && milk_store_has_records (store))
    {
      g_set_error (error, MILK_BACKUP_ERROR, MILK_BACKUP_ERROR_HAS_DATA,
                   _("The diary already has records; restoring would replace them all"));
      return FALSE;
    }
  return milk_store_restore (store, backup->records, backup->unreadable, error);
}

/* "120 entries, 3 prices, 4 payments" */
char *
milk_backup_describe (const MilkBackup *backup)
{
  g_autofree char *entries = g_strdup_printf (ngettext ("%u entry", "%u entries", backup->n_entries),
                                              backup->n_entries);
  g_autofree char *prices = g_strdup_printf (ngettext ("%u price", "%u prices", backup->n_prices),
                                             backup->n_prices);
  g_autofree char *payments = g_strdup_printf (ngettext ("%u payment", "%u payments", backup->n_payments),
                                               backup->n_payments);

  /* TRANSLATORS: "120 entries, 3 prices, 4 payments" */
  return g_strdup_printf (_("%s, %s, %s"), entries, prices, payments);
}
