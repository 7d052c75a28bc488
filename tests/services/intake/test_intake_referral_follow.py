"""A referral's status follows the receiving service: medical's answer becomes intake's status."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import FastAPI
from intake_support import As, consent, registration
from uponyaji_events.contracts import default_registry
from uponyaji_events.contracts import medical as m
from uponyaji_events.envelope import Actor, Event
from uponyaji_intake.consumers import on_participant_event
from uponyaji_service import running


def medical_answer(model: m.ReferralAccepted | m.ReferralDeclined) -> Event:
    """Medical's answer as its store would publish it."""
    new = default_registry().to_new_event(model, service="medical")
    now = datetime.now(UTC)
    return Event(
        event_id=uuid.uuid4(),
        stream_type="referral",
        stream_id=str(model.referral_id),
        version=1,
        type=new.type,
        schema_version=new.schema_version,
        occurred_at=now,
        recorded_at=now,
        actor=Actor.system("medical"),
        correlation_id=uuid.uuid4(),
        causation_id=None,
        payload=new.payload,
        prev_hash=b"",
        hash=b"",
        position=1,
    )


async def test_medicals_answer_moves_the_referral_once(app: FastAPI, officer: As) -> None:
    sid = (await officer.post("/survivors", registration())).json()["survivor_id"]
    await officer.post(f"/survivors/{sid}/consents", consent("medical_examination"))
    made = await officer.post(
        f"/survivors/{sid}/referrals", {"target": "medical", "urgency": "urgent"}
    )
    assert made.status_code == 201, made.text
    referral = made.json()["referral_id"]
    intake = running(app).resources
    accepted = medical_answer(m.ReferralAccepted(referral_id=referral, survivor_id=sid))
    for _ in range(2):  # a re-delivery changes nothing
        async with intake.store.transaction() as conn:
            await on_participant_event(intake, conn, accepted)
    [shown] = (await officer.get(f"/survivors/{sid}/referrals")).json()["referrals"]
    assert shown["status"] == "accepted"
    changes = await intake.store.pool.fetch(
        "SELECT payload FROM events WHERE type = 'intake.ReferralStatusChanged'"
    )
    assert len(changes) == 1
    assert changes[0]["payload"]["source_event_id"] == str(accepted.event_id)
    # a later decline is a transition intake refuses: skipped, not retried as poison
    declined = medical_answer(m.ReferralDeclined(referral_id=referral, survivor_id=sid))
    async with intake.store.transaction() as conn:
        await on_participant_event(intake, conn, declined)
    [shown] = (await officer.get(f"/survivors/{sid}/referrals")).json()["referrals"]
    assert shown["status"] == "accepted"
