"""What every command handler shares: the service context, a locked transaction, append + project.

A command on a survivor runs in one transaction that first locks the survivor's read-table row,
so commands about one survivor are serialised (the rules of an incident or a referral depend on
the survivor's stream, which those commands do not append to). Sealing happens on the same
connection: a refused command rolls back the data key it may have created.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from uuid import UUID

from uponyaji_events.db import Conn
from uponyaji_events.envelope import Actor, Event, NewEvent
from uponyaji_events.sealing import Sealer
from uponyaji_events.store import EVENT_COLUMNS, EventStore, row_to_event

from .. import domain
from ..domain import SurvivorState
from ..keys import Keys
from ..projections import Projector


@dataclass(frozen=True)
class Intake:
    """The command side's resources: the store, the keys and the service's settings."""

    store: EventStore
    keys: Keys
    case_prefix: str
    participants: tuple[str, ...]

    def projector(self, conn: Conn) -> Projector:
        """A projector unsealing (for the blind index) on the transaction's connection."""
        return Projector(self.keys.indexer, self.keys.bound(conn))


@dataclass(frozen=True)
class Tx:
    """One command's transaction: its connection, the survivor's state, a sealer on it."""

    intake: Intake
    conn: Conn
    state: SurvivorState
    sealer: Sealer

    async def load(self, stream_id: UUID | str) -> list[Event]:
        """A stream's events, read inside this transaction, upcast."""
        rows = await self.conn.fetch(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE stream_id = $1 ORDER BY version",  # noqa: S608
            str(stream_id),
        )
        return [self.intake.store.upcasters.upcast(row_to_event(row)) for row in rows]

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
        stored = await self.intake.store.append(
            stream_type, str(stream_id), expected_version, events, actor=actor, conn=self.conn
        )
        await self.intake.projector(self.conn).apply_all(self.conn, stored)
        return stored


@asynccontextmanager
async def survivor_tx(intake: Intake, survivor_id: UUID, *others: UUID) -> AsyncIterator[Tx]:
    """A transaction holding the survivors' row locks (in id order, so two merges cannot
    deadlock), with the first survivor's state folded from their stream."""
    async with intake.store.transaction() as conn:
        await conn.execute(
            "SELECT 1 FROM survivors WHERE survivor_id = ANY($1::uuid[]) "
            "ORDER BY survivor_id FOR UPDATE",
            [survivor_id, *others],
        )
        tx = Tx(intake, conn, SurvivorState(), intake.keys.bound(conn))
        yield replace(tx, state=await tx.state_of(survivor_id))
