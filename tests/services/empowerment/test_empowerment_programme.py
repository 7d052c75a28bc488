"""Programme aggregates: small cells hidden, outcomes counted per survivor."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import uuid4

from uponyaji_empowerment import programme


def test_finance_cells_of_one_to_four_show_no_amounts() -> None:
    rows: list[Any] = [
        {
            "county_code": "047",
            "quarter": date(2026, 1, 1),
            "grants": 7,
            "approved": Decimal("140000.00"),
            "paid_survivors": 3,
            "disbursed": Decimal("60000.00"),
        },
        {
            "county_code": "001",
            "quarter": date(2026, 4, 1),
            "grants": 0,
            "approved": Decimal(0),
            "paid_survivors": 5,
            "disbursed": Decimal("75000.50"),
        },
    ]
    nairobi, mombasa = programme.finance(rows)
    assert (nairobi["grants_approved"], nairobi["approved_kes"]) == (7, "140000.00")
    assert (nairobi["survivors_paid"], nairobi["disbursed_kes"]) == ("<5", None)
    assert (mombasa["grants_approved"], mombasa["approved_kes"]) == (0, "0.00")
    assert mombasa["disbursed_kes"] == "75000.50"


def test_outcomes_count_each_survivor_once_and_hide_small_rates() -> None:
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
    summary = programme.outcome_summary(rows, trained=3)
    assert summary["survivors_followed_up"] == 6
    assert summary["median_income_change_kes"] == "1250.00"  # changes 0, 500, … 2500
    assert summary["hunger_change"] == {"improved": 6, "same": 0, "worsened": 0}
    assert summary["business_survival"]["month_6"] == {"operating": 5, "asked": 6, "rate": 0.833}
    assert summary["business_survival"]["month_12"]["rate"] is None
    assert summary["survivors_trained"] == "<5"
