"""Programme aggregates: counts rounded by their records' keys, outcomes counted per survivor."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from uponyaji_disclosure.rounding import Publisher, publish_amount
from uponyaji_empowerment import programme

PUBLISHER = Publisher(b"synthetic test secret (FAKE)")


def ids(n: int) -> list[UUID]:
    """`n` fresh record ids."""
    return [uuid4() for _ in range(n)]


def test_finance_counts_are_rounded_and_amounts_shown_only_over_ten() -> None:
    grants, paid, alone = ids(12), ids(3), ids(1)
    rows: list[Any] = [
        {
            "county_code": "047",
            "quarter": date(2026, 1, 1),
            "grant_ids": grants,
            "approved": Decimal("140000.00"),
            "survivor_ids": paid,
            "disbursed": Decimal("60000.00"),
        },
        {
            "county_code": "001",
            "quarter": date(2026, 4, 1),
            "grant_ids": [],
            "approved": Decimal(0),
            "survivor_ids": alone,
            "disbursed": Decimal("75000.50"),
        },
    ]
    cells = {c["county_code"]: c for c in programme.finance(rows, PUBLISHER)}
    nairobi = cells["047"]
    assert nairobi["grants_approved"] == PUBLISHER.count(grants) in (10, 15)
    amount = publish_amount(Decimal("140000.00"), PUBLISHER.group(grants))
    assert nairobi["approved_kes"] == f"{amount}.00"
    assert nairobi["survivors_paid"] in (0, 5)
    assert nairobi["disbursed_kes"] is None  # published 5 at most: no money shown
    # One survivor paid in Mombasa: the row is listed only when published as 5, never "<5".
    if PUBLISHER.count(alone):
        assert (cells["001"]["survivors_paid"], cells["001"]["disbursed_kes"]) == (5, None)
    else:
        assert "001" not in cells


def test_outcomes_count_each_survivor_once_and_show_rates_only_over_ten() -> None:
    rows: list[Any] = []
    for n in range(6):
        sid = uuid4()
        rows.append(
            {
                "survivor_id": sid,
                "on_day": date(2026, 1, 5),
                "income": Decimal(1000),
                "hunger_category": "severe",
                "milestone": None,
                "business_operating": None,
            }
        )
        for milestone, month in (("month_3", 4), ("month_6", 7)):
            rows.append(
                {
                    "survivor_id": sid,
                    "on_day": date(2026, month, 5),
                    "income": Decimal(1000 + 500 * n),
                    "hunger_category": "moderate",
                    "milestone": milestone,
                    "business_operating": n != 0,
                }
            )
    survivors = list(dict.fromkeys(r["survivor_id"] for r in rows))
    summary = programme.outcome_summary(rows, ids(3), PUBLISHER)
    followed = PUBLISHER.count(survivors)  # six survivors, not their twelve follow-ups
    assert summary["survivors_followed_up"] == followed in (5, 10)
    # changes 0, 500, … 2500: the median appears only over a published 10
    assert summary["median_income_change_kes"] == ("1250.00" if followed == 10 else None)
    assert summary["hunger_change"] == ({"improved": followed} if followed else {})
    operating = PUBLISHER.count(survivors[1:])
    asked = PUBLISHER.count(survivors)
    rate = round(min(operating / asked, 1.0), 3) if asked >= 10 else None
    month_6 = {"operating": operating, "asked": asked, "rate": rate}
    assert summary["business_survival"]["month_6"] == month_6
    assert summary["business_survival"]["month_12"] == {"operating": 0, "asked": 0, "rate": None}
    assert summary["survivors_trained"] in (0, 5)
