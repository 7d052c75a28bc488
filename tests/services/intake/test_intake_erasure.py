"""The erasure saga end to end: intake and another key holder destroy their keys and confirm."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import httpx
from intake_keyholder import KeyHolder, trust_keyholder
from intake_support import As, SigningKey, Staff, consent, count_events, incident, registration
from support import running as concurrently
from uponyaji_events import StoreFeed, verify
from uponyaji_events.sealing import ERASED
from uponyaji_intake.app import create_app
from uponyaji_intake.settings import Settings
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_service import running

NAME = "Fake Erasure Subject"


async def test_erasure_saga_with_intake_and_medical(
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
        intake = running(app).resources
        medical = KeyHolder(await new_database(), own_nats.url, StoreFeed(intake.store))
        trust_keyholder(app, medical)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake") as http:
            officer = As(http, signing_key, Staff(("intake_officer",), teams=(UUID(int=1),)))
            dpo = As(http, signing_key, Staff(("data_protection_officer",)))
            sid = await officer.post("/survivors", registration(NAME, phone="0788000111"))
            sid = sid.json()["survivor_id"]
            await officer.post(f"/survivors/{sid}/consents", consent("documentation"))
            await officer.post(f"/survivors/{sid}/incidents", incident(narrative="Fake account"))
            note = await medical.keep_note(UUID(sid), "Fake clinical note")

            async with concurrently(medical.relay.run(), medical.consumer.run()):
                requested = await dpo.post(f"/survivors/{sid}/erasure-requests", {})
                assert requested.status_code == 202, requested.text
                [request] = requested.json()["requests"]
                assert request["participants"] == ["intake", "medical"]
                assert request["confirmed"] == ["intake"]  # intake's own key went at once
                assert request["completed_at"] is None

                async def completed() -> bool:
                    rows = (await dpo.get(f"/survivors/{sid}/erasure-requests")).json()
                    return rows["requests"][0]["completed_at"] is not None

                await wait_until(completed, 60, "intake.ErasureCompleted")

            rows = (await dpo.get(f"/survivors/{sid}/erasure-requests")).json()["requests"]
            assert rows[0]["confirmed"] == ["intake", "medical"]
            assert await medical.read_note(UUID(sid), note) == ERASED

            record = (await officer.get(f"/survivors/{sid}")).json()
            assert record["erasure_status"] == "completed"
            assert record["identity"]["full_name"] == ERASED
            assert record["identity"]["phone"] == ERASED
            assert record["county_code"] == "047"  # aggregates still count the case
            [shown] = (await officer.get(f"/survivors/{sid}/incidents")).json()["incidents"]
            assert shown["narrative"] == ERASED
            search = await officer.post("/survivors/search", {"q": NAME})
            assert search.json()["results"] == []
            before = await count_events(intake.store.pool)
            refused = await officer.post(f"/survivors/{sid}/consents", consent("photography"))
            assert refused.status_code == 409
            assert refused.json()["error"] == "SurvivorErased"
            assert await count_events(intake.store.pool) == before
            again = await dpo.post(f"/survivors/{sid}/erasure-requests", {})
            assert again.status_code == 409

            types = await intake.store.pool.fetch(
                "SELECT type FROM events WHERE stream_type = 'erasure' ORDER BY id"
            )
            assert [t["type"] for t in types] == [
                "intake.ErasureRequested",
                "intake.DataKeyDestroyed",
                "intake.ErasureCompleted",
            ]
            assert (await verify(intake.store.pool)).ok  # the log still verifies


async def test_erasing_a_record_erases_the_records_merged_into_it(
    officer: As, as_staff: Callable[..., As]
) -> None:
    kept = (await officer.post("/survivors", registration())).json()["survivor_id"]
    other = await officer.post("/survivors", registration(phone="0788000222"))
    absorbed = other.json()["survivor_id"]
    await officer.post(f"/survivors/{kept}/merge", {"merged_survivor_id": absorbed})
    dpo = as_staff("data_protection_officer")
    answer = await dpo.post(f"/survivors/{kept}/erasure-requests", {"received_on": "2026-01-05"})
    assert answer.status_code == 202, answer.text
    for sid in (kept, absorbed):
        [request] = (await dpo.get(f"/survivors/{sid}/erasure-requests")).json()["requests"]
        assert request["completed_at"] is not None  # intake was the only participant
        assert request["received_on"] == "2026-01-05"
        record = (await officer.get(f"/survivors/{sid}")).json()
        assert record["identity"]["full_name"] == ERASED
    found = await officer.post("/survivors/search", {"q": "0788000222"})
    assert found.json()["results"] == []
