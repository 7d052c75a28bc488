"""Intake's own errors, and the survivor's standing shared with every stage (`uponyaji_service`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from uponyaji_service.errors import *  # noqa: F403  # the shared errors, re-exported
from uponyaji_service.errors import DomainError, InvalidCommand, NotFound, ServiceError

IntakeError = ServiceError  # the root of intake's errors, as of every service's


class SurvivorNotFound(NotFound):
    """No such survivor (or not one the caller may know exists)."""


class IncidentNotFound(NotFound):
    """No such incident of this survivor."""


class ReferralNotFound(NotFound):
    """No such referral of this survivor."""


class ErasureRequestNotFound(NotFound):
    """No such erasure request."""


class SurvivorAlreadyRegistered(DomainError):
    """A survivor with this id is already registered."""


class CaseNotClosed(DomainError):
    """The case is not closed, so it cannot be reopened."""


class GuardianConsentRequired(DomainError):
    """A minor's consent needs a guardian's (party, relationship, name) and the child's assent."""


class AgeBandContradicts(InvalidCommand):
    """A supplied age band contradicts the date or estimated year of birth."""


class ConsentConflict(DomainError):
    """A grant of a scope already granted, or a withdrawal of one not granted."""


class NothingChanged(DomainError):
    """The command would change nothing (same assignment, no corrected field)."""


class InvalidMerge(DomainError):
    """These two records cannot be merged (the same record, erased, or already merged)."""


class InvalidReference(DomainError):
    """The command names an incident or survivor that does not belong here."""


class ReferralTransitionRefused(DomainError):
    """A referral cannot move from its current status to the one requested."""


class ErasureAlreadyRequested(DomainError):
    """An erasure of this survivor was already requested."""


@dataclass(frozen=True, slots=True)
class DuplicateCandidate:
    """A registered survivor who may be the person being registered, and why."""

    survivor_id: UUID
    case_number: str
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON form for the 409 answer (ids, case number, reasons: never identity values)."""
        return {
            "survivor_id": str(self.survivor_id),
            "case_number": self.case_number,
            "reasons": list(self.reasons),
        }


class PossibleDuplicates(DomainError):
    """Registered survivors match this one: show them, or register anyway with a reason."""

    def __init__(self, candidates: tuple[DuplicateCandidate, ...]) -> None:
        self.candidates = candidates
        super().__init__(
            f"{len(candidates)} registered survivor(s) may be this person; check them, or "
            "register anyway with register_anyway_reason",
            extra={"candidates": [c.as_dict() for c in candidates]},
        )
