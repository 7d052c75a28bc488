"""A data subject's access request across the running services: one survivor's data from every
service, opened and readable in English or Kiswahili, audited in each, and nothing of another."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from functools import partial
from pathlib import Path

import httpx
import pytest
from reporting_stack import RETRIED, Stack, consent, created, registration, running_stack
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_portal.backend import Backend
from uponyaji_portal.settings import Settings as PortalSettings
from uponyaji_portal.subject_access import SOURCES, as_text, gather

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

SERVICES = ("identity", "intake", "medical", "psychosocial", "empowerment", "reporting")
ROLES = (
    "intake_officer",
    "clinician",
    "counsellor",
    "empowerment_officer",
    "data_protection_officer",
)
SCOPES = ("documentation", "medical_examination", "psychosocial_support", "empowerment")
NEEDS = {
    "household_size": 4,
    "dependants": 2,
    "earners": 1,
    "income_sources": ["casual_labour"],
    "monthly_income_kes": "4500.00",
    "housing": "rented",
    "hunger_answers": [1, 1, 0],
}


@pytest.fixture
def stack(
    own_nats: EmbeddedNats, new_database_url: Callable[[], str], tmp_path: Path
) -> Iterator[Stack]:
    """Every survivor-data service and identity, with the staff of each role signed in."""
    # Every service's consumers ask identity for service tokens from one address: more than the
    # default per-address budget of a sign-in endpoint; and six services on a loaded test machine
    # answer each other more slowly than the default 2 s timeout of those calls.
    extra = {"IDENTITY_AUTH_RATE_PER_MINUTE": "1000"}
    extra |= {f"{name.upper()}_HTTP_TIMEOUT": "20" for name in SERVICES}
    with running_stack(own_nats, new_database_url, tmp_path, extra, SERVICES, ROLES) as running:
        yield running


async def until_accepted(
    send: Callable[[], Awaitable[httpx.Response]], seconds: float = 180.0
) -> httpx.Response:
    """Repeat a command while the service has not yet heard of the survivor or their consent
    from intake; once a second (every refused try is an audit record the others must relay)."""
    deadline = time.monotonic() + seconds
    while True:
        response = await send()
        waiting = RETRIED.get(response.status_code)
        if waiting is None or response.json().get("error") != waiting:
            return response
        assert time.monotonic() < deadline, f"still {response.status_code}: {response.text}"
        await asyncio.sleep(1.0)


def marks(tag: str) -> dict[str, str]:
    """Distinct synthetic texts for one survivor (found, or not, in an export)."""
    return {
        "name": f"Test Survivor {tag} {uuid.uuid4().hex[:6]}",
        "narrative": f"Synthetic narrative {tag} {uuid.uuid4().hex[:6]} (FAKE)",
        "allegation": f"Synthetic allegation {tag} {uuid.uuid4().hex[:6]} (FAKE)",
        "session": f"Synthetic session note {tag} {uuid.uuid4().hex[:6]} (FAKE)",
        "needs": f"Synthetic needs note {tag} {uuid.uuid4().hex[:6]} (FAKE)",
    }


async def survivor_everywhere(stack: Stack, m: dict[str, str]) -> tuple[str, str]:
    """Register a survivor and record something sealed in every service; (id, case number)."""
    async with stack.client("intake", "intake_officer") as officer:
        body = registration(m["name"], "047", "female", "25-34")
        answer = created(await officer.post("/survivors", json=body))
        sid, case = str(answer["survivor_id"]), str(answer["case_number"])
        for scope in SCOPES:
            created(await officer.post(f"/survivors/{sid}/consents", json=consent(scope)))
        incident = {
            "occurred_from": "2025-11-03",
            "place_type": "police_station",
            "perpetrators": ["kenya_police_service"],
            "methods": ["beating"],
            "narrative": m["narrative"],
        }
        created(await officer.post(f"/survivors/{sid}/incidents", json=incident))
    async with stack.client("medical", "clinician") as clinician:
        now = datetime.now(UTC).isoformat()  # the consents were given today
        encounter = {
            "kind": "initial_assessment",
            "occurred_at": now,
            "county_code": "047",
            "facility": "Synthetic Clinic (FAKE)",
        }
        opened = created(
            await until_accepted(
                partial(clinician.post, f"/survivors/{sid}/encounters", json=encounter)
            )
        )
        history = {"encounter_id": opened["id"], "allegation": m["allegation"]}
        created(await clinician.post(f"/survivors/{sid}/history", json=history))
    async with stack.client("empowerment", "empowerment_officer") as officer:
        needs = {**NEEDS, "notes": m["needs"]}
        created(
            await until_accepted(
                partial(officer.post, f"/survivors/{sid}/needs-assessments", json=needs)
            )
        )
    return sid, case


async def settled(stack: Stack, survivors: list[str]) -> None:
    """Wait until psychosocial and reporting know every survivor (events arrive by NATS)."""
    deadline = time.monotonic() + 300
    async with stack.client("reporting", "data_protection_officer") as dpo:
        for sid in survivors:
            while True:
                answer = await dpo.get(f"/survivors/{sid}/subject-access")
                kinds = [r["type"] for r in answer.json().get("records", [])]
                if (
                    answer.status_code == 200
                    and "medical.examined" in kinds
                    and "empowerment.needs_assessed" in kinds
                ):
                    break
                assert time.monotonic() < deadline, answer.text
                await asyncio.sleep(1.0)


def portal_backend(stack: Stack) -> Backend:
    """The portal's HTTP client to the running services."""
    urls = {name: url for name, url in stack.urls.items()}
    return Backend(PortalSettings.model_validate({"service_urls": urls, "UPONYAJI_ENV": "test"}))


async def test_a_subject_access_export_holds_every_service_and_nothing_of_another(
    stack: Stack,
) -> None:
    alpha, beta = marks("Alpha"), marks("Beta")
    alpha_id, alpha_case = await survivor_everywhere(stack, alpha)
    beta_id, beta_case = await survivor_everywhere(stack, beta)
    today = datetime.now(timezone(timedelta(hours=3))).date().isoformat()
    # A group session: Beta's notes are sealed under Beta's key in Alpha's session record.
    other = {"survivor_id": beta_id, "notes": beta["session"]}
    session = {
        "kind": "group",
        "held_on": today,
        "duration_minutes": 60,
        "approach": "trauma_focused_cbt",
        "notes": alpha["session"],
        "other_participants": [other],
    }
    async with stack.client("psychosocial", "counsellor") as counsellor:
        created(
            await until_accepted(
                partial(counsellor.post, f"/survivors/{alpha_id}/sessions", json=session)
            )
        )
        refused = await counsellor.get(f"/survivors/{alpha_id}/subject-access")
        assert refused.status_code == 403, refused.text  # the officer only
    await settled(stack, [alpha_id, beta_id])

    backend = portal_backend(stack)
    try:
        export = await gather(backend, stack.tokens["data_protection_officer"], uuid.UUID(alpha_id))
    finally:
        await backend.aclose()
    assert export.missing == {}
    assert set(export.parts) == set(SOURCES)
    for service in SOURCES:
        assert export.parts[service]["records"], f"{service} returned nothing for the survivor"
    english = as_text(export, "en", "2026-03-06")
    for text in (*alpha.values(), alpha_case):
        assert text in english, text  # sealed values opened, from every service
    for text in (*beta.values(), beta_id, beta_case):
        assert text not in english, text  # nothing of the other survivor
    by_service = {s: str(export.parts[s]) for s in SOURCES}
    assert alpha["name"] in by_service["intake"]
    assert alpha["narrative"] in by_service["intake"]
    assert alpha["allegation"] in by_service["medical"]
    assert alpha["session"] in by_service["psychosocial"]
    assert alpha["needs"] in by_service["empowerment"]
    assert alpha_case in by_service["reporting"]
    kiswahili = as_text(export, "sw", "2026-03-06")
    assert "Taarifa zako binafsi" in kiswahili
    assert "Jina kamili" in kiswahili
    assert alpha["name"] in kiswahili

    # Every service audited the read, and reporting gathers the audit trail of them all.
    deadline = time.monotonic() + 60
    async with stack.client("reporting", "data_protection_officer") as dpo:
        while True:
            review = await dpo.get("/audit", params={"survivor_id": alpha_id, "limit": 1000})
            assert review.status_code == 200, review.text
            audited = {
                r["source"]
                for r in review.json()["records"]
                if r["action"] == "subject_access.export" and r["outcome"] == "allowed"
            }
            if audited >= set(SOURCES):
                break
            assert time.monotonic() < deadline, audited
            await asyncio.sleep(1.0)

    async with stack.client("intake", "data_protection_officer") as dpo:
        unknown = await dpo.get(f"/survivors/{uuid.uuid4()}/subject-access")
        assert unknown.status_code == 404, unknown.text
        garbled = await dpo.get("/survivors/not-a-uuid/subject-access")
        assert garbled.status_code == 404, garbled.text  # as every survivor route: not found
