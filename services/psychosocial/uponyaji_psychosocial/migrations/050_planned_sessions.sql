-- The next session planned with each survivor (psychosocial.SessionPlanned; the latest counts).
CREATE TABLE planned_sessions (
    survivor_id  uuid PRIMARY KEY,
    planned_on   date,                                        -- NULL: none planned any more
    planned_by   text NOT NULL,
    recorded_at  timestamptz NOT NULL
);
CREATE INDEX planned_sessions_day ON planned_sessions (planned_on, planned_by);
