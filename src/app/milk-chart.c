/* milk-chart.c — a bar chart of amounts of money
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <glib/gi18n.h>

#include "milk-chart.h"

#define BAR_AREA_HEIGHT 140
#define LABEL_GAP       6
#define MIN_BAR_HEIGHT  2
#define LABEL_SPACING   6

struct _MilkChart
{
  GtkWidget parent_instance;

  GArray *values;     /* of gint64, minor units */
  GPtrArray *labels;  /* of char* */
  GPtrArray *short_labels; /* of char*, shown when the labels do not fit */
  GPtrArray *texts;   /* formatted amounts, for tooltips and the description */
  char *title;
};

G_DEFINE_FINAL_TYPE (MilkChart, milk_chart, GTK_TYPE_WIDGET)

static gint64
max_value (MilkChart *self)
{
  gint64 max = 0;

  for (guint i = 0; i < self->values->len; i++)
    max = MAX (max, g_array_index (self->values, gint64, i));
  return max;
}

static int
label_height (MilkChart *self)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), "M");
  int height;

  pango_layout_get_pixel_size (layout, NULL, &height);
  return height;
}

static void
milk_chart_measure (GtkWidget      *widget,
                    GtkOrientation  orientation,
                    int             for_size,
                    int            *minimum,
                    int            *natural,
                    int            *minimum_baseline,
                    int            *natural_baseline)
{
  MilkChart *self = MILK_CHART (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* Narrow windows (360 px) still fit twelve thin bars. */
      *minimum = MAX (1, self->values->len) * 12;
      *natural = MAX (1, self->values->len) * 40;
    }
  else
    {
      *minimum = *natural = BAR_AREA_HEIGHT + LABEL_GAP + label_height (self);
    }
}

/* The bar fill is the accent colour of the style in use (light, dark,
 * high contrast); labels use the widget's own foreground colour. */
static void
lookup_colors (MilkChart *self,
               GdkRGBA   *bar,
               GdkRGBA   *text)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));

  gtk_style_context_get_color (context, text);
  if (!gtk_style_context_lookup_color (context, "accent_bg_color", bar) &&
      !gtk_style_context_lookup_color (context, "theme_selected_bg_color", bar))
    *bar = *text;
  G_GNUC_END_IGNORE_DEPRECATIONS
}

/* Where the label under bar i goes: centred on the bar, but kept inside
 * the widget. */
static double
label_x (guint  i,
         double slot,
         int    label_width,
         int    width)
{
  double x = i * slot + (slot - label_width) / 2;

  return CLAMP (x, 0, MAX (0, width - label_width));
}

/* Whether every step-th label fits beside the next one shown. */
static gboolean
labels_fit (GPtrArray *layouts,
            guint      step,
            double     slot,
            int        width)
{
  double end = -LABEL_SPACING;

  for (guint i = 0; i < layouts->len; i += step)
    {
      PangoLayout *layout = g_ptr_array_index (layouts, i);
      int lw;
      double x;

      if (layout == NULL)
        continue;
      pango_layout_get_pixel_size (layout, &lw, NULL);
      x = label_x (i, slot, lw, width);
      if (lw > width || x < end + LABEL_SPACING)
        return FALSE;
      end = x + lw;
    }
  return TRUE;
}

static GPtrArray *
new_layouts (MilkChart *self,
             GPtrArray *labels)
{
  GPtrArray *layouts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_object_unref);

  for (guint i = 0; i < labels->len; i++)
    {
      const char *label = g_ptr_array_index (labels, i);

      g_ptr_array_add (layouts, label && *label
                                ? gtk_widget_create_pango_layout (GTK_WIDGET (self), label)
                                : NULL);
    }
  return layouts;
}

/* A label is drawn whole or not at all: cutting one mid-word makes a
 * different word, or in Devanagari a broken syllable. So the axis has the
 * names if they all fit, else the short names, else every second (third…)
 * one; tooltips and the accessible description always have every name. */
static void
draw_labels (MilkChart     *self,
             GtkSnapshot   *snapshot,
             double         slot,
             double         y,
             const GdkRGBA *color)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  g_autoptr(GPtrArray) full = new_layouts (self, self->labels);
  g_autoptr(GPtrArray) shorter = new_layouts (self, self->short_labels);
  GPtrArray *layouts = NULL;
  guint step;

  for (step = 1; step <= full->len; step++)
    {
      if (labels_fit (full, step, slot, width))
        layouts = full;
      else if (shorter->len == full->len && labels_fit (shorter, step, slot, width))
        layouts = shorter;
      if (layouts)
        break;
    }
  if (layouts == NULL)
    return;

  for (guint i = 0; i < layouts->len; i += step)
    {
      PangoLayout *layout = g_ptr_array_index (layouts, i);
      int lw;

      if (layout == NULL)
        continue;
      pango_layout_get_pixel_size (layout, &lw, NULL);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((float) label_x (i, slot, lw, width), (float) y));
      gtk_snapshot_append_layout (snapshot, layout, color);
      gtk_snapshot_restore (snapshot);
    }
}

static void
milk_chart_snapshot (GtkWidget   *widget,
                     GtkSnapshot *snapshot)
{
  MilkChart *self = MILK_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  int text_height = label_height (self);
  guint n = self->values->len;
  gint64 max = max_value (self);
  double slot, bar_width, area_height;
  GdkRGBA bar, text, dim, baseline;

  if (n == 0 || width <= 0 || height <= 0)
    return;

  lookup_colors (self, &bar, &text);
  dim = text;
  dim.alpha *= 0.7f;
  baseline = text;
  baseline.alpha *= 0.15f;

  slot = (double) width / n;
  bar_width = MAX (4.0, slot * 0.6);
  area_height = MAX (0, height - text_height - LABEL_GAP);

  gtk_snapshot_append_color (snapshot, &baseline,
                             &GRAPHENE_RECT_INIT (0, area_height - 1, width, 1));

  for (guint i = 0; i < n; i++)
    {
      gint64 value = g_array_index (self->values, gint64, i);
      double x = i * slot + (slot - bar_width) / 2;
      double h = 0;

      /* Only the geometry is floating point; amounts stay integers. */
      if (value > 0 && max > 0)
        h = MAX (MIN_BAR_HEIGHT, (double) value / (double) max * (area_height - 1));

      if (h > 0)
        {
          GskRoundedRect rounded;

          gsk_rounded_rect_init (&rounded,
                                 &GRAPHENE_RECT_INIT (x, area_height - 1 - h, bar_width, h),
                                 &GRAPHENE_SIZE_INIT (MIN (3, bar_width / 2), MIN (3, h / 2)),
                                 &GRAPHENE_SIZE_INIT (MIN (3, bar_width / 2), MIN (3, h / 2)),
                                 &GRAPHENE_SIZE_INIT (0, 0),
                                 &GRAPHENE_SIZE_INIT (0, 0));
          gtk_snapshot_push_rounded_clip (snapshot, &rounded);
          gtk_snapshot_append_color (snapshot, &bar, &rounded.bounds);
          gtk_snapshot_pop (snapshot);
        }
    }

  draw_labels (self, snapshot, slot, area_height + LABEL_GAP, &dim);
}

static gboolean
milk_chart_query_tooltip (GtkWidget  *widget,
                          int         x,
                          int         y,
                          gboolean    keyboard_mode,
                          GtkTooltip *tooltip)
{
  MilkChart *self = MILK_CHART (widget);
  int width = gtk_widget_get_width (widget);
  guint i;

  if (self->values->len == 0 || width <= 0 || x < 0 || x >= width)
    return FALSE;
  i = (guint) ((gint64) x * self->values->len / width);
  if (i >= self->texts->len)
    return FALSE;
  gtk_tooltip_set_text (tooltip, g_ptr_array_index (self->texts, i));
  return TRUE;
}

static char *
describe (MilkChart *self)
{
  g_autoptr(GString) description = g_string_new (NULL);

  for (guint i = 0; i < self->texts->len; i++)
    {
      if (i > 0)
        g_string_append (description, "; ");
      g_string_append (description, g_ptr_array_index (self->texts, i));
    }
  return g_string_free (g_steal_pointer (&description), FALSE);
}

static void
update_accessible (MilkChart *self)
{
  g_autofree char *description = describe (self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  self->title ? self->title : _("Bar chart"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  description,
                                  -1);
}

static void
milk_chart_finalize (GObject *object)
{
  MilkChart *self = MILK_CHART (object);

  g_clear_pointer (&self->values, g_array_unref);
  g_clear_pointer (&self->labels, g_ptr_array_unref);
  g_clear_pointer (&self->short_labels, g_ptr_array_unref);
  g_clear_pointer (&self->texts, g_ptr_array_unref);
  g_clear_pointer (&self->title, g_free);

  G_OBJECT_CLASS (milk_chart_parent_class)->finalize (object);
}

static void
milk_chart_class_init (MilkChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = milk_chart_finalize;

  widget_class->measure = milk_chart_measure;
  widget_class->snapshot = milk_chart_snapshot;
  widget_class->query_tooltip = milk_chart_query_tooltip;

  gtk_widget_class_set_css_name (widget_class, "chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
milk_chart_init (MilkChart *self)
{
  self->values = g_array_new (FALSE, TRUE, sizeof (gint64));
  self->labels = g_ptr_array_new_with_free_func (g_free);
  self->short_labels = g_ptr_array_new_with_free_func (g_free);
  self->texts = g_ptr_array_new_with_free_func (g_free);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  update_accessible (self);
}

GtkWidget *
milk_chart_new (void)
{
  return g_object_new (MILK_TYPE_CHART, NULL);
}

/* Each bar's text ("March: ₹1,234.50") is both its tooltip and a line of
 * the accessible description, so a screen reader hears what is drawn.
 * short_labels ("Mar"), if given, are shown when the labels do not fit. */
void
milk_chart_set_values (MilkChart          *self,
                       const gint64       *values,
                       const char * const *labels,
                       const char * const *short_labels,
                       guint               n,
                       const MilkCurrency *currency)
{
  g_return_if_fail (MILK_IS_CHART (self));
  g_return_if_fail (n == 0 || values != NULL);
  g_return_if_fail (currency != NULL);

  g_array_set_size (self->values, 0);
  g_ptr_array_set_size (self->labels, 0);
  g_ptr_array_set_size (self->short_labels, 0);
  g_ptr_array_set_size (self->texts, 0);

  for (guint i = 0; i < n; i++)
    {
      const char *label = labels ? labels[i] : NULL;
      g_autofree char *money = milk_money_format (values[i], currency);

      g_array_append_val (self->values, values[i]);
      g_ptr_array_add (self->labels, g_strdup (label));
      if (short_labels)
        g_ptr_array_add (self->short_labels, g_strdup (short_labels[i]));
      /* TRANSLATORS: a bar of the chart: "March: ₹1,234.50" */
      g_ptr_array_add (self->texts, label ? g_strdup_printf (_("%s: %s"), label, money)
                                          : g_steal_pointer (&money));
    }

  update_accessible (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
milk_chart_set_title (MilkChart  *self,
                      const char *title)
{
  g_return_if_fail (MILK_IS_CHART (self));

  g_free (self->title);
  self->title = g_strdup (title);
  update_accessible (self);
}

guint
milk_chart_get_n_values (MilkChart *self)
{
  g_return_val_if_fail (MILK_IS_CHART (self), 0);

  return self->values->len;
}

/* The text alternative the chart gives assistive technologies. */
char *
milk_chart_dup_description (MilkChart *self)
{
  g_return_val_if_fail (MILK_IS_CHART (self), NULL);

  return describe (self);
}
