"""A counsellor's working pages: their caseload at a glance and the sessions of a day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

import asyncpg
from fastapi import APIRouter, Depends, Query
from uponyaji_access import Grant, Listing, authorize

from . import queries
from . import responses as r
from .api import PsDep
from .schemas import Day

CaseloadRead = Annotated[Grant, Depends(authorize("psychosocial.caseload.read", survivor=None))]

router = APIRouter(tags=["psychosocial"])


def _entry(row: asyncpg.Record) -> dict[str, Any]:
    latest = None
    if row["instrument"] is not None:
        latest = {
            "instrument": row["instrument"],
            "band": row["band"],
            "administered_at": row["administered_at"].isoformat(),
        }
    last = row["last_session_on"]
    return {
        "survivor_id": str(row["survivor_id"]),
        "case_number": row["case_number"],
        "assigned_to_you": bool(row["assigned_to_you"]),
        "last_session_on": last.isoformat() if last is not None else None,
        "open_flags": row["open_flags"],
        "latest": latest,
    }


@router.get("/caseload", response_model=r.Caseload)
async def my_caseload(
    grant: CaseloadRead,
    ps: PsDep,
    listed: Listing,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> dict[str, Any]:
    """Open cases on your caseload: case number, last session, open flags, latest band."""
    staff = str(grant.principal.staff_id)
    rows = await queries.caseload(ps.store.pool, grant.caseload_filter(), staff, limit)
    await listed.filtered(grant, (row["survivor_id"] for row in rows))
    return {"survivors": [_entry(row) for row in rows]}


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
    """The sessions you logged for a day, in the order you logged them; no notes."""
    chosen: date = day or ps.today()
    staff = str(grant.principal.staff_id)
    rows = await queries.day_sessions(ps.store.pool, grant.caseload_filter(), staff, chosen)
    await listed.filtered(grant, dict.fromkeys(row["survivor_id"] for row in rows))
    return {
        "day": chosen.isoformat(),
        "previous_day": (chosen - timedelta(days=1)).isoformat(),
        "next_day": (chosen + timedelta(days=1)).isoformat(),
        "sessions": _sessions(rows),
    }
