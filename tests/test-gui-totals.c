/* test-gui-totals.c — the totals view, in a real window, against the store
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <adwaita.h>

#include "milk-gui-test-util.h"
#include "milk-test-util.h"
#include "milk-chart.h"
#include "milk-totals-view.h"

#define MILK MILK_DEFAULT_PRODUCT_ID

typedef struct
{
  char *dir;
  MilkStore *store;
  GtkWindow *window;
  MilkTotalsView *view;
} Fixture;


static void
set_entry (MilkStore  *store,
           const char *iso,
           gint64      qty_ml)
{
  g_autoptr(GError) error = NULL;

  milk_store_set_entry (store, MILK, milk_test_day (iso), qty_ml, MILK_NO_PRICE, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *payment = NULL;

  f->dir = g_dir_make_tmp ("milk-gui-totals-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "diary.sqlite", NULL);
  f->store = milk_store_new (path, &error);
  g_assert_no_error (error);

  /* 2024: a little; 2025: January and March at two prices, and January's
   * bill paid in February (the payment counts on January's row). */
  g_assert_true (milk_store_set_price (f->store, MILK, milk_test_day ("2024-01-01"), 5000, &error));
  g_assert_true (milk_store_set_price (f->store, MILK, milk_test_day ("2025-03-16"), 6000, &error));
  set_entry (f->store, "2024-12-30", 1000);
  set_entry (f->store, "2024-12-31", 500);
  set_entry (f->store, "2025-01-01", 1500);
  set_entry (f->store, "2025-01-02", 0);
  set_entry (f->store, "2025-01-03", 1250);
  set_entry (f->store, "2025-03-15", 1000);
  set_entry (f->store, "2025-03-16", 1000);
  payment = milk_store_record_payment (f->store, milk_test_day ("2025-02-05"), 10000, "January",
                                       milk_test_day ("2025-01-01"), NULL, &error);
  g_assert_no_error (error);

  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 600, 900);
  f->view = MILK_TOTALS_VIEW (milk_totals_view_new (f->store));
  gtk_window_set_child (f->window, GTK_WIDGET (f->view));
  milk_totals_view_set_year (f->view, 2025);
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
collect (GtkWidget  *widget,
         GType       type,
         const char *name,
         GPtrArray  *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) &&
      (name == NULL || g_strcmp0 (gtk_widget_get_name (widget), name) == 0))
    g_ptr_array_add (found, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    collect (child, type, name, found);
}

static GtkWidget *
find (GtkWidget  *root,
      GType       type,
      const char *name)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  collect (root, type, name, found);
  g_assert_cmpuint (found->len, >=, 1);
  return g_ptr_array_index (found, 0);
}

static GPtrArray *
month_rows (Fixture *f)
{
  GPtrArray *rows = g_ptr_array_new ();

  collect (GTK_WIDGET (f->view), ADW_TYPE_ACTION_ROW, "month", rows);
  return rows;
}

static const char *
label_text (GtkWidget  *root,
            const char *name)
{
  GtkWidget *label = find (root, GTK_TYPE_LABEL, name);

  g_assert_true (gtk_widget_is_drawable (label));
  return gtk_label_get_label (GTK_LABEL (label));
}

/* Each month row says what the store says, to the minor unit. */
static void
check_year (Fixture *f,
            int      year)
{
  g_autoptr(GPtrArray) rows = month_rows (f);
  const MilkCurrency *currency = milk_store_get_currency (f->store);
  guint expected_rows = 0;

  for (int month = 1; month <= 12; month++)
    {
      g_autoptr(MilkBill) bill = milk_store_build_bill (f->store, year, month, NULL);
      GtkWidget *row = NULL;
      g_autofree char *amount = NULL;
      g_autofree char *paid_money = NULL;
      g_autofree char *balance_money = NULL;
      g_autofree char *paid_text = NULL;
      g_autofree char *balance_text = NULL;
      g_autofree char *litres = NULL;
      g_autofree char *days = NULL;
      const char *subtitle;

      g_assert_nonnull (bill);
      if (bill->lines->len == 0 && bill->payments->len == 0)
        continue;

      g_assert_cmpuint (expected_rows, <, rows->len);
      row = g_ptr_array_index (rows, expected_rows++);
      g_assert_cmpint (GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "month")), ==, month);

      amount = milk_money_format (bill->amount, currency);
      paid_money = milk_money_format (bill->paid, currency);
      balance_money = milk_money_format (bill->balance_due, currency);
      paid_text = g_strdup_printf ("Paid %s", paid_money);
      balance_text = g_strdup_printf ("Due %s", balance_money);
      litres = milk_quantity_format (bill->qty_ml);
      days = g_strdup_printf (bill->delivered_days == 1 ? "%u day" : "%u days", bill->delivered_days);

      g_assert_cmpstr (label_text (row, "amount"), ==, amount);
      g_assert_cmpstr (label_text (row, "paid"), ==, paid_text);
      g_assert_cmpstr (label_text (row, "balance"), ==, balance_text);
      subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
      g_assert_nonnull (strstr (subtitle, litres));
      g_assert_nonnull (strstr (subtitle, days));
    }
  g_assert_cmpuint (rows->len, ==, expected_rows);
}

static void
check_totals (Fixture *f,
              int      year)
{
  const MilkCurrency *currency = milk_store_get_currency (f->store);
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autofree char *year_text = g_strdup_printf ("%d", year);
  g_autofree char *year_amount = NULL;
  g_autofree char *all_amount = NULL;
  MilkTotals year_totals, all_totals;
  gboolean saw_year = FALSE, saw_all = FALSE;

  g_assert_true (milk_store_year_totals (f->store, year, &year_totals, NULL, NULL));
  g_assert_true (milk_store_all_time_totals (f->store, &all_totals, NULL, NULL));
  year_amount = milk_money_format (year_totals.amount, currency);
  all_amount = milk_money_format (all_totals.amount, currency);

  collect (GTK_WIDGET (f->view), ADW_TYPE_ACTION_ROW, NULL, rows);
  for (guint i = 0; i < rows->len; i++)
    {
      AdwActionRow *row = g_ptr_array_index (rows, i);
      const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
      g_autoptr(GPtrArray) labels = g_ptr_array_new ();

      collect (GTK_WIDGET (row), GTK_TYPE_LABEL, NULL, labels);
      if (g_strcmp0 (title, year_text) == 0)
        {
          gboolean found = FALSE;
          for (guint j = 0; j < labels->len; j++)
            found |= g_strcmp0 (gtk_label_get_label (g_ptr_array_index (labels, j)), year_amount) == 0;
          g_assert_true (found);
          saw_year = TRUE;
        }
      else if (g_strcmp0 (title, "All Time") == 0)
        {
          gboolean found = FALSE;
          for (guint j = 0; j < labels->len; j++)
            found |= g_strcmp0 (gtk_label_get_label (g_ptr_array_index (labels, j)), all_amount) == 0;
          g_assert_true (found);
          saw_all = TRUE;
        }
    }
  g_assert_true (saw_year);
  g_assert_true (saw_all);
}

static void
test_months_equal_store (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = month_rows (f);
  MilkTotals january;

  /* January and March: February has no milk and no payment for its bill. */
  g_assert_cmpuint (rows->len, ==, 2);
  check_year (f, 2025);
  check_totals (f, 2025);

  /* Spelled out, so a mistake in both the view and the test shows:
   * 1.5 L + 1.25 L at 50.00 = 137.50; the skipped day counts no day. */
  g_assert_true (milk_store_month_totals (f->store, 2025, 1, &january, NULL, NULL));
  g_assert_cmpint (january.amount, ==, 13750);
  g_assert_cmpstr (label_text (g_ptr_array_index (rows, 0), "amount"), ==, "₹137.50");
  g_assert_cmpstr (adw_action_row_get_subtitle (g_ptr_array_index (rows, 0)), ==, "2.75 L · 2 days");
  /* Paid in February for January; December's ₹75.00 (1.5 L at 50.00)
   * comes forward: 75.00 + 137.50 − 100.00 = 112.50. March at 50.00 and
   * 60.00 = 110.00, nothing paid: 222.50. */
  g_assert_cmpstr (label_text (g_ptr_array_index (rows, 0), "paid"), ==, "Paid ₹100.00");
  g_assert_cmpstr (label_text (g_ptr_array_index (rows, 0), "balance"), ==, "Due ₹112.50");
  g_assert_cmpstr (label_text (g_ptr_array_index (rows, 1), "amount"), ==, "₹110.00");
  g_assert_cmpstr (label_text (g_ptr_array_index (rows, 1), "paid"), ==, "Paid ₹0.00");
  g_assert_cmpstr (label_text (g_ptr_array_index (rows, 1), "balance"), ==, "Due ₹222.50");
}

static void
test_year_navigation (Fixture       *f,
                      gconstpointer  data)
{
  GtkLabel *year_label;
  int this_year;

  milk_day_get_ymd (milk_day_today (), &this_year, NULL, NULL);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "totals.previous-year", NULL));
  milk_gui_test_iterate ();
  g_assert_cmpint (milk_totals_view_get_year (f->view), ==, 2024);
  year_label = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (f->view), MILK_TYPE_TOTALS_VIEW, "year_label"));
  g_assert_cmpstr (gtk_label_get_label (year_label), ==, "2024");
  check_year (f, 2024);
  check_totals (f, 2024);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "totals.next-year", NULL));
  milk_gui_test_iterate ();
  g_assert_cmpint (milk_totals_view_get_year (f->view), ==, 2025);
  check_year (f, 2025);

  /* No years in the future. */
  g_object_set (f->view, "year", this_year, NULL);
  milk_gui_test_iterate ();
  gtk_widget_activate_action (GTK_WIDGET (f->view), "totals.next-year", NULL);
  milk_gui_test_iterate ();
  g_assert_cmpint (milk_totals_view_get_year (f->view), ==, this_year);
}

static void
test_refreshes_on_change (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autofree char *payment = NULL;
  g_autoptr(GError) error = NULL;

  before = month_rows (f);
  g_assert_cmpuint (before->len, ==, 2);
  set_entry (f->store, "2025-07-04", 2000);
  payment = milk_store_add_payment (f->store, milk_test_day ("2025-07-31"), 5000, NULL, &error);
  g_assert_no_error (error);
  milk_gui_test_iterate ();
  after = month_rows (f);
  g_assert_cmpuint (after->len, ==, 3);
  check_year (f, 2025);
  check_totals (f, 2025);
}

/* What is sent, and no more, changes no figure: the months stay as they
 * are until a day changes. */
static void
test_sync_alone_leaves_months (Fixture       *f,
                               gconstpointer  data)
{
  GtkListBox *list = GTK_LIST_BOX (gtk_widget_get_template_child (GTK_WIDGET (f->view), MILK_TYPE_TOTALS_VIEW,
                                                                  "months_list"));
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, 0);
  g_autoptr(GPtrArray) pending = milk_store_list_pending (f->store, 1000, NULL);

  g_assert_nonnull (row);
  g_object_add_weak_pointer (G_OBJECT (row), (gpointer *) &row);
  g_assert_true (milk_store_mark_synced (f->store, pending, NULL));
  milk_gui_test_iterate ();
  g_assert_nonnull (row);

  set_entry (f->store, "2025-01-03", 1000);
  milk_gui_test_iterate ();
  g_assert_null (row);
  check_year (f, 2025);
}

static void
month_activated_cb (MilkTotalsView *view,
                    int             year,
                    int             month,
                    int            *out)
{
  out[0] = year;
  out[1] = month;
}

static void
test_month_activated (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = month_rows (f);
  int got[2] = { 0, 0 };

  g_signal_connect (f->view, "month-activated", G_CALLBACK (month_activated_cb), got);
  g_signal_emit_by_name (g_ptr_array_index (rows, 1), "activate");
  milk_gui_test_iterate ();
  g_assert_cmpint (got[0], ==, 2025);
  g_assert_cmpint (got[1], ==, 3);
}

static void
test_chart_text_alternative (Fixture       *f,
                             gconstpointer  data)
{
  MilkChart *chart = MILK_CHART (gtk_widget_get_template_child (GTK_WIDGET (f->view), MILK_TYPE_TOTALS_VIEW, "chart"));
  const MilkCurrency *currency = milk_store_get_currency (f->store);
  g_autofree char *description = milk_chart_dup_description (chart);
  g_auto(GStrv) parts = g_strsplit (description, "; ", -1);

  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (chart)), ==, GTK_ACCESSIBLE_ROLE_IMG);
  g_assert_cmpuint (milk_chart_get_n_values (chart), ==, 12);
  g_assert_cmpuint (g_strv_length (parts), ==, 12);
  for (int month = 1; month <= 12; month++)
    {
      MilkTotals totals;
      g_autofree char *money = NULL;

      g_assert_true (milk_store_month_totals (f->store, 2025, month, &totals, NULL, NULL));
      money = milk_money_format (totals.amount, currency);
      g_assert_true (g_str_has_suffix (parts[month - 1], money));
    }
  g_assert_true (g_str_has_prefix (parts[0], "January: "));
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (chart)), >, 100);
}

/* With MILK_TEST_PNG_DIR set, keeps a picture of the view to look at. */
static void
test_snapshot (Fixture       *f,
               gconstpointer  data)
{
  const char *dir = g_getenv ("MILK_TEST_PNG_DIR");
  GtkWidget *widget = GTK_WIDGET (f->window);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);

  g_assert_cmpint (width, >, 0);
  if (dir == NULL)
    {
      g_test_skip ("MILK_TEST_PNG_DIR not set");
      return;
    }
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (f->window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_build_filename (dir, "totals-view.png", NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));

  /* The narrowest window the app allows. */
  gtk_window_set_default_size (f->window, 360, 900);
  milk_gui_test_iterate ();
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  g_clear_pointer (&node, gsk_render_node_unref);
  g_clear_object (&texture);
  g_clear_pointer (&path, g_free);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (f->window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_build_filename (dir, "totals-view-narrow.png", NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
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
  ADD ("/gui/totals/months-equal-store", test_months_equal_store);
  ADD ("/gui/totals/year-navigation", test_year_navigation);
  ADD ("/gui/totals/refreshes-on-change", test_refreshes_on_change);
  ADD ("/gui/totals/sync-alone-leaves-months", test_sync_alone_leaves_months);
  ADD ("/gui/totals/month-activated", test_month_activated);
  ADD ("/gui/totals/chart-text-alternative", test_chart_text_alternative);
  ADD ("/gui/totals/snapshot", test_snapshot);
#undef ADD

  return g_test_run ();
}
