"""Per-service caseload seeding for the authorisation matrix: `<service>.seed_caseload`."""
