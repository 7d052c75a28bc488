"""Demo data reads forwards: each demo survivor's consent precedes every demo session and
assessment, with believable intervals, so the demo passes the consent-before-work rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import NAMESPACE_DNS, uuid5

from uponyaji_intake.demo import EAT, consent_time, registration_day
from uponyaji_psychosocial.demo import journey

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
NAMESPACE = uuid5(NAMESPACE_DNS, "demo.uponyaji.test")


def test_consent_precedes_every_demo_service() -> None:
    for n in range(1, 201):
        consented = consent_time(n, NOW)
        plan = journey(uuid5(NAMESPACE, str(n)), NOW.date())
        first_assessment = min(
            datetime.fromisoformat(a["administered_at"]) for a in plan.assessments
        )
        first_session = min(datetime.fromisoformat(s["held_on"]).date() for s in plan.sessions)
        assert consented < first_assessment
        assert consented.date() <= first_session
        # Believable: counselling starts within months of consent (at most six), not years.
        assert first_assessment - consented < timedelta(days=183)


def test_registration_precedes_consent_in_the_demo() -> None:
    for n in range(1, 201):
        registered = registration_day(n, NOW)
        consented = consent_time(n, NOW).astimezone(EAT).date()
        assert registered <= consented
        assert consented - registered <= timedelta(days=14)  # believable: within a fortnight
