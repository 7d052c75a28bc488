"""Intake's side of the contracts of the services it follows: every event it acts on is published
by that service, with the fields intake reads by name (referral answers, identity's teams).

Key destructions are validated against the kernel's contract as they arrive; the events below are
read field by field, so a renamed field would otherwise leave referrals pending or teams unnamed.
"""

from __future__ import annotations

import pytest
from uponyaji_events.contracts import default_registry
from uponyaji_intake.consumers import ANSWERS

REGISTRY = default_registry()
# Every service publishing the generic answer to a referral (`decision`: accepted or declined).
GENERIC_ANSWERS = sorted(c.type for c in REGISTRY if c.name == "ReferralAnswered")
READ = [
    *((event_type, ("survivor_id", "referral_id")) for event_type in ANSWERS),
    *((event_type, ("survivor_id", "referral_id", "decision")) for event_type in GENERIC_ANSWERS),
    ("identity.TeamCreated", ("team_id", "name")),
]


def test_some_service_answers_referrals_with_the_generic_event() -> None:
    assert "empowerment.ReferralAnswered" in GENERIC_ANSWERS


@pytest.mark.parametrize(("event_type", "fields"), READ)
def test_a_field_intake_reads_is_in_the_publisher_s_contract(
    event_type: str, fields: tuple[str, ...]
) -> None:
    assert event_type in REGISTRY, f"no service publishes {event_type}"
    declared = REGISTRY.get(event_type).model.model_fields
    missing = [name for name in fields if name not in declared]
    assert not missing, f"{event_type} has no field {missing} (renamed in its contract?)"


@pytest.mark.parametrize("event_type", GENERIC_ANSWERS)
def test_a_generic_answer_decides_only_accepted_or_declined(event_type: str) -> None:
    schema = REGISTRY.get(event_type).model.model_json_schema()
    decision = schema["properties"]["decision"]
    ref = decision.get("$ref")
    allowed = schema["$defs"][ref.rsplit("/", 1)[-1]] if ref else decision
    assert set(allowed["enum"]) == {"accepted", "declined"}
