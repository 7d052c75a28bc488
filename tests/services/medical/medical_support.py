"""Medical test support: builders of commands and events for the pure domain tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from uponyaji_events.contracts import medical as m
from uponyaji_events.contracts.types import example_sealed
from uponyaji_events.envelope import NewEvent
from uponyaji_medical import domain

SURVIVOR = uuid.UUID("0190a8e5-7c00-7000-8000-00000000a001")
CLINICIAN = uuid.UUID("0190a8e5-7c00-7000-8000-00000000c001")
NOW = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)


def encounter(encounter_id: uuid.UUID | None = None, **extra: Any) -> domain.OpenEncounter:
    """Open a medico-legal examination (defaults are a plausible one)."""
    fields: dict[str, Any] = {
        "encounter_id": encounter_id or uuid.uuid4(),
        "survivor_id": SURVIVOR,
        "kind": "medico_legal_examination",
        "occurred_at": NOW - timedelta(hours=2),
        "county_code": "047",
        "facility": example_sealed("facility"),
        "clinician_ids": [CLINICIAN],
        "examiner_gender_requested": "female",
        "interpreter_gender_requested": "no_preference",
        "examiner_gender_honoured": True,
        "limited_by_survivor": False,
        **extra,
    }
    return domain.OpenEncounter(m.EncounterOpened(**fields), NOW)


def finding(encounter_id: uuid.UUID, **extra: Any) -> domain.RecordEntry:
    """Document a contusion on the left sole."""
    fields: dict[str, Any] = {
        "finding_id": uuid.uuid4(),
        "survivor_id": SURVIVOR,
        "encounter_id": encounter_id,
        "region": "foot_sole_left",
        "lesion": "contusion",
        "length_mm": 40,
        "width_mm": 20,
        "shape": "linear",
        "colour": "blue_purple",
        "estimated_age": "days_4_10",
        "position": {"view": "back", "x": 420, "y": 970},
        **extra,
    }
    return domain.RecordEntry(m.FindingDocumented(**fields))


def given(*commands: domain.RecordCommand) -> domain.RecordState:
    """The state after deciding and applying each command in turn."""
    state = domain.RecordState()
    for command in commands:
        state = domain.fold(domain.decide(state, command), state)
    return state


def types(events: list[NewEvent]) -> list[str]:
    """The event types decided."""
    return [e.type for e in events]
