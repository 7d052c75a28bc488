"""Demo data: believable trajectories, every body valid, and a seed that runs once per survivor."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from fractions import Fraction
from uuid import NAMESPACE_URL, uuid5

import asyncpg
from fastapi import FastAPI
from psychosocial_support import As, FakeIntake
from uponyaji_psychosocial import demo
from uponyaji_psychosocial.handlers import today
from uponyaji_psychosocial.instruments import Instruments, compare, score
from uponyaji_psychosocial.schemas import AssessmentBody, GoalBody, ReviewBody, SessionBody
from uponyaji_psychosocial.seed import seed
from uponyaji_psychosocial.settings import Settings

TODAY = date(2026, 6, 1)
TABLE = Instruments()
IDS = [uuid5(NAMESPACE_URL, f"urn:test:survivor:{n}") for n in range(200)]


def phq9_course(plan: demo.DemoJourney) -> str:
    totals = [
        Fraction(score(TABLE["PHQ-9"], a["responses"]).score)
        for a in plan.assessments
        if a["instrument"] == "PHQ-9"
    ]
    return compare(TABLE["PHQ-9"], totals[0], totals[-1]).classification.value


def test_journeys_are_valid_and_mostly_improving() -> None:
    plans = [demo.journey(sid, TODAY) for sid in IDS]
    for plan in plans:
        for body in plan.assessments:
            AssessmentBody.model_validate(body)
            assert body["administered_at"] < TODAY.isoformat()
        for session in plan.sessions:
            SessionBody.model_validate(session)
        for goal, reviews in plan.goals:
            GoalBody.model_validate(goal)
            for review in reviews:
                ReviewBody.model_validate(review)
    courses = Counter(plan.course for plan in plans)
    assert courses["improving"] + courses["recovering"] > len(plans) / 2
    assert courses["flat"] >= 10
    assert courses["worsening"] >= 10
    outcomes = Counter(phq9_course(plan) for plan in plans)
    assert outcomes["reliable_improvement"] + outcomes["reliable_recovery"] > len(plans) / 3
    assert outcomes["deterioration"] >= 5
    risky = [
        plan
        for plan in plans
        if any(a["instrument"] == "PHQ-9" and a["responses"][8] for a in plan.assessments)
    ]
    assert 5 <= len(risky) <= 40


def test_journeys_are_the_same_every_time() -> None:
    assert demo.journey(IDS[0], TODAY) == demo.journey(IDS[0], TODAY)


async def test_seed_records_journeys_once(
    app: FastAPI, intake: FakeIntake, settings: Settings, pool: asyncpg.Pool, counsellor: As
) -> None:
    seeded = [await intake.register() for _ in range(3)]
    await intake.register(consent=False)
    closed = await intake.register()
    await intake.close(closed)
    recent = await intake.register(consent=False)
    await intake.grant(recent, at=datetime.now(UTC))  # consent today: no invented history
    await intake.deliver(app)

    made, _flags = await seed(settings, wait=0)
    assert made == 3
    assert await seed(settings, wait=0) == (0, 0)

    per_survivor = await pool.fetch(
        "SELECT survivor_id, count(*) AS n FROM assessments GROUP BY survivor_id"
    )
    assert {row["survivor_id"] for row in per_survivor} == set(seeded)
    sessions_of_recent = await pool.fetchval(
        "SELECT count(*) FROM session_participants WHERE survivor_id = $1", recent
    )
    assert sessions_of_recent == 0
    progress = (await counsellor.get(f"/survivors/{seeded[0]}/progress")).json()
    assert progress["instruments"][0]["instrument"] == "PHQ-9"
    assert progress["instruments"][0]["classification"] is not None
    sessions = (await counsellor.get(f"/survivors/{seeded[0]}/sessions")).json()["sessions"]
    assert sessions
    assert any(s["notes"] and "Synthetic" in s["notes"] for s in sessions)
    # Each seeded survivor has a next session planned, from today on, on the caseload page.
    caseload = (await counsellor.get("/caseload")).json()["survivors"]
    planned = {row["survivor_id"]: row["next_session_on"] for row in caseload}
    now = today().isoformat()  # the seed plans from the real day, not TODAY
    assert all((planned[str(s)] or "") >= now for s in seeded)
