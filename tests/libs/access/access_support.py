"""The access library's test support: the kit's keys and staff, and a store's audit trail."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from kit.tokens import ISSUER as ISSUER
from kit.tokens import SERVICE as SERVICE
from kit.tokens import SigningKey as SigningKey
from kit.tokens import Staff as Staff
from kit.tokens import bearer as bearer
from uponyaji_events.envelope import Event
from uponyaji_events.store import EventStore

Mint = Callable[..., str]  # mint(staff, **claim_overrides) -> token
WaitUntil = Callable[..., Awaitable[None]]  # the session's wait_until fixture


async def audit_events(store: EventStore) -> list[Event]:
    """Every audit event in the store, in insertion order."""
    rows = await store.pool.fetch(
        "SELECT stream_id FROM events WHERE stream_type = 'audit' GROUP BY stream_id"
    )
    events: list[Event] = []
    for row in rows:
        events.extend(await store.load(row["stream_id"]))
    return sorted(events, key=lambda e: e.recorded_at)
