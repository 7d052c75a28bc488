"""Demo data: every body valid, grants within each quarter's budget, and a seed that runs once."""

from __future__ import annotations

from decimal import Decimal

import asyncpg
from empowerment_support import As, FakeIntake
from fastapi import FastAPI
from uponyaji_empowerment.seed import seed
from uponyaji_empowerment.settings import Settings


async def test_seed_makes_believable_records_within_budget_once(
    app: FastAPI, settings: Settings, intake: FakeIntake, officer: As, lead: As,
    pool: asyncpg.Pool,
) -> None:  # fmt: skip
    survivors = [await intake.register() for _ in range(24)]
    await intake.register(consent=False)  # not seeded
    for sid in survivors[:8]:
        await intake.refer(sid)
    await intake.deliver(app)

    made, approved = await seed(settings, limit=60, wait=2)
    assert made == 24
    assert approved >= 8
    lines = await pool.fetch("SELECT amount, committed, disbursed FROM budget_lines")
    assert all(Decimal(r["committed"]) <= Decimal(r["amount"]) for r in lines)
    assert all(Decimal(r["disbursed"]) <= Decimal(r["committed"]) for r in lines)
    counts = await pool.fetchrow(
        "SELECT (SELECT count(*) FROM plans) AS plans, (SELECT count(*) FROM follow_ups) AS f, "
        "(SELECT count(*) FROM disbursements) AS d, (SELECT count(*) FROM course_attendance) AS a,"
        " (SELECT count(*) FROM training_completions) AS t, "
        "(SELECT count(*) FROM referrals WHERE status = 'accepted') AS r"
    )
    assert counts["plans"] == 24
    assert min(counts["f"], counts["d"], counts["a"], counts["t"]) > 0
    assert counts["r"] == 3  # five stay pending for the demo
    overdue = (await officer.get("/follow-ups/due")).json()["follow_ups"]
    assert any(f["overdue"] for f in overdue)
    outcomes = (await lead.get("/outcomes")).json()
    assert outcomes["deidentified"] is True
    finance = (await lead.get("/finance")).json()["cells"]
    assert finance

    assert await seed(settings, limit=60, wait=1) == (0, 0)
