/* milk-application-instance.c — which running Milk Diary a start joins
 *
 * Milk Diary is a unique application: starting it again presents the
 * window that is open. But the instance that runs has one diary, and a
 * start for another one (MILK_DIARY_PATH naming a second diary) must open
 * that diary, not present the first. So the running instance says on the
 * session bus which diary it has (io.github.milkdiary.MilkDiary.Diary,
 * property Path, beside GApplication's own interfaces), and a start for
 * another diary runs as a standalone instance (G_APPLICATION_NON_UNIQUE),
 * as gedit's and Builder's --standalone do. It keeps the application id:
 * its desktop file, icon, window grouping and notifications stay Milk
 * Diary's; an id made from the path would have none of them, and D-Bus
 * activation would find no service for it. A second start on the same
 * diary still joins the instance that has it.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-app"

#include "config.h"

#include <glib/gstdio.h>

#include "milk-application-private.h"

#define DIARY_INTERFACE "io.github.milkdiary.MilkDiary.Diary"

static const char introspection[] =
  "<node>"
  "  <interface name='" DIARY_INTERFACE "'>"
  "    <property name='Path' type='ay' access='read'/>"
  "  </interface>"
  "</node>";

static GVariant *
get_property (GDBusConnection  *connection,
              const char       *sender,
              const char       *object_path,
              const char       *interface_name,
              const char       *property_name,
              GError          **error,
              gpointer          user_data)
{
  return g_variant_new_bytestring (user_data);
}

static const GDBusInterfaceVTable vtable = { NULL, get_property, NULL, { 0 } };

/* Returns the registration id, or 0 with an error. */
guint
_milk_application_export_diary (GDBusConnection  *connection,
                                const char       *object_path,
                                const char       *diary_path,
                                GError          **error)
{
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (introspection, error);

  if (info == NULL)
    return 0;
  return g_dbus_connection_register_object (connection, object_path, info->interfaces[0], &vtable,
                                            g_strdup (diary_path), g_free, error);
}

static gboolean
same_file (const char *a,
           const char *b)
{
  g_autofree char *ca = g_canonicalize_filename (a, NULL);
  g_autofree char *cb = g_canonicalize_filename (b, NULL);
  GStatBuf sa, sb;

  if (g_stat (ca, &sa) == 0 && g_stat (cb, &sb) == 0)
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  return g_str_equal (ca, cb);
}

/* Whether an instance runs on the session bus with another diary than
 * @diary_path. An instance that does not say (an older version) or no
 * bus at all: no, as before. Never starts an instance to ask it. */
gboolean
_milk_application_other_diary_runs (const char *diary_path)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autofree char *object_path = g_strdelimit (g_strconcat ("/", APPLICATION_ID, NULL), ".", '/');
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GError) error = NULL;
  const char *running;

  if (bus == NULL)
    return FALSE;
  reply = g_dbus_connection_call_sync (bus, APPLICATION_ID, object_path, "org.freedesktop.DBus.Properties", "Get",
                                       g_variant_new ("(ss)", DIARY_INTERFACE, "Path"), G_VARIANT_TYPE ("(v)"),
                                       G_DBUS_CALL_FLAGS_NO_AUTO_START, 5000, NULL, &error);
  if (reply == NULL)
    return FALSE;
  g_variant_get (reply, "(v)", &value);
  if (!g_variant_is_of_type (value, G_VARIANT_TYPE_BYTESTRING))
    return FALSE;
  running = g_variant_get_bytestring (value);
  if (same_file (running, diary_path))
    return FALSE;
  g_message ("Another Milk Diary runs with the diary %s; this one opens %s on its own", running, diary_path);
  return TRUE;
}
