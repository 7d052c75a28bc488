"""Empowerment's finance and outcomes under the shared disclosure control, on real PostgreSQL.

The old tables showed counts of 1 to 4 as "<5": outcome rows gave the hidden one by subtraction
from their total (8 followed up − 7 improved − 0 the same = 1 worsened), a county's row being
listed told that someone was there, and one call against the next gave a grant's exact count.
Now every count is a multiple of 5 drawn by the records' keys, money appears only over at least
10 and is rounded to thousands, survivors without consent to de-identified reporting are not
counted, and date ranges are refused.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
from empowerment_support import NEEDS, PLAN, As, FakeIntake
from fastapi import FastAPI
from uponyaji_disclosure.rounding import Publisher, publish_amount

BETTER = ["rarely_or_sometimes", "never", "never"]  # moderate at the needs assessment → little
WORSE = ["often", "often", "often"]  # → severe


async def follow_up(officer: As, survivor: UUID, hunger: list[str]) -> None:
    """A needs assessment, a plan and a 3-month follow-up through the API."""
    for path, body in (
        ("needs-assessments", {**NEEDS, "assessed_on": "2026-01-05"}),
        ("plan", PLAN),
        (
            "follow-ups",
            {
                "milestone": "month_3",
                "held_on": "2026-04-12",
                "monthly_income_kes": "9000",
                "business_operating": True,
                "employment_status": "self_employed",
                "hunger_answers": hunger,
                "notes": "Synthetic (FAKE)",
            },
        ),
    ):
        answer = await officer.post(f"/survivors/{survivor}/{path}", body)
        assert answer.status_code == 201, answer.text


async def approved_grant(officer: As, lead: As, survivor: UUID, line: str, amount: str) -> UUID:
    """A grant proposed by the officer and approved by the lead."""
    proposed = await officer.post(
        f"/survivors/{survivor}/grants",
        {
            "purpose": "tools_and_equipment",
            "amount_kes": amount,
            "budget_line_id": line,
            "justification": "Synthetic justification (FAKE)",
        },
    )
    assert proposed.status_code == 201, proposed.text
    grant = proposed.json()["grant_id"]
    decided = await lead.post(f"/grants/{grant}/decision", {"decision": "approve"})
    assert decided.status_code == 201, decided.text
    return UUID(grant)


def multiples_of_five(value: Any) -> bool:
    """Whether every integer in a published answer (nested) is a multiple of 5."""
    if isinstance(value, dict):
        return all(multiples_of_five(v) for v in value.values())
    if isinstance(value, list):
        return all(multiples_of_five(v) for v in value)
    return not isinstance(value, int) or isinstance(value, bool) or value % 5 == 0


async def test_finance_and_outcomes_are_rounded_consent_bound_and_resist_differencing(
    app: FastAPI, intake: FakeIntake, officer: As, lead: As, pool: asyncpg.Pool
) -> None:
    nairobi = [await intake.register(county="047") for _ in range(8)]
    lamu = await intake.register(county="005")  # the one survivor of a small county
    refusing = [await intake.register(county="030") for _ in range(6)]
    for survivor in [*nairobi, lamu]:
        await intake.consent_to_reporting(survivor)
    await intake.deliver(app)
    created = await lead.post(
        "/budget-lines",
        {
            "code": "EMP-DISCLOSURE-TEST",
            "period_start": "2020-01-01",
            "period_end": "2099-12-31",
            "amount_kes": "1000000",
        },
    )
    assert created.status_code == 201, created.text
    line = created.json()["budget_line_id"]
    grants = [await approved_grant(officer, lead, s, line, "10000.40") for s in nairobi[:7]]
    lamu_grant = await approved_grant(officer, lead, lamu, line, "25000")
    for survivor in refusing:
        await approved_grant(officer, lead, survivor, line, "5000")
    for survivor in nairobi[:7]:
        await follow_up(officer, survivor, BETTER)
    await follow_up(officer, lamu, WORSE)  # the one whose hunger worsened
    for survivor in refusing:
        await follow_up(officer, survivor, WORSE)
    publisher = Publisher(await pool.fetchval("SELECT secret FROM disclosure_secret"))

    finance = (await lead.get("/finance")).json()
    assert finance["disclosure"] == {"method": "cell-key random rounding", "rounding_base": 5}
    assert multiples_of_five(finance["cells"])
    cells = {c["county_code"]: c for c in finance["cells"]}
    assert "030" not in cells  # six survivors who refused de-identified reporting
    nairobi_grants = publisher.count(grants)
    assert cells["047"]["grants_approved"] == nairobi_grants in (5, 10)
    # Money only over a published 10, rounded to thousands of the true 70,002.80 KES.
    group = publisher.group(grants)
    shown = f"{publish_amount(Decimal('70002.80'), group)}.00" if nairobi_grants == 10 else None
    assert cells["047"]["approved_kes"] == shown
    # Lamu's single grant: listed with 5 grants and no amount, or not listed at all (like 0).
    if publisher.count([lamu_grant]):
        assert (cells["005"]["grants_approved"], cells["005"]["approved_kes"]) == (5, None)
    else:
        assert "005" not in cells

    outcomes = (await lead.get("/outcomes")).json()
    assert multiples_of_five(outcomes)
    followed = [*nairobi[:7], lamu]
    assert outcomes["survivors_followed_up"] == publisher.count(followed) in (5, 10)
    assert outcomes["hunger_change"].get("improved", 0) == publisher.count(nairobi[:7])
    assert outcomes["hunger_change"].get("worsened", 0) == publisher.count([lamu]) in (0, 5)
    # The margin attack: total minus the other rows is a multiple of 5, never Lamu's 1.
    rows = outcomes["hunger_change"]
    derived = outcomes["survivors_followed_up"] - rows.get("improved", 0) - rows.get("same", 0)
    assert derived % 5 == 0
    median_shown = outcomes["survivors_followed_up"] >= 10
    assert outcomes["median_income_change_kes"] == ("4500.00" if median_shown else None)
    assert (await lead.get("/outcomes")).json() == outcomes  # no fresh draw to average away

    # Adjacent calls: one more grant in Nairobi in between; the count moves by 0 or ±5, not 1.
    grants.append(await approved_grant(officer, lead, nairobi[7], line, "10000"))
    again = {c["county_code"]: c for c in (await lead.get("/finance")).json()["cells"]}
    assert again["047"]["grants_approved"] - nairobi_grants in (-5, 0, 5)
    assert again["047"]["grants_approved"] == publisher.count(grants)

    for path in ("/finance", "/outcomes"):
        for field in ("from", "to"):
            refused = await lead.get(path, params={field: "2026-01-01"})
            assert refused.status_code == 422, (path, refused.text)
            problem = refused.json()["problems"][0]
            assert problem["field"] == f"query.{field}", refused.text
            assert "date ranges are not published" in str(problem), refused.text
