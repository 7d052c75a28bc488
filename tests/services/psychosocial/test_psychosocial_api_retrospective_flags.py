"""A risk flag raised by an assessment documented retrospectively says so wherever it is listed."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
from fastapi import FastAPI
from psychosocial_support import PHQ9_RISKY, As, FakeIntake
from uponyaji_psychosocial.app import MIGRATIONS


async def test_flags_of_retrospective_assessments_are_marked(
    app: FastAPI, intake: FakeIntake, counsellor: As, pool: asyncpg.Pool
) -> None:
    survivor = await intake.register(consent=False)
    await intake.grant(survivor, at=datetime(2026, 3, 1, 6, 0, tzinfo=UTC))
    await intake.deliver(app)
    late = {
        "instrument": "PHQ-9",
        "responses": PHQ9_RISKY,
        "administered_at": "2026-02-15T08:00:00+03:00",
        "retrospective_reason": "Paper form from the February outreach, typed up now",
    }
    recorded = await counsellor.post(f"/survivors/{survivor}/assessments", late)
    assert recorded.status_code == 201, recorded.text
    current = {"instrument": "PHQ-9", "responses": PHQ9_RISKY}
    assert (await counsellor.post(f"/survivors/{survivor}/assessments", current)).status_code == 201

    flags = (await counsellor.get(f"/survivors/{survivor}/risk-flags")).json()["flags"]
    assert [f["retrospective"] for f in flags] == [True, False]
    inbox = (await counsellor.get("/risk-flags")).json()["flags"]
    mine = [f["retrospective"] for f in inbox if f["survivor_id"] == str(survivor)]
    assert mine == [True, False]
    assessments = (await counsellor.get(f"/survivors/{survivor}/assessments")).json()
    assert [a["retrospective"] for a in assessments["assessments"]] == [True, False]

    # assessments recorded before the marker existed get it from the events when migrating
    await pool.execute("UPDATE assessments SET retrospective = false")
    await pool.execute((MIGRATIONS / "040_retrospective.sql").read_text())
    flags = (await counsellor.get(f"/survivors/{survivor}/risk-flags")).json()["flags"]
    assert [f["retrospective"] for f in flags] == [True, False]
