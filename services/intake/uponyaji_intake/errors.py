"""Intake's errors, rooted in the service error model: one handler renders them all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from uponyaji_service import ServiceError


class IntakeError(ServiceError):
    """Base of intake's errors."""

    status_code = 409


class SurvivorNotFound(IntakeError):
    """No such survivor (or not one the caller may know exists)."""

    status_code = 404


class IncidentNotFound(IntakeError):
    """No such incident of this survivor."""

    status_code = 404


class ReferralNotFound(IntakeError):
    """No such referral of this survivor."""

    status_code = 404


class ErasureRequestNotFound(IntakeError):
    """No such erasure request."""

    status_code = 404


class SurvivorAlreadyRegistered(IntakeError):
    """A survivor with this id is already registered."""


class SurvivorErased(IntakeError):
    """The survivor's erasure was requested: nothing more may be recorded about them."""


class SurvivorMerged(IntakeError):
    """This record was merged into another: act on the record it was merged into."""


class CaseClosed(IntakeError):
    """The case is closed: reopen it first."""


class CaseNotClosed(IntakeError):
    """The case is not closed, so it cannot be reopened."""


class ConsentRequired(IntakeError):
    """The survivor has not granted (or has withdrawn) the consent this work needs."""


class GuardianConsentRequired(IntakeError):
    """A minor's consent needs a guardian's (party, relationship, name) and the child's assent."""


class AgeBandContradicts(IntakeError):
    """A supplied age band contradicts the date or estimated year of birth."""

    status_code = 422


class ConsentConflict(IntakeError):
    """A grant of a scope already granted, or a withdrawal of one not granted."""


class NothingChanged(IntakeError):
    """The command would change nothing (same assignment, no corrected field)."""


class InvalidMerge(IntakeError):
    """These two records cannot be merged (the same record, erased, or already merged)."""


class InvalidReference(IntakeError):
    """The command names an incident or survivor that does not belong here."""


class ReferralTransitionRefused(IntakeError):
    """A referral cannot move from its current status to the one requested."""


class ErasureAlreadyRequested(IntakeError):
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


class PossibleDuplicates(IntakeError):
    """Registered survivors match this one: show them, or register anyway with a reason."""

    def __init__(self, candidates: tuple[DuplicateCandidate, ...]) -> None:
        self.candidates = candidates
        super().__init__(
            f"{len(candidates)} registered survivor(s) may be this person; check them, or "
            "register anyway with register_anyway_reason",
            extra={"candidates": [c.as_dict() for c in candidates]},
        )
