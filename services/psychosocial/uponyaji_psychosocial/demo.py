"""Synthetic demo journeys: sessions, assessment series, risk flags and care-plan goals.

Pure: a random generator seeded by the survivor's id turns into request bodies (the same bodies
the API takes), so demo data passes every rule a counsellor's input does. Trajectories are
believable: most survivors improve, some stay flat, a few worsen, and a few give a risk signal
on PHQ-9 item 9. Every free text says it is synthetic.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from .instruments import Instrument, Instruments

TABLE = Instruments()
COURSES = {"improving": 0.6, "recovering": 0.1, "flat": 0.18, "worsening": 0.12}
SESSION_APPROACHES = {
    "narrative_exposure_therapy": 3,
    "trauma_focused_cbt": 3,
    "supportive_counselling": 3,
    "emdr": 1,
    "psychoeducation": 2,
    "other": 1,
}
GOALS = (
    ("symptoms", "Sleep through most nights without nightmares (synthetic demo goal)"),
    ("daily_functioning", "Return to the market stall three days a week (synthetic demo goal)"),
    ("relationships", "Rejoin the church women's group (synthetic demo goal)"),
    ("safety", "Keep the agreed safety plan at home (synthetic demo goal)"),
    ("livelihood", "Start the poultry project with the empowerment team (synthetic demo goal)"),
)
NOTES = (
    "Synthetic demo note (FAKE): reviewed sleep routine and grounding exercise.",
    "Synthetic demo note (FAKE): worked on the lifeline; survivor tolerated exposure well.",
    "Synthetic demo note (FAKE): psychoeducation on trauma reactions; family invited next time.",
    "Synthetic demo note (FAKE): discussed return to work and what helps on bad days.",
)


@dataclass
class DemoJourney:
    """Everything recorded about one survivor's counselling, as API request bodies."""

    course: str
    assessments: list[dict[str, Any]] = field(default_factory=list)
    sessions: list[dict[str, Any]] = field(default_factory=list)
    goals: list[tuple[dict[str, Any], list[dict[str, Any]]]] = field(default_factory=list)
    # Indexes of PHQ-9 assessments whose risk flag gets a safety response (others stay open).
    answered_flags: set[int] = field(default_factory=set)
    next_session: date | None = None  # the next session in the rhythm, from today on


def responses(instrument: Instrument, severity: float, rng: random.Random) -> list[int]:
    """Item responses whose total sits at `severity` (0 best … 1 worst) of the range."""
    worse_high = instrument.direction.value == "higher_is_worse"
    level = severity if worse_high else 1 - severity
    span = instrument.item_max - instrument.item_min
    extra = round(max(0.0, min(1.0, level)) * span * instrument.items)
    items = [instrument.item_min] * instrument.items
    while extra > 0:
        i = rng.randrange(instrument.items)
        if items[i] < instrument.item_max:
            items[i] += 1
            extra -= 1
    return items


def _severities(course: str, months: int, rng: random.Random) -> list[float]:
    start = rng.uniform(0.45, 0.8)
    end = {
        "improving": start * rng.uniform(0.35, 0.6),
        "recovering": start * rng.uniform(0.1, 0.25),
        "flat": start + rng.uniform(-0.05, 0.05),
        "worsening": min(0.95, start * rng.uniform(1.15, 1.35)),
    }[course]
    steps = max(1, months - 1)
    return [start + (end - start) * m / steps + rng.uniform(-0.04, 0.04) for m in range(months)]


def _at(day: date, rng: random.Random) -> str:
    when = datetime.combine(day, time(rng.randint(6, 12), rng.choice((0, 15, 30, 45))), UTC)
    return when.isoformat()


def journey(survivor_id: UUID, today: date) -> DemoJourney:
    """A survivor's demo journey, the same every time for the same id and day."""
    rng = random.Random(survivor_id.int)
    course = rng.choices(list(COURSES), list(COURSES.values()))[0]
    months = rng.randint(3, 6)
    start = today - timedelta(days=30 * months + rng.randint(0, 20))
    plan = DemoJourney(course)
    severities = _severities(course, months, rng)
    extra = rng.sample(["HTQ-IV", "HSCL-25", "K10"], rng.randint(0, 2))
    risky_month = rng.randrange(months) if rng.random() < 0.12 else None
    for month, severity in enumerate(severities):
        day = start + timedelta(days=30 * month + rng.randint(0, 3))
        codes = ["PHQ-9", "GAD-7", "PCL-5", *extra]
        if month in (0, months - 1):
            codes.append("WHO-5")
        for code in codes:
            items = responses(TABLE[code], severity + rng.uniform(-0.05, 0.05), rng)
            if code == "PHQ-9":
                items[8] = rng.randint(1, 2) if month == risky_month else 0
                if month == risky_month and rng.random() < 0.5:  # half answered, half open
                    plan.answered_flags.add(len(plan.assessments))
            plan.assessments.append(
                {"instrument": code, "responses": items, "administered_at": _at(day, rng)}
            )
    day = start
    while day < today:
        attended = rng.random() < 0.85
        plan.sessions.append(
            {
                "kind": "individual" if rng.random() < 0.85 else "family",
                "held_on": day.isoformat(),
                "duration_minutes": rng.choice((45, 50, 60, 90)),
                "approach": rng.choices(
                    list(SESSION_APPROACHES), list(SESSION_APPROACHES.values())
                )[0],
                "attendance": "attended" if attended else rng.choice(("missed", "cancelled")),
                "place": rng.choices(("office", "outreach", "phone"), (70, 20, 10))[0],
                "interpreter": False,
                "notes": rng.choice(NOTES) if attended else None,
            }
        )
        day += timedelta(days=rng.choice((7, 7, 7, 14)))
    plan.next_session = day  # (no draw: the rest of the journey stays as it was)
    for domain, text in rng.sample(GOALS, rng.randint(1, 3)):
        target = start + timedelta(days=rng.randint(60, 240))
        reviews = []
        if start + timedelta(days=45) < today:
            status = {
                "improving": "in_progress",
                "recovering": "achieved",
                "flat": "not_started",
                "worsening": "not_achieved",
            }[course]
            reviews.append(
                {
                    "status": status,
                    "reviewed_on": (start + timedelta(days=45)).isoformat(),
                    "note": "Synthetic demo review (FAKE).",
                }
            )
        plan.goals.append(
            ({"domain": domain, "description": text, "target_date": target.isoformat()}, reviews)
        )
    return plan
