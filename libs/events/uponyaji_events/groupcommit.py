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
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import asyncpg

from uponyaji_events.envelope import GENESIS_HASH, Event
from uponyaji_events.errors import ConcurrencyError
from uponyaji_events.tails import settle

if TYPE_CHECKING:
    from uponyaji_events.store import _Draft

# Each stream's last event: one backward step down the (stream_id, version) index per stream.
HEADS = """
SELECT s.stream_id, h.version, h.hash, h.stream_type
FROM unnest($1::text[]) AS s(stream_id)
CROSS JOIN LATERAL (SELECT version, hash, stream_type FROM events e
                    WHERE e.stream_id = s.stream_id ORDER BY version DESC LIMIT 1) AS h
"""
INSERT_GROUP = """
INSERT INTO events (event_id, stream_type, stream_id, version, type, schema_version, occurred_at,
                    recorded_at, actor_id, actor_role, correlation_id, causation_id, trace, payload,
                    prev_hash, hash)
SELECT u.* FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::int[],
                       $7::timestamptz[], $8::timestamptz[], $9::text[], $10::text[], $11::uuid[],
                       $12::uuid[], $13::jsonb[], $14::jsonb[], $15::bytea[], $16::bytea[])
    AS u(event_id, stream_type, stream_id, version, type, schema_version, occurred_at,
         recorded_at, actor_id, actor_role, correlation_id, causation_id, trace, payload,
         prev_hash, hash)
WHERE CASE WHEN u.version = 1 THEN u.prev_hash = decode(repeat('00', 32), 'hex')
           ELSE EXISTS (SELECT 1 FROM events e WHERE e.stream_id = u.stream_id
                        AND e.version = u.version - 1 AND e.hash = u.prev_hash
                        AND e.stream_type = u.stream_type) END
ON CONFLICT DO NOTHING
RETURNING event_id
"""
# A group's statements are planned for its own values, every time. PostgreSQL otherwise keeps
# a generic plan from the sixth execution on, costed on the table as it was then: on a store
# that starts empty that plan reads the whole table (a sequential scan for the heads, a hashed
# subplan over every event for the guard), and its cost grows with every event written. One
# plan per group costs about 0.1 ms of the server's time, a few microseconds per event. The
# setting is local to the group's transaction, opened with it in one round trip.
BEGIN_CUSTOM_PLANS = "BEGIN; SET LOCAL plan_cache_mode = force_custom_plan"


@asynccontextmanager
async def _custom_plans(conn: Any) -> AsyncIterator[None]:
    """A transaction on `conn` whose statements are planned for their own values."""
    await conn.execute(BEGIN_CUSTOM_PLANS)
    try:
        yield
    except BaseException:
        if not conn.is_closed():
            await conn.execute("ROLLBACK")
        raise
    await conn.execute("COMMIT")


@dataclass
class _Waiting:
    draft: _Draft
    expected_version: int
    prev_hash: bytes | None
    future: asyncio.Future[list[Event]]


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
            stored = await self.alone(waiting.draft, waiting.expected_version, waiting.prev_hash)
        except Exception as exc:
            settle(waiting.future, exc=exc)
        else:
            settle(waiting.future, events=stored)

    async def _write(self, group: list[_Waiting]) -> None:
        try:
            async with self.acquire() as conn, _custom_plans(conn):
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
                settle(waiting.future, events=[event])
            else:
                settle(
                    waiting.future,
                    exc=ConcurrencyError(
                        f"stream {event.stream_id} is not at version {waiting.expected_version}"
                    ),
                )
        if inserted:
            self.on_commit()

    async def _build(self, conn: Any, group: list[_Waiting]) -> list[tuple[_Waiting, Event]]:
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
