"""Programme aggregates for leads: finance per county and quarter, outcomes; small counts hidden.

A cell counting 1 to 4 survivors (or grants) is shown as "<5" with its amounts withheld, so no
figure can be traced back to one survivor.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from statistics import median
from typing import Any

import asyncpg
from uponyaji_events.contracts.empowerment import HungerCategory

from .domain import hunger, money
from .domain.outcomes import Point, outcomes

SMALL = 5


def count(n: int) -> int | str:
    """A count as shown: "<5" for 1 to 4."""
    return "<5" if 0 < n < SMALL else n


def finance(rows: list[asyncpg.Record]) -> list[dict[str, Any]]:
    """Approved and disbursed KES per county and quarter, small cells withheld."""
    out = []
    for r in rows:
        grants_small = 0 < r["grants"] < SMALL
        paid_small = 0 < r["paid_survivors"] < SMALL
        out.append(
            {
                "county_code": r["county_code"],
                "quarter": r["quarter"].isoformat(),
                "grants_approved": count(r["grants"]),
                "approved_kes": None if grants_small else money.text(Decimal(r["approved"])),
                "survivors_paid": count(r["paid_survivors"]),
                "disbursed_kes": None if paid_small else money.text(Decimal(r["disbursed"])),
            }
        )
    return out


def outcome_summary(rows: list[asyncpg.Record], trained: int) -> dict[str, Any]:
    """Income change, hunger category change and business survival over every survivor."""
    by_survivor: dict[Any, list[Point]] = defaultdict(list)
    for r in rows:
        by_survivor[r["survivor_id"]].append(
            Point(
                r["on_day"],
                Decimal(r["income"]),
                HungerCategory(r["hunger_category"]),
                r["milestone"],
                r["business_operating"],
            )
        )
    changes: list[Decimal] = []
    hunger_moves = {"improved": 0, "same": 0, "worsened": 0}
    survival = {6: [0, 0], 12: [0, 0]}  # operating, asked
    for points in by_survivor.values():
        result = outcomes(points)
        if result["income_change_kes"] is not None:
            changes.append(Decimal(result["income_change_kes"]))
            hunger_moves[result["hunger_change"]] += 1
        for months in (6, 12):
            operating = result[f"business_operating_at_{months}_months"]
            if operating is not None:
                survival[months][0] += int(operating)
                survival[months][1] += 1
    return {
        "survivors_followed_up": count(len(changes)),
        "median_income_change_kes": money_text(median(changes)) if len(changes) >= SMALL else None,
        "hunger_change": {k: count(v) for k, v in hunger_moves.items()},
        "business_survival": {
            f"month_{m}": {
                "operating": count(ok),
                "asked": count(asked),
                "rate": round(ok / asked, 3) if asked >= SMALL else None,
            }
            for m, (ok, asked) in survival.items()
        },
        "survivors_trained": count(trained),
        "categories": [c.value for c in hunger.RANK],
    }


def money_text(value: Decimal) -> str:
    """A signed exact amount (a median may be negative or end in .5 cents)."""
    sign = "-" if value < 0 else ""
    return sign + money.text(abs(value).quantize(money.CENT))
