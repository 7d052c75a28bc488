"""Specialist referrals and follow-ups are listed with their answers, audited, per field rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from medical_api_support import MOMBASA, As, FakeIntake
from uponyaji_events.eat import EAT
from uponyaji_medical.app import MIGRATIONS

ENCOUNTER = {
    "kind": "initial_assessment",
    "occurred_at": "2026-03-04T07:00:00+00:00",
    "county_code": "047",
    "facility": "Synthetic Clinic (FAKE)",
}


async def test_referrals_and_follow_ups_are_listed_with_their_answers(
    app: FastAPI, intake: FakeIntake, clinician: As, as_staff: Callable[..., As], pool: Any
) -> None:
    sid = await intake.register()
    await intake.deliver(app)
    base = f"/survivors/{sid}"
    opened = await clinician.post(f"{base}/encounters", ENCOUNTER)
    assert opened.status_code == 201, opened.text
    eid = opened.json()["id"]
    referred = await clinician.post(
        f"{base}/specialist-referrals",
        {"encounter_id": eid, "specialty": "orthopaedics", "reason": "Suspected fracture (FAKE)"},
    )
    assert referred.status_code == 201, referred.text
    rid = referred.json()["id"]
    due = (date.today() + timedelta(days=20)).isoformat()
    booked = await clinician.post(f"{base}/follow-ups", {"encounter_id": eid, "due_on": due})
    assert booked.status_code == 201, booked.text
    fid = booked.json()["id"]

    listed = await clinician.get(f"{base}/specialist-referrals")
    assert listed.status_code == 200, listed.text
    [referral] = listed.json()["specialist_referrals"]
    assert referral["specialist_referral_id"] == rid
    assert referral["specialty"] == "orthopaedics"
    assert referral["reason"] == "Suspected fracture (FAKE)"
    assert referral["outcome"] is None
    [follow_up] = (await clinician.get(f"{base}/follow-ups")).json()["follow_ups"]
    assert (follow_up["follow_up_id"], follow_up["due_on"]) == (fid, due)
    assert (follow_up["attendance"], follow_up["overdue"]) == (None, False)

    outcome = {"outcome": "treated", "note": "Cast applied (FAKE)"}
    answered = await clinician.post(f"{base}/specialist-referrals/{rid}/outcome", outcome)
    assert answered.status_code == 201, answered.text
    kept = await clinician.post(f"{base}/follow-ups/{fid}/attendance", {"attendance": "attended"})
    assert kept.status_code == 201, kept.text
    [referral] = (await clinician.get(f"{base}/specialist-referrals")).json()[
        "specialist_referrals"
    ]
    assert (referral["outcome"], referral["outcome_note"]) == ("treated", "Cast applied (FAKE)")
    assert referral["outcome_by"] == str(clinician.staff.staff_id)
    [follow_up] = (await clinician.get(f"{base}/follow-ups")).json()["follow_ups"]
    assert follow_up["attendance"] == "attended"
    assert follow_up["attendance_at"] is not None

    # the reason and the note are sealed in the events and the read table
    stored = await pool.fetchval(
        "SELECT status_note FROM record_entries WHERE entry_id = $1::uuid", rid
    )
    assert stored is not None
    assert "Cast applied" not in stored

    # an encounter documented after the fact shows its reason, unsealed, on the record
    early = {**ENCOUNTER, "occurred_at": "2026-01-02T07:00:00+00:00"}
    refused = await clinician.post(f"{base}/encounters", early)
    assert refused.json()["error"] == "WorkBeforeConsent"
    why = "Paper notes from the January outreach (FAKE)"
    late = await clinician.post(f"{base}/encounters", {**early, "retrospective_reason": why})
    assert late.status_code == 201, late.text
    record = (await clinician.get(f"{base}/record")).json()
    shown = {e["encounter_id"]: e.get("retrospective_reason") for e in record["encounters"]}
    assert shown == {eid: None, late.json()["id"]: why}

    # answers recorded before the columns existed get them from the events when migrating
    await pool.execute("UPDATE record_entries SET status_note = NULL, status_by = NULL")
    await pool.execute((MIGRATIONS / "020_care_answers.sql").read_text())
    [again] = (await clinician.get(f"{base}/specialist-referrals")).json()["specialist_referrals"]
    assert again == referral

    # another team's clinician and a counsellor learn nothing; every attempt is audited
    elsewhere = as_staff("clinician", teams=(MOMBASA,))
    for path in ("specialist-referrals", "follow-ups"):
        assert (await elsewhere.get(f"{base}/{path}")).status_code == 404
        assert (await as_staff("counsellor").get(f"{base}/{path}")).status_code == 403
    audited = await pool.fetch(
        "SELECT payload->>'route' AS route, payload->>'outcome' AS outcome FROM events "
        "WHERE type = 'medical.SurvivorDataAccessed' AND payload->>'survivor_id' = $1",
        str(sid),
    )
    seen = {(r["route"].rsplit("/", 1)[-1], r["outcome"]) for r in audited}
    for path in ("specialist-referrals", "follow-ups"):
        assert {(path, "allowed"), (path, "not_found"), (path, "denied")} <= seen
    # a malformed survivor id is a survivor the caller may not know: 404, as for the others
    assert (await clinician.get("/survivors/not-a-uuid/follow-ups")).status_code == 404


async def test_the_appointment_book_lists_the_caseloads_follow_ups_by_day(
    app: FastAPI, intake: FakeIntake, clinician: As, as_staff: Callable[..., As], pool: Any
) -> None:
    today = datetime.now(EAT).date()  # the clinic's day, as the service counts it
    ours, theirs = await intake.register(), await intake.register(team=MOMBASA)
    await intake.deliver(app)
    mombasa = as_staff("clinician", teams=(MOMBASA,))

    async def book(who: As, sid: Any, in_days: int) -> str:
        base = f"/survivors/{sid}"
        opened = await who.post(f"{base}/encounters", ENCOUNTER)
        assert opened.status_code == 201, opened.text
        due = (today + timedelta(days=in_days)).isoformat()
        booked = await who.post(
            f"{base}/follow-ups", {"encounter_id": opened.json()["id"], "due_on": due}
        )
        assert booked.status_code == 201, booked.text
        return str(booked.json()["id"])

    soon, later = await book(clinician, ours, 1), await book(clinician, ours, 9)
    elsewhere = await book(mombasa, theirs, 1)

    # this week (the default): our survivor's appointment tomorrow, not Mombasa's, not day 9
    week = await clinician.get("/follow-ups")
    assert week.status_code == 200, week.text
    book_now = week.json()
    assert (book_now["first_day"], book_now["last_day"]) == (
        today.isoformat(),
        (today + timedelta(days=6)).isoformat(),
    )
    [tomorrow] = book_now["follow_ups"]
    assert (tomorrow["follow_up_id"], tomorrow["survivor_id"]) == (soon, str(ours))
    assert tomorrow["case_number"].startswith("UPJ-")
    assert book_now["unrecorded"] == []
    assert [f["follow_up_id"] for f in (await mombasa.get("/follow-ups")).json()["follow_ups"]] == [
        elsewhere
    ]

    # from day 3 for ten days: day 9's appointment, and tomorrow's, still unrecorded, apart
    ahead = (
        await clinician.get(
            "/follow-ups", params={"from": (today + timedelta(days=3)).isoformat(), "days": 10}
        )
    ).json()
    assert [f["follow_up_id"] for f in ahead["follow_ups"]] == [later]
    assert [f["follow_up_id"] for f in ahead["unrecorded"]] == [soon]
    kept = await clinician.post(
        f"/survivors/{ours}/follow-ups/{soon}/attendance", {"attendance": "attended"}
    )
    assert kept.status_code == 201, kept.text
    again = (
        await clinician.get("/follow-ups", params={"from": (today + timedelta(days=3)).isoformat()})
    ).json()
    assert again["unrecorded"] == []
    [shown] = (await clinician.get("/follow-ups")).json()["follow_ups"]
    assert (shown["follow_up_id"], shown["attendance"]) == (soon, "attended")

    # each listing is audited with the survivors it returned
    listed = await pool.fetch(
        "SELECT payload FROM events WHERE type = 'medical.SurvivorsListed' "
        "AND payload->>'route' = '/follow-ups'"
    )
    assert listed, "the appointment book's listings are audited"
    named = {r["survivor_id"] for p in listed for r in p["payload"]["results"]}
    assert named == {str(ours), str(theirs)}  # each clinician's own listings name their own

    # bad input is refused by name, and a counsellor may not read the clinic's book
    for params, named_field in (
        ({"from": "2026-13-01"}, "from"),
        ({"days": "0"}, "days"),
        ({"days": "40"}, "days"),
        ({"from": "9999-12-31"}, "from"),
    ):
        refused = await clinician.get("/follow-ups", params=params)
        assert refused.status_code == 422, (params, refused.text)
        assert named_field in refused.text
    assert (await as_staff("counsellor").get("/follow-ups")).status_code == 403
