"""Group commit: concurrent one-event appends to different streams written by one statement.

Each append outside a caller's transaction is its own commit, and a commit costs a round trip,
a WAL flush and the client's per-statement work. When many writers append one event each at
once (many requests of a busy service), the appends that arrive while a write is under way wait
for it and are then written together: one read of the streams' heads (for those whose caller did
not pass `prev_hash`) and one multi-row INSERT, each row guarded by its own stream's head, rows
that lose a race skipped (`ON CONFLICT DO NOTHING`). Every caller still gets exactly the answer
it would have got alone: its stored event, or `ConcurrencyError` when its stream was not at the
expected version. A lone append takes the ordinary path; if a group's statement fails for any
other reason, each of its appends is retried alone, so one caller's bad event fails no other.

The heads this process wrote are remembered (the most recent streams, a bounded number): an
append whose expected version is the remembered one takes its `prev_hash` from there and needs no
heads read. A remembered head is never wrong, only possibly old: events are immutable, so the
event at that version has that hash for good; if another process has written after it, the
guarded INSERT skips the row and the caller gets the `ConcurrencyError` it would have got anyway.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import asyncpg

from uponyaji_events.envelope import GENESIS_HASH, Event
from uponyaji_events.errors import ConcurrencyError
from uponyaji_events.tails import settle

if TYPE_CHECKING:
    from uponyaji_events.store import _Draft

# The kernel migration 060_group_commit.sql defines both functions: PostgreSQL plans them for each
# group's own values. (Prepared as plain statements, they were planned once, on the table as it
# was at their sixth execution, and a plan from a near-empty table reads every event per group.)
HEADS = "SELECT stream_id, version, hash, stream_type FROM events_group_heads($1::text[])"
INSERT_GROUP = """
SELECT event_id FROM events_group_insert(
    $1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::int[], $7::timestamptz[],
    $8::timestamptz[], $9::text[], $10::text[], $11::uuid[], $12::uuid[], $13::jsonb[],
    $14::jsonb[], $15::bytea[], $16::bytea[]) AS event_id
"""


@dataclass
class _Waiting:
    draft: _Draft
    expected_version: int
    prev_hash: bytes | None
    future: asyncio.Future[list[Event]]


# Streams whose head this process remembers (version, hash, stream type), least recent dropped.
REMEMBERED_HEADS = 4096

# alone(draft, expected_version, prev_hash): the ordinary one-append path
Alone = Callable[["_Draft", int, bytes | None], Awaitable[list[Event]]]


@dataclass
class GroupCommit:
    """The waiting one-event appends of one store and the task writing them."""

    acquire: Callable[[], Any]  # pool.acquire
    alone: Alone
    on_commit: Callable[[], None]
    columns: Callable[[list[Event]], list[Any]]
    # Groups written at once: a few statements in flight keep the database's cores busy while
    # this process builds the next group.
    max_writers: int = 4
    _pending: list[_Waiting] = field(default_factory=list)
    _heads: OrderedDict[str, tuple[int, bytes, str]] = field(default_factory=OrderedDict)
    _writers: int = 0
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def append(
        self, draft: _Draft, expected_version: int, prev_hash: bytes | None
    ) -> list[Event]:
        """Append one event at `expected_version`, grouped with the appends waiting with it."""
        future: asyncio.Future[list[Event]] = asyncio.get_running_loop().create_future()
        self._pending.append(_Waiting(draft, expected_version, prev_hash, future))
        if self._writers < self.max_writers:
            self._writers += 1
            task = asyncio.create_task(self._drain())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        group: list[_Waiting] = []
        try:
            while self._pending:
                group, self._pending = self._pending, []
                if len(group) == 1:
                    await self._alone(group[0])
                else:
                    await self._write(group)
        except BaseException as exc:  # cancelled (shutdown): no caller may wait forever
            for waiting in group:
                settle(waiting.future, exc=exc)
            if self._writers == 1:
                for waiting in self._pending:
                    settle(waiting.future, exc=exc)
                self._pending = []
            raise
        finally:
            self._writers -= 1

    async def _alone(self, waiting: _Waiting) -> None:
        try:
            prev = waiting.prev_hash
            stored = await self.alone(
                waiting.draft,
                waiting.expected_version,
                prev if prev is not None else self._remembered(waiting),
            )
        except Exception as exc:
            self._heads.pop(waiting.draft.stream_id, None)
            settle(waiting.future, exc=exc)
        else:
            if stored:
                self._remember(stored[-1])
            settle(waiting.future, events=stored)

    def _remember(self, event: Event) -> None:
        """Remember a stream's head this process wrote (never a version older than known)."""
        known = self._heads.get(event.stream_id)
        if known is None or known[0] < event.version:
            self._heads[event.stream_id] = (event.version, event.hash, event.stream_type)
        self._heads.move_to_end(event.stream_id)
        while len(self._heads) > REMEMBERED_HEADS:
            self._heads.popitem(last=False)

    def _remembered(self, waiting: _Waiting) -> bytes | None:
        """The hash of the stream's head at the expected version, if this process wrote it."""
        known = self._heads.get(waiting.draft.stream_id)
        if known is None or known[0] != waiting.expected_version:
            return None
        return known[1] if known[2] == waiting.draft.stream_type else None

    async def _write(self, group: list[_Waiting]) -> None:
        try:
            async with self.acquire() as conn:
                built = await self._build(conn, group)
                events = [event for _, event in built]
                rows = await conn.fetch(INSERT_GROUP, *self.columns(events)) if built else []
        except (asyncpg.PostgresError, ValueError, TypeError, OverflowError):
            for waiting in group:  # find the one that fails; the others are written alone
                if not waiting.future.done():
                    await self._alone(waiting)
            return
        inserted = {row["event_id"] for row in rows}
        for waiting, event in built:
            if event.event_id in inserted:
                self._remember(event)
                settle(waiting.future, events=[event])
            else:
                self._heads.pop(event.stream_id, None)
                settle(
                    waiting.future,
                    exc=ConcurrencyError(
                        f"stream {event.stream_id} is not at version {waiting.expected_version}"
                    ),
                )
        if inserted:
            self.on_commit()

    async def _build(self, conn: Any, group: list[_Waiting]) -> list[tuple[_Waiting, Event]]:
        for waiting in group:
            if waiting.prev_hash is None:
                waiting.prev_hash = self._remembered(waiting)
        unknown = sorted({w.draft.stream_id for w in group if w.prev_hash is None})
        heads = {}
        if unknown:
            heads = {row["stream_id"]: row for row in await conn.fetch(HEADS, unknown)}
        built: list[tuple[_Waiting, Event]] = []
        for waiting in group:
            draft, expected = waiting.draft, waiting.expected_version
            prev = waiting.prev_hash
            if prev is None:
                head = heads.get(draft.stream_id)
                current = head["version"] if head is not None else 0
                if head is not None and head["stream_type"] != draft.stream_type:
                    settle(
                        waiting.future,
                        exc=ValueError(
                            f"stream {draft.stream_id} is a {head['stream_type']}, "
                            f"not a {draft.stream_type}"
                        ),
                    )
                    continue
                if current != expected:
                    settle(
                        waiting.future,
                        exc=ConcurrencyError(
                            f"stream {draft.stream_id} is at version {current}, expected {expected}"
                        ),
                    )
                    continue
                prev = bytes(head["hash"]) if head is not None else GENESIS_HASH
            built.append((waiting, draft.build(expected, prev)[0]))
        return built
