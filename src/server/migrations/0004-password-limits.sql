-- 0004-password-limits.sql — growing delays for password guesses, a cap on
-- sign-ups per address
--
-- Copyright 2026 The Milk Diary authors
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- The limits live in PostgreSQL so that every service instance sees the
-- same counts; the service reaches them only through the functions below
-- (SECURITY DEFINER), never the tables.
--
-- A password check is counted against three rows of password_limits: the
-- name typed (the SHA-256 of the lower-case email, whether an account has
-- it or not, so that the limits say nothing about which emails exist) from
-- this address; that name from any address ('*'); and this address for any
-- name ('*'). Each row allows a few failures, then makes the next check
-- wait 1 s, 2 s, 4 s ... up to its cap. These rows hold no account's data:
-- nothing in them says whether the name is an account's, so they have no
-- account id and no row-level security.

CREATE TABLE password_limits (
  name     text NOT NULL,
  address  text NOT NULL,
  failures integer NOT NULL DEFAULT 0,
  last_at  timestamptz NOT NULL DEFAULT now(),
  retry_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, address)
);
CREATE INDEX password_limits_last ON password_limits (last_at);

CREATE TABLE signup_limits (
  address      text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  signups      integer NOT NULL
);
CREATE INDEX signup_limits_window ON signup_limits (window_start);

CREATE FUNCTION milk_limit_name (p_email text) RETURNS text
  LANGUAGE sql IMMUTABLE
  AS $$ SELECT encode (sha256 (convert_to (lower (p_email), 'UTF8')), 'hex') $$;

-- 0 after n failures while n <= free, then 1, 2, 4 ... seconds, at most cap.
CREATE FUNCTION milk_limit_delay (p_failures integer, p_free integer, p_cap integer) RETURNS integer
  LANGUAGE sql IMMUTABLE
  AS $$ SELECT CASE WHEN p_failures <= p_free THEN 0
                    ELSE least (p_cap, (2 ^ least (p_failures - p_free - 1, 24))::integer) END $$;

-- Counts one password check for p_email from p_address and returns 0, or,
-- when one of its rows still says wait, counts nothing and returns the
-- seconds to wait. The rows are locked in key order, so two instances
-- checking at once take turns and never deadlock. A check is counted as a
-- failure before the password is known (milk_password_right takes it back),
-- so that parallel guesses cannot all slip in before the first is counted.
CREATE FUNCTION milk_password_attempt (p_email text, p_address text,
                                       p_pair_free integer, p_pair_cap integer,
                                       p_name_free integer, p_name_cap integer,
                                       p_address_free integer, p_address_cap integer,
                                       p_forget interval)
  RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
  v_name text := milk_limit_name (p_email);
  v_wait integer;
BEGIN
  DELETE FROM password_limits WHERE ctid IN
    (SELECT ctid FROM password_limits WHERE last_at < now () - p_forget AND retry_at < now ()
      LIMIT 20 FOR UPDATE SKIP LOCKED);
  INSERT INTO password_limits (name, address)
    SELECT k.name, k.address
      FROM (VALUES (v_name, p_address), (v_name, '*'), ('*', p_address)) AS k (name, address)
     ORDER BY k.name, k.address
    ON CONFLICT DO NOTHING;
  SELECT coalesce (max (ceil (extract (epoch FROM l.retry_at - now ()))), 0)::integer INTO v_wait
    FROM (SELECT retry_at FROM password_limits
           WHERE (name, address) IN ((v_name, p_address), (v_name, '*'), ('*', p_address))
           ORDER BY name, address FOR UPDATE) AS l
   WHERE l.retry_at > now ();
  IF v_wait > 0 THEN
    RETURN v_wait;
  END IF;
  UPDATE password_limits
     SET failures = CASE WHEN last_at < now () - p_forget THEN 1 ELSE failures + 1 END,
         last_at = now ()
   WHERE (name, address) IN ((v_name, p_address), (v_name, '*'), ('*', p_address));
  UPDATE password_limits
     SET retry_at = now () + make_interval (secs => CASE
           WHEN name = '*' THEN milk_limit_delay (failures, p_address_free, p_address_cap)
           WHEN address = '*' THEN milk_limit_delay (failures, p_name_free, p_name_cap)
           ELSE milk_limit_delay (failures, p_pair_free, p_pair_cap) END)
   WHERE (name, address) IN ((v_name, p_address), (v_name, '*'), ('*', p_address));
  RETURN 0;
END $$;

-- The password was right: the name from this address starts afresh, and
-- the check is taken back from the other two rows.
CREATE FUNCTION milk_password_right (p_email text, p_address text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
  v_name text := milk_limit_name (p_email);
BEGIN
  DELETE FROM password_limits WHERE name = v_name AND address = p_address;
  UPDATE password_limits
     SET failures = greatest (failures - 1, 0), retry_at = least (retry_at, now ())
   WHERE (name, address) IN ((v_name, '*'), ('*', p_address));
END $$;

-- Counts one sign-up from p_address; returns 0, or the seconds until the
-- address may sign up again when it has had p_max in the window.
CREATE FUNCTION milk_signup_attempt (p_address text, p_max integer, p_window interval) RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
  v_count integer;
  v_start timestamptz;
BEGIN
  DELETE FROM signup_limits WHERE ctid IN
    (SELECT ctid FROM signup_limits WHERE window_start < now () - p_window LIMIT 20 FOR UPDATE SKIP LOCKED);
  INSERT INTO signup_limits AS s (address, window_start, signups) VALUES (p_address, now (), 1)
    ON CONFLICT (address) DO UPDATE
      SET window_start = CASE WHEN s.window_start < now () - p_window THEN now () ELSE s.window_start END,
          signups = CASE WHEN s.window_start < now () - p_window THEN 1 ELSE s.signups + 1 END
    RETURNING signups, window_start INTO v_count, v_start;
  IF v_count <= p_max THEN
    RETURN 0;
  END IF;
  RETURN greatest (1, ceil (extract (epoch FROM v_start + p_window - now ())))::integer;
END $$;

REVOKE ALL ON password_limits, signup_limits FROM PUBLIC;
