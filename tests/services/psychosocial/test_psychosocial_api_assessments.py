"""Assessments over HTTP: scoring, bad input (422, nothing written), corrections, progress."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg
import pytest
from fastapi import FastAPI
from psychosocial_support import PHQ9_RISKY, As, FakeIntake, count_events


async def survivor(intake: FakeIntake, app: FastAPI, **kw: Any) -> str:
    found = await intake.register(**kw)
    await intake.deliver(app)
    return str(found)


async def test_a_phq9_is_scored_banded_and_flagged(
    app: FastAPI, intake: FakeIntake, counsellor: As
) -> None:
    sid = await survivor(intake, app)
    body = {"instrument": "PHQ-9", "responses": PHQ9_RISKY}
    answer = await counsellor.post(f"/survivors/{sid}/assessments", body)
    assert answer.status_code == 201, answer.text
    result = answer.json()
    assert (result["total"], result["band"]) == (10, "moderate")
    assert "self_harm_risk" in result["flags"]
    assert result["risk_flag_id"] is not None
    listed = (await counsellor.get(f"/survivors/{sid}/assessments")).json()["assessments"]
    assert [a["responses"] for a in listed] == [PHQ9_RISKY]
    assert listed[0]["status"] == "current"


async def test_hscl25_item20_endorsed_raises_a_risk_flag_the_caseload_sees(
    app: FastAPI, intake: FakeIntake, counsellor: As
) -> None:
    sid = await survivor(intake, app)
    responses = [1] * 25
    responses[19] = 2  # "a little": thoughts of ending one's life
    answer = await counsellor.post(
        f"/survivors/{sid}/assessments", {"instrument": "HSCL-25", "responses": responses}
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["risk_flag_id"] is not None
    flags = (await counsellor.get(f"/survivors/{sid}/risk-flags")).json()
    listed = flags["flags"]
    assert [(f["reason"], f["item"], f["response"]) for f in listed] == [("hscl25_item20", 20, 2)]


@pytest.mark.parametrize(
    ("instrument", "responses", "problem"),
    [
        ("PCL-5", [2] * 20, None),
        ("WHO-5", [4, 1, 0, 2, 3], None),
        ("K10", [3] * 10, None),
        ("HSCL-25", [2] * 10 + [1] * 15, None),
        ("HTQ-IV", [3] * 7 + [2] * 9, None),
        ("GAD-7", [3, 0, 1, 2, 0, 0, 1], None),
    ],
)
async def test_every_instrument_is_accepted(
    app: FastAPI,
    intake: FakeIntake,
    counsellor: As,
    instrument: str,
    responses: list[int],
    problem: None,
) -> None:
    sid = await survivor(intake, app)
    answer = await counsellor.post(
        f"/survivors/{sid}/assessments", {"instrument": instrument, "responses": responses}
    )
    assert answer.status_code == 201, answer.text
    expected = {
        "PCL-5": (40, "probable_ptsd"),
        "WHO-5": (10, "poor_wellbeing"),
        "K10": (30, "very_high"),
        "HSCL-25": (1.4, "below_threshold"),
        "HTQ-IV": (2.4375, "below_threshold"),
        "GAD-7": (7, "mild"),
    }[instrument]
    assert (answer.json()["total"], answer.json()["band"]) == expected
    if instrument == "WHO-5":
        assert answer.json()["percentage"] == 40
    if instrument == "PCL-5":
        assert answer.json()["subscales"] == {"B": 10, "C": 4, "D": 14, "E": 12}


@pytest.mark.parametrize(
    ("body", "field", "problem"),
    [
        ({"instrument": "PHQ-9", "responses": [0] * 8}, "responses", "PHQ-9 has 9 items"),
        ({"instrument": "PHQ-9", "responses": [0] * 10}, "responses", "got 10 responses"),
        ({"instrument": "GAD-7", "responses": [0, 0, 4, 0, 0, 0, 0]}, "responses", "item 3 is 4"),
        ({"instrument": "K10", "responses": [0] * 10}, "responses", "whole numbers 1–5"),
        ({"instrument": "PHQ-8", "responses": [0] * 8}, "instrument", "unknown instrument"),
        ({"instrument": "PHQ-9", "responses": ["1"] * 9}, "responses.0", "valid integer"),
        ({"instrument": "PHQ-9", "responses": [1.5] * 9}, "responses.0", "valid integer"),
        ({"instrument": "PHQ-9"}, "responses", "required"),
        (
            {"instrument": "PHQ-9", "responses": [0] * 9, "administered_at": "2026-03-01T10:00"},
            "administered_at",
            "timezone",
        ),
        (
            {"instrument": "PHQ-9", "responses": [0] * 9, "administered_at": "2999-01-01T10:00Z"},
            "administered_at",
            "between 1970-01-01 and 2100-12-31",
        ),
        (
            {"instrument": "PHQ-9", "responses": [0] * 9, "administered_at": "2099-01-01T10:00Z"},
            None,
            "in the future",
        ),
        (
            {
                "instrument": "PHQ-9",
                "responses": [0] * 9,
                "administered_at": "0001-01-01T00:00+05:00",
            },
            "administered_at",
            "out of range",
        ),
    ],
)
async def test_malformed_responses_get_422_naming_the_problem_and_write_nothing(
    app: FastAPI,
    intake: FakeIntake,
    counsellor: As,
    pool: asyncpg.Pool,
    body: dict[str, Any],
    field: str | None,
    problem: str,
) -> None:
    sid = await survivor(intake, app)
    before = await count_events(pool)
    keys = await pool.fetchval("SELECT count(*) FROM sealing_keys")
    answer = await counsellor.post(f"/survivors/{sid}/assessments", body)
    assert answer.status_code == 422, answer.text
    assert problem in answer.json()["detail"]
    if field is not None:
        assert field in [p["field"] for p in answer.json()["problems"]]
    assert await count_events(pool) == before
    assert await pool.fetchval("SELECT count(*) FROM assessments") == 0
    assert await pool.fetchval("SELECT count(*) FROM sealing_keys") == keys


async def test_a_correction_supersedes_with_a_reason(
    app: FastAPI, intake: FakeIntake, counsellor: As
) -> None:
    sid = await survivor(intake, app)
    first = (
        await counsellor.post(
            f"/survivors/{sid}/assessments", {"instrument": "GAD-7", "responses": [1] * 7}
        )
    ).json()
    url = f"/survivors/{sid}/assessments/{first['assessment_id']}/correction"
    fixed = await counsellor.post(
        url, {"instrument": "GAD-7", "responses": [2] * 7, "reason": "Synthetic: item misread"}
    )
    assert fixed.status_code == 201, fixed.text
    assert fixed.json()["supersedes"] == first["assessment_id"]
    again = await counsellor.post(
        url, {"instrument": "GAD-7", "responses": [0] * 7, "reason": "Synthetic again"}
    )
    assert again.status_code == 409
    assert again.json()["error"] == "AssessmentSuperseded"
    listed = (await counsellor.get(f"/survivors/{sid}/assessments")).json()["assessments"]
    assert [a["status"] for a in listed] == ["superseded", "current"]
    assert listed[1]["correction_reason"] == "Synthetic: item misread"
    assert listed[0]["superseded_by"] == listed[1]["assessment_id"]
    missing = await counsellor.post(
        f"/survivors/{sid}/assessments/{sid}/correction",
        {"instrument": "GAD-7", "responses": [0] * 7, "reason": "Synthetic"},
    )
    assert missing.status_code == 404


async def administer(who: As, sid: str, instrument: str, responses: list[int], at: str) -> None:
    body = {"instrument": instrument, "responses": responses, "administered_at": at}
    answer = await who.post(f"/survivors/{sid}/assessments", body)
    assert answer.status_code == 201, answer.text


async def test_progress_shows_baseline_latest_rci_and_classification(
    app: FastAPI, intake: FakeIntake, counsellor: As
) -> None:
    sid = await survivor(intake, app)
    await administer(counsellor, sid, "PHQ-9", [2, 2, 2, 2, 2, 2, 2, 1, 0], "2026-01-05T09:00Z")
    await administer(counsellor, sid, "PHQ-9", [2, 2, 1, 1, 1, 1, 1, 1, 0], "2026-02-05T09:00Z")
    await administer(counsellor, sid, "PHQ-9", [1, 1, 1, 1, 1, 1, 0, 0, 0], "2026-03-05T09:00Z")
    await administer(counsellor, sid, "WHO-5", [1, 1, 1, 1, 1], "2026-01-05T09:00Z")
    await administer(counsellor, sid, "WHO-5", [3, 3, 3, 2, 2], "2026-03-05T09:00Z")
    await administer(counsellor, sid, "GAD-7", [1, 1, 1, 1, 1, 1, 1], "2026-01-05T09:00Z")
    answer = await counsellor.get(f"/survivors/{sid}/progress")
    assert answer.status_code == 200, answer.text
    by = {p["instrument"]: p for p in answer.json()["instruments"]}
    phq = by["PHQ-9"]
    assert (phq["baseline"]["score"], phq["latest"]["score"], phq["change"]) == (15, 6, -9)
    assert phq["classification"] == "reliable_recovery"
    assert phq["rci"] < -1.96
    assert phq["assessments"] == 3
    assert [p["score"] for p in phq["series"]] == [15, 10, 6]
    who = by["WHO-5"]
    assert (who["baseline"]["score"], who["latest"]["score"]) == (20, 52)  # percentages
    assert who["direction"] == "higher_is_better"
    assert who["classification"] == "reliable_recovery"
    assert by["GAD-7"]["classification"] is None  # a single administration
    assert list(by) == ["PHQ-9", "GAD-7", "WHO-5"]


async def test_progress_follows_corrections(
    app: FastAPI, intake: FakeIntake, counsellor: As, as_staff: Callable[..., As]
) -> None:
    sid = await survivor(intake, app)
    await administer(counsellor, sid, "PHQ-9", [1] * 9, "2026-01-05T09:00Z")
    await administer(counsellor, sid, "PHQ-9", [3] * 8 + [0], "2026-02-05T09:00Z")
    listed = (await counsellor.get(f"/survivors/{sid}/assessments")).json()["assessments"]
    wrong = listed[1]["assessment_id"]
    fix = {"instrument": "PHQ-9", "responses": [1] * 8 + [0], "reason": "Synthetic: wrong form"}
    assert (
        await counsellor.post(f"/survivors/{sid}/assessments/{wrong}/correction", fix)
    ).status_code == 201
    phq = (await counsellor.get(f"/survivors/{sid}/progress")).json()["instruments"][0]
    assert (phq["latest"]["score"], phq["classification"]) == (8, "no_reliable_change")
    clinician = as_staff("clinician")
    assert (await clinician.get(f"/survivors/{sid}/progress")).status_code == 200
