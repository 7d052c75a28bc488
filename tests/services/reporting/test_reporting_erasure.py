"""Erasure in reporting: no row links an erased survivor's case number to health data."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from reporting_support import (
    SURVIVORS,
    Intake,
    Medical,
    Psychosocial,
    day,
    programme_scenario,
    settings,
)
from reporting_support import Empowerment as EmpowermentSource
from uponyaji_events.consumer import Consumer
from uponyaji_events.migrate import directory_migrations, migrate
from uponyaji_reporting import consumers, queries
from uponyaji_reporting.projections import MIGRATIONS
from uponyaji_reporting.retention import prune_access_records

NewDatabase = Callable[..., Any]
TABLES = ("journey_entries", "survivor_facts", "access_records", "merges", "dashboard_cells")


@pytest.fixture
async def world(
    new_database: NewDatabase,
) -> tuple[asyncpg.Pool, Intake, Psychosocial, Medical, EmpowermentSource, list[Consumer]]:
    intake, psychosocial = Intake(await new_database()), Psychosocial(await new_database())
    medical, empowerment = Medical(await new_database()), EmpowermentSource(await new_database())
    pool = await new_database()
    async with pool.acquire() as conn:
        await migrate(conn, directory_migrations(MIGRATIONS, "reporting"))
    feeds = {
        "intake": intake.feed,
        "psychosocial": psychosocial.feed,
        "medical": medical.feed,
        "empowerment": empowerment.feed,
    }
    built = consumers.build(pool, settings("postgresql://unused", "nats://unused"), feeds)
    return pool, intake, psychosocial, medical, empowerment, built


async def everything(pool: asyncpg.Pool) -> str:
    """Every row of every reporting table, as one text (to search for a case number)."""
    rows = []
    for table in TABLES:
        for r in await pool.fetch(f"SELECT * FROM {table}"):  # noqa: S608
            rows.append(json.dumps(dict(r), default=str))
    return "\n".join(rows)


async def snapshot(pool: asyncpg.Pool) -> dict[str, list[Any]]:
    return {
        table: sorted((tuple(r) for r in await pool.fetch(f"SELECT * FROM {table}")), key=repr)  # noqa: S608
        for table in TABLES
    }


async def test_after_erasure_no_row_links_the_case_number_to_health_data(world: Any) -> None:
    pool, intake, psychosocial, medical, empowerment, built = world
    erased, other, duplicate = SURVIVORS[0], SURVIVORS[1], SURVIVORS[2]
    await intake.register(erased, "UPJ-2026-000001", "047", "female", "2026-01-01")
    await intake.register(other, "UPJ-2026-000002", "047", "male", "2026-01-02")
    await intake.register(duplicate, "UPJ-2026-000003", "047", "female", "2026-01-03")
    for sid in (erased, other):
        await psychosocial.phq9(sid, "2026-01-10", 16)
        await psychosocial.session(sid, "2026-01-12")
        await psychosocial.phq9(sid, "2026-03-10", 14)  # item 9: an open risk flag
    await intake.merge(other, duplicate, "UPJ-2026-000003", "2026-02-01")
    await programme_scenario(medical, empowerment)  # examinations, grants of survivors 0-5
    for consumer in built:
        await consumer.catch_up()
    before = await everything(pool)
    assert "UPJ-2026-000001" in before
    assert "UPJ-2026-000003" in before
    assert (await queries.journey(pool, erased, None)).case_number == "UPJ-2026-000001"

    await intake.request_erasure(erased, "UPJ-2026-000001", ["intake", "reporting"])
    await intake.request_erasure(duplicate, "UPJ-2026-000003", ["intake", "reporting"])
    for consumer in built:
        await consumer.catch_up()

    after = await everything(pool)
    assert "UPJ-2026-000001" not in after
    assert "UPJ-2026-000003" not in after  # nor on the record its duplicate was merged into
    journey = await queries.journey(pool, erased, None)
    assert journey.case_number is None
    assert [str(p.score) for p in journey.trajectories["PHQ-9"]] == ["16", "14"]  # counts stay
    kept = await queries.journey(pool, other, None)
    assert kept.case_number == "UPJ-2026-000002"  # another survivor is untouched
    live = await snapshot(pool)
    await consumers.rebuild(pool, built, progress=False)
    assert await snapshot(pool) == live  # a rebuild unlinks the same way
    assert "UPJ-2026-000001" not in await everything(pool)


async def test_audit_retention_prunes_only_reads_older_than_the_period(world: Any) -> None:
    pool, _, psychosocial, _, _, built = world
    await psychosocial.accessed(SURVIVORS[0], str(SURVIVORS[3]), day("2019-01-10"))
    await psychosocial.accessed(SURVIVORS[0], str(SURVIVORS[3]), day("2026-01-10"))
    for consumer in built:
        await consumer.catch_up()
    assert await pool.fetchval("SELECT count(*) FROM access_records") == 2
    now = datetime(2026, 3, 1, tzinfo=UTC)
    assert await prune_access_records(pool, now, 2190) == 1
    left = await pool.fetch("SELECT at FROM access_records")
    assert [r["at"].date().isoformat() for r in left] == ["2026-01-10"]
    assert await prune_access_records(pool, now + timedelta(days=1), 2190) == 0
