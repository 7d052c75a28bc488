-- The scope an audited read was allowed under: de-identified reads (scope 'aggregate', programme
-- leads) are off everyone's caseload by nature and must not raise the outside-caseload alert.

ALTER TABLE access_records ADD COLUMN scope text;
