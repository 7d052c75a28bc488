"""Uponyaji medical: clinical records, Istanbul Protocol evaluations, evidence with custody."""
