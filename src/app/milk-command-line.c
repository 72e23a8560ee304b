/* milk-command-line.c — what `milk-diary` does without a window
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <glib/gi18n.h>

#include "milk-backup.h"
#include "milk-bill-pdf.h"
#include "milk-command-bill.h"
#include "milk-command-line.h"
#include "milk-account-switch.h"
#include "milk-command-sync.h"
#include "milk-import.h"
#include "milk-store.h"

#define EXIT_USAGE 2

void
milk_command_line_add_options (GApplication *application)
{
  const GOptionEntry entries[] = {
    { "add", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Record a quantity (such as 1.5 or 750ml, or 1+0.5 for the morning’s and the evening’s) "
         "without opening a window"), N_("QUANTITY") },
    { "date", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("The day for --add, --price or --pay (default: today)"), N_("YYYY-MM-DD") },
    { "product", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("The product for --add or --price (default: the first)"), N_("NAME") },
    { "price", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Set the price per litre from --date on"), N_("PRICE") },
    { "month", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Print a month’s bill"), N_("YYYY-MM") },
    { "milkman-asks", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("With --month: what the milkman’s bill asks, kept with the month and checked against the diary"),
      N_("AMOUNT") },
    { "pay", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Record a payment to the milk seller and say which bill it settles"), N_("AMOUNT") },
    { "for", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("With --pay: the month whose bill it pays (default: the oldest not settled)"), N_("YYYY-MM") },
    { "bill", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("With --pdf: write a month’s bill as a PDF"), N_("YYYY-MM") },
    { "pdf", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("The PDF file for --bill"), N_("FILE") },
    { "import", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Import a Home Milk Calculator database or a CSV file of entries, prices and payments"), N_("FILE") },
    { "user", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("With --import: whose records to bring from a database of several users"), N_("EMAIL") },
    { "export-csv", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Write every entry, price and payment to a CSV file"), N_("FILE") },
    { "sign-in", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Sign in to a sync server through the web browser, then sync"), N_("URL") },
    { "sync", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Sync the diary once and say what was sent and received"), NULL },
    { "merge", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("With --sign-in to another account: merge this diary into it"), NULL },
    { "replace", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("With --sign-in to another account: save this diary as a file and start from the account’s diary; "
         "with --restore: replace the records the diary has"), NULL },
    { "backup", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Write the whole diary to a backup file"), N_("FILE") },
    { "restore", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Restore the whole diary from a backup file"), N_("FILE") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Print the version and exit"), NULL },
    { "background", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Start without a window, for the daily reminder"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (application, entries);
  g_application_set_option_context_summary (application,
      _("Without options, opens the diary in a window."));
}

static int
fail (int         status,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static int
fail (int         status,
      const char *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("milk-diary: %s\n", message);
  return status;
}

static MilkRecord *
find_product (MilkStore  *store,
              const char *name,
              GError    **error)
{
  g_autoptr(GPtrArray) products = milk_store_list_products (store, FALSE, error);

  if (products == NULL)
    return NULL;
  for (guint i = 0; i < products->len; i++)
    {
      MilkRecord *product = g_ptr_array_index (products, i);
      g_autofree char *a = name ? g_utf8_casefold (name, -1) : NULL;
      g_autofree char *b = g_utf8_casefold (product->name, -1);

      if (name == NULL || g_strcmp0 (a, b) == 0)
        return milk_record_copy (product);
    }
  if (name == NULL)
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 _("The diary has no product in use; add one in Preferences"));
  else
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 _("There is no product called “%s”"), name);
  return NULL;
}

static gboolean
parse_month (const char *text,
             int        *year,
             int        *month)
{
  g_autofree char *day = g_strconcat (text, "-01", NULL);
  MilkDay first = strlen (text) == 7 ? milk_day_parse (day, NULL) : MILK_DAY_INVALID;

  return milk_day_get_ymd (first, year, month, NULL);
}

/* The app's settings, where the sync server is kept; an error rather
 * than an abort when the schema is not installed. */
static GSettings *
app_settings (GError **error)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source)
    schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE);
  if (schema == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("Milk Diary’s settings schema is not installed"));
      return NULL;
    }
  return g_settings_new_full (schema, NULL, NULL);
}

/* Nothing is touched unless the whole backup reads and checks; a diary
 * with records of its own is replaced only when --replace says so. */
static int
restore_backup (MilkStore  *store,
                const char *path,
                gboolean    replace)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkBackup) backup = milk_backup_read (path, &error);
  g_autofree char *what = NULL;

  if (backup == NULL)
    return fail (1, "%s", error->message);
  if (!milk_backup_restore (store, backup, replace, &error))
    {
      if (g_error_matches (error, MILK_BACKUP_ERROR, MILK_BACKUP_ERROR_HAS_DATA))
        return fail (1, _("%s. Nothing was changed; to replace them with the backup’s, "
                          "run again with --restore FILE --replace (--backup FILE first keeps a copy)"),
                     error->message);
      return fail (1, "%s", error->message);
    }
  what = milk_backup_describe (backup);
  /* TRANSLATORS: the first %s is a file name, the second "120 entries, 3 prices, 4 payments" */
  g_print (_("Restored the diary from %s: %s\n"), path, what);
  return 0;
}

/* What --add says: "1.5" one delivery, "1+0.5" the morning's and the
 * evening's; FALSE with @error when it says neither. */
static gboolean
parse_add (const char  *text,
           gint64      *qty_ml,
           gboolean    *split,
           gint64      *morning_ml,
           gint64      *evening_ml,
           GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text, "+", 0);

  *split = g_strv_length (parts) > 1;
  if (!*split)
    return (*qty_ml = milk_quantity_parse (text, error)) >= 0;
  if (g_strv_length (parts) > 2)
    {
      g_set_error (error, MILK_ERROR, MILK_ERROR_INVALID_QTY,
                   _("Give one quantity, or the morning’s and the evening’s as in 1+0.5"));
      return FALSE;
    }
  if ((*morning_ml = milk_quantity_parse (parts[0], error)) < 0 ||
      (*evening_ml = milk_quantity_parse (parts[1], error)) < 0)
    return FALSE;
  *qty_ml = *morning_ml + *evening_ml;
  return TRUE;
}

/* The options as given; strings point into the options' dictionary. */
typedef struct
{
  const char *add, *date, *product, *month, *price, *bill, *pdf, *import, *user;
  const char *export_csv, *sign_in, *pay, *for_month, *backup, *restore, *milkman;
  gboolean sync, merge, replace;
  int bill_year, bill_month;
  int year, month_number;
  MilkDay day;
} Options;

/* Whether the options did not go past the ones that open a window. */
#define OPTIONS_OK (-2)

static void
read_options (GVariantDict *options,
              Options      *o)
{
  g_variant_dict_lookup (options, "add", "&s", &o->add);
  g_variant_dict_lookup (options, "date", "&s", &o->date);
  g_variant_dict_lookup (options, "product", "&s", &o->product);
  g_variant_dict_lookup (options, "month", "&s", &o->month);
  g_variant_dict_lookup (options, "price", "&s", &o->price);
  g_variant_dict_lookup (options, "bill", "&s", &o->bill);
  g_variant_dict_lookup (options, "pdf", "^&ay", &o->pdf);
  g_variant_dict_lookup (options, "import", "^&ay", &o->import);
  g_variant_dict_lookup (options, "user", "&s", &o->user);
  g_variant_dict_lookup (options, "export-csv", "^&ay", &o->export_csv);
  g_variant_dict_lookup (options, "sign-in", "&s", &o->sign_in);
  g_variant_dict_lookup (options, "pay", "&s", &o->pay);
  g_variant_dict_lookup (options, "for", "&s", &o->for_month);
  g_variant_dict_lookup (options, "milkman-asks", "&s", &o->milkman);
  g_variant_dict_lookup (options, "backup", "^&ay", &o->backup);
  g_variant_dict_lookup (options, "restore", "^&ay", &o->restore);
  o->sync = g_variant_dict_contains (options, "sync");
  o->merge = g_variant_dict_contains (options, "merge");
  o->replace = g_variant_dict_contains (options, "replace");
  o->day = milk_day_today ();
}

/* The options that only go with others: OPTIONS_OK, an exit status, or -1
 * when nothing but the window is asked for. */
static int
check_companions (const Options *o)
{
  if (o->merge && o->sign_in == NULL)
    return fail (EXIT_USAGE, _("--merge goes with --sign-in"));
  if (o->replace && o->sign_in == NULL && o->restore == NULL)
    return fail (EXIT_USAGE, _("--replace goes with --sign-in or --restore"));
  if (o->restore && (o->sign_in || o->sync || o->import || o->add || o->price || o->month || o->bill ||
                     o->export_csv || o->backup))
    return fail (EXIT_USAGE, _("--restore goes alone, or with --replace"));
  if (o->merge && o->replace)
    return fail (EXIT_USAGE, _("Choose one of --merge and --replace"));

  if (o->milkman && o->month == NULL)
    return fail (EXIT_USAGE, _("--milkman-asks goes with --month"));
  if (o->for_month && o->pay == NULL)
    return fail (EXIT_USAGE, _("--for goes with --pay"));
  if (o->add == NULL && o->month == NULL && o->price == NULL && o->bill == NULL && o->pdf == NULL &&
      o->import == NULL && o->export_csv == NULL && o->sign_in == NULL && !o->sync && o->pay == NULL &&
      o->backup == NULL && o->restore == NULL)
    {
      if (o->date)
        return fail (EXIT_USAGE, _("--date goes with --add, --price or --pay"));
      if (o->product)
        return fail (EXIT_USAGE, _("--date and --product go with --add or --price"));
      if (o->user)
        return fail (EXIT_USAGE, _("--user goes with --import"));
      return -1;
    }
  return OPTIONS_OK;
}

/* The options' values: OPTIONS_OK, or an exit status. */
static int
check_values (Options *o)
{
  g_autoptr(GError) error = NULL;

  if ((o->bill == NULL) != (o->pdf == NULL))
    return fail (EXIT_USAGE, _("--bill and --pdf go together: --bill YYYY-MM --pdf FILE"));
  if (o->bill && !parse_month (o->bill, &o->bill_year, &o->bill_month))
    return fail (EXIT_USAGE, _("--bill: write the month as YYYY-MM, such as 2026-11"));
  if (o->user && o->import == NULL)
    return fail (EXIT_USAGE, _("--user goes with --import"));

  if (o->date && (o->day = milk_day_parse (o->date, &error)) == MILK_DAY_INVALID)
    return fail (EXIT_USAGE, "--date: %s", error->message);
  if (o->month && !parse_month (o->month, &o->year, &o->month_number))
    return fail (EXIT_USAGE, _("--month: write the month as YYYY-MM, such as 2026-11"));
  if (o->add && o->day > milk_day_today ())
    return fail (EXIT_USAGE, _("--add: %s has not happened yet"), o->date);
  if (o->pay && o->day > milk_day_today ())
    return fail (EXIT_USAGE, _("--pay: %s has not happened yet"), o->date);
  return OPTIONS_OK;
}

static int
set_price (MilkStore        *store,
           const MilkRecord *product,
           const Options    *o)
{
  g_autoptr(GError) error = NULL;
  gint64 price = milk_price_parse (o->price, milk_store_get_currency (store), &error);
  g_autofree char *price_shown = NULL;
  g_autofree char *day_text = milk_day_to_string (o->day);
  g_autofree char *trimmed = g_strstrip (g_strdup (o->price));

  if (price < 0 && (g_str_has_prefix (trimmed, "-") || g_str_has_prefix (trimmed, "−")))
    return fail (EXIT_USAGE, _("--price: a price must be more than zero"));
  if (price < 0)
    return fail (EXIT_USAGE, "--price: %s", error->message);
  if (price == 0)
    return fail (EXIT_USAGE, _("--price: a price must be more than zero"));
  if (!milk_store_set_price (store, product->id, o->day, price, &error))
    return fail (1, "%s", error->message);
  price_shown = milk_money_format (price, milk_store_get_currency (store));
  /* TRANSLATORS: "Milk costs ₹56.50 a litre from 2026-12-02" */
  g_print (_("%s costs %s a litre from %s\n"), product->name, price_shown, day_text);
  return 0;
}

static int
add_entry (MilkStore        *store,
           const MilkRecord *product,
           const Options    *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkRecord) entry = milk_record_new (MILK_RECORD_ENTRY);
  g_autofree char *qty_text = NULL;
  g_autofree char *day_text = milk_day_to_string (o->day);
  gint64 qty = 0, morning = 0, evening = 0;
  gboolean split = FALSE;

  if (!parse_add (o->add, &qty, &split, &morning, &evening, &error))
    return fail (EXIT_USAGE, "--add: %s", error->message);
  /* As milk_store_set_entry records a day, with its parts. */
  entry->id = g_strdup (product->id);
  entry->day = o->day;
  entry->qty_ml = qty;
  entry->price_override = MILK_NO_PRICE;
  entry->note = g_strdup ("");
  if (split)
    milk_entry_set_split (entry, morning, evening);
  if (!milk_store_put (store, entry, &error))
    return fail (1, "%s", error->message);
  qty_text = split ? milk_quantity_format_split (morning, evening) : milk_quantity_format (qty);
  /* TRANSLATORS: "Recorded 1.5 L of Milk on 2026-11-03" */
  g_print (_("Recorded %s of %s on %s\n"), qty_text, product->name, day_text);
  return 0;
}

/* --price and --add, for a product. */
static int
run_recording (MilkStore     *store,
               const Options *o)
{
  g_autoptr(MilkRecord) product = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (o->add == NULL && o->price == NULL)
    return 0;
  product = find_product (store, o->product, &error);
  if (product == NULL)
    return fail (EXIT_USAGE, "%s", error->message);
  if (o->price && (status = set_price (store, product, o)) != 0)
    return status;
  if (o->add && (status = add_entry (store, product, o)) != 0)
    return status;
  return 0;
}

static int
run_import (MilkStore     *store,
            const Options *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkImportReport) report = milk_import_file (store, o->import, o->user, &error);
  g_autofree char *summary = NULL;

  if (report == NULL)
    return fail (1, "%s", error->message);
  summary = milk_import_report_to_string (report);
  g_print ("%s", summary);
  return 0;
}

static int
run_sync (MilkStore     *store,
          const Options *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = app_settings (&error);

  if (settings == NULL)
    return fail (1, "%s", error->message);
  return milk_command_sync_run (store, settings, o->sign_in,
                                o->merge ? MILK_ACCOUNT_SWITCH_MERGE
                                         : o->replace ? MILK_ACCOUNT_SWITCH_REPLACE : -1,
                                o->sync);
}

/* --export-csv, --backup and --bill: files written from the diary. */
static int
run_writing (MilkStore     *store,
             const Options *o)
{
  g_autoptr(GError) error = NULL;

  if (o->export_csv)
    {
      if (!milk_csv_export_diary (store, o->export_csv, &error))
        return fail (1, "%s", error->message);
      /* TRANSLATORS: %s is a file name */
      g_print (_("Wrote the entries, prices and payments to %s\n"), o->export_csv);
    }
  if (o->backup)
    {
      if (!milk_backup_write (store, o->backup, &error))
        return fail (1, "%s", error->message);
      /* TRANSLATORS: %s is a file name */
      g_print (_("Wrote the whole diary to %s\n"), o->backup);
    }
  if (o->bill)
    {
      if (!milk_bill_pdf_write (store, o->bill_year, o->bill_month, o->pdf, &error))
        return fail (1, "%s", error->message);
      g_print (_("Wrote the bill for %s to %s\n"), o->bill, o->pdf);
    }
  return 0;
}

/* Returns an exit status, or -1 when the options ask for the window. */
int
milk_command_line_run (GVariantDict *options,
                       const char   *diary_path)
{
  g_autoptr(MilkStore) store = NULL;
  g_autoptr(GError) error = NULL;
  Options o = { 0 };
  int status;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", _("Milk Diary"), PACKAGE_VERSION);
      return 0;
    }

  read_options (options, &o);
  if ((status = check_companions (&o)) != OPTIONS_OK || (status = check_values (&o)) != OPTIONS_OK)
    return status;

  store = milk_store_new (diary_path, &error);
  if (store == NULL)
    return fail (1, "%s", error->message);

  if (o.restore)
    return restore_backup (store, o.restore, o.replace);
  if ((status = run_recording (store, &o)) != 0)
    return status;
  if (o.pay && (status = milk_command_pay (store, o.pay, o.day, o.for_month)) != 0)
    return status;
  if (o.import && (status = run_import (store, &o)) != 0)
    return status;
  if ((o.sign_in || o.sync) && (status = run_sync (store, &o)) != 0)
    return status;
  if ((status = run_writing (store, &o)) != 0)
    return status;
  if (o.milkman && (status = milk_command_milkman_asks (store, o.year, o.month_number, o.milkman)) != 0)
    return status;
  if (o.month)
    return milk_command_print_month (store, o.year, o.month_number);
  return 0;
}
