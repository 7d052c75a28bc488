"""A forged `medical.DataKeyDestroyed` (medical's NATS user, not its signing key) is refused.

Intake would otherwise count medical's confirmation and complete an erasure that never happened.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import httpx
from forgery import forge_event
from intake_keyholder import KeyHolder, trust_keyholder
from intake_support import As, SigningKey, Staff, registration
from support import running
from uponyaji_events import StoreFeed
from uponyaji_events.contracts import kernel
from uponyaji_events.tasks import stop_tasks
from uponyaji_intake.app import create_app
from uponyaji_intake.settings import Settings
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_service import running as running_app


async def test_a_forged_key_destruction_does_not_complete_an_erasure(
    intake_settings: Settings,
    own_nats: EmbeddedNats,
    new_database: Callable[..., Any],
    signing_key: SigningKey,
    wait_until: Callable[..., Any],
) -> None:
    settings = intake_settings.model_copy(
        update={"nats_url": own_nats.url, "erasure_participants": ["medical"]}
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        intake = running_app(app).resources
        medical = KeyHolder(await new_database(), own_nats.url, StoreFeed(intake.store))
        trust_keyholder(app, medical)
        from_medical = running_app(app).consumer("medical")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake") as http:
            officer = As(http, signing_key, Staff(("intake_officer",), teams=(UUID(int=1),)))
            dpo = As(http, signing_key, Staff(("data_protection_officer",)))
            sid = (await officer.post("/survivors", registration())).json()["survivor_id"]
            note = await medical.keep_note(UUID(sid), "Fake clinical note")
            requested = await dpo.post(f"/survivors/{sid}/erasure-requests", {})
            [request] = requested.json()["requests"]

            async def status() -> dict[str, Any]:
                rows = (await dpo.get(f"/survivors/{sid}/erasure-requests")).json()
                return dict(rows["requests"][0])

            # Medical has not acted yet (its relay runs, its consumer not); someone holding
            # medical's NATS user claims it has.
            relaying = asyncio.create_task(medical.relay.run())
            await wait_until(lambda: _true(medical.relay.stats.connected), 30, "medical's relay")
            forged = await forge_event(
                medical.store,
                own_nats,
                "medical",
                "erasure",
                request["request_id"],
                kernel.DataKeyDestroyed(
                    request_id=request["request_id"],
                    survivor_id=sid,
                    key_id=None,
                    destroyed_at=datetime.now(UTC),
                ),
            )

            async def alarmed() -> bool:
                return from_medical.stats.integrity_alarms_total >= 1

            await wait_until(alarmed, 30, "intake to refuse the forged confirmation")
            await asyncio.sleep(0.5)  # time enough to (wrongly) apply it
            assert (await status())["completed_at"] is None
            assert (await status())["confirmed"] == ["intake"]
            assert await medical.read_note(UUID(sid), note) == "Fake clinical note"
            alarms = await intake.store.pool.fetch(
                "SELECT position, reason FROM integrity_alarms WHERE source = 'medical'"
            )
            assert [(a["position"], a["reason"]) for a in alarms] == [
                (forged.position, "signature does not verify")
            ]

            # The genuine medical acts: its real confirmation takes that position and applies.
            async with running(medical.consumer.run()):

                async def completed() -> bool:
                    return (await status())["completed_at"] is not None

                await wait_until(completed, 60, "the genuine DataKeyDestroyed")
            await stop_tasks([relaying])
            assert (await status())["confirmed"] == ["intake", "medical"]
            assert await from_medical.position() == forged.position


async def _true(value: bool) -> bool:
    return value
