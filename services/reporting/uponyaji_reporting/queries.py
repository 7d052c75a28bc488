"""Read-side SQL: journeys (optionally as of a moment), dashboard facts, access records."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from . import cells
from .counties import Language
from .dashboard import Key, render
from .disclosure import Group
from .journey import Journey, fold
from .periods import Period
from .projections import load_entries


async def journey(pool: asyncpg.Pool, survivor_id: UUID, as_of: datetime | None) -> Journey:
    """A survivor's journey from the entries recorded by `as_of` (now when None)."""
    async with pool.acquire() as conn:
        return fold(survivor_id, await load_entries(conn, survivor_id, as_of))


async def tally(
    pool: asyncpg.Pool, period: Period, county: str | None, team: str | None
) -> dict[Key, Group]:
    """The summed keys (count, key sum) of a period's month cells for a county and team."""
    first, last = period.months
    rows = await pool.fetch(
        "SELECT dim, value, sum(n)::int AS n, sum(k)::bigint AS k FROM dashboard_cells "
        "WHERE county = $1 AND team = $2 AND grain = $3 AND period BETWEEN $4 AND $5 "
        "GROUP BY dim, value",
        county or cells.ALL,
        team or cells.ALL,
        cells.MONTH,
        first,
        last,
    )
    return {(r["dim"], r["value"]): Group(r["n"], r["k"]) for r in rows}


async def dashboard(
    pool: asyncpg.Pool, period: Period, county: str | None, team: str | None, *,
    base: int, language: Language,
) -> dict[str, Any]:  # fmt: skip
    """The published dashboard of a period, county and team, read from the summary cells."""
    counts = await tally(pool, period, county, team)
    return render(counts, period.last, base, language)


async def assignment(pool: asyncpg.Pool, survivor_id: UUID) -> tuple[str | None, str | None] | None:
    """The survivor's team and lead case worker, or None when reporting has not heard of them."""
    row = await pool.fetchrow(
        "SELECT team, lead_worker FROM survivor_facts WHERE survivor_id = $1", survivor_id
    )
    return None if row is None else (row["team"], row["lead_worker"])


async def access_records(
    pool: asyncpg.Pool,
    *,
    staff_id: str | None,
    survivor_id: UUID | None,
    start: datetime | None,
    end: datetime | None,
    limit: int,
) -> list[dict[str, Any]]:
    """Who read which survivor's data (and whether on their caseload), newest first, filtered."""
    rows = await pool.fetch(
        "SELECT source, staff_id, role, action, survivor_id, purpose, outcome, on_caseload, "
        "route, at "
        "FROM access_records WHERE ($1::text IS NULL OR staff_id = $1) "
        "AND ($2::uuid IS NULL OR survivor_id = $2) "
        "AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at <= $4) "
        "ORDER BY at DESC, source, staff_id LIMIT $5",
        staff_id,
        survivor_id,
        start,
        end,
        limit,
    )
    return [dict(r) for r in rows]


MANY_SURVIVORS_A_DAY = 25  # distinct survivors read by one person in one day
OUTSIDE_CASELOAD_A_DAY = 10  # distinct survivors read while not on the reader's caseload, a day
REFUSED_A_DAY = 3  # distinct survivors refused (off caseload, unknown, forbidden) in one day


async def access_alerts(
    pool: asyncpg.Pool, *, start: datetime | None, end: datetime | None
) -> list[dict[str, Any]]:
    """Unusual access per staff member and UTC day: many survivors, many off caseload, refusals."""
    # on_caseload is false only when the record says so: null (older records, unknown) never counts.
    rows = await pool.fetch(
        "SELECT * FROM (SELECT staff_id, (at AT TIME ZONE 'UTC')::date AS day, "
        "count(DISTINCT survivor_id) FILTER (WHERE outcome = 'allowed') AS read, "
        "count(DISTINCT survivor_id) FILTER (WHERE outcome = 'allowed' AND NOT on_caseload "
        "AND scope IS DISTINCT FROM 'aggregate') "
        "AS outside, "
        "count(DISTINCT survivor_id) FILTER (WHERE outcome <> 'allowed') AS refused "
        "FROM access_records WHERE survivor_id IS NOT NULL "
        "AND ($1::timestamptz IS NULL OR at >= $1) AND ($2::timestamptz IS NULL OR at <= $2) "
        "GROUP BY 1, 2) AS daily WHERE read >= $3 OR outside >= $4 OR refused >= $5 "
        "ORDER BY day DESC, staff_id",
        start,
        end,
        MANY_SURVIVORS_A_DAY,
        OUTSIDE_CASELOAD_A_DAY,
        REFUSED_A_DAY,
    )
    alerts = []
    for r in rows:
        reasons = []
        if r["read"] >= MANY_SURVIVORS_A_DAY:
            reasons.append("many_survivors_in_a_day")
        if r["outside"] >= OUTSIDE_CASELOAD_A_DAY:
            reasons.append("many_survivors_outside_caseload_in_a_day")
        if r["refused"] >= REFUSED_A_DAY:
            reasons.append("repeated_refusals_off_caseload")
        alerts.append(
            {"staff_id": r["staff_id"], "day": r["day"].isoformat(), "survivors_read": r["read"],
             "survivors_outside_caseload": r["outside"], "survivors_refused": r["refused"],
             "reasons": reasons}
        )  # fmt: skip
    return alerts
