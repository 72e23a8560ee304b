/* milk-product-dots.c — each product's coloured dot, drawn where a label
 * leaves room for it before the product's name or quantity
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <string.h>

#include "milk-product-dots.h"

#define FIGURE_SPACE "\xe2\x80\x87"

/* Each product's colour, by its place in the list: GNOME's palette,
 * readable on light and dark. */
static void
product_colour (guint    index,
                GdkRGBA *rgba)
{
  static const GdkRGBA palette[] = {
    { 0x35 / 255.f, 0x84 / 255.f, 0xe4 / 255.f, 1 },  /* blue 3 */
    { 0x2e / 255.f, 0xc2 / 255.f, 0x7e / 255.f, 1 },  /* green 4 */
    { 0xff / 255.f, 0x78 / 255.f, 0x00 / 255.f, 1 },  /* orange 3 */
    { 0x91 / 255.f, 0x41 / 255.f, 0xac / 255.f, 1 },  /* purple 3 */
    { 0xe0 / 255.f, 0x1b / 255.f, 0x24 / 255.f, 1 },  /* red 3 */
    { 0x98 / 255.f, 0x6a / 255.f, 0x44 / 255.f, 1 },  /* brown 3 */
    { 0xe5 / 255.f, 0xa5 / 255.f, 0x0a / 255.f, 1 },  /* yellow 5 */
  };

  *rgba = palette[index % G_N_ELEMENTS (palette)];
}

/**
 * milk_product_dots_snapshot:
 * @widget: the widget being drawn, @label or one it is in
 * @products: the index of the product of each MILK_PRODUCT_DOT in
 *   @label's text, in order
 *
 * Draws the dots over the room the label's text leaves for them: a disc
 * about half the line high, centred at the middle of the small letters.
 */
void
milk_product_dots_snapshot (GtkSnapshot      *snapshot,
                            GtkWidget        *widget,
                            GtkLabel         *label,
                            const GByteArray *products)
{
  PangoLayout *layout = gtk_label_get_layout (label);
  const char *text = pango_layout_get_text (layout);
  const char *at = text;
  graphene_point_t origin;
  int x, y;

  if (!gtk_widget_get_visible (GTK_WIDGET (label)) ||
      !gtk_widget_compute_point (GTK_WIDGET (label), widget, &GRAPHENE_POINT_INIT (0, 0), &origin))
    return;
  gtk_label_get_layout_offsets (label, &x, &y);
  origin.x += x;
  origin.y += y;

  for (guint i = 0; i < products->len && (at = strstr (at, FIGURE_SPACE)) != NULL; i++, at++)
    {
      PangoRectangle room;
      GdkRGBA colour;
      float width, height, size;
      graphene_rect_t disc;
      GskRoundedRect round;

      pango_layout_index_to_pos (layout, at - text, &room);
      width = ABS ((float) pango_units_to_double (room.width));
      height = (float) pango_units_to_double (room.height);
      size = height * 0.48f;
      /* The small letters' middle: a little over half way down the line */
      graphene_rect_init (&disc,
                          origin.x + (float) pango_units_to_double (MIN (room.x, room.x + room.width)) + (width - size) / 2,
                          origin.y + (float) pango_units_to_double (room.y) + height * 0.58f - size / 2,
                          size, size);
      product_colour (products->data[i], &colour);
      gsk_rounded_rect_init_from_rect (&round, &disc, size / 2);
      gtk_snapshot_push_rounded_clip (snapshot, &round);
      gtk_snapshot_append_color (snapshot, &colour, &disc);
      gtk_snapshot_pop (snapshot);
    }
}
