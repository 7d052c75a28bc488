"""The demo seed: believable records for consenting survivors, two signed reports, idempotent."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from medical_api_support import FakeIntake
from uponyaji_medical.projections import READ_TABLES, rebuild
from uponyaji_medical.seed import seed
from uponyaji_medical.settings import Settings
from uponyaji_service import running


async def test_the_seed_records_examinations_signs_two_reports_and_runs_once(
    app: FastAPI, intake: FakeIntake, settings: Settings, pool: Any
) -> None:
    for n in range(10):
        scopes = ("medical_examination", "photography") if n < 3 else ("medical_examination",)
        await intake.register(scopes=scopes)
    await intake.register(scopes=())  # no consent: never seeded
    await intake.deliver(app)
    made, signed = await seed(settings, limit=10, wait=1)
    assert (made, signed) == (10, 2)
    assert await pool.fetchval("SELECT count(DISTINCT survivor_id) FROM encounters") == 10
    assert await pool.fetchval("SELECT count(*) FROM reports") == 2
    assert await pool.fetchval("SELECT count(*) FROM addenda") == 1
    photos = await pool.fetchval("SELECT count(*) FROM evidence WHERE kind = 'photograph'")
    assert photos == 6  # an identifying photograph and a close-up for each consenting survivor
    texts = await pool.fetch("SELECT payload FROM record_entries WHERE kind = 'HistoryRecorded'")
    assert all(str(t["payload"]["allegation"]).startswith("sealed:") for t in texts)
    assert await seed(settings, limit=10, wait=1) == (0, 0)  # a second run adds nothing

    # the read tables are a pure function of the events: rebuilt from zero, they are the same
    async def tables() -> dict[str, list[str]]:
        return {
            table: sorted(str(dict(r)) for r in await pool.fetch(f"SELECT * FROM {table}"))  # noqa: S608
            for table in READ_TABLES
        }

    live = await tables()
    await rebuild(running(app).parts.store)
    assert await tables() == live
