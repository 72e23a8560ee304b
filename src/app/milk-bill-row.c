/* milk-bill-row.c — one figure of the month's bill: a title, what it
 * means and the figure at its end
 *
 * The bill is in view at the first frame, so its rows are as light as
 * they can be: two or three labels on the row's own grid, no boxes. An
 * AdwActionRow is ten widgets and an AdwPreferencesGroup six more; the
 * bill's ten rows in four groups were a fifth of the window (issue 18).
 * A screen reader hears the row as a list item named by its title and
 * described by its subtitle, as it did an AdwActionRow.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include "milk-bill-row.h"

struct _MilkBillRow
{
  GtkListBoxRow parent_instance;

  GtkImage *icon;       /* NULL without an icon */
  GtkLabel *title;
  GtkLabel *subtitle;   /* NULL until the row has one */
  GtkLabel *value;
};

G_DEFINE_FINAL_TYPE (MilkBillRow, milk_bill_row, GTK_TYPE_LIST_BOX_ROW)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_SUBTITLE,
  PROP_VALUE,
  PROP_ICON_NAME,
  PROP_EMPHASIZED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* @child at (@column, @row) of the row's grid, @height rows high. The
 * figure stays the last child, as it is the last thing a screen reader
 * reads in the row. */
static void
place (MilkBillRow *self,
       GtkWidget   *child,
       int          column,
       int          row,
       int          height)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  GtkGridLayoutChild *at;

  gtk_widget_insert_before (child, GTK_WIDGET (self), self->value ? GTK_WIDGET (self->value) : NULL);
  at = GTK_GRID_LAYOUT_CHILD (gtk_layout_manager_get_layout_child (layout, child));
  gtk_grid_layout_child_set_column (at, column);
  gtk_grid_layout_child_set_row (at, row);
  gtk_grid_layout_child_set_row_span (at, height);
}

static void
set_height (MilkBillRow *self,
            GtkWidget   *child,
            int          height)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_grid_layout_child_set_row_span (GTK_GRID_LAYOUT_CHILD (gtk_layout_manager_get_layout_child (layout, child)),
                                      height);
}

static GtkLabel *
new_label (float xalign)
{
  GtkLabel *label = GTK_LABEL (gtk_label_new (NULL));

  gtk_label_set_xalign (label, xalign);
  gtk_label_set_wrap (label, TRUE);
  gtk_label_set_wrap_mode (label, PANGO_WRAP_WORD_CHAR);
  return label;
}

static void
set_icon_name (MilkBillRow *self,
               const char  *icon_name)
{
  if (icon_name == NULL)
    return;
  if (self->icon == NULL)
    {
      self->icon = g_object_new (GTK_TYPE_IMAGE, "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION, NULL);
      place (self, GTK_WIDGET (self->icon), 0, 0, self->subtitle ? 2 : 1);
    }
  gtk_image_set_from_icon_name (self->icon, icon_name);
}

static void
set_emphasized (MilkBillRow *self,
                gboolean     emphasized)
{
  if (emphasized)
    gtk_widget_add_css_class (GTK_WIDGET (self->value), "bill-heading");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->value), "bill-heading");
}

static void
milk_bill_row_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (milk_bill_row_parent_class)->dispose (object);
}

static void
milk_bill_row_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  MilkBillRow *self = MILK_BILL_ROW (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, milk_bill_row_get_title (self));
      break;
    case PROP_SUBTITLE:
      g_value_set_string (value, milk_bill_row_get_subtitle (self));
      break;
    case PROP_VALUE:
      g_value_set_string (value, milk_bill_row_get_value (self));
      break;
    case PROP_ICON_NAME:
      g_value_set_string (value, self->icon ? gtk_image_get_icon_name (self->icon) : NULL);
      break;
    case PROP_EMPHASIZED:
      g_value_set_boolean (value, gtk_widget_has_css_class (GTK_WIDGET (self->value), "bill-heading"));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
milk_bill_row_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  MilkBillRow *self = MILK_BILL_ROW (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      milk_bill_row_set_title (self, g_value_get_string (value));
      break;
    case PROP_SUBTITLE:
      milk_bill_row_set_subtitle (self, g_value_get_string (value));
      break;
    case PROP_VALUE:
      milk_bill_row_set_value (self, g_value_get_string (value));
      break;
    case PROP_ICON_NAME:
      set_icon_name (self, g_value_get_string (value));
      break;
    case PROP_EMPHASIZED:
      set_emphasized (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
milk_bill_row_class_init (MilkBillRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = milk_bill_row_dispose;
  object_class->get_property = milk_bill_row_get_property;
  object_class->set_property = milk_bill_row_set_property;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUBTITLE] =
    g_param_spec_string ("subtitle", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_VALUE] =
    g_param_spec_string ("value", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ICON_NAME] =
    g_param_spec_string ("icon-name", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /* The figure in bold: the month's amount and what is due. */
  properties[PROP_EMPHASIZED] =
    g_param_spec_boolean ("emphasized", NULL, NULL, FALSE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

/* The title above its subtitle; the figure at the end, centred on both. */
static void
milk_bill_row_init (MilkBillRow *self)
{
  GtkGridLayout *layout = GTK_GRID_LAYOUT (gtk_grid_layout_new ());
  GtkLabel *value;

  gtk_grid_layout_set_column_spacing (layout, 6);
  gtk_grid_layout_set_row_spacing (layout, 3);
  gtk_widget_set_layout_manager (GTK_WIDGET (self), GTK_LAYOUT_MANAGER (layout));
  gtk_widget_add_css_class (GTK_WIDGET (self), "bill-row");
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (self), FALSE);

  self->title = new_label (0);
  gtk_widget_set_hexpand (GTK_WIDGET (self->title), TRUE);
  /* Placed by the label's own alignment, filling its cell: a wrapping
   * label aligned by its widget is measured for its width at the cell's
   * height, a search laying the text out seven times, at every
   * allocation (gtk_widget_allocate, GTK 4.8). */
  gtk_label_set_yalign (self->title, 0.5);
  gtk_widget_set_vexpand (GTK_WIDGET (self->title), TRUE);
  place (self, GTK_WIDGET (self->title), 1, 0, 1);

  value = new_label (1);
  gtk_label_set_wrap (value, FALSE);
  gtk_widget_set_valign (GTK_WIDGET (value), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (value), "numeric");
  place (self, GTK_WIDGET (value), 2, 0, 1);
  self->value = value;
}

GtkWidget *
milk_bill_row_new (const char *title)
{
  return g_object_new (MILK_TYPE_BILL_ROW, "title", title, NULL);
}

const char *
milk_bill_row_get_title (MilkBillRow *self)
{
  g_return_val_if_fail (MILK_IS_BILL_ROW (self), NULL);

  return gtk_label_get_label (self->title);
}

void
milk_bill_row_set_title (MilkBillRow *self,
                         const char  *title)
{
  g_return_if_fail (MILK_IS_BILL_ROW (self));

  if (g_strcmp0 (title, gtk_label_get_label (self->title)) == 0)
    return;
  gtk_label_set_label (self->title, title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

/* (nullable): NULL when the row has none */
const char *
milk_bill_row_get_subtitle (MilkBillRow *self)
{
  g_return_val_if_fail (MILK_IS_BILL_ROW (self), NULL);

  return self->subtitle && gtk_widget_get_visible (GTK_WIDGET (self->subtitle))
         ? gtk_label_get_label (self->subtitle) : NULL;
}

/* @subtitle: (nullable): what the figure means; NULL or "" for none */
void
milk_bill_row_set_subtitle (MilkBillRow *self,
                            const char  *subtitle)
{
  gboolean shown = subtitle != NULL && *subtitle != '\0';

  g_return_if_fail (MILK_IS_BILL_ROW (self));

  if (g_strcmp0 (shown ? subtitle : NULL, milk_bill_row_get_subtitle (self)) == 0)
    return;
  if (self->subtitle == NULL && shown)
    {
      self->subtitle = new_label (0);
      gtk_widget_add_css_class (GTK_WIDGET (self->subtitle), "subtitle");
      /* The extra height split above the title and below the subtitle:
       * the two are centred together. */
      gtk_widget_set_vexpand (GTK_WIDGET (self->subtitle), TRUE);
      gtk_label_set_yalign (self->subtitle, 0);
      place (self, GTK_WIDGET (self->subtitle), 1, 1, 1);
    }
  if (self->subtitle != NULL)
    {
      gtk_label_set_label (self->subtitle, shown ? subtitle : "");
      gtk_widget_set_visible (GTK_WIDGET (self->subtitle), shown);
      gtk_label_set_yalign (self->title, shown ? 1 : 0.5);
      /* No second row without a subtitle, nor its spacing: the title is
       * centred on the figure. */
      set_height (self, GTK_WIDGET (self->value), shown ? 2 : 1);
      if (self->icon != NULL)
        set_height (self, GTK_WIDGET (self->icon), shown ? 2 : 1);
    }
  if (shown)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, subtitle, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUBTITLE]);
}

const char *
milk_bill_row_get_value (MilkBillRow *self)
{
  g_return_val_if_fail (MILK_IS_BILL_ROW (self), NULL);

  return gtk_label_get_label (self->value);
}

/* @value: the figure, as the person reads it: "₹1,500.00", "30 L" */
void
milk_bill_row_set_value (MilkBillRow *self,
                         const char  *value)
{
  g_return_if_fail (MILK_IS_BILL_ROW (self));

  if (g_strcmp0 (value, gtk_label_get_label (self->value)) == 0)
    return;
  gtk_label_set_label (self->value, value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALUE]);
}
