"""Programme dashboard: per-survivor facts from journeys, aggregates under disclosure control.

Only survivors whose latest decision on `deidentified_reporting` is a grant are counted: one
who refused (never granted) or withdrew it is in no published table. Every count is published
through `disclosure.publish` (random rounding to the base, keyed by the group's record keys).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from uponyaji_events.eat import eat_date

from . import counties, programmes
from .counties import Language
from .disclosure import DEFAULT_BASE, EMPTY, Group, enough, publish, record_key
from .instruments import OUTCOME_INSTRUMENTS, Change
from .journey import Journey

REPORTING_CONSENT = "deidentified_reporting"


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
    reportable: bool = False  # the latest decision on deidentified_reporting is a grant


def facts(journey: Journey) -> Facts:
    """A survivor's dashboard facts from their journey."""
    record: dict[str, Any] = {}
    team = worker = closed_on = first_service = None
    perpetrators: set[str] = set()
    methods: set[str] = set()
    services: set[str] = set()
    reportable = False
    survivor_id = journey.survivor_id
    for entry in journey.milestones:
        # One unpacking instead of an attribute lookup per use (a rebuild reads every entry).
        owner, _, _, kind, at, _, _, data = entry
        if kind == "registered" or kind == "record_corrected":
            if owner == survivor_id:
                record.update(
                    {k: data[k] for k in ("county_code", "gender", "age_band") if k in data}
                )
        elif kind == "consent_granted" or kind == "consent_withdrawn":
            if data.get("scope") == REPORTING_CONSENT:
                reportable = kind == "consent_granted"
        elif kind == "case_assigned":
            team = str(data["team_id"])
            worker = data.get("lead_case_worker_id")
        elif kind == "case_closed":
            closed_on = eat_date(at)
        elif kind == "case_reopened":
            closed_on = None
        elif kind == "incident_documented":
            perpetrators.update(data.get("perpetrators", []))
            methods.update(data.get("methods", []))
        elif kind == "referral_made":
            services.add(f"referral_{data['target']}")
        elif kind == "session" and data.get("attendance") == "attended":
            services.add("counselling")
            day = eat_date(at)
            first_service = min(first_service or day, day)
    outcomes = {i: str(c) for i in OUTCOME_INSTRUMENTS if (c := journey.outcome(i)) is not None}
    county = record.get("county_code")
    programme = (
        *programmes.medical_keys(journey),
        *programmes.empowerment_keys(journey, county),
    )
    return Facts(
        journey.survivor_id,
        team,
        county,
        record.get("gender"),
        record.get("age_band"),
        eat_date(journey.registered_at) if journey.registered_at else None,
        closed_on,
        journey.stages.get("intake") == "erased",
        frozenset(perpetrators),
        frozenset(methods),
        frozenset(services),
        first_service,
        outcomes,
        journey.open_risk_flags,
        journey.case_number,
        str(worker) if worker else None,
        programme,
        reportable,
    )


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
    """The keys one survivor adds to the dashboard (none when unregistered, merged away, or not
    consenting to de-identified reporting)."""
    if f.registered_on is None or merged or not f.reportable:
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


Counts = Mapping[Key, Group]  # summed keys: how many survivors have each, and their key sum


def _group(counts: Counts, dims: Iterable[Key]) -> Group:
    total = EMPTY
    for key in dims:
        total += counts.get(key, EMPTY)
    return total


def by_dim(counts: Counts) -> dict[str, dict[str, Group]]:
    """The summed keys grouped by dimension once, values in order (each table reads its own)."""
    grouped: dict[str, dict[str, Group]] = {}
    for (d, v), g in sorted(counts.items()):
        if g.n:
            grouped.setdefault(d, {})[v] = g
    return grouped


def _breakdown(
    rows: Mapping[str, Group], base: int, name: Callable[[str], str] = str
) -> dict[str, int]:
    """A breakdown's rows (names merged), only those published as more than zero."""
    groups: dict[str, Group] = {}
    for v, g in rows.items():
        groups[name(v)] = groups.get(name(v), EMPTY) + g
    return {row: shown for row, g in groups.items() if (shown := publish(g, base))}


def percent(part: int, whole: int, base: int) -> float | None:
    """A percentage of published counts, shown only over a large enough published whole."""
    return min(100.0, round(100 * part / whole, 1)) if enough(whole, base) else None


def _outcomes(counts: Counts, base: int) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for instrument in OUTCOME_INSTRUMENTS:
        dim = f"outcome:{instrument}"
        changes = {v: g for (d, v), g in counts.items() if d == dim}
        assessed = _group(counts, ((dim, v) for v in changes))
        recovered = changes.get(str(Change.RELIABLE_RECOVERY), EMPTY)
        tallies = {
            "reliable_improvement": changes.get(str(Change.RELIABLE_IMPROVEMENT), EMPTY)
            + recovered,
            "reliable_recovery": recovered,
            "deterioration": changes.get(str(Change.RELIABLE_DETERIORATION), EMPTY),
        }
        whole = publish(assessed, base)
        row: dict[str, Any] = {"assessed_twice": whole}
        for name, g in tallies.items():
            row[name] = publish(g, base)
            row[f"{name}_percent"] = percent(row[name], whole, base)
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


def histogram(counts: Counts, dim: str, base: int) -> dict[str, Any]:
    """Survivors with a value of `dim` (days), and the median shown when they are enough."""
    groups = {int(v): g for (d, v), g in counts.items() if d == dim and g.n}
    survivors = publish(_group(counts, ((dim, str(v)) for v in groups)), base)
    middle = median({v: g.n for v, g in groups.items()}) if enough(survivors, base) else None
    return {"survivors": survivors, "median_days": middle}


def render(
    counts: Counts, until: date, base: int = DEFAULT_BASE, language: Language = "en"
) -> dict[str, Any]:
    """The dashboard from summed survivor keys, every count published by `disclosure.publish`.

    `until` is the end of the period: survivors closed on or before it are not active.
    """
    dims = by_dim(counts)
    total = counts.get(("survivors", ""), EMPTY)
    closed = EMPTY
    for day, g in dims.get("closed_on", {}).items():
        if day <= until.isoformat():
            closed += g
    inactive = counts.get(("inactive", "erased"), EMPTY) + closed

    def rows(dim: str, name: Callable[[str], str] = str) -> dict[str, int]:
        return _breakdown(dims.get(dim, {}), base, name)

    return {
        "survivors": publish(total, base),
        "active_caseload": publish(total - inactive, base),
        "registrations_per_month": rows("month"),
        "by_county": rows("county", lambda c: counties.name(c, language)),
        "by_gender": rows("gender"),
        "by_age_band": rows("age_band"),
        "by_perpetrator": rows("perpetrator"),
        "by_torture_method": rows("torture_method"),
        "services_received": rows("service"),
        "time_to_first_service": histogram(counts, "first_service_days", base),
        "outcomes": _outcomes(counts, base),
        "open_risk_flags": publish(counts.get(("open_risk_flags", ""), EMPTY), base),
        **programmes.render(counts, base, language, histogram),
    }


def tally(all_facts: Iterable[Facts], where: Filter, secret: bytes) -> dict[Key, Group]:
    """The summed keys of the survivors a filter selects, counted over their facts directly."""
    counts: dict[Key, Group] = {}
    for f in all_facts:
        if where.selects(f):
            one = Group(1, record_key(secret, f.survivor_id))
            for key in contributions(f):
                counts[key] = counts.get(key, EMPTY) + one
    return counts


def aggregate(
    all_facts: Iterable[Facts],
    where: Filter,
    today: date,
    secret: bytes,
    base: int = DEFAULT_BASE,
    language: Language = "en",
) -> dict[str, Any]:
    """The dashboard for a filter, counted over the facts directly (what the cells must equal)."""
    return render(tally(all_facts, where, secret), where.end or today, base, language)
