"""Appends at a stream's end are coalesced per stream: none lost, chain kept, errors apart."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

import asyncpg
import pytest
from uponyaji_events.envelope import Actor, NewEvent
from uponyaji_events.errors import ConcurrencyError
from uponyaji_events.integrity import verify
from uponyaji_events.store import EventStore

ACTOR = Actor(id="staff-test-1", role="counsellor")


def ev(**payload: object) -> NewEvent:
    return NewEvent(type="test.Accessed", payload=dict(payload))


async def test_two_processes_appending_at_the_end_lose_nothing_and_keep_the_chain(
    new_database_url: Callable[[], str],
) -> None:
    from uponyaji_events.db import create_pool

    url = new_database_url()
    pools = [await create_pool(url, min_size=1, max_size=4) for _ in range(2)]
    try:
        # Two stores on one database stand for two worker processes of one service.
        first, second = (EventStore(pool) for pool in pools)
        sid = f"audit-{uuid.uuid4()}"
        await asyncio.gather(
            *[
                store.append("audit", sid, None, [ev(writer=w, n=n)], actor=ACTOR)
                for n in range(20)
                for w, store in enumerate((first, second))
            ]
        )
        loaded = await first.load(sid)
        assert [e.version for e in loaded] == list(range(1, 41))
        assert sorted((e.payload["writer"], e.payload["n"]) for e in loaded) == sorted(
            (w, n) for w in range(2) for n in range(20)
        )
        assert (await verify(pools[0], sid)).ok
        # Each process appends again after the other moved the stream: its remembered head is
        # stale, the guard refuses, it reads the head afresh.
        await first.append("audit", sid, None, [ev(last="first")], actor=ACTOR)
        await second.append("audit", sid, None, [ev(last="second")], actor=ACTOR)
        assert await first.stream_version(sid) == 42
        assert (await verify(pools[0], sid)).ok
    finally:
        for pool in pools:
            await pool.close()


async def test_one_callers_bad_event_does_not_fail_the_others_written_with_it(
    db: asyncpg.Pool,
) -> None:
    store = EventStore(db)
    sid = f"audit-{uuid.uuid4()}"
    await store.append("audit", sid, None, [ev(n=0)], actor=ACTOR)

    calls: list[Awaitable[object]] = [
        store.append("audit", sid, None, [ev(n=n)], actor=ACTOR) for n in range(1, 6)
    ]
    calls.insert(2, store.append("case", sid, None, [ev(n="wrong type")], actor=ACTOR))
    results = await asyncio.gather(*calls, return_exceptions=True)

    failed = [r for r in results if isinstance(r, BaseException)]
    assert len(failed) == 1
    assert isinstance(failed[0], ValueError)
    assert "is a audit" in str(failed[0])
    loaded = await store.load(sid)
    assert sorted(e.payload["n"] for e in loaded) == [0, 1, 2, 3, 4, 5]
    assert (await verify(db, sid)).ok


async def test_a_multi_event_append_at_the_end_stays_together(db: asyncpg.Pool) -> None:
    store = EventStore(db)
    sid = f"log-{uuid.uuid4()}"
    results = await asyncio.gather(
        *[
            store.append("log", sid, None, [ev(call=c, part=p) for p in range(3)], actor=ACTOR)
            for c in range(6)
        ]
    )
    for stored in results:  # each caller's three events are consecutive versions, in order
        versions = [e.version for e in stored]
        assert versions == list(range(versions[0], versions[0] + 3))
        assert [e.payload["part"] for e in stored] == [0, 1, 2]
    assert await store.stream_version(sid) == 18
    assert (await verify(db, sid)).ok


@pytest.mark.parametrize("count", [1, 3])
async def test_an_append_at_the_end_of_a_new_stream_starts_it(db: asyncpg.Pool, count: int) -> None:
    store = EventStore(db)
    sid = f"new-{uuid.uuid4()}"
    stored = await store.append("log", sid, None, [ev(i=i) for i in range(count)], actor=ACTOR)
    assert [e.version for e in stored] == list(range(1, count + 1))
    assert stored[0].prev_hash == bytes(32)


async def test_grouped_one_event_appends_each_get_their_own_answer(db: asyncpg.Pool) -> None:
    store = EventStore(db)
    streams = [f"case-{uuid.uuid4()}" for _ in range(12)]
    for sid in streams[:6]:
        await store.append("case", sid, 0, [ev(n=0)], actor=ACTOR)
    calls: list[Awaitable[object]] = []
    for i, sid in enumerate(streams):
        existing = i < 6
        right = 1 if existing else 0
        expected = right if i % 3 else right + 1  # every third caller expects the wrong version
        calls.append(store.append("case", sid, expected, [ev(n=i)], actor=ACTOR))
    calls.append(store.append("other", streams[1], 1, [ev(n="wrong type")], actor=ACTOR))
    results = await asyncio.gather(*calls, return_exceptions=True)

    for i, result in enumerate(results[:-1]):
        if i % 3:
            assert not isinstance(result, BaseException), result
            assert result[0].version == (2 if i < 6 else 1)
        else:
            assert isinstance(result, ConcurrencyError)
    assert isinstance(results[-1], (ValueError, ConcurrencyError))
    for i, sid in enumerate(streams):
        written = 1 if i % 3 else 0
        assert await store.stream_version(sid) == (1 if i < 6 else 0) + written
        assert (await verify(db, sid)).ok


async def test_a_bad_event_in_a_group_fails_only_its_own_caller(db: asyncpg.Pool) -> None:
    store = EventStore(db)
    streams = [f"case-{uuid.uuid4()}" for _ in range(8)]
    bad = 3  # its payload cannot be encoded: the group's statement fails, then each is retried
    calls = [
        store.append("case", sid, 0, [ev(n=i, note=object() if i == bad else "fine")], actor=ACTOR)
        for i, sid in enumerate(streams)
    ]
    results = await asyncio.gather(*calls, return_exceptions=True)

    assert isinstance(results[bad], TypeError)
    for i, sid in enumerate(streams):
        assert await store.stream_version(sid) == (0 if i == bad else 1)
        if i != bad:
            assert not isinstance(results[i], BaseException), results[i]
            assert (await verify(db, sid)).ok


async def test_grouped_appends_keep_every_chain_as_the_store_grows(db: asyncpg.Pool) -> None:
    store = EventStore(db)
    writers, rounds = 8, 12  # many groups: their statements are planned again as the table grows
    streams = [f"log-{uuid.uuid4()}" for _ in range(writers)]
    for version in range(rounds):
        stored = await asyncio.gather(
            *(store.append("log", sid, version, [ev(v=version)], actor=ACTOR) for sid in streams)
        )
        assert [s[0].version for s in stored] == [version + 1] * writers
    for sid in streams:
        assert [e.payload["v"] for e in await store.load(sid)] == list(range(rounds))
        assert (await verify(db, sid)).ok


async def test_grouped_appends_do_not_scan_a_store_that_grew_since_it_was_analysed(
    new_database: Callable[..., Awaitable[asyncpg.Pool]],
) -> None:
    # A plan kept from a near-empty store (analysed at 16 events) would read the whole table for
    # every group once the store has grown; each group must be planned for the store it writes.
    pool = await new_database(max_size=1)  # one connection: the same prepared statements
    store = EventStore(pool)
    streams = [f"case-{uuid.uuid4()}" for _ in range(16)]

    async def group_round(version: int) -> None:
        await asyncio.gather(
            *(store.append("case", sid, version, [ev(v=version)], actor=ACTOR) for sid in streams)
        )

    await group_round(0)
    await pool.execute("ANALYZE events")
    for version in range(1, 8):  # past the sixth execution, when a generic plan may be kept
        await group_round(version)
    for batch in range(40):  # the store grows to about 4,000 events
        events = [ev(n=n) for n in range(100)]
        await store.append("log", f"log-{batch}", 0, events, actor=ACTOR)

    async def sequential_scans() -> int:
        await pool.execute("SELECT pg_stat_force_next_flush()")
        return int(
            await pool.fetchval("SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'events'")
        )

    before = await sequential_scans()
    for version in range(8, 18):
        await group_round(version)
    assert await sequential_scans() - before == 0
    assert [e.version for e in await store.load(streams[0])] == list(range(1, 19))


async def test_a_head_remembered_by_one_process_and_moved_by_another_is_refused_safely(
    new_database_url: Callable[[], str],
) -> None:
    from uponyaji_events.db import create_pool

    url = new_database_url()
    pools = [await create_pool(url, min_size=1, max_size=4) for _ in range(2)]
    try:
        # Two stores on one database stand for two worker processes of one service.
        mine, other = (EventStore(pool) for pool in pools)
        streams = [f"case-{uuid.uuid4()}" for _ in range(8)]
        for version in range(3):  # grouped: this process remembers each stream's head
            await asyncio.gather(
                *(
                    mine.append("case", sid, version, [ev(v=version)], actor=ACTOR)
                    for sid in streams
                )
            )
        # The other process moves the first stream on behind this one's back.
        await other.append("case", streams[0], 3, [ev(v="other")], actor=ACTOR)

        results = await asyncio.gather(
            *(mine.append("case", sid, 3, [ev(v=3)], actor=ACTOR) for sid in streams),
            return_exceptions=True,
        )
        assert isinstance(results[0], ConcurrencyError)  # not written over the other's event
        assert all(not isinstance(r, BaseException) for r in results[1:]), results
        retried = await mine.append("case", streams[0], 4, [ev(v=4)], actor=ACTOR)
        assert retried[0].version == 5
        for sid in streams:
            assert (await verify(pools[0], sid)).ok
        assert [e.payload["v"] for e in await mine.load(streams[0])] == [0, 1, 2, "other", 4]
    finally:
        for pool in pools:
            await pool.close()
