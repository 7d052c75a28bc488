"""Read-side SQL: sessions, assessments, risk flags and care plans from the read tables."""

from __future__ import annotations

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
