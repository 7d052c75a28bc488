"""Uponyaji empowerment: needs assessments, livelihood plans, grants, trainings, follow-ups."""
