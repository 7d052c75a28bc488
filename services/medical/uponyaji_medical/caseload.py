"""The Caseload libs/access asks about: the assignment intake published, in the `survivors` and
`caseload` tables every follower of intake keeps (the shared `IntakeCaseload`)."""

from __future__ import annotations

from uponyaji_service.intake_tables import IntakeCaseload as LocalCaseload

__all__ = ["LocalCaseload"]
