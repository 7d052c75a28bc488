"""Consent, incidents, referrals, assignment and closure through the API: rules answer 409."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg
import pytest
from intake_support import MOMBASA, As, consent, count_events, incident, registration
from uponyaji_events.sealing.sealer import UNREADABLE


@pytest.fixture
async def survivor(officer: As) -> str:
    response = await officer.post("/survivors", registration())
    assert response.status_code == 201, response.text
    return str(response.json()["survivor_id"])


async def current(officer: As, survivor: str) -> dict[str, str]:
    body = (await officer.get(f"/survivors/{survivor}/consents")).json()
    return {row["scope"]: row["status"] for row in body["current"]}


async def test_consent_grant_and_withdraw_with_history(officer: As, survivor: str) -> None:
    url = f"/survivors/{survivor}/consents"
    granted = await officer.post(url, consent("photography", witness="Fake Witness"))
    assert granted.status_code == 201
    assert (await current(officer, survivor))["photography"] == "granted"
    assert (await current(officer, survivor))["documentation"] == "never_asked"
    withdrawn = consent("photography", "withdraw", method="thumbprint", reason="changed mind")
    assert (await officer.post(url, withdrawn)).status_code == 201
    body = (await officer.get(url)).json()
    assert {r["scope"]: r["status"] for r in body["current"]}["photography"] == "withdrawn"
    assert [h["decision"] for h in body["history"]] == ["grant", "withdraw"]
    assert body["history"][0]["witness"] == "Fake Witness"
    assert body["history"][1]["method"] == "thumbprint"


async def test_consent_conflicts_are_409_and_write_nothing(
    officer: As, survivor: str, pool: asyncpg.Pool
) -> None:
    url = f"/survivors/{survivor}/consents"
    before = await count_events(pool)
    refused = await officer.post(url, consent("medical_examination", "withdraw"))
    assert refused.status_code == 409
    assert refused.json()["error"] == "ConsentConflict"
    await officer.post(url, consent("medical_examination"))
    twice = await officer.post(url, consent("medical_examination"))
    assert twice.status_code == 409
    assert await count_events(pool) == before + 1


async def test_no_incident_without_documentation_consent(
    officer: As, survivor: str, pool: asyncpg.Pool
) -> None:
    url = f"/survivors/{survivor}/incidents"
    before = await count_events(pool)
    refused = await officer.post(url, incident())
    assert refused.status_code == 409
    assert refused.json()["error"] == "ConsentRequired"
    assert await count_events(pool) == before
    await officer.post(f"/survivors/{survivor}/consents", consent("documentation"))
    body = incident(
        narrative="Synthetic account (fake).",
        witnesses=["Fake Witness One"],
        reports=[{"reported_to": "police", "reference": "OB 12/03/2026"}],
        detention={"place_types": ["police_station"], "duration_days": 3},
    )
    created = await officer.post(url, body)
    assert created.status_code == 201, created.text
    [shown] = (await officer.get(url)).json()["incidents"]
    assert shown["narrative"] == "Synthetic account (fake)."
    assert shown["reports"][0]["reference"] == "OB 12/03/2026"
    assert shown["detention"]["duration_days"] == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"occurred_from": "2999-01-01"}, "occurred_from"),
        ({"occurred_until": "2025-01-01"}, "occurred_until"),
        ({"methods": []}, "methods"),
        ({"perpetrators": ["aliens"]}, "perpetrators.0"),
        ({"narrative": ""}, "narrative"),
        ({"place_type": "moon"}, "place_type"),
    ],
)
async def test_bad_incidents_are_422_naming_the_field(
    officer: As, survivor: str, pool: asyncpg.Pool, change: dict[str, Any], field: str
) -> None:
    await officer.post(f"/survivors/{survivor}/consents", consent("documentation"))
    before = await count_events(pool, audit=True)
    response = await officer.post(f"/survivors/{survivor}/incidents", incident(**change))
    assert response.status_code == 422, response.text
    assert field in response.json()["detail"]
    assert await count_events(pool, audit=True) == before


async def test_referrals_need_consent_and_follow_the_receiving_side(
    officer: As, survivor: str
) -> None:
    url = f"/survivors/{survivor}/referrals"
    refused = await officer.post(url, {"target": "medical", "urgency": "urgent"})
    assert refused.status_code == 409
    assert "medical_examination" in refused.json()["detail"]
    await officer.post(f"/survivors/{survivor}/consents", consent("medical_examination"))
    made = await officer.post(url, {"target": "medical", "urgency": "urgent", "reason": "injuries"})
    assert made.status_code == 201, made.text
    referral = made.json()["referral_id"]
    status_url = f"{url}/{referral}/status"
    assert (await officer.post(status_url, {"status": "completed"})).status_code == 409
    assert (await officer.post(status_url, {"status": "accepted"})).status_code == 200
    assert (await officer.post(status_url, {"status": "completed"})).status_code == 200
    [shown] = (await officer.get(url)).json()["referrals"]
    assert shown["status"] == "completed"
    assert shown["reason"] == "injuries"
    external = await officer.post(url, {"target": "external", "urgency": "routine"})
    assert external.status_code == 422  # an external referral names its provider
    unknown = await officer.post(f"{url}/{survivor}/status", {"status": "accepted"})
    assert unknown.status_code == 404


async def test_reassignment_moves_the_caseload(
    officer: As, survivor: str, as_staff: Callable[..., As]
) -> None:
    mombasa = as_staff("intake_officer", teams=(MOMBASA,))
    assert (await mombasa.get(f"/survivors/{survivor}")).status_code == 404
    moved = await officer.post(f"/survivors/{survivor}/assignment", {"team_id": str(MOMBASA)})
    assert moved.status_code == 200
    assert (await mombasa.get(f"/survivors/{survivor}")).status_code == 200
    assert (await officer.get(f"/survivors/{survivor}")).status_code == 404
    same = await mombasa.post(f"/survivors/{survivor}/assignment", {"team_id": str(MOMBASA)})
    assert same.status_code == 409


async def test_closed_cases_take_no_work_until_reopened(officer: As, survivor: str) -> None:
    await officer.post(f"/survivors/{survivor}/consents", consent("documentation"))
    url = f"/survivors/{survivor}/closure"
    assert (await officer.post(url, {"action": "close"})).status_code == 422  # needs a reason
    assert (await officer.post(url, {"reason": "lost_to_follow_up"})).status_code == 200
    assert (await officer.get(f"/survivors/{survivor}")).json()["status"] == "closed"
    refused = await officer.post(f"/survivors/{survivor}/incidents", incident())
    assert refused.status_code == 409
    assert refused.json()["error"] == "CaseClosed"
    withdraw = consent("documentation", "withdraw")
    assert (await officer.post(f"/survivors/{survivor}/consents", withdraw)).status_code == 201
    assert (await officer.post(url, {"reason": "goals_met"})).status_code == 409
    reopened = await officer.post(url, {"action": "reopen", "note": "survivor came back"})
    assert reopened.status_code == 200
    assert (await officer.get(f"/survivors/{survivor}")).json()["status"] == "open"


async def test_a_referral_reason_moved_to_another_referral_reads_unreadable(
    officer: As, survivor: str, pool: asyncpg.Pool
) -> None:
    url = f"/survivors/{survivor}/referrals"
    await officer.post(f"/survivors/{survivor}/consents", consent("medical_examination"))
    first = await officer.post(
        url, {"target": "medical", "urgency": "urgent", "reason": "A (FAKE)"}
    )
    second = await officer.post(url, {"target": "medical", "urgency": "routine", "reason": "B"})
    assert first.status_code == second.status_code == 201
    # Someone with write access to intake's tables copies the first reason onto the second.
    await pool.execute(
        "UPDATE referrals SET details = jsonb_set(details, '{payload,reason}', "
        "(SELECT details->'payload'->'reason' FROM referrals WHERE referral_id = $1)) "
        "WHERE referral_id = $2",
        first.json()["referral_id"],
        second.json()["referral_id"],
    )
    listed = await officer.get(url)
    assert listed.status_code == 200, listed.text  # the rest of the list is still shown
    reasons = {r["referral_id"]: r["reason"] for r in listed.json()["referrals"]}
    assert reasons[first.json()["referral_id"]] == "A (FAKE)"
    assert reasons[second.json()["referral_id"]] == UNREADABLE  # never as the second's reason
