/* main.c — milk-diary-server: serve or migrate
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <curl/curl.h>

#include <locale.h>
#include <sodium.h>

#include "milk-server.h"
#include "milk-server-config.h"
#include "milk-server-db.h"
#include "milk-server-request.h"
#include "milk-server-secret.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(MilkServerConfig) config = milk_server_config_new ();
  g_autoptr(GError) error = NULL;
  const char *command;

  setlocale (LC_ALL, "");
  if (sodium_init () < 0)
    {
      g_printerr ("milk-diary-server: libsodium failed to start\n");
      return 1;
    }
  if (!milk_server_config_load (config, &argc, &argv, &error))
    {
      g_printerr ("milk-diary-server: %s\n", error->message);
      return 2;
    }

  command = argc > 1 ? argv[1] : "serve";
  if (g_str_equal (command, "migrate"))
    {
      const char *owner_url = config->migrate_database_url ? config->migrate_database_url
                                                           : config->database_url;

      if (!milk_db_migrate (owner_url, config->db_role, &error))
        {
          g_printerr ("milk-diary-server: %s\n", error->message);
          return 1;
        }
      g_printerr ("milk-diary-server: the database is up to date\n");
      return 0;
    }
  else if (g_str_equal (command, "serve"))
    {
      MilkDb *db;
      MilkServer *server;
      int status;

      /* The service's own login owns nothing, so it cannot migrate: only
       * with the owner's URL are migrations applied at start. */
      if (config->migrate_on_start && config->migrate_database_url &&
          !milk_db_migrate (config->migrate_database_url, config->db_role, &error))
        {
          g_printerr ("milk-diary-server: %s\n", error->message);
          return 1;
        }
      db = milk_db_new (config->database_url, config->workers, &error);
      if (db == NULL)
        {
          g_printerr ("milk-diary-server: %s\n", error->message);
          return 1;
        }
      milk_password_init ();
      curl_global_init (CURL_GLOBAL_DEFAULT);
      server = milk_server_new (config, db);
      if (!milk_server_listen (server, &error))
        {
          g_printerr ("milk-diary-server: %s\n", error->message);
          milk_server_free (server);
          milk_db_free (db);
          return 1;
        }
      status = milk_server_run (server);
      milk_server_free (server);
      milk_db_free (db);
      return status;
    }

  g_printerr ("milk-diary-server: unknown command “%s”; use serve or migrate\n", command);
  return 2;
}
