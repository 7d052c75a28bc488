"""The gate from intake's events: consent, closure, merge and erasure (409s, crypto-shredding)."""

from __future__ import annotations

import asyncpg
from fastapi import FastAPI
from psychosocial_support import MOMBASA, PHQ9_RISKY, As, FakeIntake, count_events

PHQ9 = {"instrument": "PHQ-9", "responses": [1] * 9}
SESSION = {
    "held_on": "2026-03-02",
    "duration_minutes": 45,
    "approach": "supportive_counselling",
    "notes": "Synthetic note",
}


async def test_work_is_refused_without_psychosocial_consent(
    app: FastAPI, intake: FakeIntake, counsellor: As, pool: asyncpg.Pool
) -> None:
    sid = await intake.register(consent=False)
    await intake.deliver(app)
    before = await count_events(pool)
    refused = await counsellor.post(f"/survivors/{sid}/assessments", PHQ9)
    assert (refused.status_code, refused.json()["error"]) == (409, "ConsentRequired")
    assert "psychosocial_support consent" in refused.json()["detail"]
    assert await count_events(pool) == before

    await intake.grant(sid)
    await intake.deliver(app)
    assert (await counsellor.post(f"/survivors/{sid}/assessments", PHQ9)).status_code == 201

    await intake.withdraw(sid)
    await intake.deliver(app)
    for url, body in (
        (f"/survivors/{sid}/assessments", PHQ9),
        (f"/survivors/{sid}/sessions", SESSION),
        (
            f"/survivors/{sid}/care-plan/goals",
            {"domain": "safety", "description": "Synthetic goal", "target_date": "2026-06-01"},
        ),
    ):
        answer = await counsellor.post(url, body)
        assert (answer.status_code, answer.json()["error"]) == (409, "ConsentRequired"), url
    # What was recorded stays readable.
    assert len((await counsellor.get(f"/survivors/{sid}/assessments")).json()["assessments"]) == 1


async def test_a_closed_case_refuses_work_until_reopened(
    app: FastAPI, intake: FakeIntake, counsellor: As
) -> None:
    sid = await intake.register()
    await intake.close(sid)
    await intake.deliver(app)
    refused = await counsellor.post(f"/survivors/{sid}/sessions", SESSION)
    assert (refused.status_code, refused.json()["error"]) == (409, "CaseClosed")
    await intake.reopen(sid)
    await intake.deliver(app)
    assert (await counsellor.post(f"/survivors/{sid}/sessions", SESSION)).status_code == 201


async def test_a_risk_flag_can_be_answered_after_closure_or_withdrawal(
    app: FastAPI, intake: FakeIntake, counsellor: As
) -> None:
    sid = await intake.register()
    await intake.deliver(app)
    answer = await counsellor.post(
        f"/survivors/{sid}/assessments", {"instrument": "PHQ-9", "responses": PHQ9_RISKY}
    )
    flag = answer.json()["risk_flag_id"]
    await intake.withdraw(sid)
    await intake.close(sid)
    await intake.deliver(app)
    resolved = await counsellor.post(f"/risk-flags/{flag}/resolution", {"actions": ["safety_plan"]})
    assert resolved.status_code == 201, resolved.text


async def test_reassignment_moves_the_survivor_between_caseloads(
    app: FastAPI, intake: FakeIntake, counsellor: As
) -> None:
    sid = await intake.register()
    await intake.deliver(app)
    assert (await counsellor.get(f"/survivors/{sid}/sessions")).status_code == 200
    await intake.assign(sid, MOMBASA, None)
    await intake.deliver(app)
    assert (await counsellor.get(f"/survivors/{sid}/sessions")).status_code == 404


async def test_a_counsellor_taken_off_the_caseload_is_refused_the_next_command(
    app: FastAPI, intake: FakeIntake, counsellor: As, pool: asyncpg.Pool
) -> None:
    """The caseload is asked afresh for every command: no decision outlives a reassignment."""
    sid = await intake.register()
    await intake.deliver(app)
    assert (await counsellor.post(f"/survivors/{sid}/assessments", PHQ9)).status_code == 201
    await intake.assign(sid, MOMBASA, None)
    await intake.deliver(app)
    before = await count_events(pool)
    refused = await counsellor.post(f"/survivors/{sid}/assessments", PHQ9)
    assert refused.status_code == 404
    assert await count_events(pool) == before


async def test_a_merged_record_sends_work_to_the_record_kept(
    app: FastAPI, intake: FakeIntake, counsellor: As
) -> None:
    kept, merged = await intake.register(), await intake.register()
    await intake.merge(kept, merged)
    await intake.deliver(app)
    refused = await counsellor.post(f"/survivors/{merged}/assessments", PHQ9)
    assert (refused.status_code, refused.json()["error"]) == (409, "SurvivorMerged")
    assert str(kept) in refused.json()["detail"]


async def test_erasure_destroys_the_key_confirms_and_reads_as_erased(
    app: FastAPI, intake: FakeIntake, counsellor: As, pool: asyncpg.Pool
) -> None:
    sid = await intake.register()
    await intake.deliver(app)
    assert (await counsellor.post(f"/survivors/{sid}/sessions", SESSION)).status_code == 201
    goal = {"domain": "symptoms", "description": "Synthetic goal", "target_date": "2026-06-01"}
    assert (await counsellor.post(f"/survivors/{sid}/care-plan/goals", goal)).status_code == 201
    request = await intake.erase(sid)
    await intake.deliver(app)
    await intake.deliver(app)  # a re-delivery confirms nothing twice

    confirmations = await pool.fetch(
        "SELECT type, payload FROM events WHERE stream_type = 'erasure'"
    )
    assert [row["type"] for row in confirmations] == ["psychosocial.DataKeyDestroyed"]
    payload = confirmations[0]["payload"]
    assert (payload["request_id"], payload["survivor_id"]) == (str(request), str(sid))
    assert payload["key_id"] is not None
    key = await pool.fetchrow("SELECT * FROM sealing_keys WHERE subject_id = $1", str(sid))
    assert (key["wrapped_key"], key["destroyed_at"] is not None) == (None, True)

    sessions = (await counsellor.get(f"/survivors/{sid}/sessions")).json()["sessions"]
    assert [s["notes"] for s in sessions] == ["[erased]"]
    plan = (await counsellor.get(f"/survivors/{sid}/care-plan")).json()["goals"]
    assert [g["description"] for g in plan] == ["[erased]"]
    refused = await counsellor.post(f"/survivors/{sid}/sessions", SESSION)
    assert (refused.status_code, refused.json()["error"]) == (409, "SurvivorErased")


async def test_erasure_of_a_survivor_without_a_key_is_confirmed_too(
    app: FastAPI, intake: FakeIntake, pool: asyncpg.Pool
) -> None:
    sid = await intake.register()
    await intake.erase(sid)
    await intake.deliver(app)
    payload = await pool.fetchval("SELECT payload FROM events WHERE stream_type = 'erasure'")
    assert payload["key_id"] is None
    assert await pool.fetchval(
        "SELECT destroyed_at IS NOT NULL FROM sealing_keys WHERE subject_id = $1", str(sid)
    )
