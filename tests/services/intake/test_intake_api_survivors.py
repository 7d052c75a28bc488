"""Registering, reading, correcting, merging and searching survivors through the API."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import asyncpg
import pytest
from fastapi import FastAPI
from intake_support import MOMBASA, NAIROBI, As, count_events, fake_name, registration
from uponyaji_intake import queries
from uponyaji_intake.queries import SEARCH_LIMIT as SEARCH_PAGE
from uponyaji_service import running

CASE_NUMBER = re.compile(r"^UPJ-\d{4}-\d{6}$")


async def register(officer: As, **body: Any) -> dict[str, Any]:
    response = await officer.post("/survivors", registration(**body))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_registration_gives_a_case_number_and_assigns_the_officers_team(
    officer: As,
) -> None:
    first = await register(officer, name="Test Survivor Alpha (FAKE)", phone="0712 000 001")
    second = await register(officer)
    assert CASE_NUMBER.match(first["case_number"])
    assert int(second["case_number"][-6:]) > int(first["case_number"][-6:])
    record = (await officer.get(f"/survivors/{first['survivor_id']}")).json()
    assert record["team_id"] == str(NAIROBI)
    assert record["lead_case_worker_id"] == str(officer.staff.staff_id)
    assert record["identity"]["full_name"] == "Test Survivor Alpha (FAKE)"
    assert record["identity"]["phone"] == "+254712000001"  # normalised before sealing
    assert record["identity"]["birth_date"] == "1990"
    assert record["birth_date_estimated"]
    assert record["age_band"] != "unknown"  # derived from the estimated year


async def test_identity_fields_follow_the_field_rules(
    officer: As, as_staff: Callable[..., As]
) -> None:
    sid = (await register(officer))["survivor_id"]
    clinician = as_staff("clinician")  # same team, but not the named case worker
    record = await clinician.get(f"/survivors/{sid}")
    assert record.status_code == 200
    assert record.json()["identity"] is None
    assert record.json()["case_number"]
    await officer.post(
        f"/survivors/{sid}/assignment",
        {"team_id": str(NAIROBI), "lead_case_worker_id": str(clinician.staff.staff_id)},
    )
    assert (await clinician.get(f"/survivors/{sid}")).json()["identity"]["full_name"]


async def test_survivors_off_the_caseload_are_not_found(
    officer: As, as_staff: Callable[..., As]
) -> None:
    sid = (await register(officer))["survivor_id"]
    elsewhere = as_staff("intake_officer", teams=(MOMBASA,))
    off = await elsewhere.get(f"/survivors/{sid}")
    unknown = await elsewhere.get("/survivors/0190a8e5-7c00-7000-8000-00000000dead")
    assert off.status_code == unknown.status_code == 404
    assert off.json() == unknown.json()
    assert (await as_staff("admin").get(f"/survivors/{sid}")).status_code == 403


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"full_name": ""}, "full_name"),
        ({"county_code": "048"}, "county_code"),
        ({"phone": "12345"}, "phone"),
        ({"gender": "unknown"}, "gender"),
        ({"estimated_birth_year": 2999}, "estimated_birth_year"),
        ({"id_document": {"kind": "national_id", "number": "x"}}, "id_document.number"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
        ({"disabilities": ["walking"]}, "disabilities.0"),
    ],
)
async def test_bad_registrations_are_422_naming_the_field_and_write_nothing(
    officer: As, pool: asyncpg.Pool, change: dict[str, Any], field: str
) -> None:
    before = await count_events(pool, audit=True)
    response = await officer.post("/survivors", registration(**change))
    assert response.status_code == 422, response.text
    assert field in response.json()["detail"]
    assert await count_events(pool, audit=True) == before
    assert await pool.fetchval("SELECT count(*) FROM sealing_keys") == 0


async def test_text_that_is_not_unicode_is_422(officer: As, pool: asyncpg.Pool) -> None:
    body = json.dumps(registration()).replace('"Fake ', '"Fake \\ud800 ', 1)  # lone surrogate
    headers = {**officer.headers(), "content-type": "application/json"}
    response = await officer.http.post("/survivors", content=body, headers=headers)
    assert response.status_code == 422, response.text
    assert "full_name" in response.json()["detail"]
    assert await count_events(pool) == 0


async def test_corrections_are_new_events_and_history_is_kept(
    officer: As, pool: asyncpg.Pool
) -> None:
    sid = (await register(officer, phone="0712000002"))["survivor_id"]
    response = await officer.post(
        f"/survivors/{sid}/identity", {"phone": "+254 712 000 003", "reason": "typo"}
    )
    assert response.status_code == 200, response.text
    record = (await officer.get(f"/survivors/{sid}")).json()
    assert record["identity"]["phone"] == "+254712000003"
    types = await pool.fetch("SELECT type FROM events WHERE stream_id = $1 ORDER BY version", sid)
    assert [t["type"] for t in types][-1] == "intake.IdentityCorrected"
    empty = await officer.post(f"/survivors/{sid}/identity", {"reason": "nothing"})
    assert empty.status_code == 422
    found = (await officer.get("/survivors", params={"q": "0712000003"})).json()["results"]
    assert [hit["survivor_id"] for hit in found] == [sid]
    assert (await officer.get("/survivors", params={"q": "0712000002"})).json()["results"] == []


async def test_search_by_case_number_phone_id_and_name_parts(officer: As) -> None:
    one = await register(
        officer,
        name="Test Survivor Zawadi Kilifi",
        phone="0712000004",
        id_document={"kind": "national_id", "number": "12345678"},
    )
    two = await register(officer, name="Test Survivor Bravo (FAKE)")

    async def hits(q: str) -> list[str]:
        response = await officer.get("/survivors", params={"q": q})
        assert response.status_code == 200, response.text
        return [hit["case_number"] for hit in response.json()["results"]]

    assert await hits(one["case_number"].lower()) == [one["case_number"]]
    assert await hits("+254 712 000 004") == [one["case_number"]]
    assert await hits("12 345 678") == [one["case_number"]]
    assert await hits("zawádi KILIFI") == [one["case_number"]]
    assert await hits("Bravo (fake)") == [two["case_number"]]
    assert await hits("Survivor-Bravo 22") == []  # a digit part is a name part too
    assert len(await hits("test survivor")) == 2
    assert await hits("zawadi nobody") == []


async def test_a_search_matching_many_answers_the_first_page_in_case_number_order(
    officer: As,
) -> None:
    made = [
        await register(officer, name=f"Fake Pageant {fake_name()}") for _ in range(SEARCH_PAGE + 2)
    ]
    response = await officer.get("/survivors", params={"q": "pageant"})
    assert response.status_code == 200, response.text
    found = [hit["case_number"] for hit in response.json()["results"]]
    assert found == sorted(m["case_number"] for m in made)[:SEARCH_PAGE]


class RowsSeen:
    """Intake's real pool, noting the most rows any one query of a search brought back."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool, self.most = pool, 0

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await self.pool.fetch(query, *args)
        self.most = max(self.most, len(rows))
        return rows


async def test_a_search_matching_many_brings_only_its_page_into_the_service(
    officer: As, app: FastAPI, pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name part the whole register shares (a common name, or every load-test survivor) must
    not load every match into memory to answer one page: the service's memory would follow the
    register's size on every search."""
    made = [await register(officer, name=f"Fake Multitude {fake_name()}") for _ in range(9)]
    monkeypatch.setattr(queries, "SEARCH_LIMIT", 3)
    indexer = running(app).resources.indexer
    for text in ("multitude", "fake multitude"):
        seen = RowsSeen(pool)
        found = await queries.search(seen, indexer, text, None)  # type: ignore[arg-type]
        assert [hit["case_number"] for hit in found] == sorted(m["case_number"] for m in made)[:3]
        assert all(hit["match"] == ["name"] for hit in found)
        assert seen.most <= 3
    assert await queries.search(pool, indexer, "multitude nobody", None) == []  # every part


async def test_search_is_audited_and_narrowed_to_the_caseload(
    officer: As, as_staff: Callable[..., As], pool: asyncpg.Pool
) -> None:
    await register(officer, name="Test Survivor Charlie (FAKE)")
    counsellor_elsewhere = as_staff("counsellor", teams=(MOMBASA,))
    assert (await officer.get("/survivors", params={"q": "charlie"})).json()["results"]
    assert not (await counsellor_elsewhere.get("/survivors", params={"q": "charlie"})).json()[
        "results"
    ]
    audits = await pool.fetch(
        "SELECT payload FROM events WHERE type = 'intake.SurvivorDataAccessed' "
        "AND payload->>'action' = 'survivor.search'"
    )
    assert len(audits) == 2
    assert all("charlie" not in str(a["payload"]).lower() for a in audits)


async def test_merging_two_records_of_one_person(officer: As, pool: asyncpg.Pool) -> None:
    kept = await register(officer, phone="0712000005")
    other = await register(officer, id_document={"kind": "passport", "number": "AK12345"})
    response = await officer.post(
        f"/survivors/{kept['survivor_id']}/merge",
        {"merged_survivor_id": other["survivor_id"], "reason": "same person"},
    )
    assert response.status_code == 200, response.text
    record = (await officer.get(f"/survivors/{kept['survivor_id']}")).json()
    assert record["merged_records"][0]["case_number"] == other["case_number"]
    absorbed = (await officer.get(f"/survivors/{other['survivor_id']}")).json()
    assert absorbed["status"] == "merged"
    assert absorbed["merged_into"] == kept["survivor_id"]
    # The absorbed record's ID number now finds the kept record; the absorbed takes no more work.
    found = (await officer.get("/survivors", params={"q": "AK12345"})).json()["results"]
    assert [hit["survivor_id"] for hit in found] == [kept["survivor_id"]]
    again = await officer.post(
        f"/survivors/{other['survivor_id']}/merge", {"merged_survivor_id": kept["survivor_id"]}
    )
    assert again.status_code == 409
    assert again.json()["error"] == "SurvivorMerged"
