"""What intake knows about a survivor, a referral and an erasure request: folds of their events."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from uuid import UUID

from uponyaji_events.contracts import intake as c
from uponyaji_events.contracts.vocabularies import (
    AgeBand,
    ClosureReason,
    ConsentScope,
    ReferralStatus,
    ReferralTarget,
    ServiceName,
)
from uponyaji_events.envelope import Event
from uponyaji_events.folding import Folder

from .. import consent
from ..consent import ConsentChange, ConsentStatus

PENDING = "pending"  # a referral's status before the receiving service answers


@dataclass(frozen=True, slots=True)
class SurvivorState:
    """One survivor's stream folded, plus two facts kept in other streams (set by the handler)."""

    survivor_id: UUID | None = None
    version: int = 0
    case_number: str | None = None
    closed: bool = False
    closure_reason: ClosureReason | None = None
    consents: Mapping[ConsentScope, ConsentStatus] = field(default_factory=dict)
    team_id: UUID | None = None
    lead_case_worker_id: UUID | None = None
    absorbed: tuple[UUID, ...] = ()  # records merged into this one
    merged_into: UUID | None = None  # from the record this one was merged into
    erasure_requested: bool = False  # from the erasure stream
    minor: bool = False  # age band 0-17 when registered or last corrected

    @property
    def registered(self) -> bool:
        """Whether the survivor exists."""
        return self.survivor_id is not None


@dataclass(frozen=True, slots=True)
class ReferralState:
    """One referral's stream folded."""

    referral_id: UUID | None = None
    version: int = 0
    survivor_id: UUID | None = None
    target: ReferralTarget | None = None
    status: ReferralStatus | str = PENDING


@dataclass(frozen=True, slots=True)
class ErasureState:
    """One erasure request's stream folded."""

    request_id: UUID | None = None
    version: int = 0
    survivor_id: UUID | None = None
    case_number: str | None = None
    services: tuple[ServiceName, ...] = ()
    completed: bool = False


def evolve(state: SurvivorState, event: Event) -> SurvivorState:
    """The survivor's state after one of its stream's events."""
    name = event.type.removeprefix("intake.")
    payload = event.payload
    state = replace(state, version=event.version)
    if name == "SurvivorRegistered":
        registered = c.SurvivorRegistered.model_validate(payload)
        return replace(
            state,
            survivor_id=registered.survivor_id,
            case_number=registered.case_number,
            minor=registered.age_band == AgeBand.AGE_0_17,
        )
    if name in ("ConsentGranted", "ConsentWithdrawn"):
        change = ConsentChange(ConsentScope(payload["scope"]), name == "ConsentGranted")
        return replace(state, consents=consent.apply(state.consents, change))
    if name == "CaseAssigned":
        assigned = c.CaseAssigned.model_validate(payload)
        return replace(
            state, team_id=assigned.team_id, lead_case_worker_id=assigned.lead_case_worker_id
        )
    if name == "CaseClosed":
        return replace(state, closed=True, closure_reason=ClosureReason(payload["reason"]))
    if name == "CaseReopened":
        return replace(state, closed=False, closure_reason=None)
    if name == "SurvivorsMerged":
        merged = UUID(payload["merged_survivor_id"])
        return replace(state, absorbed=(*state.absorbed, merged))
    if name == "IdentityCorrected" and payload.get("age_band") is not None:
        return replace(state, minor=payload["age_band"] == AgeBand.AGE_0_17.value)
    return state


def evolve_referral(state: ReferralState, event: Event) -> ReferralState:
    """The referral's state after one of its stream's events."""
    state = replace(state, version=event.version)
    if event.type == "intake.ReferralMade":
        made = c.ReferralMade.model_validate(event.payload)
        return replace(
            state, referral_id=made.referral_id, survivor_id=made.survivor_id, target=made.target
        )
    if event.type == "intake.ReferralStatusChanged":
        return replace(state, status=ReferralStatus(event.payload["status"]))
    return state


def evolve_erasure(state: ErasureState, event: Event) -> ErasureState:
    """The erasure request's state after one of its stream's events."""
    state = replace(state, version=event.version)
    if event.type == "intake.ErasureRequested":
        requested = c.ErasureRequested.model_validate(event.payload)
        return replace(
            state,
            request_id=requested.request_id,
            survivor_id=requested.survivor_id,
            case_number=requested.case_number,
            services=tuple(requested.services),
        )
    if event.type == "intake.ErasureCompleted":
        return replace(state, completed=True)
    return state


# A survivor's, a referral's and an erasure request's state from their streams.
fold = Folder(SurvivorState, evolve)
fold_referral = Folder(ReferralState, evolve_referral)
fold_erasure = Folder(ErasureState, evolve_erasure)
