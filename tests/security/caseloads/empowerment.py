"""Empowerment's caseload seeding for the authorisation matrix (as intake's events would)."""

from __future__ import annotations

from uuid import UUID, uuid4

import asyncpg


async def seed_caseload(
    database_url: str, survivor_id: UUID, team: str, worker_id: str
) -> dict[str, str]:
    """Put a survivor on `team`'s caseload with empowerment consent, as intake's events would.

    Returns the ids of the survivor's other records that routes locate it by (a proposed grant,
    a pending referral), keyed by path parameter.
    """
    del worker_id  # team relation only
    grant_id, referral_id, line_id = uuid4(), uuid4(), uuid4()
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await conn.execute(
                "INSERT INTO survivors (survivor_id, case_number, county_code) "
                "VALUES ($1, $2, '047')",
                survivor_id,
                f"UPJ-2026-8{survivor_id.int % 100000:05d}",
            )
            await conn.execute(
                "INSERT INTO caseload (survivor_id, team, assigned_at) VALUES ($1, $2, now())",
                survivor_id,
                team,
            )
            await conn.execute(
                "INSERT INTO consents (survivor_id, scope, granted, changed_at) "
                "VALUES ($1, 'empowerment', true, now())",
                survivor_id,
            )
            await conn.execute(
                "INSERT INTO budget_lines (budget_line_id, code, period_start, period_end, amount, "
                "opened_by, opened_at) VALUES ($1, $2, '2020-01-01', '2099-12-31', 1000, "
                "'matrix', now())",
                line_id,
                f"MATRIX-{line_id.hex[:12].upper()}",
            )
            await conn.execute(
                "INSERT INTO grants (grant_id, survivor_id, purpose, amount, budget_line_id, "
                "proposed_by, proposed_at) VALUES ($1, $2, 'stock', 100, $3, $4, now())",
                grant_id,
                survivor_id,
                line_id,
                uuid4(),
            )
            await conn.execute(
                "INSERT INTO referrals (referral_id, survivor_id, urgency, referred_at) "
                "VALUES ($1, $2, 'routine', now())",
                referral_id,
                survivor_id,
            )
    finally:
        await conn.close()
    return {"grant_id": str(grant_id), "referral_id": str(referral_id)}
