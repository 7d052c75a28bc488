-- The notification outbox names the people a notification is for when known (libs/notify's
-- schema gained the column after identity's outbox was created by 050).
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS recipient_staff uuid[] NOT NULL DEFAULT '{}';
