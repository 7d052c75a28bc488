"""Uponyaji intake: where a survivor's journey begins (issue 4, docs/intake.md)."""
