"""Notes sealed with their record: moved to another assessment, step or survivor, they do not open.

The attacker holds empowerment's database runtime role (they can rewrite read tables) but not
the KEK: copying a sealed value into another record must not show its text there.
"""

from __future__ import annotations

import asyncpg
from empowerment_support import NEEDS, PLAN, As, FakeIntake
from fastapi import FastAPI
from uponyaji_events.sealing import UNREADABLE
from uponyaji_service import running

ALPHA = ("Synthetic needs note one of Alpha (FAKE)", "Synthetic needs note two of Alpha (FAKE)")
BETA = "Synthetic needs note of Beta (FAKE)"
OLD = "Synthetic note sealed before records were bound (FAKE)"


async def test_a_note_moved_to_another_record_or_survivor_does_not_open(
    app: FastAPI, intake: FakeIntake, officer: As, pool: asyncpg.Pool
) -> None:
    alpha, beta = await intake.register(), await intake.register()
    await intake.deliver(app)
    ids = []
    for sid, note in ((alpha, ALPHA[0]), (alpha, ALPHA[1]), (beta, BETA)):
        answer = await officer.post(f"/survivors/{sid}/needs-assessments", {**NEEDS, "notes": note})
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["assessment_id"])
    plan = await officer.post(f"/survivors/{alpha}/plan", PLAN)
    assert plan.status_code == 201, plan.text

    stored = await pool.fetch(
        "SELECT payload FROM events WHERE type = 'empowerment.NeedsAssessed' ORDER BY position"
    )
    notes = [dict(r["payload"])["notes"] for r in stored]
    assert all(n.startswith("sealed:v2:") for n in notes), notes

    # Alpha's first note into Alpha's second assessment; Beta's note into Alpha's first; the
    # goal's description into its step.
    await pool.execute(
        "UPDATE needs_assessments SET notes = $1 WHERE assessment_id = $2", notes[0], ids[1]
    )
    await pool.execute(
        "UPDATE needs_assessments SET notes = $1 WHERE assessment_id = $2", notes[2], ids[0]
    )
    await pool.execute(
        "UPDATE plan_goals SET steps = jsonb_set(steps, '{0,description}', "
        "to_jsonb(description)) WHERE survivor_id = $1",
        alpha,
    )

    answer = await officer.get(f"/survivors/{alpha}/empowerment")
    assert answer.status_code == 200, answer.text
    record = answer.json()
    shown = {n["assessment_id"]: n["notes"] for n in record["needs_assessments"]}
    assert shown == {ids[0]: UNREADABLE, ids[1]: UNREADABLE}
    goal = record["plan"]["goals"][0]
    assert goal["description"] == PLAN["goals"][0]["description"]  # type: ignore[index]
    assert goal["steps"][0]["description"] == UNREADABLE
    assert BETA not in answer.text
    assert ALPHA[0] not in answer.text

    # A value sealed before records were bound (v1: survivor and field only) still opens.
    context = "empowerment.NeedsAssessed/notes"
    old = await running(app).parts.keys.sealer.seal(alpha, context, OLD)
    assert str(old).startswith("sealed:v1:")
    await pool.execute(
        "UPDATE needs_assessments SET notes = $1 WHERE assessment_id = $2", str(old), ids[1]
    )
    record = (await officer.get(f"/survivors/{alpha}/empowerment")).json()
    shown = {n["assessment_id"]: n["notes"] for n in record["needs_assessments"]}
    assert shown[ids[1]] == OLD
