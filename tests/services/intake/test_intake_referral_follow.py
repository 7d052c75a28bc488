"""A referral's status follows the receiving service: medical's and empowerment's answers."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from fastapi import FastAPI
from intake_support import As, consent, registration
from uponyaji_events.contracts import default_registry
from uponyaji_events.contracts import medical as m
from uponyaji_events.contracts.referrals import ReferralAnswered, ReferralDecision
from uponyaji_events.envelope import Actor, Event
from uponyaji_intake.consumers import on_participant_event
from uponyaji_service import running

Answer = m.ReferralAccepted | m.ReferralDeclined | ReferralAnswered


def medical_answer(model: Answer, service: str = "medical") -> Event:
    """A receiving service's answer as its store would publish it."""
    new = default_registry().to_new_event(model, service=service)
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
        actor=Actor.system(service),
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


def empowerment_answer(referral: str, sid: str, decision: ReferralDecision) -> Event:
    """Empowerment's generic answer (`empowerment.ReferralAnswered`)."""
    model = ReferralAnswered(
        referral_id=referral,
        survivor_id=sid,
        decision=decision,
        answered_on=date(2026, 3, 3),
        answered_by=uuid.uuid4(),
    )
    return medical_answer(model, service="empowerment")


async def test_empowerments_answer_moves_only_its_own_referral(app: FastAPI, officer: As) -> None:
    sid = (await officer.post("/survivors", registration())).json()["survivor_id"]
    await officer.post(f"/survivors/{sid}/consents", consent("empowerment"))
    await officer.post(f"/survivors/{sid}/consents", consent("medical_examination"))
    ours = await officer.post(
        f"/survivors/{sid}/referrals", {"target": "empowerment", "urgency": "routine"}
    )
    theirs = await officer.post(
        f"/survivors/{sid}/referrals", {"target": "medical", "urgency": "routine"}
    )
    assert (ours.status_code, theirs.status_code) == (201, 201), (ours.text, theirs.text)
    ours_id, theirs_id = ours.json()["referral_id"], theirs.json()["referral_id"]
    intake = running(app).resources
    declined = empowerment_answer(ours_id, sid, ReferralDecision.DECLINED)
    misdirected = empowerment_answer(theirs_id, sid, ReferralDecision.ACCEPTED)
    for event in (declined, declined, misdirected):  # a re-delivery changes nothing
        async with intake.store.transaction() as conn:
            await on_participant_event(intake, conn, event)
    shown = (await officer.get(f"/survivors/{sid}/referrals")).json()["referrals"]
    statuses = {r["referral_id"]: r["status"] for r in shown}
    assert statuses == {ours_id: "declined", theirs_id: "pending"}
    changes = await intake.store.pool.fetch(
        "SELECT payload FROM events WHERE type = 'intake.ReferralStatusChanged'"
    )
    assert [c["payload"]["source_event_id"] for c in changes] == [str(declined.event_id)]
