-- Disclosure control (disclosure.py, docs/disclosure.md): whether a survivor may be counted
-- (their latest decision on deidentified_reporting is a grant), the sum of the record keys of
-- the survivors in each summary cell, the cells of a county and team together, no more day
-- cells (the dashboard reads whole months only), and the secret the record keys derive from.
-- Existing cells and facts lack the new columns' values: rebuild reporting after this migration
-- (python -m uponyaji_reporting.rebuild).

ALTER TABLE survivor_facts ADD COLUMN reportable boolean NOT NULL DEFAULT false;
ALTER TABLE dashboard_cells ADD COLUMN k bigint NOT NULL DEFAULT 0;
DELETE FROM dashboard_cells WHERE grain = 'd';

CREATE TABLE disclosure_secret (
    one    boolean PRIMARY KEY DEFAULT true CHECK (one),
    secret bytea   NOT NULL
);
-- 244 random bits from two version-4 UUIDs (gen_random_uuid uses the server's strong random).
INSERT INTO disclosure_secret (secret)
SELECT decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex');
