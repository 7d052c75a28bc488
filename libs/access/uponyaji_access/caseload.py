"""Caseloads: which teams and case workers a survivor is assigned to, as each service knows it."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from uponyaji_access.principal import Principal


class Caseload(Protocol):
    """A service's view of survivor assignment, implemented from its own local tables."""

    async def teams_and_workers(self, survivor_id: UUID) -> tuple[Set[str], Set[str]] | None:
        """(team ids, case-worker staff ids as UUID strings) of a survivor; None if unknown."""
        ...


@dataclass(frozen=True, slots=True)
class SurvivorCaseload:
    """One survivor's assignment: the teams and the named case workers."""

    teams: frozenset[str]
    workers: frozenset[str]

    @classmethod
    def of(cls, teams: Set[str], workers: Set[str]) -> SurvivorCaseload:
        """Normalise what a Caseload returned (staff ids compared as lowercase strings)."""
        return cls(frozenset(teams), frozenset(str(w).lower() for w in workers))

    def has_worker(self, principal: Principal) -> bool:
        """Whether the principal is one of the survivor's named case workers."""
        return str(principal.staff_id) in self.workers

    def includes(self, principal: Principal) -> bool:
        """Whether the survivor is on the principal's caseload (a shared team, or as worker)."""
        return bool(self.teams & principal.teams) or self.has_worker(principal)


class StaticCaseload:
    """An in-memory Caseload (tests, tools): survivor id → (teams, workers)."""

    def __init__(self) -> None:
        self._assigned: dict[UUID, tuple[frozenset[str], frozenset[str]]] = {}

    def assign(
        self, survivor_id: UUID, *, teams: Set[str] = frozenset(), workers: Set[str] = frozenset()
    ) -> None:
        """Put a survivor on teams and case workers (replacing any earlier assignment)."""
        self._assigned[survivor_id] = (frozenset(teams), frozenset(str(w) for w in workers))

    async def teams_and_workers(self, survivor_id: UUID) -> tuple[Set[str], Set[str]] | None:
        """The survivor's assignment, or None if it was never assigned."""
        return self._assigned.get(survivor_id)
