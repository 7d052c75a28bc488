"""Searches are accountable: their audit records name the survivors returned and a keyed hash of
the text (never the text), and each staff member's searches are rate-limited."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from pathlib import Path

import asyncpg
import pytest
from intake_support import MOMBASA, As, fake_name, registration

AUDIT_KEY = b"test-audit-key-of-at-least-32-bytes-0123456789"
SEARCH_LIMIT = 4


@pytest.fixture(autouse=True)
def audit_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The deployment's audit key and a small search limit, set before intake starts."""
    key = tmp_path / "audit.key"
    key.write_bytes(AUDIT_KEY)
    monkeypatch.setenv("UPONYAJI_AUDIT_KEY_FILE", str(key))
    monkeypatch.setenv("INTAKE_SEARCH_LIMIT", str(SEARCH_LIMIT))


def keyed(text: str) -> str:
    """The query hash an auditor holding the key can recompute."""
    message = b"query\x00" + " ".join(text.lower().split()).encode()
    return hmac.new(AUDIT_KEY, message, hashlib.sha256).hexdigest()


async def listed(pool: asyncpg.Pool) -> list[dict[str, object]]:
    rows = await pool.fetch(
        "SELECT payload FROM events WHERE type = 'intake.SurvivorsListed' ORDER BY id"
    )
    return [dict(r["payload"]) for r in rows]


async def test_a_search_record_names_the_survivors_returned_and_hides_the_text(
    officer: As, as_staff: Callable[..., As], pool: asyncpg.Pool
) -> None:
    name = fake_name()
    mine = (await officer.post("/survivors", registration(name))).json()
    mombasa = as_staff("intake_officer", teams=(MOMBASA,))
    theirs = (await mombasa.post("/survivors", registration())).json()

    query = f"  {theirs['case_number'].lower()} "
    found = await officer.post("/survivors/search", {"q": query})
    assert found.status_code == 200
    assert [hit["survivor_id"] for hit in found.json()["results"]] == [theirs["survivor_id"]]

    [record] = await listed(pool)
    assert record["action"] == "survivor.search"
    assert record["staff_id"] == str(officer.staff.staff_id)
    assert record["results"] == [{"survivor_id": theirs["survivor_id"], "on_caseload": False}]
    assert record["result_count"] == 1
    assert record["query_hash"] == keyed(theirs["case_number"])
    assert theirs["case_number"].lower() not in str(record).lower()

    by_name = await officer.get("/survivors", params={"q": name.upper()})
    assert by_name.status_code == 200
    names = await listed(pool)
    assert len(names) == 2
    assert {"survivor_id": mine["survivor_id"], "on_caseload": True} in names[1]["results"]
    assert name.split()[1] not in str(names[1]).lower()
    assert names[1]["query_hash"] == keyed(name)


async def test_searches_beyond_the_limit_are_refused_with_retry_after(
    officer: As, as_staff: Callable[..., As], pool: asyncpg.Pool
) -> None:
    for n in range(SEARCH_LIMIT):
        searched = await officer.post("/survivors/search", {"q": f"UPJ-2026-0000{n}"})
        assert searched.status_code == 200
    refused = await officer.post("/survivors/search", {"q": "UPJ-2026-00009"})
    assert refused.status_code == 429
    assert refused.json()["error"] == "TooManyRequests"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert len(await listed(pool)) == SEARCH_LIMIT  # the refused search listed nobody

    colleague = as_staff("intake_officer")
    assert (await colleague.get("/survivors", params={"q": "UPJ-2026-00009"})).status_code == 200


async def test_duplicate_candidates_shown_at_registration_are_recorded_as_a_search(
    officer: As, pool: asyncpg.Pool
) -> None:
    first = (await officer.post("/survivors", registration("Test Survivor Charlie"))).json()
    again = await officer.post("/survivors", registration("Test Survivor Charlie"))
    assert again.status_code == 409
    [record] = await listed(pool)
    assert record["action"] == "survivor.search"
    assert first["survivor_id"] in [r["survivor_id"] for r in record["results"]]
    assert record["query_hash"] is None
