"""Psychosocial's caseload seeding for the authorisation matrix (as intake's events would)."""

from __future__ import annotations

from uuid import UUID, uuid4

import asyncpg


async def seed_caseload(
    database_url: str, survivor_id: UUID, team: str, worker_id: str
) -> dict[str, str]:
    """Put a survivor on `team`'s caseload with psychosocial consent, as intake's events would.

    The matrix passes the caller's staff id as `worker_id`; the survivor is on the caller's team,
    not assigned to the caller as case worker. Returns the ids of the survivor's other records
    that routes locate it by (an open risk flag), keyed by path parameter.
    """
    flag_id = uuid4()
    del worker_id  # team relation only
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await conn.execute(
                "INSERT INTO survivors (survivor_id, case_number) VALUES ($1, $2)",
                survivor_id,
                f"UPJ-2026-9{survivor_id.int % 100000:05d}",
            )
            await conn.execute(
                "INSERT INTO caseload (survivor_id, team, assigned_at) VALUES ($1, $2, now())",
                survivor_id,
                team,
            )
            await conn.execute(
                "INSERT INTO consents (survivor_id, scope, granted, changed_at) "
                "VALUES ($1, 'psychosocial_support', true, now())",
                survivor_id,
            )
            await conn.execute(
                "INSERT INTO risk_flags (flag_id, survivor_id, assessment_id, reason, item, "
                "response, raised_at, raised_by) VALUES ($1, $2, $3, 'phq9_item9', 9, 1, now(), "
                "'matrix')",
                flag_id,
                survivor_id,
                uuid4(),
            )
    finally:
        await conn.close()
    return {"flag_id": str(flag_id)}
