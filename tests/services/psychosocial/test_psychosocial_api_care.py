"""Risk flags (open → resolved, oldest first, caseload only) and care plans over HTTP."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg
from fastapi import FastAPI
from psychosocial_support import MOMBASA, PHQ9_RISKY, As, FakeIntake, count_events


async def flag_for(who: As, sid: object, at: str) -> str:
    body = {"instrument": "PHQ-9", "responses": PHQ9_RISKY, "administered_at": at}
    answer = await who.post(f"/survivors/{sid}/assessments", body)
    assert answer.status_code == 201, answer.text
    flag: str = answer.json()["risk_flag_id"]
    return flag


async def test_risk_flag_open_then_resolved(
    app: FastAPI, intake: FakeIntake, counsellor: As, as_staff: Callable[..., As]
) -> None:
    later, earlier = await intake.register(), await intake.register()
    away = await intake.register(team=MOMBASA)
    await intake.deliver(app)
    late = await flag_for(counsellor, later, "2026-03-05T10:00Z")
    early = await flag_for(counsellor, earlier, "2026-03-01T10:00Z")
    await flag_for(as_staff("counsellor", teams=(MOMBASA,)), away, "2026-02-01T10:00Z")

    listed = (await counsellor.get("/risk-flags?status=open")).json()["flags"]
    assert [f["flag_id"] for f in listed] == [early, late]  # oldest first, own caseload only
    assert listed[0]["case_number"].startswith("UPJ-2026-")
    assert (listed[0]["item"], listed[0]["response"], listed[0]["status"]) == (9, 3, "open")

    body = {
        "actions": ["risk_assessed", "safety_plan", "supervisor_consulted"],
        "referral": "psychiatric_assessment",
        "details": "Synthetic: safety plan agreed, follow-up tomorrow",
    }
    resolved = await counsellor.post(f"/risk-flags/{early}/resolution", body)
    assert resolved.status_code == 201, resolved.text
    assert resolved.json()["status"] == "resolved"
    again = await counsellor.post(f"/risk-flags/{early}/resolution", body)
    assert (again.status_code, again.json()["error"]) == (409, "FlagAlreadyResolved")

    open_now = (await counsellor.get("/risk-flags")).json()["flags"]
    assert [f["flag_id"] for f in open_now] == [late]
    done = (await counsellor.get("/risk-flags?status=resolved")).json()["flags"]
    assert [f["flag_id"] for f in done] == [early]
    response = done[0]["safety_response"]
    assert response["referral"] == "psychiatric_assessment"
    assert response["responder_id"] == str(counsellor.staff.staff_id)
    assert response["details"] is None  # lists carry no free text

    theirs = (await counsellor.get(f"/survivors/{earlier}/risk-flags")).json()["flags"]
    assert theirs[0]["safety_response"]["details"].startswith("Synthetic: safety plan")


async def test_resolving_needs_the_flag_on_your_caseload(
    app: FastAPI, intake: FakeIntake, counsellor: As, as_staff: Callable[..., As]
) -> None:
    sid = await intake.register()
    await intake.deliver(app)
    flag = await flag_for(counsellor, sid, "2026-03-01T10:00Z")
    elsewhere = as_staff("counsellor", teams=(MOMBASA,))
    body = {"actions": ["safety_plan"]}
    assert (await elsewhere.post(f"/risk-flags/{flag}/resolution", body)).status_code == 404
    assert (
        await as_staff("intake_officer").post(f"/risk-flags/{flag}/resolution", body)
    ).status_code == 403
    unknown = "0190a8e5-7c00-7000-8000-00000000beef"
    assert (await counsellor.post(f"/risk-flags/{unknown}/resolution", body)).status_code == 404
    assert (await counsellor.get("/risk-flags")).json()["flags"][0]["status"] == "open"


async def test_a_safety_response_needs_an_action(
    app: FastAPI, intake: FakeIntake, counsellor: As, pool: asyncpg.Pool
) -> None:
    sid = await intake.register()
    await intake.deliver(app)
    flag = await flag_for(counsellor, sid, "2026-03-01T10:00Z")
    before = await count_events(pool)
    for body in ({"actions": []}, {"actions": ["prayer"]}, {"referral": "none"}):
        answer = await counsellor.post(f"/risk-flags/{flag}/resolution", body)
        assert answer.status_code == 422, answer.text
        assert "actions" in answer.json()["detail"]
    assert await count_events(pool) == before


async def test_care_plan_goals_and_reviews(
    app: FastAPI, intake: FakeIntake, counsellor: As, as_staff: Callable[..., As]
) -> None:
    sid = await intake.register()
    await intake.deliver(app)
    goal = {
        "domain": "daily_functioning",
        "description": "Synthetic: walk to the market twice a week",
        "target_date": "2026-06-30",
    }
    added = await counsellor.post(f"/survivors/{sid}/care-plan/goals", goal)
    assert added.status_code == 201, added.text
    goal_id = added.json()["goal_id"]
    url = f"/survivors/{sid}/care-plan/goals/{goal_id}/reviews"
    review = {"status": "in_progress", "reviewed_on": "2026-03-01", "note": "Synthetic: once"}
    assert (await counsellor.post(url, review)).status_code == 201
    assert (await counsellor.post(url, {"status": "achieved"})).status_code == 201
    closed = await counsellor.post(url, {"status": "in_progress"})
    assert (closed.status_code, closed.json()["error"]) == (409, "GoalClosed")

    plan = (await counsellor.get(f"/survivors/{sid}/care-plan")).json()["goals"]
    assert [(g["domain"], g["status"]) for g in plan] == [("daily_functioning", "achieved")]
    assert plan[0]["description"] == goal["description"]
    assert [r["note"] for r in plan[0]["reviews"]] == ["Synthetic: once", None]

    empowerment = await as_staff("empowerment_officer").get(f"/survivors/{sid}/care-plan")
    assert empowerment.status_code == 200
    shown = empowerment.json()["goals"][0]
    assert shown["description"] == goal["description"]
    assert [r["note"] for r in shown["reviews"]] == [None, None]  # counselling notes withheld
    clinician = as_staff("clinician")
    assert (await clinician.post(f"/survivors/{sid}/care-plan/goals", goal)).status_code == 403
    missing = f"/survivors/{sid}/care-plan/goals/{sid}/reviews"
    assert (await counsellor.post(missing, {"status": "achieved"})).status_code == 404


async def test_no_attended_session_is_logged_while_a_flag_is_open(
    app: FastAPI, intake: FakeIntake, counsellor: As
) -> None:
    sid = await intake.register()
    await intake.deliver(app)
    flag = await flag_for(counsellor, sid, "2026-03-01T10:00Z")
    session = {"held_on": "2026-03-01", "duration_minutes": 50, "approach": "emdr"}
    refused = await counsellor.post(f"/survivors/{sid}/sessions", session)
    assert (refused.status_code, refused.json()["error"]) == (409, "SafetyResponseRequired")
    assert f"/risk-flags/{flag}/resolution" in refused.json()["detail"]
    earlier = {**session, "held_on": "2026-02-20"}
    assert (await counsellor.post(f"/survivors/{sid}/sessions", earlier)).status_code == 201
    body = {"actions": ["risk_assessed", "safety_plan"]}
    assert (await counsellor.post(f"/risk-flags/{flag}/resolution", body)).status_code == 201
    assert (await counsellor.post(f"/survivors/{sid}/sessions", session)).status_code == 201
