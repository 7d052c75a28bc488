"""Physical samples: described (sealed), held by the clinician who recorded them, on a chain of
custody; bad input, another role, another team and withdrawn consent write nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import uuid4

from fastapi import FastAPI
from medical_api_support import MOMBASA, As, FakeIntake, count_events

ENCOUNTER = {
    "kind": "medico_legal_examination",
    "occurred_at": "2026-03-04T07:00:00+00:00",
    "county_code": "047",
    "facility": "Synthetic Clinic (FAKE)",
}
SWAB = "Synthetic blood swab from the left wrist (FAKE)"


async def test_a_sample_is_sealed_held_and_on_its_chain_of_custody(
    app: FastAPI, intake: FakeIntake, clinician: As, as_staff: Callable[..., As], pool: Any
) -> None:
    sid = await intake.register()
    await intake.deliver(app)
    base = f"/survivors/{sid}"
    opened = await clinician.post(f"{base}/encounters", ENCOUNTER)
    assert opened.status_code == 201, opened.text
    eid = opened.json()["id"]

    # bad input is named, refused callers learn nothing, and nothing is written
    before = await count_events(pool)
    for body, status, named in (
        ({"encounter_id": eid, "description": ""}, 422, "description"),
        ({"encounter_id": eid, "description": "x" * 2001}, 422, "description"),
        ({"encounter_id": eid, "description": SWAB, "location": "moon"}, 422, "location"),
        ({"encounter_id": str(uuid4()), "description": SWAB}, 404, "encounter_id"),
        ({"encounter_id": eid, "description": SWAB, "holder_id": str(uuid4())}, 422, "holder_id"),
    ):
        answer = await clinician.post(f"{base}/samples", body)
        assert answer.status_code == status, answer.text
        assert named in answer.text
    good = {"encounter_id": eid, "description": SWAB, "location": "laboratory"}
    assert (await as_staff("counsellor").post(f"{base}/samples", good)).status_code == 403
    elsewhere = as_staff("clinician", teams=(MOMBASA,))
    assert (await elsewhere.post(f"{base}/samples", good)).status_code == 404
    assert await count_events(pool) == before

    made = await clinician.post(f"{base}/samples", good)
    assert made.status_code == 201, made.text
    item = made.json()["evidence_id"]
    stored = await pool.fetchval(
        "SELECT payload::text FROM events WHERE type = 'medical.EvidenceCaptured' "
        "AND stream_id = $1",
        item,
    )
    assert "blood swab" not in stored  # sealed in the event
    record = (await clinician.get(f"{base}/record")).json()
    [sample] = [e for e in record["evidence"] if e["evidence_id"] == item]
    assert (sample["kind"], sample["description"], sample["location"]) == (
        "physical_sample",
        SWAB,
        "laboratory",
    )
    assert sample["holder_id"] == str(clinician.staff.staff_id)
    assert sample["sha256"] is None
    chain = (await clinician.get(f"{base}/evidence/{item}/custody")).json()["custody"]
    assert [(c["step"], c["location"]) for c in chain] == [("captured", "laboratory")]
    assert (await clinician.get(f"{base}/evidence/{item}/file")).status_code == 404  # no file

    # the one item, as the record lists it; unknown, elsewhere and other roles learn nothing
    one = await clinician.get(f"{base}/evidence/{item}")
    assert one.status_code == 200, one.text
    assert one.json() == sample
    unknown = await clinician.get(f"{base}/evidence/{uuid4()}")
    assert unknown.status_code == 404
    assert "no evidence item" in unknown.text
    assert (await clinician.get(f"/survivors/{uuid4()}/evidence/{item}")).status_code == 404
    assert (await elsewhere.get(f"{base}/evidence/{item}")).status_code == 404
    assert (await as_staff("counsellor").get(f"{base}/evidence/{item}")).status_code == 403

    # every refused attempt and every read is audited
    audited = await pool.fetch(
        "SELECT type, payload->>'route' AS route, payload->>'outcome' AS outcome FROM events "
        "WHERE type IN ('medical.SurvivorDataAccessed', 'medical.AccessDenied') "
        "AND payload->>'survivor_id' = $1",
        str(sid),
    )
    seen = {(r["type"], r["route"].rsplit("/", 1)[-1], r["outcome"]) for r in audited}
    assert {
        ("medical.AccessDenied", "samples", "denied"),
        ("medical.AccessDenied", "samples", "not_found"),
        ("medical.SurvivorDataAccessed", "custody", "allowed"),
        ("medical.SurvivorDataAccessed", "file", "allowed"),  # asking for a file is a read
        ("medical.SurvivorDataAccessed", "{evidence_id}", "allowed"),
        ("medical.SurvivorDataAccessed", "{evidence_id}", "denied"),  # a refused read too
    } <= seen

    # without the examination consent, no sample is taken
    await intake.withdraw(sid, "medical_examination")
    await intake.deliver(app)
    before = await count_events(pool)
    refused = await clinician.post(f"{base}/samples", good)
    assert refused.status_code == 409, refused.text
    assert await count_events(pool) == before
