"""Uponyaji intake: where a survivor's journey begins (docs/intake.md)."""
