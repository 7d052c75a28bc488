"""Read-side SQL: journeys (optionally as of a moment), dashboard facts, access records."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from . import cells

# The audit view's alerts live in alerts.py (re-exported for the routes and older callers).
from .alerts import MANY_SEARCHES_A_DAY as MANY_SEARCHES_A_DAY
from .alerts import MANY_SURVIVORS_A_DAY as MANY_SURVIVORS_A_DAY
from .alerts import OUTSIDE_CASELOAD_A_DAY as OUTSIDE_CASELOAD_A_DAY
from .alerts import REFUSED_A_DAY as REFUSED_A_DAY
from .alerts import access_alerts as access_alerts
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
    pool: asyncpg.Pool,
    period: Period,
    county: str | None,
    team: str | None,
    *,
    base: int,
    language: Language,
) -> dict[str, Any]:
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
    """Who read which survivor's data (and whether on their caseload), newest first, filtered.

    A list's or search's answer is a row without survivor (`results`: how many it named,
    `query_hash`: a search's keyed hash), followed by one row per survivor it named.
    """
    rows = await pool.fetch(
        "SELECT source, staff_id, role, action, survivor_id, purpose, outcome, on_caseload, "
        "route, at, query_hash, results "
        "FROM access_records WHERE ($1::text IS NULL OR staff_id = $1) "
        "AND ($2::uuid IS NULL OR survivor_id = $2) "
        "AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at <= $4) "
        "ORDER BY at DESC, source, staff_id, position, item LIMIT $5",
        staff_id,
        survivor_id,
        start,
        end,
        limit,
    )
    return [dict(r) for r in rows]
