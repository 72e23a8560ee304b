/* milk-legend.c — which colour is which product, under the month
 *
 * A caption of the products' names, each after its dot (drawn by
 * milk-product-dots.c); hidden with one product, whose days need no key.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include "milk-core.h"
#include "milk-legend.h"
#include "milk-product-dots.h"

struct _MilkLegend
{
  GtkWidget parent_instance;

  GtkLabel *label;
  GByteArray *products;  /* the product of each dot */
};

G_DEFINE_FINAL_TYPE (MilkLegend, milk_legend, GTK_TYPE_WIDGET)

static void
milk_legend_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  MilkLegend *self = MILK_LEGEND (widget);

  GTK_WIDGET_CLASS (milk_legend_parent_class)->snapshot (widget, snapshot);
  milk_product_dots_snapshot (snapshot, widget, self->label, self->products);
}

static void
milk_legend_dispose (GObject *object)
{
  MilkLegend *self = MILK_LEGEND (object);

  if (self->label != NULL)
    gtk_widget_unparent (GTK_WIDGET (self->label));
  self->label = NULL;
  g_clear_pointer (&self->products, g_byte_array_unref);

  G_OBJECT_CLASS (milk_legend_parent_class)->dispose (object);
}

static void
milk_legend_class_init (MilkLegendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = milk_legend_dispose;
  widget_class->snapshot = milk_legend_snapshot;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
milk_legend_init (MilkLegend *self)
{
  self->products = g_byte_array_new ();
  self->label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->label, TRUE);
  gtk_label_set_xalign (self->label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->label), "caption");
  gtk_widget_set_parent (GTK_WIDGET (self->label), GTK_WIDGET (self));
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

/* @products: (element-type MilkRecord): the diary's products, in order */
void
milk_legend_set_products (MilkLegend *self,
                          GPtrArray  *products)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_if_fail (MILK_IS_LEGEND (self));

  g_byte_array_set_size (self->products, 0);
  for (guint p = 0; products->len > 1 && p < products->len; p++)
    {
      MilkRecord *product = g_ptr_array_index (products, p);
      guint8 index = p % G_MAXUINT8;

      g_string_append_printf (text, "%s" MILK_PRODUCT_DOT "%s", p ? "    " : "", product->name);
      g_byte_array_append (self->products, &index, 1);
    }
  gtk_label_set_label (self->label, text->str);
  gtk_widget_set_visible (GTK_WIDGET (self), products->len > 1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
