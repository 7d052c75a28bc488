"""Uponyaji psychosocial service: counselling sessions, assessments, risk flags, care plans."""
