/* milk-totals-view.c — the months of a year, their bills and a chart
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "milk-chart.h"
#include "milk-totals-view.h"

struct _MilkTotalsView
{
  GtkWidget parent_instance;

  GtkLabel *year_label;
  GtkLabel *error_label;
  MilkChart *chart;
  GtkListBox *months_list;
  AdwActionRow *year_row;
  GtkLabel *year_amount_label;
  AdwActionRow *all_time_row;
  GtkLabel *all_time_amount_label;
  GtkWidget *placeholder;

  MilkStore *store;
  GSignalGroup *store_signals;
  int year;
  gboolean stale;   /* changed while hidden: refreshed when next shown */
};

G_DEFINE_FINAL_TYPE (MilkTotalsView, milk_totals_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  PROP_YEAR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  MONTH_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static int
current_year (void)
{
  int year = 0;

  milk_day_get_ymd (milk_day_today (), &year, NULL, NULL);
  return year;
}

/* %OB is the month's name as it stands alone (in some languages not the
 * form a date uses), %Ob its abbreviation ("Mär", "सित॰"). */
static char *
month_name (int         year,
            int         month,
            const char *format)
{
  g_autoptr(GDateTime) date = g_date_time_new_local (year, month, 1, 0, 0, 0);

  return g_date_time_format (date, format);
}

static char *
days_text (guint days)
{
  return g_strdup_printf (ngettext ("%u day", "%u days", days), days);
}

/* "31 L · 31 days": what a row or total line says under its title. */
static char *
summary_text (const MilkTotals *totals)
{
  g_autofree char *litres = milk_quantity_format (totals->qty_ml);
  g_autofree char *days = days_text (totals->delivered_days);

  /* TRANSLATORS: a quantity and a number of days, e.g. "31 L · 31 days" */
  return g_strdup_printf (_("%s · %s"), litres, days);
}

static GtkWidget *
new_value_label (const char *name,
                 const char *text,
                 const char *style)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_set_name (label, name);
  gtk_label_set_xalign (GTK_LABEL (label), 1.0);
  gtk_widget_add_css_class (label, "numeric");
  if (style)
    gtk_widget_add_css_class (label, style);
  return label;
}

static GtkWidget *
new_month_row (MilkTotalsView     *self,
               const MilkBill     *bill,
               const MilkCurrency *currency)
{
  int month;
  g_autofree char *title = NULL;
  g_autofree char *litres = milk_quantity_format (bill->qty_ml);
  g_autofree char *days = days_text (bill->delivered_days);
  g_autofree char *summary = NULL;
  g_autofree char *amount = milk_money_format (bill->amount, currency);
  g_autofree char *paid_money = milk_money_format (bill->paid, currency);
  g_autofree char *balance_money = milk_money_format (bill->balance_due, currency);
  g_autofree char *paid_text = NULL;
  g_autofree char *balance_text = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *values = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *details = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  milk_day_get_ymd (bill->month, NULL, &month, NULL);
  title = month_name (self->year, month, "%OB");
  /* TRANSLATORS: a quantity and a number of days, e.g. "31 L · 31 days" */
  summary = g_strdup_printf (_("%s · %s"), litres, days);
  /* TRANSLATORS: the payments applied to a month's bill, e.g. "Paid ₹500.00" */
  paid_text = g_strdup_printf (_("Paid %s"), paid_money);
  /* TRANSLATORS: what is owed at the end of a month, e.g. "Due ₹1,200.00" */
  balance_text = g_strdup_printf (_("Due %s"), balance_money);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), summary);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_name (row, "month");
  g_object_set_data (G_OBJECT (row), "month", GINT_TO_POINTER (month));

  gtk_widget_set_valign (values, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (values), new_value_label ("amount", amount, "heading"));
  gtk_widget_set_halign (details, GTK_ALIGN_END);
  gtk_widget_add_css_class (details, "caption");
  gtk_widget_add_css_class (details, "dim-label");
  gtk_box_append (GTK_BOX (details), new_value_label ("paid", paid_text, NULL));
  gtk_box_append (GTK_BOX (details), new_value_label ("balance", balance_text, NULL));
  gtk_box_append (GTK_BOX (values), details);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), values);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));

  {
    /* TRANSLATORS: a month row read aloud, the bill's status last: "March: 31 L · 31 days, ₹1,750.00, Paid ₹0.00, Due ₹1,750.00 (Due)" */
    g_autofree char *spoken = g_strdup_printf (_("%s: %s, %s, %s, %s (%s)"), title, summary, amount,
                                               paid_text, balance_text, milk_bill_state_to_string (bill->state));
    gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, spoken, -1);
  }
  return row;
}

static void
show_error (MilkTotalsView *self,
            const GError   *error)
{
  gtk_label_set_label (self->error_label, error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
}

static void
clear_months (MilkTotalsView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->months_list))) != NULL)
    {
      if (child == self->placeholder)
        break;
      gtk_list_box_remove (self->months_list, child);
    }
}

static void refresh_now (MilkTotalsView *self);

/* A hidden page (the Totals page while the calendar shows) sums nothing
 * until it is shown: start-up and every edit stay quick. */
static void
refresh (MilkTotalsView *self)
{
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      self->stale = TRUE;
      return;
    }
  refresh_now (self);
}

static void
milk_totals_view_map (GtkWidget *widget)
{
  MilkTotalsView *self = MILK_TOTALS_VIEW (widget);

  GTK_WIDGET_CLASS (milk_totals_view_parent_class)->map (widget);
  if (self->stale)
    refresh_now (self);
}

static void
refresh_now (MilkTotalsView *self)
{
  g_autoptr(GError) error = NULL;

  self->stale = FALSE;
  g_autofree char *year_text = g_strdup_printf ("%d", self->year);
  g_autofree char *chart_title = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) short_names = g_ptr_array_new_with_free_func (g_free);
  gint64 amounts[12] = { 0 };
  const MilkCurrency *currency;
  MilkTotals year_totals, all_totals;
  g_autoptr(GPtrArray) bills = NULL;

  gtk_label_set_label (self->year_label, year_text);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "totals.previous-year", self->year > MILK_DAY_MIN_YEAR);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "totals.next-year", self->year < current_year ());
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  clear_months (self);

  if (self->store == NULL)
    return;

  currency = milk_store_get_currency (self->store);

  /* The months' rows show their bills, as the calendar, --month and the
   * PDF do: built from one pass over the history. */
  bills = milk_store_build_year_bills (self->store, self->year, &error);
  if (bills == NULL)
    {
      show_error (self, error);
      return;
    }

  for (int month = 1; month <= 12; month++)
    {
      MilkBill *bill = g_ptr_array_index (bills, month - 1);

      g_ptr_array_add (names, month_name (self->year, month, "%OB"));
      g_ptr_array_add (short_names, month_name (self->year, month, "%Ob"));
      amounts[month - 1] = bill->amount;

      /* A month with nothing in it has nothing to check against a bill. */
      if (bill->lines->len == 0 && bill->payments->len == 0)
        continue;
      gtk_list_box_append (self->months_list, new_month_row (self, bill, currency));
    }

  /* TRANSLATORS: the accessible name of the chart, e.g. "Amount per month in 2026" */
  chart_title = g_strdup_printf (_("Amount per month in %d"), self->year);
  milk_chart_set_title (self->chart, chart_title);
  milk_chart_set_values (self->chart, amounts,
                         (const char * const *) names->pdata,
                         (const char * const *) short_names->pdata,
                         12, currency);

  if (!milk_store_year_totals (self->store, self->year, &year_totals, NULL, &error) ||
      !milk_store_all_time_totals (self->store, &all_totals, NULL, &error))
    {
      show_error (self, error);
      return;
    }

  {
    g_autofree char *summary = summary_text (&year_totals);
    g_autofree char *amount = milk_money_format (year_totals.amount, currency);

    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->year_row), year_text);
    adw_action_row_set_subtitle (self->year_row, summary);
    gtk_label_set_label (self->year_amount_label, amount);
  }
  {
    g_autofree char *summary = summary_text (&all_totals);
    g_autofree char *amount = milk_money_format (all_totals.amount, currency);

    adw_action_row_set_subtitle (self->all_time_row, summary);
    gtk_label_set_label (self->all_time_amount_label, amount);
  }
}

/* The year's bills carry what earlier years left to pay, and the all-time
 * line counts every day: any change of the diary's records, but not of
 * the sync journal alone. */
static void
store_changed_cb (MilkTotalsView        *self,
                  const MilkStoreChange *change)
{
  if (change->what & ~MILK_STORE_CHANGE_SYNC)
    refresh (self);
}

static void
month_row_activated_cb (MilkTotalsView *self,
                        GtkListBoxRow  *row)
{
  int month = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "month"));

  if (month >= 1 && month <= 12)
    g_signal_emit (self, signals[MONTH_ACTIVATED], 0, self->year, month);
}

static void
previous_year_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  MilkTotalsView *self = MILK_TOTALS_VIEW (widget);

  milk_totals_view_set_year (self, self->year - 1);
}

static void
next_year_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  MilkTotalsView *self = MILK_TOTALS_VIEW (widget);

  milk_totals_view_set_year (self, self->year + 1);
}

static void
set_store (MilkTotalsView *self,
           MilkStore      *store)
{
  if (self->store == store)
    return;
  g_set_object (&self->store, store);
  g_signal_group_set_target (self->store_signals, store);
  /* Set from a template after construction: show the diary at once. */
  if (gtk_widget_get_first_child (GTK_WIDGET (self)) != NULL)
    refresh (self);
}

static void
milk_totals_view_constructed (GObject *object)
{
  MilkTotalsView *self = MILK_TOTALS_VIEW (object);

  G_OBJECT_CLASS (milk_totals_view_parent_class)->constructed (object);

  refresh (self);
}

static void
milk_totals_view_dispose (GObject *object)
{
  MilkTotalsView *self = MILK_TOTALS_VIEW (object);
  GtkWidget *child;

  if (self->store_signals)
    g_signal_group_set_target (self->store_signals, NULL);
  g_clear_object (&self->store_signals);
  g_clear_object (&self->store);

  gtk_widget_dispose_template (GTK_WIDGET (self), MILK_TYPE_TOTALS_VIEW);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (milk_totals_view_parent_class)->dispose (object);
}

static void
milk_totals_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  MilkTotalsView *self = MILK_TOTALS_VIEW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_YEAR:
      g_value_set_int (value, self->year);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
milk_totals_view_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  MilkTotalsView *self = MILK_TOTALS_VIEW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      set_store (self, g_value_get_object (value));
      break;
    case PROP_YEAR:
      milk_totals_view_set_year (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
milk_totals_view_class_init (MilkTotalsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = milk_totals_view_constructed;
  object_class->dispose = milk_totals_view_dispose;
  object_class->get_property = milk_totals_view_get_property;
  object_class->set_property = milk_totals_view_set_property;
  widget_class->map = milk_totals_view_map;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         MILK_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  properties[PROP_YEAR] =
    g_param_spec_int ("year", NULL, NULL,
                      MILK_DAY_MIN_YEAR, MILK_DAY_MAX_YEAR, MILK_DAY_MIN_YEAR,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MilkTotalsView::month-activated:
   * @year: the year
   * @month: the month, 1 to 12
   *
   * The person chose a month to look at day by day.
   */
  signals[MONTH_ACTIVATED] =
    g_signal_new ("month-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_INT);

  g_type_ensure (MILK_TYPE_CHART);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/milkdiary/MilkDiary/ui/milk-totals-view.ui");
  gtk_widget_class_bind_template_child (widget_class, MilkTotalsView, year_label);
  gtk_widget_class_bind_template_child (widget_class, MilkTotalsView, error_label);
  gtk_widget_class_bind_template_child (widget_class, MilkTotalsView, chart);
  gtk_widget_class_bind_template_child (widget_class, MilkTotalsView, months_list);
  gtk_widget_class_bind_template_child (widget_class, MilkTotalsView, year_row);
  gtk_widget_class_bind_template_child (widget_class, MilkTotalsView, year_amount_label);
  gtk_widget_class_bind_template_child (widget_class, MilkTotalsView, all_time_row);
  gtk_widget_class_bind_template_child (widget_class, MilkTotalsView, all_time_amount_label);
  gtk_widget_class_bind_template_callback (widget_class, month_row_activated_cb);

  gtk_widget_class_install_action (widget_class, "totals.previous-year", NULL, previous_year_action);
  gtk_widget_class_install_action (widget_class, "totals.next-year", NULL, next_year_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, GDK_CONTROL_MASK, "totals.previous-year", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, GDK_CONTROL_MASK, "totals.next-year", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "totalsview");
}

static void
milk_totals_view_init (MilkTotalsView *self)
{
  self->store_signals = g_signal_group_new (MILK_TYPE_STORE);
  g_signal_group_connect_swapped (self->store_signals, "changed", G_CALLBACK (store_changed_cb), self);
  self->year = current_year ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->placeholder = gtk_label_new (_("Nothing recorded in this year"));
  gtk_widget_add_css_class (self->placeholder, "dim-label");
  gtk_widget_set_margin_top (self->placeholder, 18);
  gtk_widget_set_margin_bottom (self->placeholder, 18);
  gtk_widget_set_margin_start (self->placeholder, 12);
  gtk_widget_set_margin_end (self->placeholder, 12);
  gtk_label_set_wrap (GTK_LABEL (self->placeholder), TRUE);
  gtk_list_box_set_placeholder (self->months_list, self->placeholder);
}

GtkWidget *
milk_totals_view_new (MilkStore *store)
{
  g_return_val_if_fail (MILK_IS_STORE (store), NULL);

  return g_object_new (MILK_TYPE_TOTALS_VIEW, "store", store, NULL);
}

MilkStore *
milk_totals_view_get_store (MilkTotalsView *self)
{
  g_return_val_if_fail (MILK_IS_TOTALS_VIEW (self), NULL);

  return self->store;
}

int
milk_totals_view_get_year (MilkTotalsView *self)
{
  g_return_val_if_fail (MILK_IS_TOTALS_VIEW (self), 0);

  return self->year;
}

void
milk_totals_view_set_year (MilkTotalsView *self,
                           int             year)
{
  g_return_if_fail (MILK_IS_TOTALS_VIEW (self));

  year = CLAMP (year, MILK_DAY_MIN_YEAR, MILK_DAY_MAX_YEAR);
  if (year == self->year)
    return;
  self->year = year;
  refresh (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_YEAR]);
}
