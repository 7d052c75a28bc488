"""Programme aggregates for leads: finance per county and quarter, outcomes; every count rounded.

Counted are survivors who consented to de-identified reporting (the queries see to it). Each
count is published as a multiple of the base decided by its records' keys (uponyaji_disclosure,
cell-key random rounding): no difference of published figures — a total against its rows, one
call against the next — is a count of 1 to 4. Money totals are rounded to whole thousands of KES
by the same kind of draw, and medians, rates and money only appear over a published count of at
least twice the base. A row is listed only when one of its counts is published above zero.
docs/disclosure.md states the guarantee and its limits.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from statistics import median
from typing import Any
from uuid import UUID

import asyncpg
from uponyaji_disclosure.rounding import Publisher, publish_amount
from uponyaji_events.contracts.empowerment import HungerCategory

from .domain import hunger, money
from .domain.outcomes import Point, outcomes

METHOD = "cell-key random rounding"


def disclosure(publisher: Publisher) -> dict[str, Any]:
    """How the figures are published (shown with them)."""
    return {"method": METHOD, "rounding_base": publisher.base}


def _amount(total: Decimal, ids: list[UUID], published: int, publisher: Publisher) -> str | None:
    """A money total rounded to thousands of KES, withheld below twice the base."""
    if not publisher.enough(published):
        return None
    return money.text(Decimal(publish_amount(total, publisher.group(ids))))


def finance(rows: list[asyncpg.Record], publisher: Publisher) -> list[dict[str, Any]]:
    """Approved and disbursed KES per county and quarter, counts rounded, small totals withheld."""
    out = []
    for r in rows:
        grants = publisher.count(r["grant_ids"])
        paid = publisher.count(r["survivor_ids"])
        if not grants and not paid:
            continue  # listing the row would tell that someone is there
        out.append(
            {
                "county_code": r["county_code"],
                "quarter": r["quarter"].isoformat(),
                "grants_approved": grants,
                "approved_kes": _amount(Decimal(r["approved"]), r["grant_ids"], grants, publisher),
                "survivors_paid": paid,
                "disbursed_kes": _amount(
                    Decimal(r["disbursed"]), r["survivor_ids"], paid, publisher
                ),
            }
        )
    return out


def outcome_summary(
    rows: list[asyncpg.Record], trained: list[UUID], publisher: Publisher
) -> dict[str, Any]:
    """Income change, hunger category change and business survival over every survivor counted."""
    by_survivor: dict[UUID, list[Point]] = defaultdict(list)
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
    followed: list[UUID] = []
    hunger_moves: dict[str, list[UUID]] = {"improved": [], "same": [], "worsened": []}
    survival: dict[int, tuple[list[UUID], list[UUID]]] = {6: ([], []), 12: ([], [])}
    for survivor, points in by_survivor.items():
        result = outcomes(points)
        if result["income_change_kes"] is not None:
            changes.append(Decimal(result["income_change_kes"]))
            followed.append(survivor)
            hunger_moves[result["hunger_change"]].append(survivor)
        for months in (6, 12):
            operating = result[f"business_operating_at_{months}_months"]
            if operating is not None:
                if operating:
                    survival[months][0].append(survivor)
                survival[months][1].append(survivor)
    followed_up = publisher.count(followed)
    return {
        "disclosure": disclosure(publisher),
        "survivors_followed_up": followed_up,
        "median_income_change_kes": (
            money_text(median(changes)) if publisher.enough(followed_up) else None
        ),
        "hunger_change": {
            k: n for k, ids in hunger_moves.items() if (n := publisher.count(ids)) > 0
        },
        "business_survival": {
            f"month_{m}": _survival(publisher.count(ok), publisher.count(asked), publisher)
            for m, (ok, asked) in survival.items()
        },
        "survivors_trained": publisher.count(trained),
        "categories": [c.value for c in hunger.RANK],
    }


def _survival(operating: int, asked: int, publisher: Publisher) -> dict[str, Any]:
    """Published counts; the rate is of the two published counts, capped at 1."""
    rate = round(min(operating / asked, 1.0), 3) if publisher.enough(asked) else None
    return {"operating": operating, "asked": asked, "rate": rate}


def money_text(value: Decimal) -> str:
    """A signed exact amount (a median may be negative or end in .5 cents)."""
    sign = "-" if value < 0 else ""
    return sign + money.text(abs(value).quantize(money.CENT))
