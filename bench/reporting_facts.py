"""Dashboard facts and summary cells of many synthetic survivors, and varied selections."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from uuid import UUID

import asyncpg
from uponyaji_reporting.cells import Cell
from uponyaji_reporting.cells import cells as cells_of
from uponyaji_reporting.dashboard import Facts
from uponyaji_reporting.disclosure import record_key
from uponyaji_reporting.instruments import Change
from uponyaji_reporting.periods import Grain, Period, containing
from uponyaji_reporting.projections import secret, write_cells, write_facts

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

PERPETRATORS = [
    "kenya_police_service",
    "administration_police_service",
    "national_police_service",
    "directorate_of_criminal_investigations",
    "kenya_defence_forces",
]
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
        UUID(int=rng.getrandbits(128), version=4),
        rng.choice(TEAMS),
        rng.choices(COUNTIES, COUNTY_WEIGHTS)[0],
        rng.choices(GENDERS, GENDER_WEIGHTS)[0],
        rng.choices(AGE_BANDS, AGE_WEIGHTS)[0],
        registered,
        closed,
        rng.random() < 0.002,
        frozenset(rng.choices(PERPETRATORS, k=2)),
        frozenset(rng.choices(METHODS, k=rng.randint(1, 3))),
        frozenset(rng.choices(SERVICES, k=rng.randint(1, 2))) if served else frozenset(),
        registered + timedelta(days=rng.randrange(0, 30)) if served else None,
        outcomes,
        1 if rng.random() < 0.05 else 0,
        f"UPJ-{registered.year}-{n:06d}",
        rng.choice(WORKERS),
        (),
        rng.random() < 0.95,  # one in twenty refused reporting
    )


async def write_survivors(conn: asyncpg.Connection, count: int) -> None:
    """Write `count` survivors' facts and their dashboard cells (as a rebuild does); ANALYZE."""
    rng = random.Random(100)
    made = [fact(rng, n) for n in range(count)]
    cells: Counter[Cell] = Counter()
    keys: Counter[Cell] = Counter()
    key_secret = await secret(conn)
    for f in made:
        mine = cells_of(f)
        cells.update(mine)
        keys.update(dict.fromkeys(mine, record_key(key_secret, f.survivor_id)))
    async with conn.transaction():
        await write_facts(conn, [(f, None) for f in made])
        await write_cells(conn, {cell: (n, keys[cell]) for cell, n in cells.items()})
    await conn.execute("ANALYZE survivor_facts")
    await conn.execute("ANALYZE dashboard_cells")


Selection = tuple[Period, str | None, str | None]  # period, county, team


def selections(count: int) -> list[Selection]:
    """`count` dashboard selections: months, quarters and years, by county, team and both."""
    rng = random.Random(200)
    out: list[Selection] = []
    for n in range(count):
        day = FIRST_DAY + timedelta(days=rng.randrange(SPAN_DAYS))
        month, quarter, year = (containing(g, day) for g in Grain)
        county = rng.choices(COUNTIES, COUNTY_WEIGHTS)[0]
        team = rng.choice(TEAMS)
        out.append(
            [
                (year, None, None),
                (year, county, None),
                (quarter, None, None),
                (month, None, None),
                (year, county, team),
                (quarter, None, team),
                (year, None, team),
                (year, "047", None),
                (quarter, county, None),
                (month, county, team),
            ][n % 10]
        )
    return out
