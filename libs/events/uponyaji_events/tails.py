"""Appends "at the end" of a stream (expected_version None), coalesced per stream in a process.

Many requests append to the same stream at once when the stream is a log, not an aggregate: the
access audit writes one stream per staff member and day, so every request of a busy counsellor
appends to it. Done one by one, each append reads the stream's head and inserts after it, and
concurrent ones collide on `(stream_id, version)` and retry. Here the appends waiting for one
stream are written together by one task: one multi-row INSERT for all of them, chained in the
order they arrived, guarded by the head the process last wrote or read (one statement, no read
first, while this process is the stream's only writer). A writer in another process makes the
guard fail; the head is then read afresh and the batch retried. Each caller gets its own events;
if a batch of several callers fails for another reason, each is retried alone, so one caller's
bad event never fails another's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from uponyaji_events.envelope import GENESIS_HASH, Event
from uponyaji_events.errors import ConcurrencyError

if TYPE_CHECKING:
    from uponyaji_events.db import Conn
    from uponyaji_events.store import _Draft

MAX_TAILS = 10_000  # streams whose head a process remembers (idle ones are forgotten first)


@dataclass(frozen=True)
class Head:
    """A stream's last event as this process last saw it."""

    version: int
    hash: bytes
    stream_type: str


# write(conn, drafts, head) -> the stored events of each draft; raises ConcurrencyError when the
# stream is not at `head` (or, with head None, when another writer got there first).
Write = Callable[["Conn", Sequence["_Draft"], Head | None], Awaitable[list[list[Event]]]]
ReadHead = Callable[["Conn", str], Awaitable[Head | None]]


@dataclass
class _Tail:
    head: Head | None = None
    pending: list[tuple[_Draft, asyncio.Future[list[Event]]]] = field(default_factory=list)
    busy: bool = False


@dataclass
class Tails:
    """The per-stream queues of one store."""

    acquire: Callable[[], Any]  # pool.acquire
    write: Write
    read_head: ReadHead
    on_commit: Callable[[], None]
    retries: int = 20
    _tails: dict[str, _Tail] = field(default_factory=dict)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def append(self, draft: _Draft) -> list[Event]:
        """Append `draft` at the end of its stream, together with whatever else is waiting."""
        tail = self._tails.get(draft.stream_id)
        if tail is None:
            self._forget_idle()
            tail = self._tails[draft.stream_id] = _Tail()
        future: asyncio.Future[list[Event]] = asyncio.get_running_loop().create_future()
        tail.pending.append((draft, future))
        if not tail.busy:
            tail.busy = True
            task = asyncio.create_task(self._drain(tail))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        # Shielded: a caller that gives up does not cancel the write of the others' events.
        return await asyncio.shield(future)

    async def _drain(self, tail: _Tail) -> None:
        batch: list[tuple[_Draft, asyncio.Future[list[Event]]]] = []
        try:
            while tail.pending:
                batch, tail.pending = tail.pending, []
                await self._write_batch(tail, batch)
        except BaseException as exc:  # cancelled (shutdown): no caller may wait forever
            for _, future in [*batch, *tail.pending]:
                settle(future, exc=exc)
            tail.pending = []
            raise
        finally:
            tail.busy = False

    async def _write_batch(
        self, tail: _Tail, batch: list[tuple[_Draft, asyncio.Future[list[Event]]]]
    ) -> None:
        try:
            stored = await self._write_retrying(tail, [draft for draft, _ in batch])
        except Exception as exc:
            if len(batch) == 1:
                settle(batch[0][1], exc=exc)
                return
            for one in batch:  # find the caller whose events fail; the others still get written
                await self._write_batch(tail, [one])
            return
        for (_, future), events in zip(batch, stored, strict=True):
            settle(future, events=events)
        self.on_commit()

    async def _write_retrying(self, tail: _Tail, drafts: list[_Draft]) -> list[list[Event]]:
        for attempt in range(self.retries):
            try:
                async with self.acquire() as conn:
                    if tail.head is None:
                        tail.head = await self.read_head(conn, drafts[0].stream_id)
                    stored = await self.write(conn, drafts, tail.head)
            except ConcurrencyError:
                tail.head = None  # another writer moved the stream: read its head again
                if attempt + 1 == self.retries:
                    raise
                continue
            except BaseException:
                tail.head = None
                raise
            last = stored[-1][-1]
            tail.head = Head(last.version, last.hash, last.stream_type)
            return stored
        raise AssertionError("unreachable")  # pragma: no cover

    def _forget_idle(self) -> None:
        if len(self._tails) < MAX_TAILS:
            return
        for stream_id in [s for s, t in self._tails.items() if not t.busy and not t.pending]:
            del self._tails[stream_id]


def genesis(stream_type: str) -> Head:
    """The head of a stream that has no events yet."""
    return Head(0, GENESIS_HASH, stream_type)


def settle(
    future: asyncio.Future[list[Event]],
    *,
    events: list[Event] | None = None,
    exc: BaseException | None = None,
) -> None:
    """Give a waiting caller its events or its error (once; a settled future stays as it is)."""
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        assert events is not None
        future.set_result(events)
