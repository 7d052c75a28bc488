-- Notifications name the people they are for when known (the survivor's case worker); delivery
-- goes to those people's addresses, and to the staff holding the role on the team, before any
-- role mailbox.
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS recipient_staff uuid[] NOT NULL DEFAULT '{}';
