"""Our own events → our read tables; applied in the command's transaction, rebuildable from zero.

Sealed values are copied as ciphertext: a read table never holds a note in clear.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from uponyaji_events.db import Conn
from uponyaji_events.envelope import Event
from uponyaji_events.store import EventStore

READ_TABLES = (
    "goal_reviews",
    "care_plan_goals",
    "risk_flags",
    "assessments",
    "session_participants",
    "sessions",
)


def _day(value: Any) -> date:
    return date.fromisoformat(str(value))


def _at(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))


def _uuid(value: Any) -> UUID | None:
    return None if value is None else UUID(str(value))


async def _session(conn: Conn, event: Event) -> None:
    p = event.payload
    await conn.execute(
        "INSERT INTO sessions (session_id, kind, held_on, duration_minutes, approach, place, "
        "interpreter, interpreter_language, participants, recorded_by, recorded_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        UUID(p["session_id"]), p["kind"], _day(p["held_on"]), p["duration_minutes"],
        p["approach"], p["place"], p.get("interpreter", False), p.get("interpreter_language"),
        len(p["participants"]), event.actor.id, event.recorded_at,
    )  # fmt: skip
    await conn.executemany(
        "INSERT INTO session_participants (session_id, survivor_id, attendance, notes) "
        "VALUES ($1, $2, $3, $4)",
        [(UUID(p["session_id"]), UUID(x["survivor_id"]), x["attendance"], x.get("notes"))
         for x in p["participants"]],
    )  # fmt: skip


async def _assessment(conn: Conn, event: Event) -> None:
    p = event.payload
    await conn.execute(
        "INSERT INTO assessments (assessment_id, survivor_id, instrument, responses, "
        "administered_at, total, percentage, subscales, band, flags, caseness_cutoff, "
        "supersedes, correction_reason, event_type, recorded_by, recorded_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        UUID(p["assessment_id"]), UUID(p["survivor_id"]), p["instrument"], p["responses"],
        _at(p["administered_at"]), p["total"], p.get("percentage"), p.get("subscales", []),
        p["band"], p.get("flags", []), p["caseness_cutoff"], _uuid(p.get("supersedes")),
        p.get("reason"), event.type, event.actor.id, event.recorded_at,
    )  # fmt: skip
    if p.get("supersedes"):
        await conn.execute(
            "UPDATE assessments SET superseded_by = $2 WHERE assessment_id = $1",
            UUID(p["supersedes"]),
            UUID(p["assessment_id"]),
        )


async def _flag(conn: Conn, event: Event) -> None:
    p = event.payload
    await conn.execute(
        "INSERT INTO risk_flags (flag_id, survivor_id, assessment_id, reason, item, response, "
        "raised_at, raised_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        UUID(p["flag_id"]), UUID(p["survivor_id"]), UUID(p["assessment_id"]), p["reason"],
        p["item"], p["response"], _at(p["raised_at"]), event.actor.id,
    )  # fmt: skip


async def _safety(conn: Conn, event: Event) -> None:
    p = event.payload
    await conn.execute(
        "UPDATE risk_flags SET status = 'resolved', responder_id = $2, actions = $3, "
        "referral = $4, details = $5, responded_at = $6, resolved_by = $7, resolved_at = $8 "
        "WHERE flag_id = $1",
        UUID(p["flag_id"]), UUID(p["responder_id"]), p["actions"], p["referral"],
        p.get("details"), _at(p["responded_at"]), event.actor.id, event.recorded_at,
    )  # fmt: skip


async def _goal(conn: Conn, event: Event) -> None:
    p = event.payload
    await conn.execute(
        "INSERT INTO care_plan_goals (goal_id, survivor_id, domain, description, target_date, "
        "added_by, added_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        UUID(p["goal_id"]), UUID(p["survivor_id"]), p["domain"], p["description"],
        _day(p["target_date"]), event.actor.id, event.recorded_at,
    )  # fmt: skip


async def _review(conn: Conn, event: Event) -> None:
    p = event.payload
    await conn.execute(
        "INSERT INTO goal_reviews (event_id, goal_id, status, reviewed_on, note, reviewed_by, "
        "recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        event.event_id, UUID(p["goal_id"]), p["status"], _day(p["reviewed_on"]), p.get("note"),
        event.actor.id, event.recorded_at,
    )  # fmt: skip
    await conn.execute(
        "UPDATE care_plan_goals SET status = $2, updated_at = $3 WHERE goal_id = $1",
        UUID(p["goal_id"]),
        p["status"],
        event.recorded_at,
    )


APPLY: dict[str, Callable[[Conn, Event], Awaitable[None]]] = {
    "psychosocial.SessionRecorded": _session,
    "psychosocial.AssessmentRecorded": _assessment,
    "psychosocial.AssessmentCorrected": _assessment,
    "psychosocial.RiskFlagRaised": _flag,
    "psychosocial.SafetyResponseRecorded": _safety,
    "psychosocial.CarePlanGoalAdded": _goal,
    "psychosocial.CarePlanGoalReviewed": _review,
}


async def apply_all(conn: Conn, events: Iterable[Event]) -> None:
    """Apply our events to the read tables (audit and erasure events change none)."""
    for event in events:
        project = APPLY.get(event.type)
        if project is not None:
            await project(conn, event)


async def rebuild(store: EventStore, *, page: int = 1000) -> int:
    """Empty the read tables and replay every event in commit order; return how many."""
    await store.sequence()
    applied, after = 0, 0
    async with store.transaction() as conn:
        await conn.execute(f"TRUNCATE {', '.join(READ_TABLES)}")
        while True:
            events = await store.read_all(after, page)
            if not events:
                return applied
            await apply_all(conn, events)
            applied += len(events)
            after = events[-1].position or after
