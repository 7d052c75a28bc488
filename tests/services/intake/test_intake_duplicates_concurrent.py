"""Two registrations of one person at the same moment: one atomic decision, the second sees the
first as a duplicate (real PostgreSQL, the registrations racing on separate connections)."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from fastapi import FastAPI
from intake_support import As, fake_name, registration
from uponyaji_events.db import Conn
from uponyaji_intake import matching
from uponyaji_intake.blind_index import IndexKind
from uponyaji_service import running


async def test_simultaneous_registrations_of_one_person_make_one_record(
    officer: As, pool: asyncpg.Pool
) -> None:
    for round_ in range(5):  # several rounds: the race must be lost every time, not by luck
        phone = f"0733 {round_:03d} 444"
        answers = await asyncio.gather(
            officer.post("/survivors", registration(phone=phone)),
            officer.post("/survivors", registration(phone=phone)),
        )
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [201, 409], [a.text for a in answers]
        made = next(a for a in answers if a.status_code == 201).json()
        refused = next(a for a in answers if a.status_code == 409).json()
        assert refused["error"] == "PossibleDuplicates"
        assert [c["survivor_id"] for c in refused["candidates"]] == [made["survivor_id"]]
    assert await pool.fetchval("SELECT count(*) FROM survivors") == 5


async def test_common_name_parts_are_claimed_shared_and_duplicates_still_caught(
    app: FastAPI, officer: As, pool: asyncpg.Pool
) -> None:
    # 21 survivors share "Fake Common": both parts are common (held by more than 20), so a
    # registration's claim on them must not make every other registration wait.
    for _ in range(21):
        assert (
            await officer.post("/survivors", registration(f"Fake Common {fake_name()}"))
        ).status_code == 201
    indexer = running(app).resources.indexer
    first = indexer.entries(names=["Fake Common Alphonse Berenike"])
    stranger = indexer.entries(names=["Fake Common Gaspard Delphine"])
    same_person = indexer.entries(names=["Fake Common Alphonse Berenike"])
    common = {indexer.digest(IndexKind.NAME, part) for part in ("fake", "common")}
    async with pool.acquire() as holder, holder.transaction():
        assert await matching.claim(holder, first) == common
        async with pool.acquire() as other:
            await other.execute("SET lock_timeout = '300ms'")
            try:
                assert await claimed(other, stranger) == common  # does not wait
                with pytest.raises(asyncpg.LockNotAvailableError):
                    await claimed(other, same_person)  # shares "alphonse": waits for holder
            finally:
                await other.execute("RESET lock_timeout")
    # The same person registered twice at once, by name alone: still one record.
    for round_ in range(3):
        name = f"Fake Common Distinctive{round_} Uncommon{round_}"
        answers = await asyncio.gather(
            officer.post("/survivors", registration(name)),
            officer.post("/survivors", registration(name)),
        )
        assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]


async def claimed(conn: Conn, entries: matching.Entries) -> frozenset[bytes]:
    """Take a registration's claims in a transaction of its own (released at once)."""
    async with conn.transaction():
        return await matching.claim(conn, entries)
