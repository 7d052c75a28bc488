"""Sessions over HTTP: sealed notes, who may read them, group sessions across caseloads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg
from fastapi import FastAPI
from psychosocial_support import MOMBASA, NAIROBI, As, FakeIntake, count_events

NOTE = "Synthetic canary note 7f3a: survivor spoke about sleep"


def session(**changes: Any) -> dict[str, Any]:
    return {
        "held_on": "2026-03-02",
        "duration_minutes": 50,
        "approach": "narrative_exposure_therapy",
        "notes": NOTE,
        **changes,
    }


async def test_notes_only_for_counsellors_on_the_caseload(
    app: FastAPI, intake: FakeIntake, counsellor: As, as_staff: Callable[..., As]
) -> None:
    sid = await intake.register()
    await intake.deliver(app)
    body = session(interpreter=True, interpreter_language="sw")
    answer = await counsellor.post(f"/survivors/{sid}/sessions", body)
    assert answer.status_code == 201, answer.text

    mine = (await counsellor.get(f"/survivors/{sid}/sessions")).json()["sessions"]
    assert [(s["notes"], s["notes_visible"]) for s in mine] == [(NOTE, True)]
    assert mine[0]["interpreter_language"] == "sw"

    clinician = await as_staff("clinician").get(f"/survivors/{sid}/sessions")
    assert clinician.status_code == 200
    assert [(s["notes"], s["notes_visible"]) for s in clinician.json()["sessions"]] == [
        (None, False)
    ]

    elsewhere = await as_staff("counsellor", teams=(MOMBASA,)).get(f"/survivors/{sid}/sessions")
    assert elsewhere.status_code == 404
    assert elsewhere.json()["error"] == "SurvivorNotFound"

    for role in ("intake_officer", "empowerment_officer", "programme_lead", "admin"):
        refused = await as_staff(role).get(f"/survivors/{sid}/sessions")
        assert refused.status_code == 403, role


async def test_a_named_case_worker_off_the_team_sees_the_notes(
    app: FastAPI, intake: FakeIntake, as_staff: Callable[..., As]
) -> None:
    worker = as_staff("counsellor", teams=(MOMBASA,))
    sid = await intake.register(team=NAIROBI, worker=worker.staff.staff_id)
    await intake.deliver(app)
    assert (await worker.post(f"/survivors/{sid}/sessions", session())).status_code == 201
    shown = (await worker.get(f"/survivors/{sid}/sessions")).json()["sessions"]
    assert shown[0]["notes"] == NOTE


async def test_notes_are_ciphertext_at_rest(
    app: FastAPI, intake: FakeIntake, counsellor: As, pool: asyncpg.Pool
) -> None:
    sid = await intake.register()
    await intake.deliver(app)
    assert (await counsellor.post(f"/survivors/{sid}/sessions", session())).status_code == 201
    payloads = await pool.fetch("SELECT payload::text AS p FROM events")
    stored = await pool.fetch("SELECT notes FROM session_participants")
    assert not any("canary" in row["p"] for row in payloads)
    assert [row["notes"].startswith("sealed:v2:") for row in stored] == [True]


async def test_a_group_session_needs_every_participant_reachable_and_consenting(
    app: FastAPI, intake: FakeIntake, counsellor: As, pool: asyncpg.Pool
) -> None:
    first, second = await intake.register(), await intake.register()
    away = await intake.register(team=MOMBASA)
    no_consent = await intake.register(consent=False)
    await intake.deliver(app)

    def group(*others: Any) -> dict[str, Any]:
        return session(
            kind="group",
            other_participants=[{"survivor_id": str(o), "attendance": "missed"} for o in others],
        )

    before = await count_events(pool)
    off = await counsellor.post(f"/survivors/{first}/sessions", group(second, away))
    assert off.status_code == 404
    refused = await counsellor.post(f"/survivors/{first}/sessions", group(no_consent))
    assert (refused.status_code, refused.json()["error"]) == (409, "ConsentRequired")
    assert await count_events(pool) == before

    held = await counsellor.post(f"/survivors/{first}/sessions", group(second))
    assert held.status_code == 201, held.text
    theirs = (await counsellor.get(f"/survivors/{second}/sessions")).json()["sessions"]
    assert [(s["attendance"], s["participants"], s["notes"]) for s in theirs] == [
        ("missed", 2, None)
    ]
    mine = (await counsellor.get(f"/survivors/{first}/sessions")).json()["sessions"]
    assert mine[0]["notes"] == NOTE


async def test_impossible_sessions_get_422_and_write_nothing(
    app: FastAPI, intake: FakeIntake, counsellor: As, pool: asyncpg.Pool
) -> None:
    sid = await intake.register()
    other = await intake.register()
    await intake.deliver(app)
    before = await count_events(pool)
    for body, problem in (
        (session(held_on="2099-01-01"), "in the future"),
        (session(held_on="1901-01-01"), "between 1970-01-01"),
        (session(duration_minutes=0), "duration_minutes"),
        (session(approach="hypnosis"), "approach"),
        (session(place="cafe"), "place"),
        (session(other_participants=[{"survivor_id": str(other)}]), "individual session"),
        (session(interpreter_language="sw"), "interpreter is false"),
        (session(unexpected=True), "unexpected"),
    ):
        answer = await counsellor.post(f"/survivors/{sid}/sessions", body)
        assert answer.status_code == 422, (body, answer.text)
        assert problem in answer.text
    assert await count_events(pool) == before
    assert await pool.fetchval("SELECT count(*) FROM sealing_keys") == 0


async def test_an_unknown_survivor_is_not_found(counsellor: As, app: FastAPI) -> None:
    answer = await counsellor.post(
        "/survivors/0190a8e5-7c00-7000-8000-00000000dead/sessions", session()
    )
    assert answer.status_code == 404
