/* milk-server-secret.c — tokens, hashes and passwords
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <string.h>

#include <sodium.h>

#include "milk-server-db-oauth.h"
#include "milk-server-error.h"
#include "milk-server-policy.h"
#include "milk-server-secret.h"

static char *
base64url (const guint8 *data,
           gsize         length)
{
  gsize size = sodium_base64_encoded_len (length, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  char *text = g_malloc (size);

  sodium_bin2base64 (text, size, data, length, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return text;
}

/* 256 random bits, URL-safe. */
char *
milk_token_new (void)
{
  guint8 bytes[MILK_TOKEN_BYTES];

  randombytes_buf (bytes, sizeof bytes);
  return base64url (bytes, sizeof bytes);
}

/* Tokens carry 256 bits of entropy, so a fast hash is enough to make a
 * stolen table useless; what is stored is only ever this. */
char *
milk_token_hash (const char *token)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
}

gboolean
milk_secret_equal (const char *a,
                   const char *b)
{
  gsize len;

  if (a == NULL || b == NULL)
    return FALSE;
  len = strlen (a);
  return len == strlen (b) && sodium_memcmp (a, b, len) == 0;
}

/* Each Argon2id run holds 64 MiB (MEMLIMIT_INTERACTIVE) and a core for
 * its length: at most half the cores' worth (and MILK_HASH_AT_ONCE) run at
 * a time, whatever the number of workers, so that a flood of sign-ins or
 * sign-ups leaves a core for /healthz and syncs. As many again may wait,
 * at most MILK_HASH_WAIT_MS; any more, or one that waited too long, is
 * refused at once (the caller answers 503): a waiting check holds a
 * database worker, which the other requests need. */
static GMutex hash_lock;
static GCond hash_free;
static guint hashing, waiting;

static guint
hash_at_once (void)
{
  return CLAMP (g_get_num_processors () / 2, 1, MILK_HASH_AT_ONCE);
}

static gboolean
hash_slot_take (void)
{
  gint64 until = g_get_monotonic_time () + MILK_HASH_WAIT_MS * G_TIME_SPAN_MILLISECOND;
  guint at_once = hash_at_once ();
  gboolean taken = TRUE;

  g_mutex_lock (&hash_lock);
  if (hashing >= at_once && waiting >= at_once)
    taken = FALSE;
  else
    {
      waiting++;
      while (hashing >= at_once && taken)
        if (!g_cond_wait_until (&hash_free, &hash_lock, until))
          taken = hashing < at_once;
      waiting--;
    }
  if (taken)
    hashing++;
  g_mutex_unlock (&hash_lock);
  return taken;
}

static void
hash_slot_give (void)
{
  g_mutex_lock (&hash_lock);
  hashing--;
  g_cond_signal (&hash_free);
  g_mutex_unlock (&hash_lock);
}

static void
set_busy (GError **error)
{
  g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_BUSY, "Too many passwords are being checked at once");
}

static char *
hash_now (const char *password)
{
  char hash[crypto_pwhash_STRBYTES];

  if (crypto_pwhash_str (hash, password, strlen (password),
                         crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return NULL;
  return g_strdup (hash);
}

char *
milk_password_hash (const char  *password,
                    GError     **error)
{
  char *hash;

  if (!hash_slot_take ())
    {
      set_busy (error);
      return NULL;
    }
  hash = hash_now (password);
  hash_slot_give ();
  if (hash == NULL)
    g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_DATABASE, "Out of memory hashing a password");
  return hash;
}

/* A hash of a password nobody knows, with the parameters of every new
 * hash: an email without an account is checked against it, so that a
 * wrong password takes as long whether or not the account exists. */
static const char *
dummy_hash (void)
{
  static gsize dummy;

  if (g_once_init_enter (&dummy))
    {
      g_autofree char *secret = milk_token_new ();
      char *hash = hash_now (secret);

      g_assert (hash != NULL);
      g_once_init_leave (&dummy, (gsize) hash);
    }
  return (const char *) dummy;
}

void
milk_password_init (void)
{
  dummy_hash ();
}

/* With hash NULL (no such account) the password is checked against the
 * dummy hash, and is wrong. FALSE only when no check could start. */
gboolean
milk_password_verify (const char  *hash,
                      const char  *password,
                      gboolean    *right,
                      GError     **error)
{
  /* "" is an account without a password (signed in through a provider):
   * checked as long, and always wrong. */
  const char *against = hash && *hash ? hash : dummy_hash ();
  int result;

  *right = FALSE;
  if (password == NULL)
    password = "";
  if (!hash_slot_take ())
    {
      set_busy (error);
      return FALSE;
    }
  result = crypto_pwhash_str_verify (against, password, strlen (password));
  hash_slot_give ();
  *right = hash != NULL && *hash && result == 0;
  return TRUE;
}

/* RFC 7636 4.2: BASE64URL (SHA256 (ASCII (code_verifier))). */
char *
milk_pkce_s256 (const char *verifier)
{
  guint8 digest[crypto_hash_sha256_BYTES];

  crypto_hash_sha256 (digest, (const guint8 *) verifier, strlen (verifier));
  return base64url (digest, sizeof digest);
}

/* A rotated refresh token's successor pair, sealed so that only the holder
 * of that refresh token can open it (see milk_db_refresh_rotate). The key
 * is BLAKE2b of the token, keyed with a label of its own: the database
 * keeps SHA-256 of the token, and the key does not follow from that. */
static void
successor_key (const char *refresh_token,
               guint8      key[crypto_secretbox_KEYBYTES])
{
  static const char label[] = "milk-diary refresh successor v1";

  crypto_generichash (key, crypto_secretbox_KEYBYTES, (const guint8 *) refresh_token, strlen (refresh_token),
                      (const guint8 *) label, sizeof label - 1);
}

char *
milk_token_pair_seal (const char          *refresh_token,
                      const MilkTokenPair *pair)
{
  guint8 key[crypto_secretbox_KEYBYTES];
  g_autofree char *plain = g_strconcat (pair->access_token, "\n", pair->refresh_token, NULL);
  gsize plain_len = strlen (plain);
  gsize box_len = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plain_len;
  g_autofree guint8 *box = g_malloc (box_len);
  char *text;

  successor_key (refresh_token, key);
  randombytes_buf (box, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy (box + crypto_secretbox_NONCEBYTES, (const guint8 *) plain, plain_len, box, key);
  text = base64url (box, box_len);
  sodium_memzero (key, sizeof key);
  sodium_memzero (plain, plain_len);
  return text;
}

/* FALSE for anything but a box sealed with this very token. */
gboolean
milk_token_pair_open (const char    *refresh_token,
                      const char    *sealed,
                      MilkTokenPair *pair)
{
  guint8 key[crypto_secretbox_KEYBYTES];
  gsize sealed_len = sealed ? strlen (sealed) : 0;
  g_autofree guint8 *box = g_malloc (sealed_len + 1);
  g_autofree char *plain = NULL;
  g_auto(GStrv) parts = NULL;
  gsize box_len = 0;
  gboolean ok;

  memset (pair, 0, sizeof *pair);
  if (sealed == NULL ||
      sodium_base642bin (box, sealed_len + 1, sealed, sealed_len, NULL, &box_len, NULL,
                         sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      box_len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
    return FALSE;
  plain = g_malloc0 (box_len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES + 1);
  successor_key (refresh_token, key);
  ok = crypto_secretbox_open_easy ((guint8 *) plain, box + crypto_secretbox_NONCEBYTES,
                                   box_len - crypto_secretbox_NONCEBYTES, box, key) == 0;
  sodium_memzero (key, sizeof key);
  if (!ok)
    return FALSE;
  parts = g_strsplit (plain, "\n", 3);
  sodium_memzero (plain, strlen (plain));
  if (g_strv_length (parts) != 2)
    return FALSE;
  pair->access_token = g_strdup (parts[0]);
  pair->refresh_token = g_strdup (parts[1]);
  pair->expires_in = MILK_ACCESS_TTL_S;
  for (guint i = 0; parts[i]; i++)
    sodium_memzero (parts[i], strlen (parts[i]));
  return TRUE;
}
