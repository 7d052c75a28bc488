"""Consent gates, field rules per role, and bad input answered by name with nothing written."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import FastAPI
from medical_api_support import MOMBASA, As, FakeIntake, count_events, photo_with_gps

ENCOUNTER = {
    "kind": "initial_assessment",
    "occurred_at": "2026-03-04T07:00:00+00:00",
    "county_code": "047",
    "facility": "Synthetic Clinic (FAKE)",
}


async def test_consent_gates_examination_photographs_and_withdrawal(
    app: FastAPI, intake: FakeIntake, clinician: As, pool: Any
) -> None:
    none = await intake.register(scopes=())
    exam_only = await intake.register()
    await intake.deliver(app)
    before = await count_events(pool)
    refused = await clinician.post(f"/survivors/{none}/encounters", ENCOUNTER)
    assert refused.status_code == 409
    assert refused.json()["error"] == "ConsentRequired"
    assert "medical_examination" in refused.json()["detail"]
    photo = await clinician.upload(
        f"/survivors/{exam_only}/evidence", photo_with_gps(), kind="photograph"
    )
    assert photo.status_code == 409
    assert "photography_storage" in photo.json()["detail"]
    assert await count_events(pool) == before
    assert await pool.fetchval("SELECT count(*) FROM evidence_blobs") == 0

    # the scope's older name `photography` grants storage; court use needs its own consent
    await intake.grant(exam_only, "photography")
    await intake.deliver(app)
    stored = await clinician.upload(
        f"/survivors/{exam_only}/evidence", photo_with_gps(), kind="photograph"
    )
    assert stored.status_code == 201, stored.text
    file = f"/survivors/{exam_only}/evidence/{stored.json()['evidence_id']}/file"
    court = await clinician.get(file, params={"purpose": "legal"})
    assert court.status_code == 409
    assert "photography_court" in court.json()["detail"]
    assert (await clinician.get(file, params={"purpose": "care"})).status_code == 200

    # withdrawal stops further work and keeps what was recorded
    made = await clinician.post(f"/survivors/{exam_only}/encounters", ENCOUNTER)
    assert made.status_code == 201
    await intake.withdraw(exam_only, "medical_examination")
    await intake.deliver(app)
    stopped = await clinician.post(f"/survivors/{exam_only}/encounters", ENCOUNTER)
    assert stopped.status_code == 409
    record = (await clinician.get(f"/survivors/{exam_only}/record")).json()
    assert len(record["encounters"]) == 1


async def test_field_rules_counsellor_summary_lead_aggregates_and_caseload(
    app: FastAPI, intake: FakeIntake, clinician: As, as_staff: Any
) -> None:
    sid = await intake.register()
    await intake.deliver(app)
    eid = (
        await clinician.post(
            f"/survivors/{sid}/encounters", {**ENCOUNTER, "kind": "medico_legal_examination"}
        )
    ).json()["id"]
    await clinician.post(
        f"/survivors/{sid}/psychological-findings",
        {"encounter_id": eid, "summary": "Synthetic (FAKE)"},
    )
    await clinician.post(
        f"/survivors/{sid}/encounters/{eid}/overall-evaluation",
        {
            "level": "typical",
            "interpretation": "Synthetic interpretation (FAKE)",
            "recommendations": "Synthetic (FAKE)",
        },
    )
    record = (await clinician.get(f"/survivors/{sid}/record")).json()
    assert record["evaluations"][0]["interpretation"] == "Synthetic interpretation (FAKE)"
    assert record["entries"][0]["summary"] == "Synthetic (FAKE)"

    counsellor = as_staff("counsellor")
    assert (await counsellor.get(f"/survivors/{sid}/record")).status_code == 403
    summary = (await counsellor.get(f"/survivors/{sid}/summary")).json()
    assert summary["examinations"][0]["overall_evaluation"] == "typical"
    assert "interpretation" not in str(summary)
    assert "Synthetic" not in str(summary)

    lead = as_staff("programme_lead", teams=())
    assert (await lead.get(f"/survivors/{sid}/summary")).status_code == 403
    figures = (await lead.get("/aggregates")).json()
    assert figures["examinations"] == {}  # no consent to de-identified reporting: not counted
    assert (await clinician.get("/aggregates")).status_code == 403

    elsewhere = as_staff("clinician", teams=(MOMBASA,))
    assert (await elsewhere.get(f"/survivors/{sid}/record")).status_code == 404


async def test_bad_input_names_the_field_and_writes_nothing(
    app: FastAPI, intake: FakeIntake, clinician: As, pool: Any, settings: Any
) -> None:
    sid = await intake.register(scopes=("medical_examination", "photography_storage"))
    await intake.deliver(app)
    eid = (await clinician.post(f"/survivors/{sid}/encounters", ENCOUNTER)).json()["id"]
    finding = {
        "encounter_id": eid,
        "region": "foot_sole_left",
        "lesion": "contusion",
        "shape": "linear",
        "colour": "red",
        "estimated_age": "hours",
        "position": {"view": "back", "x": 1, "y": 2},
    }
    before = await count_events(pool)
    cases = [
        ("/findings", {**finding, "region": "tail"}, 422, "region"),
        ("/findings", {**finding, "position": {"view": "top", "x": 1, "y": 2}}, 422, "view"),
        ("/findings", {**finding, "encounter_id": str(sid)}, 404, "encounter_id"),
        ("/diagnoses", {"encounter_id": eid, "code": "1A00"}, 422, "code"),
        (
            "/history",
            {"encounter_id": eid, "allegation": "x", "supersedes": str(sid)},
            404,
            "supersedes",
        ),
    ]
    for path, body, status, field in cases:
        answer = await clinician.post(f"/survivors/{sid}{path}", body)
        assert answer.status_code == status, (path, answer.text)
        assert field in answer.json()["detail"]
    made = (await clinician.post(f"/survivors/{sid}/findings", finding)).json()["id"]
    grade = await clinician.post(f"/survivors/{sid}/findings/{made}/grade", {"level": "likely"})
    assert grade.status_code == 422
    assert "level" in grade.json()["detail"]
    before = await count_events(pool)
    photo = photo_with_gps()
    uploads = [
        (b"GIF89a not accepted", {"kind": "photograph"}, 422, "file"),
        (photo, {"kind": "photograph", "sha256": "0" * 64}, 422, "sha256"),
        (photo, {"kind": "physical_sample"}, 422, "kind"),
        (photo, {"kind": "selfie"}, 422, "kind"),
        (
            b"\xff\xd8\xff" + b"\x00" * (settings.max_upload_bytes),
            {"kind": "photograph"},
            413,
            "file",
        ),
    ]
    for data, params, status, field in uploads:
        answer = await clinician.upload(f"/survivors/{sid}/evidence", data, **params)
        assert answer.status_code == status, answer.text
        assert field in answer.json()["detail"]
    assert await count_events(pool) == before
    good = await clinician.upload(
        f"/survivors/{sid}/evidence",
        photo,
        kind="photograph",
        sha256=hashlib.sha256(photo).hexdigest(),
    )
    assert good.status_code == 201


async def test_an_examination_dated_before_its_consent_needs_a_retrospective_reason(
    app: FastAPI, intake: FakeIntake, clinician: As, pool: Any
) -> None:
    sid = await intake.register()  # medical_examination consent given on 2026-01-05 (EAT)
    await intake.deliver(app)
    before = await count_events(pool)
    early = {**ENCOUNTER, "occurred_at": "2026-01-04T20:30:00+00:00"}  # 23:30 EAT, 4 January
    refused = await clinician.post(f"/survivors/{sid}/encounters", early)
    assert refused.status_code == 409
    assert refused.json()["error"] == "WorkBeforeConsent"
    assert "2026-01-04" in refused.json()["detail"]
    assert "retrospective_reason" in refused.json()["detail"]
    assert await count_events(pool) == before

    same_day = {**ENCOUNTER, "occurred_at": "2026-01-04T21:30:00+00:00"}  # 00:30 EAT, 5 January
    assert (await clinician.post(f"/survivors/{sid}/encounters", same_day)).status_code == 201

    reason = "Seen at the clinic before consent was written down (FAKE)"
    made = await clinician.post(
        f"/survivors/{sid}/encounters", {**early, "retrospective_reason": reason}
    )
    assert made.status_code == 201, made.text
    stored = await pool.fetchval(
        "SELECT payload->'retrospective_reason' FROM events "
        "WHERE type = 'medical.EncounterOpened' ORDER BY id DESC LIMIT 1"
    )
    assert stored is not None
    assert reason not in stored  # sealed: the reason is never stored in clear
