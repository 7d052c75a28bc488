"""Intake's commands: what staff (or another service's answer) ask intake to do.

Each carries the payload of the event it would produce, with sensitive values already sealed by
the handler, plus whatever facts from outside the stream the rules need (duplicate candidates,
the survivor's incidents, confirmations received).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from uuid import UUID

from uponyaji_events.contracts import intake as c
from uponyaji_events.contracts.vocabularies import ServiceName

from ..errors import DuplicateCandidate


@dataclass(frozen=True, slots=True)
class RegisterSurvivor:
    """Register a new survivor; candidates found by the blind indexes need an override reason."""

    details: c.SurvivorRegistered
    candidates: tuple[DuplicateCandidate, ...] = ()


@dataclass(frozen=True, slots=True)
class CorrectIdentity:
    """Correct identity or aggregate fields (absent fields stay as they are)."""

    details: c.IdentityCorrected


@dataclass(frozen=True, slots=True)
class MergeSurvivors:
    """Merge another record of the same person into this one (both histories kept)."""

    details: c.SurvivorsMerged


@dataclass(frozen=True, slots=True)
class GrantConsent:
    """Record a grant of consent for one scope."""

    details: c.ConsentGranted
    # Under 18 (or may be) on the consent's date, from the birth date; None: not known, the
    # age band recorded at registration or correction decides.
    minor: bool | None = None


@dataclass(frozen=True, slots=True)
class WithdrawConsent:
    """Record a withdrawal of consent for one scope."""

    details: c.ConsentWithdrawn


@dataclass(frozen=True, slots=True)
class DocumentIncident:
    """Document an incident (allegation); needs documentation consent."""

    details: c.IncidentDocumented
    registered_others: frozenset[UUID] = frozenset()  # which other_survivor_ids exist


@dataclass(frozen=True, slots=True)
class MakeReferral:
    """Refer the survivor; needs the consent of the receiving service's scope."""

    details: c.ReferralMade
    survivor_incidents: frozenset[UUID] = frozenset()


@dataclass(frozen=True, slots=True)
class UpdateReferralStatus:
    """Move a referral to the receiving service's answer."""

    details: c.ReferralStatusChanged


@dataclass(frozen=True, slots=True)
class AssignCase:
    """Assign or reassign the case to a team and a lead case worker."""

    details: c.CaseAssigned


@dataclass(frozen=True, slots=True)
class CloseCase:
    """Close the case with a reason."""

    details: c.CaseClosed


@dataclass(frozen=True, slots=True)
class ReopenCase:
    """Reopen a closed case."""

    details: c.CaseReopened


@dataclass(frozen=True, slots=True)
class RequestErasure:
    """Record a survivor's erasure request (data protection officer)."""

    details: c.ErasureRequested


@dataclass(frozen=True, slots=True)
class ConfirmErasure:
    """Complete an erasure request once every service named in it has destroyed its key."""

    confirmations: Mapping[ServiceName, UUID] = field(default_factory=dict)


SurvivorCommand = (
    RegisterSurvivor
    | CorrectIdentity
    | MergeSurvivors
    | GrantConsent
    | WithdrawConsent
    | DocumentIncident
    | MakeReferral
    | AssignCase
    | CloseCase
    | ReopenCase
    | RequestErasure
)
