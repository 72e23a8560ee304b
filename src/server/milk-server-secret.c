/* milk-server-secret.c — tokens, hashes and passwords
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "milk-server"

#include "config.h"

#include <string.h>

#include <sodium.h>

#include "milk-server-private.h"

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

char *
milk_password_hash (const char  *password,
                    GError     **error)
{
  char hash[crypto_pwhash_STRBYTES];

  if (crypto_pwhash_str (hash, password, strlen (password),
                         crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    {
      g_set_error (error, MILK_SERVER_ERROR, MILK_SERVER_ERROR_DATABASE, "Out of memory hashing a password");
      return NULL;
    }
  return g_strdup (hash);
}

gboolean
milk_password_verify (const char *hash,
                      const char *password)
{
  if (hash == NULL || password == NULL)
    return FALSE;
  return crypto_pwhash_str_verify (hash, password, strlen (password)) == 0;
}

/* RFC 7636 4.2: BASE64URL (SHA256 (ASCII (code_verifier))). */
char *
milk_pkce_s256 (const char *verifier)
{
  guint8 digest[crypto_hash_sha256_BYTES];

  crypto_hash_sha256 (digest, (const guint8 *) verifier, strlen (verifier));
  return base64url (digest, sizeof digest);
}
