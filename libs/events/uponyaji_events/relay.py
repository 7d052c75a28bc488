"""The outbox relay: tails the store from its checkpoint and publishes to JetStream."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from opentelemetry.trace import SpanKind

from uponyaji_events.codec import encode_event
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Event
from uponyaji_events.metrics import relay_lag, seconds_since
from uponyaji_events.migrate import release_lock
from uponyaji_events.natsauth import NatsCredentials
from uponyaji_events.natsconn import EPOCH_HEADER, connect, ensure_stream, subject_for
from uponyaji_events.store import EventStore
from uponyaji_events.tracing import current_carrier, span_from

log = logging.getLogger("uponyaji.events.relay")


@dataclass
class RelayStats:
    """What health shows about the relay."""

    active: bool = False
    connected: bool = False
    checkpoint: int = 0
    head: int = 0
    published_total: int = 0
    batches_total: int = 0  # publications (relay cycles that published something)
    last_error: str | None = None
    _window: deque[tuple[float, int]] = field(default_factory=lambda: deque(maxlen=64))

    @property
    def lag(self) -> int:
        """Sequenced events not yet acknowledged by JetStream."""
        return max(0, self.head - self.checkpoint)

    def record(self, count: int) -> None:
        """Note a published batch for the throughput figure."""
        self.published_total += count
        self.batches_total += 1
        self._window.append((time.monotonic(), count))

    def rate(self, seconds: float = 10.0) -> float:
        """Events per second acknowledged over the last `seconds`."""
        now = time.monotonic()
        recent = [(t, n) for t, n in self._window if now - t <= seconds]
        if not recent:
            return 0.0
        span = max(now - recent[0][0], 1e-3)
        return sum(n for _, n in recent) / span

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary for health output."""
        return {
            "active": self.active,
            "connected": self.connected,
            "checkpoint": self.checkpoint,
            "head": self.head,
            "lag": self.lag,
            "published_total": self.published_total,
            "events_per_s": round(self.rate(), 1),
            "last_error": self.last_error,
        }


class OutboxRelay:
    """One active relay per service (advisory lock); publishes with Nats-Msg-Id = event_id."""

    def __init__(
        self,
        store: EventStore,
        *,
        service: str,
        nats_url: str,
        batch_size: int = 1000,
        max_in_flight: int = 1000,
        poll_interval: float = 0.2,
        ack_timeout: float = 5.0,
        max_backoff: float = 5.0,
        spacing: float = 0.01,
        busy_share: float = 0.5,
        max_spacing: float = 0.05,
        nats_credentials: NatsCredentials | None = None,
    ) -> None:
        self.store = store
        self.nats_credentials = nats_credentials
        self.service = service
        self.nats_url = nats_url
        self.batch_size = batch_size
        self.max_in_flight = max_in_flight
        self.poll_interval = poll_interval
        self.ack_timeout = ack_timeout
        self.max_backoff = max_backoff
        # Woken by commits, the relay starts a cycle at most once per `spacing` seconds: a
        # cycle (a sequencing transaction of five statements, a publication and its
        # acknowledgement) costs about as much CPU for one event as for twenty, so under a
        # steady stream of commits one cycle carries all that came in the interval. A commit
        # after a quiet interval is relayed at once; at most `spacing` more lag otherwise.
        self.spacing = spacing
        # When cycles take long (a busy event loop or machine: each statement and the
        # acknowledgement wait for their turn), the relay spends at most `busy_share` of the time
        # in cycles: the next starts no sooner than the last one's length / `busy_share` after
        # it started (at most `max_spacing`), so each carries more events and the cycles per
        # command fall exactly when the CPU is scarce. Cycles that take under
        # `spacing * busy_share` (a quiet machine) leave the spacing as it was.
        self.busy_share = busy_share
        self.max_spacing = max(max_spacing, spacing)
        self._cycle_at = -spacing
        self._took = 0.0  # how long the last cycle that published took, start to acknowledgement
        self.stats = RelayStats()
        self._wake = asyncio.Event()
        self._nc: NatsClient | None = None
        self._js: JetStreamContext | None = None
        self._epoch = ""
        self._woken = False  # the last wait ended with a local commit (not the poll interval)
        self._lock_key = zlib.crc32(f"relay:{service}".encode())
        store.on_commit(self.wake)

    def wake(self) -> None:
        """Ask the relay to look for new events now (called after each local commit)."""
        self._wake.set()

    async def run(self) -> None:
        """Run until cancelled: wait for the leader lock, then relay; retry on every failure."""
        try:
            while True:
                try:
                    async with self.store.pool.acquire() as lock_conn:
                        if not await lock_conn.fetchval(
                            "SELECT pg_try_advisory_lock($1)", self._lock_key
                        ):
                            self.stats.active = False
                            await self._sleep(self.poll_interval * 5)
                            continue
                        self.stats.active = True
                        try:
                            await self._lead(lock_conn)
                        finally:
                            self.stats.active = False
                            await release_lock(lock_conn, self._lock_key)
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                    self.stats.last_error = f"database: {exc}"
                    log.warning("relay database error: %s", exc)
                    await self._sleep(1.0)
        finally:
            await self._close()

    async def _lead(self, lock_conn: Conn) -> None:
        self.stats.checkpoint = await self._load_checkpoint(lock_conn)
        # Each message names the store's epoch, so consumers notice a restored store. A store is
        # restored only behind a server restart or a new database, which ends this connection
        # and so this term as leader: reading it once per term is enough.
        self._epoch = await self.store.epoch()
        backoff = 0.1
        next_try = 0.0
        self._woken = False
        # The last acknowledged position not yet written: it rides on the next sequencing, or
        # is written alone before the relay goes idle. Until then a restart publishes those
        # events again, which JetStream drops as duplicates (same Nats-Msg-Id).
        unsaved: int | None = None
        try:
            while True:
                if self._woken:
                    await self._space()
                # Sequencing needs no NATS: feeds keep moving while NATS is down. Woken by a
                # commit here, there is work: the statement asking whether there is any is
                # skipped. The events it numbers are published from its own result when they
                # follow the checkpoint: no read_all.
                started = time.monotonic()
                sequenced = await self.store.sequence_for_relay(
                    self.batch_size,
                    check=not self._woken,
                    checkpoint=None if unsaved is None else (self.service, unsaved),
                    conn=lock_conn,  # its own connection: no pool round per cycle
                )
                if sequenced.saved:
                    unsaved = None
                self.stats.head = sequenced.head
                if time.monotonic() < next_try or not await self._ensure_connected():
                    if time.monotonic() >= next_try:
                        next_try = time.monotonic() + backoff
                        backoff = min(backoff * 2, self.max_backoff)
                    await self._sleep(self.poll_interval)
                    continue
                batch = await self._next_batch(sequenced.events)
                if not batch:
                    if unsaved is not None:
                        await self._save(lock_conn, unsaved)
                        unsaved = None
                    await self._sleep(self.poll_interval)
                    continue
                try:
                    await self._publish(batch)
                except Exception as exc:  # NATS down, timeouts, a stream that vanished
                    self.stats.last_error = f"publish: {type(exc).__name__}: {exc}"
                    log.warning("relay publish failed, retrying: %s", self.stats.last_error)
                    self._js = None  # re-check the stream on the next try
                    next_try = time.monotonic() + backoff
                    backoff = min(backoff * 2, self.max_backoff)
                    continue
                backoff = 0.1
                self._took = time.monotonic() - started
                unsaved = batch[-1].position or self.stats.checkpoint
                self.stats.checkpoint = unsaved
                self.stats.record(len(batch))
                relay_lag.record(seconds_since(batch[0].recorded_at))  # the batch's oldest event
                self.stats.last_error = None
                if self.stats.checkpoint < self.stats.head:
                    await self._save(lock_conn, unsaved)  # a backlog: keep the checkpoint close
                    unsaved = None
                    self._woken = False  # more to read: no new commit implied
                elif self._wake.is_set():
                    self._wake.clear()  # committed meanwhile: sequence again (spaced)
                    self._woken = True
                else:
                    # All sequenced events are out and nothing was committed here meanwhile:
                    # wait for the next commit (or the poll) rather than look again at once.
                    await self._sleep(self.poll_interval)
        finally:
            if unsaved is not None and not lock_conn.is_closed():
                with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                    await self._save(lock_conn, unsaved)

    async def _space(self) -> None:
        """Wait until `interval()` has passed since the last cycle a commit started; then forget
        the wake-ups so far (the cycle about to start sequences every commit they announced)."""
        pause = self._cycle_at + self.interval() - time.monotonic()
        if pause > 0:
            await asyncio.sleep(pause)
        self._cycle_at = time.monotonic()
        self._wake.clear()

    def interval(self) -> float:
        """The least time between the starts of two cycles woken by commits, now."""
        return min(self.max_spacing, max(self.spacing, self._took / self.busy_share))

    async def _next_batch(self, sequenced: list[Event]) -> list[Event]:
        """What to publish next: the events just sequenced when they follow the checkpoint,
        else up to a batch read from the store after it (none when the head is reached)."""
        if sequenced and sequenced[0].position == self.stats.checkpoint + 1:
            return sequenced
        if self.stats.head <= self.stats.checkpoint:
            return []
        return await self.store.read_all(self.stats.checkpoint, self.batch_size)

    async def _save(self, conn: Conn, position: int) -> None:
        """Write the relay's checkpoint: every event up to `position` is acknowledged."""
        await conn.execute(
            "INSERT INTO relay_checkpoints (relay, position) VALUES ($1, $2) "
            "ON CONFLICT (relay) DO UPDATE SET position = $2, updated_at = now()",
            self.service,
            position,
        )

    async def _publish(self, batch: list[Event]) -> None:
        assert self._js is not None
        futures: list[asyncio.Future[Any]] = []
        for event in batch:
            headers = {"Nats-Msg-Id": str(event.event_id), EPOCH_HEADER: self._epoch}
            subject, data = subject_for(self.service, event), encode_event(event)
            if "traceparent" not in event.trace:  # untraced: skip the span's cost (~25 µs)
                futures.append(await self._js.publish_async(subject, data, headers=headers))
                continue
            with span_from("events.publish", event.trace, SpanKind.PRODUCER) as span:
                span.set_attribute("uponyaji.event_type", event.type)
                headers.update(current_carrier())
                futures.append(await self._js.publish_async(subject, data, headers=headers))
        try:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation
            # that arrives as the awaited future completes, and shutdown would hang.
            async with asyncio.timeout(self.ack_timeout):
                await asyncio.gather(*futures)
        finally:
            for future in futures:
                if not future.done():
                    future.cancel()

    async def _ensure_connected(self) -> bool:
        if self._nc is None or self._nc.is_closed:
            try:
                self._nc = await connect(
                    self.nats_url, f"{self.service}-relay", credentials=self.nats_credentials
                )
            except Exception as exc:
                self._nc = None
                self.stats.connected = False
                self.stats.last_error = f"connect: {type(exc).__name__}: {exc}"
                return False
        self.stats.connected = self._nc.is_connected
        if not self._nc.is_connected:
            return False
        if self._js is None:
            js = self._nc.jetstream(publish_async_max_pending=self.max_in_flight)
            try:
                await ensure_stream(js, self.service)
            except Exception as exc:
                self.stats.last_error = f"stream: {type(exc).__name__}: {exc}"
                return False
            self._js = js
        return True

    async def _load_checkpoint(self, conn: Conn) -> int:
        value = await conn.fetchval(
            "SELECT position FROM relay_checkpoints WHERE relay = $1", self.service
        )
        return int(value or 0)

    async def _sleep(self, seconds: float) -> None:
        """Wait for a wake-up or `seconds`; note which (`_woken`) for the next look."""
        self._woken = False
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()
                self._woken = True
        self._wake.clear()

    async def _close(self) -> None:
        if self._nc is not None and not self._nc.is_closed:
            with contextlib.suppress(Exception):
                await self._nc.close()
        self._nc = None
        self._js = None
