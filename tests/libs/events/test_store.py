"""Contract tests of the event store against real PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import FrozenInstanceError, fields

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from uponyaji_events.codec import event_hash
from uponyaji_events.envelope import Actor, Event, NewEvent
from uponyaji_events.errors import ConcurrencyError
from uponyaji_events.integrity import verify
from uponyaji_events.store import EventStore

ACTOR = Actor(id="staff-test-1", role="intake_officer")


def ev(kind: str = "test.Happened", **payload: object) -> NewEvent:
    return NewEvent(type=kind, payload=dict(payload))


async def test_append_then_load_returns_events_in_order_with_chain(db: asyncpg.Pool) -> None:
    store = EventStore(db)
    sid = str(uuid.uuid4())
    first = await store.append("case", sid, 0, [ev(n=1), ev(n=2)], actor=ACTOR)
    await store.append("case", sid, 2, [ev(n=3)], actor=ACTOR)

    loaded = await store.load(sid)

    assert [e.payload["n"] for e in loaded] == [1, 2, 3]
    assert [e.version for e in loaded] == [1, 2, 3]
    assert loaded[0].prev_hash == bytes(32)
    assert loaded[1].prev_hash == loaded[0].hash
    assert loaded[2].prev_hash == loaded[1].hash
    assert loaded[0].event_id == first[0].event_id
    assert loaded[0].event_id.version == 7  # UUIDv7
    assert loaded[0].actor == ACTOR
    assert first[0].correlation_id == first[1].correlation_id


async def test_wrong_expected_version_raises_and_writes_nothing(db: asyncpg.Pool) -> None:
    store = EventStore(db)
    sid = str(uuid.uuid4())
    await store.append("case", sid, 0, [ev()], actor=ACTOR)

    with pytest.raises(ConcurrencyError):
        await store.append("case", sid, 0, [ev(), ev()], actor=ACTOR)
    with pytest.raises(ConcurrencyError):
        await store.append("case", sid, 5, [ev()], actor=ACTOR)

    assert await store.stream_version(sid) == 1


async def test_concurrent_writers_to_one_stream_exactly_one_wins(db: asyncpg.Pool) -> None:
    store = EventStore(db)
    sid = str(uuid.uuid4())
    await store.append("case", sid, 0, [ev()], actor=ACTOR)

    results = await asyncio.gather(
        *[store.append("case", sid, 1, [ev(writer=i)], actor=ACTOR) for i in range(10)],
        return_exceptions=True,
    )

    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(r, ConcurrencyError) for r in results if r not in winners)
    assert await store.stream_version(sid) == 2


async def test_any_version_appends_never_lose_an_event(db: asyncpg.Pool) -> None:
    store = EventStore(db)
    sid = str(uuid.uuid4())

    await asyncio.gather(
        *[store.append("audit", sid, None, [ev(i=i)], actor=ACTOR) for i in range(15)]
    )

    loaded = await store.load(sid)
    assert sorted(e.payload["i"] for e in loaded) == list(range(15))
    assert (await verify(db, sid)).ok


async def test_stream_type_cannot_change(db: asyncpg.Pool) -> None:
    store = EventStore(db)
    sid = str(uuid.uuid4())
    await store.append("case", sid, 0, [ev()], actor=ACTOR)
    with pytest.raises(ValueError, match="is a case"):
        await store.append("account", sid, 1, [ev()], actor=ACTOR)


async def test_read_all_sees_sequenced_events_in_position_order(db: asyncpg.Pool) -> None:
    store = EventStore(db)
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    await store.append("case", a, 0, [ev(n=1)], actor=ACTOR)
    await store.append("case", b, 0, [ev(n=2), ev(n=3)], actor=ACTOR)
    await store.append("case", a, 1, [ev(n=4)], actor=ACTOR)

    assert await store.read_all(0) == []  # nothing is visible before the sequencer numbers it
    assert await store.sequence() == 4

    events = await store.read_all(0)
    assert [e.position for e in events] == [1, 2, 3, 4]
    assert [e.payload["n"] for e in events] == [1, 2, 3, 4]
    assert [e.payload["n"] for e in await store.read_all(2, limit=1)] == [3]
    assert await store.head() == 4


async def test_a_page_read_builds_the_same_frozen_events_as_the_dataclass(
    db: asyncpg.Pool,
) -> None:
    """read_all sets each event's slots directly and shares a page's actors: the events must be
    the ones the dataclass would build, each with its own actor, hash intact and still frozen."""
    store = EventStore(db)
    other = Actor(id="staff-test-2", role="counsellor")
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    await store.append("case", a, 0, [ev(n=1), ev(n=2)], actor=ACTOR)
    await store.append("case", b, 0, [ev(n=3)], actor=other)
    await store.append("case", a, 2, [ev(n=4)], actor=ACTOR)
    await store.sequence()

    events = await store.read_all(0)
    assert [e.actor for e in events] == [ACTOR, ACTOR, other, ACTOR]
    for event in events:
        rebuilt = Event(*(getattr(event, f.name) for f in fields(Event)))
        assert event == rebuilt
        assert event_hash(event) == event.hash
        with pytest.raises(FrozenInstanceError):
            event.version = 99  # type: ignore[misc]
    # The same events as a stream load reads row by row.
    loaded = [*await store.load(a), *await store.load(b)]
    assert sorted(loaded, key=lambda e: e.position or 0) == events


async def test_an_uncommitted_event_is_numbered_after_later_commits(db: asyncpg.Pool) -> None:
    """The gap problem: a slow transaction commits last, so it must get the highest position."""
    store = EventStore(db)
    slow, fast = str(uuid.uuid4()), str(uuid.uuid4())
    async with db.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        await store.append("case", slow, 0, [ev(n="slow")], actor=ACTOR, conn=conn)
        await store.append("case", fast, 0, [ev(n="fast")], actor=ACTOR)
        await store.sequence()
        seen = await store.read_all(0)
        assert [e.payload["n"] for e in seen] == ["fast"]
        await tx.commit()
    await store.sequence()

    after = await store.read_all(seen[-1].position or 0)
    assert [e.payload["n"] for e in after] == ["slow"]
    assert after[0].position == 2


async def test_timestamps_and_payload_survive_the_round_trip(db: asyncpg.Pool) -> None:
    store = EventStore(db)
    sid = str(uuid.uuid4())
    payload = {"name": "Test Survivor Alpha ñ 🌍", "nested": {"b": [1, 2.5, None, True]}, "a": 0}
    [stored] = await store.append("case", sid, 0, [NewEvent("t.X", payload)], actor=ACTOR)
    [loaded] = await store.load(sid)
    assert loaded.payload == payload
    assert loaded.recorded_at == stored.recorded_at
    assert loaded.hash == stored.hash


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    batches=st.lists(
        st.lists(st.integers(min_value=-(2**53), max_value=2**53), min_size=1, max_size=10),
        min_size=1,
        max_size=6,
    )
)
async def test_any_sequence_of_batches_loads_back_and_verifies(
    db: asyncpg.Pool, batches: list[list[int]]
) -> None:
    store = EventStore(db)
    sid = str(uuid.uuid4())
    version = 0
    for batch in batches:
        await store.append("case", sid, version, [ev(v=v) for v in batch], actor=ACTOR)
        version += len(batch)

    loaded = await store.load(sid)

    assert [e.payload["v"] for e in loaded] == [v for batch in batches for v in batch]
    assert (await verify(db, sid)).ok


async def test_append_with_known_prev_hash_is_checked_against_the_stream(db: asyncpg.Pool) -> None:
    store = EventStore(db)
    sid = str(uuid.uuid4())
    [first] = await store.append("case", sid, 0, [ev(n=1)], actor=ACTOR, prev_hash=bytes(32))
    [second] = await store.append("case", sid, 1, [ev(n=2)], actor=ACTOR, prev_hash=first.hash)

    with pytest.raises(ConcurrencyError):  # a stale view of the stream
        await store.append("case", sid, 1, [ev(n=3)], actor=ACTOR, prev_hash=first.hash)
    with pytest.raises(ConcurrencyError):  # the right version but a hash the stream never had
        await store.append("case", sid, 2, [ev(n=3)], actor=ACTOR, prev_hash=bytes(32))
    with pytest.raises(ConcurrencyError):  # "new stream" on a stream that exists
        await store.append("case", sid, 0, [ev(n=3)], actor=ACTOR, prev_hash=bytes(32))
    with pytest.raises(ConcurrencyError):  # the stream belongs to another type
        await store.append("account", sid, 2, [ev(n=3)], actor=ACTOR, prev_hash=second.hash)

    assert [e.payload["n"] for e in await store.load(sid)] == [1, 2]
    assert (await verify(db, sid)).ok
