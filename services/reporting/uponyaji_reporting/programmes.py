"""Medical and empowerment on the dashboard: the keys a survivor adds, and their rows.

Keys are `(dim, value)` pairs counted per survivor like the others (`dashboard.contributions`).
Money is counted as a histogram: a survivor adds one key `grants_approved` with value
`<county>|<quarter>|<KES>` (their total for that quarter), so a cell's count is how many
survivors had that total, and the row's sum is Σ KES × count — exact, and movable by differences.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from .journey import Journey
from .milestones import Entry

Key = tuple[str, str]
HUNGER = {"little_or_none": 0, "moderate": 1, "severe": 2}  # FANTA categories, worst last
SUPPRESSED = "<5"


def shown(n: int) -> int | str:
    """A survivor count as published: 1 to 4 become "<5"."""
    return SUPPRESSED if 1 <= n <= 4 else n


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
    signed = [e.at.date() for e in own if e.kind == "report_signed"]
    if signed:
        keys.append(("medical", "report_signed"))
        if journey.registered_at is not None:
            days = (min(signed) - journey.registered_at.date()).days
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
                q = quarter(e.at.date())
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
            HUNGER[str(latest["hunger_category"])], HUNGER[str(first["hunger_category"])],
            "improved", "worsened",
        )  # fmt: skip
        keys.append(("hunger_category_change", hunger))
    return keys


def _count(counts: Mapping[Key, int], dim: str, value: str) -> int:
    return counts.get((dim, value), 0)


def _money(counts: Mapping[Key, int], dim: str) -> dict[str, dict[str, dict[str, Any]]]:
    """`{county: {quarter: {survivors, kes}}}`; the sum is hidden where survivors are 1–4."""
    sums: dict[tuple[str, str], tuple[int, Decimal]] = {}
    for (d, value), n in counts.items():
        if d != dim or not n:
            continue
        county, q, kes = value.split("|")
        people, total = sums.get((county, q), (0, Decimal(0)))
        sums[(county, q)] = people + n, total + Decimal(kes) * n
    table: dict[str, dict[str, dict[str, Any]]] = {}
    for (county, q), (people, total) in sorted(sums.items()):
        small = 1 <= people <= 4
        row = {"survivors": shown(people), "kes": None if small else f"{total:.2f}"}
        table.setdefault(county, {})[q] = row
    return table


def _breakdown(counts: Mapping[Key, int], dim: str, values: tuple[str, ...]) -> dict[str, Any]:
    return {v: shown(_count(counts, dim, v)) for v in values}


def render(
    counts: Mapping[Key, int], median: Callable[[Mapping[int, int]], float | int | None]
) -> dict[str, Any]:
    """The medical and empowerment rows of the dashboard (survivor counts of 1–4 as "<5")."""
    waits = {int(v): n for (d, v), n in counts.items() if d == "intake_to_signed_report_days" and n}
    waited = sum(waits.values())
    levels = {
        v: shown(n) for (d, v), n in sorted(counts.items()) if d == "overall_consistency" and n
    }
    yes, no = (
        _count(counts, "business_operating", "yes"),
        _count(counts, "business_operating", "no"),
    )
    small = 1 <= yes <= 4 or 1 <= yes + no <= 4
    return {
        "medical": {
            "survivors_examined": shown(_count(counts, "medical", "examined")),
            "overall_consistency": levels,
            "reports_signed": shown(_count(counts, "medical", "report_signed")),
            "p3_issued": shown(_count(counts, "medical", "p3_issued")),
            "intake_to_signed_report": {
                "survivors": shown(waited),
                "median_days": median(waits) if waited >= 5 else None,
            },
        },
        "empowerment": {
            "grants_approved": _money(counts, "grants_approved"),
            "grants_disbursed": _money(counts, "grants_disbursed"),
            "survivors_trained": shown(_count(counts, "empowerment", "trained")),
            "business_survival": {
                "followed_up": shown(yes + no),
                "operating": shown(yes),
                "operating_percent": None
                if small or not yes + no
                else round(100 * yes / (yes + no), 1),
            },
            "income_change": _breakdown(
                counts, "income_change", ("increased", "same", "decreased")
            ),
            "hunger_category_change": _breakdown(
                counts, "hunger_category_change", ("improved", "same", "worsened")
            ),
        },
    }
