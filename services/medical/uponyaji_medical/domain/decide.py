"""The deciders: given the state and a command, the events to record, or a domain error."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from pydantic import BaseModel
from uponyaji_events.contracts import ContractRegistry, default_registry
from uponyaji_events.contracts import medical as m
from uponyaji_events.eat import eat_date
from uponyaji_events.envelope import NewEvent

from ..errors import (
    CaseClosed,
    ConsentRequired,
    EntrySuperseded,
    InvalidCommand,
    NotFound,
    SurvivorErased,
    SurvivorMerged,
    WorkBeforeConsent,
)
from . import icd11
from .commands import Grade, OpenEncounter, RecordCare, RecordCommand, RecordEntry
from .state import ENTRY_IDS, RecordState

CLOCK_SKEW = timedelta(minutes=5)  # a clinician's device and the server differ a little
EXAMINATION = "medical_examination"
# `photography` is the scope's original name for storage; either grants storage.
PHOTO_STORAGE = ("photography_storage", "photography")


@functools.cache
def contracts() -> ContractRegistry:
    """Every service's event contracts (built once, on first use)."""
    return default_registry()


def new_event(payload: BaseModel) -> NewEvent:
    """A NewEvent of the payload's contract (validated on the way)."""
    return contracts().to_new_event(payload, service=m.SERVICE)


@dataclass(frozen=True, slots=True)
class IntakeFacts:
    """What intake has told this service about a survivor (consumed into local tables)."""

    consents: frozenset[str] = frozenset()
    closed: bool = False
    erased: bool = False
    merged_into: UUID | None = None
    since: dict[str, datetime] = field(default_factory=dict)  # when each granted scope was given

    def has(self, *scopes: str) -> bool:
        """Whether any of these consent scopes is currently granted."""
        return any(scope in self.consents for scope in scopes)


def admissible(facts: IntakeFacts, *scopes: str, allow_closed: bool = False) -> None:
    """Refuse work on an erased or merged record, a closed case, or without consent (409).

    `scopes` are alternatives (any one granted suffices). Withdrawal stops further work; what
    was recorded while consent stood is kept.
    """
    if facts.erased:
        raise SurvivorErased("the survivor's erasure was requested: nothing more is recorded")
    if facts.merged_into is not None:
        raise SurvivorMerged(f"this record was merged into survivor {facts.merged_into}")
    if facts.closed and not allow_closed:
        raise CaseClosed("the case is closed in intake: reopen it before recording more work")
    if scopes and not facts.has(*scopes):
        raise ConsentRequired(
            f"{scopes[0]} consent is absent or withdrawn: record it in intake first"
        )


def consented_before(on: datetime, since: datetime | None, *, retrospective: object) -> None:
    """Refuse an encounter dated before the consent that allows it, unless retrospective.

    Days are compared in East Africa Time: an encounter on the day consent was given is allowed.
    """
    if since is None or retrospective is not None:
        return
    day, granted_on = eat_date(on), eat_date(since)
    if day < granted_on:
        raise WorkBeforeConsent(
            f"the encounter is dated {day}, before {EXAMINATION} consent was given on "
            f"{granted_on}: record it as retrospective documentation with a reason "
            "(retrospective_reason) or correct the date"
        )


def decide(state: RecordState, command: RecordCommand) -> list[NewEvent]:
    """The events a command on the survivor's record stream records."""
    if isinstance(command, OpenEncounter):
        return _open(state, command)
    if isinstance(command, RecordEntry):
        return _entry(state, command)
    if isinstance(command, Grade):
        return _grade(state, command)
    return _care(state, command)


def _encounter(state: RecordState, encounter_id: UUID) -> None:
    if encounter_id not in state.encounters:
        raise NotFound(f"encounter_id: no encounter {encounter_id} of this survivor")


def _open(state: RecordState, command: OpenEncounter) -> list[NewEvent]:
    p = command.payload
    if p.encounter_id in state.encounters:
        raise InvalidCommand(f"encounter_id: encounter {p.encounter_id} already exists")
    if p.occurred_at > command.now + CLOCK_SKEW:
        raise InvalidCommand(f"occurred_at {p.occurred_at.isoformat()} is in the future")
    if p.limited_by_survivor and p.limitation is None:
        raise InvalidCommand("limitation: say what the survivor stopped or limited")
    consented_before(p.occurred_at, command.consent_since, retrospective=p.retrospective_reason)
    interpreters = [x for x in p.present if x.role == m.PresentRole.INTERPRETER]
    if any(x.language is None for x in interpreters):
        raise InvalidCommand("present[].language: an interpreter's language is required")
    return [new_event(p)]


def _entry(state: RecordState, command: RecordEntry) -> list[NewEvent]:
    p = command.payload
    _encounter(state, p.encounter_id)
    name = type(p).__name__
    new_id = getattr(p, ENTRY_IDS[name])
    if new_id in state.entries:
        raise InvalidCommand(f"{ENTRY_IDS[name]}: entry {new_id} already exists")
    if p.supersedes is not None:
        old = state.entries.get(p.supersedes)
        if old is None or old.kind != name:
            raise NotFound(f"supersedes: no {name} entry {p.supersedes} of this survivor")
        if not old.current:
            raise EntrySuperseded(
                f"entry {p.supersedes} was corrected by {old.superseded_by}: correct that one"
            )
        if p.reason is None:
            raise InvalidCommand("reason: a correction needs a reason")
    elif p.reason is not None:
        raise InvalidCommand("reason: only a correction (with supersedes) carries a reason")
    if isinstance(p, m.DiagnosisRecorded) and icd11.title(p.code) is None:
        raise InvalidCommand(f"code: {p.code} is not in the ICD-11 subset this service ships")
    if isinstance(p, m.FindingDocumented):
        unknown = [str(x) for x in p.photo_ids if x not in command.known_photos]
        if unknown:
            raise InvalidCommand(f"photo_ids: no photograph {', '.join(unknown)} of this survivor")
    return [new_event(p)]


def _grade(state: RecordState, command: Grade) -> list[NewEvent]:
    p = command.payload
    if isinstance(p, m.FindingGraded):
        entry = state.entries.get(p.finding_id)
        if entry is None or entry.kind != "FindingDocumented":
            raise NotFound(f"finding_id: no finding {p.finding_id} of this survivor")
        if not entry.current:
            raise EntrySuperseded(
                f"finding {p.finding_id} was corrected by {entry.superseded_by}: grade that one"
            )
        return [new_event(p)]
    _encounter(state, p.encounter_id)
    if isinstance(p, m.PsychologicalEvaluationGraded) and not state.current(
        "PsychologicalFindingsRecorded", p.encounter_id
    ):
        raise InvalidCommand("encounter_id: record the psychological findings before grading them")
    return [new_event(p)]


def _care(state: RecordState, command: RecordCare) -> list[NewEvent]:
    p = command.payload
    if isinstance(p, m.SpecialistReferralOutcomeRecorded):
        if p.specialist_referral_id not in state.specialist_referrals:
            raise NotFound(f"no specialist referral {p.specialist_referral_id} of this survivor")
        return [new_event(p)]
    if isinstance(p, m.FollowUpAttendanceRecorded):
        if p.follow_up_id not in state.follow_ups:
            raise NotFound(f"no follow-up {p.follow_up_id} of this survivor")
        return [new_event(p)]
    _encounter(state, p.encounter_id)
    if isinstance(p, m.FollowUpScheduled) and p.due_on < command.today:
        raise InvalidCommand(f"due_on {p.due_on} is in the past")
    return [new_event(p)]
