"""The deciders: given the state and a command, the events to record, or a domain error."""

from __future__ import annotations

import functools
from datetime import datetime
from uuid import UUID

from pydantic import BaseModel
from uponyaji_events.contracts import ContractRegistry, default_registry, kernel
from uponyaji_events.contracts import intake as c
from uponyaji_events.contracts.vocabularies import (
    ConsentParty,
    ConsentScope,
    ReferralStatus,
    ReferralTarget,
    ServiceName,
)
from uponyaji_events.envelope import NewEvent

from .. import consent
from ..consent import ConsentChange, ConsentRuleBroken
from ..errors import (
    CaseClosed,
    CaseNotClosed,
    ConsentConflict,
    ConsentRequired,
    ErasureAlreadyRequested,
    ErasureRequestNotFound,
    GuardianConsentRequired,
    InvalidMerge,
    InvalidReference,
    NothingChanged,
    PossibleDuplicates,
    ReferralNotFound,
    ReferralTransitionRefused,
    SurvivorAlreadyRegistered,
    SurvivorErased,
    SurvivorMerged,
    SurvivorNotFound,
)
from .commands import (
    AssignCase,
    CloseCase,
    ConfirmErasure,
    CorrectIdentity,
    DocumentIncident,
    GrantConsent,
    MakeReferral,
    MergeSurvivors,
    RegisterSurvivor,
    ReopenCase,
    RequestErasure,
    SurvivorCommand,
    UpdateReferralStatus,
    WithdrawConsent,
)
from .state import PENDING, ErasureState, ReferralState, SurvivorState

# The consent a referral to each service needs (external providers: documentation consent).
REFERRAL_CONSENT: dict[ReferralTarget, ConsentScope] = {
    ReferralTarget.MEDICAL: ConsentScope.MEDICAL_EXAMINATION,
    ReferralTarget.PSYCHOSOCIAL: ConsentScope.PSYCHOSOCIAL_SUPPORT,
    ReferralTarget.EMPOWERMENT: ConsentScope.EMPOWERMENT,
    ReferralTarget.LEGAL: ConsentScope.LEGAL_REPRESENTATION,
    ReferralTarget.EXTERNAL: ConsentScope.DOCUMENTATION,
}
REFERRAL_TRANSITIONS: dict[str, frozenset[ReferralStatus]] = {
    PENDING: frozenset(
        {ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, ReferralStatus.CANCELLED}
    ),
    ReferralStatus.ACCEPTED: frozenset({ReferralStatus.COMPLETED, ReferralStatus.CANCELLED}),
}
# Work that needs an open case; withdrawing consent, corrections and erasure never do.
_NEEDS_OPEN_CASE = (GrantConsent, DocumentIncident, MakeReferral, AssignCase, CloseCase)


@functools.cache
def contracts() -> ContractRegistry:
    """Every service's event contracts (built once, on first use)."""
    return default_registry()


def new_event(payload: BaseModel) -> NewEvent:
    """The intake event of a payload, re-validated against its contract (no plaintext slips in)."""
    return contracts().to_new_event(payload, service="intake")


def _guardian_consent(details: c.ConsentGranted) -> None:
    """A minor's consent: a guardian's, named and related, with the child's own assent."""
    missing = []
    if details.party is not ConsentParty.PARENT_OR_GUARDIAN:
        missing.append("party parent_or_guardian")
    if details.guardian_relationship is None:
        missing.append("guardian_relationship")
    if details.guardian_name is None:
        missing.append("guardian_name")
    if details.child_assent is not True:
        missing.append("child_assent true (the child's own assent)")
    if missing:
        raise GuardianConsentRequired(
            "the survivor is (or may be) under 18: consent needs " + ", ".join(missing)
        )


def admissible(state: SurvivorState, command: type[SurvivorCommand]) -> None:
    """Raise unless the survivor's lifecycle allows this kind of command at all (before sealing)."""
    if command is RegisterSurvivor:
        if state.registered:
            raise SurvivorAlreadyRegistered("this survivor is already registered")
        return
    if not state.registered:
        raise SurvivorNotFound("survivor not found")
    if command is RequestErasure and state.erasure_requested:
        raise ErasureAlreadyRequested("erasure of this survivor was already requested")
    if state.erasure_requested:
        raise SurvivorErased("this survivor's erasure was requested: nothing more is recorded")
    if command is RequestErasure:
        return  # a survivor may ask for erasure whatever the state of their case or record
    if state.merged_into is not None:
        raise SurvivorMerged(f"this record was merged into survivor {state.merged_into}")
    if command in _NEEDS_OPEN_CASE and state.closed:
        raise CaseClosed("the case is closed: reopen it first")


def decide(state: SurvivorState, command: SurvivorCommand) -> list[NewEvent]:
    """The events a command on one survivor produces (the incident, referral or erasure stream's
    for DocumentIncident, MakeReferral and RequestErasure)."""
    admissible(state, type(command))
    if not isinstance(command, RegisterSurvivor) and command.details.survivor_id != (
        state.survivor_id
    ):
        raise InvalidReference("the command names another survivor")
    match command:
        case RegisterSurvivor(details=details, candidates=candidates):
            if candidates and details.duplicate_override_reason is None:
                raise PossibleDuplicates(candidates)
            return [
                new_event(
                    details.model_copy(
                        update={
                            "possible_duplicates": [c.survivor_id for c in candidates],
                            "duplicate_override_reason": (
                                details.duplicate_override_reason if candidates else None
                            ),
                        }
                    )
                )
            ]
        case CorrectIdentity(details=details):
            changed = details.model_dump(exclude={"survivor_id", "reason"}, exclude_none=True)
            if not changed:
                raise NothingChanged("a correction needs at least one corrected field")
            return [new_event(details)]
        case MergeSurvivors():
            raise TypeError("merges are decided by decide_merge with both records' states")
        case GrantConsent(details=details) | WithdrawConsent(details=details):
            if isinstance(command, GrantConsent) and (
                state.minor if command.minor is None else command.minor
            ):
                _guardian_consent(command.details)
            change = ConsentChange(details.scope, isinstance(command, GrantConsent), details.at)
            try:
                consent.check(state.consents, change)
            except ConsentRuleBroken as broken:
                raise ConsentConflict(str(broken)) from None
            return [new_event(details)]
        case DocumentIncident(details=details, registered_others=registered):
            _require_consent(state, ConsentScope.DOCUMENTATION, "documenting an incident")
            if details.survivor_id in details.other_survivor_ids:
                raise InvalidReference("other_survivor_ids must not name the survivor themself")
            if not set(details.other_survivor_ids) <= registered:
                raise InvalidReference("other_survivor_ids names survivors who are not registered")
            return [new_event(details)]
        case MakeReferral(details=details, survivor_incidents=incidents):
            _require_consent(state, REFERRAL_CONSENT[details.target], "this referral")
            if not set(details.incident_ids) <= incidents:
                raise InvalidReference("incident_ids names incidents of no record of this survivor")
            return [new_event(details)]
        case AssignCase(details=details):
            if (details.team_id, details.lead_case_worker_id) == (
                state.team_id,
                state.lead_case_worker_id,
            ):
                raise NothingChanged("the case is already assigned to that team and case worker")
            return [new_event(details)]
        case CloseCase(details=details):
            return [new_event(details)]
        case ReopenCase(details=details):
            if not state.closed:
                raise CaseNotClosed("the case is open")
            return [new_event(details)]
        case RequestErasure(details=details):
            if ServiceName.INTAKE not in details.services:
                raise InvalidReference("an erasure request must name intake among the services")
            if details.case_number != state.case_number:
                raise InvalidReference("the erasure request names another case number")
            return [new_event(details)]
    raise TypeError(f"unknown command {type(command).__name__}")  # pragma: no cover


def decide_merge(
    kept: SurvivorState, absorbed: SurvivorState, command: MergeSurvivors
) -> list[NewEvent]:
    """The event merging `absorbed` into `kept` (appended to the kept record's stream)."""
    details = command.details
    for state in (kept, absorbed):
        if not state.registered:
            raise SurvivorNotFound("survivor not found")
        if state.erasure_requested:
            raise SurvivorErased("a record whose erasure was requested cannot be merged")
        if state.merged_into is not None:
            raise SurvivorMerged(f"record {state.survivor_id} was already merged")
    if kept.survivor_id == absorbed.survivor_id:
        raise InvalidMerge("a record cannot be merged into itself")
    if absorbed.absorbed:
        raise InvalidMerge("that record has absorbed others: merge it the other way round")
    if details.survivor_id != kept.survivor_id or details.merged_survivor_id != (
        absorbed.survivor_id
    ):
        raise InvalidReference("the merge names other records")
    if details.merged_case_number != absorbed.case_number:
        raise InvalidReference("merged_case_number is not the merged record's case number")
    return [new_event(details)]


def decide_referral(
    referral: ReferralState, survivor: SurvivorState, command: UpdateReferralStatus
) -> list[NewEvent]:
    """The status change of a referral, if its current status allows it."""
    details = command.details
    if referral.referral_id is None or referral.survivor_id != details.survivor_id:
        raise ReferralNotFound("referral not found")
    if survivor.erasure_requested:
        raise SurvivorErased("this survivor's erasure was requested: nothing more is recorded")
    allowed = REFERRAL_TRANSITIONS.get(referral.status, frozenset())
    if details.status not in allowed:
        raise ReferralTransitionRefused(
            f"a referral that is {referral.status} cannot become {details.status.value}"
        )
    return [new_event(details)]


def decide_erasure(state: ErasureState, command: ConfirmErasure) -> list[NewEvent]:
    """ErasureCompleted once every service named in the request has confirmed; else nothing."""
    if state.request_id is None or state.survivor_id is None:
        raise ErasureRequestNotFound("erasure request not found")
    if state.completed or not set(state.services) <= set(command.confirmations):
        return []
    confirmations = [
        c.ErasureConfirmation(service=service, event_id=command.confirmations[service])
        for service in sorted(state.services)
    ]
    return [
        new_event(
            c.ErasureCompleted(
                request_id=state.request_id,
                survivor_id=state.survivor_id,
                confirmations=confirmations,
            )
        )
    ]


def key_destroyed(
    request_id: UUID, survivor_id: UUID, key_id: UUID | None, at: datetime
) -> NewEvent:
    """Intake's own confirmation in the erasure saga: it destroyed its data key for the survivor."""
    return new_event(
        kernel.DataKeyDestroyed(
            request_id=request_id, survivor_id=survivor_id, key_id=key_id, destroyed_at=at
        )
    )


def _require_consent(state: SurvivorState, scope: ConsentScope, work: str) -> None:
    if not consent.is_granted(state.consents, scope):
        status = consent.status_of(state.consents, scope).value.replace("_", " ")
        raise ConsentRequired(f"{work} needs {scope.value} consent, which is {status}")
