"""The survivor stream's deciders: given the state and a command, the events, or a domain error."""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from uponyaji_events.contracts import ContractRegistry, default_registry
from uponyaji_events.contracts import empowerment as c
from uponyaji_events.envelope import NewEvent

from ..errors import (
    AlreadyCompleted,
    AlreadySuperseded,
    BudgetExceeded,
    FollowUpHeld,
    GrantNotApproved,
    GrantNotPending,
    InvalidCommand,
    NotFound,
    OutsidePeriod,
    OverRemainder,
    OwnProposal,
    PlanExists,
    PlanRequired,
    ReferenceUsed,
)
from . import hunger, money
from .commands import (
    AddGoal,
    AssessNeeds,
    CompleteTraining,
    DecideGrant,
    Disburse,
    FollowUp,
    NewGoal,
    ProposeGrant,
    ReviewPlan,
    StartPlan,
    SurvivorCommand,
)
from .schedule import MONTHS, add_months
from .state import CLOSED_GOAL, SurvivorState


@functools.cache
def contracts() -> ContractRegistry:
    """Every service's event contracts (built once, on first use)."""
    return default_registry()


def new_event(payload: BaseModel) -> NewEvent:
    """A NewEvent of empowerment's contract for the payload (validated on the way)."""
    return contracts().to_new_event(payload, service=c.SERVICE)


def not_future(field: str, day: date, today: date) -> None:
    """Refuse a day after today (422 naming the field)."""
    if day > today:
        raise InvalidCommand(f"{field}: {day} is in the future")


def amount(value: object, field: str, *, positive: bool = False) -> Decimal:
    """An exact KES amount or a 422 naming the field."""
    try:
        return money.kes(value, field, positive=positive)
    except money.InvalidAmount as problem:
        raise InvalidCommand(str(problem)) from None


def scored(answers: tuple[object, ...]) -> hunger.HungerResult:
    """The Household Hunger Scale result or a 422 naming the bad answer."""
    try:
        return hunger.score(answers)
    except hunger.InvalidAnswers as problem:
        raise InvalidCommand(str(problem)) from None


def decide(state: SurvivorState, command: SurvivorCommand) -> list[NewEvent]:
    """The events a command on the survivor stream records."""
    if isinstance(command, AssessNeeds):
        return [_needs(state, command)]
    if isinstance(command, StartPlan | AddGoal | ReviewPlan):
        return [_plan(state, command)]
    if isinstance(command, ProposeGrant | DecideGrant | Disburse):
        return [_money(state, command)]
    if isinstance(command, FollowUp):
        return [_follow_up(state, command)]
    return [_completion(state, command)]


def _supersede(records: Any, supersedes: Any, what: str) -> None:
    if supersedes is None:
        return
    old = records.get(supersedes)
    if old is None:
        raise NotFound(f"no {what} {supersedes} of this survivor")
    if old.superseded_by is not None:
        raise AlreadySuperseded(
            f"{what} {supersedes} was corrected by {old.superseded_by}: correct that one"
        )


def _needs(state: SurvivorState, command: AssessNeeds) -> NewEvent:
    h = command.household
    not_future("assessed_on", command.assessed_on, command.today)
    _supersede(state.needs, command.supersedes, "needs assessment")
    if h.earners > h.household_size:
        raise InvalidCommand("earners: more earners than people in the household")
    if h.dependants > h.household_size:
        raise InvalidCommand("dependants: more dependants than people in the household")
    if h.children_out_of_school > h.school_age_children:
        raise InvalidCommand("children_out_of_school: more than the children of school age")
    result = scored(h.hunger_answers)
    fields: dict[str, Any] = {
        "assessment_id": command.assessment_id, "survivor_id": command.survivor_id,
        "assessed_on": command.assessed_on, "household_size": h.household_size,
        "dependants": h.dependants, "earners": h.earners,
        "income_sources": list(dict.fromkeys(h.income_sources)),
        "monthly_income_kes": money.text(amount(h.monthly_income_kes, "monthly_income_kes")),
        "housing": h.housing, "hunger_answers": list(result.answers),
        "hunger_score": result.score, "hunger_category": result.category,
        "school_age_children": h.school_age_children,
        "children_out_of_school": h.children_out_of_school,
        "debts_kes": money.text(amount(h.debts_kes, "debts_kes")),
        "skills": list(dict.fromkeys(h.skills)), "barriers": list(dict.fromkeys(h.barriers)),
        "notes": command.notes,
    }  # fmt: skip
    if command.supersedes is None:
        return new_event(c.NeedsAssessed(**fields))
    if command.reason is None:
        raise InvalidCommand("reason: a correction needs a reason")
    return new_event(
        c.NeedsAssessmentCorrected(**fields, supersedes=command.supersedes, reason=command.reason)
    )


def _goal(goal: NewGoal, started_on: date) -> c.PlanGoal:
    if goal.target_date < started_on:
        raise InvalidCommand("target_date: before the plan started")
    steps = [c.PlanStep(step_id=s, description=d) for s, d in goal.steps]
    return c.PlanGoal(goal_id=goal.goal_id, kind=goal.kind, description=goal.description,
                      target_date=goal.target_date, steps=steps)  # fmt: skip


def _plan(state: SurvivorState, command: StartPlan | AddGoal | ReviewPlan) -> NewEvent:
    if isinstance(command, StartPlan):
        if state.plan is not None:
            raise PlanExists("the survivor already has a livelihood plan: add goals instead")
        not_future("started_on", command.started_on, command.today)
        return new_event(c.LivelihoodPlanStarted(
            plan_id=command.plan_id, survivor_id=command.survivor_id,
            started_on=command.started_on,
            goals=[_goal(g, command.started_on) for g in command.goals],
        ))  # fmt: skip
    plan = state.plan
    if plan is None:
        raise PlanRequired("the survivor has no livelihood plan: start one first")
    if isinstance(command, AddGoal):
        return new_event(c.LivelihoodGoalAdded(
            plan_id=plan.plan_id, survivor_id=command.survivor_id,
            goal=_goal(command.goal, plan.started_on),
        ))  # fmt: skip
    not_future("reviewed_on", command.reviewed_on, command.today)
    if command.reviewed_on < plan.started_on:
        raise InvalidCommand("reviewed_on: before the plan started")
    progress = []
    for i, p in enumerate(command.goals):
        goal = plan.goals.get(p.goal_id)
        if goal is None:
            raise NotFound(f"goals[{i}].goal_id: no goal {p.goal_id} in this plan")
        if goal.status in CLOSED_GOAL:
            raise InvalidCommand(f"goals[{i}]: the goal is {goal.status}: add a new goal")
        if set(p.steps_done) - goal.steps:
            raise InvalidCommand(f"goals[{i}].steps_done: a step that is not this goal's")
        progress.append(c.GoalProgress(goal_id=p.goal_id, status=p.status,
                                       steps_done=list(dict.fromkeys(p.steps_done))))  # fmt: skip
    return new_event(c.LivelihoodPlanReviewed(
        plan_id=plan.plan_id, survivor_id=command.survivor_id, reviewed_on=command.reviewed_on,
        goals=progress, note=command.note,
    ))  # fmt: skip


def _money(state: SurvivorState, command: ProposeGrant | DecideGrant | Disburse) -> NewEvent:
    if isinstance(command, ProposeGrant):
        wanted = amount(command.amount_kes, "amount_kes", positive=True)
        not_future("proposed_on", command.proposed_on, command.today)
        if command.proposed_on > command.budget.period_end:
            raise OutsidePeriod(f"budget line period ended on {command.budget.period_end}")
        return new_event(c.GrantProposed(
            grant_id=command.grant_id, survivor_id=command.survivor_id, purpose=command.purpose,
            amount_kes=money.text(wanted), budget_line_id=command.budget.budget_line_id,
            proposed_by=command.proposed_by, proposed_on=command.proposed_on,
            justification=command.justification,
        ))  # fmt: skip
    grant = state.grants.get(command.grant_id)
    if grant is None:
        raise NotFound(f"no grant {command.grant_id} of this survivor")
    if isinstance(command, DecideGrant):
        return _decision(grant, command)
    return _disbursement(state, grant, command)


def _decision(grant: Any, command: DecideGrant) -> NewEvent:
    if grant.proposed_by == command.decided_by:
        raise OwnProposal("you proposed this grant: another programme lead must decide it")
    if grant.status != "proposed":
        raise GrantNotPending(f"the grant was already {grant.status}")
    not_future("decided_on", command.decided_on, command.today)
    if command.decided_on < grant.proposed_on:
        raise InvalidCommand("decided_on: before the grant was proposed")
    if not command.approve:
        return new_event(c.GrantDeclined(
            grant_id=command.grant_id, survivor_id=command.survivor_id,
            declined_by=command.decided_by, declined_on=command.decided_on,
            reason=command.reason,
        ))  # fmt: skip
    budget = command.budget
    assert budget is not None
    assert budget.budget_line_id == grant.budget_line_id
    if not budget.period_start <= command.decided_on <= budget.period_end:
        raise OutsidePeriod(
            f"budget line runs {budget.period_start} to {budget.period_end}, "
            f"not {command.decided_on}"
        )
    if grant.amount > budget.remaining:
        raise BudgetExceeded(
            f"KES {money.text(grant.amount)} exceeds what remains on the budget line "
            f"(KES {money.text(budget.remaining)} of {money.text(budget.amount)})"
        )
    return new_event(c.GrantApproved(
        grant_id=command.grant_id, survivor_id=command.survivor_id,
        amount_kes=money.text(grant.amount), budget_line_id=grant.budget_line_id,
        approved_by=command.decided_by, approved_on=command.decided_on,
    ))  # fmt: skip


def _disbursement(state: SurvivorState, grant: Any, command: Disburse) -> NewEvent:
    paid = amount(command.amount_kes, "amount_kes", positive=True)
    not_future("disbursed_on", command.disbursed_on, command.today)
    if grant.status != "approved":
        raise GrantNotApproved(f"the grant is {grant.status}: only approved grants are paid")
    if grant.decided_on is not None and command.disbursed_on < grant.decided_on:
        raise InvalidCommand(f"disbursed_on: before the approval on {grant.decided_on}")
    if paid > grant.remainder:
        raise OverRemainder(
            f"amount_kes: KES {money.text(paid)} is more than the approved remainder "
            f"KES {money.text(grant.remainder)}"
        )
    if command.channel is c.Channel.IN_KIND:
        if command.reference is not None:
            raise InvalidCommand("reference: goods in kind have no payment reference")
    elif command.reference is None or command.reference_digest is None:
        raise InvalidCommand(f"reference: a {command.channel.value} disbursement needs one")
    if command.reference_used:
        raise ReferenceUsed("reference: this payment reference is already on record")
    return new_event(c.GrantDisbursed(
        disbursement_id=command.disbursement_id, grant_id=command.grant_id,
        survivor_id=command.survivor_id, amount_kes=money.text(paid), channel=command.channel,
        reference=command.reference, reference_digest=command.reference_digest,
        items=command.items, disbursed_on=command.disbursed_on,
    ))  # fmt: skip


def _follow_up(state: SurvivorState, command: FollowUp) -> NewEvent:
    anchor = state.anchor
    if state.plan is None or anchor is None:
        raise PlanRequired("follow-ups need a livelihood plan: start one first")
    not_future("held_on", command.held_on, command.today)
    if command.held_on < state.plan.started_on:
        raise InvalidCommand("held_on: before the plan started")
    _supersede(state.follow_ups, command.supersedes, "follow-up")
    replaced = state.follow_ups[command.supersedes].milestone if command.supersedes else None
    if command.milestone.value != replaced and command.milestone.value in state.held():
        raise FollowUpHeld(f"the {command.milestone.value} follow-up is on record: correct it")
    if command.business_operating is not None and not state.plan.has_business:
        raise InvalidCommand("business_operating: the plan has no business goal")
    result = scored(command.hunger_answers)
    fields: dict[str, Any] = {
        "follow_up_id": command.follow_up_id, "survivor_id": command.survivor_id,
        "milestone": command.milestone,
        "due_on": add_months(anchor, MONTHS[command.milestone]), "held_on": command.held_on,
        "monthly_income_kes": money.text(amount(command.monthly_income_kes,
                                                "monthly_income_kes")),
        "business_operating": command.business_operating,
        "employment_status": command.employment_status,
        "hunger_answers": list(result.answers), "hunger_score": result.score,
        "hunger_category": result.category, "notes": command.notes,
    }  # fmt: skip
    if command.supersedes is None:
        return new_event(c.FollowUpRecorded(**fields))
    if command.reason is None:
        raise InvalidCommand("reason: a correction needs a reason")
    return new_event(
        c.FollowUpCorrected(**fields, supersedes=command.supersedes, reason=command.reason)
    )


def _completion(state: SurvivorState, command: CompleteTraining) -> NewEvent:
    if command.course_id in state.completed_courses:
        raise AlreadyCompleted("the survivor already completed this course")
    not_future("completed_on", command.completed_on, command.today)
    if command.completed_on < command.course_started_on:
        raise InvalidCommand("completed_on: before the course started")
    return new_event(c.TrainingCompleted(
        course_id=command.course_id, survivor_id=command.survivor_id,
        completed_on=command.completed_on, sessions_attended=command.sessions_attended,
    ))  # fmt: skip
