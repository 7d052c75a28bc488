"""The breach register: the data protection officer's record of personal data breaches, the
72-hour deadline to notify the Data Commissioner with reminders, and its export."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from identity_support import ServerClock, signed_in
from uponyaji_identity.app import create_app
from uponyaji_identity.breaches import domain
from uponyaji_identity.context import Identity
from uponyaji_identity.settings import Settings
from uponyaji_service import running


@pytest.fixture
def clock() -> ServerClock:
    return ServerClock()


@pytest.fixture
async def app(settings_for: Callable[..., Settings], clock: ServerClock) -> AsyncIterator[FastAPI]:
    application = create_app(settings_for(), clock=clock)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
def ctx(app: FastAPI) -> Identity:
    found: Identity = running(app).resources
    return found


def breach(aware_at: datetime) -> dict[str, Any]:
    return {
        "detected_at": (aware_at - timedelta(hours=1)).isoformat(),
        "aware_at": aware_at.isoformat(),
        "summary": "A field laptop with synthetic test records was stolen (FAKE)",
        "nature": ["confidentiality"],
        "data_classes": ["identity", "health"],
        "people_affected": 12,
    }


ASSESSMENT = {
    "risk": "high",
    "consequences": "Exposure of identity (FAKE)",
    "measures": "Disk encrypted; sessions revoked (FAKE)",
}


async def reminders(client: httpx.AsyncClient, dpo: Any) -> list[str]:
    answer = await client.get("/breaches/reminders", headers=dpo.access)
    assert answer.status_code == 200, answer.text
    return sorted(r["kind"] for r in answer.json()["reminders"])


async def test_a_breach_runs_against_72_hours_with_reminders_until_notified(
    ctx: Identity, client: httpx.AsyncClient, clock: ServerClock
) -> None:
    dpo = await signed_in(ctx, client, "data_protection_officer")
    admin = await signed_in(ctx, client, "admin")
    aware = clock()
    refused = await client.post("/breaches", json=breach(aware), headers=admin.access)
    assert refused.status_code == 403  # the register is the officer's alone
    created = await client.post("/breaches", json=breach(aware), headers=dpo.access)
    assert created.status_code == 201, created.text
    breach_id = created.json()["breach_id"]
    assert created.json()["reference"] == f"BR-{aware.year}-001"
    deadline = datetime.fromisoformat(created.json()["deadline"])
    assert deadline == aware + timedelta(hours=72)
    assert await reminders(client, dpo) == []

    early = await client.post(
        f"/breaches/{breach_id}/commissioner-notification",
        json={"notified_at": clock().isoformat(), "content": "Notice (FAKE)"},
        headers=dpo.access,
    )
    assert early.status_code == 409, early.text  # assess first
    assert "assess" in early.json()["detail"]

    clock.shift = timedelta(hours=49)
    assert await reminders(client, dpo) == ["breach_due_24h", "breach_due_48h"]
    assert await reminders(client, dpo) == ["breach_due_24h", "breach_due_48h"]  # once each
    listed = (await client.get("/breaches", headers=dpo.access)).json()["breaches"]
    assert listed[0]["hours_left"] == pytest.approx(23.0, abs=0.1)
    assert listed[0]["overdue"] is False

    assessed = await client.post(
        f"/breaches/{breach_id}/assessment", json=ASSESSMENT, headers=dpo.access
    )
    assert assessed.status_code == 200, assessed.text
    assert assessed.json()["status"] == "assessed"
    clock.shift = timedelta(hours=73)
    assert "breach_overdue" in await reminders(client, dpo)
    late = {"notified_at": clock().isoformat(), "content": "Notice to the Commissioner (FAKE)"}
    refused = await client.post(
        f"/breaches/{breach_id}/commissioner-notification", json=late, headers=dpo.access
    )
    assert refused.status_code == 409  # later than 72 hours: the reasons are required
    assert "delay_reason" in refused.json()["detail"]
    late["delay_reason"] = "The scale was only known after the device audit (FAKE)"
    notified = await client.post(
        f"/breaches/{breach_id}/commissioner-notification", json=late, headers=dpo.access
    )
    assert notified.status_code == 200, notified.text
    assert notified.json()["status"] == "notified"
    assert notified.json()["overdue"] is True  # notified late, and the register says so
    assert notified.json()["hours_left"] is None

    closing = {"summary": "Closed (FAKE)"}
    refused = await client.post(f"/breaches/{breach_id}/closure", json=closing, headers=dpo.access)
    assert refused.status_code == 409  # the people affected are not decided yet
    told = {"told": True, "people_count": 12, "method": "phone", "content": "We told you (FAKE)"}
    answer = await client.post(
        f"/breaches/{breach_id}/subject-notification", json=told, headers=dpo.access
    )
    assert answer.status_code == 200, answer.text
    closed = await client.post(f"/breaches/{breach_id}/closure", json=closing, headers=dpo.access)
    assert closed.status_code == 200, closed.text
    steps = [h["step"] for h in closed.json()["history"]]
    assert steps == ["recorded", "assessed", "commissioner_notified", "subjects_decided", "closed"]

    exported = await client.get("/breaches/export.csv", headers=dpo.access)
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["reference"], r["status"], r["subjects_count"]) for r in rows] == [
        (f"BR-{aware.year}-001", "closed", "12")
    ]
    assert rows[0]["delay_reason"].startswith("The scale")
    # Every call was audited as the officer's (the register is not survivor data, but is read).
    audited = await ctx.pool.fetchval(
        "SELECT count(*) FROM events WHERE type = 'identity.SurvivorDataAccessed' "
        "AND payload->>'action' = 'breach.manage'"
    )
    assert audited >= 10


async def test_bad_breach_input_is_refused_and_nothing_is_written(
    ctx: Identity, client: httpx.AsyncClient, clock: ServerClock
) -> None:
    dpo = await signed_in(ctx, client, "data_protection_officer")
    now = clock()
    cases = [
        {**breach(now), "nature": []},
        {**breach(now), "data_classes": ["gossip"]},
        {**breach(now), "aware_at": "yesterday"},
        {**breach(now), "unknown": 1},
        {**breach(now), "detected_at": (now + timedelta(hours=2)).isoformat()},  # after aware
        {**breach(now + timedelta(days=2))},  # aware in the future
    ]
    for body in cases:
        answer = await client.post("/breaches", json=body, headers=dpo.access)
        assert answer.status_code in (409, 422), (body, answer.text)
        assert answer.json()["detail"]
    assert await ctx.pool.fetchval("SELECT count(*) FROM breaches") == 0
    missing = await client.get("/breaches/0190c3d2-7e41-7b3a-9f2e-3a1c5d7e9b10", headers=dpo.access)
    assert missing.status_code == 404


def test_reminders_stop_once_the_commissioner_is_notified() -> None:
    aware = datetime(2026, 3, 1, 9, tzinfo=UTC)
    later = aware + timedelta(hours=70)
    assert domain.reminders_due(aware, later, domain.Status.ASSESSED) == [
        "breach_due_48h",
        "breach_due_24h",
        "breach_due_6h",
    ]
    assert domain.reminders_due(aware, later, domain.Status.NOTIFIED) == []
    assert domain.reminders_due(aware, aware + timedelta(hours=23), domain.Status.RECORDED) == []
