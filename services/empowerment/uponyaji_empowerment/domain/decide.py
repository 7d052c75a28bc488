"""The survivor stream's deciders: given the state and a command, the events, or a domain error."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel
from uponyaji_events.contracts import empowerment as c
from uponyaji_events.deciding import payload_of
from uponyaji_events.envelope import NewEvent

from ..errors import (
    AlreadyCompleted,
    AlreadySuperseded,
    FollowUpHeld,
    InvalidCommand,
    NotFound,
    PlanExists,
    PlanRequired,
)
from . import money
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
from .grants import decide_money
from .hunger import HungerResult
from .rules import amount, new_event, not_future, scored
from .schedule import MONTHS, add_months
from .state import CLOSED_GOAL, SurvivorState


def decide(state: SurvivorState, command: SurvivorCommand) -> list[NewEvent]:
    """The events a command on the survivor stream records."""
    if isinstance(command, AssessNeeds):
        return [_needs(state, command)]
    if isinstance(command, StartPlan | AddGoal | ReviewPlan):
        return [_plan(state, command)]
    if isinstance(command, ProposeGrant | DecideGrant | Disburse):
        return [decide_money(state, command)]
    if isinstance(command, FollowUp):
        return [_follow_up(state, command)]
    return [_completion(state, command)]


def _recorded(
    recorded: type[BaseModel], corrected: type[BaseModel], fields: dict[str, Any], command: Any
) -> NewEvent:
    """A record, or (when `command.supersedes` names one) its correction, with a reason."""
    if command.supersedes is None:
        return new_event(recorded(**fields))
    if command.reason is None:
        raise InvalidCommand("reason: a correction needs a reason")
    return new_event(corrected(**fields, supersedes=command.supersedes, reason=command.reason))


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


def _hunger(result: HungerResult) -> dict[str, Any]:
    """The Household Hunger Scale's fields of a needs assessment or a follow-up."""
    return {
        "hunger_answers": list(result.answers),
        "hunger_score": result.score,
        "hunger_category": result.category,
    }


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
        "assessment_id": command.assessment_id,
        "survivor_id": command.survivor_id,
        "assessed_on": command.assessed_on,
        "household_size": h.household_size,
        "dependants": h.dependants,
        "earners": h.earners,
        "income_sources": list(dict.fromkeys(h.income_sources)),
        "monthly_income_kes": money.text(amount(h.monthly_income_kes, "monthly_income_kes")),
        "housing": h.housing,
        **_hunger(result),
        "school_age_children": h.school_age_children,
        "children_out_of_school": h.children_out_of_school,
        "debts_kes": money.text(amount(h.debts_kes, "debts_kes")),
        "skills": list(dict.fromkeys(h.skills)),
        "barriers": list(dict.fromkeys(h.barriers)),
        "notes": command.notes,
    }
    return _recorded(c.NeedsAssessed, c.NeedsAssessmentCorrected, fields, command)


def _goal(goal: NewGoal, started_on: date) -> c.PlanGoal:
    if goal.target_date < started_on:
        raise InvalidCommand("target_date: before the plan started")
    steps = [c.PlanStep(step_id=s, description=d) for s, d in goal.steps]
    return c.PlanGoal(
        goal_id=goal.goal_id,
        kind=goal.kind,
        description=goal.description,
        target_date=goal.target_date,
        steps=steps,
    )


def _plan(state: SurvivorState, command: StartPlan | AddGoal | ReviewPlan) -> NewEvent:
    if isinstance(command, StartPlan):
        if state.plan is not None:
            raise PlanExists("the survivor already has a livelihood plan: add goals instead")
        not_future("started_on", command.started_on, command.today)
        return new_event(
            c.LivelihoodPlanStarted(
                plan_id=command.plan_id,
                survivor_id=command.survivor_id,
                started_on=command.started_on,
                goals=[_goal(g, command.started_on) for g in command.goals],
            )
        )
    plan = state.plan
    if plan is None:
        raise PlanRequired("the survivor has no livelihood plan: start one first")
    if isinstance(command, AddGoal):
        return new_event(
            c.LivelihoodGoalAdded(
                plan_id=plan.plan_id,
                survivor_id=command.survivor_id,
                goal=_goal(command.goal, plan.started_on),
            )
        )
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
        progress.append(
            c.GoalProgress(
                goal_id=p.goal_id, status=p.status, steps_done=list(dict.fromkeys(p.steps_done))
            )
        )
    return new_event(
        c.LivelihoodPlanReviewed(
            plan_id=plan.plan_id,
            survivor_id=command.survivor_id,
            reviewed_on=command.reviewed_on,
            goals=progress,
            note=command.note,
        )
    )


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
        "follow_up_id": command.follow_up_id,
        "survivor_id": command.survivor_id,
        "milestone": command.milestone,
        "due_on": add_months(anchor, MONTHS[command.milestone]),
        "held_on": command.held_on,
        "monthly_income_kes": money.text(amount(command.monthly_income_kes, "monthly_income_kes")),
        "business_operating": command.business_operating,
        "employment_status": command.employment_status,
        **_hunger(result),
        "notes": command.notes,
    }
    return _recorded(c.FollowUpRecorded, c.FollowUpCorrected, fields, command)


def _completion(state: SurvivorState, command: CompleteTraining) -> NewEvent:
    if command.course_id in state.completed_courses:
        raise AlreadyCompleted("the survivor already completed this course")
    not_future("completed_on", command.completed_on, command.today)
    if command.completed_on < command.course_started_on:
        raise InvalidCommand("completed_on: before the course started")
    return new_event(payload_of(c.TrainingCompleted, command))
