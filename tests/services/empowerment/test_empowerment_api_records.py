"""Needs, plans, follow-ups, trainings and the survivor's record through the API."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

import asyncpg
from empowerment_support import NEEDS, PLAN, As, FakeIntake, count_events
from fastapi import FastAPI

FOLLOW_UP = {
    "milestone": "month_3",
    "held_on": "2026-04-12",
    "monthly_income_kes": "9000",
    "business_operating": True,
    "employment_status": "self_employed",
    "hunger_answers": ["rarely_or_sometimes", "never", "never"],
    "notes": "Synthetic (FAKE)",
}


async def test_needs_plan_and_follow_ups_make_the_record_and_its_outcomes(
    app: FastAPI,
    intake: FakeIntake,
    officer: As,
    as_staff: Callable[..., As],
    pool: asyncpg.Pool,
) -> None:
    sid = await intake.register()
    await intake.deliver(app)
    needs = await officer.post(
        f"/survivors/{sid}/needs-assessments", {**NEEDS, "assessed_on": "2026-01-05"}
    )
    assert needs.status_code == 201, needs.text
    assert (needs.json()["hunger_score"], needs.json()["hunger_category"]) == (3, "moderate")

    before = await count_events(pool)
    early = await officer.post(f"/survivors/{sid}/follow-ups", FOLLOW_UP)
    assert (early.status_code, early.json()["error"]) == (409, "PlanRequired")
    assert await count_events(pool) == before

    plan = await officer.post(f"/survivors/{sid}/plan", PLAN)
    assert plan.status_code == 201, plan.text
    goal, [step] = plan.json()["goal_ids"][0], plan.json()["step_ids"][0]
    reviewed = await officer.post(
        f"/survivors/{sid}/plan/reviews",
        {
            "reviewed_on": "2026-02-10",
            "goals": [{"goal_id": goal, "status": "in_progress", "steps_done": [step]}],
        },
    )
    assert reviewed.status_code == 201, reviewed.text

    three = await officer.post(f"/survivors/{sid}/follow-ups", FOLLOW_UP)
    assert three.status_code == 201, three.text
    assert three.json()["due_on"] == "2026-04-10"  # plan start + 3 months (no money yet)
    twice = await officer.post(f"/survivors/{sid}/follow-ups", FOLLOW_UP)
    assert (twice.status_code, twice.json()["error"]) == (409, "FollowUpHeld")
    fixed = await officer.post(
        f"/survivors/{sid}/follow-ups/{three.json()['follow_up_id']}/correction",
        {**FOLLOW_UP, "monthly_income_kes": "8500.25", "reason": "Typo in income (FAKE)"},
    )
    assert fixed.status_code == 201, fixed.text

    record = (await officer.get(f"/survivors/{sid}/empowerment")).json()
    assert record["needs_assessments"][0]["notes"] == "Synthetic needs note (FAKE)"
    assert record["plan"]["goals"][0]["steps"][0]["done"] is True
    assert record["plan"]["goals"][0]["description"] == "Reopen the tailoring kiosk (FAKE)"
    assert [f["status"] for f in record["follow_ups"]] == ["superseded", "current"]
    assert record["follow_ups"][1]["reason"] == "Typo in income (FAKE)"
    schedule = {s["milestone"]: s for s in record["follow_up_schedule"]}
    assert schedule["month_3"]["held"] is True
    assert schedule["month_6"]["due_on"] == "2026-07-10"
    outcomes = record["outcomes"]
    assert outcomes["income_change_kes"] == "4000.25"  # 8500.25 − 4500.00, exact
    assert outcomes["hunger_change"] == "improved"  # moderate → little or none

    # Every read is audited before it is answered: who, which survivor, which action.
    audited = await pool.fetch(
        "SELECT payload FROM events WHERE type = 'empowerment.SurvivorDataAccessed' "
        "AND payload->>'action' = 'empowerment.read'"
    )
    assert [(r["payload"]["survivor_id"], r["payload"]["outcome"]) for r in audited] == [
        (str(sid), "allowed")
    ]

    # A counsellor on the caseload may read the record but not the officer's notes.
    counsellor = (await as_staff("counsellor").get(f"/survivors/{sid}/empowerment")).json()
    assert counsellor["notes_visible"] is False
    assert counsellor["needs_assessments"][0]["notes"] is None
    assert counsellor["needs_assessments"][0]["monthly_income_kes"] == "4500.00"


async def test_bad_needs_and_follow_ups_are_refused_naming_the_field(
    app: FastAPI, intake: FakeIntake, officer: As, pool: asyncpg.Pool
) -> None:
    sid = await intake.register()
    await intake.deliver(app)
    before = await count_events(pool)
    cases = [
        ({**NEEDS, "hunger_answers": [0, 3, 0]}, "hunger_answers"),
        ({**NEEDS, "hunger_answers": [0, 1]}, "hunger_answers"),
        ({**NEEDS, "hunger_answers": ["often", "sometimes", "never"]}, "hunger_answers"),
        ({**NEEDS, "monthly_income_kes": "-5"}, "monthly_income_kes"),
        ({**NEEDS, "monthly_income_kes": "many"}, "monthly_income_kes"),
        ({**NEEDS, "earners": 9}, "earners"),
        ({**NEEDS, "assessed_on": "2099-01-01"}, "assessed_on"),
        ({**NEEDS, "housing": "castle"}, "housing"),
    ]
    for body, field in cases:
        answer = await officer.post(f"/survivors/{sid}/needs-assessments", body)
        assert answer.status_code == 422, (field, answer.text)
        assert field in answer.json()["detail"], (field, answer.text)
    assert await count_events(pool) == before


async def test_a_course_records_group_attendance_and_completion(
    app: FastAPI, intake: FakeIntake, officer: As, as_staff: Callable[..., As]
) -> None:
    first, second = await intake.register(), await intake.register()
    stranger = await intake.register(team=uuid.uuid4())
    await intake.deliver(app)
    course = await officer.post(
        "/courses",
        {
            "title": "Tailoring for beginners",
            "skill": "tailoring",
            "starts_on": "2026-01-05",
            "sessions_planned": 2,
        },
    )
    assert course.status_code == 201, course.text
    course_id = course.json()["course_id"]
    off = await officer.post(
        f"/courses/{course_id}/sessions",
        {
            "held_on": "2026-01-05",
            "attendance": [{"survivor_id": str(stranger)}],
        },
    )
    assert off.status_code == 404  # not on the officer's caseload
    for held_on, present in (("2026-01-05", True), ("2026-01-12", False)):
        held = await officer.post(
            f"/courses/{course_id}/sessions",
            {
                "held_on": held_on,
                "attendance": [
                    {"survivor_id": str(first), "present": True},
                    {"survivor_id": str(second), "present": present},
                ],
            },
        )
        assert held.status_code == 201, held.text
    third = await officer.post(
        f"/courses/{course_id}/sessions",
        {"held_on": "2026-01-19", "attendance": [{"survivor_id": str(first)}]},
    )
    assert third.status_code == 422  # both planned sessions were held
    done = await officer.post(
        f"/survivors/{second}/trainings/{course_id}/completion", {"completed_on": "2026-01-12"}
    )
    assert (done.status_code, done.json()["sessions_attended"]) == (201, 1)
    listed = (await officer.get("/courses")).json()["courses"][0]
    assert (listed["sessions_held"], listed["enrolled"], listed["completed"]) == (2, 2, 1)


async def test_overdue_follow_ups_are_listed_on_the_caseload_only(
    app: FastAPI, intake: FakeIntake, officer: As, as_staff: Callable[..., As]
) -> None:
    sid = await intake.register()
    await intake.deliver(app)
    started = date(date.today().year - 1, 1, 15).isoformat()
    assert (
        await officer.post(f"/survivors/{sid}/plan", {**PLAN, "started_on": started})
    ).status_code == 201
    due = (await officer.get("/follow-ups/due")).json()["follow_ups"]
    assert [(d["milestone"], d["overdue"]) for d in due] == [
        ("month_3", True),
        ("month_6", True),
        ("month_12", True),
    ]
    elsewhere = as_staff("empowerment_officer", teams=(uuid.uuid4(),))
    assert (await elsewhere.get("/follow-ups/due")).json()["follow_ups"] == []
