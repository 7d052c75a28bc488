"""Event signatures: rotation keeps old events verifiable; keys come from an authenticated fetch."""

from __future__ import annotations

from pathlib import Path

import asyncpg
from support import ACTOR
from uponyaji_events.consumer import Consumer
from uponyaji_events.envelope import NewEvent
from uponyaji_events.signing import (
    CachedKeys,
    Signer,
    keys_from_document,
    rotate_signing_key,
)
from uponyaji_events.store import EventStore
from uponyaji_launcher.keys import ensure_signing_key


async def test_events_signed_before_and_after_a_rotation_all_verify(
    db: asyncpg.Pool, tmp_path: Path
) -> None:
    ensure_signing_key(tmp_path)
    fetched: list[int] = []
    signer = Signer.load(tmp_path, "src")

    async def fetch() -> dict[str, bytes]:
        fetched.append(1)
        # What a consumer reads from GET /feed/keys: the document, parsed.
        return keys_from_document(Signer.load(tmp_path, "src").document())

    store = EventStore(db, signer=signer)
    await store.append("case", "c-1", 0, [NewEvent("src.Opened", {"n": 1})], actor=ACTOR)
    await store.sequence()
    old_key = signer.key_id
    rotate_signing_key(tmp_path)
    store.signer = Signer.load(tmp_path, "src")  # the service restarted with the new key
    await store.append("case", "c-1", 1, [NewEvent("src.Noted", {"n": 2})], actor=ACTOR)
    await store.sequence()
    consumer = Consumer(
        db,
        name="sink",
        source="src",
        handler=_ignore,
        nats_url="nats://unused",
        keys=CachedKeys(fetch, min_refresh=0.0),
    )

    first, second = await store.read_all(0)
    assert (first.key_id, second.key_id != old_key) == (old_key, True)
    assert await consumer.check(first) is None
    assert await consumer.check(second) is None
    assert len(fetched) == 1  # the new key was already in the one document fetched
    assert "retired" in {k["status"] for k in store.signer.document()["keys"]}


async def test_a_key_whose_id_does_not_match_its_bytes_is_ignored() -> None:
    signer, other = Signer.generate("src"), Signer.generate("src")
    document = signer.document()
    document["keys"][0]["kid"] = other.key_id  # claims to be another key
    assert keys_from_document(document) == {}


async def _ignore(*_: object) -> None:
    return None
