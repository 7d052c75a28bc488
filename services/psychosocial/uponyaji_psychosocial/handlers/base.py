"""Command handlers: lock the survivor, check the gate, fold, seal, decide, append and project.

A command about a survivor runs in one transaction that first locks the survivor's row in the
local `survivors` table, so it serialises with other commands about them and with intake's
consent, closure and erasure events arriving through the consumer. Sealing happens on the same
connection: a refused command rolls back the data key it may have created.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta, timezone
from uuid import UUID

from uponyaji_events.db import Conn
from uponyaji_events.envelope import Actor, Event, NewEvent
from uponyaji_events.sealing import Sealed, Sealer
from uponyaji_events.store import EventStore
from uponyaji_events.unit_of_work import UnitOfWork, unit_of_work
from uponyaji_service import Clock, Keys, utc_now

from .. import domain, projections
from ..domain import IntakeFacts, SurvivorState
from ..errors import SurvivorUnknown
from ..instruments import Instruments

EAT = timezone(timedelta(hours=3))  # counsellors' calendar days are Kenyan days
CONSENT_SCOPE = "psychosocial_support"
_FACTS = (
    "SELECT s.status, s.merged_into, s.erasure_requested_at, c.granted, c.changed_at "
    "FROM survivors s "
    "LEFT JOIN consents c ON c.survivor_id = s.survivor_id AND c.scope = $2 "
    "WHERE s.survivor_id = $1"
)
_FACTS_LOCKED = _FACTS + " FOR UPDATE OF s"


def today(clock: Clock = utc_now) -> date:
    """Today's date in East Africa Time (by `clock`)."""
    return clock().astimezone(EAT).date()


@dataclass(frozen=True)
class Psychosocial:
    """The command side's resources: the store, the keys, the instrument table and the clock."""

    store: EventStore
    keys: Keys
    table: Instruments
    clock: Clock = utc_now

    def today(self) -> date:
        """Today's date in East Africa Time."""
        return today(self.clock)

    def unit_of_work(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """One command's transaction: appends are projected into the read tables in it."""
        return unit_of_work(self.store, project=projections.apply_all)


async def intake_facts(conn: Conn, survivor_id: UUID, *, lock: bool = False) -> IntakeFacts:
    """What intake told us about a survivor (row-locked if asked); 404 if nothing."""
    row = await conn.fetchrow(_FACTS_LOCKED if lock else _FACTS, survivor_id, CONSENT_SCOPE)
    if row is None:
        raise SurvivorUnknown("survivor not found")
    return IntakeFacts(
        consent=bool(row["granted"]),
        consent_since=row["changed_at"] if row["granted"] else None,
        closed=row["status"] == "closed",
        erased=row["erasure_requested_at"] is not None,
        merged_into=row["merged_into"],
    )


@dataclass(frozen=True)
class Tx:
    """One command's unit of work about a survivor: their state folded, a sealer on it."""

    ps: Psychosocial
    uow: UnitOfWork
    survivor_id: UUID
    state: SurvivorState
    sealer: Sealer
    facts: IntakeFacts = field(default_factory=IntakeFacts)

    @property
    def conn(self) -> Conn:
        """The transaction's connection."""
        return self.uow.conn

    async def seal(
        self, event_type: str, path: str, value: str | None, *, record: UUID
    ) -> Sealed | None:
        """Seal a value of this survivor under `<event type>/<path>`, bound to its record."""
        if value is None:
            return None
        context = f"{event_type}/{path}"
        return await self.sealer.seal(self.survivor_id, context, value, record=str(record))

    async def record(self, events: Sequence[NewEvent], actor: Actor) -> list[Event]:
        """Append to the survivor stream at the folded version and project, in this transaction."""
        return await self.uow.append(
            "survivor", self.survivor_id, self.state.version, events, actor=actor
        )


@asynccontextmanager
async def survivor_tx(
    ps: Psychosocial, survivor_id: UUID, *, safety: bool = False
) -> AsyncIterator[Tx]:
    """A transaction holding the survivor's row lock, past the gate, with their state folded."""
    async with ps.unit_of_work() as uow:
        facts = await intake_facts(uow.conn, survivor_id, lock=True)
        domain.admissible(facts, safety=safety)
        state = domain.fold(await uow.load(survivor_id))
        yield Tx(ps, uow, survivor_id, state, ps.keys.bound(uow.conn), facts)


async def run(tx: Tx, command: domain.SurvivorCommand, actor: Actor) -> list[Event]:
    """Decide a survivor-stream command in its transaction and record what it decided."""
    return await tx.record(domain.decide(tx.state, command, tx.ps.table), actor)
