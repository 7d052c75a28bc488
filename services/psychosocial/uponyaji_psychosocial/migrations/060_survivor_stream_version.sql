-- The version of each survivor's stream, kept on their row by every append to it, so that a
-- command's row lock (which returns the row as the last writer committed it) tells whether the
-- state this process remembers for the stream is still its newest: then the stream is not read
-- again. NULL: not known (rows from before this column); the command reads the stream as before.
ALTER TABLE survivors ADD COLUMN stream_version integer;

CREATE FUNCTION survivor_stream_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE survivors SET stream_version = GREATEST(stream_version, NEW.version)
    WHERE survivor_id = NEW.stream_id::uuid;
    RETURN NULL;
END $$;

CREATE TRIGGER survivor_stream_version AFTER INSERT ON events
    FOR EACH ROW WHEN (NEW.stream_type = 'survivor') EXECUTE FUNCTION survivor_stream_version();
