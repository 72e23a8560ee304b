-- 0005-refresh-grace.sql — a repeat of the just-rotated refresh token
--
-- Copyright 2026 The Milk Diary authors
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- A refresh token that was rotated keeps, for the grace period, its
-- successor: the successor refresh token's hash, and the successor pair
-- sealed with a key only the old refresh token gives (milk-server-secret.c).
-- A repeat of the old token within the grace (a lost response, two
-- refreshes at once, a crash before the app saved the pair) is answered
-- with that same pair; see milk_db_refresh_rotate. Additive: an instance
-- without this migration ignores the columns and revokes on any repeat.

ALTER TABLE oauth_tokens ADD COLUMN successor_hash text;
ALTER TABLE oauth_tokens ADD COLUMN successor_box  text;
