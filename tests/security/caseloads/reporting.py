"""Hooks for the repository's cross-service tests (the authorisation matrix); unused at run time."""

from __future__ import annotations

from uuid import UUID

import asyncpg


async def seed_caseload(
    database_url: str, survivor_id: UUID, team: str, worker_id: str
) -> dict[str, str]:
    """Make reporting know a survivor on `team`'s caseload, as intake's events would."""
    del worker_id  # team relation only
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "INSERT INTO survivor_facts (survivor_id, case_number, team, registered_on) "
            "VALUES ($1, $2, $3, current_date)",
            survivor_id,
            f"UPJ-2026-9{survivor_id.int % 100000:05d}",
            team,
        )
    finally:
        await conn.close()
    return {}
