"""Intake's events: consent gate, closure, referrals answered with an event, erasure."""

from __future__ import annotations

import uuid

import asyncpg
from empowerment_support import NEEDS, As, FakeIntake, count_events
from fastapi import FastAPI


async def test_work_needs_empowerment_consent_and_an_open_case(
    app: FastAPI, intake: FakeIntake, officer: As, pool: asyncpg.Pool
) -> None:
    sid = await intake.register(consent=False)
    await intake.deliver(app)
    before = await count_events(pool)
    refused = await officer.post(f"/survivors/{sid}/needs-assessments", NEEDS)
    assert (refused.status_code, refused.json()["error"]) == (409, "ConsentRequired")
    assert await count_events(pool) == before
    other = await intake.register()
    await intake.close(other)
    await intake.deliver(app)
    closed = await officer.post(f"/survivors/{other}/needs-assessments", NEEDS)
    assert (closed.status_code, closed.json()["error"]) == (409, "CaseClosed")
    unknown = await officer.post(f"/survivors/{uuid.uuid4()}/needs-assessments", NEEDS)
    assert unknown.status_code == 404


async def test_a_referral_is_accepted_once_with_an_event_for_intake(
    app: FastAPI, intake: FakeIntake, officer: As, pool: asyncpg.Pool
) -> None:
    sid = await intake.register()
    referral = await intake.refer(sid)
    await intake.refer(sid, target="medical")  # not ours: not listed
    await intake.deliver(app)
    pending = (await officer.get("/referrals")).json()["referrals"]
    assert [r["referral_id"] for r in pending] == [str(referral)]
    listed = await pool.fetchval(  # the list's audit record names the survivor it returned
        "SELECT payload FROM events WHERE type = 'empowerment.SurvivorsListed'"
    )
    assert listed["results"] == [{"survivor_id": str(sid), "on_caseload": True}]
    accepted = await officer.post(
        f"/referrals/{referral}/answer", {"decision": "accepted", "note": "Welcome (FAKE)"}
    )
    assert accepted.status_code == 201, accepted.text
    again = await officer.post(f"/referrals/{referral}/answer", {"decision": "declined"})
    assert (again.status_code, again.json()["error"]) == (409, "AlreadyAnswered")
    event = await pool.fetchrow(
        "SELECT stream_type, stream_id, payload FROM events "
        "WHERE type = 'empowerment.ReferralAnswered'"
    )
    assert (event["stream_type"], event["stream_id"]) == ("referral", str(referral))
    assert (await officer.get("/referrals")).json()["referrals"] == []

    withdrawn = await intake.refer(sid)
    await intake.cancel(sid, withdrawn)
    await intake.deliver(app)
    assert (await officer.get("/referrals")).json()["referrals"] == []
    late = await officer.post(f"/referrals/{withdrawn}/answer", {"decision": "accepted"})
    assert (late.status_code, late.json()["error"]) == (409, "AlreadyAnswered")


async def test_erasure_destroys_the_key_confirms_and_reads_as_erased(
    app: FastAPI, intake: FakeIntake, officer: As, pool: asyncpg.Pool
) -> None:
    sid = await intake.register()
    await intake.deliver(app)
    assert (await officer.post(f"/survivors/{sid}/needs-assessments", NEEDS)).status_code == 201
    request = await intake.erase(sid)
    await intake.deliver(app)
    await intake.deliver(app)  # a redelivery confirms nothing twice
    confirmations = await pool.fetch(
        "SELECT payload FROM events WHERE type = 'empowerment.DataKeyDestroyed'"
    )
    assert len(confirmations) == 1
    payload = confirmations[0]["payload"]
    assert (payload["request_id"], payload["survivor_id"]) == (str(request), str(sid))
    assert payload["key_id"] is not None
    refused = await officer.post(f"/survivors/{sid}/needs-assessments", NEEDS)
    assert (refused.status_code, refused.json()["error"]) == (409, "SurvivorErased")
    record = (await officer.get(f"/survivors/{sid}/empowerment")).json()
    assert record["needs_assessments"][0]["notes"] == "[erased]"
    assert record["needs_assessments"][0]["hunger_category"] == "moderate"
