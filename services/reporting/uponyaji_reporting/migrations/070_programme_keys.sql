-- Medical and empowerment dashboard keys of each survivor ([[dim, value], ...], programmes.py).
ALTER TABLE survivor_facts ADD COLUMN programme jsonb NOT NULL DEFAULT '[]'::jsonb;
