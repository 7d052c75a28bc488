"""Clinical notes sealed with their record: moved to another entry or survivor, they do not open.

The attacker holds medical's database runtime role (they can rewrite read tables) but not the
KEK. A finding's sealed description copied into another finding must not show its text there,
and no report is signed over it.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from fastapi import FastAPI
from medical_api_support import As, FakeIntake, count_events
from test_medical_api_report import examined, sign_body
from uponyaji_events.sealing import UNREADABLE
from uponyaji_service import running

OLD = "Synthetic finding sealed before records were bound (FAKE)"


async def finding(clinician: As, sid: str, eid: str, description: str) -> str:
    body = {
        "encounter_id": eid,
        "region": "forearm_left",
        "lesion": "abrasion",
        "length_mm": 10,
        "width_mm": 5,
        "shape": "irregular",
        "colour": "red",
        "estimated_age": "days_1_3",
        "position": {"view": "front", "x": 200, "y": 500},
        "description": description,
    }
    made = await clinician.post(f"/survivors/{sid}/findings", body)
    assert made.status_code == 201, made.text
    fid = str(made.json()["id"])
    graded = await clinician.post(f"/survivors/{sid}/findings/{fid}/grade", {"level": "typical"})
    assert graded.status_code == 201, graded.text
    return fid


async def move(pool: asyncpg.Pool, sealed: Any, to: str) -> None:
    await pool.execute(
        "UPDATE record_entries SET payload = "
        "jsonb_set(payload, '{description}', to_jsonb($1::text)) WHERE entry_id = $2::uuid",
        str(sealed),
        to,
    )


async def descriptions(clinician: As, sid: str) -> dict[str, Any]:
    answer = await clinician.get(f"/survivors/{sid}/record")
    assert answer.status_code == 200, answer.text
    return {
        e["finding_id"]: e.get("description")
        for e in answer.json()["entries"]
        if e["type"] == "FindingDocumented"
    }


async def test_a_finding_moved_to_another_finding_or_survivor_does_not_open(
    app: FastAPI, intake: FakeIntake, clinician: As, pool: asyncpg.Pool
) -> None:
    sid, eid, _ = await examined(clinician, intake, app)
    other_sid, other_eid, _ = await examined(clinician, intake, app)
    first = await finding(clinician, sid, eid, "Synthetic finding one (FAKE)")
    second = await finding(clinician, sid, eid, "Synthetic finding two (FAKE)")
    other = await finding(clinician, other_sid, other_eid, "Synthetic finding of Beta (FAKE)")
    overall = {
        "level": "highly_consistent",
        "interpretation": "Synthetic (FAKE)",
        "recommendations": "Physiotherapy (FAKE)",
    }
    answer = await clinician.post(f"/survivors/{sid}/encounters/{eid}/overall-evaluation", overall)
    assert answer.status_code == 201, answer.text

    sealed = {
        r["entry_id"]: r["description"]
        for r in await pool.fetch(
            "SELECT r.entry_id::text, e.payload->>'description' AS description FROM events e "
            "JOIN record_entries r ON r.entry_id::text = e.payload->>'finding_id' "
            "WHERE e.type = 'medical.FindingDocumented' AND e.payload ? 'description'"
        )
    }
    assert {first, second, other} <= set(sealed)
    assert all(str(v).startswith("sealed:v2:") for v in sealed.values() if v)

    await move(pool, sealed[first], second)  # one finding's text into another of Alpha's
    await move(pool, sealed[other], first)  # Beta's text into Alpha's
    shown = await descriptions(clinician, sid)
    assert shown[first] == UNREADABLE
    assert shown[second] == UNREADABLE

    before = await count_events(pool)
    refused = await clinician.post(f"/survivors/{sid}/reports", sign_body(clinician, eid))
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"] == "InvalidSealError"
    assert "FindingDocumented/description" in refused.json()["detail"], refused.text
    assert "Overall" not in refused.json()["detail"], refused.text
    assert await count_events(pool) == before  # nothing signed

    # Values sealed before records were bound (v1: survivor and field only) still open.
    context = "medical.FindingDocumented/description"
    for target in (first, second):
        old = await running(app).parts.keys.sealer.seal(sid, context, OLD)
        assert str(old).startswith("sealed:v1:")
        await move(pool, old, target)
    shown = await descriptions(clinician, sid)
    assert (shown[first], shown[second]) == (OLD, OLD)
    signed = await clinician.post(f"/survivors/{sid}/reports", sign_body(clinician, eid))
    assert signed.status_code == 201, signed.text

    # A signed report's sealed content moved over another survivor's report is never re-rendered.
    answer = await clinician.post(
        f"/survivors/{other_sid}/encounters/{other_eid}/overall-evaluation", overall
    )
    assert answer.status_code == 201, answer.text
    theirs = await clinician.post(
        f"/survivors/{other_sid}/reports", sign_body(clinician, other_eid)
    )
    assert theirs.status_code == 201, theirs.text
    report_id = theirs.headers["X-Report-Id"]
    await pool.execute(
        "UPDATE reports SET content = (SELECT content FROM reports WHERE report_id = $1) "
        "WHERE report_id = $2::uuid",
        signed.headers["X-Report-Id"],
        report_id,
    )
    pdf = await clinician.get(f"/survivors/{other_sid}/reports/{report_id}/pdf")
    assert pdf.status_code == 409, pdf.text
    assert pdf.json()["error"] == "InvalidSealError"
    assert "ReportSigned/content" in pdf.json()["detail"]
