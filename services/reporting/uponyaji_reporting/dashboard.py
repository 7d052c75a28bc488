"""Programme dashboard: per-survivor facts from journeys, aggregates with small-cell suppression."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from . import programmes
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
    programme: tuple[tuple[str, str], ...] = ()  # medical and empowerment keys (programmes.py)


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
    county = record.get("county_code")
    programme = (
        *programmes.medical_keys(journey),
        *programmes.empowerment_keys(journey, county),
    )
    return Facts(
        journey.survivor_id, team, county, record.get("gender"),
        record.get("age_band"), journey.registered_at.date() if journey.registered_at else None,
        closed_on, journey.stages.get("intake") == "erased", frozenset(perpetrators),
        frozenset(methods), frozenset(services), first_service, outcomes, journey.open_risk_flags,
        journey.case_number, str(worker) if worker else None, programme,
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


Key = tuple[str, str]  # (dim, value): what one survivor adds to one count


def contributions(f: Facts, *, merged: bool = False) -> list[Key]:
    """The keys one survivor adds to the dashboard (none when unregistered or merged away)."""
    if f.registered_on is None or merged:
        return []
    keys: list[Key] = [
        ("survivors", ""),
        ("month", f.registered_on.strftime("%Y-%m")),
        ("county", f.county or "unknown"),
        ("gender", f.gender or "unknown"),
        ("age_band", f.age_band or "unknown"),
    ]
    keys += [("perpetrator", p) for p in sorted(f.perpetrators)]
    keys += [("torture_method", m) for m in sorted(f.methods)]
    keys += [("service", s) for s in sorted(f.services)]
    if f.first_service_on is not None:
        keys.append(("first_service_days", str((f.first_service_on - f.registered_on).days)))
    keys += [(f"outcome:{i}", str(change)) for i, change in sorted(f.outcomes.items())]
    if f.open_risk_flags:
        keys.append(("open_risk_flags", ""))
    keys += list(f.programme)
    if f.erased:
        keys.append(("inactive", "erased"))
    elif f.closed_on is not None:
        keys.append(("closed_on", f.closed_on.isoformat()))
    return keys


def _breakdown(counts: Mapping[Key, int], dim: str) -> dict[str, Count]:
    return {v: shown(n) for (d, v), n in sorted(counts.items()) if d == dim and n}


def _outcomes(counts: Mapping[Key, int]) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for instrument in OUTCOME_INSTRUMENTS:
        changes = {v: n for (d, v), n in counts.items() if d == f"outcome:{instrument}"}
        assessed = sum(changes.values())
        recovered = changes.get(str(Change.RELIABLE_RECOVERY), 0)
        tallies = {
            "reliable_improvement": changes.get(str(Change.RELIABLE_IMPROVEMENT), 0) + recovered,
            "reliable_recovery": recovered,
            "deterioration": changes.get(str(Change.RELIABLE_DETERIORATION), 0),
        }
        row: dict[str, Any] = {"assessed_twice": shown(assessed)}
        for name, n in tallies.items():
            row[name] = shown(n)
            small = 1 <= n <= 4 or 1 <= assessed <= 4
            row[f"{name}_percent"] = None if small or not assessed else round(100 * n / assessed, 1)
        table[instrument] = row
    return table


def median(histogram: Mapping[int, int]) -> float | int | None:
    """The median of values given as value → how many (as `statistics.median` of the list)."""
    total = sum(histogram.values())
    if not total:
        return None
    wanted = (total - 1) // 2, total // 2  # the middle index, or the two middle ones
    found: list[int] = []
    seen = 0
    for value, n in sorted(histogram.items()):
        found += [value] * sum(1 for w in wanted if seen <= w < seen + n)
        seen += n
        if len(found) == 2:
            break
    return found[0] if total % 2 else (found[0] + found[1]) / 2


def render(counts: Mapping[Key, int], until: date) -> dict[str, Any]:
    """The dashboard from summed survivor keys: every survivor count of 1 to 4 shown as "<5".

    `until` is the end of the period (or today): survivors closed on or before it are not active.
    """
    total = counts.get(("survivors", ""), 0)
    closed = sum(n for (d, v), n in counts.items() if d == "closed_on" and v <= until.isoformat())
    inactive = counts.get(("inactive", "erased"), 0) + closed
    waits = {int(v): n for (d, v), n in counts.items() if d == "first_service_days" and n}
    waited = sum(waits.values())
    return {
        "survivors": shown(total),
        "active_caseload": shown(total - inactive),
        "registrations_per_month": _breakdown(counts, "month"),
        "by_county": _breakdown(counts, "county"),
        "by_gender": _breakdown(counts, "gender"),
        "by_age_band": _breakdown(counts, "age_band"),
        "by_perpetrator": _breakdown(counts, "perpetrator"),
        "by_torture_method": _breakdown(counts, "torture_method"),
        "services_received": _breakdown(counts, "service"),
        "time_to_first_service": {
            "survivors": shown(waited),
            "median_days": median(waits) if waited >= 5 else None,
        },
        "outcomes": _outcomes(counts),
        "open_risk_flags": shown(counts.get(("open_risk_flags", ""), 0)),
        **programmes.render(counts, median),
    }


def aggregate(all_facts: Iterable[Facts], where: Filter, today: date) -> dict[str, Any]:
    """The dashboard for a filter, counted over the facts directly (what the cells must equal)."""
    counts: Counter[Key] = Counter()
    for f in all_facts:
        if where.selects(f):
            counts.update(contributions(f))
    return render(counts, where.end or today)
