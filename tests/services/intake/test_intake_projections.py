"""Read tables rebuilt from zero equal the live ones, after every kind of event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg
from fastapi import FastAPI
from intake_support import MOMBASA, As, consent, incident, registration
from uponyaji_intake.projections import READ_TABLES, Projector, rebuild
from uponyaji_service import running


async def snapshot(pool: asyncpg.Pool) -> dict[str, list[Any]]:
    tables = {}
    for table in READ_TABLES:
        rows = await pool.fetch(f"SELECT * FROM {table}")  # noqa: S608
        tables[table] = sorted(str(sorted(dict(row).items())) for row in rows)
    return tables


async def test_rebuilt_equals_live(
    app: FastAPI, pool: asyncpg.Pool, officer: As, as_staff: Callable[..., As]
) -> None:
    ids = []
    for n in range(4):
        body = registration(phone=f"07110000{n:02d}", other_names=[f"Alias{n} Fake"])
        ids.append((await officer.post("/survivors", body)).json()["survivor_id"])
    a, b, c, d = ids
    await officer.post(f"/survivors/{a}/consents", consent("documentation", witness="Fake W"))
    await officer.post(f"/survivors/{a}/consents", consent("medical_examination"))
    await officer.post(f"/survivors/{a}/incidents", incident(witnesses=["Fake Witness"]))
    referral = await officer.post(
        f"/survivors/{a}/referrals", {"target": "medical", "urgency": "routine"}
    )
    await officer.post(
        f"/survivors/{a}/referrals/{referral.json()['referral_id']}/status", {"status": "accepted"}
    )
    await officer.post(f"/survivors/{a}/consents", consent("medical_examination", "withdraw"))
    await officer.post(f"/survivors/{b}/identity", {"full_name": "Fake Corrected Name"})
    await officer.post(f"/survivors/{b}/merge", {"merged_survivor_id": c})
    await officer.post(f"/survivors/{d}/closure", {"reason": "goals_met"})
    await officer.post(f"/survivors/{d}/assignment", {"team_id": str(MOMBASA)})
    dpo = as_staff("data_protection_officer")
    assert (await dpo.post(f"/survivors/{a}/erasure-requests", {})).status_code == 202

    live = await snapshot(pool)
    assert live["survivor_blind_index"]
    intake = running(app).resources
    replayed = await rebuild(intake.store, Projector(intake.indexer, intake.keys.sealer))
    assert replayed > 15
    assert await snapshot(pool) == live
