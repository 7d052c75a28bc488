"""A counsellor's working pages: their caseload at a glance and the sessions of a day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends, Query
from uponyaji_access import Grant, Listing, authorize

from . import queries
from . import workday_responses as r
from .api import PsDep, SessionRecord, actor, written
from .handlers.sessions import plan_session
from .schemas import Day, PlanBody

CaseloadRead = Annotated[Grant, Depends(authorize("psychosocial.caseload.read", survivor=None))]

router = APIRouter(tags=["psychosocial"])


def _entry(row: asyncpg.Record, today: date) -> dict[str, Any]:
    latest = None
    if row["instrument"] is not None:
        latest = {
            "instrument": row["instrument"],
            "band": row["band"],
            "administered_at": row["administered_at"].isoformat(),
        }
    last, planned = row["last_session_on"], row["planned_on"]
    # A plan counts from today on, until a session the survivor attended reaches its day.
    upcoming = planned is not None and planned >= today and (last is None or last < planned)
    return {
        "survivor_id": str(row["survivor_id"]),
        "case_number": row["case_number"],
        "assigned_to_you": bool(row["assigned_to_you"]),
        "last_session_on": last.isoformat() if last is not None else None,
        "open_flags": row["open_flags"],
        "latest": latest,
        "next_session_on": planned.isoformat() if upcoming else None,
    }


@router.get("/caseload", response_model=r.Caseload)
async def my_caseload(
    grant: CaseloadRead,
    ps: PsDep,
    listed: Listing,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """Open cases on your caseload: case number, last session, open flags, latest band; a page
    of `limit` from `offset` (`next_offset` when there are more)."""
    staff = str(grant.principal.staff_id)
    rows = await queries.caseload(ps.store.pool, grant.caseload_filter(), staff, limit + 1, offset)
    more, rows = len(rows) > limit, rows[:limit]
    await listed.filtered(grant, (row["survivor_id"] for row in rows))
    today = ps.today()
    return {
        "survivors": [_entry(row, today) for row in rows],
        "next_offset": offset + limit if more else None,
    }


def _sessions(rows: list[asyncpg.Record]) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        key = str(row["session_id"])
        if key not in found:
            found[key] = {
                "session_id": key,
                "kind": row["kind"],
                "held_on": row["held_on"].isoformat(),
                "duration_minutes": row["duration_minutes"],
                "approach": row["approach"],
                "place": row["place"],
                "participants": row["participants"],
                "recorded_at": row["recorded_at"].isoformat(),
                "survivors": [],
            }
        found[key]["survivors"].append(
            {
                "survivor_id": str(row["survivor_id"]),
                "case_number": row["case_number"],
                "attendance": row["attendance"],
            }
        )
    return list(found.values())


@router.get("/sessions", response_model=r.Day)
async def my_day(
    grant: CaseloadRead,
    ps: PsDep,
    listed: Listing,
    day: Annotated[Day | None, Query(description="Default: today in East Africa Time")] = None,
) -> dict[str, Any]:
    """The sessions you logged for a day, in the order you logged them (no notes), and the
    survivors whose next session you planned for it."""
    chosen: date = day or ps.today()
    staff, bound = str(grant.principal.staff_id), grant.caseload_filter()
    rows = await queries.day_sessions(ps.store.pool, bound, staff, chosen)
    planned = await queries.day_planned(ps.store.pool, bound, staff, chosen)
    survivors = [row["survivor_id"] for row in rows] + [row["survivor_id"] for row in planned]
    await listed.filtered(grant, dict.fromkeys(survivors))
    return {
        "day": chosen.isoformat(),
        "previous_day": (chosen - timedelta(days=1)).isoformat(),
        "next_day": (chosen + timedelta(days=1)).isoformat(),
        "sessions": _sessions(rows),
        "planned": [
            {
                "survivor_id": str(row["survivor_id"]),
                "case_number": row["case_number"],
                "logged": row["logged"],
            }
            for row in planned
        ],
    }


@router.post("/survivors/{survivor_id}/next-session", status_code=201, response_model=r.NextSession)
async def plan_next(
    survivor_id: UUID, body: PlanBody, grant: SessionRecord, ps: PsDep
) -> dict[str, Any]:
    """Plan the next session with the survivor (`planned_on` null clears it); not in the past."""
    events = await plan_session(ps, survivor_id, body, actor(grant))
    day = body.planned_on.isoformat() if body.planned_on is not None else None
    return {"survivor_id": str(survivor_id), "planned_on": day, "events": written(events)}
