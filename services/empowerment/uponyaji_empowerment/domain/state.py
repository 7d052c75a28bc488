"""A survivor's empowerment state, folded from their stream: needs, plan, grants, follow-ups."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from uponyaji_events.folding import EventLike, Folder, as_day, as_uuid, event_name

CLOSED_GOAL = frozenset({"achieved", "not_achieved", "discontinued"})


@dataclass(frozen=True, slots=True)
class RecordState:
    """A needs assessment or follow-up: when, and whether a correction replaced it."""

    on: date
    superseded_by: UUID | None = None
    milestone: str | None = None  # follow-ups only


@dataclass(frozen=True, slots=True)
class GoalState:
    """A plan goal: its kind, its steps and its latest status."""

    kind: str
    steps: frozenset[UUID]
    status: str = "not_started"


@dataclass(frozen=True, slots=True)
class PlanState:
    """The survivor's livelihood plan."""

    plan_id: UUID
    started_on: date
    goals: Mapping[UUID, GoalState]

    @property
    def has_business(self) -> bool:
        """Whether a goal is to start or restore a business (follow-ups then ask about it)."""
        return any(g.kind in ("business_start", "business_restore") for g in self.goals.values())


@dataclass(frozen=True, slots=True)
class GrantState:
    """A grant: proposed, then approved or declined; what was disbursed of it."""

    proposed_by: UUID
    amount: Decimal
    budget_line_id: UUID
    proposed_on: date
    status: str = "proposed"  # proposed | approved | declined
    decided_on: date | None = None
    approved: Decimal = Decimal(0)
    disbursed: Decimal = Decimal(0)

    @property
    def remainder(self) -> Decimal:
        """What may still be disbursed."""
        return self.approved - self.disbursed


@dataclass(frozen=True, slots=True)
class SurvivorState:
    """Everything the survivor stream's deciders need."""

    version: int = 0
    needs: Mapping[UUID, RecordState] = field(default_factory=dict)
    plan: PlanState | None = None
    grants: Mapping[UUID, GrantState] = field(default_factory=dict)
    follow_ups: Mapping[UUID, RecordState] = field(default_factory=dict)
    first_disbursed_on: date | None = None
    completed_courses: frozenset[UUID] = frozenset()

    @property
    def anchor(self) -> date | None:
        """The follow-ups' day zero: the first grant money in hand, else the plan's start."""
        if self.first_disbursed_on is not None:
            return self.first_disbursed_on
        return self.plan.started_on if self.plan is not None else None

    def held(self) -> set[str]:
        """Milestones with a current follow-up."""
        return {
            f.milestone for f in self.follow_ups.values() if f.superseded_by is None and f.milestone
        }


def _goal(g: dict[str, Any]) -> tuple[UUID, GoalState]:
    steps = frozenset(as_uuid(s["step_id"]) for s in g.get("steps", []))
    return as_uuid(g["goal_id"]), GoalState(g["kind"], steps)


def _corrected(
    records: Mapping[UUID, RecordState], p: dict[str, Any], key: str, new: RecordState
) -> dict[UUID, RecordState]:
    out = dict(records)
    if p.get("supersedes"):
        old = as_uuid(p["supersedes"])
        out[old] = replace(out[old], superseded_by=as_uuid(p[key]))
    out[as_uuid(p[key])] = new
    return out


def evolve(state: SurvivorState, event: EventLike) -> SurvivorState:
    """The state after one event of the survivor stream (other types only count)."""
    p, name = event.payload, event_name(event)
    state = replace(state, version=state.version + 1)
    if name in ("NeedsAssessed", "NeedsAssessmentCorrected"):
        new = RecordState(as_day(p["assessed_on"]))
        return replace(state, needs=_corrected(state.needs, p, "assessment_id", new))
    if name in ("FollowUpRecorded", "FollowUpCorrected"):
        new = RecordState(as_day(p["held_on"]), milestone=p["milestone"])
        return replace(state, follow_ups=_corrected(state.follow_ups, p, "follow_up_id", new))
    if name == "LivelihoodPlanStarted":
        goals = dict(_goal(g) for g in p["goals"])
        return replace(state, plan=PlanState(as_uuid(p["plan_id"]), as_day(p["started_on"]), goals))
    if name == "LivelihoodGoalAdded" and state.plan is not None:
        goal_id, goal = _goal(p["goal"])
        plan = replace(state.plan, goals={**state.plan.goals, goal_id: goal})
        return replace(state, plan=plan)
    if name == "LivelihoodPlanReviewed" and state.plan is not None:
        goals = dict(state.plan.goals)
        for g in p["goals"]:
            goals[as_uuid(g["goal_id"])] = replace(goals[as_uuid(g["goal_id"])], status=g["status"])
        return replace(state, plan=replace(state.plan, goals=goals))
    return _money(state, name, p)


def _money(state: SurvivorState, name: str, p: dict[str, Any]) -> SurvivorState:
    if name == "GrantProposed":
        grant = GrantState(
            as_uuid(p["proposed_by"]),
            Decimal(p["amount_kes"]),
            as_uuid(p["budget_line_id"]),
            as_day(p["proposed_on"]),
        )
        return replace(state, grants={**state.grants, as_uuid(p["grant_id"]): grant})
    if name in ("GrantApproved", "GrantDeclined", "GrantDisbursed"):
        grant_id = as_uuid(p["grant_id"])
        grant = state.grants[grant_id]
        first = state.first_disbursed_on
        if name == "GrantApproved":
            grant = replace(
                grant,
                status="approved",
                approved=Decimal(p["amount_kes"]),
                decided_on=as_day(p["approved_on"]),
            )
        elif name == "GrantDeclined":
            grant = replace(grant, status="declined", decided_on=as_day(p["declined_on"]))
        else:
            grant = replace(grant, disbursed=grant.disbursed + Decimal(p["amount_kes"]))
            day = as_day(p["disbursed_on"])
            first = day if first is None or day < first else first
        return replace(state, grants={**state.grants, grant_id: grant}, first_disbursed_on=first)
    if name == "TrainingCompleted":
        return replace(state, completed_courses=state.completed_courses | {as_uuid(p["course_id"])})
    return state


# The state after a run of events (from a state already folded, else from the start).
fold = Folder(SurvivorState, evolve)
