"""The relay spaces its cycles by how long they take: slow cycles carry more events each."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import pytest
from support import running, service_name, signed_store
from uponyaji_events.envelope import Actor, NewEvent
from uponyaji_events.relay import OutboxRelay
from uponyaji_events.store import EventStore
from uponyaji_launcher.nats import EmbeddedNats

NewDatabase = Callable[..., Awaitable[asyncpg.Pool]]
WaitUntil = Callable[..., Awaitable[None]]
ACTOR = Actor(id="staff-test-1", role="counsellor")
SLOW = 0.02  # every sequencing takes at least this long (a busy database or event loop)


async def commit_steadily(store: EventStore, count: int, every: float) -> None:
    """`count` commits of one event each, one every `every` seconds, each waking the relay."""
    for n in range(count):
        await store.append(
            "case",
            f"case-{uuid.uuid4()}",
            0,
            [NewEvent(type="test.Noted", payload={"n": n})],
            actor=ACTOR,
        )
        await asyncio.sleep(every)


async def test_slow_cycles_are_spaced_so_each_carries_more_events(
    new_database: NewDatabase,
    nats_server: EmbeddedNats,
    wait_until: WaitUntil,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = service_name()
    store = signed_store(await new_database(), name)
    real = store.sequence_for_relay

    async def slow(*args: Any, **kw: Any) -> Any:
        await asyncio.sleep(SLOW)
        return await real(*args, **kw)

    monkeypatch.setattr(store, "sequence_for_relay", slow)
    relay = OutboxRelay(store, service=name, nats_url=nats_server.url)

    async with running(relay.run()):
        started = time.monotonic()
        await commit_steadily(store, count=60, every=0.005)

        async def all_published() -> bool:
            return relay.stats.published_total >= 60

        await wait_until(all_published, what="60 events published")
        elapsed = time.monotonic() - started

    # Each cycle took at least SLOW, so the next one woken by a commit started no sooner than
    # SLOW / busy_share after it: at most one cycle per 2 * SLOW, where a cycle every `spacing`
    # (10 ms, under SLOW) would have run one back to back after another.
    assert relay.interval() >= SLOW / relay.busy_share
    assert relay.interval() <= relay.max_spacing
    assert relay.stats.batches_total <= elapsed / (SLOW / relay.busy_share) + 2
    assert relay.stats.published_total == 60
    assert relay.stats.lag == 0
