"""Duplicate detection at registration: blind-index candidates, 409, registering anyway."""

from __future__ import annotations

import asyncpg
from intake_support import As, count_events, registration


async def test_the_same_phone_written_another_way_is_a_candidate(
    officer: As, pool: asyncpg.Pool
) -> None:
    first = (await officer.post("/survivors", registration(phone="0722 111 222"))).json()
    before = await count_events(pool)
    counters = await pool.fetchval("SELECT sum(last) FROM case_number_counters")
    again = await officer.post("/survivors", registration(phone="+254722111222"))
    assert again.status_code == 409
    body = again.json()
    assert body["error"] == "PossibleDuplicates"
    assert body["candidates"] == [
        {
            "survivor_id": first["survivor_id"],
            "case_number": first["case_number"],
            "reasons": ["phone"],
        }
    ]
    assert "722" not in again.text.replace(first["case_number"], "")  # no identity values
    assert await count_events(pool) == before  # nothing written, no case number used
    assert await pool.fetchval("SELECT sum(last) FROM case_number_counters") == counters


async def test_registering_anyway_needs_a_reason_and_records_the_candidates(
    officer: As, pool: asyncpg.Pool
) -> None:
    document = {"kind": "national_id", "number": "23456789"}
    first = (await officer.post("/survivors", registration(id_document=document))).json()
    body = registration(
        id_document={"kind": "national_id", "number": "23 456 789"},
        register_anyway_reason="Different person: the ID was misread at the first interview",
    )
    second = await officer.post("/survivors", body)
    assert second.status_code == 201, second.text
    assert second.json()["possible_duplicates"] == [first["survivor_id"]]
    payload = await pool.fetchval(
        "SELECT payload FROM events WHERE stream_id = $1 AND version = 1",
        second.json()["survivor_id"],
    )
    assert payload["possible_duplicates"] == [first["survivor_id"]]
    assert payload["duplicate_override_reason"].startswith("sealed:v1:")


async def test_names_match_on_most_of_their_parts_not_on_common_words(officer: As) -> None:
    await officer.post("/survivors", registration("Wanjiru Achieng Test-Kamau"))
    reordered = await officer.post("/survivors", registration("ACHIENG wanjirū"))
    assert reordered.status_code == 409
    assert reordered.json()["candidates"][0]["reasons"] == ["name (2 of 2 distinctive parts)"]
    one_shared = await officer.post("/survivors", registration("Wanjiru Otieno Mutua Fake"))
    assert one_shared.status_code == 201


async def test_showing_candidates_is_audited_as_a_search(officer: As, pool: asyncpg.Pool) -> None:
    await officer.post("/survivors", registration(phone="0733 000 111"))
    await officer.post("/survivors", registration(phone="0733000111"))
    actions = await pool.fetch(
        "SELECT payload->>'action' AS action FROM events WHERE type = 'intake.SurvivorDataAccessed'"
    )
    assert [row["action"] for row in actions] == ["survivor.search"]


async def test_words_common_in_the_register_do_not_make_candidates(officer: As) -> None:
    for n in range(21):
        body = registration(f"Common Kamau Person{n:02d}", register_anyway_reason="synthetic")
        assert (await officer.post("/survivors", body)).status_code == 201
    fresh = await officer.post("/survivors", registration("Common Kamau Newcomer"))
    assert fresh.status_code == 201, fresh.text
    assert fresh.json()["possible_duplicates"] == []
    same = await officer.post("/survivors", registration("Kamau Person07 Common"))
    assert same.status_code == 409  # its distinctive part still matches
