"""Programme dashboard: per-survivor facts from journeys, aggregates with small-cell suppression."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from .instruments import OUTCOME_INSTRUMENTS, Change
from .journey import Journey

SUPPRESSED = "<5"
Count = int | str


def shown(n: int) -> Count:
    """A survivor count as published: 1 to 4 become "<5" (0 and ≥ 5 are shown)."""
    return SUPPRESSED if 1 <= n <= 4 else n


@dataclass(frozen=True)
class Facts:
    """What the dashboard needs of one survivor (no identity, no case number)."""

    survivor_id: UUID
    team: str | None = None
    county: str | None = None
    gender: str | None = None
    age_band: str | None = None
    registered_on: date | None = None
    closed_on: date | None = None
    erased: bool = False
    perpetrators: frozenset[str] = frozenset()
    methods: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()
    first_service_on: date | None = None
    outcomes: dict[str, str] = field(default_factory=dict)
    open_risk_flags: int = 0
    case_number: str | None = None
    lead_worker: str | None = None


def facts(journey: Journey) -> Facts:
    """A survivor's dashboard facts from their journey."""
    record: dict[str, Any] = {}
    team = worker = closed_on = first_service = None
    perpetrators: set[str] = set()
    methods: set[str] = set()
    services: set[str] = set()
    for entry in journey.milestones:
        data, day = entry.data, entry.at.date()
        own = entry.survivor_id == journey.survivor_id
        if own and entry.kind in ("registered", "record_corrected"):
            record.update({k: data[k] for k in ("county_code", "gender", "age_band") if k in data})
        elif entry.kind == "case_assigned":
            team = str(data["team_id"])
            worker = data.get("lead_case_worker_id")
        elif entry.kind == "case_closed":
            closed_on = day
        elif entry.kind == "case_reopened":
            closed_on = None
        elif entry.kind == "incident_documented":
            perpetrators.update(data.get("perpetrators", []))
            methods.update(data.get("methods", []))
        elif entry.kind == "referral_made":
            services.add(f"referral_{data['target']}")
        elif entry.kind == "session" and data.get("attendance") == "attended":
            services.add("counselling")
            first_service = min(first_service or day, day)
    outcomes = {i: str(c) for i in OUTCOME_INSTRUMENTS if (c := journey.outcome(i)) is not None}
    return Facts(
        journey.survivor_id, team, record.get("county_code"), record.get("gender"),
        record.get("age_band"), journey.registered_at.date() if journey.registered_at else None,
        closed_on, journey.stages.get("intake") == "erased", frozenset(perpetrators),
        frozenset(methods), frozenset(services), first_service, outcomes, journey.open_risk_flags,
        journey.case_number, str(worker) if worker else None,
    )  # fmt: skip


@dataclass(frozen=True)
class Filter:
    """The dashboard's period (registration dates, inclusive), county and team."""

    start: date | None = None
    end: date | None = None
    county: str | None = None
    team: str | None = None

    def selects(self, f: Facts) -> bool:
        """Whether a survivor belongs to the county, team and period's registrations."""
        if f.registered_on is None or (self.county and f.county != self.county):
            return False
        if self.team and f.team != self.team:
            return False
        if self.start and f.registered_on < self.start:
            return False
        return not (self.end and f.registered_on > self.end)


def _breakdown(values: Iterable[str | None]) -> dict[str, Count]:
    counts = Counter(v or "unknown" for v in values)
    return {k: shown(n) for k, n in sorted(counts.items())}


def _outcomes(cohort: list[Facts]) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for instrument in OUTCOME_INSTRUMENTS:
        changes = [f.outcomes[instrument] for f in cohort if instrument in f.outcomes]
        improved = sum(
            c in (Change.RELIABLE_IMPROVEMENT, Change.RELIABLE_RECOVERY) for c in changes
        )
        counts = {
            "reliable_improvement": improved,
            "reliable_recovery": changes.count(Change.RELIABLE_RECOVERY),
            "deterioration": changes.count(Change.RELIABLE_DETERIORATION),
        }
        row: dict[str, Any] = {"assessed_twice": shown(len(changes))}
        for name, n in counts.items():
            row[name] = shown(n)
            small = 1 <= n <= 4 or 1 <= len(changes) <= 4
            row[f"{name}_percent"] = (
                None if small or not changes else round(100 * n / len(changes), 1)
            )
        table[instrument] = row
    return table


def aggregate(all_facts: Iterable[Facts], where: Filter, today: date) -> dict[str, Any]:
    """The dashboard for a filter: every survivor count of 1 to 4 shown as "<5"."""
    cohort = [f for f in all_facts if where.selects(f)]
    until = where.end or today
    active = [
        f for f in cohort
        if not f.erased and (f.closed_on is None or f.closed_on > until)
    ]  # fmt: skip
    waits = [
        (f.first_service_on - f.registered_on).days
        for f in cohort
        if f.first_service_on and f.registered_on
    ]
    months = Counter(f.registered_on.strftime("%Y-%m") for f in cohort if f.registered_on)
    services = Counter(s for f in cohort for s in f.services)
    return {
        "survivors": shown(len(cohort)),
        "active_caseload": shown(len(active)),
        "registrations_per_month": {m: shown(n) for m, n in sorted(months.items())},
        "by_county": _breakdown(f.county for f in cohort),
        "by_gender": _breakdown(f.gender for f in cohort),
        "by_age_band": _breakdown(f.age_band for f in cohort),
        "by_perpetrator": _breakdown(p for f in cohort for p in f.perpetrators),
        "by_torture_method": _breakdown(m for f in cohort for m in f.methods),
        "services_received": {s: shown(n) for s, n in sorted(services.items())},
        "time_to_first_service": {
            "survivors": shown(len(waits)),
            "median_days": statistics.median(waits) if len(waits) >= 5 else None,
        },
        "outcomes": _outcomes(cohort),
        "open_risk_flags": shown(sum(1 for f in cohort if f.open_risk_flags)),
    }
