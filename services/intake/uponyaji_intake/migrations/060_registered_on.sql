-- The day of a registration recorded later (paper records entered afterwards), as the
-- registration event states it; NULL when the survivor was registered when recorded.
ALTER TABLE survivors ADD COLUMN registered_on date;

UPDATE survivors s SET registered_on = (e.payload ->> 'registered_on')::date
FROM events e
WHERE e.type = 'intake.SurvivorRegistered' AND e.stream_id = s.survivor_id::text
  AND e.payload ->> 'registered_on' IS NOT NULL;
