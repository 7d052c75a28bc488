"""Append throughput: the kernel's EventStore.append against raw commits and `eventsourcing`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import asyncpg
from uponyaji_events.envelope import GENESIS_HASH
from uponyaji_events.store import EventStore

from bench.probe import Measurement, Probe
from bench.report import Check, Figure, Results
from bench.servers import Servers
from bench.sizes import Sizes
from bench.workload import ACTOR, PAYLOAD_BYTES, STREAM_TYPE, new_events, open_pool

WRITER_COUNTS = (1, 16)
EVENTS_PER_TX = (1, 10)
STREAM_LENGTH = 50  # a writer moves on to a new stream of its own after this many events

# One writer's loop: (prefix of its stream ids, writer number, deadline) -> transactions done.
Writer = Callable[[str, int, float], Awaitable[int]]

_RAW_TABLE = """
CREATE TABLE raw_commits (
    id      bigserial PRIMARY KEY,
    writer  integer NOT NULL,
    payload text NOT NULL
)
"""


@dataclass
class Case:
    """One append workload, kept open while the cases take turns."""

    label: str
    per_tx: int
    turn: Callable[[str, float], Awaitable[int]]  # (stream prefix, seconds) -> transactions
    close: Callable[[], Awaitable[None]]
    reference: bool = False
    transactions: int = 0
    slices: list[Measurement] = field(default_factory=list)


def _concurrently(writer: Writer, writers: int) -> Callable[[str, float], Awaitable[int]]:
    async def turn(prefix: str, seconds: float) -> int:
        deadline = asyncio.get_running_loop().time() + seconds
        counts = await asyncio.gather(*(writer(prefix, w, deadline) for w in range(writers)))
        return sum(counts)

    return turn


async def raw_case(servers: Servers, writers: int, label: str) -> Case:
    """One-row INSERT commits (autocommit) from `writers` connections of their own."""
    url = await servers.new_database("raw_commits")
    conns = [await asyncpg.connect(url) for _ in range(writers)]
    await conns[0].execute(_RAW_TABLE)
    text = PAYLOAD_BYTES.decode()

    async def writer(_prefix: str, w: int, deadline: float) -> int:
        loop, conn, done = asyncio.get_running_loop(), conns[w], 0
        while loop.time() < deadline:
            await conn.execute("INSERT INTO raw_commits (writer, payload) VALUES ($1, $2)", w, text)
            done += 1
        return done

    async def close() -> None:
        await asyncio.gather(*(conn.close() for conn in conns))

    return Case(f"raw one-row INSERT, {label}", 1, _concurrently(writer, writers), close, True)


async def kernel_case(
    servers: Servers,
    writers: int,
    per_tx: int,
    label: str,
    *,
    known_head: bool = False,
    group_commit: bool = True,
) -> Case:
    """EventStore.append of `per_tx` events per transaction from `writers` concurrent tasks.

    With `known_head`, each append passes the previous append's last hash as `prev_hash`, as a
    command handler does after loading the stream: the append is then a single statement.
    Without `group_commit`, concurrent one-event appends are each their own statement and commit.
    """
    pool = await open_pool(await servers.new_database("append"), writers)
    store = EventStore(pool, group_commit=group_commit)
    events = new_events(per_tx)

    async def writer(prefix: str, w: int, deadline: float) -> int:
        loop, done, stream, version = asyncio.get_running_loop(), 0, 0, 0
        head: bytes | None = GENESIS_HASH if known_head else None
        while loop.time() < deadline:
            if version + per_tx > STREAM_LENGTH:
                stream, version = stream + 1, 0
                head = GENESIS_HASH if known_head else None
            stream_id = f"{prefix}-{w}-{stream}"
            stored = await store.append(
                STREAM_TYPE, stream_id, version, events, actor=ACTOR, prev_hash=head
            )
            if known_head:
                head = stored[-1].hash
            version += per_tx
            done += 1
        return done

    plural = "s" if per_tx > 1 else ""
    how = "kernel, prev_hash known" if known_head else "kernel"
    how += "" if group_commit or per_tx > 1 else ", no group commit"
    return Case(
        f"{how}, {label}, {per_tx} event{plural}/tx",
        per_tx,
        _concurrently(writer, writers),
        pool.close,
    )


async def peer_case(servers: Servers, writers: int, label: str) -> Case | None:
    """The same workload through eventsourcing's recorder (None when it cannot be imported)."""
    try:
        from bench.peer import PeerAppender
    except ImportError:
        return None
    url = await servers.new_database("peer")
    appender = await asyncio.to_thread(PeerAppender, url, writers)

    async def turn(_prefix: str, seconds: float) -> int:
        return await asyncio.to_thread(appender.run, seconds)

    async def close() -> None:
        await asyncio.to_thread(appender.close)

    return Case(f"eventsourcing 9.5.6, {label}, 1 event/tx", 1, turn, close, True)


async def take_turns(cases: list[Case], sizes: Sizes, probe: Probe) -> None:
    """Warm every case up, then let them take short timed turns, round after round."""
    for case in cases:
        await case.turn("warm", sizes.warmup_seconds)
    for round_ in range(sizes.rounds):
        for case in cases:
            with probe.measure() as measured:
                case.transactions += await case.turn(f"r{round_}", sizes.append_turn_seconds)
            case.slices.append(measured)


async def run(servers: Servers, sizes: Sizes, probe: Probe) -> Results:
    """All append cases, each beside the raw commit rate at the same concurrency."""
    results = Results()
    kernel_rate: dict[int, float] = {}
    peer_rate: dict[int, float] = {}
    known_rate: dict[int, float] = {}
    raw_rate: dict[int, float] = {}
    for writers in WRITER_COUNTS:
        label = f"{writers} writer{'s' if writers > 1 else ''}"
        raw = await raw_case(servers, writers, label)
        kernels = [await kernel_case(servers, writers, n, label) for n in EVENTS_PER_TX]
        kernels.append(await kernel_case(servers, writers, 1, label, known_head=True))
        kernels.append(await kernel_case(servers, writers, 1, label, group_commit=False))
        peer = await peer_case(servers, writers, label)
        if peer is None:
            results.notes.append("eventsourcing peer skipped: psycopg-pool is not installed")
        cases = [raw, *kernels, *([peer] if peer else [])]
        try:
            await take_turns(cases, sizes, probe)
        finally:
            for case in cases:
                await case.close()
        figures = [
            Figure(
                "append",
                case.label,
                case.transactions * case.per_tx,
                Measurement.combined(case.slices),
                case.transactions,
                reference=case.reference,
            )
            for case in cases
        ]
        raw_rate[writers] = figures[0].rate
        for figure in figures[1:]:
            figure.ceiling = raw_rate[writers]
            figure.ceiling_what = f"raw one-row INSERT commits, {label}"
        kernel_rate[writers] = figures[1].rate
        known_rate[writers] = figures[1 + len(EVENTS_PER_TX)].rate
        if peer is not None:
            peer_rate[writers] = figures[-1].rate
        results.figures += figures
    top = max(WRITER_COUNTS)
    results.checks.append(
        Check(
            f"append: kernel {top} writers (1 event/tx) vs raw {top}-connection commits",
            100 * kernel_rate[top] / raw_rate[top],
            50.0,
            "%",
        )
    )
    results.checks.append(
        Check(
            f"append: kernel {top} writers, prev_hash known (1 event/tx) vs raw commits",
            100 * known_rate[top] / raw_rate[top],
            50.0,
            "%",
        )
    )
    if top in peer_rate:
        results.checks.append(
            Check(
                f"append: kernel {top} writers vs eventsourcing {top} writers (1 event/tx)",
                kernel_rate[top] / peer_rate[top],
                5.0,
                "x",
            )
        )
        results.checks.append(
            Check(
                f"append: kernel {top} writers, prev_hash known, vs eventsourcing (1 event/tx)",
                known_rate[top] / peer_rate[top],
                5.0,
                "x",
            )
        )
    return results
