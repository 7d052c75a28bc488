"""Notes sealed with their record: moved to another session, goal or survivor, they do not open.

The attacker here holds psychosocial's database runtime role: they can append events (which the
service then signs as its own) and update read tables, but they do not have the KEK. Copying a
sealed note into another record must not show its text there.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from fastapi import FastAPI
from psychosocial_support import As, FakeIntake
from uponyaji_events.envelope import Actor, NewEvent
from uponyaji_events.sealing import UNREADABLE
from uponyaji_events.unit_of_work import unit_of_work
from uponyaji_psychosocial import projections
from uponyaji_service import running

NOTES = "psychosocial.SessionRecorded/participants[].notes"
ALPHA_NOTE = "Synthetic note for Test Survivor Alpha (FAKE)"
BETA_NOTE = "Synthetic note for Test Survivor Beta (FAKE)"
OLD_NOTE = "Synthetic note sealed before records were bound (FAKE)"


def session(notes: str) -> dict[str, Any]:
    return {
        "held_on": "2026-03-02",
        "duration_minutes": 50,
        "approach": "narrative_exposure_therapy",
        "notes": notes,
    }


async def stored_payload(pool: asyncpg.Pool, session_id: str) -> dict[str, Any]:
    raw = await pool.fetchval(
        "SELECT payload FROM events WHERE stream_id = $1 AND type = 'psychosocial.SessionRecorded'",
        session_id,
    )
    found: dict[str, Any] = json.loads(raw) if isinstance(raw, str) else dict(raw)
    return found


async def append_session(app: FastAPI, payload: dict[str, Any], notes: str) -> str:
    """Append (as a holder of the runtime role could) a session whose note is `notes`."""
    session_id = str(uuid4())
    forged = {**payload, "session_id": session_id}
    forged["participants"] = [{**forged["participants"][0], "notes": notes}]
    store = running(app).parts.store
    async with unit_of_work(store, project=projections.apply_all) as uow:
        event = NewEvent(type="psychosocial.SessionRecorded", payload=forged)
        await uow.append("session", session_id, 0, [event], actor=Actor.system("insider"))
    return session_id


async def test_a_note_moved_to_another_session_or_survivor_does_not_open(
    app: FastAPI, intake: FakeIntake, counsellor: As, pool: asyncpg.Pool
) -> None:
    alpha, beta = await intake.register(), await intake.register()
    await intake.deliver(app)
    first = await counsellor.post(f"/survivors/{alpha}/sessions", session(ALPHA_NOTE))
    other = await counsellor.post(f"/survivors/{beta}/sessions", session(BETA_NOTE))
    assert first.status_code == other.status_code == 201, first.text
    first_id, other_id = first.json()["session_id"], other.json()["session_id"]

    genuine = await stored_payload(pool, first_id)
    alpha_sealed = genuine["participants"][0]["notes"]
    beta_sealed = (await stored_payload(pool, other_id))["participants"][0]["notes"]
    assert alpha_sealed.startswith("sealed:v2:")
    assert beta_sealed.startswith("sealed:v2:")

    # Alpha's note copied into another session of Alpha; Beta's note copied into one of Alpha.
    moved = await append_session(app, genuine, alpha_sealed)
    from_beta = await append_session(app, genuine, beta_sealed)
    # A value sealed before records were bound (v1: survivor and field only) still opens.
    old = await running(app).parts.keys.sealer.seal(alpha, NOTES, OLD_NOTE)
    assert str(old).startswith("sealed:v1:")
    legacy = await append_session(app, genuine, str(old))

    answer = await counsellor.get(f"/survivors/{alpha}/sessions")
    assert answer.status_code == 200, answer.text
    notes = {s["session_id"]: s["notes"] for s in answer.json()["sessions"]}
    assert notes == {
        first_id: ALPHA_NOTE,
        moved: UNREADABLE,
        from_beta: UNREADABLE,
        legacy: OLD_NOTE,
    }
    assert BETA_NOTE not in answer.text
    assert answer.text.count(ALPHA_NOTE) == 1


async def test_a_goal_description_moved_to_another_goal_does_not_open(
    app: FastAPI, intake: FakeIntake, counsellor: As, pool: asyncpg.Pool
) -> None:
    sid = await intake.register()
    await intake.deliver(app)
    goals = []
    for text in ("Synthetic goal one (FAKE)", "Synthetic goal two (FAKE)"):
        body = {"domain": "relationships", "description": text, "target_date": "2026-05-01"}
        answer = await counsellor.post(f"/survivors/{sid}/care-plan/goals", body)
        assert answer.status_code == 201, answer.text
        goals.append(UUID(answer.json()["goal_id"]))
    review = {"status": "partially_achieved", "note": "Synthetic review (FAKE)"}
    path = f"/survivors/{sid}/care-plan/goals/{goals[0]}/reviews"
    assert (await counsellor.post(path, review)).status_code == 201

    # The runtime role rewrites goal two's row and review with goal one's sealed texts.
    await pool.execute(
        "UPDATE care_plan_goals SET description = "
        "(SELECT description FROM care_plan_goals WHERE goal_id = $1) WHERE goal_id = $2",
        goals[0],
        goals[1],
    )
    await pool.execute("UPDATE goal_reviews SET goal_id = $2 WHERE goal_id = $1", *goals)

    answer = await counsellor.get(f"/survivors/{sid}/care-plan")
    assert answer.status_code == 200, answer.text
    shown = {g["goal_id"]: g for g in answer.json()["goals"]}
    assert shown[str(goals[0])]["description"] == "Synthetic goal one (FAKE)"
    assert shown[str(goals[1])]["description"] == UNREADABLE
    assert [r["note"] for r in shown[str(goals[1])]["reviews"]] == [UNREADABLE]
    assert "Synthetic review" not in answer.text
