"""Dashboard facts of many synthetic survivors, written with COPY, and varied dashboard filters."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import asyncpg
from reporting.dashboard import Filter
from reporting.instruments import Change

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

COLUMNS = ("survivor_id", "case_number", "team", "lead_worker", "county", "gender", "age_band",
           "registered_on", "closed_on", "erased", "perpetrators", "methods", "services",
           "first_service_on", "outcomes", "open_risk_flags")  # fmt: skip
PERPETRATORS = ["kenya_police_service", "administration_police_service", "national_police_service",
                "directorate_of_criminal_investigations", "kenya_defence_forces"]  # fmt: skip
METHODS = ["beating", "kicking", "falanga", "stress_positions", "burns", "sexual_violence"]
SERVICES = ["counselling", "referral_medical", "referral_legal", "referral_shelter"]
CHANGES = [str(c) for c in Change]


def fact_row(rng: random.Random, n: int) -> tuple[Any, ...]:
    """One survivor's facts: a realistic spread of places, people, services and outcomes."""
    registered = FIRST_DAY + timedelta(days=rng.randrange(SPAN_DAYS))
    closed = registered + timedelta(days=rng.randrange(60, 500)) if rng.random() < 0.3 else None
    served = rng.random() < 0.8
    outcomes = {"PHQ-9": rng.choice(CHANGES)} if rng.random() < 0.6 else {}
    if rng.random() < 0.2:
        outcomes["PCL-5"] = rng.choice(CHANGES)
    return (
        UUID(int=rng.getrandbits(128), version=4), f"UPJ-{registered.year}-{n:06d}",
        rng.choice(TEAMS), rng.choice(WORKERS), rng.choices(COUNTIES, COUNTY_WEIGHTS)[0],
        rng.choices(GENDERS, GENDER_WEIGHTS)[0], rng.choices(AGE_BANDS, AGE_WEIGHTS)[0],
        registered, closed, rng.random() < 0.002, sorted(set(rng.choices(PERPETRATORS, k=2))),
        sorted(set(rng.choices(METHODS, k=rng.randint(1, 3)))),
        sorted(set(rng.choices(SERVICES, k=rng.randint(1, 2)))) if served else [],
        registered + timedelta(days=rng.randrange(0, 30)) if served else None,
        json.dumps(outcomes), 1 if rng.random() < 0.05 else 0,
    )  # fmt: skip


async def copy_facts(conn: asyncpg.Connection, count: int) -> None:
    """COPY `count` survivors' facts into survivor_facts, then ANALYZE it."""
    rng = random.Random(100)
    rows = [fact_row(rng, n) for n in range(count)]
    await conn.copy_records_to_table("survivor_facts", records=rows, columns=COLUMNS)
    await conn.execute("ANALYZE survivor_facts")


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
