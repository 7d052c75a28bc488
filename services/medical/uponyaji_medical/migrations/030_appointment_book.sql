-- The appointment book reads follow-ups by the day they are due, across survivors.
CREATE INDEX record_entries_follow_ups_due ON record_entries ((payload->>'due_on'))
    WHERE kind = 'FollowUpScheduled';
