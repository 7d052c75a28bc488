"""Contract-valid intake and psychosocial events about synthetic survivors (shapes of the tests)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4

from pydantic import BaseModel
from uponyaji_events.contracts import intake as i
from uponyaji_events.contracts import psychosocial as p
from uponyaji_events.contracts.types import example_sealed
from uponyaji_events.contracts.vocabularies import (
    AgeBand,
    Gender,
    PerpetratorCategory,
    TortureMethod,
)
from uponyaji_events.envelope import Actor, NewEvent
from uponyaji_events.store import EventStore

OFFICER = Actor(id="0190a8e5-7c00-7000-8000-000000000901", role="intake_officer")
COUNSELLOR = Actor(id="0190a8e5-7c00-7000-8000-000000000902", role="counsellor")
TEAMS = [f"0190a8e5-7c00-7000-8000-0000000002{n:02d}" for n in range(12)]
WORKERS = [f"0190a8e5-7c00-7000-8000-0000000001{n:02d}" for n in range(40)]
COUNTIES = [f"0{n:02d}" for n in range(1, 48)]
# Nairobi (047), Mombasa (001), Kisumu (042), Nakuru (032) and Kiambu (022) carry most cases.
COUNTY_WEIGHTS = [
    8 if c in ("047",) else 3 if c in ("001", "042", "032", "022") else 1 for c in COUNTIES
]
GENDERS = [str(g) for g in Gender]
GENDER_WEIGHTS = [45, 45, 1, 2, 7]
AGE_BANDS = [str(a) for a in AgeBand]
AGE_WEIGHTS = [4, 20, 32, 22, 12, 6, 2, 2]
# PHQ-9 responses by total (as reporting's tests); 14 has item 9 answered: it raises a risk flag.
PHQ9 = {
    16: [2, 2, 2, 2, 2, 2, 2, 2, 0],
    9: [2, 1, 1, 1, 1, 1, 1, 1, 0],
    12: [2, 2, 2, 2, 1, 1, 1, 1, 0],
    14: [2, 2, 2, 2, 2, 2, 1, 0, 1],
}
BANDS = {16: "moderately_severe", 9: "mild", 12: "moderate", 14: "moderate"}
ROUNDS = 9  # PHQ-9 plus two sessions each: 27 psychosocial events, 3-4 of intake
FIRST_DAY = date(2024, 1, 1)
SPAN_DAYS = 820  # registrations from January 2024 to March 2026
NAME = example_sealed("full name")
NARRATIVE = example_sealed("narrative")
NOTES = example_sealed("notes")


@dataclass(frozen=True)
class Made:
    """Checked builders: each new shape is validated against its contract once."""

    checked: set[str]

    def event(
        self, type_: str, model: type[BaseModel], body: dict[str, Any], at: datetime
    ) -> NewEvent:
        """A NewEvent; the first of each type is validated (the rest share its shape)."""
        if type_ not in self.checked:
            model.model_validate(body)
            self.checked.add(type_)
        return NewEvent(type_, body, occurred_at=at)


def noon(day: date) -> datetime:
    """Noon UTC on a date."""
    return datetime.combine(day, time(12), UTC)


def intake_events(made: Made, rng: random.Random, sid: str, n: int, first: date) -> list[NewEvent]:
    """Registration, assignment and an incident; one case in ten is closed after a year."""
    at = noon(first)
    reg = {
        "survivor_id": sid,
        "case_number": f"UPJ-{first.year}-{n:06d}",
        "full_name": NAME,
        "county_code": rng.choices(COUNTIES, COUNTY_WEIGHTS)[0],
        "gender": rng.choices(GENDERS, GENDER_WEIGHTS)[0],
        "age_band": rng.choices(AGE_BANDS, AGE_WEIGHTS)[0],
        "preferred_language": "sw",
    }
    assign = {
        "survivor_id": sid,
        "team_id": rng.choice(TEAMS),
        "lead_case_worker_id": rng.choice(WORKERS),
    }
    incident = {
        "incident_id": str(uuid4()),
        "survivor_id": sid,
        "occurred_from": (first - timedelta(days=rng.randrange(3, 90))).isoformat(),
        "county_code": reg["county_code"],
        "place_type": "police_station",
        "perpetrators": [rng.choice(list(PerpetratorCategory)).value],
        "methods": sorted({m.value for m in rng.choices(list(TortureMethod), k=2)}),
        "narrative": NARRATIVE,
    }
    out = [
        made.event("intake.SurvivorRegistered", i.SurvivorRegistered, reg, at),
        made.event("intake.CaseAssigned", i.CaseAssigned, assign, at),
        made.event("intake.IncidentDocumented", i.IncidentDocumented, incident, at),
    ]
    if n % 10 == 0:
        closed = {"survivor_id": sid, "reason": "goals_met"}
        out.append(
            made.event("intake.CaseClosed", i.CaseClosed, closed, noon(first) + timedelta(days=180))
        )
    return out


def psychosocial_events(made: Made, rng: random.Random, sid: str, first: date) -> list[NewEvent]:
    """ROUNDS fortnights of a PHQ-9 and two attended sessions (a risk flag when item 9 > 0)."""
    out: list[NewEvent] = []
    for r in range(ROUNDS):
        day = first + timedelta(days=7 + 14 * r)
        total = rng.choice([16, 12, 14]) if r == 0 else rng.choice([16, 12, 9, 9, 14])
        responses, aid = PHQ9[total], str(uuid4())
        body = {
            "assessment_id": aid,
            "survivor_id": sid,
            "instrument": "PHQ-9",
            "responses": responses,
            "administered_at": noon(day).isoformat(),
            "total": str(total),
            "band": BANDS[total],
            "caseness_cutoff": "10",
        }
        out.append(
            made.event("psychosocial.AssessmentRecorded", p.AssessmentRecorded, body, noon(day))
        )
        for held in (day, day + timedelta(days=7)):
            session = {
                "session_id": str(uuid4()),
                "kind": "individual",
                "held_on": held.isoformat(),
                "duration_minutes": 50,
                "approach": "trauma_focused_cbt",
                "place": "office",
                "participants": [{"survivor_id": sid, "attendance": "attended", "notes": NOTES}],
            }
            out.append(
                made.event("psychosocial.SessionRecorded", p.SessionRecorded, session, noon(held))
            )
    return out


def survivor(made: Made, rng: random.Random, n: int) -> tuple[str, list[NewEvent], list[NewEvent]]:
    """One survivor's id, intake events and psychosocial events (about 30 in all)."""
    sid = str(UUID(int=rng.getrandbits(128), version=4))
    first = FIRST_DAY + timedelta(days=rng.randrange(SPAN_DAYS))
    return sid, intake_events(made, rng, sid, n, first), psychosocial_events(made, rng, sid, first)


async def load_sources(
    intake: EventStore, psychosocial: EventStore, total: int, *, writers: int = 4
) -> int:
    """Append about `total` events about new survivors (one stream each per source); sequence."""
    made, rng = Made(set()), random.Random(6)
    count = 0

    def people() -> Iterator[tuple[str, list[NewEvent], list[NewEvent]]]:
        nonlocal count
        n = 0
        while count < total:
            n += 1
            sid, ours, theirs = survivor(made, rng, n)
            count += len(ours) + len(theirs)
            yield sid, ours, theirs

    pending = people()

    async def writer() -> None:
        for sid, ours, theirs in pending:
            await intake.append("survivor", sid, 0, ours, actor=OFFICER)
            await psychosocial.append("survivor", sid, 0, theirs, actor=COUNSELLOR)

    await asyncio.gather(*(writer() for _ in range(writers)))
    for store in (intake, psychosocial):
        while await store.sequence():
            pass
    return count


def registration(made: Made, rng: random.Random, n: int) -> tuple[UUID, NewEvent]:
    """A new survivor's registration alone (the lag benchmark's command)."""
    sid = str(UUID(int=rng.getrandbits(128), version=4))
    first = FIRST_DAY + timedelta(days=rng.randrange(SPAN_DAYS))
    return UUID(sid), intake_events(made, rng, sid, n, first)[0]
