"""A compromised broker: someone holding intake's NATS credentials but not its signing key.

Forged intake events are published on intake's own subjects (which its NATS user may do) at the
next position, with a correct SHA-256 hash, the genuine chain and the genuine key id. Each is
refused (never applied), raises an alarm, and the genuine event at that position still applies.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from typing import Any

import asyncpg
import pytest
from fastapi import FastAPI
from forgery import forge_event
from psychosocial_support import NAIROBI, FakeIntake
from support import keys_of
from uponyaji_events import OutboxRelay
from uponyaji_events.contracts import intake as i
from uponyaji_events.envelope import Event
from uponyaji_events.tasks import stop_tasks
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_psychosocial.app import create_app
from uponyaji_psychosocial.settings import Settings
from uponyaji_service import running

WaitUntil = Callable[..., Awaitable[None]]
ATTACKERS = uuid.UUID("00000000-0000-4000-8000-00000000a77a")
MOMBASA = uuid.UUID("00000000-0000-4000-8000-0000000000b2")


@pytest.fixture
async def live(
    settings: Settings, own_nats: EmbeddedNats, intake: FakeIntake
) -> AsyncIterator[FastAPI]:
    """Psychosocial following intake over NATS; intake's relay publishing."""
    following = settings.model_copy(update={"nats_url": own_nats.url})
    application = create_app(following)
    async with application.router.lifespan_context(application):
        running(application).consumer("intake").keys = keys_of(intake.store)
        relay = OutboxRelay(intake.store, service="intake", nats_url=own_nats.url)
        task = asyncio.create_task(relay.run())
        try:
            yield application
        finally:
            await stop_tasks([task])


async def _forge(
    intake: FakeIntake, own_nats: EmbeddedNats, stream_type: str, stream_id: str, payload: Any
) -> Event:
    return await forge_event(intake.store, own_nats, "intake", stream_type, stream_id, payload)


async def _alarms(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    return list(await pool.fetch("SELECT position, reason, path FROM integrity_alarms ORDER BY id"))


async def test_forged_case_assignment_and_erasure_are_refused_and_the_genuine_events_apply(
    live: FastAPI, intake: FakeIntake, own_nats: EmbeddedNats, wait_until: WaitUntil
) -> None:
    parts = running(live).parts
    pool: asyncpg.Pool = parts.pool
    consumer = running(live).consumer("intake")
    survivor = await intake.register(team=NAIROBI)

    async def registered() -> bool:
        return bool(await pool.fetchval("SELECT count(*) FROM consents"))

    await wait_until(registered, 30, "the genuine registration over NATS")
    # A data key exists for the survivor (as after a sealed session note).
    await parts.require_keys().destroyer(pool).get_or_create(survivor)

    # 1. A forged CaseAssigned would move the survivor onto the attacker's team.
    forged = await _forge(
        intake,
        own_nats,
        "survivor",
        str(survivor),
        i.CaseAssigned(survivor_id=survivor, team_id=ATTACKERS, lead_case_worker_id=None),
    )

    async def alarmed(count: int) -> Callable[[], Awaitable[bool]]:
        async def check() -> bool:
            return len(await _alarms(pool)) >= count

        return check

    await wait_until(await alarmed(1), 30, "an alarm for the forged CaseAssigned")
    team = await pool.fetchval("SELECT team FROM caseload WHERE survivor_id = $1", survivor)
    assert team == str(NAIROBI)
    [alarm] = await _alarms(pool)
    assert alarm["position"] == forged.position
    assert alarm["reason"] == "signature does not verify"
    assert alarm["path"] == "nats"

    # The genuine event at that very position still applies.
    await intake.assign(survivor, MOMBASA, None)

    async def moved() -> bool:
        value = await pool.fetchval("SELECT team FROM caseload WHERE survivor_id = $1", survivor)
        return bool(value == str(MOMBASA))

    await wait_until(moved, 30, "the genuine CaseAssigned at the forged position")
    assert await consumer.position() == forged.position

    # 2. A forged ErasureRequested would destroy the survivor's data key.
    request = uuid.uuid4()
    await _forge(
        intake,
        own_nats,
        "erasure",
        str(request),
        i.ErasureRequested(
            request_id=request,
            survivor_id=survivor,
            case_number="UPJ-2026-000001",
            received_on=date.today(),
            services=["psychosocial"],
        ),
    )
    await wait_until(await alarmed(2), 30, "an alarm for the forged ErasureRequested")
    await intake.grant(survivor)  # the genuine event at that position

    async def caught_up() -> bool:
        return await consumer.position() >= await intake.store.head()

    await wait_until(caught_up, 30, "the genuine event after the forged erasure")
    live_keys = await pool.fetchval(
        "SELECT count(*) FROM sealing_keys WHERE subject_id = $1 AND destroyed_at IS NULL",
        str(survivor),
    )
    assert live_keys == 1  # no key destroyed
    confirmations = await pool.fetchval(
        "SELECT count(*) FROM events WHERE type = 'psychosocial.DataKeyDestroyed'"
    )
    assert confirmations == 0
    erasure = await pool.fetchval(
        "SELECT erasure_requested_at FROM survivors WHERE survivor_id = $1", survivor
    )
    assert erasure is None

    # The alarm is visible: health, metric, and an audit event in psychosocial's own store.
    assert consumer.stats.integrity_alarms_total >= 2
    audit = await pool.fetch(
        "SELECT payload FROM events WHERE type = 'psychosocial.IntegrityAlarmRaised' ORDER BY id"
    )
    assert [a["payload"]["source"] for a in audit] == ["intake", "intake"]
    assert {a["payload"]["path"] for a in audit} == {"nats"}
