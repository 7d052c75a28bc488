"""Intake API test support: signing keys and tokens shaped like identity's, synthetic bodies."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from kit import tokens as kit
from kit.tokens import As as As
from kit.tokens import Staff as Staff
from kit.tokens import count_events as count_events

NAIROBI = uuid.UUID("0190a8e5-7c00-7000-8000-0000000000a1")
MOMBASA = uuid.UUID("0190a8e5-7c00-7000-8000-0000000000a2")


@dataclass
class SigningKey(kit.SigningKey):
    """Identity's key as intake's tests trust it: tokens for intake."""

    audience: str = "intake"


def fake_name() -> str:
    """A synthetic name sharing no part but "Fake" with any other (no duplicate candidates)."""
    return f"Fake {uuid.uuid4().hex[:8]} {uuid.uuid4().hex[:8]}"


def registration(name: str | None = None, **changes: Any) -> dict[str, Any]:
    """A registration body for a synthetic survivor."""
    body: dict[str, Any] = {
        "full_name": name or fake_name(),
        "county_code": "047",
        "gender": "female",
        "preferred_language": "sw",
        "estimated_birth_year": 1990,
    }
    body.update(changes)
    return body


def consent(scope: str, decision: str = "grant", **changes: Any) -> dict[str, Any]:
    """A consent body."""
    return {"scope": scope, "decision": decision, "method": "verbal", "language": "sw", **changes}


def incident(**changes: Any) -> dict[str, Any]:
    """An incident body."""
    return {
        "occurred_from": "2025-11-03",
        "place_type": "police_station",
        "perpetrators": ["kenya_police_service"],
        "methods": ["beating", "threats"],
        "narrative": "Synthetic narrative of a fake incident.",
        **changes,
    }
