-- 0008-identities.sql — signing in through an OpenID Connect provider or GitHub
--
-- Copyright 2026 The Milk Diary authors
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- An identity is a provider's name for a person (its "sub", or GitHub's
-- user id) linked to one account; it signs in to that account. An account
-- made through a provider has no password (password_hash ''), and its
-- email is verified: the provider said so. identities is the account's
-- list (distributed by account); identity_directory, keyed by provider and
-- subject like account_emails by e-mail, says which account an identity is
-- and keeps one identity to one account. The service reaches the directory
-- only through the functions below.
--
-- A sign-in through a provider in progress is a row of external_logins,
-- found by the hash of its state (the browser holds the state in a cookie
-- and brings it back in the callback). It belongs to no account until the
-- provider has answered, so it has no row-level security; it holds no
-- account's data, and lives ten minutes.

CREATE TABLE identities (
  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  provider   text NOT NULL,
  subject    text NOT NULL,
  email      text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now (),
  PRIMARY KEY (account_id, provider, subject)
);

CREATE TABLE identity_directory (
  provider   text NOT NULL,
  subject    text NOT NULL,
  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  PRIMARY KEY (provider, subject)
);

ALTER TABLE identities ENABLE ROW LEVEL SECURITY;
ALTER TABLE identities FORCE ROW LEVEL SECURITY;
CREATE POLICY identities_by_account ON identities
  USING (account_id = milk_current_account ())
  WITH CHECK (account_id = milk_current_account ());
CREATE POLICY identities_owner_reads ON identities FOR SELECT TO CURRENT_USER USING (true);

CREATE TABLE external_logins (
  state_hash text PRIMARY KEY,
  provider   text NOT NULL,
  nonce      text NOT NULL,
  verifier   text NOT NULL,
  return_to  text NOT NULL,
  expires_at timestamptz NOT NULL,
  -- Filled when the provider vouched for an email that has an account
  -- whose own email is not verified: its password must be given first.
  subject    text,
  email      text,
  link_hash  text UNIQUE
);
CREATE INDEX external_logins_expiry ON external_logins (expires_at);

-- The account an identity signs in to, or none.
CREATE FUNCTION milk_identity_account (p_provider text, p_subject text)
  RETURNS bigint
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  RETURN (SELECT d.account_id FROM identity_directory d WHERE d.provider = p_provider AND d.subject = p_subject);
END
$$;

-- Links an identity to an account and counts the account's email as
-- verified if the provider vouched for it; false when the identity is
-- another account's.
CREATE FUNCTION milk_identity_link (p_account bigint, p_provider text, p_subject text, p_email text)
  RETURNS boolean
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE
  v_previous text := current_setting ('milk.account', true);
BEGIN
  INSERT INTO identity_directory (provider, subject, account_id) VALUES (p_provider, p_subject, p_account)
    ON CONFLICT DO NOTHING;
  IF (SELECT d.account_id FROM identity_directory d
       WHERE d.provider = p_provider AND d.subject = p_subject) <> p_account THEN
    RETURN false;
  END IF;
  PERFORM set_config ('milk.account', p_account::text, true);
  INSERT INTO identities (account_id, provider, subject, email) VALUES (p_account, p_provider, p_subject, p_email)
    ON CONFLICT DO NOTHING;
  UPDATE accounts a SET email_verified_at = coalesce (a.email_verified_at, now ())
   WHERE a.id = p_account AND lower (a.email) = lower (p_email);
  PERFORM set_config ('milk.account', coalesce (v_previous, ''), true);
  RETURN true;
END
$$;

-- Unlinks an identity while another way in remains (a password or another
-- identity); false otherwise. Under the account's row lock: two unlinks at
-- once cannot leave none.
CREATE FUNCTION milk_identity_unlink (p_account bigint, p_provider text, p_subject text)
  RETURNS boolean
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE
  v_previous text := current_setting ('milk.account', true);
  v_password text;
  v_done boolean := false;
BEGIN
  PERFORM set_config ('milk.account', p_account::text, true);
  SELECT a.password_hash INTO v_password FROM accounts a WHERE a.id = p_account FOR UPDATE;
  IF v_password <> '' OR (SELECT count (*) FROM identities i WHERE i.account_id = p_account) > 1 THEN
    DELETE FROM identities i WHERE i.account_id = p_account AND i.provider = p_provider AND i.subject = p_subject;
    IF FOUND THEN
      DELETE FROM identity_directory d
       WHERE d.provider = p_provider AND d.subject = p_subject AND d.account_id = p_account;
      v_done := true;
    END IF;
  END IF;
  PERFORM set_config ('milk.account', coalesce (v_previous, ''), true);
  RETURN v_done;
END
$$;

-- For an email a provider vouches for: the account that has it and
-- whether that account's own email is verified; no row for none.
CREATE FUNCTION milk_account_by_email (p_email text)
  RETURNS TABLE (account_id bigint, verified boolean)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  RETURN QUERY
    SELECT a.id, a.email_verified_at IS NOT NULL FROM account_emails e JOIN accounts a ON a.id = e.account_id
     WHERE e.email = lower (p_email);
END
$$;

-- A new account for a person a provider vouches for: no password, the
-- email verified, the identity linked. 0 when the email was taken meanwhile.
CREATE FUNCTION milk_account_create_external (p_email text, p_provider text, p_subject text)
  RETURNS bigint
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE
  v_id bigint;
  v_previous text := current_setting ('milk.account', true);
BEGIN
  IF EXISTS (SELECT 1 FROM account_emails e WHERE e.email = lower (p_email)) THEN
    RETURN 0;
  END IF;
  v_id := nextval ('accounts_id_seq');
  PERFORM set_config ('milk.account', v_id::text, true);
  INSERT INTO accounts (id, email, password_hash, email_verified_at) VALUES (v_id, p_email, '', now ());
  INSERT INTO account_emails (email, account_id) VALUES (lower (p_email), v_id);
  INSERT INTO identities (account_id, provider, subject, email) VALUES (v_id, p_provider, p_subject, p_email);
  INSERT INTO identity_directory (provider, subject, account_id) VALUES (p_provider, p_subject, v_id);
  PERFORM set_config ('milk.account', coalesce (v_previous, ''), true);
  RETURN v_id;
END
$$;

REVOKE ALL ON identity_directory FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION milk_identity_account (text, text), milk_account_by_email (text),
  milk_account_create_external (text, text, text), milk_identity_link (bigint, text, text, text),
  milk_identity_unlink (bigint, text, text) FROM PUBLIC;
