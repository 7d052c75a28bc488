-- What came of a specialist referral, or whether a follow-up was kept, is listed with who recorded
-- it, when, and the outcome's note (sealed): the latest answer of each entry.
ALTER TABLE record_entries
    ADD COLUMN IF NOT EXISTS status_note text,                  -- sealed (outcome note)
    ADD COLUMN IF NOT EXISTS status_by   text,
    ADD COLUMN IF NOT EXISTS status_at   timestamptz;

-- Answers recorded before these columns existed: taken from the event store (same database).
UPDATE record_entries r
SET status_note = a.note, status_by = a.actor_id, status_at = a.recorded_at
FROM (
    SELECT DISTINCT ON (entry_id) entry_id, note, actor_id, recorded_at
    FROM (
        SELECT coalesce(payload->>'specialist_referral_id', payload->>'follow_up_id')::uuid
                   AS entry_id,
               payload->>'note' AS note, actor_id, recorded_at, id
        FROM events
        WHERE type IN ('medical.SpecialistReferralOutcomeRecorded',
                       'medical.FollowUpAttendanceRecorded')
    ) answers
    ORDER BY entry_id, id DESC
) a
WHERE r.entry_id = a.entry_id;
