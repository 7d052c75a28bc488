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
from datetime import UTC, date, datetime, timedelta, timezone
from uuid import UUID

import asyncpg
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Actor, Event, NewEvent
from uponyaji_events.sealing import Sealed, Sealer
from uponyaji_events.store import EVENT_COLUMNS, EventStore, row_to_event

from .. import domain, projections
from ..errors import ReferenceUsed, SurvivorUnknown
from ..keys import Keys

EAT = timezone(timedelta(hours=3))  # officers' calendar days are Kenyan days
CONSENT_SCOPE = "empowerment"
_FACTS = (
    "SELECT s.status, s.merged_into, s.erasure_requested_at, c.granted FROM survivors s "
    "LEFT JOIN consents c ON c.survivor_id = s.survivor_id AND c.scope = $2 "
    "WHERE s.survivor_id = $1"
)
_FACTS_LOCKED = _FACTS + " FOR UPDATE OF s"


def today() -> date:
    """Today's date in East Africa Time."""
    return datetime.now(UTC).astimezone(EAT).date()


@dataclass(frozen=True)
class Empowerment:
    """The command side's resources: the store and the keys."""

    store: EventStore
    keys: Keys


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
    """One command's transaction: its connection, the survivor's state, a sealer on it."""

    em: Empowerment
    conn: Conn
    survivor_id: UUID
    state: domain.SurvivorState
    sealer: Sealer

    async def seal(self, event_type: str, path: str, value: str | None) -> Sealed | None:
        """Seal a value of this survivor under the context `<event type>/<path>`."""
        if value is None:
            return None
        return await self.sealer.seal(self.survivor_id, f"{event_type}/{path}", value)

    async def sealed(self, event_type: str, path: str, value: str) -> Sealed:
        """Seal a required value."""
        found = await self.seal(event_type, path, value)
        assert found is not None
        return found

    async def run(self, command: domain.SurvivorCommand, actor: Actor) -> list[Event]:
        """Decide a command on this survivor's stream and record what it decided."""
        return await self.record(domain.decide(self.state, command), actor)

    async def record(self, events: Sequence[NewEvent], actor: Actor) -> list[Event]:
        """Append to the survivor stream at the folded version and project, in this transaction."""
        return await record(self.em, self.conn, "survivor", self.survivor_id,
                            self.state.version, events, actor)  # fmt: skip


async def record(
    em: Empowerment,
    conn: Conn,
    stream_type: str,
    stream_id: UUID,
    expected_version: int,
    events: Sequence[NewEvent],
    actor: Actor,
) -> list[Event]:
    """Append to a stream and apply the events to the read tables, on `conn`."""
    stored = await em.store.append(
        stream_type, str(stream_id), expected_version, events, actor=actor, conn=conn
    )
    try:
        await projections.apply_all(conn, stored)
    except asyncpg.UniqueViolationError as clash:
        # Two survivors' disbursements with one reference race past the check: one loses here.
        if clash.constraint_name == "disbursements_reference_digest_key":
            raise ReferenceUsed("reference: this payment reference is already on record") from None
        raise
    return stored


async def load(em: Empowerment, conn: Conn, stream_id: UUID) -> list[Event]:
    """A stream's events read inside the transaction, upcast."""
    rows = await conn.fetch(
        f"SELECT {EVENT_COLUMNS} FROM events WHERE stream_id = $1 ORDER BY version",  # noqa: S608
        str(stream_id),
    )
    return [em.store.upcasters.upcast(row_to_event(row)) for row in rows]


@asynccontextmanager
async def survivor_tx(em: Empowerment, survivor_id: UUID) -> AsyncIterator[Tx]:
    """A transaction holding the survivor's row lock, past the gate, with their state folded."""
    async with em.store.transaction() as conn:
        domain.admissible(await intake_facts(conn, survivor_id, lock=True))
        state = domain.fold(await load(em, conn, survivor_id))
        yield Tx(em, conn, survivor_id, state, em.keys.bound(conn))
