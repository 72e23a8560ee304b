/* milk-bill-panel.c — a month's bill under the calendar
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <glib/gi18n.h>

#include "milk-bill-panel.h"
#include "milk-bill-row.h"

struct _MilkBillPanel
{
  GtkWidget parent_instance;

  GtkLabel *bill_title;
  GtkListBox *products_list;
  MilkBillRow *unpriced_row;
  MilkBillRow *litres_row;
  MilkBillRow *days_row;
  MilkBillRow *average_row;
  MilkBillRow *amount_row;
  MilkBillRow *brought_forward_row;
  MilkBillRow *paid_row;
  MilkBillRow *balance_row;
  GtkLabel *milkman_description;
  AdwEntryRow *milkman_row;

  MilkStore *store;
  int year;
  int month;
  GPtrArray *product_rows;
};

G_DEFINE_FINAL_TYPE (MilkBillPanel, milk_bill_panel, GTK_TYPE_WIDGET)

static void
set_title (MilkBillPanel *self)
{
  g_autoptr(GDateTime) date = g_date_time_new_utc (self->year, self->month, 1, 0, 0, 0);
  /* TRANSLATORS: the month shown, see strftime; %OB is the month's name */
  g_autofree char *month = g_date_time_format (date, _("%OB %Y"));
  /* TRANSLATORS: %s is a month and year, "November 2026" */
  g_autofree char *title = g_strdup_printf (_("Bill for %s"), month);

  gtk_label_set_label (self->bill_title, title);
}

static void
clear_product_rows (MilkBillPanel *self)
{
  for (guint i = 0; i < self->product_rows->len; i++)
    gtk_list_box_remove (self->products_list, g_ptr_array_index (self->product_rows, i));
  g_ptr_array_set_size (self->product_rows, 0);
}

/* "Morning 30 L · Evening 15 L" for a product delivered twice a day, NULL
 * for one delivered once; the days it came once are left out, and said. */
static char *
split_text (const MilkBillProduct *product)
{
  g_autofree char *morning = NULL, *evening = NULL;

  if (product->split_days == 0)
    return NULL;
  morning = milk_quantity_format (product->morning_ml);
  evening = milk_quantity_format (product->evening_ml);
  if (product->split_days == product->delivered_days)
    /* TRANSLATORS: a month's litres delivered in the mornings and the evenings */
    return g_strdup_printf (_("Morning %s · Evening %s"), morning, evening);
  /* TRANSLATORS: "Morning 30 L · Evening 15 L on 20 days", the other delivery days came once */
  return g_strdup_printf (ngettext ("Morning %s · Evening %s on %u day",
                                    "Morning %s · Evening %s on %u days", product->split_days),
                          morning, evening, product->split_days);
}

/* With two products or more, what each adds up to. */
static void
fill_products (MilkBillPanel      *self,
               const MilkBill     *bill,
               const MilkCurrency *currency)
{
  clear_product_rows (self);
  gtk_widget_set_visible (GTK_WIDGET (self->products_list), bill->products->len > 1);
  if (bill->products->len < 2)
    return;
  for (guint i = 0; i < bill->products->len; i++)
    {
      MilkBillProduct *product = g_ptr_array_index (bill->products, i);
      g_autofree char *qty = milk_quantity_format (product->qty_ml);
      g_autofree char *money = milk_money_format (product->amount, currency);
      g_autofree char *subtitle = g_strdup_printf (ngettext ("%s on %u day", "%s on %u days", product->delivered_days),
                                                   qty, product->delivered_days);
      g_autofree char *split = split_text (product);
      GtkWidget *row = milk_bill_row_new (product->name);

      if (split)
        {
          char *both = g_strdup_printf ("%s\n%s", subtitle, split);

          g_free (subtitle);
          subtitle = both;
        }
      milk_bill_row_set_subtitle (MILK_BILL_ROW (row), subtitle);
      milk_bill_row_set_value (MILK_BILL_ROW (row), money);
      gtk_list_box_append (self->products_list, row);
      g_ptr_array_add (self->product_rows, row);
    }
}

/* "5 Oct, 20 Oct": the days of the payments applied to the bill. */
static char *
payment_days (const MilkBill *bill)
{
  g_autoptr(GString) days = g_string_new (NULL);

  for (guint i = 0; i < bill->payments->len; i++)
    {
      MilkRecord *payment = g_ptr_array_index (bill->payments, i);
      int y, m, d;
      g_autoptr(GDateTime) date = NULL;
      g_autofree char *text = NULL;

      milk_day_get_ymd (payment->day, &y, &m, &d);
      date = g_date_time_new_utc (y, m, d, 0, 0, 0);
      /* TRANSLATORS: a payment's day in the bill, see strftime: "5 Oct" */
      text = g_date_time_format (date, _("%-d %b"));
      if (days->len)
        /* TRANSLATORS: between the days of two payments */
        g_string_append (days, _(", "));
      g_string_append (days, text);
    }
  return g_string_free (g_steal_pointer (&days), FALSE);
}

static gboolean
typing_in (GtkWidget *row)
{
  GtkRoot *root = gtk_widget_get_root (row);
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;

  return focus != NULL && (focus == row || gtk_widget_is_ancestor (focus, row));
}

/* What the milkman's bill asks for the month, if the person entered it,
 * set against the diary's; the row keeps what is being typed. */
static void
fill_milkman (MilkBillPanel      *self,
              const MilkBill     *bill,
              const MilkCurrency *currency)
{
  g_autofree char *name = milk_bill_check_setting_name (bill->month);
  g_autofree char *value = milk_store_dup_setting (self->store, name);
  g_autofree char *verdict = NULL;
  gint64 asked;

  gtk_widget_remove_css_class (GTK_WIDGET (self->milkman_row), "error");
  if (value == NULL || !g_ascii_string_to_signed (value, 10, 0, MILK_AMOUNT_MAX, &asked, NULL))
    {
      gtk_label_set_label (self->milkman_description,
                           _("Enter what the milkman’s bill asks to check it against the diary"));
      if (!typing_in (GTK_WIDGET (self->milkman_row)))
        gtk_editable_set_text (GTK_EDITABLE (self->milkman_row), "");
      return;
    }
  verdict = milk_bill_explain (bill, asked, currency);
  gtk_label_set_label (self->milkman_description, verdict);
  if (!typing_in (GTK_WIDGET (self->milkman_row)))
    {
      g_autofree char *text = milk_money_format_plain (asked, currency);

      gtk_editable_set_text (GTK_EDITABLE (self->milkman_row), text);
    }
}

static void
milkman_changed_cb (MilkBillPanel *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->milkman_row), "error");
}

/* Kept with the month as a synced setting; an empty field forgets it. */
static void
milkman_applied_cb (MilkBillPanel *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->milkman_row))));
  g_autofree char *name = milk_bill_check_setting_name (milk_day_month_first (self->year, self->month));
  g_autofree char *value = NULL;
  g_autoptr(GError) error = NULL;
  gint64 asked = 0;

  if (*text != '\0' &&
      (asked = milk_price_parse (text, milk_store_get_currency (self->store), &error)) < 0)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->milkman_row), "error");
      gtk_label_set_label (self->milkman_description, error->message);
      return;
    }
  value = *text ? g_strdup_printf ("%" G_GINT64_FORMAT, asked) : g_strdup ("");
  if (!milk_store_set_setting (self->store, name, value, &error))
    gtk_label_set_label (self->milkman_description, error->message);
}

/* The panel shows the month's MilkBill, as --month and the PDF do. */
void
milk_bill_panel_refresh (MilkBillPanel *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MilkBill) bill = NULL;
  const MilkCurrency *currency = milk_store_get_currency (self->store);
  g_autofree char *litres = NULL, *amount = NULL, *average = NULL, *forward = NULL;
  g_autofree char *paid_text = NULL, *balance_text = NULL, *days = NULL;
  g_autofree char *unpriced = NULL, *paid_days = NULL;

  g_return_if_fail (MILK_IS_BILL_PANEL (self));

  if (self->store == NULL)
    return;
  set_title (self);
  bill = milk_store_build_bill (self->store, self->year, self->month, &error);
  if (bill == NULL)
    {
      g_warning ("The month's bill could not be read: %s", error->message);
      return;
    }

  litres = milk_quantity_format (bill->qty_ml);
  amount = milk_money_format (bill->amount, currency);
  average = bill->delivered_days ? milk_quantity_format (bill->average_ml) : g_strdup ("—");
  forward = milk_money_format (bill->brought_forward, currency);
  paid_text = milk_money_format (bill->paid, currency);
  balance_text = milk_money_format (bill->balance_due, currency);
  days = g_strdup_printf (ngettext ("%u day", "%u days", bill->delivered_days), bill->delivered_days);
  paid_days = payment_days (bill);

  milk_bill_row_set_value (self->litres_row, litres);
  milk_bill_row_set_value (self->days_row, days);
  milk_bill_row_set_value (self->average_row, average);
  milk_bill_row_set_value (self->amount_row, amount);
  gtk_widget_set_visible (GTK_WIDGET (self->brought_forward_row), bill->brought_forward != 0);
  milk_bill_row_set_value (self->brought_forward_row, forward);
  milk_bill_row_set_subtitle (self->brought_forward_row,
                              bill->brought_forward > 0 ? _("Left to pay from earlier bills")
                                                        : _("Paid ahead on earlier bills"));
  milk_bill_row_set_value (self->paid_row, paid_text);
  milk_bill_row_set_subtitle (self->paid_row, paid_days);
  milk_bill_row_set_value (self->balance_row, balance_text);
  milk_bill_row_set_subtitle (self->balance_row, milk_bill_state_to_string (bill->state));

  gtk_widget_set_visible (GTK_WIDGET (self->unpriced_row), bill->unpriced_days > 0);
  unpriced = g_strdup_printf (ngettext ("%u delivery day has no price; set one in Preferences",
                                        "%u delivery days have no price; set one in Preferences",
                                        bill->unpriced_days), bill->unpriced_days);
  milk_bill_row_set_subtitle (self->unpriced_row, unpriced);
  {
    g_autofree char *split = bill->products->len == 1 ? split_text (g_ptr_array_index (bill->products, 0)) : NULL;

    milk_bill_row_set_subtitle (self->litres_row, split);
  }
  fill_products (self, bill, currency);
  fill_milkman (self, bill, currency);
}


/* The bill of @month of @year in @store; NULL shows nothing. */
void
milk_bill_panel_show (MilkBillPanel *self,
                      MilkStore     *store,
                      int            year,
                      int            month)
{
  g_return_if_fail (MILK_IS_BILL_PANEL (self));

  g_set_object (&self->store, store);
  self->year = year;
  self->month = month;
  milk_bill_panel_refresh (self);
}

static void
milk_bill_panel_dispose (GObject *object)
{
  MilkBillPanel *self = MILK_BILL_PANEL (object);
  GtkWidget *child;

  g_clear_object (&self->store);
  g_clear_pointer (&self->product_rows, g_ptr_array_unref);

  gtk_widget_dispose_template (GTK_WIDGET (self), MILK_TYPE_BILL_PANEL);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (milk_bill_panel_parent_class)->dispose (object);
}

static void
milk_bill_panel_class_init (MilkBillPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = milk_bill_panel_dispose;

  g_type_ensure (MILK_TYPE_BILL_ROW);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/milkdiary/MilkDiary/ui/milk-bill-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, MilkBillPanel, bill_title);
  gtk_widget_class_bind_template_child (widget_class, MilkBillPanel, products_list);
  gtk_widget_class_bind_template_child (widget_class, MilkBillPanel, unpriced_row);
  gtk_widget_class_bind_template_child (widget_class, MilkBillPanel, litres_row);
  gtk_widget_class_bind_template_child (widget_class, MilkBillPanel, days_row);
  gtk_widget_class_bind_template_child (widget_class, MilkBillPanel, average_row);
  gtk_widget_class_bind_template_child (widget_class, MilkBillPanel, amount_row);
  gtk_widget_class_bind_template_child (widget_class, MilkBillPanel, brought_forward_row);
  gtk_widget_class_bind_template_child (widget_class, MilkBillPanel, paid_row);
  gtk_widget_class_bind_template_child (widget_class, MilkBillPanel, balance_row);
  gtk_widget_class_bind_template_child (widget_class, MilkBillPanel, milkman_description);
  gtk_widget_class_bind_template_child (widget_class, MilkBillPanel, milkman_row);
  gtk_widget_class_bind_template_callback (widget_class, milkman_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, milkman_changed_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
milk_bill_panel_init (MilkBillPanel *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  self->product_rows = g_ptr_array_new ();
  self->year = g_date_time_get_year (now);
  self->month = g_date_time_get_month (now);
  gtk_widget_init_template (GTK_WIDGET (self));
}
