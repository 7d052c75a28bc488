"""What the workday routes answer: a counsellor's caseload, a day's sessions, the next session."""

from __future__ import annotations

from pydantic import BaseModel, Field

from .responses import Written


class LatestScore(BaseModel):
    """The latest current administration of any instrument: which, its band and when."""

    instrument: str
    band: str
    administered_at: str


class CaseloadEntry(BaseModel):
    """One open case on the caller's caseload (no identity: the case number only)."""

    survivor_id: str
    case_number: str | None
    assigned_to_you: bool = Field(description="You are the survivor's lead case worker")
    last_session_on: str | None = Field(description="Last session the survivor attended")
    open_flags: int = Field(description="Open risk flags awaiting a safety response")
    latest: LatestScore | None
    next_session_on: str | None = Field(
        description="The next session planned, from today on, not yet held (attended)"
    )


class Caseload(BaseModel):
    """The caller's caseload: open risk flags first, then those seen longest ago."""

    survivors: list[CaseloadEntry]
    next_offset: int | None = Field(description="The offset of the next page; null: no more")


class DayParticipant(BaseModel):
    """A survivor in one of the day's sessions (on the caller's caseload)."""

    survivor_id: str
    case_number: str | None
    attendance: str


class DaySession(BaseModel):
    """A session the caller logged on the day (participants off their caseload only counted)."""

    session_id: str
    kind: str
    held_on: str
    duration_minutes: int
    approach: str
    place: str
    participants: int
    recorded_at: str
    survivors: list[DayParticipant]


class DayPlanned(BaseModel):
    """A survivor whose next session the caller planned for the day."""

    survivor_id: str
    case_number: str | None
    logged: bool = Field(description="A session with the survivor is logged for the day")


class Day(BaseModel):
    """The sessions the caller logged, and those they planned, for one day (East Africa Time)."""

    day: str
    previous_day: str
    next_day: str
    sessions: list[DaySession]
    planned: list[DayPlanned]


class NextSession(BaseModel):
    """The next session was planned (or the plan cleared)."""

    survivor_id: str
    planned_on: str | None
    events: list[Written]
