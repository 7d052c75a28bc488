"""The Caseload libs/access asks about, from the assignment intake published (survivor facts)."""

from __future__ import annotations

from collections.abc import Set
from uuid import UUID

import asyncpg

from . import queries


class FactsCaseload:
    """libs/access `Caseload` over `survivor_facts` (team and lead case worker as strings)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def teams_and_workers(self, survivor_id: UUID) -> tuple[Set[str], Set[str]] | None:
        """The survivor's team and lead case worker; None when reporting never heard of them."""
        found = await queries.assignment(self.pool, survivor_id)
        if found is None:
            return None
        team, worker = found
        return ({team} if team else set()), ({worker} if worker else set())
