"""Request bodies: shapes and values checked at the edge (422 naming the field, nothing written)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError
from uponyaji_events.contracts.psychosocial import (
    Attendance,
    CareDomain,
    GoalStatus,
    SafetyAction,
    SafetyReferral,
    SessionKind,
    SessionPlace,
    TherapyApproach,
)
from uponyaji_events.contracts.types import LanguageCode
from uponyaji_events.text import storable_text

from .instruments import CODES, Instruments, InvalidResponses, UnknownInstrument, check

_TABLE = Instruments()  # item counts and ranges do not depend on the PCL-5 cut-off setting


def _text(value: str) -> str:
    storable_text(value)
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Text = AfterValidator(_text)
EARLIEST, LATEST = date(1970, 1, 1), date(2100, 12, 31)


def _instant(value: datetime) -> datetime:
    try:
        day = value.astimezone(UTC).date()
    except OverflowError:
        raise ValueError("is out of range") from None
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"must fall between {EARLIEST} and {LATEST}")
    return value


def _day(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"must fall between {EARLIEST} and {LATEST}")
    return value


Instant = Annotated[AwareDatetime, AfterValidator(_instant)]
Day = Annotated[date, AfterValidator(_day)]
Note = Annotated[
    str, Field(min_length=1, max_length=10_000, description="Free text (sealed)"), Text
]
Reason = Annotated[
    str, Field(min_length=1, max_length=2_000, description="Free text (sealed)"), Text
]


class Body(BaseModel):
    """Base of request bodies: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class OtherParticipant(Body):
    """Another survivor in a group, family or couple session."""

    survivor_id: UUID
    attendance: Attendance = Attendance.ATTENDED
    notes: Note | None = None


class SessionBody(Body):
    """Log a session with the survivor of the path (and others in group sessions)."""

    kind: SessionKind = SessionKind.INDIVIDUAL
    held_on: Day
    duration_minutes: int = Field(ge=1, le=600)
    approach: TherapyApproach
    attendance: Attendance = Attendance.ATTENDED
    place: SessionPlace = SessionPlace.OFFICE
    interpreter: bool = False
    interpreter_language: LanguageCode | None = None
    notes: Note | None = None
    other_participants: list[OtherParticipant] = Field(default_factory=list, max_length=30)
    retrospective_reason: Note | None = Field(
        None, description="Documenting a session held before consent was recorded: why"
    )


class PlanBody(Body):
    """The next session with the survivor."""

    planned_on: Day | None = Field(
        description="Day of the next session (East Africa Time); null clears the plan"
    )


def _instrument(value: str) -> str:
    try:
        return _TABLE[value].code
    except UnknownInstrument as problem:
        raise PydanticCustomError("unknown_instrument", str(problem)) from None


class _Responses(Body):
    """An instrument and its item responses, checked against the instrument's definition."""

    instrument: str = Field(
        max_length=16, description=f"One of {', '.join(CODES)}", examples=["PHQ-9"]
    )
    responses: list[StrictInt] = Field(
        max_length=100, description="Item responses as whole numbers, in item order"
    )

    @field_validator("instrument")
    @classmethod
    def _known(cls, value: str) -> str:
        return _instrument(value)

    @field_validator("responses")
    @classmethod
    def _scorable(cls, value: list[int], info: ValidationInfo) -> list[int]:
        code = info.data.get("instrument")
        if code is None:
            return value  # the instrument is the problem, and is reported as such
        try:
            check(_TABLE[code], value)
        except InvalidResponses as problem:
            raise PydanticCustomError("invalid_responses", str(problem)) from None
        return value


class AssessmentBody(_Responses):
    """Administer an instrument: `instrument`, `responses` in item order, `administered_at`."""

    administered_at: Instant | None = Field(
        None, description="When it was administered (timezone required); default now"
    )
    retrospective_reason: Note | None = Field(
        None, description="Documenting an administration from before consent was recorded: why"
    )


class CorrectionBody(_Responses):
    """A corrected administration that supersedes the one in the path."""

    administered_at: Instant | None = Field(
        None, description="Corrected time of administration; default: as the original"
    )
    reason: Reason


class SafetyResponseBody(Body):
    """The safety response that resolves a risk flag: what was done and any referral."""

    actions: list[SafetyAction] = Field(min_length=1, max_length=len(SafetyAction))
    referral: SafetyReferral = SafetyReferral.NONE
    details: Note | None = None
    responded_at: Instant | None = Field(None, description="Default now")


class GoalBody(Body):
    """A care-plan goal."""

    domain: CareDomain
    description: Reason
    target_date: Day


class ReviewBody(Body):
    """A review of a care-plan goal."""

    status: GoalStatus
    reviewed_on: Day | None = Field(None, description="Default today")
    note: Note | None = None
