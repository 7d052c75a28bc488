"""The gate from intake's facts, and the deciders of budget lines, courses and referral answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from uponyaji_events.contracts import empowerment as c
from uponyaji_events.contracts.referrals import ReferralAnswered, ReferralDecision
from uponyaji_events.deciding import payload_of
from uponyaji_events.envelope import NewEvent
from uponyaji_events.sealing import Sealed

from ..errors import (
    AlreadyAnswered,
    CaseClosed,
    ConsentRequired,
    InvalidCommand,
    SurvivorErased,
    SurvivorMerged,
)
from . import money
from .rules import amount, new_event, not_future


@dataclass(frozen=True, slots=True)
class IntakeFacts:
    """What intake has told this service about a survivor (consumed into local tables)."""

    consent: bool = False
    closed: bool = False
    erased: bool = False
    merged_into: UUID | None = None


def admissible(facts: IntakeFacts) -> None:
    """Refuse work on an erased or merged record, a closed case or without consent (409)."""
    if facts.erased:
        raise SurvivorErased("the survivor's erasure was requested: nothing more is recorded")
    if facts.merged_into is not None:
        raise SurvivorMerged(f"this record was merged into survivor {facts.merged_into}")
    if facts.closed:
        raise CaseClosed("the case is closed in intake: reopen it before recording more work")
    if not facts.consent:
        raise ConsentRequired("empowerment consent is absent or withdrawn: record it in intake")


@dataclass(frozen=True, slots=True)
class OpenBudgetLine:
    """Open a grants budget line for a period."""

    budget_line_id: UUID
    code: str
    period_start: date
    period_end: date
    amount_kes: object


def decide_budget_line(command: OpenBudgetLine) -> list[NewEvent]:
    """A new budget line: a period in order and a positive amount."""
    if command.period_end < command.period_start:
        raise InvalidCommand("period_end: before period_start")
    total = amount(command.amount_kes, "amount_kes", positive=True)
    return [new_event(payload_of(c.BudgetLineOpened, command, amount_kes=money.text(total)))]


@dataclass(frozen=True, slots=True)
class OpenCourse:
    """Open a training course."""

    course_id: UUID
    title: str
    skill: c.Skill
    starts_on: date
    sessions_planned: int


def decide_course(command: OpenCourse) -> list[NewEvent]:
    """A new course."""
    return [new_event(payload_of(c.CourseOpened, command))]


@dataclass(frozen=True, slots=True)
class HoldSession:
    """Record a held session of a course with each expected survivor's attendance."""

    course_id: UUID
    session_id: UUID
    held_on: date
    attendance: tuple[tuple[UUID, bool], ...]
    course_starts_on: date
    sessions_held: int
    sessions_planned: int
    today: date


def decide_session(command: HoldSession) -> list[NewEvent]:
    """A session: not before the course, not in the future, not past the planned count."""
    not_future("held_on", command.held_on, command.today)
    if command.held_on < command.course_starts_on:
        raise InvalidCommand("held_on: before the course starts")
    if command.sessions_held >= command.sessions_planned:
        raise InvalidCommand(f"the course has {command.sessions_planned} sessions, all held")
    survivors = [s for s, _ in command.attendance]
    if len(set(survivors)) != len(survivors):
        raise InvalidCommand("attendance: a survivor is listed twice")
    attendance = [c.Attendee(survivor_id=s, present=p) for s, p in command.attendance]
    return [new_event(payload_of(c.CourseSessionHeld, command, attendance=attendance))]


@dataclass(frozen=True, slots=True)
class AnswerReferral:
    """Accept or decline an intake referral to empowerment."""

    referral_id: UUID
    survivor_id: UUID
    decision: ReferralDecision
    answered_by: UUID
    note: Sealed | None
    answered: bool  # already answered
    today: date


def decide_referral(command: AnswerReferral) -> list[NewEvent]:
    """The answer, once per referral."""
    if command.answered:
        raise AlreadyAnswered("the referral was already answered")
    return [new_event(payload_of(ReferralAnswered, command, answered_on=command.today))]
