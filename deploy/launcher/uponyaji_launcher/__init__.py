"""Local stack for Uponyaji: embedded PostgreSQL and NATS, service processes, demo data."""
