"""Dashboard facts and summary cells of many synthetic survivors, and varied dashboard filters."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from uuid import UUID

import asyncpg
from uponyaji_reporting.cells import Cell
from uponyaji_reporting.cells import cells as cells_of
from uponyaji_reporting.dashboard import Facts, Filter
from uponyaji_reporting.instruments import Change
from uponyaji_reporting.projections import write_cells, write_facts

from bench.reporting_events import (
    AGE_BANDS,
    AGE_WEIGHTS,
    COUNTIES,
    COUNTY_WEIGHTS,
    FIRST_DAY,
    GENDER_WEIGHTS,
    GENDERS,
    SPAN_DAYS,
    TEAMS,
    WORKERS,
)

PERPETRATORS = ["kenya_police_service", "administration_police_service", "national_police_service",
                "directorate_of_criminal_investigations", "kenya_defence_forces"]  # fmt: skip
METHODS = ["beating", "kicking", "falanga", "stress_positions", "burns", "sexual_violence"]
SERVICES = ["counselling", "referral_medical", "referral_legal", "referral_shelter"]
CHANGES = [str(c) for c in Change]


def fact(rng: random.Random, n: int) -> Facts:
    """One survivor's facts: a realistic spread of places, people, services and outcomes."""
    registered = FIRST_DAY + timedelta(days=rng.randrange(SPAN_DAYS))
    closed = registered + timedelta(days=rng.randrange(60, 500)) if rng.random() < 0.3 else None
    served = rng.random() < 0.8
    outcomes = {"PHQ-9": rng.choice(CHANGES)} if rng.random() < 0.6 else {}
    if rng.random() < 0.2:
        outcomes["PCL-5"] = rng.choice(CHANGES)
    return Facts(
        UUID(int=rng.getrandbits(128), version=4), rng.choice(TEAMS),
        rng.choices(COUNTIES, COUNTY_WEIGHTS)[0], rng.choices(GENDERS, GENDER_WEIGHTS)[0],
        rng.choices(AGE_BANDS, AGE_WEIGHTS)[0], registered, closed, rng.random() < 0.002,
        frozenset(rng.choices(PERPETRATORS, k=2)),
        frozenset(rng.choices(METHODS, k=rng.randint(1, 3))),
        frozenset(rng.choices(SERVICES, k=rng.randint(1, 2))) if served else frozenset(),
        registered + timedelta(days=rng.randrange(0, 30)) if served else None,
        outcomes, 1 if rng.random() < 0.05 else 0, f"UPJ-{registered.year}-{n:06d}",
        rng.choice(WORKERS),
    )  # fmt: skip


async def write_survivors(conn: asyncpg.Connection, count: int) -> None:
    """Write `count` survivors' facts and their dashboard cells (as a rebuild does); ANALYZE."""
    rng = random.Random(100)
    made = [fact(rng, n) for n in range(count)]
    cells: Counter[Cell] = Counter()
    for f in made:
        cells.update(cells_of(f))
    async with conn.transaction():
        await write_facts(conn, [(f, None) for f in made])
        await write_cells(conn, dict(cells))
    await conn.execute("ANALYZE survivor_facts")
    await conn.execute("ANALYZE dashboard_cells")


def filters(count: int) -> list[Filter]:
    """`count` dashboard filters: none, a county, a period, a team, and combinations."""
    rng = random.Random(200)
    out: list[Filter] = []
    for n in range(count):
        start = FIRST_DAY + timedelta(days=rng.randrange(SPAN_DAYS - 90))
        quarter = (start, start + timedelta(days=90))
        year = (date(start.year, 1, 1), date(start.year, 12, 31))
        county = rng.choices(COUNTIES, COUNTY_WEIGHTS)[0]
        team = rng.choice(TEAMS)
        out.append(
            [
                Filter(),
                Filter(county=county),
                Filter(*year),
                Filter(*quarter),
                Filter(*year, county=county),
                Filter(*quarter, team=team),
                Filter(team=team),
                Filter(county="047"),
                Filter(*quarter, county=county),
                Filter(*year, team=team),
            ][n % 10]
        )
    return out
