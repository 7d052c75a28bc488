"""Two registrations of one person at the same moment: one atomic decision, the second sees the
first as a duplicate (real PostgreSQL, the registrations racing on separate connections)."""

from __future__ import annotations

import asyncio

import asyncpg
from intake_support import As, registration


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
