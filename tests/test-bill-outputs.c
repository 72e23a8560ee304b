/* test-bill-outputs.c — one month's bill in the window, from `--month` and
 * in the PDF: the same amount, litres, days and balance in all three
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "milk-bill-panel.h"
#include "milk-bill-row.h"
#include "milk-calendar-view.h"
#include "milk-gui-test-util.h"
#include "milk-test-util.h"
#include "milk-window.h"

#define MILK MILK_DEFAULT_PRODUCT_ID

typedef struct
{
  MilkTestDir dir;
  MilkStore *store;
} Fixture;

static void
entry (MilkStore  *store,
       const char *product,
       const char *day,
       gint64      qty_ml,
       gint64      price,
       const char *note)
{
  g_autoptr(GError) error = NULL;

  milk_store_set_entry (store, product, milk_test_day (day), qty_ml, price, note, &error);
  g_assert_no_error (error);
}

/* Milk at ₹56.50 from 1 August and ₹58.00 from 16 September, buffalo
 * milk at ₹70.00. August: 2 L of milk = ₹113.00, unpaid. September:
 *   1-5   milk 1.5 L a day      5 × 84.75 = 423.75
 *   1-3   buffalo 0.5 L a day   3 × 35.00 = 105.00
 *   20    milk 1 L at 58.00                = 58.00
 *   21    milk 1.25 L at its own 60.00     = 75.00
 * 11.25 L on 7 delivery days, ₹661.75; ₹500.00 paid for it on 3 October.
 * Balance due: 113.00 + 661.75 − 500.00 = ₹274.75. */
static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkRecord) buffalo = NULL;
  g_autofree char *payment = NULL;

  milk_test_dir_init (&f->dir);
  f->store = milk_test_store_new (&f->dir);
  g_assert_true (milk_store_set_setting (f->store, "currency", "INR", NULL));
  buffalo = milk_store_add_product (f->store, "Buffalo", 500, &error);
  g_assert_no_error (error);
  g_assert_true (milk_store_set_price (f->store, MILK, milk_test_day ("2026-08-01"), 5650, NULL));
  g_assert_true (milk_store_set_price (f->store, MILK, milk_test_day ("2026-09-16"), 5800, NULL));
  g_assert_true (milk_store_set_price (f->store, buffalo->id, milk_test_day ("2026-08-01"), 7000, NULL));
  entry (f->store, MILK, "2026-08-10", 2000, MILK_NO_PRICE, NULL);
  for (int d = 1; d <= 5; d++)
    {
      g_autofree char *day = g_strdup_printf ("2026-09-%02d", d);

      entry (f->store, MILK, day, 1500, MILK_NO_PRICE, NULL);
      if (d <= 3)
        entry (f->store, buffalo->id, day, 500, MILK_NO_PRICE, NULL);
    }
  entry (f->store, MILK, "2026-09-20", 1000, MILK_NO_PRICE, NULL);
  entry (f->store, MILK, "2026-09-21", 1250, 6000, "festival");
  payment = milk_store_record_payment (f->store, milk_test_day ("2026-10-03"), 50000, "cash",
                                       milk_test_day ("2026-09-01"), NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->store);
  milk_test_dir_clear (&f->dir);
}

/* The figures as the window's bill panel shows them. */
static GHashTable *
read_panel (Fixture *f)
{
  MilkWindow *window = milk_window_new (NULL, f->store);
  MilkCalendarView *calendar = milk_window_get_calendar_view (window);
  GHashTable *figures = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  const char *names[][2] = {
    { "amount", "amount_row" }, { "litres", "litres_row" }, { "days", "days_row" },
    { "forward", "brought_forward_row" }, { "paid", "paid_row" }, { "balance", "balance_row" },
  };

  gtk_window_present (GTK_WINDOW (window));
  milk_calendar_view_set_month (calendar, 2026, 9);
  milk_gui_test_drain ();
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GtkWidget *panel = milk_gui_test_child (GTK_WIDGET (calendar), MILK_TYPE_CALENDAR_VIEW, "bill_panel");
      GtkWidget *row = milk_gui_test_child (panel, MILK_TYPE_BILL_PANEL, names[i][1]);

      g_assert_true (gtk_widget_is_visible (row));
      g_hash_table_insert (figures, (char *) names[i][0], g_strdup (milk_bill_row_get_value (MILK_BILL_ROW (row))));
    }
  gtk_window_destroy (GTK_WINDOW (window));
  milk_gui_test_drain ();
  return figures;
}

static char *
run (Fixture     *f,
     const char **args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "MILK_DIARY_PATH", f->dir.path, TRUE);
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status = 0;

  g_ptr_array_add (argv, (char *) (args[0] ? args[0] : g_getenv ("MILK_DIARY_BIN")));
  for (guint i = 1; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_test_message ("%s", out);
  return out;
}

/* The value of the summary line @label: the label, two spaces or more,
 * the value. */
static char *
value_after (const char *text,
             const char *label)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (g_str_has_prefix (line, label) && g_str_has_prefix (line + strlen (label), "  "))
        return g_strdup (g_strchug (line + strlen (label)));
    }
  g_error ("no line “%s” in:\n%s", label, text);
  return NULL;
}

/* pdftotext may drop the space of "11.25 L" and add others. */
static char *
squeeze (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p; p++)
    if (!g_ascii_isspace (*p))
      g_string_append_c (out, *p);
  return g_string_free (out, FALSE);
}

static void
test_same_everywhere (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GHashTable) panel = read_panel (f);
  g_autofree char *pdf = g_build_filename (f->dir.dir, "bill.pdf", NULL);
  g_autofree char *month = run (f, (const char *[]) { NULL, "--month", "2026-09", NULL });
  g_autofree char *wrote = run (f, (const char *[]) { NULL, "--bill", "2026-09", "--pdf", pdf, NULL });
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  g_autofree char *pdf_text = NULL;
  g_autofree char *pdf_flat = NULL;
  const struct { const char *key, *expected, *month_label, *pdf_label; } figures[] = {
    { "amount", "₹661.75", "Amount", "Total this month" },
    { "litres", "11.25 L", "Milk delivered", "Milk delivered" },
    { "days", "7", "Delivery days", "Delivery days" },
    { "forward", "₹113.00", "Brought forward", "Balance brought forward" },
    { "paid", "₹500.00", "Paid", "Paid" },
    { "balance", "₹274.75", "Balance due", "Balance due" },
  };

  g_assert_nonnull (pdftotext);
  pdf_text = run (f, (const char *[]) { pdftotext, "-layout", pdf, "-", NULL });
  pdf_flat = squeeze (pdf_text);

  for (guint i = 0; i < G_N_ELEMENTS (figures); i++)
    {
      const char *shown = g_hash_table_lookup (panel, figures[i].key);
      g_autofree char *printed = value_after (month, figures[i].month_label);
      g_autofree char *in_pdf = g_strconcat (figures[i].pdf_label, figures[i].expected, NULL);
      g_autofree char *in_pdf_flat = squeeze (in_pdf);

      /* The panel says "7 days" where the others say 7. */
      if (g_str_equal (figures[i].key, "days"))
        g_assert_cmpstr (shown, ==, "7 days");
      else
        g_assert_cmpstr (shown, ==, figures[i].expected);
      g_assert_cmpstr (printed, ==, figures[i].expected);
      if (strstr (pdf_flat, in_pdf_flat) == NULL)
        g_error ("the PDF does not say “%s %s”:\n%s", figures[i].pdf_label, figures[i].expected, pdf_text);
    }
}

int
main (int   argc,
      char *argv[])
{
  if (!milk_gui_test_init (&argc, &argv))
    {
      g_print ("1..0 # SKIP no display to run the window on\n");
      return 0;
    }

  g_test_add ("/gui/bill/same-everywhere", Fixture, NULL, fixture_setup, test_same_everywhere, fixture_teardown);
  return g_test_run ();
}
