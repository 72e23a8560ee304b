/* milk-day-editor.c — what was delivered on one day, and at what price
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <glib/gi18n.h>

#include "milk-day-editor.h"

#define STEP_ML 250

typedef struct
{
  MilkRecord *product;
  MilkRecord *entry;        /* as stored, or NULL when unrecorded */
  gint64 scheduled_price;   /* -1 when the price list has none */
  gboolean split;           /* a morning and an evening field */
  GtkEditable *qty;         /* the day's quantity, or the morning's */
  GtkEditable *evening;     /* NULL unless split */
  GtkEditable *price;
} ProductLine;

typedef enum
{
  FIELD_DAY,
  FIELD_MORNING,
  FIELD_EVENING,
} QuantityField;

struct _MilkDayEditor
{
  AdwWindow parent_instance;

  AdwWindowTitle *window_title;
  AdwPreferencesGroup *quantity_group;
  AdwPreferencesGroup *price_group;
  AdwActionRow *presets_row;
  GtkSwitch *skip_switch;
  AdwEntryRow *note_row;
  GtkLabel *error_label;
  GtkWidget *delete_group;

  MilkStore *store;
  MilkDay day;
  GPtrArray *lines; /* of ProductLine */
  GtkEditable *active_qty; /* the quantity field the presets fill */
};

G_DEFINE_FINAL_TYPE (MilkDayEditor, milk_day_editor, ADW_TYPE_WINDOW)

enum {
  COMMITTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
product_line_free (ProductLine *line)
{
  milk_record_free (line->product);
  milk_record_free (line->entry);
  g_free (line);
}

static ProductLine *
line_at (MilkDayEditor *self,
         guint          index)
{
  return index < self->lines->len ? g_ptr_array_index (self->lines, index) : NULL;
}

static void
set_error (MilkDayEditor *self,
           GtkEditable   *field,
           const char    *message)
{
  gtk_label_set_label (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  if (field)
    {
      gtk_widget_add_css_class (GTK_WIDGET (field), "error");
      gtk_widget_grab_focus (GTK_WIDGET (field));
    }
}

static void
clear_field_error (GtkEditable *field)
{
  gtk_widget_remove_css_class (GTK_WIDGET (field), "error");
}

static void
set_quantity_text (GtkEditable *field,
                   gint64       qty_ml)
{
  g_autofree char *text = milk_quantity_format_litres (qty_ml);

  gtk_editable_set_text (field, text);
}

/* The stepper counts in integer millilitres; a field that does not parse
 * is left for the person to correct. */
static void
step (GtkEditable *field,
      gint64       delta)
{
  gint64 qty = milk_quantity_parse (gtk_editable_get_text (field), NULL);

  if (qty < 0)
    qty = 0;
  qty = CLAMP ((qty + delta) / STEP_ML * STEP_ML, 0, MILK_QTY_MAX_ML);
  set_quantity_text (field, qty);
}

static void
minus_clicked (GtkButton     *button,
               MilkDayEditor *self)
{
  self->active_qty = g_object_get_data (G_OBJECT (button), "field");
  step (self->active_qty, -STEP_ML);
}

static void
plus_clicked (GtkButton     *button,
              MilkDayEditor *self)
{
  self->active_qty = g_object_get_data (G_OBJECT (button), "field");
  step (self->active_qty, STEP_ML);
}

static void
preset_clicked (GtkButton     *button,
                MilkDayEditor *self)
{
  gint64 qty = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "qty"));

  if (self->active_qty)
    {
      gtk_switch_set_active (self->skip_switch, FALSE);
      set_quantity_text (self->active_qty, qty);
    }
}

static void
qty_focused (GtkEventControllerFocus *controller,
             MilkDayEditor           *self)
{
  self->active_qty = GTK_EDITABLE (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller)));
}

static void
skip_changed (MilkDayEditor *self)
{
  gboolean skip = gtk_switch_get_active (self->skip_switch);

  for (guint i = 0; i < self->lines->len; i++)
    {
      ProductLine *line = line_at (self, i);

      if (skip)
        gtk_editable_set_text (line->qty, "0");
      gtk_widget_set_sensitive (gtk_widget_get_parent (GTK_WIDGET (line->qty)), !skip);
      if (line->evening == NULL)
        continue;
      if (skip)
        gtk_editable_set_text (line->evening, "0");
      gtk_widget_set_sensitive (gtk_widget_get_parent (GTK_WIDGET (line->evening)), !skip);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->presets_row), !skip);
}

static GtkWidget *
make_quantity_row (MilkDayEditor *self,
                   ProductLine   *line,
                   QuantityField  field)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *minus = gtk_button_new_from_icon_name ("list-remove-symbolic");
  GtkWidget *plus = gtk_button_new_from_icon_name ("list-add-symbolic");
  GtkWidget *entry = gtk_entry_new ();
  GtkEventController *focus = gtk_event_controller_focus_new ();
  g_autofree char *accessible = NULL;

  switch (field)
    {
    case FIELD_MORNING:
      {
        /* TRANSLATORS: %s is a product, "Milk in litres; both empty for not recorded" */
        g_autofree char *subtitle = g_strdup_printf (_("%s in litres; both empty for not recorded"),
                                                     line->product->name);

        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Morning"));
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
        /* TRANSLATORS: a field's name for screen readers, %s is a product */
        accessible = g_strdup_printf (_("Morning litres of %s"), line->product->name);
      }
      break;
    case FIELD_EVENING:
      {
        /* TRANSLATORS: %s is a product, "Milk in litres" */
        g_autofree char *subtitle = g_strdup_printf (_("%s in litres"), line->product->name);

        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Evening"));
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
        /* TRANSLATORS: a field's name for screen readers, %s is a product */
        accessible = g_strdup_printf (_("Evening litres of %s"), line->product->name);
      }
      break;
    case FIELD_DAY:
    default:
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), line->product->name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Litres; empty for not recorded"));
      accessible = g_strdup_printf (_("Litres of %s"), line->product->name);
      break;
    }

  gtk_widget_add_css_class (box, "linked");
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (minus, _("Less"));
  gtk_widget_set_tooltip_text (plus, _("More"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (minus), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Less"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (plus), GTK_ACCESSIBLE_PROPERTY_LABEL, _("More"), -1);
  gtk_editable_set_width_chars (GTK_EDITABLE (entry), 6);
  gtk_editable_set_alignment (GTK_EDITABLE (entry), 1.0);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_NUMBER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);

  g_object_set_data (G_OBJECT (minus), "field", entry);
  g_object_set_data (G_OBJECT (plus), "field", entry);
  g_signal_connect (minus, "clicked", G_CALLBACK (minus_clicked), self);
  g_signal_connect (plus, "clicked", G_CALLBACK (plus_clicked), self);
  g_signal_connect (focus, "enter", G_CALLBACK (qty_focused), self);
  g_signal_connect (entry, "changed", G_CALLBACK (clear_field_error), NULL);
  gtk_widget_add_controller (entry, focus);

  gtk_box_append (GTK_BOX (box), minus);
  gtk_box_append (GTK_BOX (box), entry);
  gtk_box_append (GTK_BOX (box), plus);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), box);

  if (field == FIELD_EVENING)
    line->evening = GTK_EDITABLE (entry);
  else
    line->qty = GTK_EDITABLE (entry);
  return row;
}

static GtkWidget *
make_price_row (MilkDayEditor      *self,
                ProductLine        *line,
                const MilkCurrency *currency,
                gboolean            several)
{
  GtkWidget *row = adw_entry_row_new ();
  g_autofree char *title = NULL;
  g_autofree char *listed = NULL;

  if (line->scheduled_price >= 0)
    {
      g_autofree char *price = milk_money_format (line->scheduled_price, currency);
      /* TRANSLATORS: %s is the price per litre from the price list */
      listed = g_strdup_printf (_("list: %s"), price);
    }
  else
    listed = g_strdup (_("no listed price"));

  /* TRANSLATORS: "Buffalo milk (list: ₹70.00)" or "This day (list: ₹58.00)" */
  title = g_strdup_printf (_("%s (%s)"), several ? line->product->name : _("This day"), listed);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (row), TRUE);
  adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (row), GTK_INPUT_PURPOSE_NUMBER);
  gtk_widget_set_tooltip_text (row, _("Leave empty to use the price list"));
  g_signal_connect (row, "changed", G_CALLBACK (clear_field_error), NULL);

  if (line->entry && line->entry->price_override != MILK_NO_PRICE)
    {
      g_autofree char *text = milk_money_format_plain (line->entry->price_override, currency);
      gtk_editable_set_text (GTK_EDITABLE (row), text);
    }

  line->price = GTK_EDITABLE (row);
  return row;
}

/* A day recorded as one delivery of a product now delivered twice a day
 * is offered as the usual parts of what it was. */
static void
entry_parts (ProductLine *line,
             gint64      *morning_ml,
             gint64      *evening_ml)
{
  if (milk_entry_is_split (line->entry))
    {
      *morning_ml = line->entry->morning_ml;
      *evening_ml = line->entry->evening_ml;
      return;
    }
  *evening_ml = MIN (line->product->evening_qty_ml, line->entry->qty_ml);
  *morning_ml = line->entry->qty_ml - *evening_ml;
}

static void
load (MilkDayEditor *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) products = milk_store_list_products (self->store, FALSE, &error);
  const MilkCurrency *currency = milk_store_get_currency (self->store);
  gboolean any_recorded = FALSE, all_skipped = TRUE;
  const char *note = NULL;
  int y, m, d;

  milk_day_get_ymd (self->day, &y, &m, &d);
  {
    g_autoptr(GDateTime) date = g_date_time_new_local (y, m, d, 0, 0, 0);
    /* TRANSLATORS: the day being edited, see strftime */
    g_autofree char *title = g_date_time_format (date, _("%A, %-d %B %Y"));
    adw_window_title_set_title (self->window_title, title);
    gtk_window_set_title (GTK_WINDOW (self), title);
  }

  if (products == NULL)
    {
      set_error (self, NULL, error->message);
      return;
    }

  for (guint i = 0; i < products->len; i++)
    {
      ProductLine *line = g_new0 (ProductLine, 1);
      g_autoptr(MilkPriceSchedule) schedule = NULL;

      line->product = milk_record_copy (g_ptr_array_index (products, i));
      line->entry = milk_store_get_entry (self->store, line->product->id, self->day, NULL);
      schedule = milk_store_get_price_schedule (self->store, line->product->id, NULL);
      line->scheduled_price = schedule ? milk_price_schedule_lookup (schedule, self->day) : -1;
      line->split = line->product->twice_daily || (line->entry && milk_entry_is_split (line->entry));
      g_ptr_array_add (self->lines, line);

      if (line->split)
        {
          adw_preferences_group_add (self->quantity_group, make_quantity_row (self, line, FIELD_MORNING));
          adw_preferences_group_add (self->quantity_group, make_quantity_row (self, line, FIELD_EVENING));
        }
      else
        adw_preferences_group_add (self->quantity_group, make_quantity_row (self, line, FIELD_DAY));
      adw_preferences_group_add (self->price_group, make_price_row (self, line, currency, products->len > 1));

      if (line->entry)
        {
          any_recorded = TRUE;
          all_skipped &= line->entry->qty_ml == 0;
          if (line->split)
            {
              gint64 morning, evening;

              entry_parts (line, &morning, &evening);
              set_quantity_text (line->qty, morning);
              set_quantity_text (line->evening, evening);
            }
          else
            set_quantity_text (line->qty, line->entry->qty_ml);
          if (note == NULL && line->entry->note && *line->entry->note)
            note = line->entry->note;
        }
      else if (line->split)
        {
          gint64 morning, evening;

          all_skipped = FALSE;
          milk_product_usual_split (line->product, self->day, &morning, &evening);
          set_quantity_text (line->qty, morning);
          set_quantity_text (line->evening, evening);
        }
      else
        {
          all_skipped = FALSE;
          /* A day not yet recorded offers the usual quantity. */
          set_quantity_text (line->qty, milk_product_usual_qty (line->product, self->day));
        }
    }

  gtk_switch_set_active (self->skip_switch, any_recorded && all_skipped);
  gtk_editable_set_text (GTK_EDITABLE (self->note_row), note ? note : "");
  gtk_widget_set_visible (self->delete_group, any_recorded);

  /* The first thing a person changes is the quantity, not Cancel. */
  if (self->lines->len > 0)
    {
      self->active_qty = line_at (self, 0)->qty;
      gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->active_qty));
    }
}

static GPtrArray *
copy_before (MilkDayEditor *self)
{
  GPtrArray *before = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);

  for (guint i = 0; i < self->lines->len; i++)
    {
      ProductLine *line = line_at (self, i);
      MilkRecord *old;

      if (line->entry)
        old = milk_record_copy (line->entry);
      else
        {
          old = milk_record_new (MILK_RECORD_ENTRY);
          old->id = g_strdup (line->product->id);
          old->day = self->day;
          old->deleted = TRUE;
        }
      g_ptr_array_add (before, old);
    }
  return before;
}

static void
commit (MilkDayEditor *self,
        GPtrArray     *changes,
        const char    *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) before = copy_before (self);

  if (!milk_store_put_many (self->store, changes, &error))
    {
      set_error (self, NULL, error->message);
      return;
    }
  g_signal_emit (self, signals[COMMITTED], 0, message, before);
  gtk_window_destroy (GTK_WINDOW (self));
}

/* Every field is checked before anything is stored: one bad field keeps
 * the editor open with the message, and nothing is lost. */
static void
save (GtkWidget  *widget,
      const char *action_name,
      GVariant   *parameter)
{
  MilkDayEditor *self = MILK_DAY_EDITOR (widget);
  const MilkCurrency *currency = milk_store_get_currency (self->store);
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);
  const char *note = gtk_editable_get_text (GTK_EDITABLE (self->note_row));
  gboolean skip = gtk_switch_get_active (self->skip_switch);

  set_error (self, NULL, NULL);

  if (g_utf8_strlen (note, -1) > MILK_NOTE_MAX_CHARS)
    {
      g_autofree char *message = g_strdup_printf (_("A note can be at most %d characters"), MILK_NOTE_MAX_CHARS);
      set_error (self, GTK_EDITABLE (self->note_row), message);
      return;
    }

  for (guint i = 0; i < self->lines->len; i++)
    {
      ProductLine *line = line_at (self, i);
      g_autoptr(GError) error = NULL;
      const char *qty_text = gtk_editable_get_text (line->qty);
      const char *evening_text = line->evening ? gtk_editable_get_text (line->evening) : "";
      const char *price_text = gtk_editable_get_text (line->price);
      MilkRecord *entry;
      gint64 qty = 0, evening = 0, price = MILK_NO_PRICE;

      if (!skip && *qty_text == '\0' && *evening_text == '\0')
        {
          /* Left empty: the day stays (or becomes) unrecorded for it. */
          if (line->entry)
            {
              entry = milk_record_new (MILK_RECORD_ENTRY);
              entry->id = g_strdup (line->product->id);
              entry->day = self->day;
              entry->deleted = TRUE;
              g_ptr_array_add (changes, entry);
            }
          continue;
        }

      /* Of a morning and an evening, the one left empty brought nothing. */
      if (!skip && (line->evening == NULL || *qty_text != '\0') &&
          (qty = milk_quantity_parse (qty_text, &error)) < 0)
        {
          set_error (self, line->qty, error->message);
          return;
        }
      if (!skip && *evening_text != '\0' && (evening = milk_quantity_parse (evening_text, &error)) < 0)
        {
          set_error (self, line->evening, error->message);
          return;
        }
      if (qty + evening > MILK_QTY_MAX_ML)
        {
          set_error (self, line->evening, _("A day’s quantity can be at most 100 litres"));
          return;
        }
      {
        g_autofree char *stripped = g_strstrip (g_strdup (price_text));

        if (*stripped && (price = milk_price_parse (stripped, currency, &error)) < 0)
          {
            set_error (self, line->price, error->message);
            return;
          }
      }

      entry = milk_record_new (MILK_RECORD_ENTRY);
      entry->id = g_strdup (line->product->id);
      entry->day = self->day;
      if (line->split && !skip)
        milk_entry_set_split (entry, qty, evening);
      else
        entry->qty_ml = qty;
      entry->price_override = price;
      entry->note = g_strdup (note);
      g_ptr_array_add (changes, entry);
    }

  commit (self, changes, _("Day saved"));
}

static void
delete_day (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  MilkDayEditor *self = MILK_DAY_EDITOR (widget);
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) milk_record_free);

  for (guint i = 0; i < self->lines->len; i++)
    {
      ProductLine *line = line_at (self, i);
      MilkRecord *tombstone;

      if (line->entry == NULL)
        continue;
      tombstone = milk_record_new (MILK_RECORD_ENTRY);
      tombstone->id = g_strdup (line->product->id);
      tombstone->day = self->day;
      tombstone->deleted = TRUE;
      g_ptr_array_add (changes, tombstone);
    }

  commit (self, changes, _("Day’s record deleted"));
}

static void
milk_day_editor_dispose (GObject *object)
{
  MilkDayEditor *self = MILK_DAY_EDITOR (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->lines, g_ptr_array_unref);

  gtk_widget_dispose_template (GTK_WIDGET (self), MILK_TYPE_DAY_EDITOR);

  G_OBJECT_CLASS (milk_day_editor_parent_class)->dispose (object);
}

static void
milk_day_editor_class_init (MilkDayEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = milk_day_editor_dispose;

  /**
   * MilkDayEditor::committed:
   * @message: what was done, for a toast
   * @before: (element-type MilkRecord): the day's records as they were,
   *   tombstones for those that were unrecorded; storing them undoes
   *
   * The day was saved or deleted.
   */
  signals[COMMITTED] = g_signal_new ("committed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_PTR_ARRAY);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/milkdiary/MilkDiary/ui/milk-day-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, MilkDayEditor, window_title);
  gtk_widget_class_bind_template_child (widget_class, MilkDayEditor, quantity_group);
  gtk_widget_class_bind_template_child (widget_class, MilkDayEditor, price_group);
  gtk_widget_class_bind_template_child (widget_class, MilkDayEditor, presets_row);
  gtk_widget_class_bind_template_child (widget_class, MilkDayEditor, skip_switch);
  gtk_widget_class_bind_template_child (widget_class, MilkDayEditor, note_row);
  gtk_widget_class_bind_template_child (widget_class, MilkDayEditor, error_label);
  gtk_widget_class_bind_template_child (widget_class, MilkDayEditor, delete_group);
  gtk_widget_class_bind_template_callback (widget_class, skip_changed);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save);
  gtk_widget_class_install_action (widget_class, "editor.delete", NULL, delete_day);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
milk_day_editor_init (MilkDayEditor *self)
{
  static const gint64 presets[] = { 500, 1000, 1500, 2000 };
  GtkWidget *box;

  self->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) product_line_free);
  gtk_widget_init_template (GTK_WIDGET (self));

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (box, "linked");
  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    {
      g_autofree char *label = milk_quantity_format (presets[i]);
      GtkWidget *button = gtk_button_new_with_label (label);

      g_object_set_data (G_OBJECT (button), "qty", GINT_TO_POINTER ((int) presets[i]));
      g_signal_connect (button, "clicked", G_CALLBACK (preset_clicked), self);
      gtk_box_append (GTK_BOX (box), button);
    }
  adw_action_row_add_suffix (self->presets_row, box);
}

MilkDayEditor *
milk_day_editor_new (GtkWindow *parent,
                     MilkStore *store,
                     MilkDay    day)
{
  MilkDayEditor *self;

  g_return_val_if_fail (MILK_IS_STORE (store), NULL);
  g_return_val_if_fail (milk_day_is_valid (day), NULL);

  self = g_object_new (MILK_TYPE_DAY_EDITOR, "transient-for", parent, "modal", TRUE, NULL);
  self->store = g_object_ref (store);
  self->day = day;
  load (self);
  return self;
}

MilkDay
milk_day_editor_get_day (MilkDayEditor *self)
{
  return self->day;
}

GtkEditable *
milk_day_editor_get_quantity_entry (MilkDayEditor *self,
                                    guint          product_index)
{
  ProductLine *line = line_at (self, product_index);

  return line ? line->qty : NULL;
}

/* NULL for a product delivered once that day */
GtkEditable *
milk_day_editor_get_evening_entry (MilkDayEditor *self,
                                   guint          product_index)
{
  ProductLine *line = line_at (self, product_index);

  return line ? line->evening : NULL;
}

GtkEditable *
milk_day_editor_get_price_entry (MilkDayEditor *self,
                                 guint          product_index)
{
  ProductLine *line = line_at (self, product_index);

  return line ? line->price : NULL;
}

GtkEditable *
milk_day_editor_get_note_entry (MilkDayEditor *self)
{
  return GTK_EDITABLE (self->note_row);
}

const char *
milk_day_editor_get_error (MilkDayEditor *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->error_label))
         ? gtk_label_get_label (self->error_label) : NULL;
}
