-- Range statements (docs/security.md, "Range statements"): the sequencer signs, once per
-- completed block of positions, (service, first, last, SHA-256 over the block's event hashes).
-- Feeds serve them beside their pages so a consumer verifies a block with one signature.
-- Like the events they cover, they are written once and never changed or deleted.
CREATE TABLE IF NOT EXISTS event_seals (
    first_position  bigint PRIMARY KEY,
    last_position   bigint NOT NULL,
    signature       bytea NOT NULL,
    key_id          text NOT NULL,
    sealed_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (last_position >= first_position)
);
CREATE INDEX IF NOT EXISTS event_seals_last ON event_seals (last_position);

CREATE OR REPLACE FUNCTION event_seals_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'event statements are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE OR REPLACE TRIGGER event_seals_append_only BEFORE UPDATE OR DELETE ON event_seals
    FOR EACH ROW EXECUTE FUNCTION event_seals_append_only();
CREATE OR REPLACE TRIGGER event_seals_no_truncate BEFORE TRUNCATE ON event_seals
    FOR EACH STATEMENT EXECUTE FUNCTION event_seals_append_only();

-- Whoever was granted the table with the schema's default privileges (the service's runtime
-- role) keeps INSERT and SELECT: the sequencer adds statements, nobody changes them.
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT DISTINCT grantee FROM information_schema.role_table_grants
             WHERE table_schema = current_schema() AND table_name = 'event_seals'
               AND privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE')
               AND grantee NOT IN ('PUBLIC', current_user) LOOP
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON event_seals FROM %I', r.grantee);
    END LOOP;
END $$;
