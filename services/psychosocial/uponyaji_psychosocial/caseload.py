"""The Caseload libs/access asks about, from the assignment intake published (local table)."""

from __future__ import annotations

from collections.abc import Set
from uuid import UUID

import asyncpg


class LocalCaseload:
    """libs/access `Caseload` over the `caseload` table (team and case worker as strings)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def teams_and_workers(self, survivor_id: UUID) -> tuple[Set[str], Set[str]] | None:
        """The survivor's team and lead case worker; None when intake never told us of them."""
        row = await self.pool.fetchrow(
            "SELECT s.survivor_id, c.team, c.case_worker FROM survivors s "
            "LEFT JOIN caseload c USING (survivor_id) WHERE s.survivor_id = $1",
            survivor_id,
        )
        if row is None:
            return None
        teams = {row["team"]} if row["team"] else set()
        workers = {row["case_worker"]} if row["case_worker"] else set()
        return teams, workers
