"""The event hash: SHA-256 over the canonical JSON of the hashed fields, however computed."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from asyncpg.pgproto.pgproto import UUID as PG_UUID
from uponyaji_events.codec import canonical, event_hash, event_hashes, hashed_fields
from uponyaji_events.envelope import Actor, Event

EAT = timezone(timedelta(hours=3))


@pytest.mark.parametrize(
    ("occurred", "causation", "make_id"),
    [
        (datetime(2026, 3, 1, 9, 30, 0, 123456, tzinfo=UTC), uuid.uuid4(), uuid.UUID),
        (datetime(2026, 3, 1, 12, 30, tzinfo=EAT), None, uuid.UUID),  # no microseconds
        (datetime(2026, 3, 1, 9, 30, tzinfo=UTC), uuid.uuid4(), PG_UUID),  # as read from the store
    ],
)
def test_the_fast_hash_is_the_canonical_hash(
    occurred: datetime, causation: uuid.UUID | None, make_id: Callable[[str], uuid.UUID]
) -> None:
    event = Event(
        event_id=make_id(str(uuid.uuid4())),
        stream_type="case",
        stream_id="case-1",
        version=3,
        type="src.Happened",
        schema_version=1,
        occurred_at=occurred,
        recorded_at=datetime(2026, 3, 1, 9, 31, tzinfo=UTC),
        actor=Actor("staff-test-1", "counsellor"),
        correlation_id=make_id(str(uuid.uuid4())),
        causation_id=causation,
        payload={"z": [1, "é", {"b": None, "a": 2.5}], "a": "Test Survivor Alpha"},
        prev_hash=bytes(range(32)),
        hash=bytes(32),
    )
    expected = hashlib.sha256(canonical(hashed_fields(event))).digest()
    assert event_hash(event) == expected
    assert b'"occurred_at":"2026-03-01T09:30:00.' in canonical(hashed_fields(event))


def test_a_naive_timestamp_is_refused() -> None:
    naive = datetime(2026, 1, 1)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    event = Event(
        uuid.uuid4(),
        "case",
        "c",
        1,
        "t",
        1,
        naive,
        at,
        Actor("a", "r"),
        uuid.uuid4(),
        None,
        {},
        bytes(32),
        bytes(32),
    )
    with pytest.raises(ValueError, match="timezone-aware"):
        event_hash(event)


def test_a_page_hashed_at_once_gives_each_event_its_canonical_hash() -> None:
    # A consumer hashes a feed page at once, reusing the text of repeated instants; the same
    # instant written in another zone, and different instants, must still hash as alone.
    noon = datetime(2026, 3, 1, 12, 0, 0, 250000, tzinfo=UTC)
    times = [
        (noon, noon),
        (noon.astimezone(EAT), noon),  # the same instant in Nairobi time
        (noon, noon + timedelta(microseconds=1)),
        (datetime(2026, 3, 1, 15, 0, tzinfo=EAT), noon),  # 12:00 UTC, no microseconds
    ]
    events = [
        Event(
            uuid.uuid4(),
            "case",
            f"case-{n}",
            1,
            "src.Happened",
            1,
            occurred,
            recorded,
            Actor("staff-test-1", "counsellor"),
            PG_UUID(str(uuid.uuid4())),
            None,
            {"n": n, "name": "Test Survivor Alpha"},
            bytes(32),
            bytes(32),
        )
        for n, (occurred, recorded) in enumerate(times)
    ]
    expected = [hashlib.sha256(canonical(hashed_fields(e))).digest() for e in events]
    assert event_hashes(events) == expected
    assert len(set(expected)) == len(events)
