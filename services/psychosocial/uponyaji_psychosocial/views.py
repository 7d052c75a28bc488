"""Shaping read rows for answers: sealed values unsealed only where the field rules allow."""

from __future__ import annotations

from fractions import Fraction
from typing import Any
from uuid import UUID

import asyncpg
from uponyaji_events.sealing import ERASED, Sealer
from uponyaji_notify import Notification

from .instruments import shown
from .progress import Point


class Reader:
    """Unseals one survivor's values; `[erased]` once their erasure was requested."""

    def __init__(self, sealer: Sealer, survivor_id: UUID, *, erased: bool) -> None:
        self.sealer, self.survivor_id, self.erased = sealer, survivor_id, erased

    async def __call__(
        self, context: str, value: str | None, *, visible: bool, record: Any
    ) -> str | None:
        """The plaintext of a sealed value, None if absent or not visible to the caller.

        `record` is the id the value is bound to (session, assessment, flag or goal): a value
        that does not authenticate there reads as UNREADABLE, never as another record's text.
        """
        if value is None or not visible:
            return None
        if self.erased:
            return ERASED
        return await self.sealer.reveal(self.survivor_id, context, value, record=str(record))


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def number(text: str) -> int | float:
    """An exact decimal score as a JSON number."""
    return shown(Fraction(text))


def point(row: asyncpg.Record) -> Point:
    """A current administration for the progress calculation."""
    return Point(
        row["assessment_id"], row["instrument"], row["administered_at"], Fraction(row["total"])
    )


async def session(row: asyncpg.Record, read: Reader, *, notes: bool) -> dict[str, Any]:
    """One session as the survivor's record shows it (other participants only counted)."""
    return {
        "session_id": str(row["session_id"]),
        "kind": row["kind"],
        "held_on": row["held_on"].isoformat(),
        "duration_minutes": row["duration_minutes"],
        "approach": row["approach"],
        "place": row["place"],
        "attendance": row["attendance"],
        "interpreter": row["interpreter"],
        "interpreter_language": row["interpreter_language"],
        "participants": row["participants"],
        "recorded_by": row["recorded_by"],
        "recorded_at": _iso(row["recorded_at"]),
        "notes_visible": notes,
        "notes": await read(
            "psychosocial.SessionRecorded/participants[].notes",
            row["notes"],
            visible=notes,
            record=row["session_id"],
        ),
    }


async def assessment(row: asyncpg.Record, read: Reader) -> dict[str, Any]:
    """One administration with its scores (numbers exact as recorded)."""
    return {
        "assessment_id": str(row["assessment_id"]),
        "instrument": row["instrument"],
        "administered_at": _iso(row["administered_at"]),
        "responses": list(row["responses"]),
        "total": number(row["total"]),
        "percentage": row["percentage"],
        "subscales": {s["name"]: number(s["score"]) for s in row["subscales"]},
        "band": row["band"],
        "flags": list(row["flags"]),
        "retrospective": row["retrospective"],
        "status": "superseded" if row["superseded_by"] else "current",
        "supersedes": str(row["supersedes"]) if row["supersedes"] else None,
        "superseded_by": str(row["superseded_by"]) if row["superseded_by"] else None,
        "correction_reason": await read(
            "psychosocial.AssessmentCorrected/reason",
            row["correction_reason"],
            visible=True,
            record=row["assessment_id"],
        ),
        "recorded_by": row["recorded_by"],
        "recorded_at": _iso(row["recorded_at"]),
    }


async def risk_flag(row: asyncpg.Record, read: Reader | None) -> dict[str, Any]:
    """A risk flag and, once resolved, its safety response (details only with a reader)."""
    resolved = row["status"] == "resolved"
    details = None
    if read is not None and resolved:
        details = await read(
            "psychosocial.SafetyResponseRecorded/details",
            row["details"],
            visible=True,
            record=row["flag_id"],
        )
    return {
        "flag_id": str(row["flag_id"]),
        "survivor_id": str(row["survivor_id"]),
        "case_number": row["case_number"],
        "assessment_id": str(row["assessment_id"]),
        "reason": row["reason"],
        "item": row["item"],
        "response": row["response"],
        "raised_at": _iso(row["raised_at"]),
        "raised_by": row["raised_by"],
        "retrospective": row["retrospective"],
        "status": row["status"],
        "escalation_level": row["escalation_level"],
        "escalated_at": _iso(row["escalated_at"]) if row["escalated_at"] else None,
        "safety_response": {
            "responder_id": str(row["responder_id"]),
            "actions": list(row["actions"]),
            "referral": row["referral"],
            "details": details,
            "responded_at": _iso(row["responded_at"]),
            "recorded_by": row["resolved_by"],
        }
        if resolved
        else None,
    }


async def goal(
    row: asyncpg.Record, reviews: list[asyncpg.Record], read: Reader, *, notes: bool
) -> dict[str, Any]:
    """A care-plan goal with its reviews (review notes per the counselling_notes rule)."""
    return {
        "goal_id": str(row["goal_id"]),
        "domain": row["domain"],
        "description": await read(
            "psychosocial.CarePlanGoalAdded/description",
            row["description"],
            visible=True,
            record=row["goal_id"],
        ),
        "target_date": row["target_date"].isoformat(),
        "status": row["status"],
        "added_by": row["added_by"],
        "added_at": _iso(row["added_at"]),
        "reviews": [
            {
                "status": r["status"],
                "reviewed_on": r["reviewed_on"].isoformat(),
                "note": await read(
                    "psychosocial.CarePlanGoalReviewed/note",
                    r["note"],
                    visible=notes,
                    record=row["goal_id"],
                ),
                "reviewed_by": r["reviewed_by"],
            }
            for r in reviews
        ],
    }


def notification(found: Notification) -> dict[str, Any]:
    """A notification as the staff application lists it."""
    return {
        "notification_id": str(found.notification_id),
        "kind": found.kind,
        "recipient_role": found.recipient_role,
        "team": found.team,
        "subject": found.subject,
        "text": found.text,
        "link": found.link,
        "created_at": found.created_at.isoformat(),
    }
