-- 0009-personal-tokens.sql — personal access tokens for scripts, and their
-- per-minute limit
--
-- Copyright 2026 The Milk Diary authors
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- A personal access token is made on the account page, shown once, and
-- kept only as the SHA-256 of its secret. Its scope is 'read' or 'write'
-- (read and write). A script's requests are counted per token in a
-- one-minute window kept here, so that every instance of the service
-- counts the same requests. The service finds a token's account only
-- through milk_personal_token_use (SECURITY DEFINER), which answers for
-- one exact hash.

CREATE TABLE personal_tokens (
  account_id   bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  id           bigserial,
  token_hash   text NOT NULL,
  name         text NOT NULL,
  scope        text NOT NULL CHECK (scope IN ('read', 'write')),
  created_at   timestamptz NOT NULL DEFAULT now (),
  last_used_at timestamptz,
  revoked_at   timestamptz,
  window_start timestamptz NOT NULL DEFAULT now (),
  window_count integer NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, id)
);
-- Not unique: Citus cannot enforce a unique index without the account id,
-- and 256 random bits do not collide.
CREATE INDEX personal_tokens_hash ON personal_tokens (token_hash);

ALTER TABLE personal_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE personal_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY personal_tokens_by_account ON personal_tokens
  USING (account_id = milk_current_account ())
  WITH CHECK (account_id = milk_current_account ());
CREATE POLICY personal_tokens_owner_reads ON personal_tokens FOR SELECT TO CURRENT_USER USING (true);

-- One use of a token: its account and scope, and, past p_per_minute
-- requests in its current minute, the seconds until that minute is over
-- (0: go ahead). No row for a token unknown or revoked. Every use counts
-- and is its last use.
CREATE FUNCTION milk_personal_token_use (p_token_hash text, p_per_minute integer)
  RETURNS TABLE (account_id bigint, scope text, retry_after integer)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE
  v_account bigint;
  v_id bigint;
  v_start timestamptz;
  v_count integer;
  v_previous text := current_setting ('milk.account', true);
BEGIN
  SELECT t.account_id, t.id INTO v_account, v_id FROM personal_tokens t
   WHERE t.token_hash = p_token_hash AND t.revoked_at IS NULL;
  IF v_account IS NULL THEN
    RETURN;
  END IF;
  PERFORM set_config ('milk.account', v_account::text, true);
  -- The row lock orders two instances' counts of the same token.
  UPDATE personal_tokens t
     SET window_start = CASE WHEN t.window_start > now () - interval '1 minute'
                             THEN t.window_start ELSE now () END,
         window_count = CASE WHEN t.window_start > now () - interval '1 minute'
                             THEN t.window_count + 1 ELSE 1 END,
         last_used_at = now ()
   WHERE t.account_id = v_account AND t.id = v_id AND t.revoked_at IS NULL
   RETURNING t.window_start, t.window_count, t.scope INTO v_start, v_count, scope;
  PERFORM set_config ('milk.account', coalesce (v_previous, ''), true);
  IF v_count IS NULL THEN
    RETURN;
  END IF;
  account_id := v_account;
  retry_after := CASE WHEN v_count > p_per_minute
                      THEN greatest (1, ceil (extract (epoch FROM v_start + interval '1 minute' - now ()))::integer)
                      ELSE 0 END;
  RETURN NEXT;
END
$$;

REVOKE EXECUTE ON FUNCTION milk_personal_token_use (text, integer) FROM PUBLIC;
