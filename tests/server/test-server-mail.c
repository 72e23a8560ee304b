/* test-server-mail.c — with mail configured, an email counts once its link
 * was opened: a real SMTP server (aiosmtpd) receives what the service sends
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "milk-server-test.h"
#include "milk-smtp-test.h"

static MilkTestServer *server;
static MilkTestSmtp *smtp;

#define VERIFIER "verifier-mail-tests-0123456789012345678901234567890123456789"

static guint
sign_up (MilkTestClient *browser,
         const char     *email,
         const char     *return_to)
{
  g_autofree char *csrf = NULL;

  g_assert_cmpuint (milk_test_request (browser, server, "GET", "/signup", NULL, NULL, 0, NULL), ==, 200);
  csrf = milk_test_page_csrf (browser);
  return milk_test_form (browser, server, "/signup", "csrf", csrf, "email", email, "password", MILK_TEST_PASSWORD,
                         "confirm", MILK_TEST_PASSWORD, "return_to", return_to, NULL);
}

static guint
sign_in (MilkTestClient *browser,
         const char     *email)
{
  g_autofree char *csrf = NULL;

  g_assert_cmpuint (milk_test_request (browser, server, "GET", "/signin", NULL, NULL, 0, NULL), ==, 200);
  csrf = milk_test_page_csrf (browser);
  return milk_test_form (browser, server, "/signin", "csrf", csrf, "email", email, "password", MILK_TEST_PASSWORD,
                         "return_to", "/account", NULL);
}

static char *
authorize_path (void)
{
  g_autofree char *challenge = milk_test_pkce_challenge (VERIFIER);
  g_autofree char *query = soup_form_encode ("response_type", "code", "client_id", MILK_TEST_CLIENT_ID,
                                             "redirect_uri", MILK_TEST_REDIRECT, "code_challenge", challenge,
                                             "code_challenge_method", "S256", "state", "st", "scope", "sync", NULL);

  return g_strconcat ("/oauth/authorize?", query, NULL);
}

/* Opens a mailed link as a person does: the page, then its button. */
static guint
follow_link (MilkTestClient *browser,
             const char     *link)
{
  g_autofree char *csrf = NULL;
  g_autofree char *token = g_strdup (strstr (link, "token=") + strlen ("token="));
  g_autofree char *path = g_strndup (link, strcspn (link, "?"));

  g_assert_cmpuint (milk_test_request (browser, server, "GET", link, NULL, NULL, 0, NULL), ==, 200);
  csrf = milk_test_page_csrf (browser);
  return milk_test_form (browser, server, path, "csrf", csrf, "token", token, NULL);
}

/* Sign-up mails a link; until it is opened the app's sign-in stops at
 * "Verify your email"; after, it goes on to the app. A link works once. */
static void
test_signup_verify (void)
{
  g_autoptr(MilkTestClient) browser = milk_test_client_new ();
  g_autoptr(MilkTestClient) other = milk_test_client_new ();
  g_autoptr(MilkTestMail) mail = NULL;
  g_autofree char *authorize = authorize_path ();
  g_autofree char *link = NULL;
  g_autofree char *log = NULL;
  g_autofree char *token = NULL;

  g_assert_cmpuint (sign_up (browser, "new@example.com", authorize), ==, 200);
  g_assert_nonnull (strstr (milk_test_body (browser), "Check your email"));
  {
    const char *cookie = milk_test_header (browser, "Set-Cookie");

    g_assert_true (cookie == NULL || strstr (cookie, "milk_session=") == NULL);
  }

  mail = milk_test_smtp_wait (smtp, "new@example.com", 30);
  g_assert_nonnull (mail);
  g_assert_cmpstr (mail->subject, ==, "Confirm your email for Milk Diary");
  g_assert_nonnull (strstr (mail->raw, "multipart/alternative"));
  link = milk_test_mail_link (mail, "/account/verify?token=");
  g_assert_nonnull (link);
  g_assert_nonnull (mail->html);
  g_assert_nonnull (strstr (mail->html, "/account/verify?token="));

  /* Signed in but not verified: the account page says so and offers the
   * link again; the consent page is not offered. */
  g_assert_cmpuint (sign_in (browser, "new@example.com"), ==, 303);
  g_assert_cmpuint (milk_test_request (browser, server, "GET", "/account", NULL, NULL, 0, NULL), ==, 200);
  g_assert_nonnull (strstr (milk_test_body (browser), "Your email is not confirmed yet"));
  g_assert_nonnull (strstr (milk_test_body (browser), "action=\"/account/verify/send\""));
  {
    g_autofree char *csrf = milk_test_page_csrf (browser);

    /* No token for scripts either, before the email is confirmed. */
    g_assert_cmpuint (milk_test_form (browser, server, "/account/tokens", "csrf", csrf, "name", "script",
                                      "scope", "read", NULL), ==, 403);
    g_assert_null (strstr (milk_test_body (browser), "milkpat_"));
  }
  g_assert_cmpuint (milk_test_request (browser, server, "GET", authorize, NULL, NULL, 0, NULL), ==, 403);
  g_assert_nonnull (strstr (milk_test_body (browser), "Verify your email"));
  g_assert_null (strstr (milk_test_body (browser), "decision"));

  /* The link, opened in the browser that is signed in, goes on to the
   * consent page; the app then gets its code. */
  g_assert_cmpuint (follow_link (browser, link), ==, 303);
  g_assert_cmpstr (milk_test_header (browser, "Location"), ==, authorize);
  g_assert_cmpuint (milk_test_request (browser, server, "GET", "/account", NULL, NULL, 0, NULL), ==, 200);
  g_assert_null (strstr (milk_test_body (browser), "Your email is not confirmed yet"));
  {
    g_autofree char *location = milk_test_authorize (server, browser, MILK_TEST_REDIRECT, VERIFIER, "st");
    g_autofree char *code = milk_test_query_param (location, "code");

    g_assert_nonnull (code);
  }

  /* Once only. */
  g_assert_cmpuint (follow_link (other, link), ==, 400);
  g_assert_nonnull (strstr (milk_test_body (other), "This link does not work"));

  /* The link's token never reaches the log. */
  token = g_strdup (strstr (link, "token=") + strlen ("token="));
  log = milk_test_server_log (server);
  g_assert_null (strstr (log, token));
}

/* Opened in another browser, the link verifies the address but signs no
 * one in: the password still has to be given. */
static void
test_link_signs_nobody_in (void)
{
  g_autoptr(MilkTestClient) browser = milk_test_client_new ();
  g_autoptr(MilkTestClient) phone = milk_test_client_new ();
  g_autoptr(MilkTestMail) mail = NULL;
  g_autofree char *link = NULL;

  g_assert_cmpuint (sign_up (browser, "phone@example.com", "/account"), ==, 200);
  mail = milk_test_smtp_wait (smtp, "phone@example.com", 30);
  g_assert_nonnull (mail);
  link = milk_test_mail_link (mail, "/account/verify?token=");
  g_assert_cmpuint (follow_link (phone, link), ==, 200);
  g_assert_nonnull (strstr (milk_test_body (phone), "Email confirmed"));
  g_assert_cmpuint (milk_test_request (phone, server, "GET", "/account", NULL, NULL, 0, NULL), ==, 303);

  /* Verified: signed in, the consent is offered at once. */
  g_assert_cmpuint (sign_in (browser, "phone@example.com"), ==, 303);
  {
    g_autofree char *location = milk_test_authorize (server, browser, MILK_TEST_REDIRECT, VERIFIER, "st");

    g_assert_nonnull (strstr (location, "code="));
  }
}

/* Sign-up says the same whether or not the email has an account; its
 * owner is told someone tried, and nothing else changes. */
static void
test_signup_existing_same_answer (void)
{
  g_autoptr(MilkTestClient) first = milk_test_client_new ();
  g_autoptr(MilkTestClient) second = milk_test_client_new ();
  g_autoptr(MilkTestClient) fresh = milk_test_client_new ();
  g_autoptr(MilkTestMail) verify = NULL;
  g_autoptr(MilkTestMail) tried = NULL;
  g_autoptr(MilkTestMail) fresh_mail = NULL;
  g_autofree char *taken_page = NULL;
  g_autofree char *fresh_page = NULL;
  PGconn *db;
  PGresult *result;

  g_assert_cmpuint (sign_up (first, "taken@example.com", "/account"), ==, 200);
  verify = milk_test_smtp_wait (smtp, "taken@example.com", 30);
  g_assert_nonnull (verify);

  g_assert_cmpuint (sign_up (second, "taken@example.com", "/account"), ==, 200);
  taken_page = g_strdup (milk_test_body (second));
  g_assert_cmpuint (sign_up (fresh, "untaken@example.com", "/account"), ==, 200);
  fresh_page = g_strdup (milk_test_body (fresh));
  {
    g_autofree char *same = g_strdup (fresh_page);
    char *at = strstr (same, "untaken@example.com");

    g_assert_nonnull (at);
    memmove (at, at + 2, strlen (at + 2) + 1);   /* "untaken" → "taken" */
    g_assert_cmpstr (same, ==, taken_page);
  }

  tried = milk_test_smtp_wait (smtp, "taken@example.com", 30);
  g_assert_nonnull (tried);
  g_assert_cmpstr (tried->subject, ==, "Someone tried to create a Milk Diary account with your address");
  g_assert_null (milk_test_mail_link (tried, "token="));
  fresh_mail = milk_test_smtp_wait (smtp, "untaken@example.com", 30);
  g_assert_nonnull (fresh_mail);

  db = milk_test_db_connect (server);
  result = PQexec (db, "SELECT count (*) FROM account_emails WHERE email = 'taken@example.com'");
  g_assert_cmpstr (PQgetvalue (result, 0, 0), ==, "1");
  PQclear (result);
  PQfinish (db);
}

/* "Send the link again" works a few times an hour, then says wait. */
static void
test_resend_limited (void)
{
  g_autoptr(MilkTestClient) browser = milk_test_client_new ();
  g_autoptr(MilkTestMail) first = NULL;
  g_autofree char *authorize = authorize_path ();
  g_autofree char *csrf = NULL;
  guint sent = 0, status;

  g_assert_cmpuint (sign_up (browser, "resend@example.com", "/account"), ==, 200);
  first = milk_test_smtp_wait (smtp, "resend@example.com", 30);
  g_assert_nonnull (first);
  g_assert_cmpuint (sign_in (browser, "resend@example.com"), ==, 303);
  g_assert_cmpuint (milk_test_request (browser, server, "GET", authorize, NULL, NULL, 0, NULL), ==, 403);
  csrf = milk_test_page_csrf (browser);

  while ((status = milk_test_form (browser, server, "/account/verify/send", "csrf", csrf,
                                   "return_to", authorize, NULL)) == 200)
    {
      g_autoptr(MilkTestMail) again = milk_test_smtp_wait (smtp, "resend@example.com", 30);
      g_autofree char *link = NULL;

      g_assert_nonnull (again);
      link = milk_test_mail_link (again, "/account/verify?token=");
      g_assert_nonnull (link);
      g_assert_cmpuint (++sent, <, 10);
    }
  g_assert_cmpuint (status, ==, 429);
  g_assert_cmpuint (sent, ==, 2);   /* with the sign-up's, three an hour */
  g_assert_nonnull (milk_test_header (browser, "Retry-After"));
}

/* A verified account with a browser signed in and an app's tokens. */
static char *
verified_account (MilkTestClient *browser,
                  const char     *email)
{
  g_autoptr(MilkTestClient) mailbox = milk_test_client_new ();
  g_autoptr(MilkTestMail) mail = NULL;
  g_autofree char *link = NULL;
  g_autofree char *location = NULL;
  g_autofree char *code = NULL;

  g_assert_cmpuint (sign_up (browser, email, "/account"), ==, 200);
  mail = milk_test_smtp_wait (smtp, email, 30);
  g_assert_nonnull (mail);
  link = milk_test_mail_link (mail, "/account/verify?token=");
  g_assert_cmpuint (follow_link (mailbox, link), ==, 200);
  g_assert_cmpuint (sign_in (browser, email), ==, 303);
  location = milk_test_authorize (server, browser, MILK_TEST_REDIRECT, VERIFIER, "st");
  code = milk_test_query_param (location, "code");
  milk_test_form (browser, server, "/oauth/token", "grant_type", "authorization_code", "code", code,
                  "redirect_uri", MILK_TEST_REDIRECT, "client_id", MILK_TEST_CLIENT_ID,
                  "code_verifier", VERIFIER, NULL);
  g_assert_cmpuint (browser->status, ==, 200);
  return g_strdup (json_object_get_string_member (milk_test_json (browser), "access_token"));
}

static guint
forgot (MilkTestClient *browser,
        const char     *email)
{
  g_autofree char *csrf = NULL;

  g_assert_cmpuint (milk_test_request (browser, server, "GET", "/password/forgot", NULL, NULL, 0, NULL), ==, 200);
  csrf = milk_test_page_csrf (browser);
  return milk_test_form (browser, server, "/password/forgot", "csrf", csrf, "email", email, NULL);
}

static guint
reset (MilkTestClient *browser,
       const char     *link,
       const char     *password,
       const char     *confirm)
{
  g_autofree char *csrf = NULL;
  const char *token = strstr (link, "token=") + strlen ("token=");

  g_assert_cmpuint (milk_test_request (browser, server, "GET", link, NULL, NULL, 0, NULL), ==, 200);
  csrf = milk_test_page_csrf (browser);
  return milk_test_form (browser, server, "/password/reset", "csrf", csrf, "token", token,
                         "password", password, "confirm", confirm, NULL);
}

/* "Forgot password?" → mail → new password: the old sessions and tokens
 * no longer work, the new password does, the link works once, and an
 * unknown address gets the same answer and no mail. */
static void
test_password_reset (void)
{
  g_autoptr(MilkTestClient) browser = milk_test_client_new ();
  g_autoptr(MilkTestClient) forgetful = milk_test_client_new ();
  g_autoptr(MilkTestClient) stranger = milk_test_client_new ();
  g_autoptr(MilkTestClient) app = milk_test_client_new ();
  g_autoptr(MilkTestMail) mail = NULL;
  g_autoptr(MilkTestMail) none = NULL;
  g_autofree char *access = verified_account (browser, "forgot@example.com");
  g_autofree char *link = NULL;
  g_autofree char *known_page = NULL;
  const char *body = "{\"cursor\":null,\"node\":\"0123456789abcdef\",\"changes\":[]}";
  const char *new_password = "a brand new password";

  milk_test_request (app, server, "POST", "/api/v1/sync", "application/json", body, -1, access);
  g_assert_cmpuint (app->status, ==, 200);
  g_assert_cmpuint (milk_test_request (browser, server, "GET", "/account", NULL, NULL, 0, NULL), ==, 200);

  g_assert_cmpuint (forgot (forgetful, "forgot@example.com"), ==, 200);
  known_page = g_strdup (milk_test_body (forgetful));
  g_assert_cmpuint (forgot (stranger, "nobody@example.com"), ==, 200);
  {
    g_autofree char *same = g_strdup (milk_test_body (stranger));
    char *at = strstr (same, "nobody@example.com");

    g_assert_nonnull (at);
    memcpy (at, "forgot", 6);
    g_assert_cmpstr (same, ==, known_page);
  }

  mail = milk_test_smtp_wait (smtp, "forgot@example.com", 30);
  g_assert_nonnull (mail);
  g_assert_cmpstr (mail->subject, ==, "Set a new password for Milk Diary");
  link = milk_test_mail_link (mail, "/password/reset?token=");
  g_assert_nonnull (link);
  none = milk_test_smtp_wait (smtp, "nobody@example.com", 2);
  g_assert_null (none);

  /* A password that will not do keeps the link. */
  g_assert_cmpuint (reset (forgetful, link, "short", "short"), ==, 400);
  g_assert_cmpuint (reset (forgetful, link, new_password, "not the same one"), ==, 400);
  g_assert_cmpuint (reset (forgetful, link, new_password, new_password), ==, 200);
  g_assert_nonnull (strstr (milk_test_body (forgetful), "Password changed"));

  /* Every session and token of the account has ended. */
  milk_test_request (app, server, "POST", "/api/v1/sync", "application/json", body, -1, access);
  g_assert_cmpuint (app->status, ==, 401);
  g_assert_cmpuint (milk_test_request (browser, server, "GET", "/account", NULL, NULL, 0, NULL), ==, 303);
  g_assert_cmpuint (sign_in (browser, "forgot@example.com"), ==, 401);
  {
    g_autofree char *csrf = NULL;

    g_assert_cmpuint (milk_test_request (browser, server, "GET", "/signin", NULL, NULL, 0, NULL), ==, 200);
    csrf = milk_test_page_csrf (browser);
    g_assert_cmpuint (milk_test_form (browser, server, "/signin", "csrf", csrf, "email", "forgot@example.com",
                                      "password", new_password, "return_to", "/account", NULL), ==, 303);
  }

  /* Once only. */
  g_assert_cmpuint (reset (stranger, link, "another new password", "another new password"), ==, 400);
  g_assert_nonnull (strstr (milk_test_body (stranger), "This link does not work"));
}

/* A new email waits for the link mailed to it; the old address is told.
 * Then the account signs in with the new one, not the old. */
static void
test_change_email (void)
{
  g_autoptr(MilkTestClient) browser = milk_test_client_new ();
  g_autoptr(MilkTestClient) mailbox = milk_test_client_new ();
  g_autoptr(MilkTestClient) later = milk_test_client_new ();
  g_autoptr(MilkTestMail) link_mail = NULL;
  g_autoptr(MilkTestMail) told = NULL;
  g_autofree char *access = verified_account (browser, "old@example.com");
  g_autofree char *csrf = NULL;
  g_autofree char *link = NULL;

  g_assert_cmpuint (milk_test_request (browser, server, "GET", "/account", NULL, NULL, 0, NULL), ==, 200);
  csrf = milk_test_page_csrf (browser);
  g_assert_cmpuint (milk_test_form (browser, server, "/account/email", "csrf", csrf, "email", "new@example.net",
                                    "password", "not the password", NULL), ==, 401);
  g_assert_cmpuint (milk_test_form (browser, server, "/account/email", "csrf", csrf, "email", "not an email",
                                    "password", MILK_TEST_PASSWORD, NULL), ==, 400);
  g_assert_cmpuint (milk_test_form (browser, server, "/account/email", "csrf", csrf, "email", "new@example.net",
                                    "password", MILK_TEST_PASSWORD, NULL), ==, 200);
  g_assert_nonnull (strstr (milk_test_body (browser), "Your email changes when you open it"));

  told = milk_test_smtp_wait (smtp, "old@example.com", 30);
  g_assert_nonnull (told);
  g_assert_cmpstr (told->subject, ==, "Your Milk Diary email is about to change");
  g_assert_null (milk_test_mail_link (told, "token="));
  link_mail = milk_test_smtp_wait (smtp, "new@example.net", 30);
  g_assert_nonnull (link_mail);
  link = milk_test_mail_link (link_mail, "/account/email/confirm?token=");
  g_assert_nonnull (link);

  /* Until the link is opened, nothing changed. */
  g_assert_cmpuint (sign_in (later, "new@example.net"), ==, 401);
  g_assert_cmpuint (follow_link (mailbox, link), ==, 200);
  g_assert_nonnull (strstr (milk_test_body (mailbox), "Email changed"));
  g_assert_cmpuint (sign_in (later, "new@example.net"), ==, 303);
  g_assert_cmpuint (sign_in (later, "old@example.com"), ==, 401);
  g_assert_cmpuint (follow_link (mailbox, link), ==, 400);
}

static void
skip_without_smtp (void)
{
  g_test_skip ("aiosmtpd is not installed (Debian: python3-aiosmtpd); build-aux/dev test installs it");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  if (!milk_test_init (&argc, &argv))
    return milk_test_run_skipped ("/server/mail/skipped");
  smtp = milk_test_smtp_start ();
  if (smtp == NULL)
    {
      if (g_getenv ("MILK_TEST_REQUIRE_POSTGRES"))
        g_error ("aiosmtpd is not installed (Debian: python3-aiosmtpd); build-aux/dev test installs it");
      g_test_add_func ("/server/mail/skipped", skip_without_smtp);
      status = g_test_run ();
      milk_test_cleanup ();
      return status;
    }
  {
    const char *env[] = { "MILK_SMTP_URL", milk_test_smtp_url (smtp), "MILK_SMTP_TLS", "none",
                          "MILK_SMTP_FROM", "milk-diary@example.org", NULL };

    server = milk_test_server_start (env);
  }

  g_test_add_func ("/server/mail/signup-verify", test_signup_verify);
  g_test_add_func ("/server/mail/link-signs-nobody-in", test_link_signs_nobody_in);
  g_test_add_func ("/server/mail/signup-existing-same-answer", test_signup_existing_same_answer);
  g_test_add_func ("/server/mail/resend-limited", test_resend_limited);
  g_test_add_func ("/server/mail/password-reset", test_password_reset);
  g_test_add_func ("/server/mail/change-email", test_change_email);
  status = g_test_run ();

  milk_test_server_stop (server, SIGTERM);
  milk_test_smtp_stop (smtp);
  milk_test_cleanup ();
  return status;
}
