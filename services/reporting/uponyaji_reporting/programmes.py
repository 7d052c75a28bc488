"""Medical and empowerment on the dashboard: the keys a survivor adds, and their rows.

Keys are `(dim, value)` pairs counted per survivor like the others (`dashboard.contributions`).
Money is counted as a histogram: a survivor adds one key `grants_approved` with value
`<county>|<quarter>|<KES>` (their total for that quarter), so a cell's count is how many
survivors had that total, and the row's sum is Σ KES × count — exact, and movable by
differences. Published, the survivors are rounded like every count and the total to whole
thousands of KES, shown only when the published survivors are enough (`disclosure.enough`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from uponyaji_events.eat import eat_date

from . import counties
from .counties import Language
from .disclosure import EMPTY, Group, enough, publish, publish_amount
from .journey import Journey
from .milestones import Entry

Key = tuple[str, str]
HUNGER = {"little_or_none": 0, "moderate": 1, "severe": 2}  # FANTA categories, worst last


def quarter(day: date) -> str:
    """A date's calendar quarter, `2026-Q1`."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _current(entries: list[Entry], kinds: tuple[str, str], id_field: str) -> list[Entry]:
    """Entries of a kind and its correction, corrected ones replaced, in the journey's order."""
    kept: dict[str, Entry] = {}
    for e in entries:
        if e.kind in kinds:
            kept.pop(str(e.data.get("supersedes")), None)
            kept[str(e.data[id_field])] = e
    return [e for e in entries if e.kind in kinds and kept.get(str(e.data[id_field])) is e]


def _compare(before: Decimal | int, after: Decimal | int, up: str, down: str) -> str:
    return up if after > before else down if after < before else "same"


def medical_keys(journey: Journey) -> list[Key]:
    """Examined, the latest overall consistency level, a signed report and its wait, P3 issued."""
    own = [e for e in journey.milestones if e.source == "medical"]
    kinds = {e.kind for e in own}
    keys: list[Key] = []
    if "examined" in kinds:
        keys.append(("medical", "examined"))
    levels = [e.data["level"] for e in own if e.kind == "overall_evaluation"]
    if levels:
        keys.append(("overall_consistency", str(levels[-1])))
    signed = [eat_date(e.at) for e in own if e.kind == "report_signed"]
    if signed:
        keys.append(("medical", "report_signed"))
        if journey.registered_at is not None:
            days = (min(signed) - eat_date(journey.registered_at)).days
            keys.append(("intake_to_signed_report_days", str(max(days, 0))))
    if any(e.kind == "form_issued" and e.data.get("form") == "p3" for e in own):
        keys.append(("medical", "p3_issued"))
    return keys


def empowerment_keys(journey: Journey, county: str | None) -> list[Key]:
    """Grants in KES per county and quarter, training, business survival, income and hunger."""
    own = [e for e in journey.milestones if e.source == "empowerment"]
    keys: list[Key] = []
    place = county or "unknown"
    for kind, dim in (
        ("grant_approved", "grants_approved"),
        ("grant_disbursed", "grants_disbursed"),
    ):
        totals: dict[str, Decimal] = {}
        for e in own:
            if e.kind == kind:
                q = quarter(eat_date(e.at))
                totals[q] = totals.get(q, Decimal(0)) + Decimal(str(e.data["amount_kes"]))
        keys += [(dim, f"{place}|{q}|{total:.2f}") for q, total in sorted(totals.items())]
    if any(e.kind == "training_completed" for e in own):
        keys.append(("empowerment", "trained"))
    needs = _current(own, ("needs_assessed", "needs_assessment_corrected"), "assessment_id")
    follow_ups = _current(own, ("follow_up", "follow_up_corrected"), "follow_up_id")
    operating = [e.data["business_operating"] for e in follow_ups if "business_operating" in e.data]
    if operating:
        keys.append(("business_operating", "yes" if operating[-1] else "no"))
    if needs and follow_ups:
        first, latest = needs[0].data, follow_ups[-1].data
        income = _compare(
            Decimal(str(first["monthly_income_kes"])),
            Decimal(str(latest["monthly_income_kes"])),
            "increased",
            "decreased",
        )
        keys.append(("income_change", income))
        hunger = _compare(  # a lower category is better
            HUNGER[str(latest["hunger_category"])],
            HUNGER[str(first["hunger_category"])],
            "improved",
            "worsened",
        )
        keys.append(("hunger_category_change", hunger))
    return keys


Counts = Mapping[Key, Group]
Histogram = Callable[[Counts, str, int], dict[str, Any]]


def _sum(counts: Counts, keys: Iterable[Key]) -> Group:
    total = EMPTY
    for key in keys:
        total += counts.get(key, EMPTY)
    return total


def _money(
    counts: Counts, dim: str, base: int, language: Language
) -> dict[str, dict[str, dict[str, Any]]]:
    """`{county name: {quarter: {survivors, kes}}}`; the total only over enough survivors."""
    sums: dict[tuple[str, str], tuple[Group, Decimal]] = {}
    for (d, value), g in counts.items():
        if d != dim or not g.n:
            continue
        county, q, kes = value.split("|")
        place = counties.name(None if county == "unknown" else county, language), q
        people, total = sums.get(place, (EMPTY, Decimal(0)))
        sums[place] = people + g, total + Decimal(kes) * g.n
    table: dict[str, dict[str, dict[str, Any]]] = {}
    for (county, q), (people, total) in sorted(sums.items()):
        survivors = publish(people, base)
        if not survivors:
            continue
        amount = publish_amount(total, people) if enough(survivors, base) else None
        table.setdefault(county, {})[q] = {"survivors": survivors, "kes": amount}
    return table


def _breakdown(counts: Counts, dim: str, values: tuple[str, ...], base: int) -> dict[str, int]:
    return {v: publish(counts.get((dim, v), EMPTY), base) for v in values}


def render(counts: Counts, base: int, language: Language, histogram: Histogram) -> dict[str, Any]:
    """The medical and empowerment rows of the dashboard, every count published."""

    def shown(dim: str, value: str) -> int:
        return publish(counts.get((dim, value), EMPTY), base)

    levels = {
        v: p
        for (d, v), g in sorted(counts.items())
        if d == "overall_consistency" and (p := publish(g, base))
    }
    operating = ("business_operating", "yes"), ("business_operating", "no")
    followed = publish(_sum(counts, operating), base)
    yes = shown(*operating[0])
    return {
        "medical": {
            "survivors_examined": shown("medical", "examined"),
            "overall_consistency": levels,
            "reports_signed": shown("medical", "report_signed"),
            "p3_issued": shown("medical", "p3_issued"),
            "intake_to_signed_report": histogram(counts, "intake_to_signed_report_days", base),
        },
        "empowerment": {
            "grants_approved": _money(counts, "grants_approved", base, language),
            "grants_disbursed": _money(counts, "grants_disbursed", base, language),
            "survivors_trained": shown("empowerment", "trained"),
            "business_survival": {
                "followed_up": followed,
                "operating": yes,
                "operating_percent": min(100.0, round(100 * yes / followed, 1))
                if enough(followed, base)
                else None,
            },
            "income_change": _breakdown(
                counts, "income_change", ("increased", "same", "decreased"), base
            ),
            "hunger_category_change": _breakdown(
                counts, "hunger_category_change", ("improved", "same", "worsened"), base
            ),
        },
    }
