"""Grants through the API: budget lines, proposals, decisions, the approval race, disbursements."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import asyncpg
from empowerment_support import NAIROBI, As, FakeIntake, count_events
from fastapi import FastAPI


async def budget_line(lead: As, amount: str = "100000", code: str = "EMP-GRANTS-TEST") -> str:
    answer = await lead.post(
        "/budget-lines",
        {
            "code": code,
            "period_start": "2020-01-01",
            "period_end": "2099-12-31",
            "amount_kes": amount,
        },
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["budget_line_id"])


async def propose(officer: As, survivor: object, line: str, amount: str = "30000") -> str:
    answer = await officer.post(
        f"/survivors/{survivor}/grants",
        {
            "purpose": "tools_and_equipment",
            "amount_kes": amount,
            "budget_line_id": line,
            "justification": "Synthetic justification (FAKE)",
        },
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["grant_id"])


async def test_a_grant_is_proposed_approved_by_another_person_and_paid_out(
    app: FastAPI,
    intake: FakeIntake,
    officer: As,
    lead: As,
    as_staff: Callable[..., As],
    pool: asyncpg.Pool,
) -> None:
    sid = await intake.register()
    await intake.deliver(app)
    line = await budget_line(lead)
    grant = await propose(officer, sid, line, "30000.50")

    # Someone holding both roles may not decide their own proposal.
    both = as_staff("empowerment_officer", "programme_lead")
    own = await propose(both, sid, line, "1000")
    refused = await both.post(f"/grants/{own}/decision", {"decision": "approve"})
    assert (refused.status_code, refused.json()["error"]) == (403, "OwnProposal")

    listed = (await lead.get("/grants")).json()
    assert listed["deidentified"] is True
    assert all("survivor_id" not in g and "case_number" not in g for g in listed["grants"])
    assert {g["amount_kes"] for g in listed["grants"]} == {"30000.50", "1000.00"}

    approved = await lead.post(f"/grants/{grant}/decision", {"decision": "approve"})
    assert approved.status_code == 201, approved.text
    again = await lead.post(f"/grants/{grant}/decision", {"decision": "decline"})
    assert (again.status_code, again.json()["error"]) == (409, "GrantNotPending")

    before = await count_events(pool)
    over = await officer.post(
        f"/grants/{grant}/disbursements",
        {"amount_kes": "30000.51", "channel": "mpesa", "reference": "QGH7XK2LM1"},
    )
    assert (over.status_code, over.json()["error"]) == (409, "OverRemainder")
    assert await count_events(pool) == before
    paid = await officer.post(
        f"/grants/{grant}/disbursements",
        {"amount_kes": "20000", "channel": "mpesa", "reference": "QGH7XK2LM1"},
    )
    assert paid.status_code == 201, paid.text
    reused = await officer.post(
        f"/grants/{grant}/disbursements",
        {"amount_kes": "100", "channel": "bank", "reference": "qgh7xk2lm1"},
    )
    assert (reused.status_code, reused.json()["error"]) == (409, "ReferenceUsed")
    rest = await officer.post(
        f"/grants/{grant}/disbursements",
        {"amount_kes": "10000.50", "channel": "in_kind", "items": "A sewing machine (FAKE)"},
    )
    assert rest.status_code == 201, rest.text

    record = (await officer.get(f"/survivors/{sid}/empowerment")).json()
    [shown] = [g for g in record["grants"] if g["grant_id"] == grant]
    assert (shown["disbursed_kes"], shown["remainder_kes"]) == ("30000.50", "0.00")
    assert shown["disbursements"][0]["reference"] == "QGH7XK2LM1"
    # The reference is sealed in the event: NATS and the feed never carry it in clear.
    stored = await pool.fetchval(
        "SELECT payload::text FROM events WHERE type = 'empowerment.GrantDisbursed' LIMIT 1"
    )
    assert "QGH7XK2LM1" not in stored.upper()
    lines = (await officer.get("/budget-lines")).json()["budget_lines"]
    assert (lines[0]["committed_kes"], lines[0]["disbursed_kes"]) == ("30000.50", "30000.50")


async def test_bad_money_is_refused_naming_the_field_with_nothing_written(
    app: FastAPI, intake: FakeIntake, officer: As, lead: As, pool: asyncpg.Pool
) -> None:
    sid = await intake.register()
    await intake.deliver(app)
    line = await budget_line(lead)
    before = await count_events(pool)
    for amount in ("-100", "abc", "12.345", "0", "NaN"):
        answer = await officer.post(
            f"/survivors/{sid}/grants",
            {
                "purpose": "stock",
                "amount_kes": amount,
                "budget_line_id": line,
            },
        )
        assert answer.status_code == 422, (amount, answer.text)
        assert "amount_kes" in answer.json()["detail"], amount
    unknown = await officer.post(
        f"/survivors/{sid}/grants",
        {
            "purpose": "stock",
            "amount_kes": "10",
            "budget_line_id": str(sid),
        },
    )
    assert (unknown.status_code, unknown.json()["error"]) == (404, "NotFound")
    assert await count_events(pool) == before


async def test_two_approvals_racing_past_the_budget_line_exactly_one_succeeds(
    app: FastAPI,
    intake: FakeIntake,
    officer: As,
    lead: As,
    as_staff: Callable[..., As],
    pool: asyncpg.Pool,
) -> None:
    line = await budget_line(lead, amount="50000", code="EMP-RACE")
    grants = []
    for _ in range(2):
        sid = await intake.register(team=NAIROBI)
        await intake.deliver(app)
        grants.append(await propose(officer, sid, line, "30000"))
    leads = [as_staff("programme_lead", teams=()) for _ in grants]
    pairs = zip(leads, grants, strict=True)
    answers = await asyncio.gather(
        *[who.post(f"/grants/{g}/decision", {"decision": "approve"}) for who, g in pairs]
    )
    codes = sorted(a.status_code for a in answers)
    assert codes == [201, 409], [a.text for a in answers]
    loser = next(a for a in answers if a.status_code == 409)
    assert loser.json()["error"] == "BudgetExceeded"
    committed = await pool.fetchval("SELECT committed FROM budget_lines")
    assert str(committed) == "30000.00"
    approvals = await pool.fetchval(
        "SELECT count(*) FROM events WHERE type = 'empowerment.GrantApproved'"
    )
    assert approvals == 1
