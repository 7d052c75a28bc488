-- Whether the survivor was on the reader's caseload (audit schema version 2, `on_caseload`):
-- true, false, or null when not known (an older record, no survivor, an unknown survivor, a
-- refusal by role). The alert `many_survivors_outside_caseload_in_a_day` counts the false ones.

ALTER TABLE access_records ADD COLUMN on_caseload boolean;
