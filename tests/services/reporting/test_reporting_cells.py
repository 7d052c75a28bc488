"""The dashboard's summary cells give exactly the dashboard counted over every survivor's facts."""

from __future__ import annotations

import random
import statistics
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from uponyaji_events.migrate import directory_migrations, migrate
from uponyaji_reporting import cells, queries
from uponyaji_reporting.dashboard import Facts, Filter, aggregate, median
from uponyaji_reporting.projections import MIGRATIONS, write_cells, write_facts

NewDatabase = Callable[..., Any]
TODAY = date(2026, 11, 27)
COUNTIES = ["047", "001", "042"]
TEAMS = [str(uuid4()) for _ in range(3)]
OUTCOMES = ["reliable_recovery", "reliable_improvement", "no_reliable_change",
            "reliable_deterioration"]  # fmt: skip


def fake_facts(rng: random.Random) -> Facts:
    """One synthetic survivor's facts (some unregistered, closed, erased or without a team)."""
    registered = date(2025, 1, 1) + timedelta(days=rng.randrange(500))
    served = registered + timedelta(days=rng.randrange(60)) if rng.random() < 0.6 else None
    return Facts(
        uuid4(),
        team=rng.choice([*TEAMS, None]),
        county=rng.choice([*COUNTIES, None]),
        gender=rng.choice(["female", "male", None]),
        age_band=rng.choice(["18_25", "26_35"]),
        registered_on=registered if rng.random() < 0.97 else None,
        closed_on=registered + timedelta(days=rng.randrange(400)) if rng.random() < 0.3 else None,
        erased=rng.random() < 0.05,
        perpetrators=frozenset(rng.sample(["police", "military", "prison"], rng.randrange(3))),
        methods=frozenset(rng.sample(["beating", "suspension", "threats"], rng.randrange(3))),
        services=frozenset(["counselling"] if served else []),
        first_service_on=served,
        outcomes={i: rng.choice(OUTCOMES) for i in ("PHQ-9", "PCL-5") if rng.random() < 0.5},
        open_risk_flags=int(rng.random() < 0.1),
        programme=fake_programme(rng),
    )


def fake_programme(rng: random.Random) -> tuple[tuple[str, str], ...]:
    """Some medical and empowerment keys (programmes.py), money as county|quarter|KES."""
    keys: list[tuple[str, str]] = []
    if rng.random() < 0.4:
        keys += [("medical", "examined"), ("overall_consistency", rng.choice(["consistent",
                 "highly_consistent", "typical"]))]  # fmt: skip
        if rng.random() < 0.5:
            keys += [("medical", "report_signed"),
                     ("intake_to_signed_report_days", str(rng.randrange(90)))]  # fmt: skip
    if rng.random() < 0.3:
        place, quarter = rng.choice(COUNTIES), f"2025-Q{rng.randrange(1, 5)}"
        keys.append(("grants_approved", f"{place}|{quarter}|{rng.randrange(1, 9) * 5000}.00"))
        keys.append(("income_change", rng.choice(["increased", "same", "decreased"])))
    return tuple(keys)


def filters(rng: random.Random) -> list[Filter]:
    """Open, whole-month, edge-day and one-day periods, by county, team, both and neither."""
    periods: list[tuple[date | None, date | None]] = [
        (None, None), (date(2025, 3, 1), date(2025, 8, 31)), (date(2025, 3, 17), None),
        (None, date(2025, 11, 4)), (date(2025, 2, 3), date(2025, 2, 20)),
        (date(2025, 6, 30), date(2025, 6, 30)), (date(2025, 1, 31), date(2026, 3, 1)),
    ]  # fmt: skip
    for _ in range(5):
        a = date(2024, 12, 1) + timedelta(days=rng.randrange(560))
        periods.append((a, a + timedelta(days=rng.randrange(200))))
    chosen = []
    for start, end in periods:
        for county, team in ((None, None), ("047", None), (None, TEAMS[0]), ("001", TEAMS[1])):
            chosen.append(Filter(start, end, county, team))
    return chosen


@pytest.fixture
async def pool(new_database: NewDatabase) -> asyncpg.Pool:
    created: asyncpg.Pool = await new_database()
    async with created.acquire() as conn:
        await migrate(conn, directory_migrations(MIGRATIONS, "reporting"))
    return created


async def store(pool: asyncpg.Pool, before: dict[UUID, Facts], after: dict[UUID, Facts],
                merged: set[UUID]) -> None:  # fmt: skip
    """Write the new facts and move the cells by the difference, as the projection does."""
    change: Counter[cells.Cell] = Counter()
    for survivor, f in after.items():
        old = before.get(survivor)
        old_cells = cells.cells(old, merged=survivor in merged) if old else []
        change.update(cells.delta(old_cells, cells.cells(f, merged=survivor in merged)))
    async with pool.acquire() as conn, conn.transaction():
        rows = [(f, uuid4() if s in merged else None) for s, f in after.items()]
        await write_facts(conn, rows)
        await write_cells(conn, {cell: n for cell, n in change.items() if n})


async def assert_same_dashboards(pool: asyncpg.Pool, survivors: dict[UUID, Facts],
                                 merged: set[UUID], rng: random.Random) -> None:  # fmt: skip
    counted = [f for s, f in survivors.items() if s not in merged]
    for where in filters(rng):
        expected = aggregate(counted, where, TODAY)
        assert await queries.dashboard(pool, where, TODAY) == expected, where


async def test_summary_cells_give_the_dashboard_counted_over_facts(pool: asyncpg.Pool) -> None:
    rng = random.Random(6)
    survivors = {f.survivor_id: f for f in (fake_facts(rng) for _ in range(600))}
    merged = set(rng.sample(sorted(survivors), 20))
    await store(pool, {}, survivors, merged)

    await assert_same_dashboards(pool, survivors, merged, rng)
    assert (await queries.dashboard(pool, Filter(), TODAY))["survivors"] == sum(
        1 for s, f in survivors.items() if s not in merged and f.registered_on
    )


async def test_cells_follow_changed_facts_and_forget_emptied_cells(pool: asyncpg.Pool) -> None:
    rng = random.Random(27)
    survivors = {f.survivor_id: f for f in (fake_facts(rng) for _ in range(300))}
    await store(pool, {}, survivors, set())
    changed = {s: fake_facts(rng) for s in rng.sample(sorted(survivors), 120)}
    changed = {s: Facts(s, **{k: v for k, v in vars(f).items() if k != "survivor_id"})
               for s, f in changed.items()}  # fmt: skip

    await store(pool, survivors, changed, set())
    survivors.update(changed)

    await assert_same_dashboards(pool, survivors, set(), rng)
    assert await pool.fetchval("SELECT count(*) FROM dashboard_cells WHERE n <= 0") == 0


@given(
    st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2030, 12, 31))),
    st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2030, 12, 31))),
    st.dates(date(2019, 12, 1), date(2031, 1, 31)),
)
def test_months_and_edge_days_cover_each_day_of_a_period_once(
    start: date | None, end: date | None, day: date
) -> None:
    span = cells.ranges(start, end)
    months = span.months
    in_months = months is not None and months[0] <= day.replace(day=1) <= months[1]
    in_days = sum(a <= day <= b for a, b in span.days)
    inside = (start is None or start <= day) and (end is None or day <= end)
    assert in_months + in_days == int(inside)
    if months is not None:
        assert months[0].day == months[1].day == 1


@given(st.lists(st.integers(0, 400), min_size=1, max_size=60))
def test_median_of_a_histogram_is_the_median_of_the_values(values: list[int]) -> None:
    assert median(Counter(values)) == statistics.median(values)
