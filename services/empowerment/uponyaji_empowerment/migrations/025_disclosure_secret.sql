-- The secret the record keys of the disclosure control derive from (uponyaji_disclosure,
-- docs/disclosure.md): published counts are rounded by keys an outsider cannot compute. It never
-- leaves the database.
CREATE TABLE disclosure_secret (
    one    boolean PRIMARY KEY DEFAULT true CHECK (one),
    secret bytea   NOT NULL
);
-- 244 random bits from two version-4 UUIDs (gen_random_uuid uses the server's strong random).
INSERT INTO disclosure_secret (secret)
SELECT decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex');

-- The survivors who may be counted in published figures: their latest decision on
-- de-identified reporting (intake's consent events, kept in `consents`) is a grant.
CREATE VIEW reportable AS
SELECT survivor_id FROM consents WHERE scope = 'deidentified_reporting' AND granted;
