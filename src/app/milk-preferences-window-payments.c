/* milk-preferences-window-payments.c — the Payments page: money paid to the
 * milk seller, listed and added
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <glib/gi18n.h>

#include "milk-preferences-window-private.h"

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
void
_milk_prefs_refresh_payment_bills (MilkPreferencesWindow *self)
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

void
_milk_prefs_refresh_payments (MilkPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) payments = NULL;
  g_autoptr(MilkLedger) ledger = NULL;
  const MilkCurrency *currency = milk_store_get_currency (self->store);

  _milk_prefs_clear_list (self->payments_list);
  payments = milk_store_list_payments (self->store,
                                       milk_day_from_ymd (MILK_DAY_MIN_YEAR, 1, 1),
                                       milk_day_from_ymd (MILK_DAY_MAX_YEAR, 12, 31),
                                       &error);
  if (payments == NULL || (ledger = milk_store_build_ledger (self->store, &error)) == NULL)
    {
      _milk_prefs_show_toast (self, error->message);
      return;
    }
  _milk_prefs_refresh_payment_bills (self);

  /* Latest first. */
  for (guint i = payments->len; i > 0; i--)
    {
      MilkRecord *payment = g_ptr_array_index (payments, i - 1);
      g_autofree char *money = milk_money_format (payment->amount, currency);
      g_autofree char *day = _milk_prefs_format_day (payment->day);
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
                                 _milk_prefs_new_remove_button ("prefs.remove-payment", payment->id, _("Remove Payment")));
      gtk_list_box_append (self->payments_list, row);
    }
}

static void
add_payment_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  MilkPreferencesWindow *self = MILK_PREFERENCES_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *note = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->payment_note_row))));
  MilkDay day, bill = MILK_DAY_INVALID;
  gint64 amount;
  guint selected;

  day = milk_day_parse (gtk_editable_get_text (GTK_EDITABLE (self->payment_day_row)), &error);
  if (day == MILK_DAY_INVALID)
    {
      _milk_prefs_row_set_error (self->payment_day_row, error->message);
      return;
    }
  amount = milk_price_parse (gtk_editable_get_text (GTK_EDITABLE (self->payment_amount_row)),
                             milk_store_get_currency (self->store), &error);
  if (amount < 0)
    {
      _milk_prefs_row_set_error (self->payment_amount_row, error->message);
      return;
    }
  if (amount == 0)
    {
      _milk_prefs_row_set_error (self->payment_amount_row, _("Enter the amount paid, such as 1500"));
      return;
    }
  selected = adw_combo_row_get_selected (self->payment_bill_row);
  if (self->payment_bills && selected < self->payment_bills->len)
    bill = g_array_index (self->payment_bills, MilkDay, selected);
  id = milk_store_record_payment (self->store, day, amount, note[0] ? note : NULL, bill, NULL, &error);
  if (id == NULL)
    {
      _milk_prefs_row_set_error (self->payment_note_row, error->message);
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
  MilkPreferencesWindow *self = MILK_PREFERENCES_WINDOW (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkRecord) payment = milk_store_get (self->store, MILK_RECORD_PAYMENT, id, &error);
  g_autofree char *money = NULL;
  g_autofree char *message = NULL;

  if (payment == NULL || !milk_store_remove_payment (self->store, id, &error))
    {
      if (error)
        _milk_prefs_show_toast (self, error->message);
      return;
    }
  money = milk_money_format (payment->amount, milk_store_get_currency (self->store));
  /* TRANSLATORS: %s is an amount, "₹1,500.00" */
  message = g_strdup_printf (_("Removed the payment of %s"), money);
  _milk_prefs_offer_undo (self, message, payment);
}

static void
payment_activated_cb (MilkPreferencesWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "prefs.add-payment", NULL);
}

static void
payment_day_selected_cb (MilkPreferencesWindow *self)
{
  _milk_prefs_set_day_from_calendar (self->payment_day_row, self->payment_calendar, self->payment_day_popover);
}

void
_milk_prefs_payments_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, payment_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, payment_day_selected_cb);
  gtk_widget_class_install_action (widget_class, "prefs.add-payment", NULL, add_payment_action);
  gtk_widget_class_install_action (widget_class, "prefs.remove-payment", "s", remove_payment_action);
}
