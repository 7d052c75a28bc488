"""Range statements: one signature over a block of positions lets a consumer verify a whole page;
a statement that does not match is refused, and where none covers a run each event is checked."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from support import ACTOR, Sink, service_name, signed_store
from uponyaji_events.codec import event_hash
from uponyaji_events.consumer import Consumer, StagedBatchHandler
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Event, NewEvent
from uponyaji_events.feed import HttpFeed, StoreFeed, feed_router
from uponyaji_events.seals import SEAL_BLOCK, aligned_limit, completed_blocks, seals_of
from uponyaji_events.store import EventStore

NewDatabase = Callable[..., Awaitable[asyncpg.Pool]]
EVENTS = 2 * SEAL_BLOCK + 100  # two sealed blocks and a partial one


async def _source(
    new_database: NewDatabase, *, step: int = 10_000, only: int | None = None
) -> EventStore:
    """A signed store of EVENTS events in 12 streams, sequenced `step` at a time (`only` the
    first few when given)."""
    store = signed_store(await new_database(), service_name())
    streams, per = 12, EVENTS // 12
    for s in range(streams):
        events = [NewEvent("src.Happened", {"n": s * per + i}) for i in range(per)]
        await store.append("case", f"case-{uuid.uuid4()}", 0, events, actor=ACTOR)
    if only is not None:
        await store.sequence(only)
        return store
    while await store.sequence(step):
        pass
    return store


async def _consumer(new_database: NewDatabase, store: EventStore) -> tuple[Consumer, Sink]:
    target = await new_database()
    sink = Sink(target)
    await sink.create()
    assert store.signer is not None
    consumer = Consumer(
        target,
        name="sink",
        source=store.signer.service,
        batch_handler=sink.handle_batch,
        nats_url="nats://unused",
        feed=StoreFeed(store),
    )
    return consumer, sink


async def _as_superuser(store: EventStore, sql: str, *args: object) -> None:
    """Change the source's rows past its append-only triggers (what an intruder could do)."""
    async with store.pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        await conn.execute(sql, *args)


async def _alarms(consumer: Consumer) -> list[tuple[int, str]]:
    rows = await consumer.pool.fetch("SELECT position, reason FROM integrity_alarms ORDER BY id")
    return [(r["position"], r["reason"]) for r in rows]


def test_blocks_and_page_alignment() -> None:
    assert completed_blocks(0, SEAL_BLOCK - 1) == []
    assert completed_blocks(SEAL_BLOCK - 1, SEAL_BLOCK) == [(1, SEAL_BLOCK)]
    assert completed_blocks(10, 3 * SEAL_BLOCK + 5) == [
        (1, SEAL_BLOCK),
        (SEAL_BLOCK + 1, 2 * SEAL_BLOCK),
        (2 * SEAL_BLOCK + 1, 3 * SEAL_BLOCK),
    ]
    assert (17 + aligned_limit(17, 1000)) % SEAL_BLOCK == 0
    assert aligned_limit(0, 1000) == 1000
    assert aligned_limit(17, 10) == 10  # a page within one block is not cut to nothing


async def test_a_sealed_block_is_applied_on_its_statement(new_database: NewDatabase) -> None:
    # Sequenced a few events at a time, as the relay does after each commit: the statement of a
    # block is signed when its last position is handed out.
    store = await _source(new_database, step=7)
    seals = await store.read_seals(0, EVENTS)
    assert [(s.first, s.last) for s in seals] == [(1, SEAL_BLOCK), (SEAL_BLOCK + 1, 2 * SEAL_BLOCK)]
    # The events' own signatures are spoiled in the first block: its statement still vouches for
    # them (position and content), so they apply; past the sealed blocks, per-event checks rule.
    await _as_superuser(
        store, "UPDATE events SET signature = $1 WHERE position <= $2", bytes(64), SEAL_BLOCK
    )
    consumer, sink = await _consumer(new_database, store)

    assert await consumer.catch_up() == EVENTS
    assert await sink.count() == EVENTS
    assert await _alarms(consumer) == []


async def test_a_block_whose_statement_does_not_match_is_refused(
    new_database: NewDatabase,
) -> None:
    # A forger changes an event inside a sealed block and recomputes its hash: the content
    # matches the hash, so only the signatures can tell. The block's statement does not verify
    # over the new hash, and the event's own signature does not either: refused there.
    store = await _source(new_database)
    altered = SEAL_BLOCK + 40
    [event] = await store.read_all(altered - 1, 1)
    forged = event.with_payload({"n": -1}, event.schema_version)
    new_hash = event_hash(forged)
    await _as_superuser(
        store,
        "UPDATE events SET payload = $1, hash = $2 WHERE position = $3",
        forged.payload,
        new_hash,
        altered,
    )
    consumer, _ = await _consumer(new_database, store)

    applied = await consumer.catch_up()

    assert applied == altered - 1
    assert await consumer.position() == altered - 1
    alarms = await _alarms(consumer)
    assert (altered, "signature does not verify") in alarms
    first = SEAL_BLOCK + 1
    assert any(p == first and "range statement" in r for p, r in alarms)


async def test_an_event_altered_in_a_page_read_ahead_is_refused_on_its_hash(
    new_database: NewDatabase,
) -> None:
    # catch_up re-hashes the page it reads ahead; an event whose content no longer matches its
    # hash keeps its block's statement from covering it, and its own check refuses it there.
    store = await _source(new_database)
    altered = 2 * SEAL_BLOCK + 10  # inside the third sealed block, read while the second applies
    await _as_superuser(
        store, "UPDATE events SET payload = $1 WHERE position = $2", {"n": -1}, altered
    )
    consumer, sink = await _consumer(new_database, store)

    applied = await consumer.catch_up(page=SEAL_BLOCK)

    assert applied == altered - 1
    assert await sink.count() == altered - 1
    assert (altered, "content does not match its hash") in await _alarms(consumer)


async def test_a_staged_handler_writes_only_what_was_prepared_of_its_run(
    new_database: NewDatabase,
) -> None:
    # The read-ahead prepares each page while the one before it is written. A whole page is
    # written from what was prepared ahead (prepared once); a page cut short by an altered event
    # is prepared again over the events that passed, and the altered one is never written.
    store = await _source(new_database)
    altered = 2 * SEAL_BLOCK + 10
    await _as_superuser(
        store, "UPDATE events SET payload = $1 WHERE position = $2", {"n": -1}, altered
    )
    consumer, sink = await _consumer(new_database, store)
    prepared: Counter[tuple[int, ...]] = Counter()
    written: list[tuple[int, ...]] = []

    def prepare(events: Sequence[Event]) -> tuple[int, ...]:
        positions = tuple(int(e.position or 0) for e in events)
        prepared[positions] += 1
        return positions

    async def write(conn: Conn, events: Sequence[Event], positions: tuple[int, ...]) -> None:
        assert positions == tuple(int(e.position or 0) for e in events)
        written.append(positions)
        await sink.handle_batch(conn, events)

    consumer.batch_handler = StagedBatchHandler(prepare, write)

    assert await consumer.catch_up(page=SEAL_BLOCK) == altered - 1

    whole = [tuple(range(1, SEAL_BLOCK + 1)), tuple(range(SEAL_BLOCK + 1, 2 * SEAL_BLOCK + 1))]
    assert written == [*whole, tuple(range(2 * SEAL_BLOCK + 1, altered))]
    assert all(prepared[run] == 1 for run in written)
    assert await sink.count() == altered - 1
    assert (altered, "content does not match its hash") in await _alarms(consumer)


async def test_a_forged_statement_falls_back_to_each_events_signature(
    new_database: NewDatabase,
) -> None:
    store = await _source(new_database)
    await _as_superuser(
        store, "UPDATE event_seals SET signature = $1 WHERE first_position = 1", bytes(64)
    )
    consumer, _ = await _consumer(new_database, store)

    assert await consumer.catch_up() == EVENTS  # every event verified on its own signature
    alarms = await _alarms(consumer)
    assert [p for p, _ in alarms] == [1]
    assert "range statement" in alarms[0][1]


async def test_without_statements_each_event_is_checked(new_database: NewDatabase) -> None:
    store = await _source(new_database)
    await _as_superuser(store, "DELETE FROM event_seals")
    await _as_superuser(
        store, "UPDATE events SET signature = $1 WHERE position = $2", bytes(64), SEAL_BLOCK + 3
    )
    consumer, _ = await _consumer(new_database, store)

    assert await consumer.catch_up() == SEAL_BLOCK + 2
    assert await _alarms(consumer) == [(SEAL_BLOCK + 3, "signature does not verify")]


async def test_an_edit_before_its_block_completes_is_never_sealed(
    new_database: NewDatabase,
) -> None:
    # Half a block sequenced; a superuser then rewrites one of its events (hash recomputed). The
    # sequencer that completes the block (here after a restart: nothing in memory) reads the
    # earlier events back and seals them only if their own signatures hold: this block stays
    # unsealed, and the consumer refuses the event on its signature.
    store = await _source(new_database, only=100)
    [event] = await store.read_all(49, 1)
    forged = event.with_payload({"n": -1}, event.schema_version)
    await _as_superuser(
        store,
        "UPDATE events SET payload = $1, hash = $2 WHERE position = 50",
        forged.payload,
        event_hash(forged),
    )
    restarted = EventStore(store.pool, signer=store.signer)
    while await restarted.sequence(7):
        pass
    assert [s.first for s in await store.read_seals(0, EVENTS)] == [SEAL_BLOCK + 1]
    assert await restarted.seal_history() == 0  # nor at the next start

    consumer, _ = await _consumer(new_database, store)
    assert await consumer.catch_up() == 49
    assert await _alarms(consumer) == [(50, "signature does not verify")]


async def test_missing_statements_are_signed_at_start(new_database: NewDatabase) -> None:
    store = await _source(new_database)
    await _as_superuser(store, "DELETE FROM event_seals")
    assert await store.read_seals(0, EVENTS) == []

    assert await store.seal_history() == 2  # what a service does when it starts
    assert await store.seal_history() == 0
    seals = await store.read_seals(0, EVENTS)
    assert [(s.first, s.last) for s in seals] == [(1, SEAL_BLOCK), (SEAL_BLOCK + 1, 2 * SEAL_BLOCK)]
    await _as_superuser(
        store, "UPDATE events SET signature = $1 WHERE position <= $2", bytes(64), SEAL_BLOCK
    )
    consumer, _ = await _consumer(new_database, store)
    assert await consumer.catch_up() == EVENTS  # the first block verified by its new statement


async def test_statements_are_append_only(new_database: NewDatabase) -> None:
    store = await _source(new_database)
    for sql in ("UPDATE event_seals SET key_id = 'x'", "DELETE FROM event_seals"):
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await store.pool.execute(sql)


async def test_the_http_feed_carries_the_statements(new_database: NewDatabase) -> None:
    store = await _source(new_database)
    app = FastAPI()
    app.include_router(feed_router(lambda: store))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://source") as client:
        feed = HttpFeed(client)
        page = await feed.read(0, 1000)
        assert [(s.first, s.last) for s in seals_of(page)] == [
            (1, SEAL_BLOCK),
            (SEAL_BLOCK + 1, 2 * SEAL_BLOCK),
        ]
        # Spoiled per-event signatures in the first block: only a statement that came over
        # HTTP and verified can let them through.
        await _as_superuser(
            store, "UPDATE events SET signature = $1 WHERE position <= $2", bytes(64), SEAL_BLOCK
        )
        consumer, sink = await _consumer(new_database, store)
        consumer.feed = feed
        assert await consumer.catch_up() == EVENTS
        assert await sink.count() == EVENTS
