"""Specialist referrals and follow-ups are listed with their answers, audited, per field rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from fastapi import FastAPI
from medical_api_support import MOMBASA, As, FakeIntake
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
