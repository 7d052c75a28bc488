"""Read-side SQL: sessions, assessments, risk flags and care plans from the read tables."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import asyncpg

Rows = list[asyncpg.Record]


async def sessions(pool: asyncpg.Pool, survivor_id: UUID) -> Rows:
    """The survivor's sessions (with their own attendance and sealed notes), newest first."""
    return list(
        await pool.fetch(
            "SELECT s.*, p.attendance, p.notes FROM session_participants p "
            "JOIN sessions s USING (session_id) WHERE p.survivor_id = $1 "
            "ORDER BY s.held_on DESC, s.recorded_at DESC",
            survivor_id,
        )
    )


async def assessments(pool: asyncpg.Pool, survivor_id: UUID, instrument: str | None) -> Rows:
    """The survivor's administrations (current and superseded), in order of administration."""
    return list(
        await pool.fetch(
            "SELECT * FROM assessments WHERE survivor_id = $1 "
            "AND ($2::text IS NULL OR instrument = $2) "
            "ORDER BY administered_at, recorded_at",
            survivor_id,
            instrument,
        )
    )


async def flag_survivor(pool: asyncpg.Pool, flag_id: UUID) -> UUID | None:
    """The survivor a risk flag belongs to (None: no such flag)."""
    found = await pool.fetchval("SELECT survivor_id FROM risk_flags WHERE flag_id = $1", flag_id)
    return UUID(str(found)) if found is not None else None


_FLAGS = (
    "SELECT f.*, s.case_number, s.erasure_requested_at, "
    "coalesce(a.retrospective, false) AS retrospective FROM risk_flags f "
    "LEFT JOIN survivors s USING (survivor_id) LEFT JOIN caseload c USING (survivor_id) "
    "LEFT JOIN assessments a ON a.assessment_id = f.assessment_id "
)


async def risk_flags(
    pool: asyncpg.Pool,
    status: str | None,
    caseload: tuple[frozenset[str], str] | None,
    limit: int,
) -> Rows:
    """Risk flags by status, oldest first, limited to a caseload (teams, worker) when given."""
    teams, worker = (sorted(caseload[0]), caseload[1]) if caseload is not None else (None, None)
    return list(
        await pool.fetch(
            _FLAGS + "WHERE ($1::text IS NULL OR f.status = $1) "
            "AND ($2::text[] IS NULL OR c.team = ANY($2) OR c.case_worker = $3) "
            "ORDER BY f.raised_at, f.flag_id LIMIT $4",
            status,
            teams,
            worker,
            limit,
        )
    )


async def survivor_flags(pool: asyncpg.Pool, survivor_id: UUID) -> Rows:
    """One survivor's risk flags, oldest first."""
    return list(
        await pool.fetch(
            _FLAGS + "WHERE f.survivor_id = $1 ORDER BY f.raised_at, f.flag_id", survivor_id
        )
    )


async def goals(pool: asyncpg.Pool, survivor_id: UUID) -> Rows:
    """The survivor's care-plan goals, by target date."""
    return list(
        await pool.fetch(
            "SELECT * FROM care_plan_goals WHERE survivor_id = $1 ORDER BY target_date, added_at",
            survivor_id,
        )
    )


async def reviews(pool: asyncpg.Pool, goal_ids: list[UUID]) -> Rows:
    """Reviews of these goals, oldest first."""
    return list(
        await pool.fetch(
            "SELECT * FROM goal_reviews WHERE goal_id = ANY($1::uuid[]) "
            "ORDER BY reviewed_on, recorded_at",
            goal_ids,
        )
    )


async def erased(pool: asyncpg.Pool, survivor_id: UUID) -> bool:
    """Whether the survivor's erasure was requested (their sealed values then read as erased)."""
    return bool(
        await pool.fetchval(
            "SELECT erasure_requested_at IS NOT NULL FROM survivors WHERE survivor_id = $1",
            survivor_id,
        )
    )


Caseload = tuple[frozenset[str], str] | None


def _bounds(caseload: Caseload) -> tuple[list[str] | None, str | None]:
    """A caseload filter (teams, worker) as query parameters; (None, None): no filter."""
    return (sorted(caseload[0]), caseload[1]) if caseload is not None else (None, None)


_CASELOAD = """
SELECT s.survivor_id, s.case_number, c.case_worker = $3 AS assigned_to_you,
  (SELECT max(x.held_on) FROM session_participants p JOIN sessions x USING (session_id)
   WHERE p.survivor_id = s.survivor_id AND p.attendance = 'attended') AS last_session_on,
  (SELECT count(*) FROM risk_flags f
   WHERE f.survivor_id = s.survivor_id AND f.status = 'open') AS open_flags,
  a.instrument, a.band, a.administered_at, n.planned_on
FROM survivors s JOIN caseload c USING (survivor_id)
LEFT JOIN planned_sessions n USING (survivor_id)
LEFT JOIN LATERAL (
  SELECT instrument, band, administered_at FROM assessments
  WHERE survivor_id = s.survivor_id AND superseded_by IS NULL
  ORDER BY administered_at DESC, recorded_at DESC LIMIT 1
) a ON true
WHERE s.status = 'open' AND s.merged_into IS NULL AND s.erasure_requested_at IS NULL
  AND ($1::text[] IS NULL OR c.team = ANY($1) OR c.case_worker = $2)
ORDER BY open_flags DESC, last_session_on ASC NULLS FIRST, s.case_number, s.survivor_id
LIMIT $4 OFFSET $5
"""


async def caseload(
    pool: asyncpg.Pool, bound: Caseload, staff_id: str, limit: int, offset: int = 0
) -> Rows:
    """Open cases on a caseload: open flags first, then those seen longest ago (or never)."""
    teams, worker = _bounds(bound)
    return list(await pool.fetch(_CASELOAD, teams, worker, staff_id, limit, offset))


_DAY = """
SELECT x.session_id, x.kind, x.held_on, x.duration_minutes, x.approach, x.place,
  x.participants, x.recorded_at, p.survivor_id, p.attendance, s.case_number
FROM sessions x JOIN session_participants p USING (session_id)
JOIN survivors s USING (survivor_id) LEFT JOIN caseload c USING (survivor_id)
WHERE x.held_on = $1 AND x.recorded_by = $2 AND s.erasure_requested_at IS NULL
  AND ($3::text[] IS NULL OR c.team = ANY($3) OR c.case_worker = $4)
ORDER BY x.recorded_at, x.session_id, s.case_number
"""


async def day_sessions(pool: asyncpg.Pool, bound: Caseload, staff_id: str, day: date) -> Rows:
    """One row per participant of the sessions a staff member logged for a day, on a caseload."""
    teams, worker = _bounds(bound)
    return list(await pool.fetch(_DAY, day, staff_id, teams, worker))


_PLANNED = """
SELECT n.survivor_id, s.case_number, EXISTS (
  SELECT 1 FROM session_participants p JOIN sessions x USING (session_id)
  WHERE p.survivor_id = n.survivor_id AND x.held_on = n.planned_on) AS logged
FROM planned_sessions n JOIN survivors s USING (survivor_id)
LEFT JOIN caseload c USING (survivor_id)
WHERE n.planned_on = $1 AND n.planned_by = $2
  AND s.status = 'open' AND s.merged_into IS NULL AND s.erasure_requested_at IS NULL
  AND ($3::text[] IS NULL OR c.team = ANY($3) OR c.case_worker = $4)
ORDER BY s.case_number, n.survivor_id
"""


async def day_planned(pool: asyncpg.Pool, bound: Caseload, staff_id: str, day: date) -> Rows:
    """The survivors on a caseload whose next session a staff member planned for a day."""
    teams, worker = _bounds(bound)
    return list(await pool.fetch(_PLANNED, day, staff_id, teams, worker))
