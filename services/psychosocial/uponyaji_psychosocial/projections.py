"""Our own events → our read tables; applied in the command's transaction, rebuildable from zero.

Sealed values are copied as ciphertext: a read table never holds a note in clear.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid5

from uponyaji_events.db import Conn
from uponyaji_events.envelope import Event
from uponyaji_events.projection import replay
from uponyaji_events.store import EventStore
from uponyaji_notify import outbox

# Notification ids derive from the causing event: a replay never notifies twice. The outbox is
# not a read table (a rebuild keeps it), since what was sent stays sent.
NOTIFY = uuid5(UUID("6f1d2c6e-52a4-4d0e-9a56-2b1c1f0d7a10"), "psychosocial.notifications")


def record_link(survivor_id: UUID) -> str:
    """The path of a survivor's record in the staff application: an opaque id, no identity."""
    return f"/survivors/{survivor_id}"


async def _team(conn: Conn, survivor_id: UUID) -> str | None:
    found = await conn.fetchval("SELECT team FROM caseload WHERE survivor_id = $1", survivor_id)
    return None if found is None else str(found)


async def _worker(conn: Conn, survivor_id: UUID) -> list[UUID]:
    """The survivor's lead case worker (the person assigned to them), when there is one."""
    found = await conn.fetchval(
        "SELECT case_worker FROM caseload WHERE survivor_id = $1", survivor_id
    )
    return [] if found is None else [UUID(str(found))]


READ_TABLES = (
    "planned_sessions",
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
        UUID(p["session_id"]),
        p["kind"],
        _day(p["held_on"]),
        p["duration_minutes"],
        p["approach"],
        p["place"],
        p.get("interpreter", False),
        p.get("interpreter_language"),
        len(p["participants"]),
        event.actor.id,
        event.recorded_at,
    )
    await conn.executemany(
        "INSERT INTO session_participants (session_id, survivor_id, attendance, notes) "
        "VALUES ($1, $2, $3, $4)",
        [
            (UUID(p["session_id"]), UUID(x["survivor_id"]), x["attendance"], x.get("notes"))
            for x in p["participants"]
        ],
    )


async def _assessment(conn: Conn, event: Event) -> None:
    p = event.payload
    await conn.execute(
        "INSERT INTO assessments (assessment_id, survivor_id, instrument, responses, "
        "administered_at, total, percentage, subscales, band, flags, caseness_cutoff, "
        "supersedes, correction_reason, event_type, recorded_by, recorded_at, retrospective) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        UUID(p["assessment_id"]),
        UUID(p["survivor_id"]),
        p["instrument"],
        p["responses"],
        _at(p["administered_at"]),
        p["total"],
        p.get("percentage"),
        p.get("subscales", []),
        p["band"],
        p.get("flags", []),
        p["caseness_cutoff"],
        _uuid(p.get("supersedes")),
        p.get("reason"),
        event.type,
        event.actor.id,
        event.recorded_at,
        p.get("retrospective_reason") is not None,
    )
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
        UUID(p["flag_id"]),
        UUID(p["survivor_id"]),
        UUID(p["assessment_id"]),
        p["reason"],
        p["item"],
        p["response"],
        _at(p["raised_at"]),
        event.actor.id,
    )
    survivor_id = UUID(p["survivor_id"])
    await outbox.add(
        conn,
        uuid5(NOTIFY, str(event.event_id)),
        recipient_role="clinical_supervisor",
        team=await _team(conn, survivor_id),
        kind="risk_flag_raised",
        link=record_link(survivor_id),
        at=event.recorded_at,
        staff=await _worker(conn, survivor_id),
    )


async def _escalated(conn: Conn, event: Event) -> None:
    p = event.payload
    survivor_id = UUID(p["survivor_id"])
    await conn.execute(
        "UPDATE risk_flags SET escalation_level = $2, escalated_at = $3 WHERE flag_id = $1",
        UUID(p["flag_id"]),
        p["level"],
        _at(p["escalated_at"]),
    )
    # The first level goes to the supervisors of the survivor's team, the second to every
    # programme lead (they oversee the whole programme).
    team = await _team(conn, survivor_id) if p["level"] == 1 else None
    await outbox.add(
        conn,
        uuid5(NOTIFY, str(event.event_id)),
        recipient_role=p["to_role"],
        team=team,
        kind="risk_flag_escalated",
        link=record_link(survivor_id),
        at=event.recorded_at,
        hours=p["after_hours"],
    )


async def _safety(conn: Conn, event: Event) -> None:
    p = event.payload
    await conn.execute(
        "UPDATE risk_flags SET status = 'resolved', responder_id = $2, actions = $3, "
        "referral = $4, details = $5, responded_at = $6, resolved_by = $7, resolved_at = $8 "
        "WHERE flag_id = $1",
        UUID(p["flag_id"]),
        UUID(p["responder_id"]),
        p["actions"],
        p["referral"],
        p.get("details"),
        _at(p["responded_at"]),
        event.actor.id,
        event.recorded_at,
    )


async def _goal(conn: Conn, event: Event) -> None:
    p = event.payload
    await conn.execute(
        "INSERT INTO care_plan_goals (goal_id, survivor_id, domain, description, target_date, "
        "added_by, added_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        UUID(p["goal_id"]),
        UUID(p["survivor_id"]),
        p["domain"],
        p["description"],
        _day(p["target_date"]),
        event.actor.id,
        event.recorded_at,
    )


async def _review(conn: Conn, event: Event) -> None:
    p = event.payload
    await conn.execute(
        "INSERT INTO goal_reviews (event_id, goal_id, status, reviewed_on, note, reviewed_by, "
        "recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        event.event_id,
        UUID(p["goal_id"]),
        p["status"],
        _day(p["reviewed_on"]),
        p.get("note"),
        event.actor.id,
        event.recorded_at,
    )
    await conn.execute(
        "UPDATE care_plan_goals SET status = $2, updated_at = $3 WHERE goal_id = $1",
        UUID(p["goal_id"]),
        p["status"],
        event.recorded_at,
    )


async def _planned(conn: Conn, event: Event) -> None:
    p = event.payload
    await conn.execute(
        "INSERT INTO planned_sessions (survivor_id, planned_on, planned_by, recorded_at) "
        "VALUES ($1, $2, $3, $4) ON CONFLICT (survivor_id) DO UPDATE SET "
        "planned_on = $2, planned_by = $3, recorded_at = $4",
        UUID(p["survivor_id"]),
        None if p.get("planned_on") is None else _day(p["planned_on"]),
        event.actor.id,
        event.recorded_at,
    )


APPLY: dict[str, Callable[[Conn, Event], Awaitable[None]]] = {
    "psychosocial.SessionRecorded": _session,
    "psychosocial.AssessmentRecorded": _assessment,
    "psychosocial.AssessmentCorrected": _assessment,
    "psychosocial.RiskFlagRaised": _flag,
    "psychosocial.RiskFlagEscalated": _escalated,
    "psychosocial.SafetyResponseRecorded": _safety,
    "psychosocial.CarePlanGoalAdded": _goal,
    "psychosocial.CarePlanGoalReviewed": _review,
    "psychosocial.SessionPlanned": _planned,
}


async def apply_all(conn: Conn, events: Iterable[Event]) -> None:
    """Apply our events to the read tables (audit and erasure events change none)."""
    for event in events:
        project = APPLY.get(event.type)
        if project is not None:
            await project(conn, event)


async def rebuild(
    store: EventStore, *, page: int = 1000, on_page: Callable[[int], None] | None = None
) -> int:
    """Empty the read tables and replay every event in commit order; return how many."""
    return await replay(store, READ_TABLES, apply_all, page=page, on_page=on_page)
