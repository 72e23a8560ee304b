-- 0001-initial.sql — accounts, sign-in, OAuth grants and synced records
--
-- Copyright 2026 The Milk Diary authors
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Every table that holds an account's data names account_id, so it shards
-- by account (Citus: distribute by account_id) and no query crosses two.

CREATE TABLE accounts (
  id            bigserial PRIMARY KEY,
  email         text NOT NULL,
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX accounts_email_key ON accounts (lower(email));

CREATE TABLE signin_failures (
  id         bigserial PRIMARY KEY,
  account_id bigint REFERENCES accounts (id) ON DELETE CASCADE,
  address    text NOT NULL,
  at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX signin_failures_account ON signin_failures (account_id, at);
CREATE INDEX signin_failures_address ON signin_failures (address, at);

CREATE TABLE web_sessions (
  id_hash    text PRIMARY KEY,
  account_id bigint REFERENCES accounts (id) ON DELETE CASCADE,
  csrf       text NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX web_sessions_account ON web_sessions (account_id);

CREATE TABLE oauth_codes (
  code_hash      text PRIMARY KEY,
  account_id     bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  client_id      text NOT NULL,
  redirect_uri   text NOT NULL,
  code_challenge text NOT NULL,
  family         uuid NOT NULL,
  expires_at     timestamptz NOT NULL,
  used_at        timestamptz
);

CREATE TABLE oauth_tokens (
  token_hash text PRIMARY KEY,
  kind       text NOT NULL CHECK (kind IN ('access', 'refresh')),
  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  client_id  text NOT NULL,
  family     uuid NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at    timestamptz,
  revoked_at timestamptz
);
CREATE INDEX oauth_tokens_family ON oauth_tokens (family);
CREATE INDEX oauth_tokens_account ON oauth_tokens (account_id);

-- The per-account change counter: bumped under its row lock, so change
-- numbers commit in order and a pull never skips one (DESIGN invariant 3).
CREATE TABLE sync_counters (
  account_id bigint PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
  seq        bigint NOT NULL DEFAULT 0
);

-- One row per record key: the version with the greatest HLC, as the
-- protocol's JSON that src/core encodes.
CREATE TABLE records (
  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  type       text NOT NULL,
  key        text COLLATE "C" NOT NULL,
  hlc        text COLLATE "C" NOT NULL,
  deleted    boolean NOT NULL,
  node       text NOT NULL,
  seq        bigint NOT NULL,
  body       text NOT NULL,
  PRIMARY KEY (account_id, type, key)
);
CREATE INDEX records_pull ON records (account_id, seq);

-- Row-level security: the account is set per transaction
-- (set_config('milk.account', id, true)); without it no row is visible.
CREATE FUNCTION milk_current_account () RETURNS bigint
  LANGUAGE sql STABLE
  AS $$ SELECT nullif (current_setting ('milk.account', true), '')::bigint $$;

ALTER TABLE records ENABLE ROW LEVEL SECURITY;
ALTER TABLE records FORCE ROW LEVEL SECURITY;
CREATE POLICY records_by_account ON records
  USING (account_id = milk_current_account ())
  WITH CHECK (account_id = milk_current_account ());

ALTER TABLE sync_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync_counters FORCE ROW LEVEL SECURITY;
CREATE POLICY sync_counters_by_account ON sync_counters
  USING (account_id = milk_current_account ())
  WITH CHECK (account_id = milk_current_account ());
