/* milk-payments-page.c — the Payments page of the preferences: money paid
 * to the milk seller, listed and added
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <glib/gi18n.h>

#include "milk-payments-page.h"
#include "milk-store-follower.h"
#include "milk-preferences-rows.h"

struct _MilkPaymentsPage
{
  AdwPreferencesPage parent_instance;

  AdwEntryRow *payment_day_row;
  GtkPopover *payment_day_popover;
  GtkCalendar *payment_calendar;
  AdwEntryRow *payment_amount_row;
  GtkLabel *payment_symbol_label;
  AdwEntryRow *payment_note_row;
  AdwComboRow *payment_bill_row;
  GtkListBox *payments_list;

  GArray *payment_bills;        /* MilkDay per payment_bill_row item */
  MilkStore *store;
  MilkToaster *toaster;
  MilkStoreFollower *follower;
};

G_DEFINE_FINAL_TYPE (MilkPaymentsPage, milk_payments_page, ADW_TYPE_PREFERENCES_PAGE)

enum {
  PROP_0,
  PROP_STORE,
  PROP_TOASTER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  REMOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_toast (MilkPaymentsPage *self,
            const char       *message)
{
  if (self->toaster)
    milk_toaster_add (self->toaster, adw_toast_new (message));
}

static char *
month_title (MilkDay month)
{
  int year, number;
  g_autoptr(GDateTime) date = NULL;

  milk_day_get_ymd (month, &year, &number, NULL);
  date = g_date_time_new_local (year, number, 1, 0, 0, 0);
  /* TRANSLATORS: the month shown, see strftime; %OB is the month's name */
  return g_date_time_format (date, _("%OB %Y"));
}

static void
add_month (GArray  *months,
           MilkDay  month)
{
  for (guint i = 0; i < months->len; i++)
    if (g_array_index (months, MilkDay, i) == month)
      return;
  g_array_append_val (months, month);
}

static int
compare_days (gconstpointer a,
              gconstpointer b)
{
  MilkDay x = *(const MilkDay *) a, y = *(const MilkDay *) b;

  return x < y ? -1 : x > y;
}

/* The bills a payment on the Day row's day can pay: those not settled
 * on that day, the month before and the day's own month, oldest first,
 * with the one the rule picks selected. */
static void
refresh_bills (MilkPaymentsPage *self)
{
  g_autoptr(MilkLedger) ledger = NULL;
  g_autoptr(GArray) open = NULL;
  g_autoptr(GtkStringList) titles = gtk_string_list_new (NULL);
  MilkDay day, month, chosen;
  guint selected = 0;

  if (self->store == NULL || self->payment_bills == NULL)
    return;
  day = milk_day_parse (gtk_editable_get_text (GTK_EDITABLE (self->payment_day_row)), NULL);
  if (day == MILK_DAY_INVALID)
    day = milk_day_today ();
  if ((ledger = milk_store_build_ledger (self->store, NULL)) == NULL)
    return;

  month = milk_day_month_of (day);
  g_array_set_size (self->payment_bills, 0);
  open = milk_ledger_list_unsettled (ledger, day);
  for (guint i = 0; i < open->len; i++)
    add_month (self->payment_bills, g_array_index (open, MilkDay, i));
  if (milk_day_is_valid (month - 1))
    add_month (self->payment_bills, milk_day_month_of (month - 1));
  add_month (self->payment_bills, month);
  g_array_sort (self->payment_bills, compare_days);

  chosen = milk_ledger_default_bill (ledger, day);
  for (guint i = 0; i < self->payment_bills->len; i++)
    {
      g_autofree char *title = month_title (g_array_index (self->payment_bills, MilkDay, i));

      gtk_string_list_append (titles, title);
      if (g_array_index (self->payment_bills, MilkDay, i) == chosen)
        selected = i;
    }
  adw_combo_row_set_model (self->payment_bill_row, G_LIST_MODEL (titles));
  adw_combo_row_set_selected (self->payment_bill_row, selected);
}

static void
refresh (MilkPaymentsPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) payments = NULL;
  g_autoptr(MilkLedger) ledger = NULL;
  const MilkCurrency *currency;

  if (self->store == NULL)
    return;
  currency = milk_store_get_currency (self->store);
  gtk_label_set_label (self->payment_symbol_label, milk_currency_get_symbol (currency));
  milk_prefs_clear_list (self->payments_list);
  payments = milk_store_list_payments (self->store,
                                       milk_day_from_ymd (MILK_DAY_MIN_YEAR, 1, 1),
                                       milk_day_from_ymd (MILK_DAY_MAX_YEAR, 12, 31),
                                       &error);
  if (payments == NULL || (ledger = milk_store_build_ledger (self->store, &error)) == NULL)
    {
      show_toast (self, error->message);
      return;
    }
  refresh_bills (self);

  /* Latest first. */
  for (guint i = payments->len; i > 0; i--)
    {
      MilkRecord *payment = g_ptr_array_index (payments, i - 1);
      g_autofree char *money = milk_money_format (payment->amount, currency);
      g_autofree char *day = milk_prefs_format_day (payment->day);
      g_autofree char *bill = month_title (milk_ledger_payment_bill (ledger, payment->id));
      g_autofree char *subtitle = NULL;
      GtkWidget *row = adw_action_row_new ();

      if (payment->note && *payment->note)
        /* TRANSLATORS: a payment's day, the bill it pays and its note: "3 March 2026 · for February 2026 — cash" */
        subtitle = g_strdup_printf (_("%s · for %s — %s"), day, bill, payment->note);
      else
        /* TRANSLATORS: a payment's day and the bill it pays: "3 March 2026 · for February 2026" */
        subtitle = g_strdup_printf (_("%s · for %s"), day, bill);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), money);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 milk_prefs_remove_button_new ("payments.remove", payment->id, _("Remove Payment")));
      gtk_list_box_append (self->payments_list, row);
    }
}

static void
add_payment_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  MilkPaymentsPage *self = MILK_PAYMENTS_PAGE (widget);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *note = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->payment_note_row))));
  MilkDay day, bill = MILK_DAY_INVALID;
  gint64 amount;
  guint selected;

  day = milk_day_parse (gtk_editable_get_text (GTK_EDITABLE (self->payment_day_row)), &error);
  if (day == MILK_DAY_INVALID)
    {
      milk_prefs_row_set_error (self->payment_day_row, error->message);
      return;
    }
  amount = milk_price_parse (gtk_editable_get_text (GTK_EDITABLE (self->payment_amount_row)),
                             milk_store_get_currency (self->store), &error);
  if (amount < 0)
    {
      milk_prefs_row_set_error (self->payment_amount_row, error->message);
      return;
    }
  if (amount == 0)
    {
      milk_prefs_row_set_error (self->payment_amount_row, _("Enter the amount paid, such as 1500"));
      return;
    }
  selected = adw_combo_row_get_selected (self->payment_bill_row);
  if (self->payment_bills && selected < self->payment_bills->len)
    bill = g_array_index (self->payment_bills, MilkDay, selected);
  id = milk_store_record_payment (self->store, day, amount, note[0] ? note : NULL, bill, NULL, &error);
  if (id == NULL)
    {
      milk_prefs_row_set_error (self->payment_note_row, error->message);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->payment_amount_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->payment_note_row), "");
}

static void
remove_payment_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  MilkPaymentsPage *self = MILK_PAYMENTS_PAGE (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkRecord) payment = milk_store_get (self->store, MILK_RECORD_PAYMENT, id, &error);
  g_autofree char *money = NULL;
  g_autofree char *message = NULL;

  if (payment == NULL || !milk_store_remove_payment (self->store, id, &error))
    {
      if (error)
        show_toast (self, error->message);
      return;
    }
  money = milk_money_format (payment->amount, milk_store_get_currency (self->store));
  /* TRANSLATORS: %s is an amount, "₹1,500.00" */
  message = g_strdup_printf (_("Removed the payment of %s"), money);
  g_signal_emit (self, signals[REMOVED], 0, message, payment);
}

static void
payment_activated_cb (MilkPaymentsPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "payments.add", NULL);
}

static void
payment_day_selected_cb (MilkPaymentsPage *self)
{
  milk_prefs_set_day_from_calendar (self->payment_day_row, self->payment_calendar, self->payment_day_popover);
}

static void
milk_payments_page_constructed (GObject *object)
{
  MilkPaymentsPage *self = MILK_PAYMENTS_PAGE (object);

  G_OBJECT_CLASS (milk_payments_page_parent_class)->constructed (object);

  /* Nothing on a page shows the sync journal. */
  self->follower = milk_store_follower_new (self->store, MILK_STORE_CHANGE_ALL & ~MILK_STORE_CHANGE_SYNC,
                                            (MilkStoreRefreshFunc) refresh, self);
  refresh (self);
}

static void
milk_payments_page_dispose (GObject *object)
{
  MilkPaymentsPage *self = MILK_PAYMENTS_PAGE (object);

  g_clear_object (&self->follower);
  g_clear_object (&self->store);
  g_clear_object (&self->toaster);
  g_clear_pointer (&self->payment_bills, g_array_unref);

  gtk_widget_dispose_template (GTK_WIDGET (self), MILK_TYPE_PAYMENTS_PAGE);

  G_OBJECT_CLASS (milk_payments_page_parent_class)->dispose (object);
}

static void
milk_payments_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  MilkPaymentsPage *self = MILK_PAYMENTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_TOASTER:
      g_value_set_object (value, self->toaster);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
milk_payments_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  MilkPaymentsPage *self = MILK_PAYMENTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_TOASTER:
      self->toaster = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
milk_payments_page_class_init (MilkPaymentsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = milk_payments_page_constructed;
  object_class->dispose = milk_payments_page_dispose;
  object_class->get_property = milk_payments_page_get_property;
  object_class->set_property = milk_payments_page_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         MILK_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOASTER] =
    g_param_spec_object ("toaster", NULL, NULL,
                         MILK_TYPE_TOASTER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MilkPaymentsPage::removed:
   * @message: what to say about the removal
   * @record: (type MilkRecord): the payment as it was, to put back on Undo
   */
  signals[REMOVED] =
    g_signal_new ("removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_POINTER);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/milkdiary/MilkDiary/ui/milk-payments-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MilkPaymentsPage, payment_day_row);
  gtk_widget_class_bind_template_child (widget_class, MilkPaymentsPage, payment_day_popover);
  gtk_widget_class_bind_template_child (widget_class, MilkPaymentsPage, payment_calendar);
  gtk_widget_class_bind_template_child (widget_class, MilkPaymentsPage, payment_amount_row);
  gtk_widget_class_bind_template_child (widget_class, MilkPaymentsPage, payment_symbol_label);
  gtk_widget_class_bind_template_child (widget_class, MilkPaymentsPage, payment_note_row);
  gtk_widget_class_bind_template_child (widget_class, MilkPaymentsPage, payment_bill_row);
  gtk_widget_class_bind_template_child (widget_class, MilkPaymentsPage, payments_list);
  gtk_widget_class_bind_template_callback (widget_class, payment_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, payment_day_selected_cb);

  gtk_widget_class_install_action (widget_class, "payments.add", NULL, add_payment_action);
  gtk_widget_class_install_action (widget_class, "payments.remove", "s", remove_payment_action);
}

static void
milk_payments_page_init (MilkPaymentsPage *self)
{
  char today[11];

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_list_box_set_placeholder (self->payments_list, milk_prefs_placeholder_new (_("No payments yet")));
  milk_day_format_iso (milk_day_today (), today);
  gtk_editable_set_text (GTK_EDITABLE (self->payment_day_row), today);
  self->payment_bills = g_array_new (FALSE, FALSE, sizeof (MilkDay));
  g_signal_connect_object (self->payment_day_row, "changed", G_CALLBACK (refresh_bills), self, G_CONNECT_SWAPPED);

  milk_prefs_watch_errors (self->payment_day_row);
  milk_prefs_watch_errors (self->payment_amount_row);
  milk_prefs_watch_errors (self->payment_note_row);
}

GtkWidget *
milk_payments_page_new (MilkStore   *store,
                        MilkToaster *toaster)
{
  g_return_val_if_fail (MILK_IS_STORE (store), NULL);
  g_return_val_if_fail (toaster == NULL || MILK_IS_TOASTER (toaster), NULL);

  return g_object_new (MILK_TYPE_PAYMENTS_PAGE,
                       "store", store,
                       "toaster", toaster,
                       NULL);
}
