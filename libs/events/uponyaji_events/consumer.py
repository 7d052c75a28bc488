"""Durable consumers: apply another store's events to local tables exactly once, in order."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import operator
import zlib
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar
from uuid import UUID

import asyncpg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from opentelemetry.trace import SpanKind

from uponyaji_events.alarms import AlarmLimiter, Kind, Refusal
from uponyaji_events.codec import decode_event, event_hash, event_hashes, to_wire
from uponyaji_events.db import Conn
from uponyaji_events.envelope import GENESIS_HASH, Event
from uponyaji_events.feed import FeedSource, epoch_of
from uponyaji_events.metrics import consumer_lag, dead_letters, integrity_alarms, seconds_since
from uponyaji_events.natsauth import NatsCredentials
from uponyaji_events.natsconn import EPOCH_HEADER, connect, stream_name
from uponyaji_events.seals import Seal, aligned_limit, seals_of, verify_seal
from uponyaji_events.signing import CachedKeys, PublicKeys, verify_signature
from uponyaji_events.tracing import span_from
from uponyaji_events.upcasting import UpcasterRegistry

log = logging.getLogger("uponyaji.events.consumer")

_TRACE_HEADERS = ("traceparent", "tracestate")
MAX_LINKS = 64  # trace links on a batch's consume span
# Events re-hashed between two turns of the event loop in a catch-up's read-ahead: the page being
# applied meanwhile sends its next statement at each turn (its entries' INSERT then runs in
# PostgreSQL while this page is re-hashed and prepared, instead of after it).
REHASH_SLICE = 2500
# Pages a catch-up reads, re-hashes and prepares ahead of the one it applies: with two, Python
# starts the page after next while this page's last statements run in PostgreSQL (with one it
# waited for them once the next page was ready).
READ_AHEAD = 2

Handler = Callable[[Conn, Event], Awaitable[None]]
# Applies a contiguous run of events in position order (a projection that writes a page at a time).
BatchHandler = Callable[[Conn, Sequence[Event]], Awaitable[None]]
T = TypeVar("T")


@dataclass(frozen=True)
class StagedBatchHandler(Generic[T]):
    """A batch handler in two steps, so that a catch-up prepares its next page while this one
    is written: `prepare` turns a run of events into what to write (pure Python: no I/O, no
    state, the same answer for the same events), `write` writes it.

    Called as a plain batch handler (the live path) it prepares and writes at once. In
    `Consumer.catch_up` the read-ahead prepares each page it reads, and the page's apply writes
    what was prepared when the run it applies is that whole page (every event passed its checks
    and continues where the consumer stands); otherwise it prepares the run again.
    """

    prepare: Callable[[Sequence[Event]], T]
    write: Callable[[Conn, Sequence[Event], T], Awaitable[None]]

    async def __call__(self, conn: Conn, events: Sequence[Event]) -> None:
        """Prepare and write a run of events."""
        await self.write(conn, events, self.prepare(events))


@dataclass(frozen=True)
class Prepared:
    """A page read ahead (as read, in position order), upcast, and what `prepare` made of it."""

    raw: Sequence[Event]
    events: Sequence[Event]
    value: Any

    def covers(self, run: Sequence[Event]) -> bool:
        """Whether `run` is exactly this page (the same event objects, in the same order)."""
        return len(run) == len(self.raw) and all(map(operator.is_, run, self.raw))


# A page read ahead: its events, those whose content did not hash to their hash, and what
# `prepare_page` made of it.
_Ahead = tuple[list[Event], frozenset[int], Prepared | None]


@dataclass
class ConsumerStats:
    """What health shows about a consumer."""

    position: int = 0
    applied_total: int = 0
    duplicates_total: int = 0
    repaired_total: int = 0
    dead_letters_total: int = 0
    connected: bool = False
    last_error: str | None = None
    integrity_alarms_total: int = 0
    integrity_alarms_suppressed: int = 0  # counted, then recorded in a summary alarm
    last_alarm: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary for health output."""
        return dict(self.__dict__)


@dataclass
class ApplyResult:
    """The outcome of applying a run of events."""

    position: int
    applied: int
    gap: bool = False
    failed: bool = False
    refused: bool = False  # an event failed its integrity checks: never applied, alarm raised


@dataclass(frozen=True)
class IntegrityAlarm:
    """A refused event: who refused it, what it claimed to be, where it came from, and why."""

    consumer: str
    source: str
    event: Event
    path: str  # "nats" or "feed"
    reason: str


AlarmHook = Callable[[IntegrityAlarm], Awaitable[None]]


class KeysUnavailable(Exception):
    """The source's public keys could not be fetched: the event waits, it is not refused."""


def feed_keys(feed: FeedSource | None) -> PublicKeys | None:
    """A cached key source over the feed's own `public_keys()` channel, when it has one."""
    fetch = getattr(feed, "public_keys", None)
    return CachedKeys(fetch) if callable(fetch) else None


def _position(event: Event) -> int:
    return event.position or 0


_hash = operator.attrgetter("hash")
_position_of = operator.attrgetter("position")  # in C (None for an unsequenced event)
_NO_HEAD = (0, GENESIS_HASH)  # a stream this consumer has not seen: version 0, genesis hash


def mismatched(events: Sequence[Event]) -> frozenset[int]:
    """The events (by `id()`) whose content does not hash to the hash they carry (each event's
    hash recomputed here; usually none, compared in one step)."""
    recomputed = event_hashes(events)
    if recomputed == list(map(_hash, events)):
        return frozenset()
    return frozenset(id(e) for e, h in zip(events, recomputed, strict=True) if h != e.hash)


async def mismatched_in_turns(events: Sequence[Event], size: int = REHASH_SLICE) -> frozenset[int]:
    """`mismatched` over a page, `size` events at a time, letting the event loop run between
    slices (other tasks' replies are handled meanwhile); the same answer."""
    if len(events) <= size:
        return mismatched(events)
    altered: set[int] = set()
    for at in range(0, len(events), size):
        altered |= mismatched(events[at : at + size])
        await asyncio.sleep(0)
    return frozenset(altered)


def lock_key(consumer: str, source: str) -> int:
    """The advisory lock that serialises a consumer's batches with its rebuilds."""
    return zlib.crc32(f"consumer:{consumer}:{source}".encode())


class Consumer:
    """A durable JetStream pull consumer of one source service, repaired from its feed."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        name: str,
        source: str,
        handler: Handler | None = None,
        nats_url: str,
        feed: FeedSource | None = None,
        batch_handler: BatchHandler | None = None,
        upcasters: UpcasterRegistry | None = None,
        batch_size: int = 256,
        max_attempts: int = 5,
        ack_wait: float = 30.0,
        idle_check: float = 2.0,
        retry_delay: float = 0.5,
        nats_credentials: NatsCredentials | None = None,
        keys: PublicKeys | None = None,
        on_alarm: AlarmHook | None = None,
    ) -> None:
        if (handler is None) == (batch_handler is None):
            raise ValueError("give a consumer either a handler or a batch handler")
        self.pool = pool
        self.name = name
        self.source = source
        self.handler = handler
        self.batch_handler = batch_handler
        self.nats_url = nats_url
        self.nats_credentials = nats_credentials
        self.feed = feed
        # The source's public keys: given, else read (authenticated, cached) beside its feed.
        self.keys = keys or feed_keys(feed)
        self.on_alarm = on_alarm
        self.upcasters = upcasters or UpcasterRegistry()
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.ack_wait = ack_wait
        self.idle_check = idle_check
        self.retry_delay = retry_delay
        self.stats = ConsumerStats()
        self._key = lock_key(name, source)
        self._nc: NatsClient | None = None
        self._sub: JetStreamContext.PullSubscription | None = None
        self._resubscribe = False
        self._held: dict[int, tuple[Msg, Event]] = {}
        self.max_held = batch_size * 4
        # How refusals are recorded: a few per kind in full, the rest in a summary (alarms.py).
        self.alarm_limiter = AlarmLimiter()
        self._alarm_summaries: asyncio.Task[None] | None = None
        self._epoch: str | None = None  # the source's store identity we apply from (checked)

    # -- applying ---------------------------------------------------------------------------

    async def position(self, conn: Conn | None = None) -> int:
        """The last source position applied (or dead-lettered)."""
        value = await (conn or self.pool).fetchval(
            "SELECT position FROM consumer_positions WHERE consumer = $1 AND source = $2",
            self.name,
            self.source,
        )
        return int(value or 0)

    @contextlib.asynccontextmanager
    async def _connection(self, conn: Conn | None) -> AsyncIterator[Conn]:
        if conn is not None:
            yield conn
            return
        async with self.pool.acquire() as own:
            yield own

    async def check(self, event: Event) -> Refusal | None:
        """Why this event must not be applied; None when its hash and signature hold."""
        if event.position is None or event.position < 1:
            return Refusal(Kind.NO_POSITION, "the event has no position")
        if event.signature is None or event.key_id is None:
            return Refusal(Kind.NOT_SIGNED, "the event is not signed")
        if self.keys is None:
            return Refusal(Kind.NO_PUBLIC_KEYS, f"no public keys are known for {self.source}")
        if event_hash(event) != event.hash:
            return Refusal(Kind.HASH_MISMATCH, "content does not match its hash")
        key = await self._public_key(event.key_id)
        if key is None:
            return Refusal(Kind.UNKNOWN_KEY, f"unknown signing key {event.key_id[:32]!r}")
        if not verify_signature(key, self.source, event.position, event.hash, event.signature):
            return Refusal(Kind.BAD_SIGNATURE, "signature does not verify")
        return None

    async def _public_key(self, key_id: str) -> Ed25519PublicKey | None:
        """The source's public key with this id (None: it has no such key)."""
        assert self.keys is not None
        try:
            return await self.keys.get(key_id)
        except Exception as exc:
            raise KeysUnavailable(f"{self.source} keys: {type(exc).__name__}: {exc}") from exc

    async def sealed(
        self,
        events: Sequence[Event],
        seals: Sequence[Seal],
        path: str,
        conn: Conn | None,
        altered: frozenset[int] | None = None,
    ) -> set[int]:
        """The events (by `id()`) a verified range statement covers: hash recomputed, digest and
        statement signature checked, so their own signatures need no check.

        `altered`, when given, holds the events (by `id()`) that `mismatched` found not to match
        their hash when it re-hashed the whole page (a page read ahead is re-hashed while the
        page before it is written), so the hashes are not recomputed here.

        A statement covers a run only when the page holds each of its positions exactly once.
        A statement that does not verify over events whose hashes all hold raises an alarm (the
        statements were altered); its events are then checked one by one, as are events no
        statement covers (docs/security.md, "Range statements").
        """
        if not seals or self.keys is None:
            return set()
        positions = list(map(_position_of, events))
        # The last event of each position (None: an unsequenced event, in no statement's range).
        at: dict[int | None, Event] = dict(zip(positions, events, strict=True))
        twice: set[int] = set()
        if len(at) != len(events):
            twice = {p for p, n in Counter(positions).items() if n > 1}
        covered: set[int] = set()
        for seal in seals:
            size = seal.last - seal.first + 1
            if seal.first < 1 or size < 1 or size > len(at):
                continue
            # Events are truthy, so filter(None, …) drops exactly the positions not in the page.
            found = list(filter(None, map(at.get, range(seal.first, seal.last + 1))))
            if len(found) != size or (
                twice and any(p in twice for p in range(seal.first, seal.last + 1))
            ):
                continue
            changed = mismatched(found) if altered is None else altered
            if changed and any(id(e) in changed for e in found):
                continue  # the altered event is refused by its own check
            key = await self._public_key(seal.key_id)
            if key is not None and verify_seal(key, self.source, seal, list(map(_hash, found))):
                covered.update(map(id, found))
                continue
            reason = (
                f"the range statement over positions {seal.first}-{seal.last} does not verify "
                "(its events were checked one by one)"
            )
            await self._alarm(found[0], Refusal(Kind.RANGE_STATEMENT, reason), path, conn)
        return covered

    async def _screen(
        self,
        events: Sequence[Event],
        path: str,
        conn: Conn | None,
        seals: Sequence[Seal] = (),
        altered: frozenset[int] | None = None,
    ) -> tuple[list[Event], bool]:
        """The events a verified statement covers or that pass `check`; the others raise an
        alarm."""
        covered = await self.sealed(events, seals, path, conn, altered)
        if len(covered) == len(events):  # every event covered (the ids are of these events)
            return list(events), False
        passed: list[Event] = []
        refused = False
        for event in events:
            if id(event) in covered:
                passed.append(event)
                continue
            reason = await self.check(event)
            if reason is None:
                passed.append(event)
                continue
            refused = True
            await self._refuse(event, reason, path, conn)
        return passed, refused

    async def _refuse(self, event: Event, refusal: Refusal, path: str, conn: Conn | None) -> None:
        if event.position is not None and event.position <= await self.position(conn):
            refusal = refusal.at_applied_position(event.position)
        await self._alarm(event, refusal, path, conn)

    async def _alarm(self, event: Event, refusal: Refusal, path: str, given: Conn | None) -> None:
        """Count a refused event; record it in full, or (past the limiter's burst) in a summary."""
        reason = refusal.reason
        self.stats.integrity_alarms_total += 1
        self.stats.last_alarm = f"position {event.position} ({event.type[:100]}): {reason}"
        kind = refusal.label  # a fixed vocabulary, never forger text: bounded labels
        integrity_alarms.add(
            1, {"uponyaji.source": self.source, "uponyaji.path": path, "uponyaji.kind": kind}
        )
        if not self.alarm_limiter.admit(path, kind, event):
            self.stats.integrity_alarms_suppressed += 1
            self._summarise_later()
            return
        await self._record_alarm(event, reason, path, given)

    def _summarise_later(self) -> None:
        if self._alarm_summaries is None or self._alarm_summaries.done():
            self._alarm_summaries = asyncio.ensure_future(self._summarise())

    async def _summarise(self) -> None:
        """Record each window's summary alarm when it is due, until none is pending."""
        while (wait := self.alarm_limiter.next_due()) is not None:
            await asyncio.sleep(wait)
            await self.flush_alarm_summaries()

    async def flush_alarm_summaries(self, *, everything: bool = False) -> int:
        """Record the summary alarms that are due (all pending with `everything`); how many."""
        summaries = self.alarm_limiter.due(everything=everything)
        for summary in summaries:
            try:
                await self._record_alarm(summary.sample, summary.reason, summary.path, None)
            except Exception as exc:  # the counts stay in the stats; log what was lost
                log.error("consumer %s: summary alarm not recorded: %s", self.name, exc)
        return len(summaries)

    async def _record_alarm(self, event: Event, reason: str, path: str, given: Conn | None) -> None:
        """Record a refused event (once), log it, and tell the hook (the audit)."""
        log.error(
            "consumer %s refused %s event at position %s: %s",
            self.name,
            path,
            event.position,
            reason,
        )
        async with self._connection(given) as conn:
            inserted = await conn.fetchval(
                "INSERT INTO integrity_alarms (consumer, source, position, event_id, event_type, "
                "path, reason, event) SELECT $1, $2, $3, $4, $5, $6, $7, $8 WHERE NOT EXISTS ("
                "SELECT 1 FROM integrity_alarms WHERE consumer = $1 AND source = $2 "
                "AND position IS NOT DISTINCT FROM $3 AND event_id IS NOT DISTINCT FROM $4 "
                "AND reason = $7) RETURNING id",
                self.name,
                self.source,
                event.position,
                event.event_id,
                event.type[:200],
                path,
                reason[:500],
                to_wire(event),
            )
        if inserted is not None and self.on_alarm is not None:
            try:
                await self.on_alarm(IntegrityAlarm(self.name, self.source, event, path, reason))
            except Exception as exc:  # the alarm is recorded; a failing hook must not hide it
                log.error("consumer %s: alarm hook failed: %s", self.name, exc)

    # -- the source's store identity ----------------------------------------------------------

    async def epoch_holds(
        self, epoch: str | None, sample: Event, path: str, conn: Conn | None = None
    ) -> bool:
        """Whether events read in the source's `epoch` may be applied.

        The first epoch seen is remembered. A new one means the source's database was restored
        or recovered, so positions may have been handed out again: it is accepted only when the
        source still holds, unchanged, the last event this consumer applied (nothing was lost,
        e.g. a move to a new server). Otherwise applying stops and an alarm is raised; the
        operator reconciles, then calls `accept_epoch`.
        """
        if epoch is None or epoch == self._epoch:
            return True
        async with self._connection(conn) as c:
            known = await c.fetchval(
                "SELECT source_epoch FROM consumer_positions WHERE consumer = $1 AND source = $2",
                self.name,
                self.source,
            )
            if known is not None and str(known) != epoch:
                reason = await self._discontinuity(c, epoch)
                if reason is not None:
                    reason = (
                        f"the store of {self.source} changed identity (epoch {known} -> {epoch}) "
                        f"and {reason}: restored from a backup? Positions may be reused; nothing "
                        "more is applied until an operator reconciles and accepts the new epoch"
                    )
                    await self._alarm(sample, Refusal(Kind.STORE_IDENTITY, reason), path, c)
                    return False
        await self.accept_epoch(epoch, conn=conn)
        return True

    async def _discontinuity(self, conn: Conn, epoch: str) -> str | None:
        """Why the source in `epoch` may not continue what was applied here (None: it may)."""
        position = await self.position(conn)
        if self.feed is None:
            return "there is no feed to compare with"
        page = await self.feed.read(max(position - 1, 0), 1)
        if epoch_of(page) != epoch:
            return "the event comes from an identity the source no longer has"
        if position == 0:
            return None
        found = [e for e in page if e.position == position]
        if not found:
            return f"it no longer holds position {position}, the last applied here"
        head = await conn.fetchrow(
            "SELECT version, hash FROM consumer_stream_heads "
            "WHERE consumer = $1 AND source = $2 AND stream_id = $3",
            self.name,
            self.source,
            found[0].stream_id,
        )
        if head is None or (head["version"], bytes(head["hash"])) != (
            found[0].version,
            found[0].hash,
        ):
            return f"its event at position {position} is not the one applied here"
        return None

    async def accept_epoch(self, epoch: str, *, conn: Conn | None = None) -> None:
        """Apply from the source's store identity `epoch` from now on (after reconciling)."""
        async with self._connection(conn) as c:
            await c.execute(
                "INSERT INTO consumer_positions (consumer, source, position, source_epoch) "
                "VALUES ($1, $2, 0, $3) ON CONFLICT (consumer, source) "
                "DO UPDATE SET source_epoch = $3, updated_at = now()",
                self.name,
                self.source,
                UUID(epoch),
            )
        self._epoch = epoch

    async def apply(
        self,
        events: Sequence[Event],
        *,
        conn: Conn | None = None,
        altered: frozenset[int] | None = None,
        prepared: Prepared | None = None,
    ) -> ApplyResult:
        """Check, then apply events in position order in one transaction.

        Skips true duplicates, stops at a gap, and never applies an event whose signature, hash
        or stream chain fails (it raises an alarm and the consumer waits at that position).
        `altered`: the events' hashes were already recomputed, and these (by `id()`) did not
        match (`mismatched`). `prepared`: what a `StagedBatchHandler` prepared of these events
        (`prepare_page`), written when the whole page is applied.
        """
        ordered = sorted(events, key=_position)
        passed, refused = await self._screen(ordered, "feed", conn, seals_of(events), altered)
        result = await self._apply_checked(passed, conn, prepared)
        result.refused |= refused
        return result

    def prepare_page(self, events: Sequence[Event]) -> Prepared | None:
        """A page prepared by a `StagedBatchHandler` (None: no such handler, or `prepare`
        raised, and the apply then prepares and reports the failure as it always does)."""
        staged = self.batch_handler
        if not isinstance(staged, StagedBatchHandler) or not events:
            return None
        ordered = sorted(events, key=_position)
        upcast = self.upcasters.upcast_all(ordered)
        try:
            return Prepared(ordered, upcast, staged.prepare(upcast))
        except Exception:
            return None

    async def _apply_checked(
        self, ordered: Sequence[Event], conn: Conn | None, prepared: Prepared | None = None
    ) -> ApplyResult:
        try:
            return await self._apply_tx(ordered, conn, prepared)
        except _HandlerFailed as failure:
            if failure.event is None:  # a batch handler failed: find the event one at a time
                return await self._apply_singly(ordered, conn)
            failed_at = ordered.index(failure.event)
            cause = failure.__cause__ or failure
            prefix = await self._apply_tx(ordered[:failed_at], conn) if failed_at else None
            await self._record_failure(ordered[failed_at], cause, conn)
            position = await self.position(conn)
            return ApplyResult(position, prefix.applied if prefix else 0, failed=True)

    async def _apply_singly(self, ordered: Sequence[Event], conn: Conn | None) -> ApplyResult:
        applied, gap = 0, False
        for event in ordered:
            try:
                result = await self._apply_tx([event], conn)
            except _HandlerFailed as failure:
                await self._record_failure(event, failure.__cause__ or failure, conn)
                return ApplyResult(await self.position(conn), applied, failed=True)
            applied += result.applied
            if result.gap:
                gap = True
                break
        return ApplyResult(await self.position(conn), applied, gap=gap)

    async def _apply_tx(
        self, events: Sequence[Event], given: Conn | None, prepared: Prepared | None = None
    ) -> ApplyResult:
        async with self._connection(given) as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", self._key)
            start = await self._locked_position(conn)
            run, gap = self._continuing(events, start)
            broken: tuple[Event, Refusal] | None = None
            heads: dict[str, Event] = {}
            if run:
                run, broken, heads = await self._chain(conn, run)
            if run:
                await self._handle_run(conn, run, prepared)
                await self._save_heads(conn, heads)
                await conn.execute(
                    "UPDATE consumer_positions SET position = $3, updated_at = now() "
                    "WHERE consumer = $1 AND source = $2",
                    self.name,
                    self.source,
                    run[-1].position,
                )
        position = int(run[-1].position or 0) if run else start
        self.stats.position = position
        self.stats.applied_total += len(run)
        if run:
            consumer_lag.record(seconds_since(run[0].recorded_at), {"uponyaji.source": self.source})
        if broken is not None:
            await self._alarm(broken[0], broken[1], "chain", given)
            return ApplyResult(position, len(run), gap=True, refused=True)
        return ApplyResult(position, len(run), gap=gap)

    def _continuing(self, events: Sequence[Event], start: int) -> tuple[list[Event], bool]:
        """The events (in position order) that continue from `start` one position at a time,
        true duplicates skipped (and counted); and whether a gap stopped the run."""
        count = len(events)
        if count and list(map(_position_of, events)) == list(range(start + 1, start + 1 + count)):
            return list(events), False  # the usual page: each next position once (compared in C)
        run: list[Event] = []
        for event in events:
            assert event.position is not None
            expected = start + len(run) + 1
            if event.position < expected:
                self.stats.duplicates_total += 1
                continue
            if event.position > expected:
                return run, True
            run.append(event)
        return run, False

    async def _chain(
        self, conn: Conn, run: list[Event]
    ) -> tuple[list[Event], tuple[Event, Refusal] | None, dict[str, Event]]:
        """The run up to the first event that does not extend its stream's chain (and why), and
        the last event of each stream in that run (the heads to save)."""
        rows = await conn.fetch(
            "SELECT stream_id, version, hash FROM consumer_stream_heads "
            "WHERE consumer = $1 AND source = $2 AND stream_id = ANY($3::text[])",
            self.name,
            self.source,
            list({e.stream_id for e in run}),
        )
        saved = {r["stream_id"]: (r["version"], bytes(r["hash"])) for r in rows}
        last: dict[str, Event] = {}  # the run's events so far, the last one of each stream
        for index, event in enumerate(run):
            stream = event.stream_id
            before = last.get(stream)
            if before is not None:
                version, prev = before.version, before.hash
            else:
                version, prev = saved.get(stream, _NO_HEAD)
            if event.version != version + 1:
                reason = f"stream {stream[:64]} expected version {version + 1}"
                refusal = Refusal(Kind.CHAIN_VERSION, f"{reason}, got {event.version}")
                return run[:index], (event, refusal), last
            if event.prev_hash != prev:
                refusal = Refusal(Kind.CHAIN_HASH, "prev_hash does not continue the stream's chain")
                return run[:index], (event, refusal), last
            last[stream] = event
        return run, None, last

    async def _save_heads(self, conn: Conn, last: dict[str, Event]) -> None:
        """Save each stream's last applied event (`last`: stream id -> event) as its head."""
        await conn.execute(
            "INSERT INTO consumer_stream_heads (consumer, source, stream_id, version, hash) "
            "SELECT $1, $2, * FROM unnest($3::text[], $4::int[], $5::bytea[]) "
            "ON CONFLICT (consumer, source, stream_id) "
            "DO UPDATE SET version = EXCLUDED.version, hash = EXCLUDED.hash",
            self.name,
            self.source,
            list(last),
            [e.version for e in last.values()],
            [e.hash for e in last.values()],
        )

    async def _handle_run(
        self, conn: Conn, run: Sequence[Event], prepared: Prepared | None = None
    ) -> None:
        """Call the handler per event, each in its span; or the batch handler once, in one span
        (writing what was `prepared` when that is this very run).

        A batch's span continues the first event's trace and links the next `MAX_LINKS` events'
        (a span per event cost more than the projection itself in a 5,000-event rebuild page).
        """
        if self.batch_handler is not None:
            links = [e.trace for e in run[1 : MAX_LINKS + 1]]
            with span_from("events.consume", run[0].trace, SpanKind.CONSUMER, links) as span:
                span.set_attribute("uponyaji.event_type", run[0].type)
                span.set_attribute("uponyaji.consumer", self.name)
                span.set_attribute("uponyaji.events", len(run))
                staged = self.batch_handler
                try:
                    if (
                        prepared is not None
                        and isinstance(staged, StagedBatchHandler)
                        and prepared.covers(run)
                    ):
                        await staged.write(conn, prepared.events, prepared.value)
                    else:
                        await self.batch_handler(conn, self.upcasters.upcast_all(run))
                except Exception as exc:
                    raise _HandlerFailed(None) from exc
            return
        assert self.handler is not None
        for event in run:
            with self._span(event):
                try:
                    await self.handler(conn, self.upcasters.upcast(event))
                except Exception as exc:
                    raise _HandlerFailed(event) from exc

    @contextlib.contextmanager
    def _span(self, event: Event) -> Iterator[None]:
        with span_from("events.consume", event.trace, SpanKind.CONSUMER) as span:
            span.set_attribute("uponyaji.event_type", event.type)
            span.set_attribute("uponyaji.consumer", self.name)
            yield

    async def _locked_position(self, conn: Conn) -> int:
        await conn.execute(
            "INSERT INTO consumer_positions (consumer, source, position) VALUES ($1, $2, 0) "
            "ON CONFLICT DO NOTHING",
            self.name,
            self.source,
        )
        return int(
            await conn.fetchval(
                "SELECT position FROM consumer_positions WHERE consumer = $1 AND source = $2 "
                "FOR UPDATE",
                self.name,
                self.source,
            )
        )

    async def _record_failure(self, event: Event, error: BaseException, given: Conn | None) -> None:
        message = f"{type(error).__name__}: {error}"[:2000]
        async with self._connection(given) as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", self._key)
            position = await self._locked_position(conn)
            if event.position != position + 1:
                return  # someone else moved on meanwhile
            attempts = int(
                await conn.fetchval(
                    "INSERT INTO consumer_failures "
                    "(consumer, source, position, attempts, last_error) VALUES ($1, $2, $3, 1, $4) "
                    "ON CONFLICT (consumer, source, position) DO UPDATE "
                    "SET attempts = consumer_failures.attempts + 1, last_error = $4 "
                    "RETURNING attempts",
                    self.name,
                    self.source,
                    event.position,
                    message,
                )
            )
            self.stats.last_error = f"position {event.position} ({event.type}): {message}"
            log.warning("consumer %s failed on %s attempt %d", self.name, event.type, attempts)
            if attempts < self.max_attempts:
                return
            await conn.execute(
                "INSERT INTO dead_letters (consumer, source, position, event_id, event_type, "
                "attempts, error, event) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
                "ON CONFLICT DO NOTHING",
                self.name,
                self.source,
                event.position,
                event.event_id,
                event.type,
                attempts,
                message,
                to_wire(event),
            )
            await conn.execute(
                "UPDATE consumer_positions SET position = $3, updated_at = now() "
                "WHERE consumer = $1 AND source = $2",
                self.name,
                self.source,
                event.position,
            )
            # Verified: its stream continues after it.
            await self._save_heads(conn, {event.stream_id: event})
            self.stats.dead_letters_total += 1
            dead_letters.add(1, {"uponyaji.source": self.source})
            self.stats.position = int(event.position or 0)

    async def catch_up(
        self,
        *,
        page: int = 1000,
        conn: Conn | None = None,
        on_page: Callable[[int], None] | None = None,
    ) -> int:
        """Apply everything the feed has after our position; return how many were applied.

        The next pages (at most `READ_AHEAD`) are read, their events re-hashed and (with a
        `StagedBatchHandler`) prepared, while this one is applied (the feed is another database
        or service, and this page's writes are PostgreSQL's work: ours overlaps both); they are
        dropped when the apply stops short.
        """
        if self.feed is None:
            return 0
        feed = self.feed
        total = 0

        async def ahead(after: int) -> _Ahead:
            # Pages end on a block boundary where they can, so statements cover whole pages.
            events = await feed.read(after, aligned_limit(after, page))
            # The page applied meanwhile goes on between the steps (and slices) of this one's
            # Python work: its statements then overlap this work instead of waiting for it.
            await asyncio.sleep(0)
            changed = await mismatched_in_turns(events)
            return events, changed, self.prepare_page(events)

        async def reader(after: int, ready: asyncio.Queue[_Ahead | Exception]) -> None:
            # The pages after `after`, one after another, until an empty one (or a failure,
            # handed over in its place). `ready` holds one: with the one being made and the one
            # being applied, at most READ_AHEAD + 1 pages are held.
            try:
                while True:
                    read = await ahead(after)
                    await ready.put(read)
                    if not read[0]:
                        return
                    after = max(map(_position, read[0]))
            except Exception as exc:
                await ready.put(exc)

        def start_reading(
            after: int,
        ) -> tuple[asyncio.Future[None], asyncio.Queue[_Ahead | Exception]]:
            ready: asyncio.Queue[_Ahead | Exception] = asyncio.Queue(maxsize=READ_AHEAD - 1)
            return asyncio.ensure_future(reader(after, ready)), ready

        reading, ready = start_reading(await self.position(conn))
        try:
            while True:
                item = await ready.get()
                if isinstance(item, Exception):
                    raise item
                events, changed, prepared = item
                if not events:
                    return total
                if not await self.epoch_holds(epoch_of(events), events[0], "feed", conn):
                    return total  # a restored source: alarm raised, nothing applied
                last = max(map(_position, events))
                result = await self.apply(events, conn=conn, altered=changed, prepared=prepared)
                if on_page is not None:
                    on_page(len(events))
                total += result.applied
                if result.refused:
                    return total  # held at a refused event: alarm raised; try again later
                if result.failed:
                    await asyncio.sleep(self.retry_delay)
                elif result.applied == 0 and not result.gap:
                    return total
                if result.position != last:  # stopped short (failure, gap): read from where we are
                    await _stop(reading)
                    reading, ready = start_reading(result.position)
        finally:
            await _stop(reading)

    # -- NATS -------------------------------------------------------------------------------

    async def run(self) -> None:
        """Consume until cancelled: NATS as the fast path, the feed to repair and catch up."""
        try:
            while True:
                try:
                    await self._subscribe()
                    await self._loop()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    self.stats.connected = False
                    self.stats.last_error = f"{type(exc).__name__}: {exc}"
                    log.warning("consumer %s: %s; retrying", self.name, self.stats.last_error)
                    with contextlib.suppress(Exception):
                        await self.catch_up()
                    await asyncio.sleep(1.0)
        finally:
            await self.close()

    async def _on_reconnect(self) -> None:
        # nats-py pull subscriptions can stall after a server restart: always re-create them.
        self._resubscribe = True

    async def _subscribe(self) -> None:
        if self._nc is None or self._nc.is_closed:
            self._nc = await connect(
                self.nats_url,
                f"{self.name}-consumer",
                on_reconnect=self._on_reconnect,
                credentials=self.nats_credentials,
            )
        js = self._nc.jetstream()
        stream = stream_name(self.source)
        config = ConsumerConfig(
            durable_name=self.name,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            filter_subject=f"{self.source}.>",
            ack_wait=self.ack_wait,
            max_deliver=max(self.max_attempts * 4, 20),  # a safety net; the feed repairs the rest
            max_ack_pending=self.batch_size * 8,
        )
        await js.add_consumer(stream, config)
        if self._sub is not None:
            with contextlib.suppress(Exception):
                await self._sub.unsubscribe()
        self._sub = await js.pull_subscribe_bind(durable=self.name, stream=stream)
        self._resubscribe = False
        self._held.clear()  # held deliveries belong to the old subscription; they come again
        self.stats.connected = True

    async def _loop(self) -> None:
        idle_since = asyncio.get_running_loop().time()
        while not self._resubscribe:
            assert self._sub is not None
            try:
                msgs = await self._sub.fetch(self.batch_size, timeout=0.05)
            except TimeoutError:
                now = asyncio.get_running_loop().time()
                if now - idle_since >= self.idle_check:
                    self.stats.repaired_total += await self.catch_up()
                    idle_since = now
                try:
                    msgs = await self._sub.fetch(1, timeout=min(self.idle_check, 1.0))
                except TimeoutError:
                    continue
            idle_since = asyncio.get_running_loop().time()
            await self._handle(msgs)

    async def _handle(self, msgs: list[Msg]) -> None:
        events: list[tuple[Msg, Event]] = []
        for msg in msgs:
            try:
                event = decode_event(msg.data)
                if msg.headers and "traceparent" in msg.headers:
                    # Continue the trace from the publish span that NATS carried.
                    carrier = {k: v for k, v in msg.headers.items() if k in _TRACE_HEADERS}
                    event = replace(event, trace=carrier)
            except (ValueError, KeyError, TypeError) as exc:
                log.error("consumer %s: undecodable message on %s: %s", self.name, msg.subject, exc)
                await msg.term()
                continue
            try:
                reason = await self.check(event)
            except KeysUnavailable as exc:
                self.stats.last_error = str(exc)
                await msg.nak(delay=self.retry_delay)
                continue
            if reason is not None:
                # Never applied, never redelivered: the genuine event comes from the feed.
                await self._refuse(event, reason, "nats", None)
                await msg.term()
                continue
            events.append((msg, event))
        events = await self._same_epoch(events)
        # Events that arrived ahead of a missing one wait here (unacked) rather than being
        # nak'ed: redeliveries come back in any order, and with no feed to repair from, naking
        # everything after a gap advanced one event per redelivery round.
        for msg, event in events:
            self._held[event.position or 0] = (msg, event)
        pending = [self._held[p] for p in sorted(self._held)]
        result = await self._apply_checked([e for _, e in pending], None)
        if result.gap:
            self.stats.repaired_total += await self.catch_up()
            result.position = await self.position()
        await self._acknowledge(pending, result.position, hold=not result.failed)

    async def _same_epoch(self, events: list[tuple[Msg, Event]]) -> list[tuple[Msg, Event]]:
        """The deliveries published in an epoch that holds; the others are never applied and
        never redelivered (alarm raised; after reconciling, the feed brings what is genuine)."""
        kept = []
        for msg, event in events:
            epoch = (msg.headers or {}).get(EPOCH_HEADER)
            if epoch == self._epoch or await self.epoch_holds(epoch, event, "nats"):
                kept.append((msg, event))
            else:
                await msg.term()
        return kept

    async def _acknowledge(
        self, events: list[tuple[Msg, Event]], position: int, *, hold: bool
    ) -> None:
        for msg, event in events:
            at = event.position or 0
            if at <= position:
                self._held.pop(at, None)
                await msg.ack()
            elif not hold or len(self._held) > self.max_held:
                self._held.pop(at, None)
                await msg.nak(delay=self.retry_delay)

    async def close(self) -> None:
        """Close the NATS connection (and record any pending summary alarm)."""
        if self._alarm_summaries is not None and not self._alarm_summaries.done():
            self._alarm_summaries.cancel()
        self._alarm_summaries = None
        with contextlib.suppress(Exception):
            await self.flush_alarm_summaries(everything=True)
        if self._nc is not None and not self._nc.is_closed:
            with contextlib.suppress(Exception):
                await self._nc.close()
        self._nc = None
        self._sub = None


async def _stop(reading: asyncio.Future[None]) -> None:
    """Cancel a catch-up's reader and wait for it without awaiting it: awaiting would take a
    cancellation of the catch-up's task for the reader's own and swallow it, and the consumer
    would run on."""
    reading.cancel()
    await asyncio.wait([reading])
    if not reading.cancelled():
        reading.exception()  # retrieved, so never reported as lost


class _HandlerFailed(Exception):
    """A handler raised while applying `event` (None: a batch handler, on some event of its run)."""

    def __init__(self, event: Event | None) -> None:
        super().__init__(f"handler failed at position {event.position if event else None}")
        self.event = event
