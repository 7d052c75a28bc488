"""Empowerment contracts of trainings: courses, sessions with group attendance, completion."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field

from uponyaji_events.contracts.empowerment.common import (
    COURSE,
    SESSION,
    SURVIVOR,
    CourseTitle,
    Skill,
)
from uponyaji_events.contracts.types import EventPayload, examples


class CourseOpened(EventPayload):
    """An empowerment officer opened a training course."""

    model_config = examples(
        {
            "course_id": COURSE,
            "title": "Tailoring for beginners (Kibera)",
            "skill": "tailoring",
            "starts_on": "2026-04-06",
            "sessions_planned": 8,
        }
    )

    course_id: UUID = Field(description="The course (the course stream's id)")
    title: CourseTitle = Field(description="The course's title (never a person's name)")
    skill: Skill = Field(description="The skill it teaches")
    starts_on: date = Field(description="First day")
    sessions_planned: int = Field(ge=1, le=200, description="How many sessions it has")


class Attendee(EventPayload):
    """One survivor expected at a session, and whether they came."""

    survivor_id: UUID = Field(description="The survivor")
    present: bool = Field(description="Whether they attended")


class CourseSessionHeld(EventPayload):
    """A course session was held; attendance recorded per survivor."""

    model_config = examples(
        {
            "course_id": COURSE,
            "session_id": SESSION,
            "held_on": "2026-04-06",
            "attendance": [{"survivor_id": SURVIVOR, "present": True}],
        }
    )

    course_id: UUID = Field(description="The course")
    session_id: UUID = Field(description="The session's id")
    held_on: date = Field(description="Day it was held")
    attendance: list[Attendee] = Field(min_length=1, description="Who was expected, who came")


class TrainingCompleted(EventPayload):
    """A survivor completed a training course."""

    model_config = examples(
        {
            "course_id": COURSE,
            "survivor_id": SURVIVOR,
            "completed_on": "2026-05-25",
            "sessions_attended": 7,
        }
    )

    course_id: UUID = Field(description="The course")
    survivor_id: UUID = Field(description="The survivor")
    completed_on: date = Field(description="Day of completion")
    sessions_attended: int = Field(ge=0, le=200, description="Sessions they attended")
