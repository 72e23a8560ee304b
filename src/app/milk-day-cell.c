/* milk-day-cell.c — one day of the month grid
 *
 * A month shows 42 of these at start-up, so a cell is as light as it can
 * be: a button with two labels of its own on a grid layout, no template
 * (building 42 GtkBuilder templates and their boxes was a tenth of the
 * window's start), and the mark for a note or a day's own price made only
 * for a day that has one.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <glib/gi18n.h>

#include "milk-day-cell.h"
#include "milk-product-dots.h"

struct _MilkDayCell
{
  GtkButton parent_instance;

  GtkLabel *number;
  GtkImage *mark;      /* NULL until a day of this cell has a note or its own price */
  GtkLabel *quantity;
  GByteArray *products;  /* the product of each line's dot; empty with one product */

  MilkDay day;
  MilkDayState state;
  char *date_text;
  char *tooltip;       /* what was recorded, with any note; NULL when nothing */
};

G_DEFINE_FINAL_TYPE (MilkDayCell, milk_day_cell, GTK_TYPE_BUTTON)

static void
milk_day_cell_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (milk_day_cell_parent_class)->dispose (object);
}

static void
milk_day_cell_finalize (GObject *object)
{
  MilkDayCell *self = MILK_DAY_CELL (object);

  g_clear_pointer (&self->date_text, g_free);
  g_clear_pointer (&self->tooltip, g_free);
  g_clear_pointer (&self->products, g_byte_array_unref);

  G_OBJECT_CLASS (milk_day_cell_parent_class)->finalize (object);
}

/* The tooltip is asked for when the pointer rests on the cell; setting its
 * text on every change would query the pointer's position each time. */
static gboolean
milk_day_cell_query_tooltip (GtkWidget  *widget,
                             int         x,
                             int         y,
                             gboolean    keyboard,
                             GtkTooltip *tooltip)
{
  MilkDayCell *self = MILK_DAY_CELL (widget);

  if (self->tooltip == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, self->tooltip);
  return TRUE;
}

static void
milk_day_cell_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  MilkDayCell *self = MILK_DAY_CELL (widget);

  GTK_WIDGET_CLASS (milk_day_cell_parent_class)->snapshot (widget, snapshot);
  if (self->products->len > 0)
    milk_product_dots_snapshot (snapshot, widget, self->quantity, self->products);
}

static void
milk_day_cell_class_init (MilkDayCellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = milk_day_cell_dispose;
  object_class->finalize = milk_day_cell_finalize;
  widget_class->query_tooltip = milk_day_cell_query_tooltip;
  widget_class->snapshot = milk_day_cell_snapshot;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_GRID_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "daycell");
}

/* @child at (@column, @row) of the cell's grid, @width columns wide. */
static void
place (MilkDayCell *self,
       GtkWidget   *child,
       int          column,
       int          row,
       int          width)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  GtkGridLayoutChild *at;

  gtk_widget_set_parent (child, GTK_WIDGET (self));
  at = GTK_GRID_LAYOUT_CHILD (gtk_layout_manager_get_layout_child (layout, child));
  gtk_grid_layout_child_set_column (at, column);
  gtk_grid_layout_child_set_row (at, row);
  gtk_grid_layout_child_set_column_span (at, width);
}

/* The number in the top row, the mark (when there is one) at its end,
 * the quantities centred below. */
static void
milk_day_cell_init (MilkDayCell *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkGridLayout *layout = GTK_GRID_LAYOUT (gtk_widget_get_layout_manager (widget));

  gtk_grid_layout_set_row_spacing (layout, 2);
  gtk_widget_set_hexpand (widget, TRUE);
  gtk_widget_set_vexpand (widget, TRUE);
  gtk_widget_set_has_tooltip (widget, TRUE);
  self->products = g_byte_array_new ();

  self->number = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->number, 0);
  gtk_widget_set_hexpand (GTK_WIDGET (self->number), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->number), "day-number");
  gtk_widget_add_css_class (GTK_WIDGET (self->number), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->number), "numeric");
  place (self, GTK_WIDGET (self->number), 0, 0, 1);

  self->quantity = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_vexpand (GTK_WIDGET (self->quantity), TRUE);
  /* Centred by the label, not by its widget's valign (milk-bill-row.c) */
  gtk_label_set_yalign (self->quantity, 0.5);
  gtk_label_set_justify (self->quantity, GTK_JUSTIFY_CENTER);
  /* A day delivered morning and evening, "1 + 0.5 L", takes two lines
   * where one is too narrow (its parts are kept whole): set_lines wraps
   * a cell with something to show. */
  gtk_widget_add_css_class (GTK_WIDGET (self->quantity), "quantity");
  gtk_widget_add_css_class (GTK_WIDGET (self->quantity), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->quantity), "numeric");
  place (self, GTK_WIDGET (self->quantity), 0, 1, 2);
}

/* A note or a price for this day only: said in the label and the
 * tooltip, and marked with a small pencil. */
static void
show_mark (MilkDayCell *self,
           gboolean     shown)
{
  if (self->mark == NULL && !shown)
    return;
  if (self->mark == NULL)
    {
      self->mark = g_object_new (GTK_TYPE_IMAGE,
                                 "icon-name", "document-edit-symbolic",
                                 "pixel-size", 10,
                                 "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                                 NULL);
      gtk_widget_add_css_class (GTK_WIDGET (self->mark), "day-mark");
      place (self, GTK_WIDGET (self->mark), 1, 0, 1);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->mark), shown);
}

#define NO_BREAK_SPACE "\xc2\xa0"

typedef struct
{
  GString *markup;       /* the cell's lines */
  GString *description;  /* the same, said */
  GString *extra;        /* notes and prices for this day only */
  GByteArray *products;  /* the product of each line's dot */
  const char *note;      /* the last note added to extra */
  gboolean any;
  gboolean delivered;
} DayLines;

static void
day_lines_add (DayLines           *lines,
               const MilkRecord   *entry,
               const MilkRecord   *product,
               guint               index,
               gboolean            several,
               const MilkCurrency *currency)
{
  g_autofree char *qty = entry->qty_ml > 0 ? milk_quantity_format (entry->qty_ml) : NULL;
  g_autofree char *parts = NULL, *said = NULL;
  /* TRANSLATORS: the mark in a day cell for "no delivery" */
  const char *shown = qty ? qty : C_("day cell", "—");
  g_autofree char *escaped = NULL;

  if (qty && milk_entry_is_split (entry))
    {
      g_autofree char *morning = milk_quantity_format_litres (entry->morning_ml);
      g_autofree char *morning_l = milk_quantity_format (entry->morning_ml);
      g_autofree char *evening_l = milk_quantity_format (entry->evening_ml);
      g_auto(GStrv) words = g_strsplit (evening_l, " ", -1);
      g_autofree char *evening = g_strjoinv (NO_BREAK_SPACE, words);

      /* "1 + 0.5 L", which a narrow cell breaks only after the "+" */
      parts = g_strdup_printf ("%s" NO_BREAK_SPACE "+ %s", morning, evening);
      shown = parts;
      /* TRANSLATORS: a day's quantity, said: "1.5 L (morning 1 L, evening 0.5 L)" */
      said = g_strdup_printf (_("%s (morning %s, evening %s)"), qty, morning_l, evening_l);
    }
  escaped = g_markup_escape_text (shown, -1);

  if (lines->any)
    {
      g_string_append_c (lines->markup, '\n');
      g_string_append (lines->description, ", ");
    }
  lines->any = TRUE;
  lines->delivered |= entry->qty_ml > 0;
  if (several)
    {
      guint8 dot = index % G_MAXUINT8;

      g_string_append (lines->markup, MILK_PRODUCT_DOT);
      g_byte_array_append (lines->products, &dot, 1);
      g_string_append_printf (lines->description, "%s ", product->name);
    }
  g_string_append (lines->markup, escaped);
  g_string_append (lines->description, said ? said : qty ? qty : _("no delivery"));

  if (entry->price_override != MILK_NO_PRICE && currency != NULL)
    {
      g_autofree char *price = milk_money_format (entry->price_override, currency);

      if (lines->extra->len)
        g_string_append_c (lines->extra, '\n');
      if (several)
        g_string_append_printf (lines->extra, "%s: ", product->name);
      /* TRANSLATORS: a price set for one day only, "₹60.00 a litre on this day" */
      g_string_append_printf (lines->extra, _("%s a litre on this day"), price);
    }
  /* The day editor keeps one note for the day, on each product's entry. */
  if (entry->note != NULL && *entry->note != '\0' && g_strcmp0 (lines->note, entry->note) != 0)
    {
      if (lines->extra->len)
        g_string_append_c (lines->extra, '\n');
      /* TRANSLATORS: a day's note in its tooltip, "Note: two guests" */
      g_string_append_printf (lines->extra, _("Note: %s"), entry->note);
      lines->note = entry->note;
    }
}

static void
toggle_class (GtkWidget  *widget,
              const char *name,
              gboolean    on)
{
  if (on)
    gtk_widget_add_css_class (widget, name);
  else
    gtk_widget_remove_css_class (widget, name);
}

/* @markup: the lines shown (Pango markup, escaped); @description: the
 * same for screen readers, with any note; @extra: a note or a price for
 * this day only, which puts a mark on the cell and goes in the tooltip. */
static void
set_lines (MilkDayCell  *self,
           MilkDayState  state,
           const char   *markup,
           const char   *description,
           const char   *extra)
{
  GtkWidget *widget = GTK_WIDGET (self);
  g_autofree char *label = NULL;

  self->state = state;
  gtk_label_set_markup (self->quantity, markup ? markup : "");
  /* An empty label that wraps is laid out again at every width it is
   * measured at (four before the first frame); one that does not, once.
   * Most cells are empty at the start of a month. */
  gtk_label_set_wrap (self->quantity, markup != NULL && *markup != '\0');
  g_byte_array_set_size (self->products, 0);
  toggle_class (widget, "delivered", state == MILK_DAY_DELIVERED);
  toggle_class (widget, "skipped", state == MILK_DAY_SKIPPED);
  show_mark (self, extra != NULL);

  if (description && extra)
    label = g_strdup_printf ("%s: %s; %s", self->date_text, description, extra);
  else if (description)
    label = g_strdup_printf ("%s: %s", self->date_text, description);
  else
    /* TRANSLATORS: %s is a day; nothing has been recorded for it */
    label = g_strdup_printf (_("%s: not recorded"), self->date_text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  g_free (self->tooltip);
  self->tooltip = description == NULL ? NULL
                : extra ? g_strdup_printf ("%s\n%s", description, extra) : g_strdup (description);
}

/* The day's entries among @entries, one line per product in the
 * products' order; nothing recorded leaves the cell as it is. */
void
milk_day_cell_show_entries (MilkDayCell        *self,
                            GPtrArray          *products,
                            GPtrArray          *entries,
                            const MilkCurrency *currency)
{
  MilkDay day = milk_day_cell_get_day (self);
  g_autoptr(GString) markup = g_string_new (NULL);
  g_autoptr(GString) description = g_string_new (NULL);
  g_autoptr(GString) extra = g_string_new (NULL);
  g_autoptr(GByteArray) dots = g_byte_array_new ();
  DayLines lines = { markup, description, extra, dots, NULL, FALSE, FALSE };

  for (guint p = 0; p < products->len; p++)
    {
      MilkRecord *product = g_ptr_array_index (products, p);

      for (guint e = 0; e < entries->len; e++)
        {
          MilkRecord *entry = g_ptr_array_index (entries, e);

          if (entry->day == day && g_strcmp0 (entry->id, product->id) == 0)
            day_lines_add (&lines, entry, product, p, products->len > 1, currency);
        }
    }

  if (!lines.any)
    return;
  set_lines (self, lines.delivered ? MILK_DAY_DELIVERED : MILK_DAY_SKIPPED,
             markup->str, description->str, extra->len ? extra->str : NULL);
  g_byte_array_append (self->products, dots->data, dots->len);
}

GtkWidget *
milk_day_cell_new (void)
{
  return g_object_new (MILK_TYPE_DAY_CELL, NULL);
}

MilkDay
milk_day_cell_get_day (MilkDayCell *self)
{
  g_return_val_if_fail (MILK_IS_DAY_CELL (self), MILK_DAY_INVALID);

  return self->day;
}

MilkDayState
milk_day_cell_get_state (MilkDayCell *self)
{
  return self->state;
}

/* What the cell shows, without its markup. */
const char *
milk_day_cell_get_text (MilkDayCell *self)
{
  return gtk_label_get_text (self->quantity);
}

/* Days of the neighbouring months keep their place in the grid but are
 * neither shown nor focusable; days to come cannot be recorded yet. */
void
milk_day_cell_set_day (MilkDayCell *self,
                       MilkDay      day,
                       gboolean     in_month,
                       gboolean     is_today,
                       gboolean     is_future)
{
  GtkWidget *widget = GTK_WIDGET (self);
  g_autoptr(GDateTime) date = NULL;
  int y, m, d;

  g_return_if_fail (MILK_IS_DAY_CELL (self));

  self->day = day;
  milk_day_get_ymd (day, &y, &m, &d);
  /* Only its names are wanted, which are the same in every time zone;
   * a local date would look the zone up again for each of the 42 cells
   * (a stat and a readlink of /etc/localtime each time). */
  date = g_date_time_new_utc (y, m, d, 0, 0, 0);
  g_free (self->date_text);
  /* TRANSLATORS: a day as screen readers announce it, see strftime */
  self->date_text = g_date_time_format (date, _("%A, %-e %B"));

  {
    char number[4];
    g_snprintf (number, sizeof number, "%d", d);
    gtk_label_set_label (self->number, number);
  }

  /* Hidden from screen readers too, not only from the eye. */
  gtk_widget_set_opacity (widget, in_month ? 1.0 : 0.0);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_STATE_HIDDEN, !in_month, -1);
  gtk_widget_set_can_target (widget, in_month);
  gtk_widget_set_focusable (widget, in_month);
  gtk_widget_set_sensitive (widget, in_month && !is_future);
  toggle_class (widget, "today", is_today);
  toggle_class (widget, "future", is_future);
  if (is_today)
    {
      char *today;

      /* TRANSLATORS: %s is a day as screen readers announce it, "Sunday, 29 November" */
      today = g_strdup_printf (_("%s, today"), self->date_text);
      g_free (self->date_text);
      self->date_text = today;
    }

  set_lines (self, MILK_DAY_UNRECORDED, NULL, NULL, NULL);
}

/* Part of a range picked with Shift, for leave. */
void
milk_day_cell_set_selected (MilkDayCell *self,
                            gboolean     selected)
{
  g_return_if_fail (MILK_IS_DAY_CELL (self));

  toggle_class (GTK_WIDGET (self), "selected", selected);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_STATE_SELECTED, selected, -1);
}
