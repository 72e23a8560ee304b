/* test-gui-preferences.c — preferences and the welcome page, driven as a
 * person would, checked against the store
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <adwaita.h>

#include "milk-gui-test-util.h"
#include "milk-test-util.h"
#include "milk-application.h"
#include "milk-preferences-window.h"
#include "milk-welcome-page.h"

#define MILK MILK_DEFAULT_PRODUCT_ID

typedef struct
{
  char *dir;
  MilkStore *store;
  GtkWindow *window;
} Fixture;


static void
store_setup (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("milk-gui-prefs-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "diary.sqlite", NULL);
  f->store = milk_store_new (path, &error);
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  store_setup (f);
  f->window = GTK_WINDOW (milk_preferences_window_new (NULL, f->store));
  gtk_window_present (f->window);
  milk_gui_test_iterate ();
}

static void
welcome_setup (Fixture       *f,
               gconstpointer  data)
{
  store_setup (f);
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 480, 640);
  gtk_window_set_child (f->window, milk_welcome_page_new (f->store));
  gtk_window_present (f->window);
  milk_gui_test_iterate ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  gtk_window_destroy (f->window);
  milk_gui_test_iterate ();
  g_clear_object (&f->store);
  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static void
collect (GtkWidget *widget,
         GType      type,
         GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    g_ptr_array_add (found, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    collect (child, type, found);
}

/* A row by the title a person reads on it. */
static gpointer
find_row (GtkWidget  *root,
          GType       type,
          const char *title)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  collect (root, type, rows);
  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (g_ptr_array_index (rows, i)), title) == 0)
      return g_ptr_array_index (rows, i);
  g_error ("no row titled “%s”", title);
  return NULL;
}

static gpointer
find (GtkWidget *root,
      GType      type)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  collect (root, type, found);
  g_assert_cmpuint (found->len, >=, 1);
  return g_ptr_array_index (found, 0);
}

static void
type_into (gpointer    row,
           const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

static void
test_currency_search (Fixture       *f,
                      gconstpointer  data)
{
  GtkWidget *root = GTK_WIDGET (f->window);
  AdwActionRow *currency_row = find_row (root, ADW_TYPE_ACTION_ROW, "Currency");
  GtkSearchEntry *search;
  GtkListBox *list;
  g_autofree char *code = NULL;
  guint visible = 0;
  GtkWidget *yen = NULL;

  g_assert_cmpstr (adw_action_row_get_subtitle (currency_row), ==, "Indian Rupee (INR)");

  /* Search, then take a row from the filtered list. */
  g_signal_emit_by_name (currency_row, "activate");
  milk_gui_test_iterate ();
  search = find (root, GTK_TYPE_SEARCH_ENTRY);
  g_assert_true (gtk_widget_is_drawable (GTK_WIDGET (search)));
  type_into (search, "yen");
  g_signal_emit_by_name (search, "search-changed");
  milk_gui_test_iterate ();
  list = GTK_LIST_BOX (gtk_widget_get_ancestor (GTK_WIDGET (find_row (root, ADW_TYPE_ACTION_ROW, "Japanese Yen")),
                                                GTK_TYPE_LIST_BOX));
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (list)); row; row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_ACTION_ROW (row) && gtk_widget_get_child_visible (row))
      {
        visible++;
        yen = row;
      }
  g_assert_cmpuint (visible, ==, 1);
  g_signal_emit_by_name (yen, "activate");
  milk_gui_test_iterate ();
  code = milk_store_dup_setting (f->store, "currency");
  g_assert_cmpstr (code, ==, "JPY");
  g_assert_cmpstr (adw_action_row_get_subtitle (currency_row), ==, "Japanese Yen (JPY)");
  g_clear_pointer (&code, g_free);

  /* Enter takes the first match; searching by code works too. */
  g_signal_emit_by_name (currency_row, "activate");
  milk_gui_test_iterate ();
  type_into (search, "eur");
  g_signal_emit_by_name (search, "activate");
  milk_gui_test_iterate ();
  code = milk_store_dup_setting (f->store, "currency");
  g_assert_cmpstr (code, ==, "EUR");

  /* Every ISO 4217 currency is offered. */
  {
    guint rows = 0;

    for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (list)); row; row = gtk_widget_get_next_sibling (row))
      rows += ADW_IS_ACTION_ROW (row);
    g_assert_cmpuint (rows, ==, milk_currency_count ());
  }
}

static void
test_household_name (Fixture       *f,
                     gconstpointer  data)
{
  AdwEntryRow *row = find_row (GTK_WIDGET (f->window), ADW_TYPE_ENTRY_ROW, "Household Name");
  g_autofree char *name = NULL;

  type_into (row, "  The Sharmas ");
  g_signal_emit_by_name (row, "apply");
  milk_gui_test_iterate ();
  name = milk_store_dup_setting (f->store, "household-name");
  g_assert_cmpstr (name, ==, "The Sharmas");
}

static MilkRecord *
product_named (MilkStore  *store,
               const char *name)
{
  g_autoptr(GPtrArray) products = milk_store_list_products (store, TRUE, NULL);

  for (guint i = 0; i < products->len; i++)
    {
      MilkRecord *product = g_ptr_array_index (products, i);

      if (g_strcmp0 (product->name, name) == 0)
        return milk_record_copy (product);
    }
  return NULL;
}

/* The product the test just made or changed: its absence ends the test. */
static MilkRecord *
existing_product (MilkStore  *store,
                  const char *name)
{
  MilkRecord *product = product_named (store, name);

  if (product == NULL)
    g_error ("No product is named “%s”", name);
  return product;
}

static void
test_products (Fixture       *f,
               gconstpointer  data)
{
  GtkWidget *root = GTK_WIDGET (f->window);
  AdwEntryRow *new_row = find_row (root, ADW_TYPE_ENTRY_ROW, "Name, such as “Buffalo Milk”");
  g_autoptr(MilkRecord) buffalo = NULL;
  g_autoptr(MilkRecord) after = NULL;
  g_autoptr(GPtrArray) active = NULL;
  AdwExpanderRow *expander;
  AdwEntryRow *qty_row, *name_row;
  GtkSwitch *archived;

  /* An empty name is refused in place. */
  g_signal_emit_by_name (new_row, "entry-activated");
  milk_gui_test_iterate ();
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (new_row), "error"));
  g_assert_null (product_named (f->store, ""));

  type_into (new_row, "Buffalo Milk");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (new_row), "error"));
  g_signal_emit_by_name (new_row, "entry-activated");
  milk_gui_test_iterate ();
  buffalo = existing_product (f->store, "Buffalo Milk");
  g_assert_cmpint (buffalo->default_qty_ml, ==, 1000);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (new_row)), ==, "");

  /* The usual quantity, typed as text. A bad one keeps the text and the
   * store's value. */
  expander = find_row (root, ADW_TYPE_EXPANDER_ROW, "Buffalo Milk");
  qty_row = find_row (GTK_WIDGET (expander), ADW_TYPE_ENTRY_ROW, "Usual Daily Quantity");
  type_into (qty_row, "a lot");
  g_signal_emit_by_name (qty_row, "apply");
  milk_gui_test_iterate ();
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (qty_row), "error"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (qty_row)), ==, "a lot");
  after = existing_product (f->store, "Buffalo Milk");
  g_assert_cmpint (after->default_qty_ml, ==, 1000);
  g_clear_pointer (&after, milk_record_free);

  type_into (qty_row, "750 ml");
  g_signal_emit_by_name (qty_row, "apply");
  milk_gui_test_iterate ();
  after = existing_product (f->store, "Buffalo Milk");
  g_assert_cmpint (after->default_qty_ml, ==, 750);
  g_clear_pointer (&after, milk_record_free);

  /* The usual quantity by weekday: six and a bad one is refused in place;
   * Monday to Sunday is stored with the product. */
  {
    AdwEntryRow *weekdays;

    expander = find_row (root, ADW_TYPE_EXPANDER_ROW, "Buffalo Milk");
    weekdays = find_row (GTK_WIDGET (expander), ADW_TYPE_ENTRY_ROW,
                         "Usual by Weekday, Monday to Sunday (such as 1; 1; 1; 1; 1; 1; 2)");
    type_into (weekdays, "1; 1; 1; 1; 1; 2");
    g_signal_emit_by_name (weekdays, "apply");
    milk_gui_test_iterate ();
    g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (weekdays), "error"));
    after = existing_product (f->store, "Buffalo Milk");
    g_assert_false (after->has_weekday_qty);
    g_clear_pointer (&after, milk_record_free);

    type_into (weekdays, "1; 1; 1; 1; 1; 1; 2");
    g_signal_emit_by_name (weekdays, "apply");
    milk_gui_test_iterate ();
    after = existing_product (f->store, "Buffalo Milk");
    g_assert_true (after->has_weekday_qty);
    g_assert_cmpint (after->weekday_qty_ml[0], ==, 1000);
    g_assert_cmpint (after->weekday_qty_ml[6], ==, 2000);
    g_clear_pointer (&after, milk_record_free);
  }

  /* Twice a day: the usual evening litres; a bad one is refused in place,
   * empty is once a day again. */
  {
    AdwEntryRow *evening;

    expander = find_row (root, ADW_TYPE_EXPANDER_ROW, "Buffalo Milk");
    evening = find_row (GTK_WIDGET (expander), ADW_TYPE_ENTRY_ROW, "Usual in the Evening (empty for once a day)");
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (evening)), ==, "");
    type_into (evening, "half");
    g_signal_emit_by_name (evening, "apply");
    milk_gui_test_iterate ();
    g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (evening), "error"));
    after = existing_product (f->store, "Buffalo Milk");
    g_assert_false (after->twice_daily);
    g_clear_pointer (&after, milk_record_free);

    type_into (evening, "0.5");
    g_signal_emit_by_name (evening, "apply");
    milk_gui_test_iterate ();
    after = existing_product (f->store, "Buffalo Milk");
    g_assert_true (after->twice_daily);
    g_assert_cmpint (after->evening_qty_ml, ==, 500);
    g_clear_pointer (&after, milk_record_free);
    expander = find_row (root, ADW_TYPE_EXPANDER_ROW, "Buffalo Milk");
    g_assert_nonnull (strstr (adw_expander_row_get_subtitle (expander), "0.75 L a day (0.25 L morning, 0.5 L evening)"));

    evening = find_row (GTK_WIDGET (expander), ADW_TYPE_ENTRY_ROW, "Usual in the Evening (empty for once a day)");
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (evening)), ==, "0.5 L");
    type_into (evening, "");
    g_signal_emit_by_name (evening, "apply");
    milk_gui_test_iterate ();
    after = existing_product (f->store, "Buffalo Milk");
    g_assert_false (after->twice_daily);
    g_clear_pointer (&after, milk_record_free);
    expander = find_row (root, ADW_TYPE_EXPANDER_ROW, "Buffalo Milk");
    g_assert_null (strstr (adw_expander_row_get_subtitle (expander), "evening"));
  }

  /* Rename; the rebuilt list keeps the product open. */
  expander = find_row (root, ADW_TYPE_EXPANDER_ROW, "Buffalo Milk");
  g_assert_true (adw_expander_row_get_expanded (expander));
  name_row = find_row (GTK_WIDGET (expander), ADW_TYPE_ENTRY_ROW, "Name");
  type_into (name_row, "Buffalo");
  g_signal_emit_by_name (name_row, "apply");
  milk_gui_test_iterate ();
  after = existing_product (f->store, "Buffalo");
  g_assert_cmpstr (after->id, ==, buffalo->id);
  g_clear_pointer (&after, milk_record_free);

  /* Archive, and back. */
  expander = find_row (root, ADW_TYPE_EXPANDER_ROW, "Buffalo");
  archived = find (find_row (GTK_WIDGET (expander), ADW_TYPE_ACTION_ROW, "Archived"), GTK_TYPE_SWITCH);
  gtk_switch_set_active (archived, TRUE);
  milk_gui_test_iterate ();
  after = existing_product (f->store, "Buffalo");
  g_assert_true (after->archived);
  g_clear_pointer (&after, milk_record_free);
  active = milk_store_list_products (f->store, FALSE, NULL);
  g_assert_cmpuint (active->len, ==, 1);
  /* Archived products are still listed, so they can come back. */
  expander = find_row (root, ADW_TYPE_EXPANDER_ROW, "Buffalo");
  g_assert_cmpstr (adw_expander_row_get_subtitle (expander), ==, "Archived");
  archived = find (find_row (GTK_WIDGET (expander), ADW_TYPE_ACTION_ROW, "Archived"), GTK_TYPE_SWITCH);
  gtk_switch_set_active (archived, FALSE);
  milk_gui_test_iterate ();
  after = existing_product (f->store, "Buffalo");
  g_assert_false (after->archived);
}

static void
test_price_schedule (Fixture       *f,
                     gconstpointer  data)
{
  GtkWidget *root = GTK_WIDGET (f->window);
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkPriceSchedule) schedule = NULL;
  AdwExpanderRow *expander;
  AdwEntryRow *day_row, *price_row;
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  gboolean shown = FALSE;

  g_assert_true (milk_store_set_price (f->store, MILK, milk_test_day ("2026-01-01"), 5650, &error));
  milk_gui_test_iterate ();

  expander = find_row (root, ADW_TYPE_EXPANDER_ROW, "Milk");
  g_signal_emit_by_name (find_row (GTK_WIDGET (expander), ADW_TYPE_ACTION_ROW, "Price Schedule"), "activate");
  milk_gui_test_iterate ();
  day_row = find_row (root, ADW_TYPE_ENTRY_ROW, "From Day (YYYY-MM-DD)");
  price_row = find_row (root, ADW_TYPE_ENTRY_ROW, "Price per Litre");
  g_assert_true (gtk_widget_is_drawable (GTK_WIDGET (price_row)));
  g_assert_nonnull (find_row (root, ADW_TYPE_ACTION_ROW, "From 1 January 2026"));

  /* Bad text: an error in place, nothing stored, nothing lost. */
  type_into (day_row, "2026-03-16");
  type_into (price_row, "sixty");
  gtk_widget_activate_action (GTK_WIDGET (price_row), "prices.add", NULL);
  milk_gui_test_iterate ();
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (price_row), "error"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (price_row)), ==, "sixty");
  schedule = milk_store_get_price_schedule (f->store, MILK, NULL);
  g_assert_cmpuint (milk_price_schedule_get_n_changes (schedule), ==, 1);
  g_clear_pointer (&schedule, milk_price_schedule_free);

  type_into (day_row, "16/03/2026");
  type_into (price_row, "60.00");
  g_signal_emit_by_name (price_row, "entry-activated");
  milk_gui_test_iterate ();
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (day_row), "error"));
  schedule = milk_store_get_price_schedule (f->store, MILK, NULL);
  g_assert_cmpuint (milk_price_schedule_get_n_changes (schedule), ==, 1);
  g_clear_pointer (&schedule, milk_price_schedule_free);

  /* A change from the 16th: earlier days keep their price. */
  type_into (day_row, "2026-03-16");
  g_signal_emit_by_name (price_row, "entry-activated");
  milk_gui_test_iterate ();
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (day_row), "error"));
  schedule = milk_store_get_price_schedule (f->store, MILK, NULL);
  g_assert_cmpuint (milk_price_schedule_get_n_changes (schedule), ==, 2);
  g_assert_cmpint (milk_price_schedule_lookup (schedule, milk_test_day ("2026-03-15")), ==, 5650);
  g_assert_cmpint (milk_price_schedule_lookup (schedule, milk_test_day ("2026-03-16")), ==, 6000);
  g_clear_pointer (&schedule, milk_price_schedule_free);

  collect (GTK_WIDGET (find_row (root, ADW_TYPE_ACTION_ROW, "From 16 March 2026")), GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    shown |= g_strcmp0 (gtk_label_get_label (g_ptr_array_index (labels, i)), "₹60.00") == 0;
  g_assert_true (shown);

  /* And removed again. */
  gtk_widget_activate_action (GTK_WIDGET (price_row), "prices.remove", "s", "2026-03-16");
  milk_gui_test_iterate ();
  schedule = milk_store_get_price_schedule (f->store, MILK, NULL);
  g_assert_cmpuint (milk_price_schedule_get_n_changes (schedule), ==, 1);
  g_assert_cmpint (milk_price_schedule_lookup (schedule, milk_test_day ("2026-03-16")), ==, 5650);
  g_clear_pointer (&schedule, milk_price_schedule_free);

  /* Undo, from the subpage too. */
  gtk_widget_activate_action (GTK_WIDGET (price_row), "prefs.undo", NULL);
  milk_gui_test_iterate ();
  schedule = milk_store_get_price_schedule (f->store, MILK, NULL);
  g_assert_cmpint (milk_price_schedule_lookup (schedule, milk_test_day ("2026-03-16")), ==, 6000);
}

static gint64
paid_ever (MilkStore *store)
{
  gint64 paid = -1;

  g_assert_true (milk_store_payments_total (store, milk_test_day ("1900-01-01"), milk_test_day ("9999-12-31"), &paid, NULL));
  return paid;
}

static void
test_payments (Fixture       *f,
               gconstpointer  data)
{
  GtkWidget *root = GTK_WIDGET (f->window);
  AdwEntryRow *day_row = find_row (root, ADW_TYPE_ENTRY_ROW, "Day (YYYY-MM-DD)");
  AdwEntryRow *amount_row = find_row (root, ADW_TYPE_ENTRY_ROW, "Amount");
  AdwEntryRow *note_row = find_row (root, ADW_TYPE_ENTRY_ROW, "Note (optional)");
  g_autoptr(GPtrArray) payments = NULL;
  AdwActionRow *row;
  MilkRecord *payment;

  /* Today is filled in. */
  g_assert_cmpuint (milk_day_parse (gtk_editable_get_text (GTK_EDITABLE (day_row)), NULL), ==, milk_day_today ());

  type_into (day_row, "2026-02-10");
  type_into (amount_row, "12.345");
  gtk_widget_activate_action (GTK_WIDGET (amount_row), "payments.add", NULL);
  milk_gui_test_iterate ();
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (amount_row), "error"));
  g_assert_cmpint (paid_ever (f->store), ==, 0);

  type_into (amount_row, "1,500.00");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (amount_row), "error"));
  /* The bill: nothing is open, so the payment's own month is chosen; the
   * person picks January instead. */
  {
    AdwComboRow *bill_row = find_row (root, ADW_TYPE_COMBO_ROW, "For the Bill of");
    GListModel *bills = adw_combo_row_get_model (bill_row);
    guint january = G_MAXUINT;

    g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (bills), adw_combo_row_get_selected (bill_row)),
                     ==, "February 2026");
    for (guint i = 0; i < g_list_model_get_n_items (bills); i++)
      if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (bills), i), "January 2026") == 0)
        january = i;
    g_assert_cmpuint (january, !=, G_MAXUINT);
    adw_combo_row_set_selected (bill_row, january);
  }
  type_into (note_row, "January’s bill");
  g_signal_emit_by_name (note_row, "entry-activated");
  milk_gui_test_iterate ();
  g_assert_cmpint (paid_ever (f->store), ==, 150000);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (amount_row)), ==, "");

  row = find_row (root, ADW_TYPE_ACTION_ROW, "₹1,500.00");
  g_assert_cmpstr (adw_action_row_get_subtitle (row), ==, "10 February 2026 · for January 2026 — January’s bill");

  payments = milk_store_list_payments (f->store, milk_test_day ("1900-01-01"), milk_test_day ("9999-12-31"), NULL);
  g_assert_cmpuint (payments->len, ==, 1);
  payment = g_ptr_array_index (payments, 0);
  g_assert_cmpstr (payment->note, ==, "January’s bill");
  g_assert_cmpuint (payment->day, ==, milk_test_day ("2026-02-10"));
  g_assert_cmpuint (payment->bill, ==, milk_test_day ("2026-01-01"));

  gtk_widget_activate_action (GTK_WIDGET (amount_row), "payments.remove", "s", payment->id);
  milk_gui_test_iterate ();
  g_assert_cmpint (paid_ever (f->store), ==, 0);

  /* The window's Undo (its toast's button, Ctrl+Z) puts it back. */
  gtk_widget_activate_action (root, "prefs.undo", NULL);
  milk_gui_test_iterate ();
  g_assert_cmpint (paid_ever (f->store), ==, 150000);
}

static void
done_cb (MilkWelcomePage *page,
         gboolean        *done)
{
  *done = TRUE;
}

static void
test_welcome (Fixture       *f,
              gconstpointer  data)
{
  GtkWidget *root = GTK_WIDGET (f->window);
  MilkWelcomePage *page = find (root, MILK_TYPE_WELCOME_PAGE);
  AdwEntryRow *price_row = find_row (root, ADW_TYPE_ENTRY_ROW, "Price per Litre");
  GtkDropDown *currency = find (root, GTK_TYPE_DROP_DOWN);
  g_autoptr(MilkPriceSchedule) schedule = NULL;
  g_autofree char *code = NULL;
  gboolean done = FALSE;
  int year, month;

  g_signal_connect (page, "done", G_CALLBACK (done_cb), &done);

  /* LC_ALL=C names no currency: rupees, as the old app assumed. */
  g_assert_cmpstr (milk_welcome_page_default_currency (), ==, "INR");

  type_into (price_row, "56.505");
  g_signal_emit_by_name (price_row, "entry-activated");
  milk_gui_test_iterate ();
  g_assert_false (done);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (price_row), "error"));
  g_assert_null (milk_store_dup_setting (f->store, "currency"));

  for (guint i = 0; i < milk_currency_count (); i++)
    if (g_strcmp0 (milk_currency_get_code (milk_currency_nth (i)), "EUR") == 0)
      gtk_drop_down_set_selected (currency, i);
  type_into (price_row, "1.20");
  gtk_widget_activate_action (GTK_WIDGET (page), "welcome.start", NULL);
  milk_gui_test_iterate ();
  g_assert_true (done);
  code = milk_store_dup_setting (f->store, "currency");
  g_assert_cmpstr (code, ==, "EUR");
  milk_day_get_ymd (milk_day_today (), &year, &month, NULL);
  schedule = milk_store_get_price_schedule (f->store, MILK, NULL);
  g_assert_cmpuint (milk_price_schedule_get_n_changes (schedule), ==, 1);
  g_assert_cmpint (milk_price_schedule_lookup (schedule, milk_day_month_first (year, month)), ==, 120);
  g_assert_cmpint (milk_price_schedule_lookup (schedule, milk_day_month_first (year, month) - 1), <, 0);
}

static void
save_png (GtkWindow  *window,
          const char *name)
{
  const char *dir = g_getenv ("MILK_TEST_PNG_DIR");
  GtkWidget *widget = GTK_WIDGET (window);
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);

  if (dir == NULL)
    return;
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

/* With MILK_TEST_PNG_DIR set, keeps pictures of each page to look at. */
static void
test_snapshots (Fixture       *f,
                gconstpointer  data)
{
  GtkWidget *root = GTK_WIDGET (f->window);
  g_autoptr(GError) error = NULL;
  g_autofree char *payment = NULL;
  g_autoptr(MilkRecord) cow = milk_store_add_product (f->store, "Cow Milk", 500, &error);

  g_assert_true (milk_store_set_price (f->store, MILK, milk_test_day ("2026-01-01"), 5650, &error));
  g_assert_true (milk_store_set_price (f->store, MILK, milk_test_day ("2026-03-16"), 6000, &error));
  payment = milk_store_add_payment (f->store, milk_test_day ("2026-02-03"), 175000, "January", &error);
  g_assert_no_error (error);
  milk_gui_test_iterate ();

  if (g_getenv ("MILK_TEST_PNG_DIR") == NULL)
    {
      g_test_skip ("MILK_TEST_PNG_DIR not set");
      return;
    }
  save_png (f->window, "preferences-general.png");
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (f->window), NULL);
  {
    g_autoptr(GPtrArray) pages = g_ptr_array_new ();

    collect (root, ADW_TYPE_PREFERENCES_PAGE, pages);
    adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (f->window), g_ptr_array_index (pages, 1));
    adw_expander_row_set_expanded (find_row (root, ADW_TYPE_EXPANDER_ROW, "Milk"), TRUE);
    milk_gui_test_iterate ();
    save_png (f->window, "preferences-products.png");
    adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (f->window), g_ptr_array_index (pages, 2));
    milk_gui_test_iterate ();
    save_png (f->window, "preferences-payments.png");
    g_signal_emit_by_name (find_row (root, ADW_TYPE_ACTION_ROW, "Price Schedule"), "activate");
    milk_gui_test_iterate ();
    save_png (f->window, "preferences-prices.png");
    adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (f->window));
    milk_gui_test_iterate ();
    adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (f->window), g_ptr_array_index (pages, 0));
    g_signal_emit_by_name (find_row (root, ADW_TYPE_ACTION_ROW, "Currency"), "activate");
    milk_gui_test_iterate ();
    save_png (f->window, "preferences-currency.png");
  }
}

static void
test_welcome_snapshot (Fixture       *f,
                       gconstpointer  data)
{
  if (g_getenv ("MILK_TEST_PNG_DIR") == NULL)
    {
      g_test_skip ("MILK_TEST_PNG_DIR not set");
      return;
    }
  type_into (find_row (GTK_WIDGET (f->window), ADW_TYPE_ENTRY_ROW, "Price per Litre"), "abc");
  gtk_widget_activate_action (find (GTK_WIDGET (f->window), MILK_TYPE_WELCOME_PAGE), "welcome.start", NULL);
  milk_gui_test_iterate ();
  save_png (f->window, "welcome-page.png");
}

static GtkWidget *
find_button (GtkWidget  *root,
             const char *label)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();

  collect (root, GTK_TYPE_BUTTON, buttons);
  for (guint i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_button_get_label (g_ptr_array_index (buttons, i)), label) == 0)
      return g_ptr_array_index (buttons, i);
  g_error ("no button labelled “%s”", label);
  return NULL;
}

/* Opened by the application, the Sync row's buttons reach app.sign-in and
 * app.sign-out: signed out, Sign In acts and asks for the server over the
 * preferences; Sign Out cannot, and the row says why. */
static void
test_sync_row (void)
{
  g_autofree char *dir = g_dir_make_tmp ("milk-gui-sync-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "diary.sqlite", NULL);
  g_autoptr(MilkApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) files = NULL;
  GtkWindow *prefs = NULL;
  GtkWidget *dialog = NULL;
  GtkWidget *sign_in, *sign_out;
  AdwActionRow *row;
  GList *windows;
  const char *name;

  g_setenv ("MILK_DIARY_PATH", path, TRUE);
  app = milk_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  milk_gui_test_iterate ();

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (MILK_IS_PREFERENCES_WINDOW (l->data))
      prefs = l->data;
  g_assert_nonnull (prefs);
  row = find_row (GTK_WIDGET (prefs), ADW_TYPE_ACTION_ROW, "Sync Server");
  sign_in = find_button (GTK_WIDGET (row), "Sign _In…");
  sign_out = find_button (GTK_WIDGET (row), "Sign _Out…");
  g_assert_cmpstr (adw_action_row_get_subtitle (row), ==, "Not signed in: the diary is on this device only");
  g_assert_true (gtk_widget_is_sensitive (sign_in));
  g_assert_false (gtk_widget_is_sensitive (sign_out));

  g_signal_emit_by_name (sign_in, "clicked");
  milk_gui_test_iterate ();
  windows = gtk_window_list_toplevels ();
  for (GList *l = windows; l != NULL; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data) &&
        gtk_window_get_transient_for (l->data) == prefs)
      dialog = l->data;
  g_list_free (windows);
  g_assert_nonnull (dialog);
  g_assert_true (GTK_IS_EDITABLE (adw_message_dialog_get_extra_child (ADW_MESSAGE_DIALOG (dialog))));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  milk_gui_test_iterate ();

  while ((windows = gtk_application_get_windows (GTK_APPLICATION (app))) != NULL)
    gtk_window_destroy (windows->data);
  milk_gui_test_iterate ();
  g_clear_object (&app);
  g_unsetenv ("MILK_DIARY_PATH");
  files = g_dir_open (dir, 0, NULL);
  while (files && (name = g_dir_read_name (files)) != NULL)
    {
      g_autofree char *file = g_build_filename (dir, name, NULL);
      g_unlink (file);
    }
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

#define ADD(name, func) g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/gui/preferences/currency-search", test_currency_search);
  ADD ("/gui/preferences/household-name", test_household_name);
  ADD ("/gui/preferences/products", test_products);
  ADD ("/gui/preferences/price-schedule", test_price_schedule);
  ADD ("/gui/preferences/payments", test_payments);
  ADD ("/gui/preferences/snapshots", test_snapshots);
#undef ADD
  g_test_add ("/gui/welcome/start", Fixture, NULL, welcome_setup, test_welcome, fixture_teardown);
  g_test_add ("/gui/welcome/snapshot", Fixture, NULL, welcome_setup, test_welcome_snapshot, fixture_teardown);
  g_test_add_func ("/gui/preferences/sync-row", test_sync_row);

  return g_test_run ();
}
