"""The Caseload libs/access asks about: team and lead case worker per survivor (intake's table)."""

from __future__ import annotations

from collections.abc import Set
from uuid import UUID

import asyncpg

from . import queries


class TableCaseload:
    """libs/access `Caseload` over the `caseload` read table (teams and workers as UUID strings)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def teams_and_workers(self, survivor_id: UUID) -> tuple[Set[str], Set[str]] | None:
        """The survivor's team and lead case worker; None when no such survivor exists."""
        return await queries.teams_and_workers(self.pool, survivor_id)
