-- Sign-in locks are kept per (username, client address) and grow with each lock in a row:
-- `lockouts` counts the locks of one pair since its last success (the next lock lasts
-- base × 2^lockouts, capped). Rows of the former per-username key simply age out.

ALTER TABLE login_throttle ADD COLUMN lockouts integer NOT NULL DEFAULT 0;
