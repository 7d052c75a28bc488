"""The unit of work: load on the transaction, decide, append and project together; wake after."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg
import pytest
from uponyaji_events import ConcurrencyError, unit_of_work
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Actor, Event, NewEvent
from uponyaji_events.store import EventStore

ACTOR = Actor(id="staff-test-1", role="counsellor")


async def project(conn: Conn, events: Sequence[Event]) -> None:
    """A read table of how many events each stream has (the service's projection)."""
    for event in events:
        await conn.execute(
            "INSERT INTO counts (stream_id, n) VALUES ($1, 1) "
            "ON CONFLICT (stream_id) DO UPDATE SET n = counts.n + 1",
            event.stream_id,
        )


@pytest.fixture
async def store(db: asyncpg.Pool) -> EventStore:
    await db.execute("CREATE TABLE counts (stream_id text PRIMARY KEY, n int NOT NULL)")
    return EventStore(db)


def woken(store: EventStore) -> list[int]:
    calls: list[int] = []
    store.on_commit(lambda: calls.append(1))
    return calls


def decide(history: list[Event]) -> list[NewEvent]:
    """A pure decision on the stream so far: number the next event."""
    return [NewEvent(type="test.Counted", payload={"n": len(history) + 1})]


async def test_execute_loads_decides_appends_and_projects_then_wakes_the_relay(
    store: EventStore, db: asyncpg.Pool
) -> None:
    sid = uuid.uuid4()
    wakes = woken(store)
    for round_ in range(3):
        async with unit_of_work(store, project=project) as uow:
            stored = await uow.execute("tally", sid, decide, actor=ACTOR)
            assert len(wakes) == round_  # nothing is announced before the commit
        assert len(wakes) == round_ + 1

    assert [e.payload["n"] for e in await store.load(str(sid))] == [1, 2, 3]
    assert stored[0].version == 3
    assert await db.fetchval("SELECT n FROM counts WHERE stream_id = $1", str(sid)) == 3


async def test_load_sees_the_transactions_own_uncommitted_appends(store: EventStore) -> None:
    sid = uuid.uuid4()
    async with unit_of_work(store) as uow:
        await uow.append("tally", sid, 0, decide([]), actor=ACTOR)
        inside = await uow.load(sid)
        outside = await store.load(str(sid))
    assert [e.version for e in inside] == [1]
    assert outside == []


async def test_a_failed_decision_rolls_back_events_and_projection_and_wakes_nobody(
    store: EventStore, db: asyncpg.Pool
) -> None:
    sid = uuid.uuid4()
    wakes = woken(store)

    def refuse(history: list[Event]) -> list[NewEvent]:
        raise ValueError("the domain refuses")

    async def command() -> None:
        async with unit_of_work(store, project=project) as uow:
            await uow.append("tally", sid, 0, decide([]), actor=ACTOR)
            await uow.execute("tally", sid, refuse, actor=ACTOR)

    with pytest.raises(ValueError, match="refuses"):
        await command()

    assert await store.load(str(sid)) == []
    assert await db.fetchval("SELECT count(*) FROM counts") == 0
    assert wakes == []


async def test_a_stale_expected_version_conflicts_and_writes_nothing(
    store: EventStore, db: asyncpg.Pool
) -> None:
    sid = uuid.uuid4()
    async with unit_of_work(store, project=project) as uow:
        await uow.append("tally", sid, 0, decide([]), actor=ACTOR)

    async def stale() -> None:
        async with unit_of_work(store, project=project) as uow:
            await uow.append("tally", sid, 0, decide([]), actor=ACTOR)

    with pytest.raises(ConcurrencyError):
        await stale()
    assert len(await store.load(str(sid))) == 1
    assert await db.fetchval("SELECT n FROM counts") == 1
