/* milk-test-browser.c — a stand-in for the system browser in end-to-end tests
 *
 * Registered as the desktop's handler for http:// links in the tests' own
 * XDG folders, so that the app opens it exactly as it opens a real browser.
 * It does what a person does on the server's pages: signs in with the
 * account in MILK_TEST_EMAIL, allows Milk Diary, and follows the redirect
 * back to the app's loopback address. (test-e2e-browser uses Chromium.)
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <libsoup/soup.h>

static char *
unescape (const char *text)
{
  g_autoptr(GString) out = g_string_new (text);

  g_string_replace (out, "&quot;", "\"", 0);
  g_string_replace (out, "&#39;", "'", 0);
  g_string_replace (out, "&lt;", "<", 0);
  g_string_replace (out, "&gt;", ">", 0);
  g_string_replace (out, "&amp;", "&", 0);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The hidden fields of the page's form, as a form to post. */
static GHashTable *
hidden_fields (const char *html)
{
  g_autoptr(GRegex) regex = g_regex_new ("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  GHashTable *fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_regex_match (regex, html, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *value = g_match_info_fetch (match, 2);

      g_hash_table_insert (fields, g_match_info_fetch (match, 1), unescape (value));
      g_match_info_next (match, NULL);
    }
  return fields;
}

static char *
send (SoupSession  *session,
      SoupMessage  *msg,
      guint        *status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, &error);

  if (body == NULL)
    g_error ("test browser: %s", error->message);
  *status = soup_message_get_status (msg);
  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

static char *
post (SoupSession *session,
      const char  *base,
      const char  *action,
      GHashTable  *fields,
      guint       *status)
{
  g_autofree char *url = g_strconcat (base, action, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new_from_encoded_form ("POST", url, soup_form_encode_hash (fields));

  return send (session, msg, status);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *base = NULL;
  g_autofree char *page = NULL;
  const char *email = g_getenv ("MILK_TEST_EMAIL");
  const char *password = g_getenv ("MILK_TEST_PASSWORD");
  guint status = 0;

  if (argc < 2 || email == NULL || password == NULL)
    {
      g_printerr ("usage: MILK_TEST_EMAIL=… MILK_TEST_PASSWORD=… %s URL\n", argv[0]);
      return 2;
    }
  soup_session_add_feature_by_type (session, SOUP_TYPE_COOKIE_JAR);
  uri = g_uri_parse (argv[1], G_URI_FLAGS_NONE, NULL);
  base = g_strdup_printf ("%s://%s:%d", g_uri_get_scheme (uri), g_uri_get_host (uri), g_uri_get_port (uri));

  /* MILK_TEST_FORGE_CALLBACK: first call the app's loopback address the
   * way another page could, with a made-up code and state. The app must
   * refuse it (400) and keep waiting for the real answer. */
  if (g_getenv ("MILK_TEST_FORGE_CALLBACK"))
    {
      g_autoptr(GHashTable) query = soup_form_decode (g_uri_get_query (uri));
      const char *redirect = g_hash_table_lookup (query, "redirect_uri");
      g_autofree char *forged = g_strconcat (redirect, "?code=forged&state=forged", NULL);
      g_autoptr(SoupMessage) attack = soup_message_new ("GET", forged);
      g_autofree char *answer = send (session, attack, &status);

      if (status != SOUP_STATUS_BAD_REQUEST)
        {
          g_printerr ("test browser: a forged callback got %u\n", status);
          return 1;
        }
    }

  /* MILK_TEST_FORGE_ISS: answer with the right state but another server's
   * name (a mix-up attack); the app must refuse and end the sign-in. */
  if (g_getenv ("MILK_TEST_FORGE_ISS"))
    {
      g_autoptr(GHashTable) query = soup_form_decode (g_uri_get_query (uri));
      g_autofree char *state = g_uri_escape_string (g_hash_table_lookup (query, "state"), NULL, TRUE);
      g_autofree char *forged = g_strconcat (g_hash_table_lookup (query, "redirect_uri"),
                                             "?code=forged&iss=https%3A%2F%2Fevil.example&state=", state, NULL);
      g_autoptr(SoupMessage) attack = soup_message_new ("GET", forged);
      g_autofree char *answer = send (session, attack, &status);

      return status == SOUP_STATUS_BAD_REQUEST ? 0 : 1;
    }

  /* The authorize page sends a stranger to sign in first. */
  msg = soup_message_new ("GET", argv[1]);
  page = send (session, msg, &status);

  for (int step = 0; step < 4; step++)
    {
      g_autoptr(GHashTable) fields = hidden_fields (page);
      g_autofree char *next = NULL;

      if (strstr (page, "name=\"password\"") && strstr (page, "action=\"/signin\""))
        {
          g_hash_table_insert (fields, g_strdup ("email"), g_strdup (email));
          g_hash_table_insert (fields, g_strdup ("password"), g_strdup (password));
          next = post (session, base, "/signin", fields, &status);
        }
      else if (strstr (page, "action=\"/oauth/authorize\""))
        {
          g_hash_table_insert (fields, g_strdup ("decision"), g_strdup ("allow"));
          next = post (session, base, "/oauth/authorize", fields, &status);
        }
      else
        {
          /* The app's own page on its loopback address: done. (Quietly:
           * this program's output lands in the test's TAP stream.) */
          if (status != SOUP_STATUS_OK)
            g_printerr ("test browser: ended at %u\n%s\n", status, page);
          return status == SOUP_STATUS_OK ? 0 : 1;
        }
      g_free (page);
      page = g_steal_pointer (&next);
    }
  g_printerr ("test browser: stuck at\n%s\n", page);
  return 1;
}
