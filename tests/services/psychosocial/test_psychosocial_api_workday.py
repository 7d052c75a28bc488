"""A counsellor's caseload and day over HTTP: bound to their caseload, audited, no leaks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import asyncpg
from fastapi import FastAPI
from psychosocial_support import MOMBASA, NAIROBI, PHQ9_RISKY, As, FakeIntake, count_events

DAY = "2026-03-02"
EAT = timezone(timedelta(hours=3))


def session(**changes: Any) -> dict[str, Any]:
    return {
        "held_on": DAY,
        "duration_minutes": 50,
        "approach": "narrative_exposure_therapy",
        "notes": "Synthetic canary note 41c2",
        **changes,
    }


def group(*others: Any, kind: str = "group", attendance: str = "attended") -> dict[str, Any]:
    return session(
        kind=kind,
        other_participants=[{"survivor_id": str(o), "attendance": attendance} for o in others],
    )


def people(found: dict[str, Any]) -> list[tuple[str, str]]:
    """A day's session's named participants and their attendance."""
    return [(x["survivor_id"], x["attendance"]) for x in found["survivors"]]


async def listed(pool: asyncpg.Pool, route: str) -> list[dict[str, Any]]:
    """The `SurvivorsListed` audit records of a route, in the order they were written."""
    rows = await pool.fetch(
        "SELECT payload FROM events WHERE type = 'psychosocial.SurvivorsListed' "
        "AND payload->>'route' = $1 ORDER BY id",  # insertion order: positions come later
        route,
    )
    return [dict(row["payload"]) for row in rows]


async def test_the_caseload_shows_my_open_cases_and_nothing_of_another(
    app: FastAPI, intake: FakeIntake, as_staff: Callable[..., As], pool: asyncpg.Pool
) -> None:
    me = as_staff("counsellor")
    flagged = await intake.register(worker=me.staff.staff_id)
    seen = await intake.register()
    missed = await intake.register()
    mine_elsewhere = await intake.register(team=MOMBASA, worker=me.staff.staff_id)
    theirs = await intake.register(team=MOMBASA)
    closed = await intake.register()
    await intake.close(closed)
    await intake.deliver(app)

    assert (await me.post(f"/survivors/{seen}/sessions", group(flagged))).status_code == 201
    later = session(held_on="2026-03-09")
    assert (await me.post(f"/survivors/{seen}/sessions", later)).status_code == 201
    absent = session(held_on="2026-03-10", attendance="missed")
    assert (await me.post(f"/survivors/{missed}/sessions", absent)).status_code == 201
    phq9 = {"instrument": "PHQ-9", "responses": PHQ9_RISKY, "administered_at": f"{DAY}T09:00Z"}
    assert (await me.post(f"/survivors/{flagged}/assessments", phq9)).status_code == 201

    answer = await me.get("/caseload")
    assert answer.status_code == 200, answer.text
    rows = {row["survivor_id"]: row for row in answer.json()["survivors"]}
    assert set(rows) == {str(flagged), str(seen), str(missed), str(mine_elsewhere)}
    assert answer.json()["survivors"][0]["survivor_id"] == str(flagged)  # open flag first
    top = rows[str(flagged)]
    assert (top["open_flags"], top["last_session_on"], top["assigned_to_you"]) == (1, DAY, True)
    assert top["latest"] == {
        "instrument": "PHQ-9",
        "band": "moderate",
        "administered_at": "2026-03-02T09:00:00+00:00",
    }
    assert rows[str(seen)]["last_session_on"] == "2026-03-09"
    assert rows[str(seen)]["latest"] is None
    assert rows[str(missed)]["last_session_on"] is None  # a missed session is not a session held
    assert rows[str(mine_elsewhere)]["assigned_to_you"] is True
    assert rows[str(seen)]["assigned_to_you"] is False

    # Pages: the same order, each survivor once.
    first_page = (await me.get("/caseload", params={"limit": 3})).json()
    assert first_page["next_offset"] == 3
    rest = (await me.get("/caseload", params={"limit": 3, "offset": 3})).json()
    assert rest["next_offset"] is None
    paged = [r["survivor_id"] for r in first_page["survivors"] + rest["survivors"]]
    assert paged == [r["survivor_id"] for r in answer.json()["survivors"]]
    assert answer.json()["next_offset"] is None

    # Mombasa's counsellor sees Mombasa's cases only: nothing of the Nairobi caseload.
    other = (await as_staff("counsellor", teams=(MOMBASA,)).get("/caseload")).json()
    assert {row["survivor_id"] for row in other["survivors"]} == {
        str(mine_elsewhere),
        str(theirs),
    }
    assert all(row["assigned_to_you"] is False for row in other["survivors"])

    # Each answer's audit record names exactly the survivors it returned.
    records = await listed(pool, "/caseload")
    assert [r["action"] for r in records] == ["psychosocial.caseload.read"] * 4
    assert {x["survivor_id"] for x in records[0]["results"]} == set(rows)
    assert all(x["on_caseload"] is True for x in records[0]["results"])


async def test_my_day_lists_the_sessions_i_logged_on_my_caseload(
    app: FastAPI, intake: FakeIntake, as_staff: Callable[..., As], pool: asyncpg.Pool
) -> None:
    me, colleague = as_staff("counsellor"), as_staff("counsellor")
    first, second, moved = [await intake.register() for _ in range(3)]
    await intake.deliver(app)
    assert (await me.post(f"/survivors/{first}/sessions", session())).status_code == 201
    family = group(second, moved, kind="family", attendance="missed")
    assert (await me.post(f"/survivors/{first}/sessions", family)).status_code == 201
    other_day = session(held_on="2026-03-03")
    assert (await me.post(f"/survivors/{second}/sessions", other_day)).status_code == 201
    assert (await colleague.post(f"/survivors/{second}/sessions", session())).status_code == 201
    await intake.assign(moved, MOMBASA, None)  # no longer on my caseload
    await intake.deliver(app)

    answer = await me.get("/sessions", params={"day": DAY})
    assert answer.status_code == 200, answer.text
    day = answer.json()
    assert (day["day"], day["previous_day"], day["next_day"]) == (DAY, "2026-03-01", "2026-03-03")
    shown = [(s["kind"], s["participants"], people(s)) for s in day["sessions"]]
    first_only = [(str(first), "attended")]
    both = sorted([(str(first), "attended"), (str(second), "missed")], key=lambda x: x[0])
    assert [(k, n, sorted(p)) for k, n, p in shown] == [
        ("individual", 1, first_only),
        ("family", 3, both),  # the moved survivor is counted, not named
    ]
    assert "notes" not in answer.text
    assert "canary" not in answer.text
    records = await listed(pool, "/sessions")
    assert {x["survivor_id"] for x in records[-1]["results"]} == {str(first), str(second)}

    # Without a day: today in East Africa Time.
    today = datetime.now(UTC).astimezone(EAT).date().isoformat()
    now = session(held_on=today)
    assert (await me.post(f"/survivors/{second}/sessions", now)).status_code == 201
    todays = (await me.get("/sessions")).json()
    assert todays["day"] == today
    assert [[x["survivor_id"] for x in s["survivors"]] for s in todays["sessions"]] == [
        [str(second)]
    ]
    # The colleague's day holds their own session only.
    theirs = (await colleague.get("/sessions", params={"day": DAY})).json()["sessions"]
    assert [[x["survivor_id"] for x in s["survivors"]] for s in theirs] == [[str(second)]]


async def test_other_roles_are_refused_and_bad_input_is_422(
    app: FastAPI, intake: FakeIntake, as_staff: Callable[..., As], pool: asyncpg.Pool
) -> None:
    sid = await intake.register()
    await intake.deliver(app)
    counsellor = as_staff("counsellor")
    assert (await counsellor.post(f"/survivors/{sid}/sessions", session())).status_code == 201
    for role in ("clinician", "intake_officer", "programme_lead", "admin", "empowerment_officer"):
        for path in ("/caseload", "/sessions"):
            refused = await as_staff(role).get(path, params={"day": DAY} if "ses" in path else {})
            assert (refused.status_code, refused.json()["error"]) == (403, "Forbidden"), role
    supervisor = (await as_staff("clinical_supervisor").get("/caseload")).json()
    assert [row["survivor_id"] for row in supervisor["survivors"]] == [str(sid)]

    before = await count_events(pool)
    for path, params, field in (
        ("/sessions", {"day": "2026-13-01"}, "day"),
        ("/sessions", {"day": "1901-01-01"}, "day"),
        ("/sessions", {"day": "yesterday"}, "day"),
        ("/caseload", {"limit": "0"}, "limit"),
        ("/caseload", {"limit": "100000"}, "limit"),
        ("/caseload", {"offset": "-1"}, "offset"),
    ):
        bad = await counsellor.get(path, params=params)
        assert bad.status_code == 422, (path, params, bad.text)
        assert field in bad.text
    assert await count_events(pool) == before


async def test_nairobi_sessions_never_reach_a_mombasa_counsellors_day(
    app: FastAPI, intake: FakeIntake, as_staff: Callable[..., As]
) -> None:
    # A counsellor who moved teams keeps no view of the sessions they logged on the old caseload.
    me = as_staff("counsellor", teams=(NAIROBI,))
    sid = await intake.register()
    await intake.deliver(app)
    assert (await me.post(f"/survivors/{sid}/sessions", session())).status_code == 201
    moved = As(me.http, me.key, replace(me.staff, teams=(MOMBASA,)))
    day = (await moved.get("/sessions", params={"day": DAY})).json()
    assert day["sessions"] == []
    assert (await moved.get("/caseload")).json()["survivors"] == []


async def test_the_next_session_is_planned_shown_and_cleared(
    app: FastAPI, intake: FakeIntake, as_staff: Callable[..., As], pool: asyncpg.Pool
) -> None:
    me = as_staff("counsellor")
    sid, other = await intake.register(), await intake.register()
    away = await intake.register(team=MOMBASA)
    await intake.deliver(app)
    today = datetime.now(UTC).astimezone(EAT).date()
    soon = (today + timedelta(days=7)).isoformat()

    before = await count_events(pool)
    for body, status in (
        ({"planned_on": (today - timedelta(days=1)).isoformat()}, 422),  # in the past
        ({"planned_on": "2026-02-30"}, 422),
        ({"planned_on": "2101-01-01"}, 422),
        ({}, 422),  # say null to clear, not nothing
        ({"planned_on": soon, "notes": "x"}, 422),
    ):
        refused = await me.post(f"/survivors/{sid}/next-session", body)
        assert refused.status_code == status, (body, refused.text)
    assert (
        await me.post(f"/survivors/{away}/next-session", {"planned_on": soon})
    ).status_code == 404
    clinician = await as_staff("clinician").post(
        f"/survivors/{sid}/next-session", {"planned_on": soon}
    )
    assert clinician.status_code == 403
    assert await count_events(pool) == before

    planned = await me.post(f"/survivors/{sid}/next-session", {"planned_on": soon})
    assert planned.status_code == 201, planned.text
    assert planned.json()["events"][0]["type"] == "psychosocial.SessionPlanned"
    rows = {r["survivor_id"]: r for r in (await me.get("/caseload")).json()["survivors"]}
    assert rows[str(sid)]["next_session_on"] == soon
    assert rows[str(other)]["next_session_on"] is None
    day = (await me.get("/sessions", params={"day": soon})).json()
    assert day["planned"] == [
        {"survivor_id": str(sid), "case_number": rows[str(sid)]["case_number"], "logged": False}
    ]
    # Another counsellor's day does not show my plans.
    theirs = (await as_staff("counsellor").get("/sessions", params={"day": soon})).json()
    assert theirs["planned"] == []

    # Planned for today and held: no longer "next"; today's list says it is logged.
    assert (
        await me.post(f"/survivors/{other}/next-session", {"planned_on": today.isoformat()})
    ).status_code == 201
    held = session(held_on=today.isoformat())
    assert (await me.post(f"/survivors/{other}/sessions", held)).status_code == 201
    rows = {r["survivor_id"]: r for r in (await me.get("/caseload")).json()["survivors"]}
    assert rows[str(other)]["next_session_on"] is None
    todays = (await me.get("/sessions")).json()["planned"]
    assert [(p["survivor_id"], p["logged"]) for p in todays] == [(str(other), True)]

    cleared = await me.post(f"/survivors/{sid}/next-session", {"planned_on": None})
    assert cleared.status_code == 201, cleared.text
    rows = {r["survivor_id"]: r for r in (await me.get("/caseload")).json()["survivors"]}
    assert rows[str(sid)]["next_session_on"] is None
