/* milk-server-http.c — the service as an HTTP client (libcurl): discovery,
 * token and user-info requests to the providers people sign in with
 *
 * Called from the worker threads; each call is one blocking request with
 * a short timeout and a cap on the answer's size. https is verified as
 * curl does by default; plain http only reaches loopback (a provider on
 * this machine, as the tests run one).
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <string.h>

#include <curl/curl.h>

#include "milk-server-error.h"
#include "milk-server-http.h"

#define HTTP_TIMEOUT_S 10
#define HTTP_MAX_BYTES (1024 * 1024)

/* https://, or http:// to this machine only. */
gboolean
milk_http_url_allowed (const char *url)
{
  g_autoptr(GUri) uri = url ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;
  const char *host;

  if (uri == NULL || (host = g_uri_get_host (uri)) == NULL || *host == '\0')
    return FALSE;
  if (g_strcmp0 (g_uri_get_scheme (uri), "https") == 0)
    return TRUE;
  return g_strcmp0 (g_uri_get_scheme (uri), "http") == 0 &&
         (g_str_equal (host, "127.0.0.1") || g_str_equal (host, "::1") || g_str_equal (host, "localhost"));
}

static size_t
collect (char   *data,
         size_t  size,
         size_t  count,
         void   *user_data)
{
  GByteArray *body = user_data;

  if (body->len + size * count > HTTP_MAX_BYTES)
    return 0;   /* curl stops: the answer is too large */
  g_byte_array_append (body, (const guint8 *) data, size * count);
  return size * count;
}

/* One request; the answer's JSON (an object or an array), or NULL with
 * error (the provider's error and error_description when it gave them).
 * form NULL: GET. bearer, or basic_user and basic_password, authenticate. */
JsonNode *
milk_http_json (const char  *url,
                const char  *form,
                const char  *bearer,
                const char  *basic_user,
                const char  *basic_password,
                GError     **error)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *authorization = NULL;
  struct curl_slist *headers = NULL;
  char problem[CURL_ERROR_SIZE] = "";
  CURL *curl;
  CURLcode code;
  long status = 0;
  JsonNode *root;

  if (!milk_http_url_allowed (url))
    {
      g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_CONFIG, "Not an https:// URL: %s", url);
      return NULL;
    }
  curl = curl_easy_init ();
  headers = curl_slist_append (headers, "Accept: application/json");
  if (bearer)
    {
      authorization = g_strdup_printf ("Authorization: Bearer %s", bearer);
      headers = curl_slist_append (headers, authorization);
    }
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (curl, CURLOPT_USERAGENT, "milk-diary-server/" PACKAGE_VERSION);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, (long) HTTP_TIMEOUT_S);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, body);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, problem);
  if (form)
    curl_easy_setopt (curl, CURLOPT_POSTFIELDS, form);
  if (basic_user)
    {
      curl_easy_setopt (curl, CURLOPT_HTTPAUTH, (long) CURLAUTH_BASIC);
      curl_easy_setopt (curl, CURLOPT_USERNAME, basic_user);
      curl_easy_setopt (curl, CURLOPT_PASSWORD, basic_password ? basic_password : "");
    }
  code = curl_easy_perform (curl);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all (headers);
  curl_easy_cleanup (curl);

  if (code != CURLE_OK)
    {
      g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_UPSTREAM, "%s did not answer: %s", url,
                   problem[0] ? problem : curl_easy_strerror (code));
      return NULL;
    }
  if (!json_parser_load_from_data (parser, (const char *) body->data, body->len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL ||
      (!JSON_NODE_HOLDS_OBJECT (root) && !JSON_NODE_HOLDS_ARRAY (root)))
    {
      g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_UPSTREAM, "%s answered %ld, not with JSON",
                   url, status);
      return NULL;
    }
  if (status < 200 || status > 299 ||
      (JSON_NODE_HOLDS_OBJECT (root) && json_object_has_member (json_node_get_object (root), "error")))
    {
      JsonObject *obj = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
      JsonNode *what = obj ? json_object_get_member (obj, "error") : NULL;
      JsonNode *why = obj ? json_object_get_member (obj, "error_description") : NULL;

      g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_UPSTREAM, "%s answered %ld: %s%s%s", url, status,
                   what && JSON_NODE_HOLDS_VALUE (what) && json_node_get_value_type (what) == G_TYPE_STRING
                     ? json_node_get_string (what) : "an error",
                   why ? ": " : "",
                   why && JSON_NODE_HOLDS_VALUE (why) && json_node_get_value_type (why) == G_TYPE_STRING
                     ? json_node_get_string (why) : "");
      return NULL;
    }
  return json_node_copy (root);
}
