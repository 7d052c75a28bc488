"""Given/when/then over the pure deciders: hunger scale, money rules, plans, follow-ups."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st
from uponyaji_empowerment import domain, errors
from uponyaji_empowerment.domain import hunger, money
from uponyaji_empowerment.domain.schedule import add_months, schedule
from uponyaji_events.contracts.empowerment import Channel, HungerCategory, Milestone
from uponyaji_events.contracts.types import example_sealed
from uponyaji_events.envelope import NewEvent
from uponyaji_events.sealing import Sealed

TODAY = date(2026, 6, 15)
SURVIVOR = uuid4()
OFFICER, LEAD = uuid4(), uuid4()
NOTE = Sealed.parse(example_sealed("note"))
BUDGET = domain.BudgetFacts(
    uuid4(), date(2026, 4, 1), date(2026, 6, 30), Decimal(100_000), Decimal(0)
)


def household(**changes: object) -> domain.Household:
    fields: dict[str, object] = {
        "household_size": 5,
        "dependants": 3,
        "earners": 1,
        "income_sources": ("casual_labour",),
        "monthly_income_kes": "4500",
        "housing": "rented",
        "hunger_answers": (2, 1, 0),
        "school_age_children": 2,
        "children_out_of_school": 1,
        "debts_kes": "0",
        "skills": ("tailoring",),
        "barriers": ("injury",),
    }
    fields.update(changes)
    return domain.Household(**fields)  # type: ignore[arg-type]


def given_events(*events: NewEvent) -> domain.SurvivorState:
    return domain.fold(events)


def when(state: domain.SurvivorState, command: domain.SurvivorCommand) -> list[NewEvent]:
    return domain.decide(state, command)


def needs(**changes: object) -> domain.AssessNeeds:
    return domain.AssessNeeds(
        uuid4(), SURVIVOR, date(2026, 3, 2), household(**changes), None, TODAY
    )


def plan(started: date = date(2026, 3, 9), kind: str = "business_restore") -> NewEvent:
    goal = domain.NewGoal(uuid4(), kind, NOTE, date(2026, 12, 1), ((uuid4(), NOTE),))  # type: ignore[arg-type]
    return when(
        domain.SurvivorState(), domain.StartPlan(uuid4(), SURVIVOR, started, (goal,), TODAY)
    )[0]


def proposed(amount: str = "30000") -> tuple[UUID, NewEvent]:
    grant = uuid4()
    command = domain.ProposeGrant(
        grant,
        SURVIVOR,
        "stock",
        amount,
        BUDGET,
        OFFICER,
        None,
        TODAY,  # type: ignore[arg-type]
        TODAY,
    )
    return grant, when(domain.SurvivorState(), command)[0]


def approve(
    grant: UUID, by: UUID = LEAD, budget: domain.BudgetFacts = BUDGET
) -> domain.DecideGrant:
    return domain.DecideGrant(grant, SURVIVOR, True, by, budget, None, TODAY, TODAY)


def disburse(
    grant: UUID, amount: str, *, used: bool = False, channel: Channel = Channel.MPESA
) -> domain.Disburse:
    return domain.Disburse(
        uuid4(), grant, SURVIVOR, amount, channel, NOTE, "a" * 64, None, TODAY, used, TODAY
    )


# -- the Household Hunger Scale --------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "score", "category"),
    [
        ((0, 0, 0), 0, HungerCategory.LITTLE_OR_NONE),
        ((1, 0, 0), 1, HungerCategory.LITTLE_OR_NONE),
        ((1, 1, 0), 2, HungerCategory.MODERATE),
        ((2, 1, 0), 3, HungerCategory.MODERATE),
        ((2, 2, 0), 4, HungerCategory.SEVERE),
        ((2, 2, 2), 6, HungerCategory.SEVERE),
        (("often", "rarely_or_sometimes", "never"), 3, HungerCategory.MODERATE),
    ],
)
def test_hunger_scale_scores_and_bands_as_fanta(
    answers: tuple[object, ...], score: int, category: HungerCategory
) -> None:
    result = hunger.score(answers)
    assert (result.score, result.category) == (score, category)


@pytest.mark.parametrize(
    ("answers", "named"),
    [
        ((0, 3, 0), "hunger_answers[1]"),
        ((0, 0, -1), "hunger_answers[2]"),
        ((0, 0), "exactly 3"),
        ((True, 0, 0), "hunger_answers[0]"),
        (("sometimes", 0, 0), "[0]"),
    ],
)
def test_hunger_answers_out_of_range_are_refused_naming_the_item(
    answers: tuple[object, ...], named: str
) -> None:
    with pytest.raises(errors.InvalidCommand, match=named.replace("[", r"\[").replace("]", r"\]")):
        when(domain.SurvivorState(), needs(hunger_answers=answers))


@given(st.lists(st.integers(0, 2), min_size=3, max_size=3))
def test_hunger_category_follows_the_score(answers: list[int]) -> None:
    result = hunger.score(answers)
    assert result.score == sum(answers)
    expected = 0 if result.score <= 1 else 1 if result.score <= 3 else 2
    assert hunger.RANK[result.category] == expected


# -- needs -----------------------------------------------------------------------------------


def test_needs_are_recorded_with_exact_amounts_and_the_hunger_score() -> None:
    [event] = when(domain.SurvivorState(), needs(monthly_income_kes="4500.5"))
    assert event.type == "empowerment.NeedsAssessed"
    assert event.payload["monthly_income_kes"] == "4500.50"
    assert (event.payload["hunger_score"], event.payload["hunger_category"]) == (3, "moderate")


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"earners": 6}, "earners"),
        ({"monthly_income_kes": "-1"}, "monthly_income_kes"),
        ({"monthly_income_kes": "12.345"}, "monthly_income_kes"),
        ({"debts_kes": "lots"}, "debts_kes"),
        ({"monthly_income_kes": 0.1}, "monthly_income_kes"),
        ({"children_out_of_school": 3}, "children_out_of_school"),
    ],
)
def test_impossible_needs_are_refused_naming_the_field(
    change: dict[str, object], named: str
) -> None:
    with pytest.raises(errors.InvalidCommand, match=named):
        when(domain.SurvivorState(), needs(**change))


def test_a_correction_supersedes_once_and_needs_a_reason() -> None:
    first = needs()
    state = given_events(*when(domain.SurvivorState(), first))
    correction = domain.AssessNeeds(
        uuid4(),
        SURVIVOR,
        date(2026, 3, 2),
        household(earners=2),
        None,
        TODAY,
        supersedes=first.assessment_id,
        reason=NOTE,
    )
    [event] = when(state, correction)
    assert event.type == "empowerment.NeedsAssessmentCorrected"
    state = domain.evolve(state, event)
    with pytest.raises(errors.AlreadySuperseded):
        when(state, correction)


# -- grants ----------------------------------------------------------------------------------


def test_a_lead_approves_within_the_budget_but_never_their_own_proposal() -> None:
    grant, event = proposed("30000")
    state = given_events(event)
    with pytest.raises(errors.OwnProposal):
        when(state, approve(grant, by=OFFICER))
    [approved] = when(state, approve(grant))
    assert approved.payload["amount_kes"] == "30000.00"


def test_an_approval_past_the_budget_line_is_refused() -> None:
    grant, event = proposed("30000")
    nearly_spent = domain.BudgetFacts(
        BUDGET.budget_line_id,
        BUDGET.period_start,
        BUDGET.period_end,
        Decimal(100_000),
        Decimal("70000.01"),
    )
    with pytest.raises(errors.BudgetExceeded):
        when(given_events(event), approve(grant, budget=nearly_spent))
    exactly = domain.BudgetFacts(
        BUDGET.budget_line_id,
        BUDGET.period_start,
        BUDGET.period_end,
        Decimal(100_000),
        Decimal(70_000),
    )
    assert when(given_events(event), approve(grant, budget=exactly))


def test_a_grant_amount_must_be_a_positive_decimal() -> None:
    for bad in ("-5", "0", "abc", "1e3x"):
        command = domain.ProposeGrant(
            uuid4(),
            SURVIVOR,
            "stock",
            bad,
            BUDGET,
            OFFICER,
            None,  # type: ignore[arg-type]
            TODAY,
            TODAY,
        )
        with pytest.raises(errors.InvalidCommand, match="amount_kes"):
            when(domain.SurvivorState(), command)


def test_disbursements_never_exceed_the_approved_remainder() -> None:
    grant, event = proposed("30000")
    state = given_events(event, *when(given_events(event), approve(grant)))
    with pytest.raises(errors.GrantNotApproved):
        when(given_events(event), disburse(grant, "100"))
    first = when(state, disburse(grant, "20000"))
    state = domain.fold(first, state)
    with pytest.raises(errors.OverRemainder, match=r"10000\.00"):
        when(state, disburse(grant, "10000.01"))
    with pytest.raises(errors.ReferenceUsed):
        when(state, disburse(grant, "100", used=True))
    assert when(state, disburse(grant, "10000"))


def test_a_declined_grant_cannot_be_approved_later() -> None:
    grant, event = proposed()
    declined = when(
        given_events(event),
        domain.DecideGrant(grant, SURVIVOR, False, LEAD, None, None, TODAY, TODAY),
    )
    with pytest.raises(errors.GrantNotPending):
        when(given_events(event, *declined), approve(grant))


# -- plans and follow-ups --------------------------------------------------------------------


def follow_up(milestone: Milestone = Milestone.MONTH_3, **changes: object) -> domain.FollowUp:
    fields: dict[str, object] = {
        "follow_up_id": uuid4(),
        "survivor_id": SURVIVOR,
        "milestone": milestone,
        "held_on": date(2026, 6, 10),
        "monthly_income_kes": "7000",
        "business_operating": True,
        "employment_status": "self_employed",
        "hunger_answers": (1, 0, 0),
        "notes": None,
        "today": TODAY,
    }
    fields.update(changes)
    return domain.FollowUp(**fields)  # type: ignore[arg-type]


def test_a_follow_up_needs_a_plan() -> None:
    with pytest.raises(errors.PlanRequired):
        when(domain.SurvivorState(), follow_up())


def test_follow_up_due_dates_count_from_the_first_money_else_the_plan_start() -> None:
    state = given_events(plan(date(2026, 1, 31)))
    [event] = when(state, follow_up())
    assert event.payload["due_on"] == "2026-04-30"  # 31 Jan + 3 months, clamped
    grant, proposal = proposed()
    state = domain.fold([proposal, *when(domain.fold([proposal], state), approve(grant))], state)
    paid = domain.Disburse(
        uuid4(), grant, SURVIVOR, "100", Channel.IN_KIND, None, None, None, TODAY, False, TODAY
    )
    state = domain.fold(when(state, paid), state)
    [event] = when(state, follow_up())
    assert event.payload["due_on"] == "2026-09-15"  # the money arrived on 15 June
    state = domain.evolve(state, event)
    with pytest.raises(errors.FollowUpHeld):
        when(state, follow_up())
    six = when(state, follow_up(Milestone.MONTH_6))[0]
    state = domain.evolve(state, six)
    moved = follow_up(
        Milestone.MONTH_6, supersedes=UUID(event.payload["follow_up_id"]), reason=NOTE
    )
    with pytest.raises(errors.FollowUpHeld):  # a correction may not take another's milestone
        when(state, moved)
    assert when(state, follow_up(Milestone.MONTH_3, supersedes=moved.supersedes, reason=NOTE))


def test_business_questions_only_for_a_business_plan() -> None:
    state = given_events(plan(kind="employment"))
    with pytest.raises(errors.InvalidCommand, match="business_operating"):
        when(state, follow_up())
    assert when(state, follow_up(business_operating=None))


def test_the_schedule_marks_overdue_follow_ups() -> None:
    dues = schedule(date(2025, 11, 1), {Milestone.MONTH_3})
    assert [d.due_on for d in dues] == [date(2026, 2, 1), date(2026, 5, 1), date(2026, 11, 1)]
    assert [d.overdue(TODAY) for d in dues] == [False, True, False]
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


def test_money_text_is_exact() -> None:
    assert money.text(money.kes("0.1") + money.kes("0.2")) == "0.30"
    with pytest.raises(money.InvalidAmount):
        money.kes(float("nan"))
