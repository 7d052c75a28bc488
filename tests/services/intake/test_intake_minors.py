"""Minors: the age band derived at the date in question, a guardian's consent with the child's
assent, a contradicting band refused; with the real intake service on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

import asyncpg
import pytest
from intake_support import As, consent, count_events, registration
from uponyaji_events.contracts.vocabularies import AgeBand
from uponyaji_events.eat import today as eat_today
from uponyaji_intake.app import MIGRATIONS
from uponyaji_intake.identity import age_band

EAT_TODAY = eat_today()
EAT = timezone(timedelta(hours=3))


@pytest.mark.parametrize(
    ("birth", "year", "on", "band"),
    [
        (date(2008, 3, 15), None, date(2026, 3, 14), AgeBand.AGE_0_17),  # the day before
        (date(2008, 3, 15), None, date(2026, 3, 15), AgeBand.AGE_18_24),  # the 18th birthday
        (date(2008, 2, 29), None, date(2026, 2, 28), AgeBand.AGE_0_17),  # leap-day birthday
        (date(2008, 2, 29), None, date(2026, 3, 1), AgeBand.AGE_18_24),
        (None, 2008, date(2026, 3, 15), AgeBand.AGE_0_17),  # may not have turned 18 yet
        (None, 2008, date(2026, 12, 31), AgeBand.AGE_0_17),  # still may not have
        (None, 2008, date(2027, 1, 1), AgeBand.AGE_18_24),  # 18 whatever the birthday
        (None, 2001, date(2026, 6, 1), AgeBand.AGE_18_24),  # 24 or 25: the younger counts
        (None, None, date(2026, 6, 1), AgeBand.UNKNOWN),
    ],
)
def test_age_band_at_a_date(birth: date | None, year: int | None, on: date, band: AgeBand) -> None:
    assert age_band(birth, year, on) is band


async def registered(officer: As, **body: Any) -> str:
    answer = await officer.post("/survivors", registration(**body))
    assert answer.status_code == 201, answer.text
    return str(answer.json()["survivor_id"])


GUARDIAN = {
    "party": "parent_or_guardian",
    "guardian_name": "Test Guardian Beta (FAKE)",
    "guardian_relationship": "parent",
    "child_assent": True,
}


async def test_a_minors_consent_needs_a_guardian_and_the_childs_assent(officer: As) -> None:
    child = await registered(officer, estimated_birth_year=EAT_TODAY.year - 17)
    record = (await officer.get(f"/survivors/{child}")).json()
    assert record["age_band"] == "0-17"
    assert record["registered_on"] is None  # registered when recorded
    alone = await officer.post(f"/survivors/{child}/consents", consent("psychosocial_support"))
    assert alone.status_code == 409, alone.text
    assert "guardian" in alone.json()["detail"]
    no_assent = {**GUARDIAN, "child_assent": False}
    refused = await officer.post(
        f"/survivors/{child}/consents", consent("psychosocial_support", **no_assent)
    )
    assert refused.status_code == 409
    assert "assent" in refused.json()["detail"]
    granted = await officer.post(
        f"/survivors/{child}/consents", consent("psychosocial_support", **GUARDIAN)
    )
    assert granted.status_code == 201, granted.text
    current = (await officer.get(f"/survivors/{child}/consents")).json()
    assert "psychosocial_support" in str(current)


async def test_an_adults_consent_needs_no_guardian(officer: As) -> None:
    adult = await registered(officer, estimated_birth_year=1990)
    answer = await officer.post(f"/survivors/{adult}/consents", consent("documentation"))
    assert answer.status_code == 201, answer.text


async def test_a_band_contradicting_the_birth_date_is_refused_and_nothing_written(
    officer: As, pool: asyncpg.Pool
) -> None:
    before = await count_events(pool)
    body = registration(estimated_birth_year=None, birth_date="1990-01-01", age_band="0-17")
    answer = await officer.post("/survivors", body)
    assert answer.status_code == 422, answer.text
    assert "contradicts" in answer.json()["detail"]
    assert await count_events(pool) == before


async def test_a_corrected_birth_date_re_derives_the_band(officer: As) -> None:
    survivor = await registered(officer, estimated_birth_year=EAT_TODAY.year - 17)
    corrected = await officer.post(
        f"/survivors/{survivor}/identity",
        {"estimated_birth_year": None, "birth_date": "1990-06-01", "reason": "ID card seen"},
    )
    assert corrected.status_code in (200, 201), corrected.text
    record = (await officer.get(f"/survivors/{survivor}")).json()
    assert record["age_band"] == "35-44"
    adult = await officer.post(f"/survivors/{survivor}/consents", consent("documentation"))
    assert adult.status_code == 201, adult.text  # no longer a minor
    contradicting = await officer.post(
        f"/survivors/{survivor}/identity", {"birth_date": "2015-01-01", "age_band": "25-34"}
    )
    assert contradicting.status_code == 422


def _years_before(day: date, years: int) -> date:
    return day.replace(year=day.year - years, day=min(day.day, 28))


async def test_minor_status_is_taken_at_each_consents_date_not_at_registration(
    officer: As, pool: asyncpg.Pool
) -> None:
    today = eat_today()  # the Kenyan day the service dates consents by
    turned_18 = today - timedelta(days=30)
    birth = _years_before(turned_18, 18)
    registered_on = turned_18 - timedelta(days=60)  # registered (late) while still 17
    survivor = await registered(
        officer,
        estimated_birth_year=None,
        birth_date=birth.isoformat(),
        registered_on=registered_on.isoformat(),
    )
    record = (await officer.get(f"/survivors/{survivor}")).json()
    assert record["age_band"] == "0-17"  # the band on the day of registration
    assert record["registered_on"] == registered_on.isoformat()  # the day given, for the page
    # a registration projected before the column existed gets the day from its event on migrating
    await pool.execute("UPDATE survivors SET registered_on = NULL")
    backfill = (MIGRATIONS / "060_registered_on.sql").read_text().split(";\n")[1]
    await pool.execute(backfill)
    again = (await officer.get(f"/survivors/{survivor}")).json()
    assert again["registered_on"] == registered_on.isoformat()
    occurred = await pool.fetchval(
        "SELECT occurred_at FROM events WHERE type = 'intake.SurvivorRegistered' "
        "AND stream_id = $1",
        survivor,
    )
    assert occurred.astimezone(EAT).date() == registered_on

    # A consent dated while they were 17 needs a guardian; one given today, as an adult, not.
    then = datetime.combine(turned_18 - timedelta(days=10), time(9), EAT).isoformat()
    as_minor = await officer.post(
        f"/survivors/{survivor}/consents", consent("documentation", at=then)
    )
    assert as_minor.status_code == 409, as_minor.text
    assert "guardian" in as_minor.json()["detail"]
    as_adult = await officer.post(f"/survivors/{survivor}/consents", consent("documentation"))
    assert as_adult.status_code == 201, as_adult.text


async def test_a_registration_date_in_the_future_or_too_far_back_is_refused(
    officer: As, pool: asyncpg.Pool
) -> None:
    before = await count_events(pool)
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    for day, problem in ((tomorrow, "future"), ("1999-12-31", "before 2000-01-01")):
        answer = await officer.post("/survivors", registration(registered_on=day))
        assert answer.status_code == 422, answer.text
        assert "registered_on" in answer.text
        assert problem in answer.text
    assert await count_events(pool) == before
