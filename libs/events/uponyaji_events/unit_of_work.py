"""One command's unit of work: load, decide, append and project in one transaction.

    async with unit_of_work(store, project=projections.apply_all) as uow:
        events = await uow.load(str(survivor_id))          # on the transaction's connection
        new = decide(fold(events), command)                 # pure domain logic
        await uow.append("survivor", str(survivor_id), len(events), new, actor=actor)

Every append is projected into the service's read tables on the same connection; the relay is
woken after the commit (never for a transaction that rolled back). A stream loaded in the unit of
work is appended to at its loaded head with that head's hash: one guarded INSERT, no second read.
`fold` with a `StreamStates` memory reads only the events after the state it remembers.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar, Generic, Protocol, TypeVar
from uuid import UUID

from uponyaji_events.db import Conn
from uponyaji_events.eat import eat_date
from uponyaji_events.envelope import GENESIS_HASH, Actor, Event, NewEvent
from uponyaji_events.errors import ConcurrencyError
from uponyaji_events.metrics import command_duration
from uponyaji_events.read_model import ReadModel
from uponyaji_events.states import Folded, StreamStates
from uponyaji_events.store import EventStore

# Applies a service's own newly stored events to its read tables, on the given connection.
Project = Callable[[Conn, Sequence[Event]], Awaitable[None]]
S = TypeVar("S")
K = TypeVar("K")  # a service's sealing keys
# Folds events onto a state (None: the state before the stream's first event).
Fold = Callable[[list[Event], S | None], S]


@dataclass(frozen=True)
class UnitOfWork:
    """A transaction of the service's store: its connection, loads, appends with projection."""

    store: EventStore
    conn: Conn
    project: Project | None = None
    # stream id -> (version, hash) of its last event as loaded or appended in this transaction
    _heads: dict[str, tuple[int, bytes]] = field(default_factory=dict, repr=False)
    # streams appended to in this transaction (their states are not committed yet)
    _written: set[str] = field(default_factory=set, repr=False)
    # streams whose state came from a memory, which is told if the append then conflicts
    _remembered: dict[str, StreamStates[Any]] = field(default_factory=dict, repr=False)
    # streams folded with a memory: (fold, memory, state after this transaction's appends),
    # remembered at their appended version once the transaction has committed
    _folding: dict[str, tuple[Fold[Any], StreamStates[Any], Any]] = field(
        default_factory=dict, repr=False
    )

    async def load(self, stream_id: str | UUID, *, after_version: int = 0) -> list[Event]:
        """A stream's events (upcast), read inside this transaction."""
        key = str(stream_id)
        events = await self.store.load(key, after_version=after_version, conn=self.conn)
        if events:
            self._heads[key] = (events[-1].version, events[-1].hash)
        elif after_version == 0:
            self._heads[key] = (0, GENESIS_HASH)
        return events

    async def fold(
        self,
        stream_id: str | UUID,
        fold: Fold[S],
        states: StreamStates[S] | None = None,
        *,
        head: int | None = None,
    ) -> S:
        """A stream's state, read inside this transaction: with `states`, the remembered state
        and the events after it (then remembered in turn), else every event folded.

        `head` is the stream's committed version when the caller knows it for certain (read
        under a lock every append to the stream takes, after the last writer committed): a
        remembered state at that version is the stream's state, and nothing is read."""
        key = str(stream_id)
        known = states.get(key) if states is not None and key not in self._written else None
        if known is None:
            state = fold(await self.load(key), None)
        elif head is not None and head == known.version:
            assert states is not None  # `known` came from it
            self._heads[key] = (known.version, known.hash)
            self._remembered[key] = states  # told if the append conflicts after all
            self._folding[key] = (fold, states, known.state)
            return known.state
        else:
            newer = await self.store.load(key, after_version=known.version, conn=self.conn)
            state = fold(newer, known.state) if newer else known.state
            last = newer[-1] if newer else None
            self._heads[key] = (last.version, last.hash) if last else (known.version, known.hash)
        if states is not None and key not in self._written:
            version, digest = self._heads[key]
            if version > 0:  # committed events only: nothing of this transaction's is in it
                states.put(key, Folded(version, digest, state))
                self._remembered[key] = states
            self._folding[key] = (fold, states, state)
        return state

    async def append(
        self,
        stream_type: str,
        stream_id: str | UUID,
        expected_version: int | None,
        events: Sequence[NewEvent],
        *,
        actor: Actor,
        correlation_id: UUID | None = None,
        causation_id: UUID | None = None,
    ) -> list[Event]:
        """Append at `expected_version` (409 on conflict), then project, in this transaction."""
        key = str(stream_id)
        head = self._heads.get(key)
        known = head is not None and expected_version is not None and head[0] == expected_version
        try:
            stored = await self.store.append(
                stream_type,
                key,
                expected_version,
                events,
                actor=actor,
                correlation_id=correlation_id,
                causation_id=causation_id,
                prev_hash=head[1] if known and head is not None else None,
                conn=self.conn,
            )
        except ConcurrencyError:
            if key in self._remembered:  # the memory disagrees with the store: fold afresh
                self._remembered[key].forget(key)
            raise
        self._written.add(key)
        self._heads[key] = (stored[-1].version, stored[-1].hash)
        folding = self._folding.get(key)
        if folding is not None:  # the state after these events too, for after the commit
            fold, states, state = folding
            self._folding[key] = (fold, states, fold(stored, state))
        if self.project is not None:
            await self.project(self.conn, stored)
        return stored

    async def execute(
        self,
        stream_type: str,
        stream_id: str | UUID,
        decide: Callable[[list[Event]], Sequence[NewEvent]],
        *,
        actor: Actor,
    ) -> list[Event]:
        """Load the stream, decide on its events, append what was decided at its version."""
        history = await self.load(stream_id)
        decided = decide(history)
        if not decided:
            return []
        version = history[-1].version if history else 0
        return await self.append(stream_type, stream_id, version, decided, actor=actor)

    def committed(self) -> None:
        """Remember the states of the streams this transaction folded and appended to, at their
        appended versions (called once the transaction has committed)."""
        for key, (_, states, state) in self._folding.items():
            if key in self._written:
                version, digest = self._heads[key]
                states.put(key, Folded(version, digest, state))


@asynccontextmanager
async def unit_of_work(
    store: EventStore, *, project: Project | None = None
) -> AsyncIterator[UnitOfWork]:
    """Open a unit of work; commit when the block ends, roll back on error, wake the relay."""
    started, outcome = time.perf_counter(), "rolled_back"
    try:
        # `store.transaction()` inlined: one context manager less per command.
        async with store.pool.acquire() as conn, conn.transaction():
            uow = UnitOfWork(store, conn, project)
            yield uow
        outcome = "committed"
        uow.committed()
        store.notify_committed()
    finally:
        command_duration.record(time.perf_counter() - started, {"uponyaji.outcome": outcome})


class _Clocked(Protocol):
    @property
    def clock(self) -> Callable[[], datetime]: ...


@dataclass(frozen=True)
class CommandSide(Generic[K]):
    """What a service's command side shares: its store and keys, units of work that project
    each append into the service's read model, and its calendar. A service's dataclass derives
    from it, naming its read model (`class Medical(CommandSide[Keys], read_model=...)`), and
    declares its own fields after these, its `clock` among them."""

    read_model: ClassVar[ReadModel]
    store: EventStore
    keys: K

    def __init_subclass__(cls, *, read_model: ReadModel | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if read_model is not None:
            cls.read_model = read_model

    def unit_of_work(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """One command's transaction: appends are projected into the read tables in it."""
        return unit_of_work(self.store, project=self.read_model.apply_all)

    def today(self: _Clocked) -> date:
        """Today's date in Kenya (by the service's clock)."""
        return eat_date(self.clock())
