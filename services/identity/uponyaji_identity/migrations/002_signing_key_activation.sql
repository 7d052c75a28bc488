-- Signing keys are published before they sign: a new key appears in the JWKS `activates_at`
-- minus a lead time, so services that fetched the JWKS a moment ago already know it.
ALTER TABLE signing_keys ADD COLUMN activates_at timestamptz;
UPDATE signing_keys SET activates_at = created_at;
ALTER TABLE signing_keys ALTER COLUMN activates_at SET NOT NULL;
