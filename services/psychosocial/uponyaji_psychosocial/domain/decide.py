"""The deciders: given the state and a command, the events to record, or a domain error."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Any
from uuid import UUID

from pydantic import BaseModel
from uponyaji_events.contracts import ContractRegistry, default_registry
from uponyaji_events.contracts import psychosocial as c
from uponyaji_events.deciding import known, payload_of
from uponyaji_events.eat import eat_date
from uponyaji_events.envelope import NewEvent

from .. import instruments
from ..errors import (
    AssessmentNotFound,
    AssessmentSuperseded,
    CaseClosed,
    ConsentRequired,
    FlagAlreadyResolved,
    GoalClosed,
    GoalNotFound,
    InvalidCommand,
    RiskFlagNotFound,
    SafetyResponseRequired,
    SurvivorErased,
    SurvivorMerged,
    WorkBeforeConsent,
)
from .commands import (
    AddGoal,
    CorrectAssessment,
    PlanSession,
    RecordAssessment,
    RecordSafetyResponse,
    RecordSession,
    ReviewGoal,
    SurvivorCommand,
)
from .state import SurvivorState

# Clocks differ a little between a counsellor's device and the server.
CLOCK_SKEW = timedelta(minutes=5)
MAX_SURVIVORS = {c.SessionKind.INDIVIDUAL: 1, c.SessionKind.COUPLE: 2}


@functools.cache
def contracts() -> ContractRegistry:
    """Every service's event contracts (built once, on first use)."""
    return default_registry()


def new_event(payload: BaseModel) -> NewEvent:
    """A NewEvent of the payload's contract (validated on the way)."""
    return contracts().to_new_event(payload)


@dataclass(frozen=True, slots=True)
class IntakeFacts:
    """What intake has told this service about a survivor (consumed into local tables)."""

    consent: bool = False
    consent_since: datetime | None = None  # when the current grant was given
    closed: bool = False
    erased: bool = False
    merged_into: UUID | None = None


def admissible(facts: IntakeFacts, *, safety: bool = False) -> None:
    """Refuse work on an erased or merged record, a closed case or without consent (409).

    A safety response (`safety=True`) is never refused for a closed case or a withdrawn
    consent: a risk signal already given must always be answerable.
    """
    if facts.erased:
        raise SurvivorErased("the survivor's erasure was requested: nothing more is recorded")
    if facts.merged_into is not None:
        raise SurvivorMerged(f"this record was merged into survivor {facts.merged_into}")
    if safety:
        return
    if facts.closed:
        raise CaseClosed("the case is closed in intake: reopen it before recording more work")
    if not facts.consent:
        raise ConsentRequired(
            "psychosocial_support consent is absent or withdrawn: record it in intake first"
        )


def consented_before(what: str, on: date, since: datetime | None, *, retrospective: bool) -> None:
    """Refuse work dated before the consent that allows it, unless documented retrospectively.

    Days are compared in East Africa Time: a session on the day consent was given is allowed.
    """
    if since is None or retrospective:
        return
    granted_on = eat_date(since)
    if on < granted_on:
        raise WorkBeforeConsent(
            f"{what} is dated {on}, before psychosocial_support consent was given on "
            f"{granted_on}: record it as retrospective documentation with a reason "
            "(retrospective_reason) or correct the date"
        )


def decide_session(command: RecordSession) -> list[NewEvent]:
    """Log a session: one participant for individual sessions, two at most for couples."""
    if command.held_on > command.today:
        raise InvalidCommand(f"held_on {command.held_on} is in the future")
    survivors = [p.survivor_id for p in command.participants]
    if len(set(survivors)) != len(survivors):
        raise InvalidCommand("a survivor is listed twice in the session")
    limit = MAX_SURVIVORS.get(command.kind)
    if limit is not None and len(survivors) > limit:
        raise InvalidCommand(f"a {command.kind.value} session has at most {limit} survivor(s)")
    if command.interpreter_language and not command.interpreter:
        raise InvalidCommand("interpreter_language is given but interpreter is false")
    attended = {p.survivor_id for p in command.participants if p.attendance == "attended"}
    for flag in command.open_flags:
        # Safety protocol: a session must not close without a recorded safety response.
        if flag.survivor_id in attended and flag.raised_on <= command.held_on:
            raise SafetyResponseRequired(
                f"risk flag {flag.flag_id} (raised {flag.raised_on}) is open: record its safety "
                f"response (POST /risk-flags/{flag.flag_id}/resolution) before this session"
            )
    return [new_event(payload_of(c.SessionRecorded, command))]


def decide(
    state: SurvivorState, command: SurvivorCommand, table: instruments.Instruments
) -> list[NewEvent]:
    """The events a command on the survivor stream records."""
    if isinstance(command, RecordAssessment | CorrectAssessment):
        return _assess(state, command, table)
    if isinstance(command, RecordSafetyResponse):
        return _respond(state, command)
    if isinstance(command, AddGoal):
        return [new_event(payload_of(c.CarePlanGoalAdded, command))]
    if isinstance(command, PlanSession):
        if command.planned_on is not None and command.planned_on < command.today:
            raise InvalidCommand(f"planned_on {command.planned_on} is in the past")
        return [new_event(payload_of(c.SessionPlanned, command))]
    return _review(state, command)


def _not_future(what: str, when: datetime, now: datetime) -> None:
    if when > now + CLOCK_SKEW:
        raise InvalidCommand(f"{what} {when.isoformat()} is in the future")


def _assess(
    state: SurvivorState,
    command: RecordAssessment | CorrectAssessment,
    table: instruments.Instruments,
) -> list[NewEvent]:
    administered_at = command.administered_at
    signalled = False
    if isinstance(command, CorrectAssessment):
        old = known(state.assessments, command.supersedes, AssessmentNotFound, "assessment")
        if old.superseded_by is not None:
            raise AssessmentSuperseded(
                f"assessment {command.supersedes} was corrected by {old.superseded_by}: "
                "correct that one"
            )
        administered_at = administered_at or old.administered_at
        signalled = old.signalled
    assert administered_at is not None
    _not_future("administered_at", administered_at, command.now)
    try:
        instrument = table[command.instrument]
        result = instruments.score(instrument, command.responses)
    except (instruments.UnknownInstrument, instruments.InvalidResponses) as problem:
        raise InvalidCommand(str(problem)) from None
    fields: dict[str, Any] = {
        "assessment_id": command.assessment_id,
        "survivor_id": command.survivor_id,
        "instrument": instrument.code,
        "responses": list(result.responses),
        "administered_at": administered_at,
        "total": _text(result.total),
        "percentage": None if result.percentage is None else int(result.percentage),
        "subscales": [
            c.SubscaleScore(name=c.SubscaleName(name), score=_text(value))
            for name, value in result.subscales.items()
        ],
        "band": result.band,
        "flags": list(result.flags),
        "caseness_cutoff": _text(instrument.caseness.threshold),
    }
    payload: BaseModel
    if isinstance(command, CorrectAssessment):
        payload = c.AssessmentCorrected(
            **fields, supersedes=command.supersedes, reason=command.reason
        )
    else:
        payload = c.AssessmentRecorded(**fields, retrospective_reason=command.retrospective_reason)
    events = [new_event(payload)]
    # A correction never closes a risk flag (only a safety response does), nor raises one
    # again for a signal already flagged on the assessment it corrects.
    for reason, item, response in [] if signalled else result.risk[:1]:
        events.append(
            new_event(
                c.RiskFlagRaised(
                    flag_id=command.flag_id,
                    survivor_id=command.survivor_id,
                    assessment_id=command.assessment_id,
                    reason=c.RiskReason(reason),
                    item=item,
                    response=response,
                    raised_at=administered_at,
                )
            )
        )
    return events


def _text(value: Fraction) -> str:
    return str(instruments.shown(value))


def _respond(state: SurvivorState, command: RecordSafetyResponse) -> list[NewEvent]:
    flag = known(state.flags, command.flag_id, RiskFlagNotFound, "risk flag")
    if flag.resolved:
        raise FlagAlreadyResolved(f"risk flag {command.flag_id} already has a safety response")
    _not_future("responded_at", command.responded_at, command.now)
    if command.responded_at < flag.raised_at:
        raise InvalidCommand("responded_at is before the flag was raised")
    actions = list(dict.fromkeys(command.actions))
    return [new_event(payload_of(c.SafetyResponseRecorded, command, actions=actions))]


def _review(state: SurvivorState, command: ReviewGoal) -> list[NewEvent]:
    goal = known(state.goals, command.goal_id, GoalNotFound, "care-plan goal")
    if goal.closed:
        raise GoalClosed(f"the goal is {goal.status}: add a new goal instead")
    if command.reviewed_on > command.today:
        raise InvalidCommand(f"reviewed_on {command.reviewed_on} is in the future")
    return [new_event(payload_of(c.CarePlanGoalReviewed, command))]
