/* milk-calendar-view.c — the month grid and the month's bill
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <langinfo.h>

#include <glib/gi18n.h>

#include "milk-bill-panel.h"
#include "milk-calendar-view.h"
#include "milk-day-cell.h"
#include "milk-legend.h"

#define N_CELLS 42

struct _MilkCalendarView
{
  GtkWidget parent_instance;

  GtkLabel *month_label;
  GtkGrid *grid;
  MilkLegend *legend;
  MilkBillPanel *bill_panel;

  MilkStore *store;
  GSignalGroup *store_signals;
  int year;
  int month;
  int first_weekday; /* 1 = Monday ... 7 = Sunday */
  GtkWidget *cells[N_CELLS];
  MilkDay anchor;            /* the day a Shift+click extends from */
  MilkDay selection_first;   /* a range picked with Shift, or 0 */
  MilkDay selection_last;
  gboolean shift_held;
  GtkWidget *weekday_labels[7];
};

G_DEFINE_FINAL_TYPE (MilkCalendarView, milk_calendar_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  PROP_YEAR,
  PROP_MONTH,
  N_PROPS
};

enum {
  DAY_ACTIVATED,
  SELECTION_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* The locale says which day a week starts on (glibc's first_weekday is
 * 1 for Sunday; week-1stday is the Sunday or Monday it counts from). */
static int
locale_first_weekday (void)
{
#ifdef _NL_TIME_FIRST_WEEKDAY
  union { unsigned int word; char *string; } week_origin, first;
  int week_1stday;

  first.string = nl_langinfo (_NL_TIME_FIRST_WEEKDAY);
  week_origin.string = nl_langinfo (_NL_TIME_WEEK_1STDAY);
  if (week_origin.word == 19971130)
    week_1stday = 0; /* Sunday */
  else if (week_origin.word == 19971201)
    week_1stday = 1; /* Monday */
  else
    return 1;
  return ((week_1stday + first.string[0] - 1) + 6) % 7 + 1;
#else
  return 1;
#endif
}

static gboolean
in_selection (MilkCalendarView *self,
              MilkDay           day)
{
  return self->selection_first && day >= self->selection_first && day <= self->selection_last;
}

static void
fill_cells (MilkCalendarView *self,
            GPtrArray        *products)
{
  g_autoptr(GPtrArray) entries = NULL;
  MilkDay first = milk_day_month_first (self->year, self->month);
  MilkDay last = milk_day_month_last (self->year, self->month);
  MilkDay today = milk_day_today ();
  int offset = (milk_day_weekday (first) - self->first_weekday + 7) % 7;
  MilkDay grid_start = first - offset;
  const MilkCurrency *currency;

  entries = milk_store_list_entries (self->store, first, last, NULL);
  currency = milk_store_get_currency (self->store);

  for (int i = 0; i < N_CELLS; i++)
    {
      MilkDayCell *cell = MILK_DAY_CELL (self->cells[i]);
      MilkDay day = grid_start + i;

      milk_day_cell_set_day (cell, day, day >= first && day <= last, day == today, day > today);
      milk_day_cell_set_selected (cell, in_selection (self, day));
      if (day >= first && day <= last && entries != NULL)
        milk_day_cell_show_entries (cell, products, entries, currency);
    }
  milk_legend_set_products (self->legend, products);
}

void
milk_calendar_view_refresh (MilkCalendarView *self)
{
  g_autoptr(GPtrArray) products = NULL;
  g_autoptr(GDateTime) date = NULL;
  g_autofree char *title = NULL;

  g_return_if_fail (MILK_IS_CALENDAR_VIEW (self));

  if (self->store == NULL)
    return;

  date = g_date_time_new_utc (self->year, self->month, 1, 0, 0, 0);
  /* TRANSLATORS: the month shown, see strftime; %OB is the month's name */
  title = g_date_time_format (date, _("%OB %Y"));
  gtk_label_set_label (self->month_label, title);

  products = milk_store_list_products (self->store, FALSE, NULL);
  if (products == NULL)
    products = g_ptr_array_new ();
  fill_cells (self, products);
  milk_bill_panel_show (self->bill_panel, self->store, self->year, self->month);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "calendar.previous-month",
                                 milk_day_month_first (self->year, self->month) > milk_day_from_ymd (MILK_DAY_MIN_YEAR, 1, 31));
}

void
milk_calendar_view_set_month (MilkCalendarView *self,
                              int               year,
                              int               month)
{
  g_return_if_fail (MILK_IS_CALENDAR_VIEW (self));

  if (milk_day_month_first (year, month) == MILK_DAY_INVALID)
    return;

  g_object_freeze_notify (G_OBJECT (self));
  if (self->year != year)
    {
      self->year = year;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_YEAR]);
    }
  if (self->month != month)
    {
      self->month = month;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MONTH]);
    }
  g_object_thaw_notify (G_OBJECT (self));
  milk_calendar_view_refresh (self);
}

int
milk_calendar_view_get_year (MilkCalendarView *self)
{
  return self->year;
}

int
milk_calendar_view_get_month (MilkCalendarView *self)
{
  return self->month;
}

GtkWidget *
milk_calendar_view_get_cell (MilkCalendarView *self,
                             MilkDay           day)
{
  for (int i = 0; i < N_CELLS; i++)
    if (milk_day_cell_get_day (MILK_DAY_CELL (self->cells[i])) == day &&
        gtk_widget_get_can_target (self->cells[i]))
      return self->cells[i];
  return NULL;
}

static void
step_month (MilkCalendarView *self,
            int               delta)
{
  int index = self->year * 12 + (self->month - 1) + delta;

  milk_calendar_view_set_month (self, index / 12, index % 12 + 1);
}

static void
previous_month (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  step_month (MILK_CALENDAR_VIEW (widget), -1);
}

static void
next_month (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  step_month (MILK_CALENDAR_VIEW (widget), 1);
}

static void
go_today (GtkWidget  *widget,
          const char *action_name,
          GVariant   *parameter)
{
  MilkCalendarView *self = MILK_CALENDAR_VIEW (widget);
  int y, m;
  GtkWidget *cell;

  milk_day_get_ymd (milk_day_today (), &y, &m, NULL);
  milk_calendar_view_set_month (self, y, m);
  cell = milk_calendar_view_get_cell (self, milk_day_today ());
  if (cell)
    gtk_widget_grab_focus (cell);
}

static void
show_selection (MilkCalendarView *self)
{
  for (int i = 0; i < N_CELLS; i++)
    {
      MilkDayCell *cell = MILK_DAY_CELL (self->cells[i]);

      milk_day_cell_set_selected (cell, in_selection (self, milk_day_cell_get_day (cell)));
    }
}

/* Selects the days from first to last (in either order); 0 clears. */
void
milk_calendar_view_select_range (MilkCalendarView *self,
                                 MilkDay           first,
                                 MilkDay           last)
{
  g_return_if_fail (MILK_IS_CALENDAR_VIEW (self));

  self->selection_first = MIN (first, last);
  self->selection_last = MAX (first, last);
  if (first == 0 || last == 0)
    self->selection_first = self->selection_last = 0;
  show_selection (self);
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

gboolean
milk_calendar_view_get_selection (MilkCalendarView *self,
                                  MilkDay          *first,
                                  MilkDay          *last)
{
  if (self->selection_first == 0)
    return FALSE;
  *first = self->selection_first;
  *last = self->selection_last;
  return TRUE;
}

/* Shift+click (or Shift+Enter) picks a range of days, for leave; a plain
 * click opens the day. */
void
milk_calendar_view_click_day (MilkCalendarView *self,
                              MilkDay           day,
                              gboolean          extend)
{
  if (extend && self->anchor != 0)
    {
      milk_calendar_view_select_range (self, self->anchor, day);
      return;
    }
  self->anchor = day;
  if (self->selection_first)
    milk_calendar_view_select_range (self, 0, 0);
  g_signal_emit (self, signals[DAY_ACTIVATED], 0, day);
}

static void
cell_clicked (MilkCalendarView *self,
              MilkDayCell      *cell)
{
  milk_calendar_view_click_day (self, milk_day_cell_get_day (cell), self->shift_held);
}

static void
note_modifiers (GtkGestureClick  *gesture,
                int               n_press,
                double            x,
                double            y,
                MilkCalendarView *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));

  self->shift_held = (state & GDK_SHIFT_MASK) != 0;
}

static int
arrow_step (MilkCalendarView *self,
            guint             keyval)
{
  int ahead = gtk_widget_get_direction (GTK_WIDGET (self)) == GTK_TEXT_DIR_RTL ? -1 : 1;

  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      return -ahead;
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      return ahead;
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      return -7;
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      return 7;
    default:
      return 0;
    }
}

/* Shift+arrows extend a range from the focused day, as Shift+click does
 * with the mouse; the focus follows the range's moving end. */
static gboolean
extend_with_keys (MilkCalendarView *self,
                  int               step)
{
  GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (GTK_WIDGET (self)));
  GtkWidget *cell;
  MilkDay from;

  if (!MILK_IS_DAY_CELL (focus) || gtk_widget_get_parent (focus) != GTK_WIDGET (self->grid))
    return FALSE;
  from = milk_day_cell_get_day (MILK_DAY_CELL (focus));
  cell = milk_calendar_view_get_cell (self, from + step);
  if (cell == NULL || !gtk_widget_is_sensitive (cell))
    return TRUE; /* the range stops at the month's edge and at today */
  if (self->selection_first == 0)
    self->anchor = from;
  milk_calendar_view_select_range (self, self->anchor, from + step);
  gtk_widget_grab_focus (cell);
  return TRUE;
}

/* An arrow moves to the day before or after (a week for up and down), as
 * in a calendar on paper: Right on a Sunday goes to Monday, on the next
 * row, where GTK's own focus movement stopped at the row's end. At the
 * month's edge GTK moves the focus on, out of the grid. */
static gboolean
move_with_keys (MilkCalendarView *self,
                int               step)
{
  GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (GTK_WIDGET (self)));
  GtkWidget *cell;

  if (!MILK_IS_DAY_CELL (focus) || gtk_widget_get_parent (focus) != GTK_WIDGET (self->grid))
    return FALSE;
  cell = milk_calendar_view_get_cell (self, milk_day_cell_get_day (MILK_DAY_CELL (focus)) + step);
  if (cell == NULL || !gtk_widget_get_visible (cell) || !gtk_widget_is_sensitive (cell) ||
      !gtk_widget_get_focusable (cell))
    return FALSE;
  return gtk_widget_grab_focus (cell);
}

static gboolean
key_pressed (GtkEventControllerKey *controller,
             guint                  keyval,
             guint                  keycode,
             GdkModifierType        state,
             MilkCalendarView      *self)
{
  GdkModifierType mods = state & gtk_accelerator_get_default_mod_mask ();
  int step = arrow_step (self, keyval);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  self->shift_held = (state & GDK_SHIFT_MASK) != 0;
  /* Moving between days by keyboard shows where the focus is, even
   * after the last day was picked with the mouse. */
  if (step != 0 && GTK_IS_WINDOW (root))
    gtk_window_set_focus_visible (GTK_WINDOW (root), TRUE);
  if (step != 0 && mods == 0)
    return move_with_keys (self, step);
  if (mods != GDK_SHIFT_MASK)
    return FALSE;
  return step != 0 && extend_with_keys (self, step);
}

/* The month's cells, and its bill: entries up to the month's end (what
 * was left to pay from earlier months is brought forward), and anything
 * a price, payment, product or setting changed. Not the sync journal. */
static void
store_changed (MilkCalendarView      *self,
               const MilkStoreChange *change)
{
  if (milk_store_change_touches (change, MILK_STORE_CHANGE_ALL & ~MILK_STORE_CHANGE_SYNC,
                                 1, milk_day_month_last (self->year, self->month)))
    milk_calendar_view_refresh (self);
}

static void
set_store (MilkCalendarView *self,
           MilkStore        *store)
{
  if (self->store == store)
    return;
  g_set_object (&self->store, store);
  g_signal_group_set_target (self->store_signals, store);
  milk_calendar_view_refresh (self);
}

static void
milk_calendar_view_dispose (GObject *object)
{
  MilkCalendarView *self = MILK_CALENDAR_VIEW (object);
  GtkWidget *child;

  if (self->store_signals)
    g_signal_group_set_target (self->store_signals, NULL);
  g_clear_object (&self->store_signals);
  g_clear_object (&self->store);

  gtk_widget_dispose_template (GTK_WIDGET (self), MILK_TYPE_CALENDAR_VIEW);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (milk_calendar_view_parent_class)->dispose (object);
}

static void
milk_calendar_view_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  MilkCalendarView *self = MILK_CALENDAR_VIEW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_YEAR:
      g_value_set_int (value, self->year);
      break;
    case PROP_MONTH:
      g_value_set_int (value, self->month);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
milk_calendar_view_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  MilkCalendarView *self = MILK_CALENDAR_VIEW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      set_store (self, g_value_get_object (value));
      break;
    case PROP_YEAR:
      milk_calendar_view_set_month (self, g_value_get_int (value), self->month);
      break;
    case PROP_MONTH:
      milk_calendar_view_set_month (self, self->year, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
milk_calendar_view_class_init (MilkCalendarViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = milk_calendar_view_dispose;
  object_class->get_property = milk_calendar_view_get_property;
  object_class->set_property = milk_calendar_view_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, MILK_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  properties[PROP_YEAR] =
    g_param_spec_int ("year", NULL, NULL, MILK_DAY_MIN_YEAR, MILK_DAY_MAX_YEAR, 2026,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MONTH] =
    g_param_spec_int ("month", NULL, NULL, 1, 12, 1,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MilkCalendarView::day-activated:
   * @day: the day, a #MilkDay
   *
   * A day was clicked or activated with the keyboard.
   */
  signals[DAY_ACTIVATED] = g_signal_new ("day-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  /**
   * MilkCalendarView::selection-changed:
   *
   * A range of days was picked with Shift, or the pick was cleared.
   */
  signals[SELECTION_CHANGED] = g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                             0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/milkdiary/MilkDiary/ui/milk-calendar-view.ui");
  gtk_widget_class_bind_template_child (widget_class, MilkCalendarView, month_label);
  gtk_widget_class_bind_template_child (widget_class, MilkCalendarView, grid);
  gtk_widget_class_bind_template_child (widget_class, MilkCalendarView, legend);
  gtk_widget_class_bind_template_child (widget_class, MilkCalendarView, bill_panel);

  gtk_widget_class_install_action (widget_class, "calendar.previous-month", NULL, previous_month);
  gtk_widget_class_install_action (widget_class, "calendar.next-month", NULL, next_month);
  gtk_widget_class_install_action (widget_class, "calendar.today", NULL, go_today);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

/* The grid's look ships with the widget, so it is the same in the app,
 * the tests and the screenshots. */
static void
ensure_style (void)
{
  static GtkCssProvider *provider;

  if (provider != NULL)
    return;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/io/github/milkdiary/MilkDiary/ui/milk-calendar-view.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
add_key (GtkEventController *shortcuts,
         guint               keyval,
         const char         *action)
{
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (keyval, 0),
                                                          gtk_named_action_new (action)));
}

static void
milk_calendar_view_init (MilkCalendarView *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  self->store_signals = g_signal_group_new (MILK_TYPE_STORE);
  g_signal_group_connect_swapped (self->store_signals, "changed", G_CALLBACK (store_changed), self);
  self->year = g_date_time_get_year (now);
  self->month = g_date_time_get_month (now);
  self->first_weekday = locale_first_weekday ();

  ensure_style ();
  g_type_ensure (MILK_TYPE_BILL_PANEL);
  g_type_ensure (MILK_TYPE_LEGEND);
  gtk_widget_init_template (GTK_WIDGET (self));

  /* Weekday names in the locale's order, from a week known to start on a
   * Monday (2024-01-01). */
  for (int i = 0; i < 7; i++)
    {
      int weekday = (self->first_weekday - 1 + i) % 7; /* 0 = Monday */
      g_autoptr(GDateTime) date = g_date_time_new_utc (2024, 1, 1 + weekday, 0, 0, 0);
      g_autofree char *name = g_date_time_format (date, "%a");
      g_autofree char *full = g_date_time_format (date, "%A");
      GtkWidget *label = gtk_label_new (name);

      gtk_widget_add_css_class (label, "weekday");
      gtk_widget_add_css_class (label, "caption");
      gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL, full, -1);
      gtk_grid_attach (self->grid, label, i, 0, 1, 1);
      self->weekday_labels[i] = label;
    }

  {
    GtkGesture *click = gtk_gesture_click_new ();
    GtkEventController *keys = gtk_event_controller_key_new ();

    gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
    gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), 0);
    g_signal_connect (click, "pressed", G_CALLBACK (note_modifiers), self);
    gtk_widget_add_controller (GTK_WIDGET (self->grid), GTK_EVENT_CONTROLLER (click));
    gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
    g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed), self);
    gtk_widget_add_controller (GTK_WIDGET (self->grid), keys);
  }

  /* Page Up, Page Down and Home move between months: caught on the way
   * in, before the scrolled window takes them to scroll. */
  {
    GtkEventController *shortcuts = gtk_shortcut_controller_new ();

    gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
    add_key (shortcuts, GDK_KEY_Page_Up, "calendar.previous-month");
    add_key (shortcuts, GDK_KEY_Page_Down, "calendar.next-month");
    add_key (shortcuts, GDK_KEY_Home, "calendar.today");
    gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);
  }

  for (int i = 0; i < N_CELLS; i++)
    {
      self->cells[i] = milk_day_cell_new ();
      g_signal_connect_swapped (self->cells[i], "clicked", G_CALLBACK (cell_clicked), self);
      gtk_grid_attach (self->grid, self->cells[i], i % 7, 1 + i / 7, 1, 1);
    }
}

GtkWidget *
milk_calendar_view_new (MilkStore *store)
{
  return g_object_new (MILK_TYPE_CALENDAR_VIEW, "store", store, NULL);
}
