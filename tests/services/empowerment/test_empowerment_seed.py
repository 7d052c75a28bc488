"""Demo data: every body valid, grants within each quarter's budget, and a seed that runs once."""

from __future__ import annotations

from decimal import Decimal

import asyncpg
from empowerment_support import As, FakeIntake
from fastapi import FastAPI
from uponyaji_empowerment.projections import READ_TABLES, rebuild
from uponyaji_empowerment.seed import seed
from uponyaji_empowerment.settings import Settings
from uponyaji_service import running


async def test_seed_makes_believable_records_within_budget_once(
    app: FastAPI,
    settings: Settings,
    intake: FakeIntake,
    officer: As,
    lead: As,
    pool: asyncpg.Pool,
) -> None:
    survivors = [await intake.register() for _ in range(24)]
    for sid in survivors:
        await intake.consent_to_reporting(sid)  # counted in the programme's figures
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


async def test_read_tables_rebuilt_from_zero_equal_the_live_ones(
    app: FastAPI, settings: Settings, intake: FakeIntake, pool: asyncpg.Pool
) -> None:
    survivors = [await intake.register() for _ in range(10)]
    for sid in survivors[:6]:
        await intake.refer(sid)
    await intake.deliver(app)
    await seed(settings, limit=60, wait=1)

    async def snapshot() -> dict[str, list[str]]:
        tables = {}
        for table in (*READ_TABLES, "referrals"):
            rows = await pool.fetch(f"SELECT to_jsonb(t)::text AS row FROM {table} t")  # noqa: S608
            tables[table] = sorted(r["row"] for r in rows)
        return tables

    live = await snapshot()
    assert live["grants"]
    assert await rebuild(running(app).parts.store) > 0
    assert await snapshot() == live
