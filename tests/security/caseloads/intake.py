"""Intake's caseload hook for the authorisation matrix: a survivor on a team, as a registration
and an assignment would leave intake: the survivor's stream (a registration whose identity fields
are well-formed placeholders, not encryptions) and the read tables."""

from __future__ import annotations

from uuid import UUID

from uponyaji_events.contracts.types import example_sealed
from uponyaji_events.db import create_pool
from uponyaji_events.envelope import Actor, NewEvent
from uponyaji_events.store import EventStore


async def seed_caseload(
    database_url: str, survivor_id: UUID, team: str, worker_id: str
) -> dict[str, str]:
    """Put a survivor on `team`'s caseload: a registration event, `survivors` and `caseload`."""
    del worker_id  # team relation only
    case_number = f"UPJ-2026-7{survivor_id.int % 100000:05d}"
    registered = {
        "survivor_id": str(survivor_id),
        "case_number": case_number,
        "full_name": example_sealed("full_name"),
        "county_code": "047",
        "gender": "female",
        "age_band": "25-34",
        "preferred_language": "sw",
    }
    pool = await create_pool(database_url, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn, conn.transaction():
            # The service's own sequencer signs it, as for events other processes append.
            await EventStore(pool).append(
                "survivor",
                str(survivor_id),
                0,
                [NewEvent("intake.SurvivorRegistered", registered)],
                actor=Actor.system("matrix"),
                conn=conn,
            )
            await conn.execute(
                "INSERT INTO survivors (survivor_id, case_number, registered_at, registered_by, "
                "county_code, gender, age_band, preferred_language, version, updated_at) "
                "VALUES ($1, $2, now(), 'matrix', '047', 'female', '25-34', 'sw', 1, now())",
                survivor_id,
                case_number,
            )
            await conn.execute(
                "INSERT INTO caseload (survivor_id, team, assigned_at) VALUES ($1, $2, now())",
                survivor_id,
                team,
            )
    finally:
        await pool.close()
    return {}
