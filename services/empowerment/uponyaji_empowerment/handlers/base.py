"""Command handlers: lock the survivor, check the gate, fold, seal, decide, append and project.

A command about a survivor runs in one transaction that first locks the survivor's row in the
local `survivors` table, so it serialises with other commands about them and with intake's
consent, closure and erasure events arriving through the consumer. Sealing happens on the same
connection: a refused command rolls back the data key it may have created.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta, timezone
from uuid import UUID

import asyncpg
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Actor, Event, NewEvent
from uponyaji_events.sealing import Sealed, Sealer
from uponyaji_events.store import EventStore
from uponyaji_events.unit_of_work import UnitOfWork, unit_of_work
from uponyaji_service import Clock, Keys, utc_now

from .. import domain, projections
from ..errors import ReferenceUsed, SurvivorUnknown
from ..references import References

EAT = timezone(timedelta(hours=3))  # officers' calendar days are Kenyan days
CONSENT_SCOPE = "empowerment"
_FACTS = (
    "SELECT s.status, s.merged_into, s.erasure_requested_at, c.granted FROM survivors s "
    "LEFT JOIN consents c ON c.survivor_id = s.survivor_id AND c.scope = $2 "
    "WHERE s.survivor_id = $1"
)
_FACTS_LOCKED = _FACTS + " FOR UPDATE OF s"


def today(clock: Clock = utc_now) -> date:
    """Today's date in East Africa Time (by `clock`)."""
    return clock().astimezone(EAT).date()


@dataclass(frozen=True)
class Empowerment:
    """The command side's resources: the store, the keys, the reference digest and the clock."""

    store: EventStore
    keys: Keys
    references: References
    clock: Clock = utc_now

    def today(self) -> date:
        """Today's date in East Africa Time."""
        return today(self.clock)

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        """One command's transaction: appends are projected into the read tables in it.

        Two survivors' disbursements racing with one payment reference pass the check each under
        their own lock; the loser meets the unique index in the projection and gets a 409.
        """
        try:
            async with unit_of_work(self.store, project=projections.apply_all) as uow:
                yield uow
        except asyncpg.UniqueViolationError as clash:
            if clash.constraint_name == "disbursements_reference_digest_key":
                raise ReferenceUsed(
                    "reference: this payment reference is already on record"
                ) from None
            raise


async def intake_facts(conn: Conn, survivor_id: UUID, *, lock: bool = False) -> domain.IntakeFacts:
    """What intake told us about a survivor (row-locked if asked); 404 if nothing."""
    row = await conn.fetchrow(_FACTS_LOCKED if lock else _FACTS, survivor_id, CONSENT_SCOPE)
    if row is None:
        raise SurvivorUnknown("survivor not found")
    return domain.IntakeFacts(
        consent=bool(row["granted"]),
        closed=row["status"] == "closed",
        erased=row["erasure_requested_at"] is not None,
        merged_into=row["merged_into"],
    )


@dataclass(frozen=True)
class Tx:
    """One command's unit of work about a survivor: their state folded, a sealer on it."""

    em: Empowerment
    uow: UnitOfWork
    survivor_id: UUID
    state: domain.SurvivorState
    sealer: Sealer

    @property
    def conn(self) -> Conn:
        """The transaction's connection."""
        return self.uow.conn

    async def seal(
        self, event_type: str, path: str, value: str | None, *, record: UUID
    ) -> Sealed | None:
        """Seal a value of this survivor under `<event type>/<path>`, bound to its record (the
        id of the assessment, goal, step, plan, grant, disbursement or follow-up it belongs to)."""
        if value is None:
            return None
        context = f"{event_type}/{path}"
        return await self.sealer.seal(self.survivor_id, context, value, record=str(record))

    async def sealed(self, event_type: str, path: str, value: str, *, record: UUID) -> Sealed:
        """Seal a required value."""
        found = await self.seal(event_type, path, value, record=record)
        assert found is not None
        return found

    async def run(self, command: domain.SurvivorCommand, actor: Actor) -> list[Event]:
        """Decide a command on this survivor's stream and record what it decided."""
        return await self.record(domain.decide(self.state, command), actor)

    async def record(self, events: Sequence[NewEvent], actor: Actor) -> list[Event]:
        """Append to the survivor stream at the folded version and project, in this transaction."""
        return await self.uow.append(
            "survivor", self.survivor_id, self.state.version, events, actor=actor
        )


@asynccontextmanager
async def survivor_tx(em: Empowerment, survivor_id: UUID) -> AsyncIterator[Tx]:
    """A transaction holding the survivor's row lock, past the gate, with their state folded."""
    async with em.unit_of_work() as uow:
        domain.admissible(await intake_facts(uow.conn, survivor_id, lock=True))
        state = domain.fold(await uow.load(survivor_id))
        yield Tx(em, uow, survivor_id, state, em.keys.bound(uow.conn))
