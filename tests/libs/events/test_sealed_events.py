"""Sealed fields inside stored events: ciphertext at rest, erased after key destruction."""

from __future__ import annotations

import uuid
from pathlib import Path

import asyncpg
from support import ACTOR
from uponyaji_events.envelope import NewEvent
from uponyaji_events.integrity import verify
from uponyaji_events.sealing import ERASED, KeyStore, Sealer, load_kek
from uponyaji_events.store import EventStore

NAME = "Test Survivor Alpha Canary"


async def test_after_key_destruction_sealed_fields_read_as_erased_and_the_rest_still_reads(
    db: asyncpg.Pool, tmp_path: Path
) -> None:
    store = EventStore(db)
    keys = KeyStore(db, load_kek(tmp_path / "kek", create=True))
    sealer = Sealer(keys)
    survivor, other = str(uuid.uuid4()), str(uuid.uuid4())
    for subject in (survivor, other):
        name = await sealer.seal(subject, "intake.SurvivorRegistered/full_name", NAME)
        await store.append(
            "survivor",
            subject,
            0,
            [
                NewEvent(
                    "intake.SurvivorRegistered",
                    {"full_name": str(name), "county_code": "047", "gender": "female"},
                )
            ],
            actor=ACTOR,
        )

    dump = await db.fetchval("SELECT string_agg(payload::text, ' ') FROM events")
    assert NAME not in dump  # only ciphertext is stored

    assert await keys.destroy(survivor)
    [erased] = await store.load(survivor)
    [kept] = await store.load(other)

    context = "intake.SurvivorRegistered/full_name"
    assert await sealer.unseal_or_erased(survivor, context, erased.payload["full_name"]) == ERASED
    assert await sealer.unseal_or_erased(other, context, kept.payload["full_name"]) == NAME
    assert erased.payload["county_code"] == "047"  # the unsealed rest still reads
    assert (await verify(db)).ok  # and the log is intact
