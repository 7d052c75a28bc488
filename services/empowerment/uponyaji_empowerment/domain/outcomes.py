"""Outcomes of one survivor: income change from baseline, business survival, hunger change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from uponyaji_events.contracts.empowerment import HungerCategory

from . import hunger, money


@dataclass(frozen=True, slots=True)
class Point:
    """A current needs assessment (baseline) or follow-up, as outcomes need it."""

    on: date
    income: Decimal
    category: HungerCategory
    milestone: str | None = None  # None: a needs assessment
    business_operating: bool | None = None


def outcomes(points: list[Point]) -> dict[str, Any]:
    """Baseline = the first needs assessment; latest = the latest follow-up (else None)."""
    needs = sorted((p for p in points if p.milestone is None), key=lambda p: p.on)
    follow_ups = sorted((p for p in points if p.milestone is not None), key=lambda p: p.on)
    base = needs[0] if needs else None
    last = follow_ups[-1] if follow_ups else None
    by_milestone = {p.milestone: p for p in follow_ups}
    result: dict[str, Any] = {
        "baseline": None if base is None else _show(base),
        "latest": None if last is None else _show(last),
        "income_change_kes": None,
        "hunger_change": None,
        "business_operating_at_6_months": _operating(by_milestone.get("month_6")),
        "business_operating_at_12_months": _operating(by_milestone.get("month_12")),
    }
    if base is not None and last is not None:
        delta = last.income - base.income
        result["income_change_kes"] = ("-" if delta < 0 else "") + money.text(abs(delta))
        result["hunger_change"] = hunger.change(base.category, last.category)
    return result


def _operating(point: Point | None) -> bool | None:
    return None if point is None else point.business_operating


def _show(point: Point) -> dict[str, Any]:
    return {
        "on": point.on.isoformat(),
        "milestone": point.milestone,
        "monthly_income_kes": money.text(point.income),
        "hunger_category": point.category.value,
    }
