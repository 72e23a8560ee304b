-- 0003-least-privilege.sql — row-level security on every account table,
-- the account id leading every primary key, lookups by secret in functions
--
-- Copyright 2026 The Milk Diary authors
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Runs as the owner role (milk-diary-server migrate). The service logs in
-- as another role that owns nothing; it sees and writes only the rows of
-- the account set for its transaction (milk.account). What it must find
-- before it knows the account (an account by e-mail, a session, code or
-- token by the hash of its secret) goes through the SECURITY DEFINER
-- functions below: each answers for one exact e-mail or hash and nothing
-- else, so no plain SELECT lists other accounts' rows or password hashes.
--
-- Distribution (Citus): accounts by id; oauth_tokens, oauth_codes,
-- web_sessions, sync_counters and records by account_id, colocated with
-- accounts. account_emails is the e-mail directory, keyed by e-mail;
-- signin_failures is keyed by address; schema_migrations is the schema's.

-- E-mails are unique through a directory keyed by e-mail, so accounts
-- itself needs no unique index that leaves out the account id.
CREATE TABLE account_emails (
  email      text PRIMARY KEY,   -- lower (accounts.email)
  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE
);
INSERT INTO account_emails (email, account_id) SELECT lower (email), id FROM accounts;
DROP INDEX accounts_email_key;

-- The account id leads every primary key; the secret's hash is looked up
-- through an ordinary index.
ALTER TABLE oauth_tokens DROP CONSTRAINT oauth_tokens_pkey;
ALTER TABLE oauth_tokens ADD PRIMARY KEY (account_id, token_hash);
CREATE INDEX oauth_tokens_hash ON oauth_tokens (token_hash);
DROP INDEX oauth_tokens_account;
DROP INDEX oauth_tokens_family;
CREATE INDEX oauth_tokens_family ON oauth_tokens (account_id, family);

ALTER TABLE oauth_codes DROP CONSTRAINT oauth_codes_pkey;
ALTER TABLE oauth_codes ADD PRIMARY KEY (account_id, code_hash);
CREATE INDEX oauth_codes_hash ON oauth_codes (code_hash);

-- A session before sign-in belongs to no account: account 0.
ALTER TABLE web_sessions DROP CONSTRAINT web_sessions_account_id_fkey;
UPDATE web_sessions SET account_id = 0 WHERE account_id IS NULL;
ALTER TABLE web_sessions ALTER COLUMN account_id SET DEFAULT 0;
ALTER TABLE web_sessions ALTER COLUMN account_id SET NOT NULL;
ALTER TABLE web_sessions DROP CONSTRAINT web_sessions_pkey;
ALTER TABLE web_sessions ADD PRIMARY KEY (account_id, id_hash);
CREATE INDEX web_sessions_hash ON web_sessions (id_hash);
DROP INDEX web_sessions_account;

-- Row-level security, forced on the owner too. The owner may read rows,
-- and delete expired ones, only to answer the functions below; it writes
-- rows, like the service, only for the account set.
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY accounts_by_account ON accounts
  USING (id = milk_current_account ())
  WITH CHECK (id = milk_current_account ());
CREATE POLICY accounts_owner_reads ON accounts FOR SELECT TO CURRENT_USER USING (true);

ALTER TABLE oauth_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE oauth_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY oauth_tokens_by_account ON oauth_tokens
  USING (account_id = milk_current_account ())
  WITH CHECK (account_id = milk_current_account ());
CREATE POLICY oauth_tokens_owner_reads ON oauth_tokens FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY oauth_tokens_owner_sweeps ON oauth_tokens FOR DELETE TO CURRENT_USER
  USING (expires_at < now () - interval '1 day');

ALTER TABLE oauth_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE oauth_codes FORCE ROW LEVEL SECURITY;
CREATE POLICY oauth_codes_by_account ON oauth_codes
  USING (account_id = milk_current_account ())
  WITH CHECK (account_id = milk_current_account ());
CREATE POLICY oauth_codes_owner_reads ON oauth_codes FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY oauth_codes_owner_sweeps ON oauth_codes FOR DELETE TO CURRENT_USER
  USING (expires_at < now () - interval '1 day');

-- Sessions before sign-in are written with no account set (account 0).
ALTER TABLE web_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE web_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY web_sessions_by_account ON web_sessions
  USING (account_id = milk_current_account ())
  WITH CHECK (account_id = coalesce (milk_current_account (), 0));
CREATE POLICY web_sessions_owner_reads ON web_sessions FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY web_sessions_owner_deletes ON web_sessions FOR DELETE TO CURRENT_USER USING (true);

-- ---- lookups before the account is known ----

-- Sign-up: the account and its directory entry; a taken e-mail fails with
-- unique_violation, as before.
CREATE FUNCTION milk_account_create (p_email text, p_password_hash text)
  RETURNS bigint
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE
  v_id bigint := nextval ('accounts_id_seq');
  v_previous text := current_setting ('milk.account', true);
BEGIN
  PERFORM set_config ('milk.account', v_id::text, true);
  INSERT INTO accounts (id, email, password_hash) VALUES (v_id, p_email, p_password_hash);
  INSERT INTO account_emails (email, account_id) VALUES (lower (p_email), v_id);
  PERFORM set_config ('milk.account', coalesce (v_previous, ''), true);
  RETURN v_id;
END
$$;

-- The lookups below are PL/pgSQL, not SQL, functions: a SECURITY DEFINER
-- SQL function is planned again on every call (3-4 times slower on the
-- sync path); PL/pgSQL keeps its plans for the session.

-- Sign-in: the account and password hash for one exact e-mail (the
-- service must verify the password; it cannot list accounts).
CREATE FUNCTION milk_account_signin (p_email text)
  RETURNS TABLE (account_id bigint, password_hash text)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  RETURN QUERY
    SELECT a.id, a.password_hash FROM account_emails e JOIN accounts a ON a.id = e.account_id
     WHERE e.email = lower (p_email);
END
$$;

-- A browser session by the hash of its cookie, unexpired (account 0:
-- not signed in).
CREATE FUNCTION milk_session_find (p_id_hash text)
  RETURNS TABLE (account_id bigint, email text, csrf text)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  RETURN QUERY
    SELECT s.account_id, a.email, s.csrf FROM web_sessions s
      LEFT JOIN accounts a ON a.id = s.account_id
     WHERE s.id_hash = p_id_hash AND s.expires_at > now ();
END
$$;

CREATE FUNCTION milk_session_delete (p_id_hash text)
  RETURNS void
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  DELETE FROM web_sessions s WHERE s.id_hash = p_id_hash;
END
$$;

-- Whose code or token a hash is (NULL: nobody's); the service then acts
-- for that account under row-level security.
CREATE FUNCTION milk_code_account (p_code_hash text)
  RETURNS bigint
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  RETURN (SELECT c.account_id FROM oauth_codes c WHERE c.code_hash = p_code_hash);
END
$$;

CREATE FUNCTION milk_token_account (p_token_hash text)
  RETURNS bigint
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  RETURN (SELECT t.account_id FROM oauth_tokens t WHERE t.token_hash = p_token_hash);
END
$$;

CREATE FUNCTION milk_access_token_account (p_token_hash text)
  RETURNS bigint
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  RETURN (SELECT t.account_id FROM oauth_tokens t
           WHERE t.token_hash = p_token_hash AND t.kind = 'access'
             AND t.revoked_at IS NULL AND t.expires_at > now ());
END
$$;

-- Housekeeping, not a query for any account: expired sessions, and codes
-- and tokens expired a day ago or more.
CREATE FUNCTION milk_sweep_expired ()
  RETURNS void
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
    DELETE FROM web_sessions WHERE expires_at < now ();
    DELETE FROM oauth_codes WHERE expires_at < now () - interval '1 day';
    DELETE FROM oauth_tokens WHERE expires_at < now () - interval '1 day';
  $$;

REVOKE EXECUTE ON FUNCTION milk_account_create (text, text), milk_account_signin (text),
  milk_session_find (text), milk_session_delete (text), milk_code_account (text),
  milk_token_account (text), milk_access_token_account (text), milk_sweep_expired ()
  FROM PUBLIC;
