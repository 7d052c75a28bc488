"""Uponyaji reporting: healing journeys, programme dashboards and audit review (projections)."""
