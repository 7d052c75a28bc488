"""What the benchmarks write: a realistic event, fast preloading, pools with the kernel's codecs."""

from __future__ import annotations

import asyncio

import asyncpg
import orjson
from uponyaji_events.db import create_pool
from uponyaji_events.envelope import Actor, NewEvent
from uponyaji_events.store import EventStore

ACTOR = Actor(id="staff-bench-1", role="counsellor")
STREAM_TYPE = "case"
EVENT_TYPE = "case.NoteRecorded"

# About what a case-management event carries: ids, a few fields and a short free-text note.
PAYLOAD: dict[str, object] = {
    "case_id": "c-2f6c0e2a-47b1-4f0b-9d0e-3c1f5b8e7a21",
    "client_id": "p-8d1e4c6b-02a9-4c6e-b5f7-91d2a3e4c5b6",
    "kind": "follow_up",
    "risk_level": "moderate",
    "duration_minutes": 45,
    "tags": ["housing", "school", "family"],
    "note": "Client attended with a relative; agreed next steps and a review in two weeks. " * 2,
}
PAYLOAD_BYTES = orjson.dumps(PAYLOAD)


def new_events(count: int) -> list[NewEvent]:
    """`count` events for one append (the store gives each its own id)."""
    return [NewEvent(type=EVENT_TYPE, payload=PAYLOAD) for _ in range(count)]


async def open_pool(url: str, size: int) -> asyncpg.Pool:
    """A kernel pool of exactly `size` connections, opened before anything is timed."""
    return await create_pool(url, min_size=size, max_size=size)


async def preload(
    store: EventStore, total: int, *, per_tx: int = 100, writers: int = 2, sequence: bool = True
) -> None:
    """Append `total` events quickly (`per_tx` to a new stream per transaction), then sequence."""
    batches = [min(per_tx, total - start) for start in range(0, total, per_tx)]
    queue: asyncio.Queue[tuple[int, int]] = asyncio.Queue()
    for index, size in enumerate(batches):
        queue.put_nowait((index, size))

    async def writer() -> None:
        while not queue.empty():
            index, size = queue.get_nowait()
            await store.append(STREAM_TYPE, f"pre-{index}", 0, new_events(size), actor=ACTOR)

    await asyncio.gather(*(writer() for _ in range(writers)))
    if sequence:
        await sequence_all(store)


async def sequence_all(store: EventStore) -> int:
    """Sequence every committed event; return how many were given positions."""
    total = 0
    while count := await store.sequence():
        total += count
    return total


def shares(total: int, rounds: int) -> list[tuple[int, int]]:
    """Split range(total) into `rounds` consecutive (start, stop) turns."""
    cuts = [total * k // rounds for k in range(rounds + 1)]
    return [(cuts[k], cuts[k + 1]) for k in range(rounds) if cuts[k + 1] > cuts[k]]
