-- 0002-pull-function.sql — one round trip for a pull
--
-- Copyright 2026 The Milk Diary authors
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Sets the account for its own transaction, so row-level security applies
-- exactly as in an explicit one, and still names the account itself.

CREATE FUNCTION milk_pull (p_account bigint, p_after bigint, p_limit integer)
  RETURNS TABLE (seq bigint, node text, body text)
  LANGUAGE plpgsql VOLATILE SECURITY INVOKER
  AS $$
BEGIN
  PERFORM set_config ('milk.account', p_account::text, true);
  RETURN QUERY
    SELECT r.seq, r.node, r.body FROM records r
     WHERE r.account_id = p_account AND r.seq > p_after
     ORDER BY r.seq LIMIT p_limit;
END
$$;
