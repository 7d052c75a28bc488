"""What every command handler shares: the service context, a locked transaction, append + project.

A command on a survivor runs in one transaction that first locks the survivor's read-table row,
so commands about one survivor are serialised (the rules of an incident or a referral depend on
the survivor's stream, which those commands do not append to). Sealing happens on the same
connection: a refused command rolls back the data key it may have created.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, replace
from uuid import UUID

from uponyaji_events.db import Conn
from uponyaji_events.envelope import Actor, Event, NewEvent
from uponyaji_events.sealing import Sealer
from uponyaji_events.store import EventStore
from uponyaji_events.unit_of_work import UnitOfWork, unit_of_work
from uponyaji_service import Keys

from .. import domain
from ..blind_index import BlindIndexer
from ..domain import SurvivorState
from ..projections import Projector


@dataclass(frozen=True)
class Intake:
    """The command side's resources: the store, the keys and the service's settings."""

    store: EventStore
    keys: Keys
    indexer: BlindIndexer
    case_prefix: str
    participants: tuple[str, ...]

    def projector(self, conn: Conn) -> Projector:
        """A projector unsealing (for the blind index) on the transaction's connection."""
        return Projector(self.indexer, self.keys.bound(conn))

    async def project(self, conn: Conn, events: Sequence[Event]) -> None:
        """Apply intake's own new events to its read tables, on `conn`."""
        await self.projector(conn).apply_all(conn, events)

    def unit_of_work(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """One command's transaction: appends are projected into the read tables in it."""
        return unit_of_work(self.store, project=self.project)

    def on(self, conn: Conn) -> UnitOfWork:
        """A unit of work inside a transaction someone else opened (a consumer's)."""
        return UnitOfWork(self.store, conn, self.project)


@dataclass(frozen=True)
class Tx:
    """One command's unit of work: the survivor's state folded, a sealer on its connection."""

    intake: Intake
    uow: UnitOfWork
    state: SurvivorState
    sealer: Sealer

    @classmethod
    def on(cls, intake: Intake, uow: UnitOfWork) -> Tx:
        """A unit of work with no survivor's state yet (a sealer bound to its connection)."""
        return cls(intake, uow, SurvivorState(), intake.keys.bound(uow.conn))

    @property
    def conn(self) -> Conn:
        """The transaction's connection."""
        return self.uow.conn

    async def load(self, stream_id: UUID | str) -> list[Event]:
        """A stream's events, read inside this transaction, upcast."""
        return await self.uow.load(stream_id)

    async def state_of(self, survivor_id: UUID) -> SurvivorState:
        """A survivor's state: their stream, plus merge and erasure facts from the read table."""
        state = domain.fold(await self.load(survivor_id))
        row = await self.conn.fetchrow(
            "SELECT merged_into, erasure_status FROM survivors WHERE survivor_id = $1",
            survivor_id,
        )
        if row is None:
            return state
        return replace(
            state,
            merged_into=row["merged_into"],
            erasure_requested=row["erasure_status"] is not None,
        )

    async def record(
        self,
        stream_type: str,
        stream_id: UUID,
        expected_version: int,
        events: Sequence[NewEvent],
        actor: Actor,
    ) -> list[Event]:
        """Append to a stream and apply the events to the read tables, in this transaction."""
        return await self.uow.append(stream_type, stream_id, expected_version, events, actor=actor)


@asynccontextmanager
async def survivor_tx(intake: Intake, survivor_id: UUID, *others: UUID) -> AsyncIterator[Tx]:
    """A transaction holding the survivors' row locks (in id order, so two merges cannot
    deadlock), with the first survivor's state folded from their stream."""
    async with intake.unit_of_work() as uow:
        await uow.conn.execute(
            "SELECT 1 FROM survivors WHERE survivor_id = ANY($1::uuid[]) "
            "ORDER BY survivor_id FOR UPDATE",
            [survivor_id, *others],
        )
        tx = Tx.on(intake, uow)
        yield replace(tx, state=await tx.state_of(survivor_id))
