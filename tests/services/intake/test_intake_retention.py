"""Closed-case retention: a case closed longer ago than the retention period is erased by the
erasure saga (every service's key destroyed), and nothing else is touched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from fastapi import FastAPI
from intake_support import As, registration
from uponyaji_events.sealing import ERASED
from uponyaji_intake import retention
from uponyaji_service import running

DAYS = 2557
NAME = "Test Survivor Retention Alpha (FAKE)"


async def register(officer: As, *, close: bool) -> Any:
    name = NAME if close else "Fake Kept Mwangaza Ochieng"
    created = await officer.post("/survivors", registration(name))
    assert created.status_code == 201, created.text
    survivor = created.json()["survivor_id"]
    if close:
        closed = await officer.post(f"/survivors/{survivor}/closure", {"reason": "goals_met"})
        assert closed.status_code in (200, 201), closed.text
    return survivor


async def test_cases_closed_past_retention_are_erased_and_others_kept(
    app: FastAPI, officer: As, pool: asyncpg.Pool
) -> None:
    intake = running(app).resources
    closed = await register(officer, close=True)
    still_open = await register(officer, close=False)
    now = datetime.now(UTC)
    assert await retention.enforce(intake, now + timedelta(days=DAYS - 1), DAYS) == []

    later = now + timedelta(days=DAYS + 1)
    erased = await retention.enforce(intake, later, DAYS)
    assert [str(s) for s in erased] == [closed]
    statuses = dict(
        await pool.fetch(
            "SELECT survivor_id::text, erasure_status FROM survivors WHERE survivor_id::text "
            "= ANY($1::text[])",
            [closed, still_open],
        )
    )
    assert statuses[closed] in ("requested", "completed")
    assert statuses[still_open] is None
    request = await pool.fetchrow(
        "SELECT actor_id, payload FROM events WHERE type = 'intake.ErasureRequested' "
        "AND payload->>'survivor_id' = $1",
        closed,
    )
    assert request["actor_id"] == "system:intake-retention"
    shown = await officer.get(f"/survivors/{closed}")
    assert shown.status_code == 200, shown.text
    assert ERASED in shown.text  # intake's key is destroyed: the identity reads as erased
    assert NAME not in shown.text
    kept = await officer.get(f"/survivors/{still_open}")
    assert "Fake Kept Mwangaza Ochieng" in kept.text
    assert await retention.enforce(intake, later, DAYS) == []  # once only
