-- A staff member's work e-mail address for notifications (optional; sealed, subject = staff_id).
ALTER TABLE accounts ADD COLUMN IF NOT EXISTS email text;
