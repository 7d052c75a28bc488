"""A command's transaction about one survivor, on the kernel's unit of work.

A participant service (psychosocial, empowerment) runs each command about a survivor in one
transaction that first locks the survivor's row in its local `survivors` table (fed by intake,
see `intake_tables`), so the command serialises with other commands about them and with intake's
consent, closure and erasure events arriving through the consumer. Then the service's consent
gate is checked, the survivor stream folded, and a sealer bound to the same connection: a
refused command rolls back the data key it may have created.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

from uponyaji_events.db import Conn
from uponyaji_events.envelope import Actor, Event, NewEvent
from uponyaji_events.sealing import Sealed, Sealer
from uponyaji_events.states import StreamStates
from uponyaji_events.unit_of_work import Fold, UnitOfWork

from uponyaji_service.errors import NotFound
from uponyaji_service.keys import Keys

_FACTS = (
    "SELECT s.status, s.merged_into, s.erasure_requested_at, c.granted, c.changed_at{version} "
    "FROM survivors s "
    "LEFT JOIN consents c ON c.survivor_id = s.survivor_id AND c.scope = $2 "
    "WHERE s.survivor_id = $1"
)
_UNLOCKED = _FACTS.format(version="")
_LOCKED = _UNLOCKED + " FOR UPDATE OF s"
# The survivor's row with the version of their stream that every append keeps on it (a service
# whose migrations add `survivors.stream_version` and its trigger): locked, so it is the row as
# the last writer committed it.
_LOCKED_VERSIONED = _FACTS.format(version=", s.stream_version") + " FOR UPDATE OF s"


class Versioned(Protocol):
    """A folded stream state: the version the next append expects."""

    @property
    def version(self) -> int:
        """The stream's version after the folded events."""
        ...


S = TypeVar("S", bound=Versioned)
F = TypeVar("F")
# Builds a service's own facts (its domain's type) from the keyword arguments `consent`,
# `consent_since` (when the current grant was given), `closed`, `erased` and `merged_into`.
MakeFacts = Callable[..., F]


async def consent_facts(
    conn: Conn,
    survivor_id: UUID,
    scope: str,
    make: MakeFacts[F],
    *,
    lock: bool = False,
    unknown: Callable[[str], Exception] = NotFound,
) -> F:
    """The survivor's local facts for `scope` (row-locked if asked); `unknown` if no row."""
    row = await conn.fetchrow(_LOCKED if lock else _UNLOCKED, survivor_id, scope)
    if row is None:
        raise unknown("survivor not found")
    return _facts(row, make)


def _facts(row: Any, make: MakeFacts[F]) -> F:
    since: datetime | None = row["changed_at"] if row["granted"] else None
    return make(
        consent=bool(row["granted"]),
        consent_since=since,
        closed=row["status"] == "closed",
        erased=row["erasure_requested_at"] is not None,
        merged_into=row["merged_into"],
    )


@dataclass(frozen=True)
class SurvivorUnit(Generic[F, S]):
    """One command's unit of work about a survivor: their state folded, a sealer on it."""

    uow: UnitOfWork
    survivor_id: UUID
    state: S
    sealer: Sealer
    facts: F
    decider: Callable[[S, Any], Sequence[NewEvent]]

    @property
    def conn(self) -> Conn:
        """The transaction's connection."""
        return self.uow.conn

    async def seal(
        self, event_type: str, path: str, value: str | None, *, record: UUID
    ) -> Sealed | None:
        """Seal a value of this survivor under `<event type>/<path>` (bound to `record`)."""
        if value is None:
            return None
        return await self.sealed(event_type, path, value, record=record)

    async def sealed(self, event_type: str, path: str, value: str, *, record: UUID) -> Sealed:
        """Seal a required value (bound to `record`, the id of the entry it belongs to)."""
        context = f"{event_type}/{path}"
        return await self.sealer.seal(self.survivor_id, context, value, record=str(record))

    async def run(self, command: Any, actor: Actor) -> list[Event]:
        """Decide a command on this survivor's stream and record what it decided."""
        return await self.record(self.decider(self.state, command), actor)

    async def record(self, events: Sequence[NewEvent], actor: Actor) -> list[Event]:
        """Append to the survivor stream at the folded version and project, in this transaction."""
        return await self.uow.append(
            "survivor", self.survivor_id, self.state.version, events, actor=actor
        )


@dataclass(frozen=True)
class Gate(Generic[F, S]):
    """A participant service's survivor gate, declared once: the consent scope its work needs,
    how its facts are built, how a survivor stream folds, and the error for an unknown survivor."""

    scope: str
    facts: MakeFacts[F]
    fold: Fold[S]
    unknown: Callable[[str], Exception] = NotFound
    # The service keeps `survivors.stream_version` (a trigger on every append to a survivor
    # stream): a command whose remembered state is at that version does not read the stream.
    versioned: bool = False


class Side(Protocol[S]):
    """What a participant service's command side offers a survivor unit."""

    @property
    def keys(self) -> Keys:
        """The service's key store."""
        ...

    @property
    def states(self) -> StreamStates[S] | None:
        """The stream states it remembers (None: fold every stream from its start)."""
        ...

    def unit_of_work(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """One command's transaction."""
        ...


@asynccontextmanager
async def survivor_unit(
    side: Side[S],
    survivor_id: UUID,
    gate: Gate[F, S],
    *,
    admit: Callable[[F], None],
    decider: Callable[[S, Any], Sequence[NewEvent]],
) -> AsyncIterator[SurvivorUnit[F, S]]:
    """A transaction holding the survivor's row lock, past `admit`, with their state folded
    (from the state `side.states` remembers and the events after it, when it remembers one)."""
    async with side.unit_of_work() as uow:
        row = await uow.conn.fetchrow(
            _LOCKED_VERSIONED if gate.versioned else _LOCKED, survivor_id, gate.scope
        )
        if row is None:
            raise gate.unknown("survivor not found")
        found = _facts(row, gate.facts)
        admit(found)
        # Read after the lock: a command that held it has committed everything it appended,
        # and the row's stream version (when kept) is the stream's committed head.
        head = row["stream_version"] if gate.versioned else None
        state = await uow.fold(survivor_id, gate.fold, side.states, head=head)
        yield SurvivorUnit(uow, survivor_id, state, side.keys.bound(uow.conn), found, decider)
