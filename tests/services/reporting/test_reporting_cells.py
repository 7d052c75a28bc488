"""The dashboard's summary cells give exactly the dashboard counted over every survivor's facts;
a live refresh folds the touched survivors in groups of bounded entries, with the same facts
and cells as folding them all at once."""

from __future__ import annotations

import random
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from uponyaji_events.migrate import directory_migrations, migrate
from uponyaji_reporting import cells, projections, queries
from uponyaji_reporting.dashboard import REPORTING_CONSENT, Facts, Filter, aggregate, median
from uponyaji_reporting.disclosure import record_key
from uponyaji_reporting.milestones import Entry
from uponyaji_reporting.periods import Grain, Period, containing
from uponyaji_reporting.projections import (
    MIGRATIONS,
    groups,
    refresh,
    secret,
    write_cells,
    write_facts,
)

NewDatabase = Callable[..., Any]
TODAY = date(2026, 11, 27)
COUNTIES = ["047", "001", "042"]
TEAMS = [str(uuid4()) for _ in range(3)]
TEAM = TEAMS[0]
START = datetime(2026, 1, 5, tzinfo=UTC)
OUTCOMES = [
    "reliable_recovery",
    "reliable_improvement",
    "no_reliable_change",
    "reliable_deterioration",
]


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
        reportable=rng.random() < 0.9,
    )


def fake_programme(rng: random.Random) -> tuple[tuple[str, str], ...]:
    """Some medical and empowerment keys (programmes.py), money as county|quarter|KES."""
    keys: list[tuple[str, str]] = []
    if rng.random() < 0.4:
        keys += [
            ("medical", "examined"),
            ("overall_consistency", rng.choice(["consistent", "highly_consistent", "typical"])),
        ]
        if rng.random() < 0.5:
            keys += [
                ("medical", "report_signed"),
                ("intake_to_signed_report_days", str(rng.randrange(90))),
            ]
    if rng.random() < 0.3:
        place, quarter = rng.choice(COUNTIES), f"2025-Q{rng.randrange(1, 5)}"
        keys.append(("grants_approved", f"{place}|{quarter}|{rng.randrange(1, 9) * 5000}.00"))
        keys.append(("income_change", rng.choice(["increased", "same", "decreased"])))
    return tuple(keys)


def selections(rng: random.Random) -> list[tuple[Period, str | None, str | None]]:
    """Months, quarters and years (some without survivors), by county, team, both and neither."""
    days = [date(2025, 1, 1) + timedelta(days=rng.randrange(560)) for _ in range(4)]
    periods = [containing(grain, day) for grain in Grain for day in [date(2024, 12, 5), *days]]
    places = ((None, None), ("047", None), (None, TEAMS[0]), ("001", TEAMS[1]), ("042", None))
    return [(period, county, team) for period in periods for county, team in places]


@pytest.fixture
async def pool(new_database: NewDatabase) -> asyncpg.Pool:
    created: asyncpg.Pool = await new_database()
    async with created.acquire() as conn:
        await migrate(conn, directory_migrations(MIGRATIONS, "reporting"))
    return created


async def store(
    pool: asyncpg.Pool, before: dict[UUID, Facts], after: dict[UUID, Facts], merged: set[UUID]
) -> None:
    """Write the new facts and move the cells by the difference, as the projection does."""
    change: Counter[cells.Cell] = Counter()
    keys: Counter[cells.Cell] = Counter()
    async with pool.acquire() as conn, conn.transaction():
        key_secret = await secret(conn)
        for survivor, f in after.items():
            old = before.get(survivor)
            old_cells = cells.cells(old, merged=survivor in merged) if old else []
            moved = cells.delta(old_cells, cells.cells(f, merged=survivor in merged))
            change.update(moved)
            key = record_key(key_secret, survivor)
            keys.update({cell: n * key for cell, n in moved.items()})
        rows = [(f, uuid4() if s in merged else None) for s, f in after.items()]
        await write_facts(conn, rows)
        moved_cells = {cell: (change[cell], keys[cell]) for cell in change.keys() | keys.keys()}
        await write_cells(conn, {cell: nk for cell, nk in moved_cells.items() if nk != (0, 0)})


async def assert_same_dashboards(
    pool: asyncpg.Pool, survivors: dict[UUID, Facts], merged: set[UUID], rng: random.Random
) -> None:
    counted = [f for s, f in survivors.items() if s not in merged]
    key_secret = await pool.fetchval("SELECT secret FROM disclosure_secret")
    for period, county, team in selections(rng):
        where = Filter(period.first, period.last, county, team)
        for base, language in ((5, "en"), (3, "sw")):
            expected = aggregate(counted, where, TODAY, key_secret, base, language)
            read = await queries.dashboard(pool, period, county, team, base=base, language=language)
            assert read == expected, (period, county, team)


async def test_summary_cells_give_the_dashboard_counted_over_facts(pool: asyncpg.Pool) -> None:
    rng = random.Random(6)
    survivors = {f.survivor_id: f for f in (fake_facts(rng) for _ in range(600))}
    merged = set(rng.sample(sorted(survivors), 20))
    await store(pool, {}, survivors, merged)

    await assert_same_dashboards(pool, survivors, merged, rng)
    # With a base of 1 nothing is rounded: the year's cells hold every consenting survivor.
    year = containing(Grain.YEAR, date(2025, 6, 1))
    truth = await queries.dashboard(pool, year, None, None, base=1, language="en")
    assert truth["survivors"] == sum(
        1
        for s, f in survivors.items()
        if s not in merged and f.reportable and f.registered_on and f.registered_on.year == 2025
    )


async def test_cells_follow_changed_facts_and_forget_emptied_cells(pool: asyncpg.Pool) -> None:
    rng = random.Random(27)
    survivors = {f.survivor_id: f for f in (fake_facts(rng) for _ in range(300))}
    await store(pool, {}, survivors, set())
    changed = {s: fake_facts(rng) for s in rng.sample(sorted(survivors), 120)}
    changed = {
        s: Facts(s, **{k: v for k, v in vars(f).items() if k != "survivor_id"})
        for s, f in changed.items()
    }

    await store(pool, survivors, changed, set())
    survivors.update(changed)

    await assert_same_dashboards(pool, survivors, set(), rng)
    assert await pool.fetchval("SELECT count(*) FROM dashboard_cells WHERE n <= 0") == 0


@given(st.lists(st.integers(0, 400), min_size=1, max_size=60))
def test_median_of_a_histogram_is_the_median_of_the_values(values: list[int]) -> None:
    assert median(Counter(values)) == statistics.median(values)


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
