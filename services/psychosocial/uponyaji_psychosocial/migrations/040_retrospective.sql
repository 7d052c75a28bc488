-- Assessments documented retrospectively (administered before the consent that allows them, with a
-- sealed reason) are marked, so the risk flags they raised can say so.
ALTER TABLE assessments ADD COLUMN IF NOT EXISTS retrospective boolean NOT NULL DEFAULT false;

-- Assessments recorded before this column existed: taken from the event store (same database).
UPDATE assessments a SET retrospective = true
FROM events e
WHERE e.type IN ('psychosocial.AssessmentRecorded', 'psychosocial.AssessmentCorrected')
  AND (e.payload->>'assessment_id')::uuid = a.assessment_id
  AND coalesce(e.payload->>'retrospective_reason', '') <> '';
