"""Psychosocial's HTTP routes: parse, authorise (libs/access), call a handler or query, shape."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from uponyaji_access import AccessDep, Grant, Listing, authorize
from uponyaji_events.contracts.psychosocial import InstrumentCode
from uponyaji_events.envelope import Actor, Event
from uponyaji_notify import for_staff
from uponyaji_service import DirectRoute, resource

from . import progress, queries, views
from . import responses as r
from .handlers import Psychosocial
from .handlers.assessments import correct_assessment, record_assessment
from .handlers.care import add_goal, respond_to_flag, review_goal
from .handlers.sessions import record_session
from .schemas import (
    AssessmentBody,
    CorrectionBody,
    GoalBody,
    ReviewBody,
    SafetyResponseBody,
    SessionBody,
)

get_ps = resource(Psychosocial)  # the service's command side (built in the lifespan)


async def flag_survivor(request: Request) -> UUID | None:
    """The survivor a risk flag belongs to (None: no such flag, answered 404)."""
    try:
        flag_id = UUID(str(request.path_params["flag_id"]))
    except ValueError:
        return None
    return await queries.flag_survivor((await get_ps(request)).store.pool, flag_id)


PsDep = Annotated[Psychosocial, Depends(get_ps)]
SessionRecord = Annotated[Grant, Depends(authorize("psychosocial.session.record"))]
SessionRead = Annotated[Grant, Depends(authorize("psychosocial.session.read"))]
AssessmentRecord = Annotated[Grant, Depends(authorize("psychosocial.assessment.record"))]
AssessmentRead = Annotated[Grant, Depends(authorize("psychosocial.assessment.read"))]
FlagsRead = Annotated[Grant, Depends(authorize("riskflag.read", survivor=None))]
SurvivorFlagsRead = Annotated[Grant, Depends(authorize("riskflag.read"))]
FlagResolve = Annotated[Grant, Depends(authorize("riskflag.resolve", survivor=flag_survivor))]
CarePlanManage = Annotated[Grant, Depends(authorize("careplan.manage"))]
CarePlanRead = Annotated[Grant, Depends(authorize("careplan.read"))]
NotificationsRead = Annotated[Grant, Depends(authorize("notifications.read", survivor=None))]


class FlagStatus(StrEnum):
    """Which risk flags to list."""

    OPEN = "open"
    RESOLVED = "resolved"
    ALL = "all"


# Plain requests are served without FastAPI's dependency machinery (same answers, less CPU).
router = APIRouter(tags=["psychosocial"], route_class=DirectRoute)


def actor(grant: Grant) -> Actor:
    """The events' actor: the caller, in the role the policy allowed them under."""
    return grant.principal.actor(grant.role or "unknown")


def written(events: list[Event]) -> list[dict[str, Any]]:
    """What a command recorded."""
    return [{"type": e.type, "stream_id": e.stream_id, "version": e.version} for e in events]


async def reader(ps: Psychosocial, survivor_id: UUID) -> views.Reader:
    """Unsealing for one survivor (erased survivors read as `[erased]`)."""
    return views.Reader(
        ps.keys.sealer, survivor_id, erased=await queries.erased(ps.store.pool, survivor_id)
    )


@router.post("/survivors/{survivor_id}/sessions", status_code=201, response_model=r.SessionLogged)
async def log_session(
    survivor_id: UUID,
    body: SessionBody,
    grant: SessionRecord,
    ps: PsDep,
    access: AccessDep,
    request: Request,
) -> r.SessionLogged:
    """Log a session; every other participant must be on your caseload and consenting too."""
    for other in body.other_participants:
        await access.authorize(
            grant.principal,
            grant.action,
            survivor_level=True,
            survivor_id=other.survivor_id,
            purpose=grant.purpose,
            method=request.method,
            route="/survivors/{survivor_id}/sessions",
        )
    events = await record_session(ps, survivor_id, body, actor(grant))
    return r.SessionLogged.model_validate(
        {"session_id": events[0].stream_id, "events": written(events)}
    )


@router.get("/survivors/{survivor_id}/sessions", response_model=r.Sessions)
async def list_sessions(survivor_id: UUID, grant: SessionRead, ps: PsDep) -> r.Sessions:
    """The survivor's sessions, newest first; notes only for counsellors on the caseload."""
    notes = grant.sees("counselling_notes")
    read = await reader(ps, survivor_id)
    rows = await queries.sessions(ps.store.pool, survivor_id)
    return r.Sessions.model_validate(
        {"sessions": [await views.session(row, read, notes=notes) for row in rows]}
    )


def _scored(events: list[Event]) -> dict[str, Any]:
    p = events[0].payload
    flags = [e.payload["flag_id"] for e in events if e.type.endswith(".RiskFlagRaised")]
    return {
        "assessment_id": p["assessment_id"],
        "instrument": p["instrument"],
        "total": views.number(p["total"]),
        "percentage": p.get("percentage"),
        "subscales": {s["name"]: views.number(s["score"]) for s in p["subscales"]},
        "band": p["band"],
        "flags": p["flags"],
        "risk_flag_id": flags[0] if flags else None,
        "supersedes": p.get("supersedes"),
        "events": written(events),
    }


@router.post("/survivors/{survivor_id}/assessments", status_code=201, response_model=r.Scored)
async def administer(
    survivor_id: UUID, body: AssessmentBody, grant: AssessmentRecord, request: Request
) -> r.Scored:
    """Record an administration: scored, banded and flagged (PHQ-9 item 9 raises a risk flag)."""
    # The busiest command: the service's resources are looked up here rather than declared as a
    # dependency, which would cost FastAPI another resolution pass per request.
    ps = await get_ps(request)
    return r.Scored.model_validate(
        _scored(await record_assessment(ps, survivor_id, body, actor(grant)))
    )


@router.post(
    "/survivors/{survivor_id}/assessments/{assessment_id}/correction",
    status_code=201,
    response_model=r.Scored,
)
async def correct(
    survivor_id: UUID,
    assessment_id: UUID,
    body: CorrectionBody,
    grant: AssessmentRecord,
    ps: PsDep,
) -> r.Scored:
    """Correct an administration: a new one supersedes it, with a reason (history kept)."""
    return r.Scored.model_validate(
        _scored(await correct_assessment(ps, survivor_id, assessment_id, body, actor(grant)))
    )


@router.get("/survivors/{survivor_id}/assessments", response_model=r.Assessments)
async def list_assessments(
    survivor_id: UUID, grant: AssessmentRead, ps: PsDep, instrument: InstrumentCode | None = None
) -> r.Assessments:
    """Every administration (current and superseded), in order of administration."""
    code = instrument.value if instrument is not None else None
    rows = await queries.assessments(ps.store.pool, survivor_id, code)
    read = await reader(ps, survivor_id)
    return r.Assessments.model_validate(
        {"assessments": [await views.assessment(row, read) for row in rows]}
    )


@router.get("/survivors/{survivor_id}/progress", response_model=r.Progress)
async def survivor_progress(survivor_id: UUID, grant: AssessmentRead, ps: PsDep) -> r.Progress:
    """Per instrument: baseline, latest, change, Reliable Change Index and its meaning."""
    rows = await queries.assessments(ps.store.pool, survivor_id, None)
    points = [views.point(row) for row in rows if row["superseded_by"] is None]
    return r.Progress.model_validate(
        {"survivor_id": str(survivor_id), "instruments": progress.progress(ps.table, points)}
    )


@router.get("/risk-flags", response_model=r.RiskFlags)
async def list_flags(
    grant: FlagsRead,
    ps: PsDep,
    listed: Listing,
    status: FlagStatus = FlagStatus.OPEN,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> r.RiskFlags:
    """Risk flags on your caseload, oldest first (open ones by default: for supervisors)."""
    wanted = None if status is FlagStatus.ALL else status.value
    rows = await queries.risk_flags(ps.store.pool, wanted, grant.caseload_filter(), limit)
    flags = [await views.risk_flag(row, None) for row in rows]
    await listed.filtered(grant, (row["survivor_id"] for row in rows))
    return r.RiskFlags.model_validate({"flags": flags})


@router.get("/survivors/{survivor_id}/risk-flags", response_model=r.RiskFlags)
async def survivor_flags(survivor_id: UUID, grant: SurvivorFlagsRead, ps: PsDep) -> r.RiskFlags:
    """One survivor's risk flags and safety responses, oldest first."""
    read = await reader(ps, survivor_id)
    rows = await queries.survivor_flags(ps.store.pool, survivor_id)
    return r.RiskFlags.model_validate({"flags": [await views.risk_flag(row, read) for row in rows]})


@router.post("/risk-flags/{flag_id}/resolution", status_code=201, response_model=r.FlagResolved)
async def resolve_flag(
    flag_id: UUID, body: SafetyResponseBody, grant: FlagResolve, ps: PsDep
) -> r.FlagResolved:
    """Record the safety response (who, what was done, referral): the flag is resolved."""
    assert grant.survivor_id is not None  # the locator found the flag's survivor
    events = await respond_to_flag(
        ps, grant.survivor_id, flag_id, body, actor(grant), grant.principal.staff_id
    )
    return r.FlagResolved.model_validate(
        {"flag_id": str(flag_id), "status": "resolved", "events": written(events)}
    )


@router.get("/notifications", response_model=r.Notifications)
async def my_notifications(
    grant: NotificationsRead, ps: PsDep, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> r.Notifications:
    """Your notifications (to your roles, on your teams), newest first: no identity, a link."""
    principal = grant.principal
    found = await for_staff(
        ps.store.pool,
        sorted(principal.roles),
        sorted(principal.teams),
        limit,
        staff_id=principal.staff_id,
    )
    return r.Notifications.model_validate({"notifications": [views.notification(n) for n in found]})


@router.post(
    "/survivors/{survivor_id}/care-plan/goals", status_code=201, response_model=r.GoalAdded
)
async def new_goal(
    survivor_id: UUID, body: GoalBody, grant: CarePlanManage, ps: PsDep
) -> r.GoalAdded:
    """Add a goal (symptoms, daily functioning, relationships, safety, livelihood)."""
    events = await add_goal(ps, survivor_id, body, actor(grant))
    return r.GoalAdded.model_validate(
        {"goal_id": events[0].payload["goal_id"], "events": written(events)}
    )


@router.post(
    "/survivors/{survivor_id}/care-plan/goals/{goal_id}/reviews",
    status_code=201,
    response_model=r.GoalReviewed,
)
async def review(
    survivor_id: UUID, goal_id: UUID, body: ReviewBody, grant: CarePlanManage, ps: PsDep
) -> r.GoalReviewed:
    """Review a goal: its status now, with an optional note."""
    events = await review_goal(ps, survivor_id, goal_id, body, actor(grant))
    return r.GoalReviewed.model_validate(
        {"goal_id": str(goal_id), "status": body.status.value, "events": written(events)}
    )


@router.get("/survivors/{survivor_id}/care-plan", response_model=r.CarePlan)
async def care_plan(survivor_id: UUID, grant: CarePlanRead, ps: PsDep) -> r.CarePlan:
    """The care plan: goals by target date with their reviews."""
    rows = await queries.goals(ps.store.pool, survivor_id)
    reviews = await queries.reviews(ps.store.pool, [row["goal_id"] for row in rows])
    read, notes = await reader(ps, survivor_id), grant.sees("counselling_notes")
    return r.CarePlan.model_validate(
        {
            "survivor_id": str(survivor_id),
            "goals": [
                await views.goal(
                    row, [r for r in reviews if r["goal_id"] == row["goal_id"]], read, notes=notes
                )
                for row in rows
            ],
        }
    )
