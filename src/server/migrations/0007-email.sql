-- 0007-email.sql — verified email addresses, and the links mailed to prove them
--
-- Copyright 2026 The Milk Diary authors
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- With mail configured, an account's email counts once a link mailed to it
-- was opened (email_verified_at); the OAuth consent, and so syncing, waits
-- for it. A link carries a random token; only its SHA-256 is kept, it works
-- once, and it expires. The service finds a link's account only through
-- milk_email_link_use (SECURITY DEFINER), which answers for one exact hash.
--
-- Accounts made before this migration keep a NULL email_verified_at: they
-- are asked to verify when they next sign in to an app, with mail on.

ALTER TABLE accounts ADD COLUMN email_verified_at timestamptz;

CREATE TABLE email_links (
  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  token_hash text NOT NULL,
  purpose    text NOT NULL CHECK (purpose IN ('verify', 'reset', 'change')),
  email      text NOT NULL,      -- the address it was sent to
  return_to  text NOT NULL DEFAULT '/account',
  created_at timestamptz NOT NULL DEFAULT now (),
  expires_at timestamptz NOT NULL,
  used_at    timestamptz,
  PRIMARY KEY (account_id, token_hash)
);
CREATE INDEX email_links_hash ON email_links (token_hash);
CREATE INDEX email_links_sent ON email_links (account_id, created_at);

ALTER TABLE email_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE email_links FORCE ROW LEVEL SECURITY;
CREATE POLICY email_links_by_account ON email_links
  USING (account_id = milk_current_account ())
  WITH CHECK (account_id = milk_current_account ());
CREATE POLICY email_links_owner_reads ON email_links FOR SELECT TO CURRENT_USER USING (true);

-- A new address for an account: FALSE, changing nothing, when another
-- account has it. The address counts as verified when the change came
-- through a link mailed to it.
CREATE FUNCTION milk_account_change_email (p_account bigint, p_email text, p_verified boolean)
  RETURNS boolean
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE
  v_previous text := current_setting ('milk.account', true);
BEGIN
  IF EXISTS (SELECT 1 FROM account_emails e WHERE e.email = lower (p_email) AND e.account_id <> p_account) THEN
    RETURN false;
  END IF;
  PERFORM set_config ('milk.account', p_account::text, true);
  DELETE FROM account_emails e WHERE e.account_id = p_account;
  INSERT INTO account_emails (email, account_id) VALUES (lower (p_email), p_account);
  UPDATE accounts a SET email = p_email,
                        email_verified_at = CASE WHEN p_verified THEN now () END
   WHERE a.id = p_account;
  PERFORM set_config ('milk.account', coalesce (v_previous, ''), true);
  RETURN true;
END
$$;

-- A link's use: for an unexpired, unused link of this purpose, marks it
-- used and returns its account, the address it went to and where the
-- person was going; no row otherwise. A verify or reset link verifies
-- the address it was sent to, if the account still has it: either proves
-- the mailbox. A change link moves the account to the address it was sent
-- to, unless another account took it meanwhile (then no row).
CREATE FUNCTION milk_email_link_use (p_token_hash text, p_purpose text)
  RETURNS TABLE (account_id bigint, email text, return_to text)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE
  v_account bigint;
  v_email text;
  v_return text;
  v_previous text := current_setting ('milk.account', true);
BEGIN
  SELECT l.account_id INTO v_account FROM email_links l
   WHERE l.token_hash = p_token_hash AND l.purpose = p_purpose;
  IF v_account IS NULL THEN
    RETURN;
  END IF;
  PERFORM set_config ('milk.account', v_account::text, true);
  UPDATE email_links l SET used_at = now ()
   WHERE l.account_id = v_account AND l.token_hash = p_token_hash AND l.purpose = p_purpose
     AND l.used_at IS NULL AND l.expires_at > now ()
  RETURNING l.email, l.return_to INTO v_email, v_return;
  IF v_email IS NOT NULL AND p_purpose IN ('verify', 'reset') THEN
    UPDATE accounts a SET email_verified_at = now ()
     WHERE a.id = v_account AND lower (a.email) = lower (v_email) AND a.email_verified_at IS NULL;
  ELSIF v_email IS NOT NULL AND p_purpose = 'change' AND NOT milk_account_change_email (v_account, v_email, true) THEN
    v_email := NULL;
  END IF;
  PERFORM set_config ('milk.account', coalesce (v_previous, ''), true);
  IF v_email IS NOT NULL THEN
    account_id := v_account;
    email := v_email;
    return_to := v_return;
    RETURN NEXT;
  END IF;
END
$$;

REVOKE EXECUTE ON FUNCTION milk_email_link_use (text, text),
  milk_account_change_email (bigint, text, boolean) FROM PUBLIC;
