"""Read-all under concurrent writers: no event skipped, none seen twice, commit order kept."""

from __future__ import annotations

import asyncio
import time
import uuid

import asyncpg
from support import ACTOR
from uponyaji_events.envelope import NewEvent
from uponyaji_events.store import EventStore

WRITERS = 16
APPENDS_PER_WRITER = 60


async def test_a_tailing_reader_sees_every_event_once_in_commit_order(db: asyncpg.Pool) -> None:
    store = EventStore(db)
    window: dict[uuid.UUID, tuple[float, float]] = {}  # event -> (append started, committed)
    done = asyncio.Event()

    async def writer(w: int) -> None:
        streams = [f"w{w}-{uuid.uuid4()}" for _ in range(3)]
        for i in range(APPENDS_PER_WRITER):
            sid = streams[i % 3]
            size = 1 + i % 3  # one to three events per transaction
            started = time.monotonic()
            stored = await store.append(
                "case",
                sid,
                None,
                [NewEvent("t.Written", {"w": w, "i": i}) for _ in range(size)],
                actor=ACTOR,
            )
            committed = time.monotonic()
            for event in stored:
                window[event.event_id] = (started, committed)

    seen: list[tuple[int, uuid.UUID, str, int]] = []

    async def reader() -> None:
        after = 0
        while True:
            finished = done.is_set()
            await store.sequence()
            for event in await store.read_all(after, limit=100):
                assert event.position is not None
                seen.append((event.position, event.event_id, event.stream_id, event.version))
                after = event.position
            if finished and after == await store.head() and not await store.unsequenced():
                return
            await asyncio.sleep(0)

    tail = asyncio.ensure_future(reader())
    await asyncio.gather(*[writer(w) for w in range(WRITERS)])
    done.set()
    await asyncio.wait_for(tail, 60)

    ids = [event_id for _, event_id, _, _ in seen]
    assert len(ids) == len(window)  # every committed event was seen
    assert len(set(ids)) == len(ids)  # and none twice
    assert [p for p, _, _, _ in seen] == list(range(1, len(seen) + 1))  # dense, in order

    versions: dict[str, int] = {}
    for _, _, stream_id, version in seen:
        assert version == versions.get(stream_id, 0) + 1  # per-stream order kept
        versions[stream_id] = version

    # Commit order: an event whose append finished before another began is read before it.
    latest_start = 0.0
    for _, event_id, _, _ in seen:
        started, committed = window[event_id]
        assert committed >= latest_start, "an event was read after one that began later"
        latest_start = max(latest_start, started)
