"""Medical's command side: a command about a survivor in one unit of work of the kernel's.

The unit of work first locks the survivor's row in the local `survivors` table, so a command
serialises with other commands about them and with intake's consent, closure and erasure events
arriving through the consumer. Medical's gate checks several consents at once (examination,
photographs, legal proceedings), so it reads all of the survivor's grants. Sealing happens on the
same connection: a refused command rolls back the data key it may have created. Every append
(`tx.uow.append`) is projected into the read tables in the same transaction.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from uponyaji_events.db import Conn
from uponyaji_events.eat import EAT as EAT  # re-exported: the handlers' calendar
from uponyaji_events.envelope import Actor, Event, NewEvent
from uponyaji_events.sealing import Sealed, Sealer
from uponyaji_events.unit_of_work import CommandSide, UnitOfWork
from uponyaji_service import Clock, Keys, utc_now

from .. import domain, projections
from ..domain import IntakeFacts, RecordState
from ..errors import SurvivorUnknown
from ..signing import SigningKeys
from ..storage import BlobStore, PostgresBlobs

_FACTS = (
    "SELECT s.status, s.merged_into, s.erasure_requested_at, s.case_number, "
    "coalesce(array_agg(c.scope) FILTER (WHERE c.granted), '{}') AS granted, "
    "coalesce(array_agg(c.changed_at) FILTER (WHERE c.granted), '{}') AS granted_at "
    "FROM survivors s LEFT JOIN consents c ON c.survivor_id = s.survivor_id "
    "WHERE s.survivor_id = $1 GROUP BY s.survivor_id"
)


@dataclass(frozen=True)
class Medical(CommandSide[Keys], read_model=projections.READ_MODEL):
    """The command side's resources: store, sealing keys, signing keys, evidence store, clock."""

    signing: SigningKeys
    blobs: BlobStore = field(default_factory=PostgresBlobs)
    clock: Clock = utc_now
    max_upload_bytes: int = 50 * 1024 * 1024
    step_up_seconds: int = 300

    def now(self) -> datetime:
        """The service's time."""
        return self.clock()


async def intake_facts(conn: Conn, survivor_id: UUID, *, lock: bool = False) -> IntakeFacts:
    """What intake told us about a survivor (row-locked if asked); 404 if nothing."""
    if lock:
        found = await conn.fetchval(
            "SELECT survivor_id FROM survivors WHERE survivor_id = $1 FOR UPDATE", survivor_id
        )
        if found is None:
            raise SurvivorUnknown("survivor not found")
    row = await conn.fetchrow(_FACTS, survivor_id)
    if row is None:
        raise SurvivorUnknown("survivor not found")
    return IntakeFacts(
        consents=frozenset(row["granted"]),
        closed=row["status"] == "closed",
        erased=row["erasure_requested_at"] is not None,
        merged_into=row["merged_into"],
        since=dict(zip(row["granted"], row["granted_at"], strict=True)),
    )


@dataclass(frozen=True)
class Tx:
    """One command's transaction about a survivor: connection, facts, record state, a sealer."""

    med: Medical
    uow: UnitOfWork
    survivor_id: UUID
    facts: IntakeFacts
    state: RecordState
    sealer: Sealer

    @property
    def conn(self) -> Conn:
        """The transaction's connection."""
        return self.uow.conn

    async def seal(self, context: str, value: str | None, *, record: UUID) -> Sealed | None:
        """Seal a value of this survivor under `context` (`<event type>/<path>`), bound to the
        id of the record it belongs to (`views.RECORD` names that id's field per event)."""
        if value is None:
            return None
        return await self.sealer.seal(self.survivor_id, context, value, record=str(record))

    async def record(self, events: Sequence[NewEvent], actor: Actor) -> list[Event]:
        """Append to the survivor's record stream at the folded version, and project."""
        return await self.uow.append(
            "survivor", self.survivor_id, self.state.version, events, actor=actor
        )


@asynccontextmanager
async def survivor_tx(
    med: Medical, survivor_id: UUID, *scopes: str, allow_closed: bool = False
) -> AsyncIterator[Tx]:
    """A transaction holding the survivor's row lock, past the gate, with their record folded."""
    async with med.unit_of_work() as uow:
        facts = await intake_facts(uow.conn, survivor_id, lock=True)
        domain.admissible(facts, *scopes, allow_closed=allow_closed)
        state = domain.fold(await uow.load(survivor_id))
        yield Tx(med, uow, survivor_id, facts, state, med.keys.bound(uow.conn))
