"""Evidence: capture time kept, location and device data stripped, custody, tamper alarms;
and intake's events: referrals answered, erasure destroying the key."""

from __future__ import annotations

import io
from typing import Any
from uuid import UUID

from fastapi import FastAPI
from medical_api_support import As, FakeIntake, photo_with_gps
from PIL import Image
from uponyaji_events.sealing import ERASED

PHOTO_SCOPES = ("medical_examination", "photography_storage")


async def test_a_photo_keeps_its_capture_time_and_leaves_without_gps_or_serial(
    app: FastAPI, intake: FakeIntake, clinician: As, as_staff: Any, pool: Any
) -> None:
    sid = await intake.register(scopes=PHOTO_SCOPES)
    await intake.deliver(app)
    photo = photo_with_gps()
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(0x8825)  # the original has GPS
    made = await clinician.upload(
        f"/survivors/{sid}/evidence", photo, kind="photograph", identifying=True
    )
    assert made.status_code == 201, made.text
    assert made.json()["captured_at"].startswith("2026-03-04T10:40:00")
    item = made.json()["evidence_id"]
    served = await clinician.get(f"/survivors/{sid}/evidence/{item}/file")
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    clean = Image.open(io.BytesIO(served.content))
    exif = clean.getexif()
    assert not exif.get_ifd(0x8825)  # no GPS
    assert b"SERIAL-0001" not in served.content
    assert b"FAKE-CAM" not in served.content
    assert clean.size == (64, 48)

    # custody: only the holder hands over; every hand-over and access is on the chain
    other = as_staff("clinician")
    wrong = await clinician.post(
        f"/survivors/{sid}/evidence/{item}/hand-overs",
        {
            "from_holder_id": str(other.staff.staff_id),
            "to_holder_id": str(clinician.staff.staff_id),
            "from_location": "medical_record_store",
            "to_location": "legal_team",
            "reason": "Synthetic (FAKE)",
        },
    )
    assert wrong.status_code == 409
    assert "from_holder_id" in wrong.json()["detail"]
    moved = await clinician.post(
        f"/survivors/{sid}/evidence/{item}/hand-overs",
        {
            "from_holder_id": str(clinician.staff.staff_id),
            "to_holder_id": str(other.staff.staff_id),
            "from_location": "medical_record_store",
            "to_location": "legal_team",
            "reason": "Synthetic hand-over for the hearing (FAKE)",
        },
    )
    assert moved.status_code == 201, moved.text
    chain = (await clinician.get(f"/survivors/{sid}/evidence/{item}/custody")).json()["custody"]
    assert [c["step"] for c in chain] == ["captured", "accessed", "handed_over"]
    assert chain[2]["reason"] == "Synthetic hand-over for the hearing (FAKE)"
    again = await clinician.post(
        f"/survivors/{sid}/evidence/{item}/hand-overs",
        {
            "from_holder_id": str(clinician.staff.staff_id),
            "to_holder_id": str(other.staff.staff_id),
            "from_location": "legal_team",
            "to_location": "court",
            "reason": "Synthetic (FAKE)",
        },
    )
    assert again.status_code == 409  # the clinician no longer holds it

    # a stored file altered behind the service's back is never served, and raises an alarm
    await pool.execute(
        "UPDATE evidence_blobs SET sealed = overlay(sealed placing '\\x00'::bytea from 40) "
        "WHERE evidence_id = $1",
        UUID(item),
    )
    tampered = await clinician.get(f"/survivors/{sid}/evidence/{item}/file")
    assert tampered.status_code == 409
    assert tampered.json()["error"] == "EvidenceTampered"
    alarms = await pool.fetchval(
        "SELECT count(*) FROM events WHERE type = 'medical.EvidenceIntegrityAlarm'"
    )
    assert alarms == 1


async def test_referrals_are_answered_and_erasure_destroys_the_key(
    app: FastAPI, intake: FakeIntake, clinician: As, pool: Any
) -> None:
    sid = await intake.register(scopes=PHOTO_SCOPES)
    referral = await intake.refer(sid)
    await intake.deliver(app)
    pending = (await clinician.get("/referrals")).json()["referrals"]
    assert [r["referral_id"] for r in pending] == [str(referral)]
    listed = await pool.fetchval(  # the list's audit record names the survivor it returned
        "SELECT payload FROM events WHERE type = 'medical.SurvivorsListed'"
    )
    assert listed["results"] == [{"survivor_id": str(sid), "on_caseload": True}]
    answer = await clinician.post(f"/referrals/{referral}/decision", {"decision": "accepted"})
    assert answer.status_code == 201, answer.text
    assert (
        await clinician.post(f"/referrals/{referral}/decision", {"decision": "declined"})
    ).status_code == 409
    assert (await clinician.get("/referrals")).json()["referrals"] == []
    # a referral answered in intake itself is no longer pending here
    other = await intake.refer(sid)
    await intake.deliver(app)
    assert len((await clinician.get("/referrals")).json()["referrals"]) == 1
    await intake.answer(sid, other, "declined")
    await intake.deliver(app)
    assert (await clinician.get("/referrals")).json()["referrals"] == []
    late = await clinician.post(f"/referrals/{other}/decision", {"decision": "accepted"})
    assert late.status_code == 409
    assert "declined" in late.json()["detail"]

    eid = (
        await clinician.post(
            f"/survivors/{sid}/encounters",
            {
                "kind": "initial_assessment",
                "occurred_at": "2026-03-04T07:00:00+00:00",
                "county_code": "047",
                "facility": "Synthetic Clinic (FAKE)",
            },
        )
    ).json()["id"]
    await clinician.post(
        f"/survivors/{sid}/history",
        {"encounter_id": eid, "allegation": "Synthetic allegation (FAKE)"},
    )
    photo = await clinician.upload(
        f"/survivors/{sid}/evidence", photo_with_gps(), kind="photograph"
    )
    request = await intake.erase(sid)
    await intake.deliver(app)
    await intake.deliver(app)  # a re-delivery confirms nothing twice
    confirmations = await pool.fetch(
        "SELECT payload FROM events WHERE type = 'medical.DataKeyDestroyed'"
    )
    assert len(confirmations) == 1
    assert confirmations[0]["payload"]["request_id"] == str(request)
    record = (await clinician.get(f"/survivors/{sid}/record")).json()
    assert record["entries"][0]["allegation"] == ERASED
    gone = await clinician.get(f"/survivors/{sid}/evidence/{photo.json()['evidence_id']}/file")
    assert gone.status_code == 404
    refused = await clinician.post(
        f"/survivors/{sid}/encounters",
        {
            "kind": "initial_assessment",
            "occurred_at": "2026-03-04T07:00:00+00:00",
            "county_code": "047",
            "facility": "x",
        },
    )
    assert refused.json()["error"] == "SurvivorErased"
