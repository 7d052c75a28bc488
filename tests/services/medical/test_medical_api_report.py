"""An examination from encounter to signed, verifiable, immutable report with an addendum."""

from __future__ import annotations

import hashlib
import io
from typing import Any
from uuid import UUID

from fastapi import FastAPI
from medical_api_support import As, FakeIntake, count_events
from pypdf import PdfReader


async def examined(clinician: As, intake: FakeIntake, app: FastAPI) -> tuple[str, str, str]:
    """A survivor with a complete medico-legal examination but no overall evaluation yet."""
    sid = await intake.register()
    await intake.deliver(app)
    base = f"/survivors/{sid}"
    made = await clinician.post(
        f"{base}/encounters",
        {
            "kind": "medico_legal_examination",
            "occurred_at": "2026-03-04T07:00:00+00:00",
            "county_code": "047",
            "facility": "Synthetic Clinic (FAKE)",
            "present": [{"role": "interpreter", "gender": "female", "language": "so"}],
            "examiner_gender_requested": "female",
        },
    )
    assert made.status_code == 201, made.text
    eid = made.json()["id"]
    at = {"encounter_id": eid}
    assert (
        await clinician.post(
            f"{base}/history",
            {
                **at,
                "allegation": "Synthetic allegation (FAKE)",
                "symptoms_current": "pain",
                "methods": ["falanga"],
            },
        )
    ).status_code == 201
    finding = await clinician.post(
        f"{base}/findings",
        {
            **at,
            "region": "foot_sole_left",
            "lesion": "contusion",
            "length_mm": 40,
            "width_mm": 20,
            "shape": "linear",
            "colour": "blue_purple",
            "estimated_age": "days_4_10",
            "position": {"view": "back", "x": 420, "y": 970},
        },
    )
    assert finding.status_code == 201, finding.text
    fid = finding.json()["id"]
    assert (
        await clinician.post(f"{base}/findings/{fid}/grade", {"level": "typical"})
    ).status_code == 201
    assert (
        await clinician.post(
            f"{base}/psychological-findings", {**at, "summary": "Synthetic summary (FAKE)"}
        )
    ).status_code == 201
    assert (
        await clinician.post(
            f"{base}/encounters/{eid}/psychological-grade", {"level": "consistent"}
        )
    ).status_code == 201
    return str(sid), eid, fid


def sign_body(clinician: As, eid: str, **extra: Any) -> dict[str, Any]:
    return {
        "encounter_id": eid,
        "qualifications": "MBChB (FAKE)",
        "county_code": "047",
        "truthful": True,
        "step_up": clinician.step_up(),
        **extra,
    }


async def test_a_report_is_signed_only_when_complete_and_verifies_in_court(
    app: FastAPI, intake: FakeIntake, clinician: As, as_staff: Any, pool: Any
) -> None:
    sid, eid, _ = await examined(clinician, intake, app)
    base = f"/survivors/{sid}"
    before = await count_events(pool)
    incomplete = await clinician.post(f"{base}/reports", sign_body(clinician, eid))
    assert incomplete.status_code == 409
    assert "overall_evaluation" in incomplete.json()["detail"]
    assert "recommendations" in incomplete.json()["detail"]
    assert await count_events(pool) == before  # nothing written, no key created
    draft = (await clinician.get(f"{base}/encounters/{eid}/report-draft")).json()
    assert [m["section"] for m in draft["missing"]] == ["overall_evaluation", "recommendations"]

    assert (
        await clinician.post(
            f"{base}/encounters/{eid}/overall-evaluation",
            {
                "level": "highly_consistent",
                "interpretation": "Synthetic (FAKE)",
                "recommendations": "Physiotherapy (FAKE)",
            },
        )
    ).status_code == 201
    # a step-up proof is needed, fresh, and naming the signer
    for proof in (
        "",
        clinician.step_up(age=600),
        as_staff("clinician").step_up(),
        clinician.step_up(audience="step-up:reporting"),
    ):
        refused = await clinician.post(f"{base}/reports", sign_body(clinician, eid, step_up=proof))
        assert refused.status_code in (401, 422), refused.text
    other = as_staff("clinician")  # on the caseload, but did not examine
    assert (await other.post(f"{base}/reports", sign_body(other, eid))).status_code == 403

    signed = await clinician.post(f"{base}/reports", sign_body(clinician, eid))
    assert signed.status_code == 201, signed.text
    pdf = signed.content
    digest = hashlib.sha256(pdf).hexdigest()
    assert signed.headers["X-Content-SHA256"] == digest
    report_id = signed.headers["X-Report-Id"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for heading in (
        "Case information",
        "Examiners and qualifications",
        "Allegations",
        "Physical examination",
        "Overall evaluation",
        "Statement of truthfulness",
        "Signature, date and place",
        "Electronic signature",
    ):
        assert heading in text
    assert "typical of" in text
    assert f"/reports/{report_id}/verification" in text

    again = await clinician.get(f"{base}/reports/{report_id}/pdf")
    assert hashlib.sha256(again.content).hexdigest() == digest  # the same bytes every time
    legal = as_staff("legal_officer", teams=())
    check = await legal.get(f"/reports/{report_id}/verification", params={"sha256": digest})
    assert check.status_code == 200, check.text
    assert check.json()["matches"] is True
    assert check.json()["signature_valid"] is True
    assert check.json()["signer_id"] == str(clinician.staff.staff_id)
    forged = await legal.get(f"/reports/{report_id}/verification", params={"sha256": "0" * 64})
    assert forged.json()["matches"] is False

    # a signed report is immutable: changing or re-signing it is a conflict
    for method in ("PATCH", "PUT", "DELETE"):
        changed = await clinician.http.request(
            method, f"{base}/reports/{report_id}", headers=clinician.headers()
        )
        assert changed.status_code == 409
    assert (await clinician.post(f"{base}/reports", sign_body(clinician, eid))).status_code == 409

    addendum = await clinician.post(
        f"{base}/reports/{report_id}/addenda",
        {"text": "Synthetic addendum (FAKE): X-ray received.", "step_up": clinician.step_up()},
    )
    assert addendum.status_code == 201, addendum.text
    added = hashlib.sha256(addendum.content).hexdigest()
    check = await legal.get(f"/reports/{report_id}/verification", params={"sha256": added})
    assert check.json()["matched"] == f"addendum {addendum.headers['X-Addendum-Id']}"
    assert check.json()["addenda"][0]["signature_valid"] is True
    # the original report is still the same document
    same = await legal.get(f"/reports/{report_id}/verification", params={"sha256": digest})
    assert same.json()["matched"] == "report"
    published = await pool.fetchval(
        "SELECT count(*) FROM events WHERE type = 'medical.SigningKeyIssued'"
    )
    assert published == 1  # one key per clinician, reused for the addendum
    assert UUID(report_id)


async def test_p3_needs_legal_proceedings_consent_and_both_forms_come_from_the_record(
    app: FastAPI, intake: FakeIntake, clinician: As, pool: Any
) -> None:
    sid, eid, _ = await examined(clinician, intake, app)
    refused = await clinician.post(f"/survivors/{sid}/forms/p3", {"encounter_id": eid})
    assert refused.status_code == 409
    assert "legal_proceedings" in refused.json()["detail"]
    await intake.grant(UUID(sid), "legal_proceedings")
    await intake.deliver(app)
    p3 = await clinician.post(f"/survivors/{sid}/forms/p3", {"encounter_id": eid})
    assert p3.status_code == 201, p3.text
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(p3.content)).pages)
    assert "OB number" in text
    assert "foot sole left: contusion" in text
    assert "Synthetic allegation (FAKE)" in text
    assert int(p3.headers["X-Blank-Fields"]) >= 8  # police part, name, weapon, degree …
    moh = await clinician.post(f"/survivors/{sid}/forms/moh_363", {"encounter_id": eid})
    assert moh.status_code == 201, moh.text
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(moh.content)).pages)
    assert "Part A" in text
    assert "Part B" in text
    issued = await pool.fetch("SELECT form, pdf_sha256 FROM forms_issued ORDER BY issued_at")
    assert [r["form"] for r in issued] == ["p3", "moh_363"]
    assert issued[0]["pdf_sha256"] == hashlib.sha256(p3.content).hexdigest()
