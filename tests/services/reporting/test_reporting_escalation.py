"""Safeguarding in the journey: an escalated risk flag is a milestone (the flag stays open until
answered), and work documented retrospectively is marked as such."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from uuid import uuid4

from uponyaji_reporting.journey import fold
from uponyaji_reporting.milestones import entries


def event(position: int, type_: str, at: str, **payload: object) -> SimpleNamespace:
    when = datetime.fromisoformat(at).replace(tzinfo=UTC)
    return SimpleNamespace(
        type=type_, position=position, occurred_at=when, recorded_at=when, payload=payload
    )


def test_an_escalation_shows_in_the_journey_and_the_flag_stays_open() -> None:
    survivor, flag = uuid4(), str(uuid4())
    raised = event(
        1,
        "psychosocial.RiskFlagRaised",
        "2026-03-10T07:30:00",
        flag_id=flag,
        survivor_id=str(survivor),
        assessment_id=str(uuid4()),
        reason="hscl25_item20",
        item=20,
        response=2,
        raised_at="2026-03-10T07:30:00+00:00",
    )
    escalated = event(
        2,
        "psychosocial.RiskFlagEscalated",
        "2026-03-11T07:30:00",
        flag_id=flag,
        survivor_id=str(survivor),
        level=1,
        to_role="clinical_supervisor",
        after_hours=24,
        escalated_at="2026-03-11T07:30:00+00:00",
    )
    rows = [e for ev in (raised, escalated) for e in entries("psychosocial", ev)]  # type: ignore[arg-type]
    journey = fold(survivor, rows)
    shown = [(m.kind, m.data.get("level"), m.data.get("to_role")) for m in journey.milestones]
    assert shown == [
        ("risk_flag_raised", None, None),
        ("risk_flag_escalated", 1, "clinical_supervisor"),
    ]
    assert journey.open_risk_flags == 1


def test_retrospective_documentation_is_marked_in_the_journey() -> None:
    survivor = uuid4()
    sealed = {"ciphertext": "x", "key_id": "k"}
    common = {
        "session_id": str(uuid4()),
        "kind": "individual",
        "held_on": "2026-01-10",
        "duration_minutes": 60,
        "approach": "other",
        "place": "office",
        "participants": [{"survivor_id": str(survivor), "attendance": "attended"}],
    }
    late = event(
        1,
        "psychosocial.SessionRecorded",
        "2026-02-01T08:00:00",
        **common,
        retrospective_reason=sealed,
    )
    usual = event(2, "psychosocial.SessionRecorded", "2026-02-01T08:00:00", **common)
    (marked,) = entries("psychosocial", late)  # type: ignore[arg-type]
    (plain,) = entries("psychosocial", usual)  # type: ignore[arg-type]
    assert marked.data["retrospective"] is True
    assert "retrospective" not in plain.data
    assert "ciphertext" not in str(marked.data)  # the reason itself stays sealed
