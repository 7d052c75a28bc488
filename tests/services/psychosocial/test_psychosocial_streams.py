"""Events in and out: intake's events over real NATS, rebuilt read tables equal live ones, audit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
import httpx
import nats
import pytest
from fastapi import FastAPI
from psychosocial_support import NAIROBI, PHQ9_RISKY, As, FakeIntake, SigningKey, Staff
from support import keys_of
from uponyaji_events import OutboxRelay
from uponyaji_events.codec import decode_event
from uponyaji_events.tasks import stop_tasks
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_psychosocial.app import create_app
from uponyaji_psychosocial.projections import READ_TABLES, rebuild
from uponyaji_psychosocial.settings import Settings
from uponyaji_service import running

WaitUntil = Callable[..., Awaitable[None]]


async def snapshot(pool: asyncpg.Pool) -> dict[str, list[Any]]:
    tables = {}
    for table in READ_TABLES:
        rows = await pool.fetch(f"SELECT * FROM {table}")  # noqa: S608
        tables[table] = sorted((tuple(r.values()) for r in rows), key=repr)
    return tables


async def test_rebuilt_read_tables_equal_the_live_ones(
    app: FastAPI, intake: FakeIntake, counsellor: As, pool: asyncpg.Pool
) -> None:
    sid = await intake.register()
    other = await intake.register()
    await intake.deliver(app)
    session = {
        "held_on": "2026-03-02",
        "duration_minutes": 50,
        "approach": "emdr",
        "kind": "group",
        "notes": "Synthetic",
        "other_participants": [{"survivor_id": str(other), "notes": "Synthetic other"}],
    }
    assert (await counsellor.post(f"/survivors/{sid}/sessions", session)).status_code == 201
    body = {"instrument": "PHQ-9", "responses": PHQ9_RISKY}
    scored = (await counsellor.post(f"/survivors/{sid}/assessments", body)).json()
    fix = {"instrument": "PHQ-9", "responses": [1] * 9, "reason": "Synthetic"}
    url = f"/survivors/{sid}/assessments/{scored['assessment_id']}/correction"
    assert (await counsellor.post(url, fix)).status_code == 201
    resolution = {"actions": ["safety_plan"], "details": "Synthetic"}
    flag = scored["risk_flag_id"]
    assert (await counsellor.post(f"/risk-flags/{flag}/resolution", resolution)).status_code == 201
    goal = {"domain": "relationships", "description": "Synthetic", "target_date": "2026-05-01"}
    goal_id = (await counsellor.post(f"/survivors/{sid}/care-plan/goals", goal)).json()["goal_id"]
    review = {"status": "partially_achieved", "note": "Synthetic"}
    assert (
        await counsellor.post(f"/survivors/{sid}/care-plan/goals/{goal_id}/reviews", review)
    ).status_code == 201
    plan = {"planned_on": "2100-01-04"}
    assert (await counsellor.post(f"/survivors/{sid}/next-session", plan)).status_code == 201

    live = await snapshot(pool)
    assert all(live.values())
    applied = await rebuild(running(app).resources.store)
    assert applied >= 7
    assert await snapshot(pool) == live


async def test_reads_are_audited_before_data_leaves(
    app: FastAPI, intake: FakeIntake, counsellor: As, pool: asyncpg.Pool
) -> None:
    sid = await intake.register()
    await intake.deliver(app)
    assert (await counsellor.get(f"/survivors/{sid}/sessions")).status_code == 200
    row = await pool.fetchrow(
        "SELECT type, payload FROM events WHERE stream_type = 'audit' ORDER BY id DESC LIMIT 1"
    )
    assert row["type"] == "psychosocial.SurvivorDataAccessed"
    assert row["payload"]["survivor_id"] == str(sid)
    assert row["payload"]["action"] == "psychosocial.session.read"


@pytest.fixture
async def live_app(settings: Settings, own_nats: EmbeddedNats) -> AsyncIterator[FastAPI]:
    """A psychosocial following intake over a NATS server of the test's own."""
    following = settings.model_copy(update={"nats_url": own_nats.url})
    application = create_app(following)
    async with application.router.lifespan_context(application):
        yield application


async def test_intake_events_arrive_over_nats_and_erasure_is_confirmed_on_nats(
    live_app: FastAPI,
    intake: FakeIntake,
    own_nats: EmbeddedNats,
    signing_key: SigningKey,
    wait_until: WaitUntil,
) -> None:
    running(live_app).consumer("intake").keys = keys_of(intake.store)  # no intake URL here
    relay = OutboxRelay(intake.store, service="intake", nats_url=own_nats.url)
    publishing = asyncio.create_task(relay.run())
    nc = await nats.connect(own_nats.url)
    confirmations: list[Any] = []
    try:
        sub = await nc.subscribe("psychosocial.erasure.DataKeyDestroyed")
        sid = await intake.register()
        pool: asyncpg.Pool = running(live_app).parts.pool

        async def known() -> bool:
            return bool(await pool.fetchval("SELECT count(*) FROM consents"))

        await wait_until(known, 30, "intake's registration to arrive over NATS")
        client = As(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=live_app), base_url="http://p"),
            signing_key,
            Staff(roles=("counsellor",), teams=(NAIROBI,)),
        )
        body = {"instrument": "K10", "responses": [2] * 10}
        assert (await client.post(f"/survivors/{sid}/assessments", body)).status_code == 201
        await client.http.aclose()

        request = await intake.erase(sid)
        msg = await sub.next_msg(timeout=30)
        confirmations.append(decode_event(msg.data))
    finally:
        await stop_tasks([publishing])
        await nc.close()
    [event] = confirmations
    assert event.type == "psychosocial.DataKeyDestroyed"
    assert event.payload["request_id"] == str(request)
