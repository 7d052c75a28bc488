"""Read-side SQL: one survivor's record, caseload lists, and programme aggregates."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

Rows = list[asyncpg.Record]
Caseload = tuple[frozenset[str], str] | None


def _caseload(caseload: Caseload) -> tuple[list[str] | None, str | None]:
    return (sorted(caseload[0]), caseload[1]) if caseload is not None else (None, None)


async def record(pool: asyncpg.Pool, survivor_id: UUID) -> dict[str, Any]:
    """Every read table's rows about one survivor, on one connection (a few indexed reads).

    No transaction around them: each is a statement of its own (a record is written under the
    survivor's row lock, so a read between two of them sees at most one command's difference).
    """
    async with pool.acquire() as conn:
        found: dict[str, Any] = {
            "survivor": await conn.fetchrow(
                "SELECT case_number, county_code, status, erasure_requested_at IS NOT NULL "
                "AS erased FROM survivors WHERE survivor_id = $1",
                survivor_id,
            ),
            "needs": await conn.fetch(
                "SELECT * FROM needs_assessments WHERE survivor_id = $1 "
                "ORDER BY assessed_on, recorded_at",
                survivor_id,
            ),
            "plan": await conn.fetchrow("SELECT * FROM plans WHERE survivor_id = $1", survivor_id),
            "goals": await conn.fetch(
                "SELECT * FROM plan_goals WHERE survivor_id = $1 ORDER BY target_date, added_at",
                survivor_id,
            ),
            "reviews": await conn.fetch(
                "SELECT * FROM plan_reviews WHERE survivor_id = $1 ORDER BY reviewed_on",
                survivor_id,
            ),
            "grants": await conn.fetch(
                "SELECT g.*, b.code AS budget_code FROM grants g JOIN budget_lines b "
                "USING (budget_line_id) WHERE g.survivor_id = $1 ORDER BY g.proposed_at",
                survivor_id,
            ),
            "disbursements": await conn.fetch(
                "SELECT * FROM disbursements WHERE survivor_id = $1 ORDER BY disbursed_on",
                survivor_id,
            ),
            "trainings": await conn.fetch(
                "SELECT k.course_id, k.title, k.skill, k.starts_on, k.sessions_planned, "
                "count(*) FILTER (WHERE a.present) AS attended, t.completed_on "
                "FROM course_attendance a JOIN courses k USING (course_id) "
                "LEFT JOIN training_completions t ON t.course_id = a.course_id "
                "AND t.survivor_id = a.survivor_id WHERE a.survivor_id = $1 "
                "GROUP BY k.course_id, t.completed_on ORDER BY k.starts_on",
                survivor_id,
            ),
            "follow_ups": await conn.fetch(
                "SELECT * FROM follow_ups WHERE survivor_id = $1 ORDER BY held_on, recorded_at",
                survivor_id,
            ),
        }
    return found


_DUE = """
WITH anchors AS (
  SELECT p.survivor_id, coalesce(
    (SELECT min(d.disbursed_on) FROM disbursements d WHERE d.survivor_id = p.survivor_id),
    p.started_on) AS anchor
  FROM plans p
), due AS (
  SELECT a.survivor_id, m.milestone, (a.anchor + m.months * interval '1 month')::date AS due_on
  FROM anchors a CROSS JOIN (VALUES ('month_3', 3), ('month_6', 6), ('month_12', 12))
    AS m (milestone, months)
)
SELECT due.survivor_id, s.case_number, due.milestone, due.due_on
FROM due JOIN survivors s USING (survivor_id) LEFT JOIN caseload c USING (survivor_id)
WHERE NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.survivor_id = due.survivor_id
                  AND f.milestone = due.milestone AND f.superseded_by IS NULL)
  AND s.erasure_requested_at IS NULL AND s.merged_into IS NULL AND s.status = 'open'
  AND ($1::text[] IS NULL OR c.team = ANY($1) OR c.case_worker = $2)
  AND due.due_on <= $3
ORDER BY due.due_on, s.case_number LIMIT $4
"""


async def follow_ups_due(pool: asyncpg.Pool, caseload: Caseload, until: Any, limit: int) -> Rows:
    """Follow-ups not yet held that fall due by `until`, oldest first, on a caseload."""
    teams, worker = _caseload(caseload)
    return list(await pool.fetch(_DUE, teams, worker, until, limit))


async def referrals(pool: asyncpg.Pool, caseload: Caseload, status: str | None, limit: int) -> Rows:
    """Referrals to empowerment, oldest first, on a caseload."""
    teams, worker = _caseload(caseload)
    return list(
        await pool.fetch(
            "SELECT r.*, s.case_number FROM referrals r JOIN survivors s USING (survivor_id) "
            "LEFT JOIN caseload c USING (survivor_id) WHERE "
            "($1::text[] IS NULL OR c.team = ANY($1) OR c.case_worker = $2) "
            "AND ($3::text IS NULL OR r.status = $3) ORDER BY r.referred_at LIMIT $4",
            teams,
            worker,
            status,
            limit,
        )
    )


async def referral_survivor(pool: asyncpg.Pool, referral_id: UUID) -> UUID | None:
    """The survivor a referral is about (None: no such referral)."""
    found = await pool.fetchval(
        "SELECT survivor_id FROM referrals WHERE referral_id = $1", referral_id
    )
    return UUID(str(found)) if found is not None else None


async def grant_survivor(pool: asyncpg.Pool, grant_id: UUID) -> UUID | None:
    """The survivor a grant is for (None: no such grant)."""
    found = await pool.fetchval("SELECT survivor_id FROM grants WHERE grant_id = $1", grant_id)
    return UUID(str(found)) if found is not None else None


async def grants(pool: asyncpg.Pool, caseload: Caseload, status: str | None, limit: int) -> Rows:
    """Grants by status, oldest first (on a caseload when given), with line and county."""
    teams, worker = _caseload(caseload)
    return list(
        await pool.fetch(
            "SELECT g.grant_id, g.survivor_id, s.case_number, s.county_code, g.purpose, g.amount, "
            "g.status, g.disbursed, g.proposed_by, g.proposed_at, g.decided_by, g.decided_on, "
            "b.code AS budget_code, g.budget_line_id FROM grants g "
            "JOIN budget_lines b USING (budget_line_id) JOIN survivors s USING (survivor_id) "
            "LEFT JOIN caseload c USING (survivor_id) WHERE "
            "($1::text[] IS NULL OR c.team = ANY($1) OR c.case_worker = $2) "
            "AND ($3::text IS NULL OR g.status = $3) ORDER BY g.proposed_at LIMIT $4",
            teams,
            worker,
            status,
            limit,
        )
    )


async def budget_lines(pool: asyncpg.Pool) -> Rows:
    """Every budget line with what is committed and disbursed, newest period first."""
    return list(await pool.fetch("SELECT * FROM budget_lines ORDER BY period_start DESC, code"))


async def courses(pool: asyncpg.Pool) -> Rows:
    """Courses with attendance and completion counts, newest first."""
    return list(
        await pool.fetch(
            "SELECT k.*, (SELECT count(DISTINCT survivor_id) FROM course_attendance a "
            "WHERE a.course_id = k.course_id) AS enrolled, (SELECT count(*) FROM "
            "training_completions t WHERE t.course_id = k.course_id) AS completed "
            "FROM courses k ORDER BY k.starts_on DESC"
        )
    )


async def finance(pool: asyncpg.Pool) -> Rows:
    """Grants approved and disbursed per county and quarter (of approval / disbursement), of
    survivors who consented to de-identified reporting, naming the grants and survivors counted."""
    return list(
        await pool.fetch(
            "WITH approved AS (SELECT s.county_code, date_trunc('quarter', g.decided_on)::date "
            "AS quarter, array_agg(g.grant_id) AS grant_ids, sum(g.amount) AS amount "
            "FROM grants g JOIN survivors s USING (survivor_id) WHERE g.status = 'approved' "
            "AND g.survivor_id IN (SELECT survivor_id FROM reportable) GROUP BY 1, 2), "
            "paid AS (SELECT s.county_code, date_trunc('quarter', d.disbursed_on)::date "
            "AS quarter, array_agg(DISTINCT d.survivor_id) AS survivor_ids, "
            "sum(d.amount) AS amount FROM disbursements d JOIN survivors s USING (survivor_id) "
            "WHERE d.survivor_id IN (SELECT survivor_id FROM reportable) GROUP BY 1, 2) "
            "SELECT coalesce(a.county_code, p.county_code) AS county_code, "
            "coalesce(a.quarter, p.quarter) AS quarter, "
            "coalesce(a.grant_ids, '{}') AS grant_ids, coalesce(a.amount, 0) AS approved, "
            "coalesce(p.survivor_ids, '{}') AS survivor_ids, coalesce(p.amount, 0) AS disbursed "
            "FROM approved a FULL JOIN paid p "
            "ON a.county_code IS NOT DISTINCT FROM p.county_code AND a.quarter = p.quarter "
            "ORDER BY 2, 1"
        )
    )


async def outcome_points(pool: asyncpg.Pool) -> Rows:
    """Current needs assessments and follow-ups of every survivor who may be counted (outcomes)."""
    return list(
        await pool.fetch(
            "SELECT survivor_id, assessed_on AS on_day, monthly_income AS income, "
            "hunger_category, NULL::text AS milestone, NULL::boolean AS business_operating "
            "FROM needs_assessments WHERE superseded_by IS NULL "
            "AND survivor_id IN (SELECT survivor_id FROM reportable) "
            "UNION ALL SELECT survivor_id, held_on, monthly_income, hunger_category, milestone, "
            "business_operating FROM follow_ups WHERE superseded_by IS NULL "
            "AND survivor_id IN (SELECT survivor_id FROM reportable)"
        )
    )


async def trained(pool: asyncpg.Pool) -> list[UUID]:
    """Survivors who completed at least one course (who consented to de-identified reporting)."""
    rows = await pool.fetch(
        "SELECT DISTINCT survivor_id FROM training_completions "
        "WHERE survivor_id IN (SELECT survivor_id FROM reportable)"
    )
    return [r["survivor_id"] for r in rows]
