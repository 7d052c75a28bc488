"""Our own events → our read tables; applied in the command's transaction, rebuildable from zero.

Sealed values are copied as ciphertext: a read table never holds a note in clear.
"""

from __future__ import annotations

from uuid import UUID, uuid5

from uponyaji_events.db import Conn
from uponyaji_events.envelope import Event
from uponyaji_events.folding import as_day, as_uuid
from uponyaji_events.read_model import Change, ReadModel, Row
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


_SESSION = Row(
    "sessions",
    "session_id kind held_on duration_minutes approach place "
    "interpreter_language recorded_by=@actor recorded_at=@at",
)
_ASSESSMENT = Row(
    "assessments",
    "assessment_id survivor_id instrument responses administered_at total "
    "percentage band caseness_cutoff supersedes correction_reason=reason event_type=@type "
    "recorded_by=@actor recorded_at=@at",
    key="assessment_id",
)
_FLAG = Row(
    "risk_flags",
    "flag_id survivor_id assessment_id reason item response raised_at raised_by=@actor",
)
_ESCALATED = Change("risk_flags", "escalation_level=level escalated_at", key="flag_id")
_GOAL_STATUS = Change("care_plan_goals", "status updated_at=@at", key="goal_id")
_GOAL_REVIEW = Row(
    "goal_reviews",
    "event_id=@id goal_id status reviewed_on note reviewed_by=@actor recorded_at=@at",
)


async def _session(conn: Conn, event: Event) -> None:
    p = event.payload
    counted = {"interpreter": p.get("interpreter", False), "participants": len(p["participants"])}
    await _SESSION.insert(conn, event, counted)
    await conn.executemany(
        "INSERT INTO session_participants (session_id, survivor_id, attendance, notes) "
        "VALUES ($1, $2, $3, $4)",
        [
            (as_uuid(p["session_id"]), as_uuid(x["survivor_id"]), x["attendance"], x.get("notes"))
            for x in p["participants"]
        ],
    )


async def _assessment(conn: Conn, event: Event) -> None:
    p = event.payload
    lists = {"subscales": p.get("subscales", []), "flags": p.get("flags", [])}
    retrospective = p.get("retrospective_reason") is not None
    await _ASSESSMENT.insert(conn, event, {**lists, "retrospective": retrospective})


async def _flag(conn: Conn, event: Event) -> None:
    await _FLAG(conn, event)
    survivor_id = as_uuid(event.payload["survivor_id"])
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
    survivor_id = as_uuid(p["survivor_id"])
    await _ESCALATED(conn, event)
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


async def _review(conn: Conn, event: Event) -> None:
    await _GOAL_REVIEW(conn, event)
    await _GOAL_STATUS(conn, event)


async def _planned(conn: Conn, event: Event) -> None:
    p = event.payload
    await conn.execute(
        "INSERT INTO planned_sessions (survivor_id, planned_on, planned_by, recorded_at) "
        "VALUES ($1, $2, $3, $4) ON CONFLICT (survivor_id) DO UPDATE SET "
        "planned_on = $2, planned_by = $3, recorded_at = $4",
        as_uuid(p["survivor_id"]),
        None if p.get("planned_on") is None else as_day(p["planned_on"]),
        event.actor.id,
        event.recorded_at,
    )


READ_MODEL = ReadModel(
    tables=(
        "planned_sessions",
        "goal_reviews",
        "care_plan_goals",
        "risk_flags",
        "assessments",
        "session_participants",
        "sessions",
    ),
    appliers={
        "psychosocial.SessionRecorded": _session,
        "psychosocial.AssessmentRecorded": _assessment,
        "psychosocial.AssessmentCorrected": _assessment,
        "psychosocial.RiskFlagRaised": _flag,
        "psychosocial.RiskFlagEscalated": _escalated,
        "psychosocial.SafetyResponseRecorded": Change(
            "risk_flags",
            "responder_id actions referral details responded_at resolved_by=@actor resolved_at=@at",
            key="flag_id",
            also="status = 'resolved'",
        ),
        "psychosocial.CarePlanGoalAdded": Row(
            "care_plan_goals",
            "goal_id survivor_id domain description target_date added_by=@actor "
            "added_at=@at updated_at=@at",
        ),
        "psychosocial.CarePlanGoalReviewed": _review,
        "psychosocial.SessionPlanned": _planned,
    },
)
READ_TABLES = READ_MODEL.tables
apply_all = READ_MODEL.apply_all
rebuild = READ_MODEL.rebuild
