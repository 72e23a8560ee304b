-- 0006-sync-instances.sql — which copy of a diary is syncing as a node
--
-- Copyright 2026 The Milk Diary authors
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- A diary file names itself in clock stamps and requests by its node id. A
-- copy of the file (to a second computer, or restored from a backup) has
-- the same node id, so two diaries would stamp as one. Each sync that
-- changes something hands the diary a new instance token (a hash of the
-- token shown and the request, so a request sent twice gets the same); a
-- request that shows neither the current token nor the one before it (its
-- answer was lost) comes from a copy, which then becomes a new node. A
-- node's first answer keeps '' as the one before: the diary had none.

CREATE TABLE sync_instances (
  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  node       text COLLATE "C" NOT NULL,
  current    text NOT NULL,
  previous   text NOT NULL,
  PRIMARY KEY (account_id, node)
);

ALTER TABLE sync_instances ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync_instances FORCE ROW LEVEL SECURITY;
CREATE POLICY sync_instances_by_account ON sync_instances
  USING (account_id = milk_current_account ())
  WITH CHECK (account_id = milk_current_account ());

-- The tokens a node may show, read in the same round trip as a pull.
CREATE FUNCTION milk_instance (p_account bigint, p_node text)
  RETURNS TABLE (current text, previous text)
  LANGUAGE plpgsql VOLATILE SECURITY INVOKER
  AS $$
BEGIN
  PERFORM set_config ('milk.account', p_account::text, true);
  RETURN QUERY
    SELECT i.current, i.previous FROM sync_instances i
     WHERE i.account_id = p_account AND i.node = p_node;
END
$$;
