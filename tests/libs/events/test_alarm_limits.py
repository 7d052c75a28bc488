"""Integrity alarms under a flood: every forgery refused, a few recorded, the rest summarised."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from uuid import uuid4

import asyncpg
from support import ACTOR, Sink, append_many, service_name, signed_store
from uponyaji_events.alarms import AlarmLimiter, Kind, Refusal
from uponyaji_events.consumer import Consumer, IntegrityAlarm
from uponyaji_events.envelope import Event
from uponyaji_events.feed import StoreFeed

NewDatabase = Callable[..., Awaitable[asyncpg.Pool]]
WaitUntil = Callable[..., Awaitable[None]]
FLOOD = 200


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _event(position: int) -> Event:
    """An event for the limiter (which looks only at what it is given to keep as a sample)."""
    return Event(
        event_id=uuid4(),
        stream_type="s",
        stream_id="s-1",
        version=position,
        type="x.Forged",
        schema_version=1,
        occurred_at=datetime.now(UTC),
        recorded_at=datetime.now(UTC),
        actor=ACTOR,
        correlation_id=uuid4(),
        causation_id=None,
        payload={},
        prev_hash=b"",
        hash=b"",
        position=position,
    )


async def _forgeries(new_database: NewDatabase) -> tuple[str, StoreFeed, list[Event]]:
    """A signed source of FLOOD events, and the same events with broken signatures."""
    source = service_name()
    store = signed_store(await new_database(), source)
    await append_many(store, streams=4, per_stream=FLOOD // 4)
    await store.sequence()
    feed = StoreFeed(store)
    genuine = await feed.read(0, FLOOD)
    assert len(genuine) == FLOOD
    forged = [dataclasses.replace(e, signature=bytes(64)) for e in genuine]
    return source, feed, forged


async def _consumer(new_database: NewDatabase, feed: StoreFeed, source: str) -> Consumer:
    target = await new_database()
    sink = Sink(target)
    await sink.create()
    return Consumer(
        target,
        name="sink",
        source=source,
        handler=sink.handle,
        nats_url="nats://unused",
        feed=feed,
    )


async def _rows(pool: asyncpg.Pool) -> list[str]:
    return [
        r["reason"] for r in await pool.fetch("SELECT reason FROM integrity_alarms ORDER BY id")
    ]


def test_kinds_come_from_a_fixed_vocabulary_not_from_what_a_forger_wrote() -> None:
    forged = Refusal(Kind.UNKNOWN_KEY, "unknown signing key 'forger-1'")
    assert forged.label == Refusal(Kind.UNKNOWN_KEY, "unknown signing key 'x'").label
    assert Refusal(Kind.CHAIN_VERSION, "stream s-1 expected version 3, got 9").label == (
        "chain version"
    )
    replaced = Refusal(Kind.BAD_SIGNATURE, "signature does not verify").at_applied_position(7)
    assert replaced.label == "replaced: bad signature"
    assert replaced.reason.startswith("a different event at already-applied position 7: ")
    # The metric labels operators' dashboards select on stay what they were.
    assert {str(k) for k in Kind} == {
        "no position",
        "not signed",
        "no public keys",
        "hash mismatch",
        "unknown signing key",
        "bad signature",
        "chain version",
        "chain hash",
        "store identity",
        "range statement",
    }


def test_first_alarms_pass_at_once_the_rest_are_summarised_per_window() -> None:
    clock = FakeClock()
    limiter = AlarmLimiter(window=60.0, burst=3, clock=clock)
    sample = [_event(n) for n in range(1, 11)]
    admitted = [limiter.admit("nats", "bad signature", e) for e in sample]
    assert admitted == [True] * 3 + [False] * 7
    # Another kind is not held back by the flood of the first.
    assert limiter.admit("nats", "hash mismatch", sample[0]) is True
    assert limiter.due() == []  # the window has not ended
    assert limiter.next_due() == 60.0

    clock.now += 60.0
    (summary,) = limiter.due()
    assert (summary.path, summary.kind, summary.count) == ("nats", "bad signature", 7)
    assert summary.sample.position == 10
    assert "7 further alarm(s)" in summary.reason
    assert limiter.due() == []  # each summary once
    assert limiter.admit("nats", "bad signature", sample[0]) is True  # new window


async def test_a_flood_of_forged_events_is_refused_and_recorded_in_bounded_form(
    new_database: NewDatabase,
) -> None:
    source, feed, forged = await _forgeries(new_database)
    consumer = await _consumer(new_database, feed, source)
    audits: list[IntegrityAlarm] = []

    async def audit(alarm: IntegrityAlarm) -> None:
        audits.append(alarm)

    consumer.on_alarm = audit
    consumer.alarm_limiter = AlarmLimiter(clock=FakeClock())  # one window, however slow the run
    for event in forged:
        result = await consumer.apply([event])
        assert result.refused
        assert result.applied == 0
    # A different kind of forgery during the flood is still recorded at once.
    tampered = dataclasses.replace(forged[0], payload={"n": -1})
    assert (await consumer.apply([tampered])).refused

    burst = consumer.alarm_limiter.burst
    assert consumer.stats.integrity_alarms_total == FLOOD + 1
    assert consumer.stats.integrity_alarms_suppressed == FLOOD - burst
    assert await consumer.position() == 0  # nothing forged was applied
    rows = await _rows(consumer.pool)
    assert rows == ["signature does not verify"] * burst + ["content does not match its hash"]
    assert len(audits) == burst + 1

    await consumer.close()  # a stopping consumer records what it was still counting
    rows = await _rows(consumer.pool)
    assert len(rows) == burst + 2
    assert rows[-1].startswith(f"summary: {FLOOD - burst} further alarm(s) of kind 'bad signature'")
    assert audits[-1].reason == rows[-1]
    assert audits[-1].event.position == forged[-1].position

    # The genuine events still apply.
    assert await consumer.catch_up() == FLOOD


async def test_the_summary_is_recorded_when_its_window_ends(
    new_database: NewDatabase, wait_until: WaitUntil
) -> None:
    source, feed, forged = await _forgeries(new_database)
    consumer = await _consumer(new_database, feed, source)
    clock = FakeClock()  # the window ends when the test says, however slow the machine is
    consumer.alarm_limiter = AlarmLimiter(window=0.5, burst=2, clock=clock)
    for event in forged[:50]:
        await consumer.apply([event])
    assert len(await _rows(consumer.pool)) == 2
    await asyncio.sleep(0.6)  # the timer wakes, but the window has not ended: no summary yet
    assert len(await _rows(consumer.pool)) == 2
    clock.now += 0.5

    async def summarised() -> bool:
        return len(await _rows(consumer.pool)) == 3

    await wait_until(summarised, 10.0, "the window's summary alarm")
    assert (await _rows(consumer.pool))[-1].startswith("summary: 48 further alarm(s)")
    await asyncio.sleep(0.6)  # nothing more pending: no further summary
    assert len(await _rows(consumer.pool)) == 3
    await consumer.close()
    assert len(await _rows(consumer.pool)) == 3
