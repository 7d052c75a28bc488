"""Synthetic demo survivors: obviously fake names, real Kenyan county codes, plausible journeys.

Pure: a seeded random generator turns a number into request bodies (the same bodies the API
takes), so the demo data goes through every rule a real registration does.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from uponyaji_events.contracts.vocabularies import (
    ClosureReason,
    ConsentScope,
    PerpetratorCategory,
    PlaceType,
    TortureMethod,
)
from uponyaji_events.eat import EAT

NATO = (
    "Alpha",
    "Bravo",
    "Charlie",
    "Delta",
    "Echo",
    "Foxtrot",
    "Golf",
    "Hotel",
    "India",
    "Juliett",
    "Kilo",
    "Lima",
    "Mike",
    "November",
    "Oscar",
    "Papa",
    "Quebec",
    "Romeo",
    "Sierra",
    "Tango",
    "Uniform",
    "Victor",
    "Whiskey",
    "Xray",
    "Yankee",
    "Zulu",
)
COUNTIES = [f"{n:03d}" for n in range(1, 48)]
COAST = {"001", "002", "003", "004", "005", "006"}  # served by the Mombasa field office
NAIROBI, MOMBASA = "nairobi-field-office", "mombasa-field-office"
CONSENT_RATES = {
    ConsentScope.DOCUMENTATION: 0.92,
    ConsentScope.MEDICAL_EXAMINATION: 0.6,
    ConsentScope.PHOTOGRAPHY: 0.3,
    ConsentScope.PSYCHOSOCIAL_SUPPORT: 0.65,
    ConsentScope.EMPOWERMENT: 0.4,
    ConsentScope.LEGAL_REPRESENTATION: 0.25,
    ConsentScope.SHARING_WITH_OVERSIGHT_BODIES: 0.2,
    ConsentScope.DEIDENTIFIED_REPORTING: 0.8,
    ConsentScope.CONTACT_BY_PHONE: 0.5,
}
REFERRALS = {
    "medical": ConsentScope.MEDICAL_EXAMINATION,
    "psychosocial": ConsentScope.PSYCHOSOCIAL_SUPPORT,
    "empowerment": ConsentScope.EMPOWERMENT,
    "legal": ConsentScope.LEGAL_REPRESENTATION,
}


@dataclass
class DemoSurvivor:
    """Everything recorded about one synthetic survivor, as API request bodies."""

    team: str
    registration: dict[str, Any]
    consents: list[dict[str, Any]] = field(default_factory=list)
    incidents: list[dict[str, Any]] = field(default_factory=list)
    referrals: list[tuple[dict[str, Any], list[str]]] = field(default_factory=list)
    closure: dict[str, Any] | None = None


def _county(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.25:
        return "047"  # Nairobi
    if roll < 0.4:
        return "001"  # Mombasa
    if roll < 0.48:
        return "042"  # Kisumu
    return rng.choice(COUNTIES)


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days))


# Demo services run back up to 200 days (six months of counselling and a few weeks' slack);
# consent was given before all of them, as in a real file.
CONSENT_DAYS_AGO = (215, 260)


def consent_time(n: int, now: datetime | None = None) -> datetime:
    """When demo survivor n gave consent: before any demo service (its own generator, so the
    rest of the demo data is the same as without it)."""
    days = random.Random(n * 7919).randint(*CONSENT_DAYS_AGO)
    return (now or datetime.now(UTC)).replace(microsecond=0) - timedelta(days=days)


def registration_day(n: int, now: datetime | None = None) -> date:
    """The day demo survivor n was registered: up to a fortnight before their consent (its own
    generator, like `consent_time`), so a journey reads forwards from registration."""
    days = random.Random(n * 104729).randint(0, 14)
    return (consent_time(n, now).astimezone(EAT) - timedelta(days=days)).date()


def survivor(n: int, rng: random.Random) -> DemoSurvivor:
    """The n-th demo survivor (n from 1)."""
    county = _county(rng)
    word = NATO[(n - 1) % len(NATO)]
    body: dict[str, Any] = {
        "full_name": f"Test Survivor {word}-{n:03d} (FAKE)",
        "county_code": county,
        "gender": rng.choices(["female", "male", "intersex", "not_disclosed"], [45, 50, 1, 4])[0],
        "preferred_language": rng.choices(["sw", "en", "luo", "kik"], [60, 30, 5, 5])[0],
        "estimated_birth_year": rng.randint(1950, 2007),
        "location": f"Test Village {n:03d} (FAKE)",
        "register_anyway_reason": "Synthetic demo data (FAKE)",
        "registered_on": registration_day(n).isoformat(),
    }
    if rng.random() < 0.5:
        body["phone"] = f"+25470000{n:04d}"
    if rng.random() < 0.4:
        body["id_document"] = {"kind": "national_id", "number": f"99{n:06d}"}
    if rng.random() < 0.3:
        body["next_of_kin"] = {"name": f"Test Kin {word}-{n:03d} (FAKE)", "relationship": "sibling"}
    if rng.random() < 0.1:
        body["disabilities"] = rng.sample(["seeing", "hearing", "mobility", "cognition"], 1)
    demo = DemoSurvivor(team=MOMBASA if county in COAST else NAIROBI, registration=body)
    granted = [scope for scope, rate in CONSENT_RATES.items() if rng.random() < rate]
    consented = consent_time(n)
    for scope in granted:
        demo.consents.append(
            {
                "scope": scope.value,
                "decision": "grant",
                "method": rng.choice(["verbal", "written", "thumbprint"]),
                "language": body["preferred_language"],
                "at": consented.isoformat(),
            }
        )
    if ConsentScope.DOCUMENTATION in granted:
        for _ in range(1 + (rng.random() < 0.25)):
            demo.incidents.append(incident(n, rng, county))
    for target, scope in REFERRALS.items():
        if scope in granted and rng.random() < 0.7:
            status = rng.choices(
                [[], ["accepted"], ["accepted", "completed"], ["declined"]], [35, 40, 20, 5]
            )[0]
            demo.referrals.append(
                (
                    {
                        "target": target,
                        "urgency": rng.choice(["routine", "urgent", "emergency"]),
                        "reason": "Synthetic referral (FAKE)",
                    },
                    status,
                )
            )
    if granted and rng.random() < 0.05:
        scope = rng.choice(granted)
        demo.consents.append(
            {"scope": scope.value, "decision": "withdraw", "method": "verbal", "language": "sw"}
        )
    if rng.random() < 0.08:
        demo.closure = {"reason": rng.choice(list(ClosureReason)).value}
    return demo


def incident(n: int, rng: random.Random, county: str) -> dict[str, Any]:
    """A synthetic incident for survivor n."""
    start = _day(rng, date(2015, 1, 1), date(2025, 12, 31))
    body: dict[str, Any] = {
        "occurred_from": start.isoformat(),
        "date_is_approximate": rng.random() < 0.3,
        "county_code": county if rng.random() < 0.8 else rng.choice(COUNTIES),
        "place_type": rng.choice(list(PlaceType)).value,
        "perpetrators": [p.value for p in rng.sample(list(PerpetratorCategory), rng.randint(1, 2))],
        "methods": [m.value for m in rng.sample(list(TortureMethod), rng.randint(1, 4))],
        "narrative": f"Synthetic narrative for demonstration only (FAKE), survivor {n:03d}.",
    }
    if rng.random() < 0.5:
        body["occurred_until"] = (start + timedelta(days=rng.randint(0, 10))).isoformat()
    if rng.random() < 0.6:
        body["detention"] = {"place_types": ["police_station"], "duration_days": rng.randint(1, 30)}
    if rng.random() < 0.4:
        body["reports"] = [
            {
                "reported_to": rng.choice(["police", "ipoa", "knchr"]),
                "reference": f"TEST-REF-{n:04d} (FAKE)",
            }
        ]
    return body
