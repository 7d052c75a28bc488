"""Tamper evidence: one altered byte in a stored event is found by verify."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from support import ACTOR
from uponyaji_events.envelope import NewEvent
from uponyaji_events.integrity import verify
from uponyaji_events.store import EventStore


async def written(db: asyncpg.Pool) -> tuple[EventStore, list[str]]:
    store = EventStore(db)
    streams = [f"case-{uuid.uuid4()}" for _ in range(3)]
    for sid in streams:
        await store.append(
            "case",
            sid,
            0,
            [NewEvent("t.Documented", {"finding": "bruising", "count": i}) for i in range(4)],
            actor=ACTOR,
        )
    return store, streams


async def test_an_untouched_store_verifies(db: asyncpg.Pool) -> None:
    await written(db)
    report = await verify(db)
    assert report.ok
    assert report.checked == 12


@pytest.mark.parametrize(
    "tamper",
    [
        # one character of the payload
        "UPDATE events SET payload = jsonb_set(payload, '{finding}', '\"bruisinf\"') "
        "WHERE stream_id = $1 AND version = 2",
        # one byte of the stored hash
        "UPDATE events SET hash = set_byte(hash, 0, (get_byte(hash, 0) + 1) % 256) "
        "WHERE stream_id = $1 AND version = 3",
        # the actor who wrote it
        "UPDATE events SET actor_id = 'staff-test-2' WHERE stream_id = $1 AND version = 1",
        # an event removed from the middle of the stream
        "DELETE FROM events WHERE stream_id = $1 AND version = 2",
    ],
    ids=["payload", "hash", "actor", "deleted"],
)
async def test_tampering_is_detected_and_located(db: asyncpg.Pool, tamper: str) -> None:
    _, streams = await written(db)
    victim = streams[1]
    await tamper_as_superuser(db, tamper, victim)

    whole = await verify(db)
    one = await verify(db, victim)
    others = await verify(db, streams[0])

    assert not whole.ok
    assert not one.ok
    assert all(victim in problem for problem in whole.problems)
    assert others.ok


async def tamper_as_superuser(db: asyncpg.Pool, sql: str, *args: object) -> None:
    """Change stored events as only a superuser can: with the append-only trigger bypassed."""
    async with db.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        await conn.execute(sql, *args)


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE events SET payload = jsonb_set(payload, '{finding}', '\"bruisinf\"') "
        "WHERE stream_id = $1 AND version = 2",
        "UPDATE events SET position = position + 1000 WHERE stream_id = $1 AND version = 2",
        "DELETE FROM events WHERE stream_id = $1 AND version = 2",
    ],
    ids=["payload", "position", "delete"],
)
async def test_the_event_table_refuses_changes_even_from_its_owner(
    db: asyncpg.Pool, change: str
) -> None:
    store, streams = await written(db)
    await store.sequence()
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
        await db.execute(change, streams[1])
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="TRUNCATE refused"):
        await db.execute("TRUNCATE events")
    assert (await verify(db)).ok
