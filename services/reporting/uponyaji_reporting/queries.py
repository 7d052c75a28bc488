"""Read-side SQL: journeys (optionally as of a moment), dashboard facts, access records."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
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
from .dashboard import Filter, Key, contributions, render
from .journey import Journey, fold
from .projections import facts_from_row, load_entries


async def journey(pool: asyncpg.Pool, survivor_id: UUID, as_of: datetime | None) -> Journey:
    """A survivor's journey from the entries recorded by `as_of` (now when None)."""
    async with pool.acquire() as conn:
        return fold(survivor_id, await load_entries(conn, survivor_id, as_of))


async def _scan(pool: asyncpg.Pool, where: Filter, days: tuple[date, date] | None) -> Counter[Key]:
    """The keys of the survivors the filter selects (registered within `days`, if given)."""
    start, end = days if days else (where.start, where.end)
    rows = await pool.fetch(
        "SELECT * FROM survivor_facts WHERE registered_on IS NOT NULL AND merged_into IS NULL "
        "AND ($1::date IS NULL OR registered_on >= $1) "
        "AND ($2::date IS NULL OR registered_on <= $2) "
        "AND ($3::text IS NULL OR county = $3) AND ($4::text IS NULL OR team = $4)",
        start,
        end,
        where.county,
        where.team,
    )
    counts: Counter[Key] = Counter()
    for r in rows:
        counts.update(contributions(facts_from_row(r)))
    return counts


async def _cells(
    pool: asyncpg.Pool, county: str, team: str, grain: str, start: date, end: date
) -> Counter[Key]:
    """The summed keys of one level's cells over periods from `start` to `end`."""
    rows = await pool.fetch(
        "SELECT dim, value, sum(n)::int AS n FROM dashboard_cells WHERE county = $1 AND team = $2 "
        "AND grain = $3 AND period BETWEEN $4 AND $5 GROUP BY dim, value",
        county,
        team,
        grain,
        start,
        end,
    )
    return Counter({(r["dim"], r["value"]): r["n"] for r in rows})


async def dashboard(pool: asyncpg.Pool, where: Filter, today: date) -> dict[str, Any]:
    """The dashboard: whole months from the summary cells, edge days from day cells or facts.

    A filter by county and team together selects few survivors: they are counted from facts.
    """
    if where.county and where.team:
        counts = await _scan(pool, where, None)
        return render(counts, where.end or today)
    county, team = where.county or cells.ALL, where.team or cells.ALL
    span = cells.ranges(where.start, where.end)
    counts = Counter[Key]()
    if span.months:
        counts += await _cells(pool, county, team, cells.MONTH, *span.months)
    for days in span.days:
        if county == team == cells.ALL:
            counts += await _cells(pool, county, team, cells.DAY, *days)
        else:
            counts += await _scan(pool, where, days)
    return render(counts, where.end or today)


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
