"""A live refresh folds the touched survivors in groups of bounded entries, with the same facts
and dashboard cells as folding them all at once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from uponyaji_events.migrate import directory_migrations, migrate
from uponyaji_reporting import projections
from uponyaji_reporting.dashboard import REPORTING_CONSENT
from uponyaji_reporting.milestones import Entry
from uponyaji_reporting.projections import MIGRATIONS, groups, refresh

NewDatabase = Callable[..., Any]
TEAM = "00000000-0000-7000-8000-0000000000c9"
START = datetime(2026, 1, 5, tzinfo=UTC)


@given(st.lists(st.integers(0, 50), max_size=40), st.integers(1, 60))
def test_groups_keep_each_survivor_once_in_order_within_the_budget(
    sizes: list[int], budget: int
) -> None:
    counts = [(uuid4(), n) for n in sizes]
    made = list(groups(counts, budget))
    size = dict(counts)
    assert [s for group in made for s in group] == [s for s, _ in counts]
    for group in made:
        assert group
        assert len(group) == 1 or sum(size[s] for s in group) <= budget


def journey(survivor: UUID, assessments: int) -> list[Entry]:
    """A registered, assigned survivor with `assessments` PHQ-9s a week apart, falling."""

    def made(source: str, position: int, kind: str, day: int, **data: Any) -> Entry:
        moment = START + timedelta(days=day)
        return Entry(survivor, source, position, kind, moment, moment, moment, data)

    out = [
        made("intake", 1, "registered", 0, county_code="047", gender="female", age_band="25-34"),
        made("intake", 2, "case_assigned", 0, team_id=TEAM),
        made("intake", 3, "consent_granted", 0, scope=REPORTING_CONSENT),
    ]
    for n in range(assessments):
        total = str(max(20 - 2 * n, 2))
        data = {"assessment_id": f"a{n}", "instrument": "PHQ-9", "total": total}
        out.append(made("psychosocial", n + 1, "assessment", 7 * n + 7, **data))
    return out


@pytest.fixture
async def pool(new_database: NewDatabase) -> asyncpg.Pool:
    created: asyncpg.Pool = await new_database()
    async with created.acquire() as conn:
        await migrate(conn, directory_migrations(MIGRATIONS, "reporting"))
    return created


async def state(pool: asyncpg.Pool) -> tuple[list[Any], list[Any]]:
    """Every survivor's facts and every dashboard cell, in a fixed order."""
    facts = await pool.fetch("SELECT * FROM survivor_facts ORDER BY survivor_id")
    cells = await pool.fetch("SELECT * FROM dashboard_cells ORDER BY 1, 2, 3, 4, 5, 6")
    return [tuple(r) for r in facts], [tuple(r) for r in cells]


async def test_a_refresh_in_small_groups_writes_what_one_group_writes(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    survivors = sorted(uuid4() for _ in range(7))
    entries = [e for n, s in enumerate(survivors) for e in journey(s, 2 + 3 * n)]
    merged, kept = survivors[1], survivors[4]  # a merged record's entries join the kept one's
    async with pool.acquire() as conn:
        text = orjson.dumps(list(map(tuple, entries)), default=str).decode()
        await projections._write_entries(conn, text)
        await conn.execute("INSERT INTO merges (merged_id, kept_id) VALUES ($1, $2)", merged, kept)
        async with conn.transaction():
            await refresh(conn, survivors)
    whole = await state(pool)
    assert len(whole[0]) == len(survivors)
    assert whole[1]  # every survivor counted in some cell

    held: list[int] = []
    owned_entries = projections._owned_entries

    async def counting(conn: Any, group: Sequence[UUID]) -> dict[UUID, list[Entry]]:
        owned = await owned_entries(conn, list(group))
        held.append(len({id(e) for es in owned.values() for e in es}))
        return owned

    monkeypatch.setattr(projections, "REFRESH_ENTRIES", 12)
    monkeypatch.setattr(projections, "_owned_entries", counting)
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("TRUNCATE survivor_facts, dashboard_cells")
        await refresh(conn, survivors)

    assert await state(pool) == whole
    assert len(held) > 1
    largest = max(len(journey(s, 2 + 3 * n)) for n, s in enumerate(survivors))
    merged_extra = len(journey(merged, 2 + 3 * 1))  # the kept record also folds the merged one's
    assert max(held) <= max(12, largest + merged_extra)
